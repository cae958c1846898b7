"""The four seed contracts of contracts-digest.md as reference tables, and the misses planted in them.

Every other part of the generator (who serves which channel, when customers can reach a
channel, which months go badly) reads its terms from here, so the generated traffic and
the contract it is measured against never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Vendor:
    vendor_id: str
    contract_id: str
    short: str  # prefix of the vendor's ids, so ids stay readable in a mixed export
    name: str


VENDORS = (
    Vendor("V-TEL", "C-TEL", "TEL", "华信通信客服有限公司"),
    Vendor("V-PT", "C-PT", "PT", "杭州优品电商服务有限公司"),
    Vendor("V-HOME", "C-HOME", "HOME", "成都云居在线客服有限公司"),
    Vendor("V-AS", "C-AS", "AS", "苏州安达售后服务有限公司"),
)
VENDOR = {v.vendor_id: v for v in VENDORS}

# Share of each interaction table's volume per vendor (the channels its contract serves).
SHARES = {
    "calls": {"V-TEL": 1.0},
    "chats": {"V-TEL": 0.5, "V-PT": 0.3, "V-HOME": 0.2},
    "emails": {"V-TEL": 0.6, "V-AS": 0.4},
    "visits": {"V-TEL": 0.4, "V-AS": 0.6},
}

PLATFORM_PAYEE = "成都蜂巢云客服平台科技有限公司"
# Late payment is the client's breach in the telecom standard and the part-time agreement: damages
# of a share of the amount outstanding per day overdue (万分之五 and 万分之三).
LATE_PAYMENT_RATE = {"C-TEL": "0.0005", "C-PT": "0.0003"}
AS_CONTRACT_TOTAL = Decimal("240000.00")  # the after-sales agreement's total; fee = total / 12

# (contract_id, channel, days, open, close); a channel without rows is served 24/7.
SERVICE_HOURS = (
    ("C-TEL", "chat", "daily", "08:00", "22:00"),
    ("C-TEL", "email", "daily", "08:00", "22:00"),
    ("C-TEL", "onsite", "weekdays", "09:00", "18:00"),
    ("C-PT", "chat", "daily", "09:00", "23:00"),
    ("C-HOME", "chat", "daily", "09:00", "24:00"),
    ("C-AS", "onsite", "weekdays", "09:00", "18:00"),
)

# China's 2026 Mid-Autumn and National Day closures with their make-up working days.
HOLIDAY_DATES = (
    ("2026-09-20", "workday", "国庆节调休上班"),
    ("2026-09-25", "closed", "中秋节"),
    *((f"2026-10-0{d}", "closed", "国庆节") for d in range(1, 8)),
    ("2026-10-10", "workday", "国庆节调休上班"),
)
HOLIDAY_VENDORS = ("V-TEL", "V-AS")  # the office-based vendors; the online ones work through
PART_TIME_VENDOR = "V-PT"  # staffed by weekly hours per agent (weekly_min_hours), not by shifts


@dataclass(frozen=True)
class Miss:
    """A contract-channel-month deliberately run below target, with the metrics it fails."""

    vendor_id: str
    channel: str
    month: str
    metrics: tuple[str, ...]


def planted_misses(months: tuple[str, ...]) -> tuple[Miss, ...]:
    """Spread the misses over the months: telecom phone breaks down in the last month (in the
    default, October with its National Day rush), the home-based chat team in the middle one,
    the part-timers' weekly hours in the first; every other month meets its targets."""
    return (
        Miss("V-PT", "chat", months[0], ("weekly_min_hours",)),
        Miss("V-HOME", "chat", months[len(months) // 2], ("response_rate",)),
        Miss("V-TEL", "phone", months[-1], ("answer_rate", "service_level", "asa_seconds")),
    )


def miss_months(misses: tuple[Miss, ...], vendor_id: str, channel: str) -> list[str]:
    """Months in which the vendor channel serves customers badly (short weekly hours of part-time
    agents are a staffing miss, not a service one)."""
    return [
        m.month
        for m in misses
        if (m.vendor_id, m.channel) == (vendor_id, channel) and m.metrics != ("weekly_min_hours",)
    ]


def contract_starts(months: tuple[str, ...]) -> dict[str, dt.date]:
    """All contracts start on 1 January of the first month's year, except C-HOME, which starts
    on the 10th of the first month so its fixed fee is pro-rated and its earlier traffic is out of
    contract."""
    first = dt.date.fromisoformat(months[0] + "-01")
    start = {v.contract_id: dt.date(first.year, 1, 1) for v in VENDORS}
    start["C-HOME"] = first + dt.timedelta(days=9)
    return start


MONEY = pl.Decimal(12, 2)
CENT = Decimal("0.01")


def _frame(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def reference_tables(months: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """vendors, contracts, rates, sla_targets, service_hours, holidays and adjustments, with the
    column names and order of SPEC section 2 (optional columns left empty take their defaults)."""
    start = contract_starts(months)
    vendors = _frame(
        [(v.vendor_id, v.name, TIMEZONE) for v in VENDORS],
        {"vendor_id": pl.String, "name": pl.String, "timezone": pl.String},
    )
    contracts = _frame(
        [
            ("C-TEL", "V-TEL", start["C-TEL"], None, "CNY", 0.06, 15, None, None, 0.3, 5, "exclude_short", None),
            ("C-PT", "V-PT", start["C-PT"], None, "CNY", 0.03, 5, None, None, None, None, None, None),
            (
                "C-HOME",
                "V-HOME",
                start["C-HOME"],
                None,
                "CNY",
                0.06,
                10,
                Decimal("30000.00"),
                Decimal("0.00"),
                0.2,
                None,
                None,
                PLATFORM_PAYEE,
            ),
            (
                "C-AS",
                "V-AS",
                start["C-AS"],
                None,
                "CNY",
                0.06,
                20,
                (AS_CONTRACT_TOTAL / 12).quantize(CENT),
                Decimal("0.00"),
                0.3,
                None,
                None,
                None,
            ),
        ],
        {
            "contract_id": pl.String,
            "vendor_id": pl.String,
            "start_date": pl.Date,
            "end_date": pl.Date,
            "currency": pl.String,
            "tax_rate": pl.Float64,
            "payment_due_day": pl.Int32,
            "monthly_fee": MONEY,
            "monthly_minimum": MONEY,
            "credit_cap_rate": pl.Float64,
            "short_abandon_seconds": pl.Int32,
            "sl_abandons": pl.String,
            "payee": pl.String,
        },
    ).with_columns(
        late_payment_rate=pl.col("contract_id").replace_strict(LATE_PAYMENT_RATE, default=None, return_dtype=pl.String)
    )
    rates = _frame(
        [
            ("C-TEL", "phone", "minute", Decimal("0.45"), 60, 0, 10000, "graduated"),
            ("C-TEL", "phone", "minute", Decimal("0.40"), 60, 10000, None, "graduated"),
            ("C-TEL", "chat", "hour", Decimal("38.00"), 60, None, None, None),
            ("C-TEL", "email", "email", Decimal("2.50"), None, None, None, None),
            ("C-TEL", "onsite", "visit", Decimal("80.00"), None, None, None, None),
            ("C-PT", "chat", "hour", Decimal("25.00"), 60, None, None, None),
        ],
        {
            "contract_id": pl.String,
            "channel": pl.String,
            "unit": pl.String,
            "unit_price": MONEY,
            "increment_seconds": pl.Int32,
            "tier_from": pl.Int64,
            "tier_to": pl.Int64,
            "tier_mode": pl.String,
        },
    ).with_columns(
        tier_flat_fee=pl.lit(None, MONEY), effective_from=pl.lit(None, pl.Date), effective_to=pl.lit(None, pl.Date)
    )
    sla_targets = _frame(
        [
            ("C-TEL", "phone", "answer_rate", 0.95, None, None, 0.05, "channel"),
            ("C-TEL", "phone", "asa_seconds", 5.0, None, "calendar", 0.03, "channel"),
            ("C-TEL", "phone", "service_level", 0.80, 20, "calendar", 0.03, "channel"),
            ("C-TEL", "chat", "first_response_seconds", 3.0, None, "calendar", 0.03, "channel"),
            ("C-TEL", "email", "reply_within_rate", 0.95, 86400, "business", 0.03, "channel"),
            ("C-TEL", "onsite", "accuracy", 0.95, None, None, 0.05, "channel"),
            ("C-PT", "chat", "weekly_min_hours", 0.90, 72000, None, 0.05, "channel"),
            ("C-HOME", "chat", "response_rate", 0.90, None, None, 0.10, "invoice"),
            ("C-HOME", "chat", "csat", 4.0, None, None, 0.05, "invoice"),
            ("C-AS", "email", "reply_within_rate", 0.95, 86400, "business", 0.05, "invoice"),
            ("C-AS", "onsite", "accuracy", 0.95, None, None, 0.05, "invoice"),
        ],
        {
            "contract_id": pl.String,
            "channel": pl.String,
            "metric": pl.String,
            "target": pl.Float64,
            "threshold_seconds": pl.Int32,
            "clock": pl.String,
            "credit_rate": pl.Float64,
            "credit_base": pl.String,
        },
    ).with_columns(effective_from=pl.lit(None, pl.Date), effective_to=pl.lit(None, pl.Date))
    service_hours = _frame(
        list(SERVICE_HOURS),
        {"contract_id": pl.String, "channel": pl.String, "days": pl.String, "open": pl.String, "close": pl.String},
    )
    holidays = _frame(
        [(v, dt.date.fromisoformat(d), kind, name) for v in HOLIDAY_VENDORS for d, kind, name in HOLIDAY_DATES],
        {"vendor_id": pl.String, "date": pl.Date, "kind": pl.String, "name": pl.String},
    )
    penalty_month = months[len(months) // 2]
    adjustments = _frame(
        [
            (
                "C-AS",
                penalty_month,
                f"保密违约金 Confidentiality breach penalty: 5% of the total contract amount {AS_CONTRACT_TOTAL}",
                (-AS_CONTRACT_TOTAL * Decimal("0.05")).quantize(CENT),
            )
        ],
        {"contract_id": pl.String, "month": pl.String, "description": pl.String, "amount": MONEY},
    )
    return {
        "vendors": vendors,
        "contracts": contracts,
        "rates": rates,
        "sla_targets": sla_targets,
        "service_hours": service_hours,
        "holidays": holidays,
        "adjustments": adjustments,
    }
