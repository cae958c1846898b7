"""Reading CSV or Parquet files as text columns, for typing in SQL (validate.py).

Every value is read as text, so that a bad value becomes a quarantined row with its reason
instead of failing the whole file. Each file is scanned once, straight into the typed staging
table, with files that read alike in one statement; the row order of that table (its rowid)
gives each row's file and line.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.errors import VendorboardError
from metrics.ingest.tables import Table
from metrics.sql import sql_name, sql_text

SUFFIXES = (".csv", ".csv.gz", ".parquet")
REJECTS = "store_rejects = true, rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'"
EMPTY = "(empty)"  # how sniff_csv shows a quote or escape it did not find


@dataclass(frozen=True)
class File:
    path: Path
    shown: str  # what messages and the quarantine call it


@dataclass(frozen=True)
class Scan:
    """How to read a run of files with the same header in one statement: a FROM clause yielding
    `_file` (the file's position in `files`) and the table's columns as trimmed text or NULL."""

    sql: str
    is_csv: bool
    files: tuple[File, ...]
    derived: bool = False  # rows an import derived (metrics/imports): they bring `_line`, `_raw`, `_reject`

    def single(self, index: int) -> Scan:
        """The scan of its `index`-th file alone (to name the file a failed read came from)."""
        one = self.files[index]
        return Scan(self.sql.replace(_file_list(self.files), _file_list((one,))), self.is_csv, (one,))


@dataclass(frozen=True)
class Malformed:
    """A CSV line the reader could not split into the header's columns."""

    file: int  # the file's position in its Scan
    line: int
    raw: str
    detail: str


def supported(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def _file_list(files: tuple[File, ...]) -> str:
    return "[" + ", ".join(sql_text(str(f.path)) for f in files) + "]"


def _reader(files: tuple[File, ...], options: str | None) -> str:
    return (
        f"read_csv({_file_list(files)}, {options}, {REJECTS})"
        if options is not None
        else f"read_parquet({_file_list(files)})"
    )


def _trimmed(text: str) -> str:
    """SQL: `text` without surrounding spaces, NULL when empty. Trimming copies the string, so only
    values that start or end with a space are trimmed (4x cheaper on clean files)."""
    return f"CASE WHEN {text} LIKE ' %' OR {text} LIKE '% ' THEN nullif(trim({text}), '') ELSE nullif({text}, '') END"


def _is_csv(file: File) -> bool:
    """Whether the file is CSV (else Parquet); raise VendorboardError if it is neither or missing."""
    if not supported(file.path):
        raise VendorboardError(f"{file.shown}: unsupported file type (expected {', '.join(SUFFIXES)})")
    if not file.path.is_file():
        raise VendorboardError(f"{file.shown}: no such file")
    return not file.path.name.lower().endswith(".parquet")


@dataclass(frozen=True)
class Layout:
    """How a file is laid out: its column names and, for a CSV, the reader options of its dialect
    (so that the files read with them are not sniffed again)."""

    names: tuple[str, ...]
    options: str | None  # None for Parquet


def _layout(con: duckdb.DuckDBPyConnection, file: File, is_csv: bool) -> Layout:
    """The file's layout, as DuckDB reads it; raise VendorboardError naming the file if unusable."""
    try:
        if not is_csv:
            described = con.execute(f"DESCRIBE SELECT * FROM {_reader((file,), None)}").fetchall()
            return Layout(tuple(name for name, *_ in described), None)
        # The header and dialect only: a small sniffing sample is enough.
        delim, quote, escape, new_line, skip, columns = con.execute(
            "SELECT Delimiter, Quote, Escape, NewLineDelimiter, SkipRows, Columns FROM sniff_csv("
            f"{sql_text(str(file.path))}, all_varchar = true, header = true, sample_size = 2048, {REJECTS})"
        ).fetchone()
    except duckdb.Error as exc:
        raise VendorboardError(f"{file.shown}: cannot read the file: {str(exc).splitlines()[0]}") from None
    names = tuple(c["name"] for c in columns)
    # No quote seen in the sample does not mean none later: then the standard double quote.
    quote = '"' if quote == EMPTY else quote
    escape = quote if escape == EMPTY else escape
    types = ", ".join(f"{sql_text(n)}: 'VARCHAR'" for n in names)
    return Layout(
        names,
        f"auto_detect = false, header = true, delim = {sql_text(delim)}, quote = {sql_text(quote)}, "
        f"escape = {sql_text(escape)}, new_line = {sql_text(new_line)}, skip = {skip}, "
        f"columns = {{{types}}}",
    )


def _first_line(path: Path) -> bytes | None:
    """A CSV file's first line as bytes (None if it cannot be read so)."""
    try:
        with (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb") as f:
            return f.readline(1 << 16)
    except (OSError, EOFError):
        return None


def _by_name(names: tuple[str, ...]) -> dict[str, str]:
    """Column names are case-insensitive and trimmed: the first header column for each name."""
    present: dict[str, str] = {}
    for name in names:
        present.setdefault(name.strip().lower(), name)
    return present


def scan(con: duckdb.DuckDBPyConnection, files: list[File], table: Table) -> list[Scan]:
    """Check every file and its header; consecutive files with the same layout are read in one
    statement, which is much faster than a statement per file. A CSV whose first line (its header)
    was seen already is not sniffed again: it is read with the dialect sniffed then."""
    runs: list[tuple[Layout, list[File]]] = []
    seen: dict[tuple[bool, bytes], Layout] = {}  # (gzip, first line) -> layout
    for file in files:
        is_csv = _is_csv(file)
        line = _first_line(file.path) if is_csv else None
        if line is None:
            layout = _layout(con, file, is_csv)
        else:  # sniffing takes 30 ms a file
            key = (file.path.name.lower().endswith(".gz"), line)
            if key not in seen:
                seen[key] = _layout(con, file, is_csv)
            layout = seen[key]
        missing = [c for c in table.required if c not in _by_name(layout.names)]
        if missing:
            raise VendorboardError(
                f"{file.shown}: missing required column {', '.join(repr(m) for m in missing)} for table {table.name}"
            )
        if runs and runs[-1][0] == layout:
            runs[-1][1].append(file)
        else:
            runs.append((layout, [file]))
    scans = []
    for layout, run in runs:
        present = _by_name(layout.names)
        cols = ", ".join(
            f"{_trimmed(f'CAST({sql_name(present[c.name])} AS VARCHAR)')} AS {sql_name(c.name)}"
            if c.name in present
            else f"CAST(NULL AS VARCHAR) AS {sql_name(c.name)}"
            for c in table.columns
        )
        scans.append(
            Scan(
                f"(SELECT file_index AS _file, {cols} FROM {_reader(tuple(run), layout.options)})",
                layout.options is not None,
                tuple(run),
            )
        )
    return scans


def malformed(con: duckdb.DuckDBPyConnection, scan: Scan) -> list[Malformed]:
    """The lines the last read of `scan` could not split, by file and line; clears the reader's
    reject tables."""
    if not scan.is_csv:
        return []
    found = [
        Malformed(file, line, raw, detail)
        for file, line, raw, detail in con.execute(
            "SELECT file_id, line, any_value(csv_line), string_agg(DISTINCT error_message, '; ') "
            "FROM csv_rejects GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    ]
    con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_reject_scans")
    return found


def line_expr(index: str, bad_lines: list[int], is_csv: bool) -> str:
    """SQL for the line of the good row with 0-based position `index` in its file.

    Parquet rows are numbered from 1. In a CSV the header is line 1, so row i is on line i + 2,
    shifted past malformed lines r1 < r2 < ...: the k-th (1-based) sits before good row i
    exactly when i >= r_k - k - 1.
    """
    if not is_csv:
        return f"{index} + 1"
    shifts = " + ".join(f"CASE WHEN {index} >= {r - k - 1} THEN 1 ELSE 0 END" for k, r in enumerate(bad_lines, start=1))
    return f"{index} + 2" + (f" + {shifts}" if shifts else "")
