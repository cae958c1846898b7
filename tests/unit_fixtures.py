"""Helpers for the unit tests: an in-memory DuckDB with the product's schema and rows inserted as
typed values (no files, no ingest), and the engine's small values built directly."""

from __future__ import annotations

import datetime as dt

import duckdb

from metrics import store
from metrics.ingest.tables import TABLES

OCT = dt.date(2026, 10, 1)


def memory(rows: dict[str, list[dict]] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory database with every table of the schema and `rows` ({table: [row, ...]})
    inserted; a column a row leaves out takes ingest's default (tables.py), as a loaded row would."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    store.migrate(con)
    for table, found in (rows or {}).items():
        defaults = {c.name: c.default for c in TABLES[table].columns if c.default is not None}
        for row in found:
            filled = {k: v for k, v in defaults.items() if k not in row}
            names = [*row, *filled]
            values = ["?"] * len(row) + list(filled.values())
            con.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values)})", list(row.values()))
    return con


def vendor_and_contract(timezone: str = "Asia/Shanghai", start: str = "2026-01-01", end: str | None = None) -> dict:
    """Rows of one vendor V1 in `timezone` and its contract C1."""
    return {
        "vendors": [{"vendor_id": "V1", "name": "Vendor One", "timezone": timezone}],
        "contracts": [{"contract_id": "C1", "vendor_id": "V1", "start_date": start, "end_date": end}],
    }
