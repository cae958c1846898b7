"""What the store knows about vendors and their contracts: the lists behind the pickers and the
contract terms as loaded (rate card, targets, service hours, holidays) for the Contracts page.

Read-only lookups of reference tables; nothing here computes a metric or an amount. Each takes the
caller's scope (metrics/access.py) and keeps to its vendors.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.domain import DATED, SESSIONS
from metrics.periods import next_month
from metrics.sql import sql_list

CONTRACT_TERMS = (
    "contract_id",
    "vendor_id",
    "start_date",
    "end_date",
    "currency",
    "tax_rate",
    "payment_due_day",
    "monthly_fee",
    "monthly_minimum",
    "credit_cap_rate",
    "short_abandon_seconds",
    "sl_abandons",
    "late_payment_rate",
)

# An agent session counts in every month a week either side of its days (an ISO week of a month
# starts or ends up to three days outside it).
WEEK = 7  # days


def vendors(con: duckdb.DuckDBPyConnection, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """vendor_id, name, timezone of every vendor, by id."""
    return con.sql(
        f"SELECT vendor_id, name, timezone FROM vendors WHERE {scope.vendor_filter()} ORDER BY vendor_id"
    ).pl()


def contracts(
    con: duckdb.DuckDBPyConnection, month: dt.date | None = None, *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame:
    """Every contract with its terms, its vendor's name and the payee it pays (the vendor's name
    when none is given); with `month`, only the contracts active on at least one day of it."""
    active = ""
    params: dict = {}
    if month is not None:
        active = "AND c.start_date < $end AND (c.end_date IS NULL OR c.end_date >= $start)"
        params = {"start": month, "end": next_month(month)}
    return con.sql(
        f"""SELECT {", ".join("c." + c for c in CONTRACT_TERMS)}, v.name AS vendor_name,
                   coalesce(c.payee, v.name) AS payee
            FROM contracts c JOIN vendors v USING (vendor_id) WHERE {scope.vendor_filter("c.vendor_id")} {active}
            ORDER BY c.vendor_id, c.start_date, c.contract_id""",
        params=params,
    ).pl()


def months_with_data(con: duckdb.DuckDBPyConnection, *, scope: Scope = EVERY_VENDOR) -> list[dt.date]:
    """Months (first days, newest first) holding any interaction of the scope's vendors, in vendor
    local time: read from the stored rows per day (`row_rollup`, kept for every month with rows),
    never the rows."""
    return [
        m
        for (m,) in con.execute(
            f"SELECT DISTINCT month FROM row_rollup WHERE table_name IN {sql_list(DATED)} "
            f"AND {scope.vendor_filter()} ORDER BY month DESC"
        ).fetchall()
    ]


def months_with_rows(con: duckdb.DuckDBPyConnection) -> set[dt.date]:
    """Every month a stored row can count in: every month with an interaction (months_with_data),
    every month an agent session's days a week either side of them enter, and every month rolled up
    already. What a reference change reaches (ingest/reach.py), and the months an agent's trend
    measures. Read from the stored rows per day (`row_rollup`), never the rows."""
    sessions_and_rolled_up = con.execute(
        f"""SELECT unnest(generate_series(date_trunc('month', min(first_at) - INTERVAL {WEEK} DAY),
                                          date_trunc('month', max(last_at) + INTERVAL {WEEK} DAY),
                                          INTERVAL 1 MONTH))::DATE
            FROM row_rollup WHERE table_name = '{SESSIONS}' HAVING count(*) > 0
            UNION SELECT month FROM rollup_months"""
    ).fetchall()
    return {*months_with_data(con), *(m for (m,) in sessions_and_rolled_up)}


def rate_card(con: duckdb.DuckDBPyConnection, contract_id: str, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """The contract's rate rows, a ladder's tiers in order."""
    return con.sql(
        f"""SELECT channel, unit, unit_price, increment_seconds, tier_from, tier_to, tier_mode, tier_flat_fee,
                   effective_from, effective_to
            FROM rates WHERE contract_id = ? AND {scope.contract_filter()}
            ORDER BY effective_from NULLS FIRST, channel, unit, tier_from NULLS FIRST""",
        params=[contract_id],
    ).pl()


def targets(con: duckdb.DuckDBPyConnection, contract_id: str, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """The contract's SLA targets as loaded (all periods; the engine decides which are in force)."""
    return con.sql(
        f"""SELECT channel, metric, target, threshold_seconds, clock, credit_rate, credit_base,
                   effective_from, effective_to
            FROM sla_targets WHERE contract_id = ? AND {scope.contract_filter()}
            ORDER BY effective_from NULLS FIRST, channel, metric, threshold_seconds NULLS FIRST""",
        params=[contract_id],
    ).pl()


def service_hours(con: duckdb.DuckDBPyConnection, contract_id: str, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """The contract's service_hours rows; open/close as minutes after local midnight."""
    return con.sql(
        f"""SELECT channel, days, open, close FROM service_hours WHERE contract_id = ? AND {scope.contract_filter()}
            ORDER BY channel, open, days""",
        params=[contract_id],
    ).pl()


def holidays(con: duckdb.DuckDBPyConnection, vendor_id: str, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """The vendor's holidays and make-up working days, by date."""
    return con.sql(
        f"SELECT date, kind, name FROM holidays WHERE vendor_id = ? AND {scope.vendor_filter()} ORDER BY date",
        params=[vendor_id],
    ).pl()
