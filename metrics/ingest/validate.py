"""Typing and checking a staged file in one SQL pass: every row gets typed values or a reason.

The reason is the first failing check, in this order: a missing required value, an unknown
vendor or contract, a value that does not parse, then the table's own rules (tables.py).
"""

from __future__ import annotations

import duckdb

from metrics.ingest.tables import Col, Table, sql_list

# Naive local time -> instant in the vendor's zone. A time a DST change makes ambiguous is its
# first occurrence (the earlier instant); one the change skips does not round-trip and is NULL.
MACROS = r"""
CREATE OR REPLACE TEMP MACRO vb_local_instant(ts, tz) AS (
    CASE WHEN ts IS NULL OR tz IS NULL THEN NULL
         WHEN timezone(tz, timezone(tz, ts) - INTERVAL 1 HOUR) = ts THEN timezone(tz, ts) - INTERVAL 1 HOUR
         WHEN timezone(tz, timezone(tz, ts)) = ts THEN timezone(tz, ts)
    END);
CREATE OR REPLACE TEMP MACRO vb_has_offset(s) AS (
    regexp_matches(s, '\d:\d\d(:\d\d(\.\d+)?)?\s*(Z|z|[+-]\d\d(:?\d\d)?)$'));
CREATE OR REPLACE TEMP MACRO vb_instant(s, tz) AS (
    CASE WHEN vb_has_offset(s) THEN try_cast(s AS TIMESTAMPTZ)
         ELSE vb_local_instant(try_cast(s AS TIMESTAMP), tz) END);
"""

PARSE_REASON = {
    "timestamp": "bad_timestamp",
    "decimal": "bad_number",
    "integer": "bad_number",
    "date": "bad_date",
    "month": "bad_date",
    "hhmm": "bad_time",
    "days": "bad_days",
    "timezone": "unknown_timezone",
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARENTS = {"vendor_id": "vendors", "contract_id": "contracts"}


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)


def _parse(col: Col, raw: str) -> str:
    """SQL typing `raw` (trimmed text, NULL when empty) as `col`; NULL when it does not parse."""
    if col.kind == "timestamp":
        return f"vb_instant({raw}, _tz)"
    if col.kind in ("decimal", "integer", "date"):
        return f"try_cast({raw} AS {col.sql_type})"
    if col.kind == "month":
        return (f"CASE WHEN regexp_full_match({raw}, '\\d{{4}}-\\d{{2}}') THEN try_cast({raw} || '-01' AS DATE) "
                f"WHEN day(try_cast({raw} AS DATE)) = 1 THEN try_cast({raw} AS DATE) END")
    if col.kind == "enum":
        return f"CASE WHEN lower({raw}) IN {sql_list(col.values)} THEN lower({raw}) END"
    if col.kind == "hhmm":
        h, m = f"try_cast(split_part({raw}, ':', 1) AS INTEGER)", f"try_cast(split_part({raw}, ':', 2) AS INTEGER)"
        return (f"CASE WHEN regexp_full_match({raw}, '\\d{{1,2}}:\\d{{2}}') AND {m} < 60 "
                f"AND {h} * 60 + {m} <= 1440 THEN {h} * 60 + {m} END")
    if col.kind == "days":
        d = f"replace(lower({raw}), ' ', '')"
        return (f"CASE WHEN {d} IN ('daily', 'weekdays', 'weekends') "
                f"OR list_has_all({list(WEEKDAYS)}, string_split({d}, ',')) THEN {d} END")
    if col.kind == "timezone":
        return f"CASE WHEN {raw} IN (SELECT name FROM pg_timezone_names()) THEN {raw} END"
    return raw


def _reason_for(col: Col) -> str:
    if col.kind == "enum":
        return f"unknown_{col.name}"
    return PARSE_REASON[col.kind]


def stage_sql(table: Table, target: str) -> str:
    """SQL creating `target` from temp table raw_file: typed columns, `_line`, `_reason`, `_detail`."""
    trimmed = ", ".join(f"nullif(trim({c.name}), '') AS {c.name}" for c in table.columns)
    parents = [(c, PARENTS[c]) for c in ("vendor_id", "contract_id") if c in table.required and PARENTS[c] != table.name]
    joins = " ".join(
        f"LEFT JOIN (SELECT {col} AS _k{i}{', timezone AS _tz' if parent == 'vendors' else ''} FROM {parent}) "
        f"p{i} ON p{i}._k{i} = r.{col}"
        for i, (col, parent) in enumerate(parents)
    )
    tz = "_tz" if any(p == "vendors" for _, p in parents) else "CAST(NULL AS VARCHAR) AS _tz"
    typed = ", ".join(
        f"CASE WHEN r.{c.name} IS NULL THEN {c.default or 'NULL'} ELSE {_parse(c, 'r.' + c.name)} END "
        f"AS {c.name}"
        for c in table.columns
    )
    raw_cols = ", ".join(f"r.{c.name} AS _raw_{c.name}" for c in table.columns)
    known = ", ".join(f"p{i}._k{i} IS NOT NULL AS _known_{col}" for i, (col, _) in enumerate(parents))

    checks: list[tuple[str, str, str]] = []  # (condition, reason SQL, detail SQL)
    for c in table.columns:
        if c.required:
            checks.append((f"_raw_{c.name} IS NULL", "'missing_required'", f"'{c.name} is empty'"))
    for col, parent in parents:
        checks.append((f"NOT _known_{col}", f"'unknown_{col[:-3]}'",
                       f"'{col} ' || _raw_{col} || ' is not in {parent}'"))
    for c in table.columns:
        if c.kind != "text":
            bad = f"_raw_{c.name} IS NOT NULL AND {c.name} IS NULL"
            if c.kind == "timestamp":
                checks.append((f"{bad} AND try_cast(_raw_{c.name} AS TIMESTAMP) IS NOT NULL "
                               f"AND NOT vb_has_offset(_raw_{c.name})",
                               "'nonexistent_local_time'",
                               f"'{c.name} ' || _raw_{c.name} || ' does not exist in ' || _tz "
                               f"|| ' (skipped by a daylight-saving change); send an offset'"))
            checks.append((bad, f"'{_reason_for(c)}'",
                           f"'{c.name} ' || _raw_{c.name} || ' is not a valid {c.kind}'"))
    for rule in table.rules:
        checks.append((f"coalesce({rule.condition}, false)", f"'{rule.reason}'", rule.detail))
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {r}" for cond, r, _ in checks) + " END"
    detail = "CASE " + " ".join(f"WHEN {cond} THEN {d}" for cond, _, d in checks) + " END"

    local_start = f" timezone(_tz, {table.start_column}) AS local_start," if table.start_column else ""
    filled = ", ".join(
        f"CASE WHEN _raw_{c.name} IS NULL THEN {table.fills[c.name]} ELSE {c.name} END AS {c.name}"
        if c.name in table.fills else c.name
        for c in table.columns
    )
    return f"""
        CREATE OR REPLACE TEMP TABLE {target} AS
        WITH r AS (SELECT _line, {trimmed} FROM raw_file),
        p AS (SELECT r._line, {raw_cols}, {known + ', ' if known else ''}{tz}, {typed}
              FROM r {joins}),
        f AS (SELECT * EXCLUDE ({', '.join(c.name for c in table.columns)}), {filled} FROM p)
        SELECT _line, {', '.join(c.name for c in table.columns)},{local_start} {reason} AS _reason,
               {detail} AS _detail
        FROM f
    """
