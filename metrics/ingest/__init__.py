"""`vendorboard ingest`: load a data directory or single files, all in one atomic write.

Per table: every file is staged as text, typed and checked in SQL (validate.py); rejected rows go
to `quarantine` with file, line, raw row and reason; good rows are de-duplicated by key (the
last file and line win) and upserted, counted as loaded, updated or unchanged. Reference rows
that fail a check stop the run instead: a contract term must never be silently dropped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from metrics import audit, store
from metrics.access import Permission, Principal, acting, table_permission
from metrics.errors import VendorboardError
from metrics.ingest import encoding, read, reference, zones
from metrics.ingest.attribution import out_of_contract, refresh
from metrics.ingest.lookups import Lookups
from metrics.ingest.reach import Reach, reach, to_refresh
from metrics.ingest.tables import INTERACTIONS, LOAD_ORDER, REFERENCE, TABLES, Table
from metrics.ingest.validate import stage_sql
from metrics.uploads import kept

Progress = Callable[[str, int, int], None]  # (message, files done, files in all)
Touched = dict[dt.date, set[str]]  # month -> the interaction tables whose figures in it a run can move
Then = Callable[[duckdb.DuckDBPyConnection, Touched], None]


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

    def reject(self, reason: str, n: int) -> None:
        self.rejected += n
        self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + n


@dataclass
class IngestReport:
    tables: dict[str, TableCounts]
    out_of_contract: dict[str, int]
    imports: list[dict] = field(default_factory=list)  # per import: what each of its steps produced

    def as_dict(self) -> dict:
        return {
            "tables": {t: vars(c) for t, c in self.tables.items()},
            "out_of_contract": self.out_of_contract,
        } | ({"imports": self.imports} if self.imports else {})


class Derivation(Protocol):
    """A platform's export read through an import profile or mapping (metrics/imports): inside the
    run's transaction it derives rows of the native tables, which are then typed, checked,
    quarantined and stored exactly like a file's rows."""

    files: tuple[read.File, ...]

    def derive(self, con: duckdb.DuckDBPyConnection, scratch: Path) -> dict[str, read.Scan]:
        """The derived rows of each table it fills, as scans yielding `_file`, `_line`, `_raw`,
        `_reject`, `_reject_detail` and the table's columns as text."""
        ...

    def steps(self) -> dict:
        """What each step produced (after derive), for the run's report."""
        ...


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
    unsupported = [s.shown for s in found if not read.supported(s.path)]
    if unsupported:
        raise VendorboardError(f"{unsupported[0]}: unsupported file type (expected .csv, .csv.gz or .parquet)")
    if not found:
        raise VendorboardError(f"{data_dir}: no data files in any of {', '.join(LOAD_ORDER)}")
    return found


def run(
    db: Path,
    sources: Sequence[Source],
    then: Then,
    progress: Progress | None = None,
    derived: Sequence[Derivation] = (),
    *,
    by: Principal | None = None,
    audit_as: audit.Change | None = None,
) -> IngestReport:
    """Load `sources` and the rows `derived` from platform exports into the database at `db` as one
    transaction, recorded in the audit trail as `by`'s (`audit_as` names the change when it is not
    a plain load, e.g. one payment); nothing changes on error. Refused when `by` may not load one
    of the tables (access.table_permission).

    Before the transaction commits, `then(con, touched)` gets what the run touched (ingest/reach.py),
    so the caller keeps what is derived from the rows current in the same write (metrics/loading.py:
    the rollups) without this layer knowing of it."""
    for s in sources:
        if s.kind not in TABLES:
            raise VendorboardError(f"unknown kind '{s.kind}' (expected one of {', '.join(LOAD_ORDER)})")
    needed = {table_permission(s.kind) for s in sources} | ({Permission.LOAD} if derived else set())
    actor = acting(by).require(*sorted(needed))
    started = dt.datetime.now(dt.UTC)
    ordered = sorted(sources, key=lambda s: LOAD_ORDER.index(s.kind))
    counts: dict[str, TableCounts] = {}
    total = len(sources) + sum(len(d.files) for d in derived)
    imported: dict[str, list[read.Scan]] = {}  # table -> the scans of rows derived from exports
    with store.writer(db) as con, tempfile.TemporaryDirectory(prefix="vendorboard-") as scratch:
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()[0]
        done = 0
        lookups: Lookups | None = None
        reaches: dict[str, list[Reach]] = {}  # table -> the months its changes can move

        def load(kind: str) -> set[str]:
            nonlocal done, lookups
            files = encoding.as_utf8([read.File(s.path, s.shown) for s in ordered if s.kind == kind], Path(scratch))
            if not files and kind not in imported:
                return set()
            counts[kind] = TableCounts()
            con.execute("DROP TABLE IF EXISTS staged")
            if lookups is None:
                lookups = Lookups.load(con, with_offsets=kind in INTERACTIONS)
            seq = 0
            for scan in read.scan(con, files, TABLES[kind]) + imported.get(kind, []):
                more = len(scan.files) - 1
                message = f"reading {scan.files[0].shown}" + (f" and {more} more" if more else "")
                percent = None
                if progress:
                    progress(message, done, total)
                    percent = lambda pct, m=message, d=done: progress(f"{m} ({pct:.0f} %)", d, total)  # noqa: E731
                _stage(con, TABLES[kind], scan, seq, counts[kind], lookups, percent)
                seq += len(scan.files)
                done += 0 if scan.derived else len(scan.files)
            if progress:
                progress(f"storing {kind}", done, total)
            vendors, reaches[kind] = _upsert(con, TABLES[kind], counts[kind])
            if kind in REFERENCE:
                reference.check(con, kind)
                lookups = None  # what is known has changed
            return vendors

        zones.remember(con)
        retimed = load("vendors") | load("contracts")  # their rows' local time or contract may move
        for kind in REFERENCE[2:]:
            load(kind)
        moved = zones.reread(con)  # naive times in a corrected zone: before they are re-attributed
        refresh(con, retimed)  # before new interactions, which are attributed as they are stored
        for d in derived:  # after the reference tables: an import reads its vendor's zone
            if progress:
                progress(f"reading {d.files[0].shown}", done, total)
            for kind, scan in d.derive(con, Path(scratch)).items():
                imported.setdefault(kind, []).append(scan)
            done += len(d.files)
        for kind in INTERACTIONS:
            load(kind)
        for kind, reasons in moved.items():
            for reason, n in reasons.items():
                counts.setdefault(kind, TableCounts()).reject(reason, n)
        then(con, to_refresh(con, reaches))
        report = IngestReport(counts, out_of_contract(con, list(counts)), [d.steps() for d in derived])
        con.execute(
            "INSERT INTO ingest_runs VALUES (?, ?, now(), ?)",
            [run_id, started, json.dumps(report.as_dict())],
        )
        change = (audit_as or _load_change(db, sources, derived, run_id)).with_counts(report)
        audit.record(con, actor, change.action, change.subject, change.details)
    return report


def _load_change(db: Path, sources: Sequence[Source], derived: Sequence[Derivation], run_id: int) -> audit.Change:
    """A load as the trail records it: its files (an upload also where it is kept) and run number."""
    named = [(s.kind, s.shown, s.path) for s in sources] + [
        ("import", f.shown, f.path) for d in derived for f in d.files
    ]
    files = [{"table": kind, "file": name} | kept(db, path) for kind, name, path in named]
    subject = files[0]["file"] if len(files) == 1 else f"{len(files)} files"
    return audit.Change("ingest", subject, {"run_id": run_id, "files": files})


@contextlib.contextmanager
def _watch(con: duckdb.DuckDBPyConnection, report: Callable[[float], None] | None) -> Iterator[None]:
    """While a long statement runs, report its progress (0-100) from DuckDB twice a second."""
    if report is None:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.5):
            if (pct := con.query_progress()) >= 0:
                report(pct)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _stage(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    scan: read.Scan,
    first_seq: int,
    counts: TableCounts,
    lookups: Lookups,
    report: Callable[[float], None] | None,
) -> None:
    """Type a run of files into temp table `staged` (file i as `_seq` first_seq + i); each file's
    rejected rows replace its earlier ones in quarantine."""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'staged' AND temporary").fetchone()[0]
    provenance = (
        "" if table.is_interaction else ", CAST(NULL AS VARCHAR) AS source_file, CAST(NULL AS BIGINT) AS source_line"
    )
    select = (
        f"SELECT ({first_seq} + _file)::INTEGER AS _seq, * EXCLUDE (_file){provenance} "
        f"FROM ({stage_sql(table, scan.sql, lookups, scan.derived)})"
    )
    try:  # the rows land in file order, so rowid gives their file and line
        with _watch(con, report):
            con.execute(f"INSERT INTO staged {select}" if exists else f"CREATE TEMP TABLE staged AS {select}")
    except duckdb.Error as exc:
        raise _unreadable(con, scan, exc) from None
    bad_lines = read.malformed(con, scan)
    this = f"_seq BETWEEN {first_seq} AND {first_seq + len(scan.files) - 1}"
    line = "_line" if scan.derived else _line_sql(con, scan, first_seq, this, bad_lines)
    shown = [f.shown for f in scan.files]
    file_name = f"(?::VARCHAR[])[(_seq - {first_seq} + 1)::BIGINT]"
    if not table.is_interaction:
        for i, f in enumerate(scan.files):  # the first problem in file order stops the run
            malformed = next((m for m in bad_lines if m.file == i), None)
            if malformed:
                raise VendorboardError(f"{f.shown}, line {malformed.line}: {malformed.detail}")
            first = con.execute(
                f"SELECT {line}, _detail, _reason FROM staged WHERE _seq = {first_seq + i} "
                "AND _check IS NOT NULL ORDER BY rowid LIMIT 1"
            ).fetchone()
            if first:
                raise VendorboardError(f"{f.shown}, line {first[0]}: {first[1]} ({first[2]})")
        con.execute(f"UPDATE staged SET source_file = {file_name}, source_line = {line} WHERE {this}", [shown])
        return
    con.execute("DELETE FROM quarantine WHERE table_name = ? AND list_contains(?, source_file)", [table.name, shown])
    con.execute(
        f"""INSERT INTO quarantine SELECT ?, {file_name}, {line}, _reason, _detail, _raw
                    FROM staged WHERE {this} AND _check IS NOT NULL""",
        [table.name, shown],
    )
    if bad_lines:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, 'malformed_line', ?, ?)",
            [(table.name, shown[m.file], m.line, m.detail, m.raw) for m in bad_lines],
        )
    rejected = con.execute(
        f"SELECT _reason, count(*) FROM staged WHERE {this} AND _check IS NOT NULL GROUP BY ALL"
    ).fetchall() + ([("malformed_line", len(bad_lines))] if bad_lines else [])
    for reason, n in rejected:
        counts.reject(reason, n)


def _line_sql(
    con: duckdb.DuckDBPyConnection, scan: read.Scan, first_seq: int, rows: str, bad_lines: list[read.Malformed]
) -> str:
    """SQL: the line in its file of a staged row of `scan` (whose rows satisfy `rows`), from its
    position there: a file's first row has the smallest rowid of its _seq."""
    firsts = con.execute(f"SELECT _seq, min(rowid) FROM staged WHERE {rows} GROUP BY _seq").fetchall()
    if not firsts:
        return "NULL"
    cases = " ".join(
        f"WHEN {seq} THEN "
        + read.line_expr(f"(rowid - {first})", [m.line for m in bad_lines if m.file == seq - first_seq], scan.is_csv)
        for seq, first in firsts
    )
    return f"CASE _seq {cases} END"


def _unreadable(con: duckdb.DuckDBPyConnection, scan: read.Scan, exc: duckdb.Error) -> VendorboardError:
    """The error naming the file a run's read failed on (found by reading each file alone, on a
    cursor of its own: the failed statement has aborted the write's transaction)."""
    probe = con.cursor()
    failed = scan.files[0]
    for i, f in enumerate(scan.files):
        try:
            probe.execute(f"SELECT count(*) FROM {scan.single(i).sql}").fetchall()
        except duckdb.Error as own:
            exc, failed = own, f
            break
    probe.close()
    return VendorboardError(f"{failed.shown}: cannot read the file: {str(exc).splitlines()[0]}")


def _upsert(con: duckdb.DuckDBPyConnection, table: Table, counts: TableCounts) -> tuple[set[str], list[Reach]]:
    """Insert new keys, replace changed rows, leave identical ones; returns the vendors touched and
    what the stored and the replaced rows can move (ingest/reach.py).

    The common case — no key repeated in the run and none stored yet — is one INSERT.
    """
    key = ", ".join(table.key)
    data = [c.name for c in table.columns] + (["naive_times"] if table.is_interaction else [])
    stored = (
        data
        + (["local_start", "contract_id"] if table.start_column else [])
        + ([] if table.is_interaction else ["source_file", "source_line"])
    )
    on = " AND ".join(f"i.{k} IS NOT DISTINCT FROM t.{k}" for k in table.key)
    good = "SELECT * FROM staged WHERE _check IS NULL"
    # A key repeated in the run repeats its last column (the id); as many distinct hashes of that
    # column as rows prove there is none (cheap). Only otherwise are whole keys compared.
    repeated, known = con.execute(f"""
        SELECT (SELECT count(*) - count(DISTINCT hash({table.key[-1]})) FROM ({good})),
               (SELECT count(*) FROM ({good}) i SEMI JOIN {table.name} t ON {on})""").fetchone()
    if repeated and len(table.key) > 1:
        repeated = con.execute(f"SELECT count(*) - count(DISTINCT hash({key})) FROM ({good})").fetchone()[0]
    if repeated:
        good += f" QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY rowid DESC) = 1"  # last one wins
    columns = ", ".join(stored)
    if not known:
        con.execute("SET preserve_insertion_order = false")  # stored order is free; saves a sort of work
        counts.loaded = con.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM ({good})").fetchone()[
            0
        ]
        con.execute("RESET preserve_insertion_order")
        stored_now = f"({good}) _"
        vendors, reached = _vendors(con, table, stored_now), [reach(con, table.name, stored_now)]
        con.execute("DROP TABLE staged")
        return vendors, reached
    differs = f"row({', '.join('i.' + c for c in data)}) IS DISTINCT FROM row({', '.join('t.' + c for c in data)})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE incoming AS
        SELECT i.*, CASE WHEN t.{table.key[0]} IS NULL THEN 'loaded' WHEN {differs} THEN 'updated'
                         ELSE 'unchanged' END AS _status
        FROM ({good}) i LEFT JOIN {table.name} t ON {on}""")
    for status, n in con.execute("SELECT _status, count(*) FROM incoming GROUP BY ALL").fetchall():
        setattr(counts, status, n)
    replaced = f"(SELECT * FROM {table.name} t SEMI JOIN incoming i ON i._status = 'updated' AND {on}) _"
    reached = [reach(con, table.name, replaced)]
    con.execute(f"DELETE FROM {table.name} t USING incoming i WHERE i._status = 'updated' AND {on}")
    con.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM incoming WHERE _status <> 'unchanged'")
    changed = "(SELECT * FROM incoming WHERE _status <> 'unchanged') _"
    vendors = _vendors(con, table, changed)
    reached.append(reach(con, table.name, changed))
    con.execute("DROP TABLE staged; DROP TABLE incoming")
    return vendors, reached


def _vendors(con: duckdb.DuckDBPyConnection, table: Table, rows: str) -> set[str]:
    """The vendors whose rows' local time or contract may have moved (see attribution.refresh)."""
    if table.name not in ("vendors", "contracts"):
        return set()
    return {v for (v,) in con.execute(f"SELECT DISTINCT vendor_id FROM {rows}").fetchall()}


__all__ = ["INTERACTIONS", "Derivation", "IngestReport", "Source", "TableCounts", "Touched", "run", "sources_in_dir"]
