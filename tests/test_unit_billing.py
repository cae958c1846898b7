"""The charge models of metrics/billing/ on plain values (SPEC §4): tier ladders, graduated and volume
pricing, the fixed fee and the minimum pro-rated, credits and their cap, adjustments, the one
rounding rule, tax and due dates. No files, no ingest: each figure is worked out in its comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from unit_fixtures import OCT, memory

from metrics.billing.adjustment import adjustment_lines
from metrics.billing.credit import Miss, credit_lines
from metrics.billing.fixed import fixed_line
from metrics.billing.graduated import graduated_lines
from metrics.billing.invoice import assemble, due_date, priced
from metrics.billing.line import Line, cents, money, number, price
from metrics.billing.minimum import minimum_line
from metrics.billing.rates import Ladder, Tier
from metrics.billing.terms import Terms
from metrics.billing.volume import volume_lines


def ladder(unit: str, *tiers: tuple, mode: str = "graduated", channel: str = "email") -> Ladder:
    """A ladder of (unit_price, tier_from, tier_to, flat_fee) tiers, bounds in billing units."""
    built = tuple(Tier(D(p), lo and D(lo), hi and D(hi), D(fee)) for p, lo, hi, fee in tiers)
    return Ladder("C1", channel, unit, mode, "CNY", built, increment=60)


def terms(active_days: int = 31, fee: str = "0", minimum: str = "0", cap: str = "1", tax: str = "0.06") -> Terms:
    return Terms("C1", "V1", OCT, "CNY", "Vendor One", D(tax), 5, D(fee), D(minimum), D(cap), active_days)


def figures(lines: list[Line]) -> list[tuple]:
    return [(ln.tier_from, ln.tier_to, ln.quantity, ln.amount) for ln in lines]


# An e-mail ladder: [0, 100) at 2.00, [100, ∞) at 1.50 with a tier fee of 50.00.
EMAILS = (("2.00", "0", "100", "0"), ("1.50", "100", None, "50"))


# ---- the one rounding rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [
        ("6.045", "6.05"),  # half up
        ("6.044999", "6.04"),
        ("2.675", "2.68"),  # exact decimal, not the binary float 2.67499…
        ("-0.005", "-0.01"),  # half away from zero
        ("-6.045", "-6.05"),
        ("-0.004", "0.00"),  # rounds to zero: never a negative zero on an invoice
    ],
)
def test_cents_rounds_half_up_away_from_zero(exact, rounded):
    assert str(cents(D(exact))) == rounded


def test_numbers_read_as_on_the_contracts():
    assert (money(D("30000")), money(D("-1234.5")), number(D("10000.000")), price(D("0.450000"))) == (
        "30 000.00",
        "-1 234.50",
        "10 000",
        "0.45",
    )


# ---- tier ladders ----------------------------------------------------------------------------


def test_tier_bounds_are_exact_base_units():
    minutes = ladder("minute", ("0.45", None, "10", "0"), ("0.40", "10", "20.5", "0"), channel="phone")
    # minutes -> seconds: an open lower bound is 0, 20.5 min is 1230 s, an open upper bound stays open.
    assert [minutes.bounds(t) for t in minutes.tiers] == [(D(0), D(600)), (D(600), D(1230))]
    assert minutes.tiered and not ladder("email", ("2.00", None, None, "0")).tiered


def test_graduated_prices_each_unit_at_its_tier():
    # 150 e-mails: 100 at 2.00 = 200.00; 50 at 1.50 + 50.00 tier fee = 125.00.
    assert figures(graduated_lines(ladder("email", *EMAILS), D(150))) == [
        (D(0), D(100), D(100), D("200.00")),
        (D(100), None, D(50), D("125.00")),
    ]
    # Exactly 100: all in the first tier; the second holds nothing, so no line and no tier fee.
    assert figures(graduated_lines(ladder("email", *EMAILS), D(100))) == [(D(0), D(100), D(100), D("200.00"))]
    assert graduated_lines(ladder("email", *EMAILS), D(0)) == []


def test_graduated_minutes_split_exactly_across_the_boundary():
    # 750 s = 12.5 min: 10 min at 0.45 = 4.50, 2.5 min at 0.40 = 1.00.
    lines = graduated_lines(
        ladder("minute", ("0.45", "0", "10", "0"), ("0.40", "10", None, "0"), channel="phone"), D(750)
    )
    assert [(ln.quantity, ln.amount, ln.description) for ln in lines] == [
        (D(10), D("4.50"), "Phone talk time, 0–10 min @ 0.45 CNY"),
        (D("2.5"), D("1.00"), "Phone talk time, over 10 min @ 0.40 CNY"),
    ]


def test_a_ladder_starting_above_zero_leaves_the_first_units_free():
    # [100, ∞) at 1.00: of 150 e-mails the first 100 have no price; 50 × 1.00 = 50.00.
    assert figures(graduated_lines(ladder("email", ("1.00", "100", None, "0")), D(150))) == [
        (D(100), None, D(50), D("50.00"))
    ]


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (150, [(D(100), None, D(150), D("275.00"))]),  # every unit at 1.50 + 50.00 = 275.00
        (100, [(D(100), None, D(100), D("200.00"))]),  # equal to tier_to: the next tier, 150.00 + 50.00
        (99, [(D(0), D(100), D(99), D("198.00"))]),  # 99 × 2.00
        (0, []),
    ],
)
def test_volume_prices_every_unit_at_the_tier_of_the_total(base, expected):
    assert figures(volume_lines(ladder("email", *EMAILS, mode="volume"), D(base))) == expected


def test_hours_are_priced_from_exact_seconds():
    # 7322 s = 2.033888… h at 30.00 = 61.016666… -> 61.02; the quantity shows 4 places (2.0339).
    (line,) = graduated_lines(ladder("hour", ("30.00", None, None, "0"), channel="chat"), D(7322))
    assert (line.quantity, line.amount, line.description) == (D("2.0339"), D("61.02"), "Chat agent hours @ 30.00 CNY")


# ---- fixed fee and minimum -------------------------------------------------------------------


def test_the_fixed_fee_is_pro_rated_by_active_days():
    # 1000.00 × 22 / 31 = 709.677… -> 709.68.
    line = fixed_line(terms(active_days=22, fee="1000"))
    assert (line.type, line.amount, line.description) == (
        "fixed",
        D("709.68"),
        "Monthly fee 1 000.00 CNY × 22/31 days active",
    )
    assert fixed_line(terms(fee="1000")).amount == D("1000.00")
    assert fixed_line(terms()) is None


def test_the_minimum_trues_up_the_pro_rated_shortfall():
    # Full month: 5000.00 - 3200.50 = 1799.50.
    assert minimum_line(terms(minimum="5000"), D("3200.50")).amount == D("1799.50")
    # 22/31 of 3100.00 = 2200.00, minus 1000.00 billed = 1200.00.
    assert minimum_line(terms(active_days=22, minimum="3100"), D("1000.00")).amount == D("1200.00")
    # Met, or no minimum: no line.
    assert minimum_line(terms(minimum="5000"), D("5000.00")) is None
    assert minimum_line(terms(), D(0)) is None


# ---- credits ---------------------------------------------------------------------------------


def miss(metric: str, numerator: str, denominator: str, target: str, rate: str, base: str = "channel", **kw) -> Miss:
    channel = kw.get("channel", "phone")
    return Miss("C1", channel, metric, D(target), kw.get("threshold"), D(numerator), D(denominator), D(rate), base)


USAGE_LINES = [
    Line("usage", D("1000.00"), "phone", channel="phone", unit="minute"),
    Line("usage", D("500.00"), "email", channel="email", unit="email"),
    Line("fixed", D("500.00"), "fee"),
]


def test_a_channel_credit_takes_that_channel_s_usage_and_says_why():
    # answer rate 931 / 1000 = 93.1 % < 95 %: 5 % of phone usage 1000.00 = -50.00.
    (line,) = credit_lines(terms(), [miss("answer_rate", "931", "1000", "0.95", "0.05")], USAGE_LINES)
    assert (line.type, line.channel, line.metric, line.amount, line.description) == (
        "credit",
        "phone",
        "answer_rate",
        D("-50.00"),
        "Credit: phone answer_rate 93.1 % < 95 % target; 5 % of phone usage 1 000.00 CNY",
    )


def test_an_invoice_credit_takes_usage_and_fees():
    # 10 % of (1000.00 + 500.00 usage + 500.00 fee) = -200.00, still on the target's channel.
    (line,) = credit_lines(terms(), [miss("csat", "39.5", "10", "4", "0.1", "invoice", channel="chat")], USAGE_LINES)
    assert (line.channel, line.amount) == ("chat", D("-200.00"))
    assert line.description.startswith("Credit: chat csat 3.95 < 4 target; 10 % of usage and fees 2 000.00")


@pytest.mark.parametrize(
    ("the_miss", "said"),
    [
        # 94.99 % would read 95.0 % at one place: as many places as it takes to differ.
        (
            miss("service_level", "9499", "10000", "0.95", "0.01", threshold=D(20)),
            "service_level (≤ 20 s) 94.99 % < 95 %",
        ),
        (miss("asa_seconds", "5.2", "1", "5", "0.01"), "asa_seconds 5.2 s > 5 s"),
        (
            miss("weekly_min_hours", "8", "10", "0.9", "0.01", "invoice", threshold=D(72000), channel="chat"),
            "weekly_min_hours (≥ 20 h a week) 80.0 % < 90 %",
        ),
    ],
)
def test_a_credit_reads_value_threshold_and_target_in_the_metric_s_unit(the_miss, said):
    (line,) = credit_lines(terms(), [the_miss], USAGE_LINES)
    assert said in line.description


def test_credits_beyond_the_cap_are_given_back_on_one_line():
    # Cap 10 % of usage and fees 2000.00 = 200.00; credits 8 % and 5 % of 2000.00 = -160.00 and
    # -100.00, -260.00 in all: a credit_cap line gives back 60.00.
    misses = [
        miss("answer_rate", "90", "100", "0.95", "0.08", "invoice"),
        miss("asa_seconds", "6", "1", "5", "0.05", "invoice"),
    ]
    lines = credit_lines(terms(cap="0.1"), misses, USAGE_LINES)
    assert [(ln.type, ln.amount) for ln in lines] == [
        ("credit", D("-160.00")),
        ("credit", D("-100.00")),
        ("credit_cap", D("60.00")),
    ]


def test_a_credit_of_zero_cents_adds_no_line():
    # 0.1 % of an e-mail channel with no usage line: base 0.00, credit 0.00.
    assert credit_lines(terms(), [miss("reply_within_rate", "1", "2", "0.95", "0.001", channel="onsite")], []) == []


# ---- adjustments -----------------------------------------------------------------------------


def test_adjustments_are_one_line_each_rounded_once():
    con = memory(
        {
            "adjustments": [
                {"contract_id": "C1", "month": OCT, "description": "Refund", "amount": D("-100.005")},
                {"contract_id": "C1", "month": OCT, "description": "Penalty", "amount": D("250")},
                {"contract_id": "C1", "month": dt.date(2026, 11, 1), "description": "Later", "amount": D("1")},
                {"contract_id": "C2", "month": OCT, "description": "Other", "amount": D("1")},
            ]
        }
    )
    found = adjustment_lines(con, OCT, ["C1"])
    # Description order; -100.005 rounds away from zero to -100.01.
    assert [(ln.type, ln.description, ln.amount) for ln in found["C1"]] == [
        ("adjustment", "Penalty", D("250.00")),
        ("adjustment", "Refund", D("-100.01")),
    ]
    assert set(found) == {"C1"}


# ---- totals, tax and due dates ---------------------------------------------------------------


def test_totals_and_tax_rounded_once_on_net():
    lines = [
        Line("usage", D("1000.05"), "usage", channel="phone", unit="minute"),
        Line("credit", D("-60.00"), "credit", channel="phone"),
        Line("credit_cap", D("10.00"), "cap"),
        Line("adjustment", D("-50.00"), "refund"),
    ]
    invoice = priced(terms(), lines)
    # subtotal 1000.05; credits -60.00 + 10.00 = -50.00; net 1000.05 - 50.00 - 50.00 = 900.05;
    # tax 900.05 × 0.06 = 54.003 -> 54.00; total 954.05.
    assert (invoice.subtotal, invoice.credits, invoice.adjustments, invoice.net, invoice.tax, invoice.total) == (
        D("1000.05"),
        D("-50.00"),
        D("-50.00"),
        D("900.05"),
        D("54.00"),
        D("954.05"),
    )


def test_a_credit_note_rounds_its_tax_away_from_zero():
    # net -100.25 × 0.06 = -6.015 -> -6.02; total -106.27.
    invoice = priced(terms(), [Line("adjustment", D("-100.25"), "refund")])
    assert (invoice.tax, invoice.total) == (D("-6.02"), D("-106.27"))


def test_assemble_adds_the_fee_the_minimum_and_the_credits_in_order():
    # usage 100.00 + fee 1000.00 = 1100.00 < minimum 1500.00: true-up 400.00; a 10 % invoice credit
    # on usage + fee (1100.00, the minimum is not in its base) = -110.00.
    usage = [Line("usage", D("100.00"), "usage", channel="phone", unit="minute")]
    invoice = assemble(
        terms(fee="1000", minimum="1500"), usage, [miss("answer_rate", "1", "2", "0.9", "0.1", "invoice")], []
    )
    assert [(ln.type, ln.amount) for ln in invoice.lines] == [
        ("usage", D("100.00")),
        ("fixed", D("1000.00")),
        ("minimum", D("400.00")),
        ("credit", D("-110.00")),
    ]
    assert (invoice.subtotal, invoice.net) == (D("1500.00"), D("1390.00"))


@pytest.mark.parametrize(
    ("month", "due_day", "due"),
    [
        (dt.date(2026, 10, 1), 5, dt.date(2026, 11, 5)),
        (dt.date(2026, 1, 1), 31, dt.date(2026, 2, 28)),  # February is shorter: its last day
        (dt.date(2028, 1, 1), 30, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 12, 1), 31, dt.date(2027, 1, 31)),  # across the year
    ],
)
def test_due_date_is_the_due_day_of_the_next_month_clamped(month, due_day, due):
    assert due_date(month, due_day) == due


def test_pro_rating_is_exact_until_the_line_rounds():
    t = terms(active_days=10)
    # 310.00 × 10/31 = 100 exactly; 100.00 × 10/31 = 32.258064… (unrounded until its line).
    assert (t.prorated(D("310.00")), round(t.prorated(D("100")), 6), t.prorating) == (
        D(100),
        D("32.258065"),
        " × 10/31 days active",
    )


def test_line_rows_are_the_invoice_lines_csv_and_the_cli_adds_the_totals():
    invoice = priced(terms(), [Line("fixed", D("1000.00"), "Monthly fee")])
    head = {
        "contract_id": "C1",
        "vendor_id": "V1",
        "month": "2026-10",
        "currency": "CNY",
        "payee": "Vendor One",
        "status": "draft",
        "due_date": "2026-11-05",
    }
    empty = dict.fromkeys(("channel", "unit", "tier_from", "tier_to", "quantity", "unit_price"))
    line = {**head, "type": "fixed", **empty, "amount": D("1000.00"), "description": "Monthly fee"}
    assert invoice.line_rows() == [line]
    assert list(invoice.line_rows()[0]) == list(line)  # the CSV's column order: the invoice's, then SPEC §5's
    # net 1000.00, tax 6 % = 60.00, total 1060.00: one row per total after the lines.
    totals = [("subtotal", "1000.00"), ("credits", "0.00"), ("adjustments", "0.00"), ("net", "1000.00")]
    totals += [("tax", "60.00"), ("total", "1060.00")]
    assert invoice.line_rows(with_totals=True) == [line] + [
        {**head, "type": name, **empty, "amount": D(amount), "description": None} for name, amount in totals
    ]
