"""Typing and checking a file in one streaming SQL pass: every row gets typed values or a check.

The check is the first that fails, in this order: a blank line (every value empty, as the `,,,,`
rows Excel leaves: check 0, ignored rather than rejected), a missing required value, an unknown
vendor or contract, a value that does not parse, a timestamp outside the plausible window, then the
table's own rules (tables.py). Only rejected rows carry their raw text (as JSON) and the facts of
what is wrong (said.py), which metrics.render words in either language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from metrics.domain import WEEKDAYS
from metrics.ingest.lookups import Lookups
from metrics.ingest.said import said, text
from metrics.ingest.tables import Col, Table
from metrics.sql import sql_list

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
PARENTS = {"vendor_id": "vendors", "contract_id": "contracts"}
REJECTED = "_check > 0"  # check 0 is a blank line: neither stored nor quarantined


@dataclass(frozen=True)
class Plausible:
    """Timestamps a row may carry: from `earliest` to `ahead` after the run started (README,
    `implausible_time`). A date past year 9999 is never plausible, so month arithmetic never fails."""

    earliest: dt.date = dt.date(2000, 1, 1)
    ahead: dt.timedelta = dt.timedelta(days=1)

    def window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The first and last plausible instant (UTC) for a run started at `now`."""
        last = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # keeps a day in hand for any time zone
        later = now + self.ahead if now < last - self.ahead else last
        return dt.datetime.combine(self.earliest, dt.time(), dt.UTC), min(later, last)


def _parse(col: Col, raw: str, lookups: Lookups) -> str:
    """SQL typing `raw` (trimmed text, NULL when empty) as `col`; NULL when it does not parse."""
    if col.kind == "timestamp":
        return f"coalesce(_offset_{col.name}, {lookups.instant('_naive_' + col.name)})"
    if col.kind == "integer":  # a bare cast would round 2.5 to 3 and read 1e3 or 0x10
        return f"CASE WHEN regexp_full_match({raw}, '[+-]?\\d+') THEN try_cast({raw} AS {col.sql_type}) END"
    if col.kind in ("decimal", "date"):
        return f"try_cast({raw} AS {col.sql_type})"
    if col.kind == "month":
        return (
            f"CASE WHEN regexp_full_match({raw}, '\\d{{4}}-\\d{{2}}') THEN try_cast({raw} || '-01' AS DATE) "
            f"WHEN day(try_cast({raw} AS DATE)) = 1 THEN try_cast({raw} AS DATE) END"
        )
    if col.kind == "enum":
        return f"CASE WHEN lower({raw}) IN {sql_list(col.values)} THEN lower({raw}) END"
    if col.kind == "hhmm":
        h, m = f"try_cast(split_part({raw}, ':', 1) AS INTEGER)", f"try_cast(split_part({raw}, ':', 2) AS INTEGER)"
        return (
            f"CASE WHEN regexp_full_match({raw}, '\\d{{1,2}}:\\d{{2}}') AND {m} < 60 "
            f"AND {h} * 60 + {m} <= 1440 THEN {h} * 60 + {m} END"
        )
    if col.kind == "days":
        d = f"replace(lower({raw}), ' ', '')"
        return (
            f"CASE WHEN {d} IN ('daily', 'weekdays', 'weekends') "
            f"OR list_has_all({list(WEEKDAYS)}, string_split({d}, ',')) THEN {d} END"
        )
    if col.kind == "timezone":
        return f"CASE WHEN {raw} IN (SELECT name FROM pg_timezone_names()) THEN {raw} END"
    return raw


def _checks(
    table: Table, parents: list[tuple[str, str]], window: tuple[dt.datetime, dt.datetime]
) -> list[tuple[str, str, str]]:
    """(condition, reason, detail SQL) in the order they are tried; raw text is `_raw_<col>`."""
    checks = [("_blank", "blank", "'the line is empty'")]  # never stored, never said
    checks += [
        (f"_raw_{c.name} IS NULL", "missing_required", said("empty", column=text(c.name)))
        for c in table.columns
        if c.required
    ]
    checks += [
        (
            f"NOT _known_{col}",
            f"unknown_{col[:-3]}",
            said("not_in", column=text(col), value=f"_raw_{col}", table=text(parent)),
        )
        for col, parent in parents
    ]
    for c in table.columns:
        if c.kind == "text":
            continue
        bad = f"_raw_{c.name} IS NOT NULL AND {c.name} IS NULL"
        if c.kind == "timestamp":
            checks.append(
                (
                    f"{bad} AND _naive_{c.name} IS NOT NULL",
                    "nonexistent_local_time",
                    said("no_such_time", column=text(c.name), value=f"_raw_{c.name}", zone="_tz"),
                )
            )
        if c.kind == "enum":
            wrong = said("not_one_of", column=text(c.name), value=f"_raw_{c.name}", choices=text(", ".join(c.values)))
            checks.append((bad, f"unknown_{c.name}", wrong))
        else:
            wrong = said("not_valid", column=text(c.name), value=f"_raw_{c.name}", kind=text(c.kind))
            checks.append((bad, PARSE_REASON[c.kind], wrong))
    first, last = (f"TIMESTAMPTZ '{t.isoformat()}'" for t in window)
    checks += [
        (
            f"{c.name} NOT BETWEEN {first} AND {last}",
            "implausible_time",
            said(
                "implausible",
                column=text(c.name),
                value=f"_raw_{c.name}",
                first=text(f"{window[0]:%Y-%m-%d}"),
                last=text(f"{window[1]:%Y-%m-%d %H:%M}"),
            ),
        )
        for c in table.columns
        if c.kind == "timestamp"
    ]
    checks += [(f"coalesce({r.condition}, false)", r.reason, r.detail) for r in table.rules]
    return checks


def stage_sql(
    table: Table, source: str, lookups: Lookups, window: tuple[dt.datetime, dt.datetime], derived: bool = False
) -> str:
    """SELECT over `source` (a read.Scan) giving its `_file` and `_line`, typed columns, `local_start`
    and `naive_times` for interactions, and `_check` (index of the failing check, NULL when the row
    is good), `_reason`, `_detail` and `_raw` (JSON of the raw row) — the last three only on
    rejected rows; `window` bounds every timestamp (Plausible.window). No joins: the rows keep the
    file's order (lookups.py). Interactions are attributed to their contracts when they are stored
    (attribution.attributed).

    Rows an import `derived` from a platform's export (metrics/imports) bring their own `_raw` (the
    source line they came from) and may carry a rejection of the import's own (`_reject`, a reason
    code, and `_reject_detail`), tried first after the blank check."""
    names = [c.name for c in table.columns]
    stamps = table.timestamps
    parents = [
        (c, PARENTS[c]) for c in ("vendor_id", "contract_id") if c in table.required and PARENTS[c] != table.name
    ]
    by_vendor = any(p == "vendors" for _, p in parents)
    tz = lookups.zone() if by_vendor else "CAST(NULL AS VARCHAR)"
    vi = lookups.vendor_index() if by_vendor else "CAST(NULL AS INTEGER)"
    vendor = lookups.vendor() if by_vendor else "NULL"
    marks = "".join(f", vb_has_offset({s}) AS _has_offset_{s}" for s in stamps)
    split = "".join(
        f", CASE WHEN _has_offset_{s} THEN try_cast({s} AS TIMESTAMPTZ) END AS _offset_{s}"
        f", CASE WHEN NOT _has_offset_{s} THEN try_cast({s} AS TIMESTAMP) END AS _naive_{s}"
        for s in stamps
    )
    typed = ", ".join(  # every parse gives NULL for NULL: only a default needs a CASE
        f"CASE WHEN {c.name} IS NULL THEN {c.default} ELSE {_parse(c, c.name, lookups)} END AS {c.name}"
        if c.default
        else f"{_parse(c, c.name, lookups)} AS {c.name}"
        for c in table.columns
    )
    raw = ", ".join(f"{c} AS _raw_{c}" for c in names)
    known = "".join(f", {lookups.known(col)} AS _known_{col}" for col, _ in parents)
    naive = "".join(f", _naive_{s}" for s in stamps)
    filled = ", ".join(
        f"CASE WHEN _raw_{n} IS NULL THEN {table.fills[n]} ELSE {n} END AS {n}" if n in table.fills else n
        for n in names
    )
    checks = [(cond, f"'{r}'", d) for cond, r, d in _checks(table, parents, window)]
    if derived:  # after check 0, the blank line
        checks.insert(1, ("_reject IS NOT NULL", "_reject", "_reject_detail"))
    check = "CASE " + " ".join(f"WHEN {cond} THEN {i}" for i, (cond, _, _) in enumerate(checks)) + " END"
    reason = "CASE _check " + " ".join(f"WHEN {i} THEN {r}" for i, (_, r, _) in enumerate(checks)) + " END"
    detail = "CASE _check " + " ".join(f"WHEN {i} THEN {d}" for i, (_, _, d) in enumerate(checks)) + " END"
    own = ", _raw AS _raw_source, _reject, _reject_detail" if derived else ""
    raw_json = "to_json(struct_pack(" + ", ".join(f"{c} := _raw_{c}" for c in names) + "))::VARCHAR"
    raw_json = "_raw_source" if derived else raw_json
    start = table.start_column
    local_start = f", coalesce(_naive_{start}, timezone(_tz, {start})) AS local_start" if start else ""
    # which timestamps were written as local time: a later zone correction re-reads them (zones.py)
    mask = " + ".join(f"CASE WHEN _naive_{s} IS NOT NULL THEN {1 << i} ELSE 0 END" for i, s in enumerate(stamps))
    naive_times = f", ({mask})::UTINYINT AS naive_times" if table.is_interaction else ""
    return f"""
        WITH m AS (SELECT *, {vi} AS _vi{marks} FROM {source}),
        v AS (SELECT *, {vendor} AS _v FROM m),
        z AS (SELECT *, {tz} AS _tz{split} FROM v),
        p AS (SELECT _file, _line, _blank{own}, {raw}{known}, _vi, _v, _tz{naive}, {typed} FROM z),
        f AS (SELECT * EXCLUDE ({", ".join(names)}), {filled} FROM p),
        c AS (SELECT *, {check} AS _check{local_start} FROM f)
        SELECT _file, _line, {", ".join(names)}{", local_start" if start else ""}{naive_times}, _check,
               CASE WHEN _check IS NOT NULL THEN {reason} END AS _reason,
               CASE WHEN _check IS NOT NULL THEN {detail} END AS _detail,
               CASE WHEN _check IS NOT NULL THEN {raw_json} END AS _raw
        FROM c"""
