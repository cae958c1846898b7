"""SLA targets in force in a month (SPEC §3): the target's effective dates cover the whole month
(effective_to exclusive; empty = open) and its contract is active on at least one day of it."""

from __future__ import annotations

import datetime as dt

import duckdb

from metrics.access import EVERY_VENDOR, Scope
from metrics.errors import VendorboardError
from metrics.periods import next_month
from metrics.sql import sql_text

COLUMNS = (
    "contract_id",
    "vendor_id",
    "channel",
    "metric",
    "target",
    "threshold_seconds",
    "clock",
    "credit_rate",
    "credit_base",
    "short_abandon_seconds",
    "sl_abandons",
)


def active_sql(month: dt.date) -> str:
    """SQL: the contracts active on at least one day of `month`."""
    start, end = f"DATE '{month.isoformat()}'", f"DATE '{next_month(month).isoformat()}'"
    return f"SELECT * FROM contracts WHERE start_date < {end} AND (end_date IS NULL OR end_date >= {start})"


def targets_sql(month: dt.date, contract_id: str | None, scope: Scope = EVERY_VENDOR) -> str:
    """SQL of the targets in force (of the scope's vendors), numbered as `target_no` in a stable
    order over every contract (so a number means the same target whichever contract or scope asks
    for it, as rollups need)."""
    start, end = f"DATE '{month.isoformat()}'", f"DATE '{next_month(month).isoformat()}'"
    cols = ", ".join(
        f"c.{c}" if c in ("vendor_id", "short_abandon_seconds", "sl_abandons") else f"t.{c}" for c in COLUMNS
    )
    only = f"WHERE {scope.vendor_filter()}" + (
        f" AND contract_id = {sql_text(contract_id)}" if contract_id is not None else ""
    )
    return f"""
        SELECT * FROM (
            SELECT row_number() OVER (ORDER BY t.contract_id, t.channel, t.metric, t.threshold_seconds NULLS FIRST,
                                               t.clock, t.effective_from NULLS FIRST) - 1 AS target_no, {cols}
            FROM sla_targets t JOIN ({active_sql(month)}) c USING (contract_id)
            WHERE (t.effective_from IS NULL OR t.effective_from <= {start})
              AND (t.effective_to IS NULL OR t.effective_to >= {end})) {only}"""


def in_force(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> list[dict]:
    """The targets in force with their contract's abandon terms, in `target_no` order."""
    if contract_id is not None:
        check_contract(con, contract_id, scope=scope)
    rows = con.execute(targets_sql(month, contract_id, scope) + " ORDER BY target_no").fetchall()
    return [dict(zip(("target_no", *COLUMNS), r)) for r in rows]


def check_contract(con: duckdb.DuckDBPyConnection, contract_id: str, *, scope: Scope = EVERY_VENDOR) -> None:
    """Refuse a contract that does not exist, or that the scope does not see (said the same way, so
    a vendor learns nothing of another's contracts by guessing their ids)."""
    found = con.execute(
        f"SELECT count(*) FROM contracts WHERE contract_id = ? AND {scope.vendor_filter()}", [contract_id]
    ).fetchall()
    if not found[0][0]:
        raise VendorboardError(f"--contract {contract_id}: no such contract")
