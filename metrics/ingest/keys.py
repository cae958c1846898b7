"""Where a stored key can be, so that finding which incoming keys are stored reads only part of a table.

An interaction table keeps, per vendor and month, the range of ids its rows hold (`key_ranges`,
widened as rows are stored). Ids are issued in time order almost everywhere, so a month's rows hold
a narrow range and a day's new ids fall beyond every stored range: the duplicate check of a daily
file then reads no stored row at all, and a correction reads the months whose ranges hold its ids.
Those months are read by their dating column (an interaction's local start, a session's login),
whose zone maps skip every other row group. Ids issued in no particular order still give the right
answer, only no saving.

The ranges only ever widen (a row that moves away leaves its id in its old month's range), so they
are never too narrow. A vendor's zone correction moves stored rows by less than a day before their
months' ranges are widened again, so months are read with two days either side.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from metrics.ingest.tables import Table
from metrics.periods import add_days, next_month

MARGIN = 2  # days


def dating(table: Table) -> str:
    """The stored column that dates a row of the interaction table (its month)."""
    return "local_start" if table.start_column else table.timestamps[0]


def near(con: duckdb.DuckDBPyConnection, table: Table, rows: str) -> str:
    """SQL condition on `table`'s rows (aliased `t`): those that can share a key with `rows` (a
    relation). Every row of a reference table; of an interaction table, the rows of the months whose
    key ranges hold one of the incoming keys (none when every key is new)."""
    if not table.is_interaction:
        return "true"
    vendor, id_ = table.key
    months = [
        m
        for (m,) in con.execute(
            f"""SELECT DISTINCT r.month FROM ({rows}) i JOIN key_ranges r
                ON r.table_name = ? AND r.vendor_id = i.{vendor} AND i.{id_} BETWEEN r.first_id AND r.last_id""",
            [table.name],
        ).fetchall()
    ]
    spans = _joined([(m, next_month(m)) for m in sorted(months)])
    column, kind = f"t.{dating(table)}", "TIMESTAMP" if table.start_column else "TIMESTAMPTZ"
    within = [
        f"({column} >= {kind} '{add_days(lo, -MARGIN)}' AND {column} < {kind} '{add_days(hi, MARGIN)}')"
        for lo, hi in spans
    ]
    return "(" + (" OR ".join(within) or "false") + ")"


def _joined(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Sorted [start, end) spans with the consecutive ones joined."""
    found: list[tuple[dt.date, dt.date]] = []
    for lo, hi in spans:
        if found and found[-1][1] >= lo:
            found[-1] = (found[-1][0], max(found[-1][1], hi))
        else:
            found.append((lo, hi))
    return found


def widen(con: duckdb.DuckDBPyConnection, table: Table, rows: str) -> None:
    """Widen the key ranges of the months `rows` (a relation of rows just stored) fall in."""
    if not table.is_interaction:
        return
    vendor, id_ = table.key
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE widened AS
            SELECT $t AS table_name, {vendor} AS vendor_id, date_trunc('month', {dating(table)})::DATE AS month,
                   min({id_}) AS first_id, max({id_}) AS last_id
            FROM ({rows}) GROUP BY ALL""",
        {"t": table.name},
    )
    con.execute("""
        CREATE OR REPLACE TEMP TABLE widened AS
        SELECT table_name, vendor_id, month, min(first_id) AS first_id, max(last_id) AS last_id
        FROM (SELECT k.* FROM key_ranges k SEMI JOIN widened w USING (table_name, vendor_id, month)
              UNION ALL SELECT * FROM widened)
        GROUP BY ALL""")
    con.execute("""
        DELETE FROM key_ranges k USING widened w
        WHERE k.table_name = w.table_name AND k.vendor_id = w.vendor_id AND k.month = w.month;
        INSERT INTO key_ranges SELECT * FROM widened;
        DROP TABLE widened""")
