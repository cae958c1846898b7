"""Reading CSV or Parquet files as text columns, for typing in SQL (validate.py).

Every value is read as text, so that a bad value becomes a quarantined row with its reason
instead of failing the whole file, and a bad line costs that line only. Three readers:

- **CSV, fast.** Files whose lines all end as their header does (survey.py) are read by DuckDB's
  strict CSV reader, files of one dialect together in one statement, straight into the typed
  staging table; a line it cannot split goes to its reject table, and the row order of the staging
  table (its rowid) gives every other row its line. `inexact()` then proves per file that rows and
  rejected lines add up to the file's lines; a file for which they do not (an empty line, a quote
  left open across lines, a value spanning lines), whose rejected line spans lines or which has many
  rejected lines is read again line by line.
- **CSV, line by line.** The file's lines, numbered by line feeds, are split into fields in SQL. A
  quoted value may span lines when the record it makes is well-formed; otherwise every line stands
  alone, so a stray quote costs its own line and not the rest of the file.
- **Parquet**, typed: whole-number floats (pandas writes counts with a gap as float64) as integers,
  NaN as empty, timestamps as ISO text (with their offset when they have one).

Every scan yields `_file` (the file's position in its Scan), `_line` (NULL for the fast CSV reader:
computed from rowid), `_blank` (every value of the line empty, as the `,,,,` rows Excel leaves;
such rows are ignored) and the table's columns as trimmed text or NULL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from metrics.errors import VendorboardError
from metrics.ingest.said import said
from metrics.ingest.survey import Survey, open_bytes, survey, unreadable
from metrics.ingest.tables import Table
from metrics.sql import sql_name, sql_text

SUFFIXES = (".csv", ".csv.gz", ".parquet")
REJECTS = "store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'"
RAW_LIMIT = 4096  # characters of a malformed line kept in quarantine (with the line's length)
MAX_LINE = 2_000_000  # bytes (DuckDB's max_line_size): a longer line is malformed
MANY_MALFORMED = 100  # a file with more rejected lines is read line by line (exact, set-based)
# temp table of the lines no reader could split: _seq, line, raw, length, detail, spans (the line a
# quote left open runs on), empty (only delimiters and spaces, as `,,,` with too few commas: ignored)
MALFORMED = "vb_malformed"
_names = itertools.count()
T = TypeVar("T")


@dataclass(frozen=True)
class File:
    path: Path
    shown: str  # what messages and the quarantine call it


@dataclass(frozen=True)
class Scan:
    """A run of files read in one statement: `sql` is a FROM clause (see the module docstring)."""

    sql: str
    mode: str  # "csv" (fast), "lines", "parquet" or "rows" (lines given, e.g. quarantined rows)
    files: tuple[File, ...]
    surveys: tuple[Survey | None, ...] = ()
    records: str | None = None  # "lines": the temp table of the file's records
    derived: bool = False  # "rows" an import derived (metrics/imports): they bring `_raw`, `_reject`

    def single(self, index: int) -> Scan:
        """The scan of its `index`-th file alone (to name the file a failed read came from)."""
        one = self.files[index]
        return Scan(self.sql.replace(_file_list(self.files), _file_list((one,))), self.mode, (one,))


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


class ReadLineByLine(Exception):
    """DuckDB's fast reader gave up on this file (inside the write's transaction): read it line by
    line (`line_by_line_on_failure`). Files are known by their `shown` name, which a transcoded or
    re-headed copy keeps."""

    def __init__(self, file: File) -> None:
        super().__init__(file.shown)
        self.file = file


def line_by_line_on_failure(attempt: Callable[[frozenset[str]], T]) -> T:
    """`attempt(by_line)`, run again with each file DuckDB's fast reader gave up on added to
    `by_line` (files to read line by line); a file that fails line by line too is an error."""
    by_line: set[str] = set()
    while True:
        try:
            return attempt(frozenset(by_line))
        except ReadLineByLine as redo:
            if redo.file.shown in by_line:
                raise VendorboardError.of("error.unreadable_file", file=redo.file.shown) from None
            by_line.add(redo.file.shown)


def cannot_read(shown: str, path: Path, exc: Exception) -> VendorboardError:
    """'FILE: cannot read the file: PROBLEM', the reader's first line of it naming the file as the
    user does (an upload's own name, never the server's copy)."""
    problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return VendorboardError.of("error.unreadable", file=shown, problem=problem.replace(str(path), shown))


def supported(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def _file_list(files: tuple[File, ...]) -> str:
    return "[" + ", ".join(sql_text(str(f.path)) for f in files) + "]"


def trimmed(text: str) -> str:
    """SQL: `text` without surrounding spaces, NULL when empty. Trimming copies the string, so only
    values that start or end with a space are trimmed (4x cheaper on clean files)."""
    return f"CASE WHEN {text} LIKE ' %' OR {text} LIKE '% ' THEN nullif(trim({text}), '') ELSE nullif({text}, '') END"


def _blank(values: list[str], guard: str) -> str:
    """SQL: every value is NULL or spaces. Only rows whose `guard` (a required column) is blank are
    tested: a CASE branch runs on its rows alone, where a bare AND would test every value of every row."""
    every = " AND ".join(f"({v} IS NULL OR trim({v}) = '')" for v in values)
    return f"CASE WHEN {guard} IS NULL OR {guard} LIKE ' %' THEN {every} ELSE false END"


def _by_name(names: tuple[str, ...]) -> dict[str, int]:
    """Column names are case-insensitive and trimmed: the position of the first column of each name."""
    present: dict[str, int] = {}
    for i, name in enumerate(names):
        present.setdefault(name.strip().lower(), i)
    return present


def _require(file: File, names: tuple[str, ...], table: Table) -> dict[str, int]:
    present = _by_name(names)
    missing = [c for c in table.required if c not in present]
    if missing:
        raise VendorboardError.of(
            "error.missing_column", file=file.shown, columns=", ".join(repr(m) for m in missing), table=table.name
        )
    return present


def _select(table: Table, present: dict[str, int], texts: list[str], file: str, line: str, source: str) -> str:
    """A scan's FROM clause: `_file`, `_line`, `_blank` and the table's columns as trimmed text, from
    `texts` (SQL for each of the file's columns, in order) of `source`."""
    blank = _blank(texts, texts[present[table.required[0]]] if table.required else texts[0])
    columns = ", ".join(
        f"{trimmed(texts[present[c.name]]) if c.name in present else 'CAST(NULL AS VARCHAR)'} AS {sql_name(c.name)}"
        for c in table.columns
    )
    return f"(SELECT {file} AS _file, {line} AS _line, {blank} AS _blank, {columns} FROM {source})"


# ---- CSV, fast ---------------------------------------------------------------------------------


def _csv_options(s: Survey) -> str:
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(s.names)))
    new_line = s.new_line.replace("\r", "\\r").replace("\n", "\\n")  # as DuckDB spells it: '\r\n'
    return (
        f"auto_detect = false, header = true, delim = {sql_text(s.delim)}, quote = '\"', escape = '\"', "
        f"new_line = '{new_line}', skip = {s.skip}, max_line_size = {MAX_LINE}, columns = {{{types}}}"
    )


def _csv_scan(run: list[tuple[File, Survey]], table: Table) -> Scan:
    files = tuple(f for f, _ in run)
    first = run[0][1]
    reader = f"read_csv({_file_list(files)}, {_csv_options(first)}, {REJECTS})"
    texts = [f"c{i}" for i in range(len(first.names))]
    return Scan(
        _select(table, _by_name(first.names), texts, "file_index", "CAST(NULL AS BIGINT)", reader),
        "csv",
        files,
        tuple(s for _, s in run),
    )


def line_expr(index: str, bad_lines: list[int], header_line: int) -> str:
    """SQL for the line of the fast reader's row with 0-based position `index` in its file: row i is
    on line header_line + 1 + i, shifted past the rejected lines r1 < r2 < ... (at most
    MANY_MALFORMED): the k-th (1-based) sits before row i exactly when i >= r_k - header_line - k."""
    shifts = " + ".join(
        f"CASE WHEN {index} >= {r - header_line - k} THEN 1 ELSE 0 END" for k, r in enumerate(bad_lines, start=1)
    )
    return f"{index} + {header_line + 1}" + (f" + {shifts}" if shifts else "")


# ---- CSV, line by line -------------------------------------------------------------------------


def _lines(path: Path, shown: str) -> Iterator:
    """The file's lines (split at line feeds, numbered from 1) as Arrow record batches, a chunk at a
    time: bulk operations on each chunk, no Python loop over lines. Bytes that are not UTF-8 become
    U+FFFD (then the line is malformed)."""
    import pyarrow as pa  # here, not above: only a file read line by line needs it (a slow import)

    carry, number = b"", 1
    try:
        with open_bytes(path) as f:
            while chunk := f.read(1 << 24):
                chunk = carry + chunk
                cut = chunk.rfind(b"\n")
                if cut < 0:
                    carry = chunk
                    continue
                carry = chunk[cut + 1 :]
                texts = chunk[:cut].decode("utf-8", "replace").split("\n")
                yield pa.record_batch(
                    [pa.array(range(number, number + len(texts)), pa.int64()), pa.array(texts, pa.string())],
                    names=["line", "text"],
                )
                number += len(texts)
    except (OSError, EOFError) as exc:
        raise unreadable(shown, path, exc) from None
    if carry:
        yield pa.record_batch(
            [pa.array([number], pa.int64()), pa.array([carry.decode("utf-8", "replace")], pa.string())],
            names=["line", "text"],
        )


def _hex(ch: str) -> str:
    return f"\\x{{{ord(ch):x}}}"


def _empty(text: str, delim: str) -> str:
    """SQL: the line holds nothing but delimiters and white space."""
    return f"regexp_full_match({text}, '[\\s{_hex(delim)}]*')"


def line_scan(con: duckdb.DuckDBPyConnection, file: File, s: Survey, table: Table) -> Scan:
    """Read `file` line by line into a temp table of records (line, fields or the problem)."""
    present = _require(file, s.names, table)
    d, n = _hex(s.delim), len(s.names)
    field = f'"(?:[^"]|"")*"|[^{d}"][^{d}]*|'  # quoted (a quote doubled inside), unquoted, or empty
    whole = sql_text(f"(?:{field})(?:{d}(?:{field}))*")
    each = sql_text(f"{d}({field})")
    lead = sql_text(s.delim)

    def fields(text: str) -> str:
        return f"regexp_extract_all({lead} || {text}, {each}, 1)"

    def well_formed(text: str) -> str:
        return f"(regexp_full_match({text}, {whole}) AND len({fields(text)}) = {n})"

    import pyarrow as pa  # as in _lines

    source, lines, records = (f"vb_{part}_{next(_names)}" for part in ("src", "lines", "records"))
    batches = _lines(file.path, file.shown)
    schema = pa.schema([("line", pa.int64()), ("text", pa.string())])
    con.complete()  # a result left open by an earlier execute() would refuse the registration
    con.register(source, pa.RecordBatchReader.from_batches(schema, batches))
    try:
        con.execute(f"""CREATE TEMP TABLE {lines} AS SELECT line, rtrim(text, chr(13)) AS text
                        FROM {source} WHERE line > {s.header_line}""")
        # A quote opened on one line and closed on a later one joins those lines into one record:
        # the lines from each line with an odd number of quotes to the next such line (or the end).
        con.execute(f"""
            CREATE TEMP TABLE {records} AS
            WITH odd AS (SELECT line FROM {lines} WHERE (length(text) - length(replace(text, '"', ''))) % 2 = 1),
            pairs AS (SELECT line AS lo, lead(line) OVER (ORDER BY line) AS hi, row_number() OVER (ORDER BY line) AS k
                      FROM odd),
            spans AS (SELECT lo, coalesce(hi, (SELECT max(line) FROM {lines})) AS hi FROM pairs WHERE k % 2 = 1),
            spanned AS (SELECT s.lo, l.line, l.text FROM {lines} l JOIN spans s ON l.line BETWEEN s.lo AND s.hi),
            joined AS (SELECT lo, string_agg(text, chr(10) ORDER BY line) AS text FROM spanned GROUP BY lo),
            whole AS (SELECT lo, text FROM joined WHERE {well_formed("text")}),
            records AS (  -- a well-formed joined record; every other line stands alone
                SELECT line, text FROM {lines}
                WHERE line NOT IN (SELECT line FROM spanned WHERE lo IN (SELECT lo FROM whole))
                UNION ALL SELECT lo, text FROM whole),
            split AS (  -- a line without quotes is split at its delimiters (much cheaper than the patterns)
                SELECT line, text, NOT contains(text, '"') OR regexp_full_match(text, {whole}) AS ok,
                       CASE WHEN contains(text, '"')
                            THEN list_transform({fields("text")}, lambda f: CASE WHEN starts_with(f, '"')
                                                THEN replace(f[2:-2], '""', '"') ELSE f END)
                            ELSE string_split(text, {lead}) END AS fields
                FROM records WHERE NOT {_empty("text", s.delim)})
            SELECT line, text, fields, CASE
                WHEN strlen(text) > {MAX_LINE} THEN {said("too_long", limit=str(MAX_LINE))}
                WHEN contains(text, '\ufffd') THEN {said("malformed", problem=sql_text("invalid_unicode"))}
                WHEN NOT ok THEN {said("malformed", problem=sql_text("unquoted_value"))}
                WHEN len(fields) <> {n} THEN {said("fields", expected=str(n), found="len(fields)")}
                END AS problem
            FROM split""")
    except VendorboardError:
        raise
    except duckdb.Error as exc:
        raise cannot_read(file.shown, file.path, exc) from None
    finally:
        con.unregister(source)
        con.execute(f"DROP TABLE IF EXISTS {lines}")
    texts = [f"fields[{i + 1}]" for i in range(n)]
    return Scan(
        _select(table, present, texts, "0", "line", f"(SELECT * FROM {records} WHERE problem IS NULL)"),
        "lines",
        (file,),
        (s,),
        records,
    )


# ---- Parquet -----------------------------------------------------------------------------------


def _parquet_text(column: str, sql_type: str) -> str:
    """SQL: a typed Parquet value as the text a CSV would hold."""
    if sql_type in ("DOUBLE", "FLOAT"):
        return (
            f"CASE WHEN isnan({column}) THEN NULL WHEN {column} = trunc({column}) AND abs({column}) < 1e15 "
            f"THEN CAST(TRY_CAST({column} AS BIGINT) AS VARCHAR) ELSE CAST({column} AS VARCHAR) END"
        )
    return f"CAST({column} AS VARCHAR)"


def _parquet_scan(con: duckdb.DuckDBPyConnection, file: File, table: Table) -> Scan:
    reader = f"read_parquet({_file_list((file,))}, file_row_number = true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * EXCLUDE (file_row_number) FROM {reader}").fetchall()
    except duckdb.Error as exc:
        raise cannot_read(file.shown, file.path, exc) from None
    names = tuple(name for name, *_ in described)
    present = _require(file, names, table)
    texts = [_parquet_text(sql_name(name), sql_type) for name, sql_type, *_ in described]
    return Scan(
        _select(table, present, texts, "0", "file_row_number + 1", reader),
        "parquet",
        (file,),
        (None,),
    )


# ---- quarantined rows (retry) ------------------------------------------------------------------


def retryable(table: Table) -> str:
    """SQL: a quarantined row of `table` that can be read again: not a malformed line (it has no
    columns) and a raw row of the table's columns, as a file's row is kept — not the export's line
    of a row an import derived, which only the import reads."""
    columns = "[" + ", ".join(sql_text(c.name) for c in table.columns) + "]"
    return (
        f"table_name = {sql_text(table.name)} AND reason <> 'malformed_line' AND json_valid(raw) "
        f"AND list_has_all({columns}, json_keys(raw))"
    )


def quarantined(con: duckdb.DuckDBPyConnection, table: Table) -> Scan | None:
    """The quarantined rows of `table` that can be read again (`retryable`) as a scan, each with the
    file and line it came from."""
    where = retryable(table)
    found = con.execute(f"SELECT DISTINCT source_file FROM quarantine WHERE {where} ORDER BY 1").fetchall()
    names = [n for (n,) in found]
    if not names:
        return None
    files = tuple(File(Path(n), n) for n in names)
    listed = "[" + ", ".join(sql_text(n) for n in names) + "]"
    columns = ", ".join(f"json_extract_string(raw, {sql_text('$.' + c.name)}) AS {c.name}" for c in table.columns)
    return Scan(
        f"(SELECT list_position({listed}, source_file) - 1 AS _file, line AS _line, false AS _blank, {columns} "
        f"FROM quarantine WHERE {where} ORDER BY source_file, line)",
        "rows",
        files,
    )


# ---- planning and what could not be read ------------------------------------------------------


def scan(
    con: duckdb.DuckDBPyConnection, files: list[File], table: Table, by_line: frozenset[str] = frozenset()
) -> tuple[list[Scan], list[Skipped]]:
    """How to read `files` (in order): consecutive CSV files of one dialect whose lines end alike
    in one fast statement; other CSV files (and those named in `by_line`) line by line; Parquet
    files one by one. A file that is not Parquet is read as CSV, whatever its name (the caller
    decides which files it takes). Empty and header-only files are skipped (returned, to be reported)."""
    # Each CSV file's pass over its bytes, two at a time (reading and counting mostly leave the GIL);
    # a file's result, or its error, is taken in file order.
    csv = [f for f in files if f.path.is_file() and not f.path.name.lower().endswith(".parquet")]
    pool = ThreadPoolExecutor(max_workers=2)
    surveys = {f: pool.submit(survey, f.path, f.shown) for f in csv}
    try:
        return _plan(con, files, table, by_line, surveys)
    finally:  # after an error, the files not surveyed yet are left alone
        pool.shutdown(cancel_futures=True)


def _plan(
    con: duckdb.DuckDBPyConnection,
    files: list[File],
    table: Table,
    by_line: frozenset[str],
    surveys: dict[File, Future[Survey]],
) -> tuple[list[Scan], list[Skipped]]:
    scans: list[Scan] = []
    skipped: list[Skipped] = []
    run: list[tuple[File, Survey]] = []

    def flush() -> None:
        if run:
            scans.append(_csv_scan(run, table))
            run.clear()

    for file in files:
        if not file.path.is_file():
            raise VendorboardError.of("error.no_such_file", file=file.shown)
        if file.path.name.lower().endswith(".parquet"):
            flush()
            scans.append(_parquet_scan(con, file, table))
            continue
        s = surveys[file].result()
        if s.empty:
            skipped.append(Skipped(file.shown, s.empty))
            continue
        _require(file, s.names, table)
        if not s.uniform or file.shown in by_line:
            flush()
            scans.append(line_scan(con, file, s, table))
            continue
        if run and _dialect(run[-1][1]) != _dialect(s):
            flush()
        run.append((file, s))
    flush()
    return scans, skipped


def _dialect(s: Survey) -> tuple:
    """What files must share to be read in one statement."""
    return s.names, s.delim, s.new_line, s.skip


def store_malformed(con: duckdb.DuckDBPyConnection, scan: Scan, first_seq: int) -> None:
    """Add the lines the last read of `scan` could not split to MALFORMED (file `i` as _seq
    first_seq + i), raw text capped at RAW_LIMIT characters; clears the reader's reject tables."""
    con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {MALFORMED} (_seq INTEGER, line BIGINT, raw VARCHAR, length BIGINT, "
        "detail VARCHAR, spans BOOLEAN, empty BOOLEAN)"
    )
    if scan.mode == "lines":
        con.execute(f"""INSERT INTO {MALFORMED} SELECT {first_seq}, line, left(text, {RAW_LIMIT}), length(text),
                               problem, false, false FROM {scan.records} WHERE problem IS NOT NULL""")
    elif scan.mode == "csv":
        problem = said("malformed", problem="lower(replace(min(error_type), ' ', '_'))")  # e.g. too_many_columns
        con.execute(f"""
            INSERT INTO {MALFORMED}
            SELECT {first_seq} + file_id, line, left(any_value(csv_line), {RAW_LIMIT}),
                   max(coalesce(TRY_CAST(regexp_extract(error_message, 'Actual Size:\\s*(\\d+)', 1) AS BIGINT),
                                length(csv_line))),
                   {problem},
                   bool_or(contains(csv_line, chr(10))),
                   bool_and({_empty("csv_line", scan.surveys[0].delim)})
            FROM csv_rejects GROUP BY file_id, line""")
        con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_reject_scans")


def inexact(con: duckdb.DuckDBPyConnection, scan: Scan, first_seq: int, rows: dict[int, int]) -> list[int]:
    """The files of a fast CSV scan to read again line by line: those whose rows (`rows`: _seq ->
    staged rows) and rejected lines do not add up to the file's lines, whose rejected line spans
    lines (a quote left open), or with more than MANY_MALFORMED rejected lines."""
    if scan.mode != "csv":
        return []
    bad = {
        seq: (n, spans)
        for seq, n, spans in con.execute(
            f"SELECT _seq, count(*), bool_or(spans) FROM {MALFORMED} "
            f"WHERE _seq BETWEEN {first_seq} AND {first_seq + len(scan.files) - 1} GROUP BY _seq"
        ).fetchall()
    }
    again = []
    for i, s in enumerate(scan.surveys):
        n, spans = bad.get(first_seq + i, (0, False))
        if spans or n > MANY_MALFORMED or s.header_line + rows.get(first_seq + i, 0) + n != s.lines:
            again.append(i)
    return again


def settle(
    con: duckdb.DuckDBPyConnection,
    scan: Scan,
    first_seq: int,
    table: Table,
    target: str,
    insert: Callable[[Scan, int], None],
) -> None:
    """After `scan`'s rows went into temp table `target` (file i as `_seq` first_seq + i, in file
    order, by `insert(scan, first_seq)`): keep the lines it could not split (MALFORMED) and read
    again line by line, through `insert`, every file whose rows do not add up (`inexact`)."""
    store_malformed(con, scan, first_seq)
    this = f"_seq BETWEEN {first_seq} AND {first_seq + len(scan.files) - 1}"
    rows = dict(con.execute(f"SELECT _seq, count(*) FROM {target} WHERE {this} GROUP BY _seq").fetchall())
    for i in inexact(con, scan, first_seq, rows):
        seq = first_seq + i
        con.execute(f"DELETE FROM {target} WHERE _seq = {seq}; DELETE FROM {MALFORMED} WHERE _seq = {seq}")
        again = line_scan(con, scan.files[i], scan.surveys[i], table)
        insert(again, seq)
        store_malformed(con, again, seq)
        con.execute(f"DROP TABLE {again.records}")
    if scan.records:
        con.execute(f"DROP TABLE {scan.records}")


def number_lines(con: duckdb.DuckDBPyConnection, scan: Scan, first_seq: int, target: str, wanted: str) -> None:
    """Give the rows of `scan` in `target` that satisfy `wanted` and have no `_line` yet (the fast
    reader's) their line in their file, from their position there (a file's first row has the
    smallest rowid of its _seq) and the lines rejected before it (`line_expr`)."""
    if scan.mode != "csv":
        return
    this = f"_seq BETWEEN {first_seq} AND {first_seq + len(scan.files) - 1}"
    firsts = con.execute(
        f"SELECT _seq, min(rowid) FROM {target} WHERE {this} AND _line IS NULL GROUP BY _seq"
    ).fetchall()
    if not firsts:
        return
    bad = dict(con.execute(f"SELECT _seq, list(line ORDER BY line) FROM {MALFORMED} GROUP BY _seq").fetchall())
    cases = " ".join(
        f"WHEN {seq} THEN "
        + line_expr(f"(rowid - {first})", bad.get(seq, []), scan.surveys[seq - first_seq].header_line)
        for seq, first in firsts
    )
    con.execute(f"UPDATE {target} SET _line = CASE _seq {cases} END WHERE {this} AND _line IS NULL AND {wanted}")


def failed_file(con: duckdb.DuckDBPyConnection, scan: Scan, exc: duckdb.Error) -> VendorboardError:
    """After a read of `scan` failed: the error naming its file, found by reading each file of a
    fast CSV run alone on a cursor of its own (the failed statement has aborted the write's
    transaction). A file that DuckDB's fast reader gave up on is read line by line instead
    (ReadLineByLine)."""
    failed = scan.files[0]
    if scan.mode == "csv" and len(scan.files) > 1:
        probe = con.cursor()
        try:
            for i, f in enumerate(scan.files):
                try:
                    probe.execute(f"SELECT count(*) FROM {scan.single(i).sql}").fetchall()
                except duckdb.Error as own:
                    exc, failed = own, f
                    break
                finally:
                    probe.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_reject_scans")
        finally:
            probe.close()
    if scan.mode == "csv":
        raise ReadLineByLine(failed)
    return cannot_read(failed.shown, failed.path, exc)
