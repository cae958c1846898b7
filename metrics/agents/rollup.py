"""The agent rollup: each agent's figures per contract and local day (agents/measure.py), kept by
ingest beside the month rollups (metrics/rollup.py calls `rebuild` for every month it refreshes,
in the same transaction), so a month of millions of interactions and thousands of agents is read
from a few hundred thousand rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import duckdb

from metrics.agents.figures import AGENT_WEEKS, SOURCES
from metrics.agents.measure import MEASURED, measured_sql, rolled_up
from metrics.periods import Days
from metrics.sla.facts import mondays
from metrics.sla.targets import active_sql
from metrics.sql import Query


def rebuild(con: duckdb.DuckDBPyConnection, month: dt.date, sources: Mapping[str, Days]) -> None:
    """Rebuild the month's agent rollup for the facts `sources` whose rows changed, on the days
    given for each (None: the whole month; every source's when the month has no rollup yet)."""
    if not rolled_up(con, month):
        sources = dict.fromkeys(SOURCES)
    contracts = Query(f"SELECT contract_id FROM ({active_sql(month)})")
    for source in SOURCES:
        if source not in sources:
            continue
        days = sources[source]
        dated = days if days is None or source != AGENT_WEEKS else mondays(days)
        con.execute(
            "DELETE FROM agent_rollup WHERE month = ? AND source = ? AND (? OR list_contains(?, day))",
            [month, source, dated is None, list(dated or ())],
        )
        con.execute(
            f"INSERT INTO agent_rollup (month, {MEASURED}) SELECT ?, {MEASURED} "
            f"FROM {measured_sql(con, month, contracts, (source,), days=days)}",
            [month],
        )
    con.execute("DELETE FROM agent_rollup_months WHERE month = ?", [month])
    con.execute("INSERT INTO agent_rollup_months VALUES (?, now())", [month])
