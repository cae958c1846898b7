"""Which figures a change can move, so ingest refreshes the rollups (metrics/rollup.py) of those
only: the local days an interaction table's rows touch, or whole months for reference rows.

An interaction counts on the local day of its start (in its month). An agent session touches the
local days from its login to its logout (in its vendor's zone): the service hours (coverage) and
ISO weeks it overlaps, and the billed hours of the merged sessions it is part of (rollup.py widens
to those). Its days reach every month a week either side of them (an ISO week of a month starts
or ends up to three days outside it). A rate or target row reaches the months it is in force in
(effective_to exclusive, empty = open). A holiday reaches its month and every earlier one, since a
month's business clock runs on past its end for late replies. Vendors, contracts and service hours
reach every month. Adjustments reach none: they are invoice lines, not rolled up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from metrics.catalog import WEEK, months_with_rows
from metrics.domain import DATED, INTERACTIONS, SESSIONS
from metrics.periods import Touched, add_days, next_month

EFFECTIVE = ("rates", "sla_targets")
EVERY_MONTH = ("vendors", "contracts", "service_hours")


@dataclass(frozen=True)
class Reach:
    """What a change can move: local `days` of an interaction table, and every stored month in
    `span` ([lo, hi), None = open), resolved once the run's rows are all stored."""

    days: frozenset[dt.date] = frozenset()
    span: tuple[dt.date | None, dt.date | None] | None = None


def days_sql(table: str, rows: str) -> str:
    """SQL: the local days rows of the interaction table `table` (a relation `rows`) touch."""
    if table in DATED:
        return f"SELECT DISTINCT local_start::DATE FROM {rows}"
    return f"""SELECT DISTINCT unnest(generate_series(timezone(v.timezone, r.login_at)::DATE::TIMESTAMP,
                                                       timezone(v.timezone, r.logout_at)::DATE::TIMESTAMP,
                                                       INTERVAL 1 DAY))::DATE
               FROM (SELECT vendor_id, login_at, logout_at FROM {rows}) r JOIN vendors v USING (vendor_id)"""


def reached(table: str, days: frozenset[dt.date]) -> dict[dt.date, frozenset[dt.date]]:
    """month -> the days of `days` whose rows of `table` can move its figures: an interaction's own
    month; a session's every month a week either side."""
    wide = WEEK if table == SESSIONS else 0
    months = {d.replace(day=1) for day in days for d in (add_days(day, -wide), add_days(day, wide))}
    return {m: frozenset(d for d in days if add_days(m, -wide) <= d < add_days(next_month(m), wide)) for m in months}


def reach(con: duckdb.DuckDBPyConnection, table: str, rows: str) -> Reach:
    """What rows of `table` (a relation `rows`: rows stored, or the rows they replaced) can move."""
    if table in INTERACTIONS:
        return Reach(days=frozenset(d for (d,) in con.execute(days_sql(table, rows)).fetchall()))
    if table in EFFECTIVE:
        lo, hi, open_lo, open_hi, n = con.execute(
            f"SELECT min(effective_from), max(effective_to), bool_or(effective_from IS NULL), "
            f"bool_or(effective_to IS NULL), count(*) FROM {rows}"
        ).fetchone()
        span = (None if open_lo else lo, None if open_hi else hi)
    elif table == "holidays":
        last, n = con.execute(f"SELECT max(date), count(*) FROM {rows}").fetchone()
        span = (None, last and next_month(last.replace(day=1)))
    elif table in EVERY_MONTH:
        n, span = con.execute(f"SELECT count(*) FROM {rows}").fetchone()[0], (None, None)
    else:
        return Reach()
    return Reach(span=span) if n else Reach()


def to_refresh(con: duckdb.DuckDBPyConnection, reaches: dict[str, list[Reach]]) -> Touched:
    """month -> interaction table -> the days whose rollups to rebuild in it (None: all), for what
    each table's changes reach: an interaction table its own days, a reference table every table's
    whole month."""
    changed: Touched = defaultdict(dict)
    for table, found in reaches.items():
        for month, mine in reached(table, frozenset().union(*(r.days for r in found))).items():
            known = changed[month].get(table, frozenset())
            changed[month][table] = None if known is None else known | mine
    spans = [r.span for found in reaches.values() for r in found if r.span]
    if spans:
        for month in months_with_rows(con):
            if any((lo is None or month >= lo) and (hi is None or month < hi) for lo, hi in spans):
                changed[month] = dict.fromkeys(INTERACTIONS)
    return dict(changed)
