"""The quarantine of rejected rows, known by their content rather than the file they came in.

A rejected row's identity (`row_key`) is its vendor and id when it has both, else the MD5 of its
raw text (a malformed line has no columns). A run's rejected rows replace the quarantined rows of
the same identity, whatever path or file name they came from, and a row that loads removes its
quarantined twin; of one identity within a run the last one stays, and a rejected row that a later
row of the run loads is not quarantined at all.
"""

from __future__ import annotations

import duckdb

from metrics.ingest import read
from metrics.ingest.tables import Table
from metrics.ingest.validate import REJECTED


def record(con: duckdb.DuckDBPyConnection, table: Table, shown: list[str]) -> dict[str, int]:
    """Make the rejected rows and malformed lines of this run (temp tables `staged` and
    read.MALFORMED; file `_seq` is `shown[_seq]`) the table's quarantine, as the module docstring
    says; returns how many were rejected for each reason."""
    id_col = table.key[-1]
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE vb_rejects AS
        SELECT *, {row_key("vendor_id", "row_id", "raw")} AS row_key
        FROM (SELECT _seq, rowid AS _pos, _line AS line, _reason AS reason, _detail AS detail, _raw AS raw,
                     length(_raw) AS raw_length, vendor_id, {id_col} AS row_id
              FROM staged WHERE {REJECTED}
              UNION ALL
              SELECT _seq, NULL, line, 'malformed_line', detail, raw, length, NULL, NULL
              FROM {read.MALFORMED} WHERE NOT empty)""")
    by_reason = dict(con.execute("SELECT reason, count(*) FROM vb_rejects GROUP BY ALL ORDER BY ALL").fetchall())
    stored = _has_quarantine(con, table)
    if by_reason:  # a reject that a later row of the run loads is superseded
        con.execute(f"""
            DELETE FROM vb_rejects WHERE _pos IN (
                SELECT r._pos FROM vb_rejects r JOIN staged s ON s.vendor_id = r.vendor_id AND s.{id_col} = r.row_id
                WHERE s._check IS NULL AND (s._seq > r._seq OR (s._seq = r._seq AND s.rowid > r._pos)))""")
    if stored:  # a join, not a DISTINCT of the run's rows: the quarantine is the small side
        con.execute(
            f"""DELETE FROM quarantine WHERE rowid IN (
                    SELECT q.rowid FROM quarantine q
                    JOIN staged s ON s.vendor_id = q.vendor_id AND s.{id_col} = q.row_id
                    WHERE q.table_name = ? AND s._check IS NULL)""",
            [table.name],
        )
        con.execute(
            "DELETE FROM quarantine WHERE table_name = ? AND row_key IN (SELECT row_key FROM vb_rejects)", [table.name]
        )
    con.execute(  # of one identity, the last of the run stays
        """INSERT INTO quarantine (table_name, source_file, line, reason, detail, raw, vendor_id, row_id, row_key,
                                   raw_length)
           SELECT ?, (?::VARCHAR[])[_seq + 1], line, reason, detail, raw, vendor_id, row_id, row_key, raw_length
           FROM vb_rejects QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY _seq DESC, line DESC) = 1""",
        [table.name, shown],
    )
    con.execute("DROP TABLE vb_rejects")
    return by_reason


def row_key(vendor: str, row_id: str, raw: str) -> str:
    """SQL: a rejected row's identity from its vendor, id and raw text (see the module docstring)."""
    return (
        f"CASE WHEN {vendor} IS NOT NULL AND {row_id} IS NOT NULL THEN to_json([{vendor}, {row_id}])::VARCHAR "
        f"ELSE md5({raw}) END"
    )


def _has_quarantine(con: duckdb.DuckDBPyConnection, table: Table) -> bool:
    return con.execute("SELECT count(*) > 0 FROM quarantine WHERE table_name = ?", [table.name]).fetchone()[0]
