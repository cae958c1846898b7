"""The agent rollup: each agent's figures per contract and local day (agents/measure.py), kept by
ingest beside the month rollups (metrics/rollup.py calls `rebuild` for every month it refreshes,
in the same transaction), so a month of millions of interactions and thousands of agents is read
from a few hundred thousand rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import duckdb

from metrics import catalog
from metrics.agents.figures import SOURCES
from metrics.agents.measure import MEASURED, measured_sql, rolled_up


def rebuild(con: duckdb.DuckDBPyConnection, month: dt.date, sources: Collection[str]) -> None:
    """Rebuild the month's agent rollup for the facts `sources` whose rows changed (every source
    when the month has none yet)."""
    wanted = tuple(s for s in SOURCES if s in sources or not rolled_up(con, month))
    con.execute("DELETE FROM agent_rollup WHERE month = ? AND list_contains(?, source)", [month, list(wanted)])
    contract_ids = catalog.contracts(con, month)["contract_id"].to_list()
    if wanted and contract_ids:
        con.execute(
            f"INSERT INTO agent_rollup (month, {MEASURED}) SELECT ?, {MEASURED} "
            f"FROM {measured_sql(con, month, contract_ids, wanted)}",
            [month],
        )
    con.execute("DELETE FROM agent_rollup_months WHERE month = ?", [month])
    con.execute("INSERT INTO agent_rollup_months VALUES (?, now())", [month])
