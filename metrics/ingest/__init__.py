"""`vendorboard ingest`: load a data directory or single files, all in one atomic write.

Per table: every file is staged as text, typed and checked in SQL (validate.py); rejected rows go
to `quarantine` with file, line, raw row and reason; good rows are de-duplicated by key (the
last file and line win) and upserted, counted as loaded, updated or unchanged. Reference rows
that fail a check stop the run instead: a contract term must never be silently dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from metrics import store
from metrics.errors import VendorboardError
from metrics.ingest import reference
from metrics.ingest.attribution import covers, out_of_contract, refresh
from metrics.ingest.read import read_file, supported
from metrics.ingest.tables import INTERACTIONS, LOAD_ORDER, REFERENCE, TABLES, Table
from metrics.ingest.validate import install_macros, stage_sql

Progress = Callable[[str, int, int], None]  # (message, files done, files in all)


@dataclass(frozen=True)
class Source:
    kind: str
    path: Path
    name: str | None = None  # what messages and the quarantine call the file (default: its path)

    @property
    def shown(self) -> str:
        return self.name or str(self.path)


@dataclass
class TableCounts:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestReport:
    tables: dict[str, TableCounts]
    out_of_contract: dict[str, int]

    def as_dict(self) -> dict:
        return {
            "tables": {t: vars(c) for t, c in self.tables.items()},
            "out_of_contract": self.out_of_contract,
        }


def sources_in_dir(data_dir: Path) -> list[Source]:
    """Every supported file under the known sub-folders, in name order (hidden files skipped)."""
    if not data_dir.is_dir():
        raise VendorboardError(f"{data_dir}: not a directory")
    found = [
        Source(kind, path)
        for kind in LOAD_ORDER
        if (data_dir / kind).is_dir()
        for path in sorted((data_dir / kind).rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    ]
    unsupported = [s.shown for s in found if not supported(s.path)]
    if unsupported:
        raise VendorboardError(f"{unsupported[0]}: unsupported file type (expected .csv, .csv.gz or .parquet)")
    if not found:
        raise VendorboardError(f"{data_dir}: no data files in any of {', '.join(LOAD_ORDER)}")
    return found


def ingest(db: Path, sources: Sequence[Source], progress: Progress | None = None) -> IngestReport:
    """Load `sources` into the database at `db` as one transaction; nothing changes on error."""
    for s in sources:
        if s.kind not in TABLES:
            raise VendorboardError(f"unknown kind '{s.kind}' (expected one of {', '.join(LOAD_ORDER)})")
    started = dt.datetime.now(dt.UTC)
    ordered = sorted(sources, key=lambda s: LOAD_ORDER.index(s.kind))
    counts: dict[str, TableCounts] = {}
    with store.writer(db) as con:
        install_macros(con)
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()[0]
        done = 0

        def load(kind: str) -> set[str]:
            nonlocal done
            files = [s for s in ordered if s.kind == kind]
            if not files:
                return set()
            counts[kind] = TableCounts()
            con.execute("DROP TABLE IF EXISTS staged")
            for seq, source in enumerate(files):
                if progress:
                    progress(f"reading {source.shown}", done, len(sources))
                _stage_file(con, TABLES[kind], source, seq, counts[kind])
                done += 1
            if progress:
                progress(f"storing {kind}", done, len(sources))
            touched = _upsert(con, TABLES[kind], counts[kind])
            if kind in REFERENCE:
                reference.check(con, kind)
            return touched

        retimed = load("vendors") | load("contracts")  # their rows' local time or contract may move
        for kind in REFERENCE[2:]:
            load(kind)
        refresh(con, retimed)  # before new interactions, which are attributed as they are stored
        for kind in INTERACTIONS:
            load(kind)
        report = IngestReport(counts, out_of_contract(con, list(counts)))
        con.execute(
            "INSERT INTO ingest_runs VALUES (?, ?, now(), ?)",
            [run_id, started, json.dumps(report.as_dict())],
        )
    return report


def _stage_file(con: duckdb.DuckDBPyConnection, table: Table, source: Source, seq: int,
                counts: TableCounts) -> None:
    """Type one file into `staged`; its rejected rows replace its earlier rejections in quarantine."""
    malformed = read_file(con, source.path, table, source.shown)
    con.execute(stage_sql(table, "staged_file"))
    if not table.is_interaction:
        bad = con.execute(
            "SELECT _line, _detail, _reason FROM staged_file WHERE _reason IS NOT NULL ORDER BY _line LIMIT 1"
        ).fetchone()
        if malformed:
            raise VendorboardError(f"{source.shown}, line {malformed[0].line}: {malformed[0].detail}")
        if bad:
            raise VendorboardError(f"{source.shown}, line {bad[0]}: {bad[1]} ({bad[2]})")
    con.execute("DELETE FROM quarantine WHERE table_name = ? AND source_file = ?", [table.name, source.shown])
    raw = "to_json(struct_pack(" + ", ".join(f"{c.name} := r.{c.name}" for c in table.columns) + "))::VARCHAR"
    con.execute(
        f"""INSERT INTO quarantine
            SELECT ?, ?, s._line, s._reason, s._detail, {raw}
            FROM staged_file s JOIN raw_file r USING (_line) WHERE s._reason IS NOT NULL""",
        [table.name, source.shown],
    )
    if malformed:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, 'malformed_line', ?, ?)",
            [(table.name, source.shown, m.line, m.detail, m.raw) for m in malformed],
        )
    for reason, n in con.execute(
        "SELECT _reason, count(*) FROM staged_file WHERE _reason IS NOT NULL GROUP BY ALL ORDER BY ALL"
    ).fetchall() + ([("malformed_line", len(malformed))] if malformed else []):
        counts.rejected += n
        counts.rejected_by_reason[reason] = counts.rejected_by_reason.get(reason, 0) + n
    source_cols = "" if table.is_interaction else f", '{_sql_str(source.shown)}' AS source_file, _line AS source_line"
    select = f"SELECT {seq} AS _seq, _line, * EXCLUDE (_line, _reason, _detail){source_cols} FROM staged_file WHERE _reason IS NULL"
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'staged' AND temporary").fetchone()[0]
    con.execute(f"INSERT INTO staged {select}" if exists else f"CREATE TEMP TABLE staged AS {select}")
    con.execute("DROP TABLE staged_file; DROP TABLE raw_file")


def _sql_str(s: str) -> str:
    return s.replace("'", "''")


def _upsert(con: duckdb.DuckDBPyConnection, table: Table, counts: TableCounts) -> set[str]:
    """Insert new keys, replace changed rows, leave identical ones; returns the vendors touched."""
    key = ", ".join(table.key)
    data = [c.name for c in table.columns]
    on = " AND ".join(f"i.{k} IS NOT DISTINCT FROM t.{k}" for k in table.key)
    differs = f"row({', '.join('i.' + c for c in data)}) IS DISTINCT FROM row({', '.join('t.' + c for c in data)})"
    latest = f"""SELECT * EXCLUDE (_seq, _line) FROM staged
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _seq DESC, _line DESC) = 1"""
    if table.start_column:
        latest = f"SELECT s.*, c.contract_id FROM ({latest}) s LEFT JOIN contracts c ON {covers('s', 'c')}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS {latest}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE incoming_status AS
        SELECT i.*, CASE WHEN t.{table.key[0]} IS NULL THEN 'loaded'
                         WHEN {differs} THEN 'updated' ELSE 'unchanged' END AS _status
        FROM incoming i LEFT JOIN {table.name} t ON {on}""")
    for status, n in con.execute("SELECT _status, count(*) FROM incoming_status GROUP BY ALL").fetchall():
        setattr(counts, status, n)
    con.execute(f"""
        DELETE FROM {table.name} t USING incoming_status i
        WHERE i._status = 'updated' AND {on}""")
    con.execute(f"""
        INSERT INTO {table.name} BY NAME
        SELECT * EXCLUDE (_status) FROM incoming_status WHERE _status <> 'unchanged'""")
    touched = set()
    if "vendor_id" in data:
        touched = {v for (v,) in con.execute(
            "SELECT DISTINCT vendor_id FROM incoming_status WHERE _status <> 'unchanged'").fetchall()}
    con.execute("DROP TABLE staged; DROP TABLE incoming; DROP TABLE incoming_status")
    return touched


__all__ = ["IngestReport", "Source", "TableCounts", "ingest", "sources_in_dir", "INTERACTIONS"]
