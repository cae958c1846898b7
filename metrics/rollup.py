"""Month rollups: each SLA target's numerator and denominator per local day and hour, each
ladder's usage quantity per local day and the stored rows per table, contract and local day,
summed when rows are stored, so a month's verdicts, series, invoices, data-quality checks and the
pages' lists of months and freshness read a few thousand rows instead of every interaction of the
month. Each agent's figures per day are kept beside them (agents/rollup.py, rebuilt with the same
sources).

Ingest keeps them in the same transaction as the rows they sum, so a rollup is never older than
its rows. Everything is kept per local day, so a run rebuilds only what its rows can move
(ingest/reach.py): the days an interaction table's rows touch — a daily file costs a day, not the
month to date — and whole months for a reference row that decides what is measured in them. The
sums come from the same SQL that measures a month without a rollup (sla/measure.py,
agents/measure.py, billing/quantities.py, data_health.month_rows_sql), so the two cannot disagree;
a month not in `rollup_months` (a database from before rollups) is measured from its rows. A target
that is not a sum (a percentile) has no rollup rows: it is always measured from its rows.

Two figures reach beyond the days their rows touch, and their days are widened here: an hour of
agent time is billed per merged session (billing/quantities.hour_days), and coverage is no data for
a vendor's channel without any session in the month, so a run that gives a channel its first
session of the month, or takes its last, moves every day of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb

from metrics.agents import rollup as agents
from metrics.billing.quantities import hour_days, usage_sql
from metrics.data_health import ROW_COLUMNS, month_rows_sql
from metrics.domain import CHANNEL_OF_TABLE, INTERACTIONS, SESSIONS
from metrics.periods import Days, Touched
from metrics.sla.facts import mondays, staffed_sql
from metrics.sla.measure import HOURLY, SUMMABLE, live_sql, parts
from metrics.sla.targets import active_sql, targets_sql
from metrics.sql import Query

SESSION_SOURCES = ("coverage", "agent_weeks")  # merged agent sessions: not a sum over rows


def refresh(con: duckdb.DuckDBPyConnection, changed: Touched) -> None:
    """Rebuild the rollups of each month in `changed` for the interaction tables named there, on the
    days given for each (a month not rolled up by day yet is built whole)."""
    built = {m for (m,) in con.execute("SELECT month FROM rollup_months WHERE by_day").fetchall()}
    for month, tables in sorted(changed.items()):
        _rebuild(con, month, dict(tables) if month in built else dict.fromkeys(INTERACTIONS))
        con.execute("DELETE FROM rollup_months WHERE month = ?", [month])
        con.execute("INSERT INTO rollup_months VALUES (?, now(), true)", [month])


def _rebuild(con: duckdb.DuckDBPyConnection, month: dt.date, tables: dict[str, Days]) -> None:
    sources: dict[str, Days] = {}
    for table, days in tables.items():
        for source in SESSION_SOURCES if table == SESSIONS else (CHANNEL_OF_TABLE[table],):
            sources[source] = days
    if sources.get("coverage") is not None and _staffing_moved(con, month):
        sources["coverage"] = None
    _sla(con, month, sources)
    agents.rebuild(con, month, sources)
    _usage(con, month, tables)
    _rows(con, month, tables)


def _delete(con: duckdb.DuckDBPyConnection, table: str, month: dt.date, where: str, days: Days) -> None:
    """Delete a rollup's rows of the month matching `where`, on `days` (None: every day)."""
    con.execute(
        f"DELETE FROM {table} WHERE month = ? AND {where} AND (? OR list_contains(?, day))",
        [month, days is None, list(days or ())],
    )


def _sla(con: duckdb.DuckDBPyConnection, month: dt.date, sources: Mapping[str, Days]) -> None:
    """Each summable target's numerator and denominator per day and hour (weekly ones per week)."""
    measured = parts(con, month, SUMMABLE, sources)
    for source, days in sources.items():
        dated = mondays(days) if days is not None and source == "agent_weeks" else days
        _delete(con, "sla_rollup", month, f"source = '{source}'", dated)
        mine = [p for p in measured if p.source == source]
        for hourly in (True, False):
            group = [p for p in mine if (p.metric in HOURLY) == hourly]
            if group:
                grain, hour = ("day_hour", "hour") if hourly else ("day", "NULL")
                con.execute(
                    f"INSERT INTO sla_rollup SELECT ?, ?, target_no, day, {hour}, numerator, denominator "
                    f"FROM {live_sql(con, month, None, grain, group, days)}",
                    [month, source],
                )


def _staffing_moved(con: duckdb.DuckDBPyConnection, month: dt.date) -> bool:
    """Whether a vendor's channel with a coverage target has sessions in the month now but no
    coverage in its rollup, or the other way round (its first session of the month came, or its
    last one left)."""
    targets = f"(SELECT * FROM ({targets_sql(month, None)}) WHERE metric = 'coverage_rate')"
    contracts = Query(f"SELECT contract_id FROM {targets}")
    return (
        con.execute(f"""
        WITH rolled AS (SELECT DISTINCT t.vendor_id, t.channel FROM sla_rollup r JOIN {targets} t USING (target_no)
                        WHERE r.month = DATE '{month}' AND r.source = 'coverage'),
        staffed AS ({staffed_sql(month, contracts)})
        SELECT count(*) FROM (SELECT DISTINCT vendor_id, channel FROM {targets}) t
        WHERE (t.vendor_id, t.channel) IN (SELECT * FROM rolled) <> (t.vendor_id, t.channel) IN (SELECT * FROM staffed)
    """).fetchall()[0][0]
        > 0
    )


def _usage(con: duckdb.DuckDBPyConnection, month: dt.date, tables: Mapping[str, Days]) -> None:
    """Each ladder's usage quantity per day, for the channels whose interactions changed and the
    `hour` ladders when sessions did."""
    contracts = Query(f"SELECT contract_id FROM ({active_sql(month)})")
    for table, days in tables.items():
        if table == SESSIONS:
            days = days if days is None else hour_days(con, month, days)
            which = "unit = 'hour'"
        else:
            which = f"unit <> 'hour' AND channel = '{CHANNEL_OF_TABLE[table]}'"
        _delete(con, "usage_rollup", month, which, days)
        con.execute(
            f"INSERT INTO usage_rollup SELECT ?, contract_id, channel, unit, quantity, day "
            f"FROM {usage_sql(month, contracts, days, [table])}",
            [month],
        )


def _rows(con: duckdb.DuckDBPyConnection, month: dt.date, tables: Mapping[str, Days]) -> None:
    """The stored rows per table, contract and day."""
    for table, days in tables.items():
        _delete(con, "row_rollup", month, f"table_name = '{table}'", days)
        con.execute(
            f"INSERT INTO row_rollup (month, {ROW_COLUMNS}) SELECT ?, {ROW_COLUMNS} "
            f"FROM {month_rows_sql(month, [table], days)}",
            [month],
        )
