"""Which months' figures a change can move, so ingest refreshes the rollups (metrics/rollup.py) of
those months only.

Interactions count in the local month of their start. An agent session reaches the service hours
and ISO weeks of the months a week either side of it (a local month is within a day of the UTC
one). A rate or target row reaches the months it is in force in (effective_to exclusive, empty =
open). A holiday reaches its month and every earlier one, since a month's business clock runs on
past its end for late replies. Vendors, contracts and service hours reach every month.
Adjustments reach none: they are invoice lines, not rolled up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import duckdb

from metrics.domain import DATED, INTERACTIONS
from metrics.periods import next_month

EFFECTIVE = ("rates", "sla_targets")
EVERY_MONTH = ("vendors", "contracts", "service_hours")


@dataclass(frozen=True)
class Reach:
    """The months a change can move: `months` exactly, and every stored month in `span`
    ([lo, hi), None = open), resolved once the run's rows are all stored."""

    months: frozenset[dt.date] = frozenset()
    span: tuple[dt.date | None, dt.date | None] | None = None


def months_sql(table: str, rows: str) -> str:
    """SQL: the months rows of the interaction table `table` (a relation `rows`) enter."""
    if table in DATED:
        return f"SELECT DISTINCT date_trunc('month', local_start)::DATE FROM {rows}"
    return f"""SELECT unnest(generate_series(date_trunc('month', min(login_at) - INTERVAL 7 DAY),
                                              date_trunc('month', max(logout_at) + INTERVAL 7 DAY),
                                              INTERVAL 1 MONTH))::DATE FROM {rows} HAVING count(*) > 0"""


def months_with_rows(con: duckdb.DuckDBPyConnection) -> set[dt.date]:
    """Every month some stored interaction enters, and every month rolled up already."""
    parts = [months_sql(t, t) for t in INTERACTIONS] + ["SELECT month FROM rollup_months"]
    return {m for (m,) in con.execute(" UNION ".join(f"({p})" for p in parts)).fetchall()}


def reach(con: duckdb.DuckDBPyConnection, table: str, rows: str) -> Reach:
    """What rows of `table` (a relation `rows`: rows stored, or the rows they replaced) can move."""
    if table in INTERACTIONS:
        return Reach(months=frozenset(m for (m,) in con.execute(months_sql(table, rows)).fetchall()))
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


def to_refresh(con: duckdb.DuckDBPyConnection, reaches: dict[str, list[Reach]]) -> dict[dt.date, set[str]]:
    """month -> the interaction tables whose rollups to rebuild in it, for what each table's changes
    reach: an interaction table its own, a reference table all of them."""
    changed: dict[dt.date, set[str]] = defaultdict(set)
    spans = []
    for table, found in reaches.items():
        tables = {table} if table in INTERACTIONS else set(INTERACTIONS)
        for r in found:
            for month in r.months:
                changed[month] |= tables
            if r.span:
                spans.append((r.span, tables))
    if spans:
        for month in months_with_rows(con):
            for (lo, hi), tables in spans:
                if (lo is None or month >= lo) and (hi is None or month < hi):
                    changed[month] |= tables
    return dict(changed)
