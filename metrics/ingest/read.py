"""Reading one CSV or Parquet file as text columns, for typing in SQL (validate.py).

Every value is read as text, so that a bad value becomes a quarantined row with its reason
instead of failing the whole file. The file is scanned once, straight into the typed staging
table; the row order of that table (its rowid) gives each row's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.errors import VendorboardError
from metrics.ingest.tables import Table

SUFFIXES = (".csv", ".csv.gz", ".parquet")
CSV_OPTIONS = ("all_varchar = true, header = true, store_rejects = true, "
               "rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans'")


@dataclass(frozen=True)
class Scan:
    """How to read a file: a FROM clause yielding the table's columns as trimmed text or NULL."""

    sql: str
    is_csv: bool


@dataclass(frozen=True)
class Malformed:
    """A CSV line the reader could not split into the header's columns."""

    line: int
    raw: str
    detail: str


def supported(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scan(con: duckdb.DuckDBPyConnection, path: Path, table: Table, shown: str) -> Scan:
    """Check the file and its header; raise VendorboardError naming the file (and column) if unusable."""
    if not supported(path):
        raise VendorboardError(f"{shown}: unsupported file type (expected {', '.join(SUFFIXES)})")
    if not path.is_file():
        raise VendorboardError(f"{shown}: no such file")
    is_csv = not path.name.lower().endswith(".parquet")
    reader = (f"read_csv({_literal(str(path))}, {CSV_OPTIONS})" if is_csv
              else f"read_parquet({_literal(str(path))})")
    # The header only: a small sniffing sample is enough (the read itself sniffs as usual).
    header = reader.replace(CSV_OPTIONS, CSV_OPTIONS + ", sample_size = 2048") if is_csv else reader
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {header}").fetchall()
    except duckdb.Error as exc:
        raise VendorboardError(f"{shown}: cannot read the file: {str(exc).splitlines()[0]}") from None
    present: dict[str, str] = {}
    for name, *_ in described:
        present.setdefault(name.strip().lower(), name)
    missing = [c for c in table.required if c not in present]
    if missing:
        raise VendorboardError(
            f"{shown}: missing required column {', '.join(repr(m) for m in missing)} for table {table.name}"
        )
    cols = ", ".join(
        f"nullif(trim(CAST({_quote(present[c.name])} AS VARCHAR)), '') AS {c.name}" if c.name in present
        else f"CAST(NULL AS VARCHAR) AS {c.name}"
        for c in table.columns
    )
    return Scan(f"(SELECT {cols} FROM {reader})", is_csv)


def malformed(con: duckdb.DuckDBPyConnection) -> list[Malformed]:
    """The lines the last CSV scan could not split; clears the reader's reject tables."""
    found = [
        Malformed(line, raw, detail)
        for line, raw, detail in con.execute(
            "SELECT line, any_value(csv_line), string_agg(DISTINCT error_message, '; ') "
            "FROM csv_rejects GROUP BY line ORDER BY line"
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
    shifts = " + ".join(f"CASE WHEN {index} >= {r - k - 1} THEN 1 ELSE 0 END"
                        for k, r in enumerate(bad_lines, start=1))
    return f"{index} + 2" + (f" + {shifts}" if shifts else "")
