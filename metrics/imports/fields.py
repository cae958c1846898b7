"""The SQL of a mapping's fields: each field's value from the read rows (source.py), in one
set-based SELECT. Timestamps become instants (TIMESTAMPTZ): offsets and epochs are instants
already; a local time is read in the mapping's zone, else the vendor's, its first occurrence when a
clock change makes it ambiguous. A value that does not read keeps its text (`_text_<field>`), so
the ingest's typing rejects the row with that text in its detail rather than losing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.errors import VendorboardError
from metrics.imports.mapping import UNITS, Field, Mapping
from metrics.imports.source import Read
from metrics.ingest.tables import TABLES
from metrics.sql import sql_name, sql_text

LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


@dataclass(frozen=True)
class Zones:
    source: str  # where the source's local times are read
    vendor: str  # where the ingest reads naive text (a fallback equal to it keeps the DST reason)


def _text(f: Field, read: Read) -> str:
    """SQL: the field's source text (trimmed, NULL when empty)."""
    if f.constant is not None:
        return sql_text(f.constant)
    if f.date:
        return (
            f"CASE WHEN {read.ref(f.date)} IS NOT NULL THEN concat_ws(' ', {read.ref(f.date)}, {read.ref(f.time)}) END"
        )
    found = [read.ref(c) for c in f.columns if read.present is None or c.lower() in read.present]
    return "CAST(NULL AS VARCHAR)" if not found else found[0] if len(found) == 1 else f"coalesce({', '.join(found)})"


def _naive(text: str, fmt: str) -> str | None:
    """SQL: the local (zone-less) timestamp `text` holds in `fmt`; None for formats that are instants."""
    if fmt == "excel":  # days since 1899-12-30, to the millisecond
        return f"TIMESTAMP '1899-12-30' + to_milliseconds(round(try_cast({text} AS DOUBLE) * 86400000)::BIGINT)"
    if "%" in fmt:
        return f"try_strptime({text}, {sql_text(fmt)})"
    if fmt in ("iso", "auto"):
        return f"CASE WHEN NOT vb_has_offset({text}) THEN try_cast({text} AS TIMESTAMP) END"
    return None


def _instant(text: str, fmt: str, zone: str) -> str:
    """SQL: the instant (TIMESTAMPTZ) `text` holds in `fmt`, local times read in `zone`."""
    epoch = {"epoch": ("DECIMAL(20, 6)", 1_000_000), "epoch_ms": ("DECIMAL(20, 3)", 1000)}
    if fmt in epoch:
        sql_type, per_second = epoch[fmt]
        return f"timezone('UTC', make_timestamp((try_cast({text} AS {sql_type}) * {per_second})::BIGINT))"
    local = f"vb_local_instant({_naive(text, fmt)}, {sql_text(zone)})"
    if fmt == "iso":
        return f"CASE WHEN vb_has_offset({text}) THEN try_cast({text} AS TIMESTAMPTZ) ELSE {local} END"
    if fmt == "auto":  # epoch seconds when a plain number, else ISO
        return (
            f"CASE WHEN regexp_full_match({text}, '\\d+(\\.\\d+)?') THEN {_instant(text, 'epoch', zone)} "
            f"ELSE {_instant(text, 'iso', zone)} END"
        )
    return local


def _fallback(text: str, fmt: str, zones: Zones) -> str:
    """SQL: what the ingest is given when `text` is not a time in `fmt` (NULL when it is): a local
    time a clock change skips in the vendor's own zone as it is (so the ingest rejects it as
    `nonexistent_local_time`), anything else with a note that cannot be read as a time."""
    naive = _naive(text, fmt)
    skipped = (
        f"WHEN {naive} IS NOT NULL THEN "
        + (
            f"strftime({naive}, '{LOCAL_FORMAT}')"
            if zones.source == zones.vendor
            else f"{text} || ' (skipped by a clock change in {zones.source})'"
        )
        if naive
        else ""
    )
    return f"CASE {skipped} WHEN {text} IS NOT NULL THEN {text} || ' (not {fmt.replace(chr(39), '')})' END"


def _duration(f: Field, read: Read) -> tuple[str, str]:
    """SQL: the field's plus − minus durations as an INTERVAL, and a note when one is not a number."""
    terms = [(c, "+") for c in f.plus] + [(c, "-") for c in f.minus]
    numbers = [f"try_cast({read.ref(c)} AS DECIMAL(18, 3))" for c, _ in terms]
    total = " ".join(f"{sign} {n}" for (_, sign), n in zip(terms, numbers)).lstrip("+ ")
    micros = UNITS[f.unit] * 1_000_000
    bad = " ".join(
        f"WHEN {read.ref(c)} IS NOT NULL AND {n} IS NULL THEN '{c} ' || {read.ref(c)} || ' is not a number'"
        for (c, _), n in zip(terms, numbers)
    )
    return f"to_microseconds(round(({total}) * {micros})::BIGINT)", f"CASE {bad} END"


def _available(f: Field, read: Read, fields: dict[str, Field]) -> bool:
    """Whether the files have what the field needs (JSON: always assumed)."""
    if read.present is None or f.constant is not None:
        return True
    have = read.present
    if any(c.lower() in have for c in f.columns):
        return True
    if f.date and f.date.lower() in have and f.time.lower() in have:
        return True
    if f.start and all(c.lower() in have for c in (*f.plus, *f.minus)):
        return _available(fields[f.start], read, fields)
    return False


def check_columns(mapping: Mapping, read: Read, shown: str) -> None:
    """A required field the files cannot give is one message naming the file and the columns."""
    fields = {f.name: f for f in mapping.fields}
    required = set() if mapping.pivot else set(TABLES[mapping.table].required)
    for f in mapping.fields:
        if (f.required or f.name in required) and not _available(f, read, fields):
            wanted = f.columns or tuple(c for c in (f.date, f.time) if c) or (*f.plus, *f.minus)
            raise VendorboardError(
                f"{shown}: missing column {' or '.join(repr(c) for c in wanted)} for {f.name} (mapping {mapping.name})"
            )


def _order(mapping: Mapping) -> list[list[Field]]:
    """The fields in levels: a derived field comes after the field it starts from."""
    done: set[str] = set()
    levels: list[list[Field]] = []
    pending = list(mapping.fields)
    while pending:
        ready = [f for f in pending if f.start is None or f.start in done]
        if not ready:
            raise VendorboardError(f"{mapping.origin}: fields derive from each other in a circle: {pending[0].name}")
        levels.append(ready)
        done |= {f.name for f in ready}
        pending = [f for f in pending if f not in ready]
    return levels


def mapped_sql(mapping: Mapping, read: Read, zones: Zones) -> str:
    """SELECT over the read rows: `_file`, `_line`, `_raw`, `_reject`, `_reject_detail`, each field
    (`"v:<name>"`: TIMESTAMPTZ for times, text otherwise) and, for times, `"t:<name>"` (the text
    the ingest is given when the value did not read). Fields derived from others come a level later."""
    ctes, prev = [], read.table
    unmapped: list[str] = []
    for n, level in enumerate(_order(mapping)):
        values, notes = [], []
        for f in level:
            text, value = _text(f, read), sql_name("v:" + f.name)
            if f.values is not None:
                cases = " ".join(f"WHEN {sql_text(k)} THEN {sql_text(v)}" for k, v in f.values.items())
                default = "NULL" if f.default is None else sql_text(f.default)
                values.append(f"CASE lower({text}) {cases} ELSE {default} END AS {value}")
                if f.default is None:
                    keys = ", ".join(sql_text(k) for k in f.values)
                    unmapped.append(
                        f"WHEN {text} IS NOT NULL AND lower({text}) NOT IN ({keys}) THEN "
                        f"{sql_text((f.columns or (f.name,))[0] + ' ')} || {text} || "
                        f"{sql_text(' is not in the value map of ' + f.name)}"
                    )
            elif not f.is_time:
                values.append(f"{text} AS {value}")
            else:
                instant, note = _instant(text, f.format, zones.source), _fallback(text, f.format, zones)
                if f.start:
                    interval, bad = _duration(f, read)
                    start = sql_name("v:" + f.start)
                    instant = f"coalesce({instant}, {start} + {interval})"
                    # a start that did not read leaves this field unread too, with the start's text
                    note = f"coalesce({note}, CASE WHEN {start} IS NOT NULL THEN {bad} END, {sql_name('t:' + f.start)})"
                values.append(f"{instant} AS {value}")
                notes.append(f"CASE WHEN {value} IS NULL THEN {note} END AS {sql_name('t:' + f.name)}")
        ctes.append(f"l{n} AS (SELECT *, {', '.join(values)} FROM {prev})")
        prev = f"l{n}"
        if notes:  # a note looks at its field's value, so one step later
            ctes.append(f"n{n} AS (SELECT *, {', '.join(notes)} FROM {prev})")
            prev = f"n{n}"
    reject = f"CASE {' '.join(unmapped)} END" if unmapped else "CAST(NULL AS VARCHAR)"
    return f"""
        WITH {", ".join(ctes)}
        SELECT _file, _line, _raw,
               coalesce(_reject, CASE WHEN ({reject}) IS NOT NULL THEN 'unmapped_value' END) AS _reject,
               coalesce(_reject_detail, {reject}) AS _reject_detail,
               COLUMNS('^[vt]:')
        FROM {prev}"""
