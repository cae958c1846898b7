"""Month rollups: each SLA target's numerator and denominator per local day and hour, each
ladder's usage quantity and the stored rows per table, contract and local day, summed when rows are
stored, so a month's verdicts, series, invoices and data-quality checks read a few thousand rows
instead of every interaction of the month. Each agent's figures per day are kept beside them
(agents/rollup.py, rebuilt with the same sources).

Ingest keeps them in the same transaction as the rows they sum, so a rollup is never older than
its rows: a month is rebuilt for the sources whose rows changed in it, and for all of them when a
reference row that decides what is measured in it changed (ingest/reach.py says which months).
The sums come from the same SQL that measures a month without a rollup (sla/measure.py,
billing/quantities.py, data_health.month_rows_sql), so the two cannot disagree; a month not in
`rollup_months` (a database from before rollups) is measured from its rows. A target that is not a
sum (a percentile) has no rollup rows: it is always measured from its rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping

import duckdb

from metrics.agents import rollup as agents
from metrics.billing.quantities import measured_usage
from metrics.billing.rates import ladders
from metrics.billing.terms import active_terms
from metrics.data_health import month_rows_sql
from metrics.domain import CHANNEL_OF_TABLE, INTERACTIONS, SESSIONS
from metrics.sla import facts
from metrics.sla.definitions import metric
from metrics.sla.measure import live_sql, rolls_up
from metrics.sla.targets import in_force

SESSION_SOURCES = ("coverage", "agent_weeks")  # merged agent sessions: not a sum over rows


def _sources(tables: Collection[str]) -> set[str]:
    """The facts sources (sla/facts.py) computed from rows of `tables`."""
    return {s for t in tables for s in (SESSION_SOURCES if t == SESSIONS else (CHANNEL_OF_TABLE[t],))}


def refresh(con: duckdb.DuckDBPyConnection, changed: Mapping[dt.date, Collection[str]]) -> None:
    """Rebuild the rollups of each month in `changed` for the interaction tables named there (a
    month not rolled up yet is built whole)."""
    built = {m for (m,) in con.execute("SELECT month FROM rollup_months").fetchall()}
    for month, tables in sorted(changed.items()):
        _rebuild(con, month, set(tables) if month in built else set(INTERACTIONS))
        con.execute("DELETE FROM rollup_months WHERE month = ?", [month])
        con.execute("INSERT INTO rollup_months VALUES (?, now())", [month])


def _rebuild(con: duckdb.DuckDBPyConnection, month: dt.date, tables: set[str]) -> None:
    sources = _sources(tables)
    con.execute("DELETE FROM sla_rollup WHERE month = ? AND list_contains(?, source)", [month, sorted(sources)])
    groups: dict[tuple[str, bool], list[dict]] = defaultdict(list)
    for t in in_force(con, month):
        if (source := facts.source_of(t)) in sources and rolls_up(t):
            groups[source, metric(t["metric"]).per_hour].append(t)
    for (source, per_hour), targets in groups.items():
        grain, hour = ("day_hour", "hour") if per_hour else ("day", "NULL")
        con.execute(
            f"INSERT INTO sla_rollup SELECT ?, ?, target_no, day, {hour}, numerator, denominator "
            f"FROM {live_sql(con, month, targets, grain)}",
            [month, source],
        )
    agents.rebuild(con, month, sources)

    sessions = SESSIONS in tables
    channels = sorted(CHANNEL_OF_TABLE[t] for t in tables if t in CHANNEL_OF_TABLE)
    fed = [
        ld
        for ld in ladders(con, month, [t.contract_id for t in active_terms(con, month)])
        if (ld.unit == "hour" and sessions) or (ld.unit != "hour" and ld.channel in channels)
    ]
    con.execute(
        "DELETE FROM usage_rollup WHERE month = ? AND ((unit = 'hour' AND ?) "
        "OR (unit <> 'hour' AND list_contains(?, channel)))",
        [month, sessions, channels],
    )
    rows = [(month, *key, int(q)) for key, q in measured_usage(con, month, fed).items()]
    if rows:
        con.executemany("INSERT INTO usage_rollup VALUES (?, ?, ?, ?, ?)", rows)

    con.execute("DELETE FROM row_rollup WHERE month = ? AND list_contains(?, table_name)", [month, sorted(tables)])
    con.execute(f"INSERT INTO row_rollup SELECT ?, * FROM {month_rows_sql(month, tables)}", [month])
