"""Which contract an interaction belongs to: the vendor's contract whose dates hold the
interaction's local start date (SPEC §2). NULL contract_id means out of contract: not billed,
but counted and shown."""

from __future__ import annotations

import duckdb

from metrics.domain import CHANNEL, DATED


def covers(row: str, contract: str) -> str:
    """SQL join condition: `contract` holds the local start date of `row`."""
    return (
        f"{contract}.vendor_id = {row}.vendor_id AND {row}.local_start::DATE >= {contract}.start_date "
        f"AND ({contract}.end_date IS NULL OR {row}.local_start::DATE <= {contract}.end_date)"
    )


def attributed(rows: str) -> str:
    """SQL: `rows` (a relation of an interaction table's rows with vendor_id and local_start) with
    the `contract_id` of the vendor's contract holding each one's local start date: a range join
    against the contracts' dates, whatever their number."""
    return f"SELECT r.*, c.contract_id FROM ({rows}) r LEFT JOIN contracts c ON {covers('r', 'c')}"


def refresh(con: duckdb.DuckDBPyConnection, vendor_ids: set[str]) -> None:
    """Recompute local start and contract of stored rows after a vendor's zone or contracts changed."""
    if not vendor_ids:
        return
    ids = sorted(vendor_ids)
    for c in CHANNEL.values():
        name, start, key = c.table, c.start, c.id
        con.execute(
            f"""
            UPDATE {name} SET local_start = s.local_start, contract_id = s.contract_id
            FROM (SELECT x.vendor_id, x.{key}, x.local_start, c.contract_id
                  FROM (SELECT vendor_id, {key}, timezone(v.timezone, {start}) AS local_start
                        FROM {name} JOIN vendors v USING (vendor_id) WHERE vendor_id IN ?) x
                  LEFT JOIN contracts c ON {covers("x", "c")}) s
            WHERE {name}.vendor_id = s.vendor_id AND {name}.{key} = s.{key}""",
            [ids],
        )


def out_of_contract(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, int]:
    """Rows of each dated table that no contract covers (whole store, after the run)."""
    return {
        t: con.execute(f"SELECT count(*) FROM {t} WHERE contract_id IS NULL").fetchone()[0]
        for t in tables
        if t in DATED
    }
