"""Reading an export's files into one temporary table of text: `_file` (position in the import's
files), `_line` (where the row is in its file), `_raw` (the row as written, for quarantine),
`_reject`/`_reject_detail` (a line that could not be read) and the source's columns.

CSV goes through the ingest's own reader (metrics/ingest/read.py: the survey's dialect, trimming,
a malformed line costing that line only, with its true line number), so a mapped file is read
exactly as a native one.
Lines (Asterisk's pipe-separated queue_log) are split in SQL, JSON records are kept whole and read
by path, and Excel sheets are read by fastexcel straight into Arrow. No Python loop over rows.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import fastexcel
import numpy as np
import pyarrow as pa

from metrics.errors import VendorboardError
from metrics.imports.mapping import Mapping
from metrics.ingest import encoding, read
from metrics.ingest.read import File
from metrics.ingest.tables import Col, Table
from metrics.sql import sql_name, sql_text

EXCEL = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
JSON = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


@dataclass(frozen=True)
class Read:
    """The read rows (in temp table `table`) and how the mapping's SQL refers to a source column."""

    table: str
    ref: Callable[[str], str]  # source column name -> SQL expression (trimmed text, NULL when empty)
    present: frozenset[str] | None  # lower-case names of the columns the files have (None: JSON, any path)


def _format(mapping: Mapping, file: File) -> str:
    if mapping.source.format != "auto":
        return mapping.source.format
    name = file.path.name.lower()
    return "excel" if name.endswith(EXCEL) else "json" if name.endswith(JSON) else "csv"


def _first_line(path: Path) -> str:
    with (gzip.open if path.name.lower().endswith(".gz") else open)(
        path, "rt", encoding="utf-8-sig", errors="replace"
    ) as f:
        return f.readline()


def _names_header(line: str, expected: tuple[str, ...]) -> bool:
    """Whether a first line names columns (at least two of the expected ones) rather than holding data."""
    fields = next(csv.reader(io.StringIO(line), delimiter=_sniff_delimiter(line)), [])
    return len({f.strip().lower() for f in fields} & {e.lower() for e in expected}) >= 2


def _sniff_delimiter(line: str) -> str:
    return max((",", ";", "\t", "|"), key=line.count)


def read_files(
    con: duckdb.DuckDBPyConnection,
    mapping: Mapping,
    files: list[File],
    scratch: Path,
    into: str,
    by_line: frozenset[str] = frozenset(),
) -> Read:
    """Read every file of one import into temp table `into` (all files must share one format); CSV
    files named in `by_line` are read line by line (read.ReadLineByLine)."""
    kinds = {_format(mapping, f) for f in files}
    if len(kinds) > 1:
        raise VendorboardError(f"{files[0].shown}: the files of one import must have one format, not {sorted(kinds)}")
    kind = kinds.pop()
    wanted = tuple(dict.fromkeys(c.lower() for f in mapping.fields for c in f.sources()))
    for f in files:
        if not f.path.is_file():
            raise VendorboardError(f"{f.shown}: no such file")
    if kind == "excel":
        return _excel(con, mapping, files, wanted, into)
    files = encoding.as_utf8(files, scratch, plain=kind in ("lines", "json"))
    if kind == "json":
        return _json(con, mapping, files, into)
    header = mapping.source.header
    expected = mapping.source.columns or wanted
    has_header = [header is True or (header == "auto" and _names_header(_first_line(f.path), expected)) for f in files]
    if kind == "lines" and not any(has_header):
        return _lines(con, mapping, files, into)
    if kind == "lines" and not all(has_header):
        raise VendorboardError(f"{files[has_header.index(False)].shown}: mix of files with and without a header")
    return _csv(con, files, has_header, mapping.source.columns, wanted, scratch, into, by_line)


def _with_header(file: File, columns: tuple[str, ...], scratch: Path) -> File:
    """A copy of a headerless CSV with a header naming its fields by position (as many as its first
    line has), so the ingest's reader can read it; its lines are then one further down."""
    first = next(csv.reader(io.StringIO(_first_line(file.path))), [])
    names = [*columns[: len(first)], *(f"column{i}" for i in range(len(columns), len(first)))]
    target = scratch / f"header-{len(list(scratch.iterdir()))}.csv"
    with open(target, "wb") as out:
        out.write((",".join(sql_name(n) for n in names) + "\n").encode())
        with (gzip.open if file.path.name.lower().endswith(".gz") else open)(file.path, "rb") as src:
            shutil.copyfileobj(src, out)
    return File(target, file.shown)


def _csv(
    con: duckdb.DuckDBPyConnection,
    files: list[File],
    has_header: list[bool],
    columns: tuple[str, ...],
    wanted: tuple[str, ...],
    scratch: Path,
    into: str,
    by_line: frozenset[str],
) -> Read:
    """The ingest's own reading of a file (read.scan: surveyed, the fast reader proved line for line
    or the file read line by line), rows as text into `into` with their true lines; a line that
    cannot be split is a `malformed_line` rejection; blank rows and empty files hold no rows."""
    readable = [f if h else _with_header(f, columns, scratch) for f, h in zip(files, has_header)]
    table = Table("export", tuple(Col(c) for c in wanted), key=())
    cols = "".join(f", {sql_name(c)}" for c in wanted)
    rows = f"{into}_rows"
    defs = "".join(f", {sql_name(c)} VARCHAR" for c in wanted)
    con.execute(f"""DROP TABLE IF EXISTS {read.MALFORMED};
                    CREATE OR REPLACE TEMP TABLE {rows} (_seq INTEGER, _line BIGINT, _blank BOOLEAN{defs})""")
    scans, _ = read.scan(con, readable, table, by_line)  # an empty file is skipped: it holds no rows

    def insert(scan: read.Scan, seq: int) -> None:
        try:
            con.execute(f"INSERT INTO {rows} SELECT _file + {seq}, _line, _blank{cols} FROM {scan.sql}")
        except duckdb.Error as exc:
            raise read.failed_file(con, scan, exc) from None

    offset, present = 0, set()
    for scan in scans:
        insert(scan, offset)
        read.settle(con, scan, offset, table, rows, insert)
        read.number_lines(con, scan, offset, rows, "true")
        present |= {n.strip().lower() for s in scan.surveys if s for n in s.names}
        offset += len(scan.files)
    added = [i for i, h in enumerate(has_header) if not h]  # a header was added: lines one further down

    def line(column: str) -> str:
        return f"{column} - CASE WHEN _seq IN ({', '.join(map(str, added))}) THEN 1 ELSE 0 END" if added else column

    raw = "to_json(struct_pack(" + ", ".join(f"{sql_name(c)} := {sql_name(c)}" for c in wanted) + "))::VARCHAR"
    malformed = f"""UNION ALL BY NAME
        SELECT _seq AS _file, {line("line")} AS _line, raw AS _raw, 'malformed_line' AS _reject,
               detail AS _reject_detail
        FROM {read.MALFORMED} WHERE NOT empty"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {into} AS
        SELECT _seq AS _file, {line("_line")} AS _line, {raw} AS _raw,
               CAST(NULL AS VARCHAR) AS _reject, CAST(NULL AS VARCHAR) AS _reject_detail{cols}
        FROM {rows} WHERE NOT _blank {malformed if scans else ""};
        DROP TABLE {rows}; DROP TABLE IF EXISTS {read.MALFORMED}""")
    return Read(into, sql_name, frozenset(present))


def _lines(con: duckdb.DuckDBPyConnection, mapping: Mapping, files: list[File], into: str) -> Read:
    """Lines split on the delimiter into the named columns by position (no quoting, as Asterisk
    writes them); blank lines are skipped, a line with fewer fields than two is malformed."""
    columns = mapping.source.columns
    delim = sql_text(mapping.source.delimiter or "|")
    paths = "[" + ", ".join(sql_text(str(f.path)) for f in files) + "]"
    index = "CASE filename " + " ".join(f"WHEN {sql_text(str(f.path))} THEN {i}" for i, f in enumerate(files)) + " END"
    cols = ", ".join(
        f"CASE WHEN trim(_parts[{i + 1}]) <> '' THEN trim(_parts[{i + 1}]) END AS {sql_name(c.lower())}"
        for i, c in enumerate(columns)
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {into} AS
        WITH split AS (
            SELECT {index} AS _file, generate_subscripts(_lines, 1) AS _line, unnest(_lines) AS _text
            FROM (SELECT filename, string_split(content, chr(10)) AS _lines FROM read_text({paths}))),
        parts AS (SELECT *, string_split(rtrim(_text, chr(13)), {delim}) AS _parts FROM split WHERE trim(_text) <> '')
        SELECT _file, _line::BIGINT AS _line, to_json(rtrim(_text, chr(13)))::VARCHAR AS _raw,
               CASE WHEN len(_parts) < 2 THEN 'malformed_line' END AS _reject,
               CASE WHEN len(_parts) < 2 THEN 'expected fields separated by ' || {delim} END AS _reject_detail,
               {cols}
        FROM parts""")
    return Read(into, sql_name, frozenset(c.lower() for c in columns))


def _json(con: duckdb.DuckDBPyConnection, mapping: Mapping, files: list[File], into: str) -> Read:
    """JSON records (one per line, an array, or objects back to back), each kept whole; a column
    is a path into the record (`Queue.Name`). `records` names the key of a wrapped array."""
    paths = "[" + ", ".join(sql_text(str(f.path)) for f in files) + "]"
    index = "CASE filename " + " ".join(f"WHEN {sql_text(str(f.path))} THEN {i}" for i, f in enumerate(files)) + " END"
    records = mapping.source.records
    key = sql_text("$." + records) if records else None
    body = (  # a wrapped array where the key is there, the record itself where not
        f"unnest(CASE WHEN json_exists(json, {key}) THEN json_extract(json, {sql_text('$.' + records + '[*]')}) "
        "ELSE [json] END)"
        if records
        else "json"
    )
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {into} AS
            SELECT _file, row_number() OVER (PARTITION BY _file ORDER BY _n) AS _line, _record::VARCHAR AS _raw,
                   CAST(NULL AS VARCHAR) AS _reject, CAST(NULL AS VARCHAR) AS _reject_detail, _record
            FROM (SELECT {index} AS _file, row_number() OVER () AS _n, {body} AS _record
                  FROM read_json_objects({paths}, format = 'auto', filename = true))""")
    except duckdb.Error as exc:
        raise VendorboardError(f"{files[0].shown}: cannot read the JSON records: {str(exc).splitlines()[0]}") from None

    def ref(path: str) -> str:
        return f"nullif(trim(json_extract_string(_record, {sql_text('$.' + path)})), '')"

    return Read(into, ref, None)


def _excel(
    con: duckdb.DuckDBPyConnection, mapping: Mapping, files: list[File], wanted: tuple[str, ...], into: str
) -> Read:
    """The first (or the named) sheet of each workbook, every cell as text (dates as ISO text,
    numbers as written, so an Excel serial date stays a number for its `excel` format). Row 1 is
    the header; a row's line is its row number in the sheet."""
    present: set[str] = set()
    con.execute(f"DROP TABLE IF EXISTS {into}")
    raw = "to_json(struct_pack(" + ", ".join(f"{sql_name(c)} := {sql_name(c)}" for c in wanted) + "))::VARCHAR"
    for i, f in enumerate(files):
        try:
            sheet = fastexcel.read_excel(str(f.path)).load_sheet(mapping.source.sheet, dtypes="string")
            frame = sheet.to_arrow()
        except Exception as exc:  # fastexcel raises its own error types for unreadable workbooks
            raise VendorboardError(f"{f.shown}: cannot read the workbook: {str(exc).splitlines()[0]}") from None
        by_name: dict[str, str] = {}
        for name in frame.column_names:
            by_name.setdefault(name.strip().lower(), name)
        present |= set(by_name)
        cols = ", ".join(
            f"nullif(trim({sql_name(by_name[c])}), '') AS {sql_name(c)}"
            if c in by_name
            else f"NULL::VARCHAR AS {sql_name(c)}"
            for c in wanted
        )
        frame = frame.append_column("_row", pa.array(np.arange(frame.num_rows, dtype=np.int64)))
        con.register("_sheet", frame)
        select = f"""
            SELECT {i} AS _file, _row + 2 AS _line, CAST(NULL AS VARCHAR) AS _reject,
                   CAST(NULL AS VARCHAR) AS _reject_detail, * EXCLUDE (_row) FROM (SELECT _row, {cols} FROM _sheet)"""
        rows = f"SELECT _file, _line, {raw} AS _raw, * EXCLUDE (_file, _line) FROM ({select})"
        con.execute(f"INSERT INTO {into} {rows}" if i else f"CREATE TEMP TABLE {into} AS {rows}")
        con.unregister("_sheet")
    con.execute(
        f"DELETE FROM {into} WHERE " + (" AND ".join(f"{sql_name(c)} IS NULL" for c in wanted) or "false")
    )  # blank rows
    return Read(into, sql_name, frozenset(present))
