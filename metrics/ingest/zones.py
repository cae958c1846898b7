"""A vendor's time-zone correction re-reads its naive times (SPEC §2 "Time").

A timestamp written without an offset is local time in the vendor's zone — the zone in force when
the question is asked. Ingest stores instants and marks, per row, which timestamps were written
naive (`naive_times`, a bit per timestamp column, tables.naive). The written value is
timezone(old zone, instant): a naive time that a daylight-saving change repeats was read as its
first occurrence, which that reading gives back, and one the change skips was never stored. So
when a vendor's zone changes, each naive time is read again in the new zone — the local value
stays, the instant moves — and the row ends exactly where a fresh load of its file under the new
zone puts it; attribution.refresh then re-dates and re-attributes it and ingest rebuilds every
month's rollups (a vendor change reaches every month, reach.py).

A row that a fresh load would reject under the new zone is rejected the same way: a naive time the
new zone skips (`nonexistent_local_time`), or re-read times that break one of the table's rules.
It moves to the quarantine with the row as written (naive times as their local text) and, for file
and line, the vendors row that changed the zone; ingest counts it as rejected.
"""

from __future__ import annotations

import duckdb

from metrics.domain import INTERACTIONS
from metrics.ingest.lookups import MACROS
from metrics.ingest.quarantine import row_key
from metrics.ingest.tables import TABLES, Table, naive

BEFORE = "zones_before"
CHANGED = f"""(SELECT b.vendor_id, b.timezone AS _old_tz, v.timezone AS _new_tz,
                      coalesce(v.source_file, 'vendors') AS _vendor_file, coalesce(v.source_line, 0) AS _vendor_line
               FROM {BEFORE} b JOIN vendors v USING (vendor_id) WHERE b.timezone <> v.timezone)"""


def remember(con: duckdb.DuckDBPyConnection) -> None:
    """Note every vendor's zone before a run changes the vendors table."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {BEFORE} AS SELECT vendor_id, timezone FROM vendors")


def reread(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    """Re-read the naive times of the vendors whose zone changed since `remember`, in one pass per
    interaction table; returns {table: {reason: rows moved to the quarantine}}."""
    if not con.execute(f"SELECT count(*) FROM {CHANGED}").fetchone()[0]:
        return {}
    con.execute(MACROS)
    rejected: dict[str, dict[str, int]] = {}
    for name in INTERACTIONS:
        found = _reread(con, TABLES[name])
        if found:
            rejected[name] = found
    con.execute("DROP TABLE IF EXISTS reread")
    return rejected


def _reread(con: duckdb.DuckDBPyConnection, table: Table) -> dict[str, int]:
    stamps = table.timestamps
    key = table.key[1]
    checks = [
        (
            f"_local_{s} IS NOT NULL AND {s} IS NULL",
            "nonexistent_local_time",
            f"'{s} ' || _local_{s}::VARCHAR || ' (written without an offset) does not exist in ' || _new_tz "
            f"|| ', the corrected time zone of vendor ' || vendor_id || ' (was ' || _old_tz || '); send an offset'",
        )
        for s in stamps
    ] + [(f"coalesce({r.condition}, false)", r.reason, r.detail) for r in table.rules]
    check = "CASE " + " ".join(f"WHEN {c} THEN {i}" for i, (c, _, _) in enumerate(checks)) + " END"
    reason = "CASE _check " + " ".join(f"WHEN {i} THEN '{r}'" for i, (_, r, _) in enumerate(checks)) + " END"
    detail = "CASE _check " + " ".join(f"WHEN {i} THEN {d}" for i, (_, _, d) in enumerate(checks)) + " END"
    written = ", ".join(  # the row as its file had it: naive times as local text
        f"{c.name} := coalesce(_local_{c.name}::VARCHAR, _was_{c.name}::VARCHAR)"
        if c.name in stamps
        else f"{c.name} := {c.name}::VARCHAR"
        for c in table.columns
    )
    local = ", ".join(
        f"CASE WHEN {naive(i)} THEN timezone(z._old_tz, t.{s}) END AS _local_{s}" for i, s in enumerate(stamps)
    )
    was = ", ".join(f"t.{s} AS _was_{s}" for s in stamps)
    moved = ", ".join(
        f"CASE WHEN _local_{s} IS NULL THEN {s} ELSE vb_local_instant(_local_{s}, _new_tz) END AS {s}" for s in stamps
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE reread AS
        WITH x AS (SELECT t.*, z.* EXCLUDE (vendor_id), {local}, {was}
                   FROM {table.name} t JOIN {CHANGED} z USING (vendor_id) WHERE t.naive_times <> 0),
        y AS (SELECT * REPLACE ({moved}) FROM x),
        c AS (SELECT *, {check} AS _check FROM y)
        SELECT *, CASE WHEN _check IS NOT NULL THEN {reason} END AS _reason,
               CASE WHEN _check IS NOT NULL THEN {detail} END AS _detail,
               CASE WHEN _check IS NOT NULL THEN to_json(struct_pack({written}))::VARCHAR END AS _raw
        FROM c""")
    same = f"t.vendor_id = r.vendor_id AND t.{key} = r.{key}"
    con.execute(  # keyed as every quarantined row (ingest/quarantine.py); a stored row has no quarantined twin
        f"""INSERT INTO quarantine (table_name, source_file, line, reason, detail, raw, vendor_id, row_id, row_key,
                                    raw_length)
            SELECT ?, _vendor_file, _vendor_line, _reason, _detail, _raw, vendor_id, {key},
                   {row_key("vendor_id", key, "_raw")}, length(_raw)
            FROM reread WHERE _check IS NOT NULL""",
        [table.name],
    )
    con.execute(f"DELETE FROM {table.name} t USING reread r WHERE r._check IS NOT NULL AND {same}")
    con.execute(
        f"UPDATE {table.name} t SET {', '.join(f'{s} = r.{s}' for s in stamps)} "
        f"FROM reread r WHERE r._check IS NULL AND {same}"
    )
    return dict(con.execute("SELECT _reason, count(*) FROM reread WHERE _check IS NOT NULL GROUP BY ALL").fetchall())
