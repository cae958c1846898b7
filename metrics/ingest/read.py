"""Reading one CSV or Parquet file into a text staging table with the source line of every row.

Every value is read as text first, so that a bad value becomes a quarantined row with its reason
instead of failing the whole file; typing happens in SQL (validate.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from metrics.errors import VendorboardError
from metrics.ingest.tables import Table

SUFFIXES = (".csv", ".csv.gz", ".parquet")


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


def read_file(con: duckdb.DuckDBPyConnection, path: Path, table: Table, shown: str) -> list[Malformed]:
    """Create temp table `raw_file(_line, <table columns as VARCHAR>)` from `path`.

    `_line` is the 1-based line in a CSV (header = line 1) or the row number in a Parquet file.
    Raises VendorboardError naming the file (and the column) when it cannot be used at all.
    """
    if not supported(path):
        raise VendorboardError(f"{shown}: unsupported file type (expected {', '.join(SUFFIXES)})")
    if not path.is_file():
        raise VendorboardError(f"{shown}: no such file")
    is_csv = not path.name.lower().endswith(".parquet")
    try:
        if is_csv:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE raw_scan AS SELECT * FROM read_csv(?, all_varchar = true, "
                "header = true, store_rejects = true, rejects_table = 'csv_rejects', "
                "rejects_scan = 'csv_reject_scans')",
                [str(path)],
            )
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE raw_scan AS "
                "SELECT * FROM read_parquet(?, file_row_number = true)",
                [str(path)],
            )
    except duckdb.Error as exc:
        raise VendorboardError(f"{shown}: cannot read the file: {str(exc).splitlines()[0]}") from None

    present: dict[str, str] = {}
    for (name,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'raw_scan' "
        "ORDER BY ordinal_position"
    ).fetchall():
        present.setdefault(name.strip().lower(), name)
    missing = [c for c in table.required if c not in present]
    if missing:
        raise VendorboardError(
            f"{shown}: missing required column {', '.join(repr(m) for m in missing)} for table {table.name}"
        )

    malformed: list[Malformed] = []
    if is_csv:
        malformed = [
            Malformed(line, raw, detail)
            for line, raw, detail in con.execute(
                "SELECT line, any_value(csv_line), string_agg(DISTINCT error_message, '; ') "
                "FROM csv_rejects GROUP BY line ORDER BY line"
            ).fetchall()
        ]
        con.execute("DROP TABLE IF EXISTS csv_rejects; DROP TABLE IF EXISTS csv_reject_scans")
        line_expr = _csv_line_expr(con, [m.line for m in malformed])
    else:
        line_expr = "file_row_number + 1"  # Parquet has rows, not lines: row 1 is the first
    cols = ", ".join(
        f"CAST({_quote(present[c.name])} AS VARCHAR) AS {c.name}" if c.name in present
        else f"CAST(NULL AS VARCHAR) AS {c.name}"
        for c in table.columns
    )
    # temp tables number their rows from an offset: _i is the 0-based row index in file order
    con.execute(f"""CREATE OR REPLACE TEMP TABLE raw_file AS SELECT {line_expr} AS _line, {cols}
                    FROM (SELECT *, rowid - (SELECT min(rowid) FROM raw_scan) AS _i FROM raw_scan) s""")
    con.execute("DROP TABLE raw_scan")
    return malformed


def _csv_line_expr(con: duckdb.DuckDBPyConnection, bad_lines: list[int]) -> str:
    """Line of each good row: its index + 2 (header is line 1), shifted past the malformed lines.

    With malformed lines r1 < r2 < ... skipped, the k-th (1-based) sits before good row i exactly
    when i >= r_k - k - 1, so row i's line is i + 2 + #{k : r_k - k - 1 <= i}.
    """
    if not bad_lines:
        return "_i + 2"
    thresholds = [r - k - 1 for k, r in enumerate(bad_lines, start=1)]
    con.execute("CREATE OR REPLACE TEMP TABLE line_shifts AS SELECT unnest(?::BIGINT[]) AS t", [thresholds])
    return "_i + 2 + (SELECT count(*) FROM line_shifts WHERE t <= s._i)"
