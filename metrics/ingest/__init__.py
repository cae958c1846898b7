"""`vendorboard ingest`: load a data directory or single files, all in one atomic write.

Per table: every file is staged as text, typed and checked in SQL (validate.py); rejected rows go
to `quarantine` with file, line, raw row and reason; good rows are de-duplicated by key (the
last file and line win) and upserted, counted as loaded, updated or unchanged. Reference rows
that fail a check stop the run instead: a contract term must never be silently dropped.

A quarantined row is known by its content, not by the file it came in: table, vendor and id, or
without them a hash of the raw row. Loading the same rows again, from any path, replaces them, and
a row that loads removes its quarantined twin. `retry()` loads quarantined rows again against the
reference data stored today (a vendor or contract that arrived after them).

Whoever runs an ingest passes `then(con, touched)`, called before the write commits with what the
run touched (ingest/reach.py), so what is derived from the rows stays current in the same write
(metrics/loading.py: the rollups) without this layer knowing of it.
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
from metrics.ingest import encoding, keys, quarantine, read, reference, zones
from metrics.ingest.attribution import attributed, out_of_contract, refresh
from metrics.ingest.lookups import Lookups
from metrics.ingest.reach import Reach, Touched, reach, to_refresh
from metrics.ingest.tables import INTERACTIONS, LOAD_ORDER, REFERENCE, TABLES, Table
from metrics.ingest.validate import REJECTED, Plausible, stage_sql
from metrics.uploads import kept

Progress = Callable[[str, int, int], None]  # (message, files done, files in all)
Then = Callable[[duckdb.DuckDBPyConnection, Touched], None]
NOT_DATA = "not a data file (expected .csv, .csv.gz or .parquet)"


@dataclass(frozen=True)
class Source:
    kind: str
    path: Path
    name: str | None = None  # what messages and the quarantine call the file (default: its path)
    skip: str | None = None  # why the file is not read (reported as skipped, not an error)

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

    @property
    def rows(self) -> int:
        return self.loaded + self.updated + self.unchanged + self.rejected

    def reject(self, reason: str, n: int) -> None:
        self.rejected += n
        self.rejected_by_reason[reason] = self.rejected_by_reason.get(reason, 0) + n


@dataclass
class IngestReport:
    tables: dict[str, TableCounts]
    out_of_contract: dict[str, int]
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"file", "reason"}: files not read
    retryable: int = 0  # quarantined rows of vendors that are known now: `retry` would load them
    imports: list[dict] = field(default_factory=list)  # per import: what each of its steps produced

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.tables.values())

    def as_dict(self) -> dict:
        return {
            "tables": {t: {**vars(c)} for t, c in self.tables.items()},
            "out_of_contract": self.out_of_contract,
            "skipped": self.skipped,
            "retryable": self.retryable,
        } | ({"imports": self.imports} if self.imports else {})


class Derivation(Protocol):
    """A platform's export read through an import profile or mapping (metrics/imports): inside the
    run's transaction it derives rows of the native tables, which are then typed, checked,
    quarantined and stored exactly like a file's rows."""

    files: tuple[read.File, ...]

    def derive(
        self, con: duckdb.DuckDBPyConnection, scratch: Path, by_line: frozenset[str] = frozenset()
    ) -> dict[str, read.Scan]:
        """The derived rows of each table it fills, as scans yielding `_file`, `_line`, `_blank`, `_raw`,
        `_reject`, `_reject_detail` and the table's columns as text; CSV files named in `by_line` are
        read line by line (read.ReadLineByLine)."""
        ...

    def steps(self) -> dict:
        """What each step produced (after derive), for the run's report."""
        ...


def sources_in_dir(data_dir: Path) -> list[Source]:
    """Every file under the table folders (matched case-insensitively: `Calls/` is calls), in name
    order, hidden files left out. Files that are not data files, files beside the table folders and
    folders that name no table are returned as skipped, so that the run reports them."""
    if not data_dir.is_dir():
        raise VendorboardError.of("error.not_a_directory", path=str(data_dir))
    folders: dict[str, list[Path]] = {}
    skipped: list[Source] = []
    for entry in sorted(p for p in data_dir.iterdir() if not p.name.startswith(".")):
        if entry.is_dir() and entry.name.lower() in TABLES:
            folders.setdefault(entry.name.lower(), []).append(entry)
        else:
            why = "a folder that names no table" if entry.is_dir() else "not in a table folder"
            skipped.append(Source("", entry, skip=why))
    found = [
        Source(kind, path, skip=None if read.supported(path) else NOT_DATA)
        for kind in LOAD_ORDER
        for folder in folders.get(kind, [])
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    ]
    if not any(s.skip is None for s in found):
        raise VendorboardError.of("error.no_data_files", path=str(data_dir), folders=", ".join(LOAD_ORDER))
    return found + skipped


def run(
    db: Path,
    sources: Sequence[Source],
    then: Then,
    progress: Progress | None = None,
    derived: Sequence[Derivation] = (),
    *,
    plausible: Plausible | None = None,
    max_rejected: float | None = None,
    by: Principal | None = None,
    audit_as: audit.Change | None = None,
) -> IngestReport:
    """Load `sources` and the rows `derived` from platform exports into the database at `db` as one
    transaction, calling `then` before it commits (see the module docstring) and recorded in the
    audit trail as `by`'s (`audit_as` names the change when it is not a plain load, e.g. one
    payment); nothing changes on error. Refused when `by` may not load one of the tables
    (access.table_permission). `max_rejected`: a table with a larger share of rejected rows fails
    the run."""
    for s in sources:
        if s.skip is None and s.kind not in TABLES:
            raise VendorboardError.of("error.unknown_kind", given=s.kind, kinds=", ".join(LOAD_ORDER))
    readable = sorted((s for s in sources if s.skip is None), key=lambda s: LOAD_ORDER.index(s.kind))
    needed = {table_permission(s.kind) for s in readable} | ({Permission.LOAD} if derived else set())
    actor = acting(by).require(*sorted(needed))
    skipped = [{"file": s.shown, "reason": s.skip} for s in sources if s.skip]

    def change(run_id: int) -> audit.Change:
        return audit_as or _load_change(db, readable, derived, run_id)

    return read.line_by_line_on_failure(
        lambda by_line: _run(
            db,
            _FileReader(readable, skipped, by_line),
            then,
            progress,
            plausible,
            max_rejected,
            derived,
            actor=actor,
            change=change,
        )
    )


def retry(
    db: Path,
    then: Then,
    progress: Progress | None = None,
    *,
    plausible: Plausible | None = None,
    by: Principal | None = None,
) -> IngestReport:
    """Validate every quarantined row that can be read again (read.retryable: not malformed lines,
    which have no columns, nor rows an import derived) against the reference data stored now, and
    load those that pass, in one atomic write calling `then` as `run` does, recorded in the audit
    trail as `by`'s (a role that may load interaction data); the others stay quarantined with their
    reason as it is now. With nothing to retry, nothing is written."""
    actor = acting(by).require(Permission.LOAD)
    con = store.connect_reader(db)
    try:
        waiting = con.execute(
            "SELECT count(*) FROM quarantine WHERE "
            + " OR ".join(f"({read.retryable(TABLES[t])})" for t in INTERACTIONS)
        ).fetchall()[0][0]
    finally:
        con.close()
    if not waiting:
        return IngestReport({}, {})

    def change(run_id: int) -> audit.Change:
        return audit.Change("quarantine_retry", f"{waiting:,} quarantined rows", {"run_id": run_id})

    return _run(db, _QuarantineReader(), then, progress, plausible, None, actor=actor, change=change)


class _FileReader:
    """The scans of the files of each table (ingest)."""

    def __init__(self, sources: list[Source], skipped: list[dict[str, str]], by_line: frozenset[str]) -> None:
        self.sources, self.skipped, self.by_line = sources, list(skipped), by_line
        self.total = len(sources)

    def kinds(self) -> set[str]:
        return {s.kind for s in self.sources}

    def scans(self, con: duckdb.DuckDBPyConnection, kind: str, scratch: Path) -> list[read.Scan]:
        """The scans of the table's files, those in another encoding as UTF-8 copies in `scratch`
        (encoding.py): surveyed and read as the UTF-8 text, their lines numbered as in the file."""
        files = [read.File(s.path, s.shown) for s in self.sources if s.kind == kind]
        for f in files:
            if not read.supported(f.path):
                raise VendorboardError.of("error.unsupported", file=f.shown, expected=", ".join(read.SUFFIXES))
        files = encoding.as_utf8(files, scratch)
        scans, skipped = read.scan(con, files, TABLES[kind], self.by_line)
        self.skipped += [{"file": s.file, "reason": s.reason} for s in skipped]
        return scans


class _QuarantineReader:
    """The quarantined rows of each interaction table (retry)."""

    def __init__(self) -> None:
        self.skipped: list[dict[str, str]] = []
        self.total = len(INTERACTIONS)
        self.by_line: frozenset[str] = frozenset()

    def kinds(self) -> set[str]:
        return set(INTERACTIONS)

    def scans(self, con: duckdb.DuckDBPyConnection, kind: str, scratch: Path) -> list[read.Scan]:
        found = read.quarantined(con, TABLES[kind])
        return [found] if found else []


def _run(
    db: Path,
    reader: _FileReader | _QuarantineReader,
    then: Then,
    progress: Progress | None,
    plausible: Plausible | None,
    max_rejected: float | None,
    derived: Sequence[Derivation] = (),
    *,
    actor: Principal,
    change: Callable[[int], audit.Change],
) -> IngestReport:
    """One ingest run over what `reader` reads and `derived` derives (CSV files named in
    `reader.by_line` read line by line), in one write (see the module docstring), recorded as
    `actor`'s audit entry `change(run_id)` with the counts."""
    started = dt.datetime.now(dt.UTC)
    window = (plausible or Plausible()).window(started)
    counts: dict[str, TableCounts] = {}
    kinds = reader.kinds()
    total = reader.total + sum(len(d.files) for d in derived)
    imported: dict[str, list[read.Scan]] = {}  # table -> the scans of rows derived from exports
    with store.writer(db, "ingest") as con, tempfile.TemporaryDirectory(prefix="vendorboard-") as scratch:
        run_id = con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs").fetchone()[0]
        done = 0
        lookups: Lookups | None = None
        reaches: dict[str, list[Reach]] = {}  # table -> the months its changes can move

        def load(kind: str) -> set[str]:
            nonlocal done, lookups
            table = TABLES[kind]
            scans = (reader.scans(con, kind, Path(scratch)) if kind in kinds else []) + imported.get(kind, [])
            if not scans:
                return set()
            counts[kind] = TableCounts()
            con.execute(f"DROP TABLE IF EXISTS staged; DROP TABLE IF EXISTS {read.MALFORMED}")
            if lookups is None:
                lookups = Lookups.load(con, with_offsets=kind in INTERACTIONS)
            seq, shown = 0, []
            for scan in scans:
                more = len(scan.files) - 1
                message = f"reading {scan.files[0].shown}" + (f" and {more} more" if more else "")
                percent = None
                if progress:
                    progress(message, done, total)
                    percent = lambda pct, m=message, d=done: progress(f"{m} ({pct:.0f} %)", d, total)  # noqa: E731
                _stage(con, _Typing(table, lookups, window), scan, seq, percent)
                seq += len(scan.files)
                done += 0 if scan.derived else len(scan.files)
                shown += [f.shown for f in scan.files]
            if progress:
                progress(f"storing {kind}", done, total)
            if table.is_interaction:
                for reason, n in quarantine.record(con, table, shown).items():
                    counts[kind].reject(reason, n)
            else:
                _provenance(con, table, shown)
            vendors, reaches[kind] = _upsert(con, table, counts[kind])
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
            for kind, scan in d.derive(con, Path(scratch), reader.by_line).items():
                imported.setdefault(kind, []).append(scan)
            done += len(d.files)
        for kind in INTERACTIONS:
            load(kind)
        for kind, reasons in moved.items():
            for reason, n in reasons.items():
                counts.setdefault(kind, TableCounts()).reject(reason, n)
        if not counts:
            skipped = "; ".join(f"{s['file']}: {s['reason']}" for s in reader.skipped[:3])
            raise VendorboardError("nothing to load" + (f": every file was skipped ({skipped})" if skipped else ""))
        _limit_rejections(counts, max_rejected)
        then(con, to_refresh(con, reaches))
        retryable = con.execute(  # rows that came before their vendor
            "SELECT count(*) FROM quarantine WHERE reason = 'unknown_vendor' "
            "AND vendor_id IN (SELECT vendor_id FROM vendors)"
        ).fetchall()[0][0]
        report = IngestReport(
            counts, out_of_contract(con, list(counts)), reader.skipped, retryable, [d.steps() for d in derived]
        )
        con.execute(
            "INSERT INTO ingest_runs VALUES (?, ?, now(), ?)",
            [run_id, started, json.dumps(report.as_dict())],
        )
        entry = change(run_id).with_counts(report)
        audit.record(con, actor, entry.action, entry.subject, entry.details)
    return report


def _load_change(db: Path, sources: Sequence[Source], derived: Sequence[Derivation], run_id: int) -> audit.Change:
    """A load as the trail records it: its files (an upload also where it is kept) and run number."""
    named = [(s.kind, s.shown, s.path) for s in sources] + [
        ("import", f.shown, f.path) for d in derived for f in d.files
    ]
    files = [{"table": kind, "file": name} | kept(db, path) for kind, name, path in named]
    subject = files[0]["file"] if len(files) == 1 else f"{len(files)} files"
    return audit.Change("ingest", subject, {"run_id": run_id, "files": files})


def _limit_rejections(counts: dict[str, TableCounts], max_rejected: float | None) -> None:
    """`--max-rejected`: a table whose share of rejected rows is above it fails the run."""
    if max_rejected is None:
        return
    for name, c in counts.items():
        if c.rows and c.rejected / c.rows > max_rejected:
            raise VendorboardError(
                f"{name}: {c.rejected:,} of {c.rows:,} rows rejected ({c.rejected / c.rows:.1%}), more than "
                f"--max-rejected {max_rejected:.1%}; nothing changed"
            )


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


@dataclass(frozen=True)
class _Typing:
    """What typing a table's rows needs: the table, what is stored (lookups), the plausible window."""

    table: Table
    lookups: Lookups
    window: tuple[dt.datetime, dt.datetime]


def _insert(
    con: duckdb.DuckDBPyConnection, typing: _Typing, scan: read.Scan, first_seq: int, report: Callable | None
) -> None:
    """Type a scan's rows into temp table `staged` (file i as `_seq` first_seq + i), in file order."""
    table = typing.table
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'staged' AND temporary").fetchone()[0]
    provenance = (
        "" if table.is_interaction else ", CAST(NULL AS VARCHAR) AS source_file, CAST(NULL AS BIGINT) AS source_line"
    )
    select = (
        f"SELECT ({first_seq} + _file)::INTEGER AS _seq, * EXCLUDE (_file){provenance} "
        f"FROM ({stage_sql(table, scan.sql, typing.lookups, typing.window, scan.derived)})"
    )
    try:  # the rows land in file order, so rowid gives the fast reader's rows their lines
        with _watch(con, report):
            con.execute(f"INSERT INTO staged {select}" if exists else f"CREATE TEMP TABLE staged AS {select}")
    except duckdb.Error as exc:
        raise read.failed_file(con, scan, exc) from None


def _stage(
    con: duckdb.DuckDBPyConnection, typing: _Typing, scan: read.Scan, first_seq: int, report: Callable | None
) -> None:
    """Stage a scan's rows and lines that could not be split (read.MALFORMED), giving each rejected
    row (every row of a reference table) its line; a file the fast reader did not read line for line
    is read again line by line. A reference table's first bad line stops the run; an interaction
    file that is mostly malformed lines does too."""
    table = typing.table
    _insert(con, typing, scan, first_seq, report)
    read.settle(con, scan, first_seq, table, "staged", lambda again, seq: _insert(con, typing, again, seq, None))
    this = f"_seq BETWEEN {first_seq} AND {first_seq + len(scan.files) - 1}"
    wanted = "true" if not table.is_interaction else REJECTED
    read.number_lines(con, scan, first_seq, "staged", f"{this} AND {wanted}")
    for i, f in enumerate(scan.files):  # the first problem in file order stops the run
        seq = first_seq + i
        bad = con.execute(
            f"SELECT line, detail, count(*) OVER () FROM {read.MALFORMED} WHERE _seq = {seq} AND NOT empty "
            "ORDER BY line LIMIT 1"
        ).fetchone()
        if not table.is_interaction:
            first = con.execute(
                f"SELECT _line, _detail, _reason FROM staged WHERE _seq = {seq} AND {REJECTED} ORDER BY _line LIMIT 1"
            ).fetchone()
            if bad and (not first or bad[0] < first[0]):
                raise VendorboardError.of("error.malformed_row", file=f.shown, line=bad[0], detail=bad[1])
            if first:
                raise VendorboardError.of(
                    "error.row_reason", file=f.shown, line=first[0], detail=first[1], reason=first[2]
                )
        elif bad:
            rows = f"SELECT count(*) FROM staged WHERE _seq = {seq} AND _check IS DISTINCT FROM 0"  # not blank
            lines = bad[2] + con.execute(rows).fetchone()[0]
            if bad[2] > lines / 2:  # not a file of this table, or not CSV: one message, not noise
                raise VendorboardError.of(
                    "error.mostly_malformed",
                    file=f.shown,
                    n=f"{bad[2]:,}",
                    lines=f"{lines:,}",
                    line=bad[0],
                    detail=bad[1],
                    table=table.name,
                )


def _provenance(con: duckdb.DuckDBPyConnection, table: Table, shown: list[str]) -> None:
    """Reference rows remember their file and line, for the messages of later checks."""
    con.execute("UPDATE staged SET source_file = (?::VARCHAR[])[_seq + 1], source_line = _line", [shown])


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
    near = keys.near(con, table, good)  # the stored rows that can hold an incoming key
    stored_rows = f"(SELECT * FROM {table.name} t WHERE {near})"
    # A key repeated in the run repeats its last column (the id); as many distinct hashes of that
    # column as rows prove there is none (cheap). Only otherwise are whole keys compared.
    repeated, known = con.execute(f"""
        SELECT (SELECT count(*) - count(DISTINCT hash({table.key[-1]})) FROM ({good})),
               (SELECT count(*) FROM ({good}) i SEMI JOIN {stored_rows} t ON {on})""").fetchone()
    if repeated and len(table.key) > 1:
        repeated = con.execute(f"SELECT count(*) - count(DISTINCT hash({key})) FROM ({good})").fetchone()[0]
    if repeated:  # the last one wins: files in order, then rows (a file read again is staged later)
        good += f" QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY _seq DESC, rowid DESC) = 1"
    if table.start_column:
        good = attributed(good)
    columns = ", ".join(stored)
    if not known:
        con.execute("SET preserve_insertion_order = false")  # stored order is free; saves a sort of work
        counts.loaded = con.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM ({good})").fetchone()[
            0
        ]
        con.execute("RESET preserve_insertion_order")
        stored_now = f"({good}) _"
        keys.widen(con, table, good)
        vendors, reached = _vendors(con, table, stored_now), [reach(con, table.name, stored_now)]
        con.execute("DROP TABLE staged")
        return vendors, reached
    differs = f"row({', '.join('i.' + c for c in data)}) IS DISTINCT FROM row({', '.join('t.' + c for c in data)})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE incoming AS
        SELECT i.*, CASE WHEN t.{table.key[0]} IS NULL THEN 'loaded' WHEN {differs} THEN 'updated'
                         ELSE 'unchanged' END AS _status
        FROM ({good}) i LEFT JOIN {stored_rows} t ON {on}""")
    for status, n in con.execute("SELECT _status, count(*) FROM incoming GROUP BY ALL").fetchall():
        setattr(counts, status, n)
    replaced = f"(SELECT * FROM {stored_rows} t SEMI JOIN incoming i ON i._status = 'updated' AND {on}) _"
    reached = [reach(con, table.name, replaced)]
    con.execute(f"DELETE FROM {table.name} t USING incoming i WHERE i._status = 'updated' AND {on} AND {near}")
    con.execute(f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM incoming WHERE _status <> 'unchanged'")
    changed = "(SELECT * FROM incoming WHERE _status <> 'unchanged') _"
    keys.widen(con, table, "SELECT * FROM incoming WHERE _status <> 'unchanged'")
    vendors = _vendors(con, table, changed)
    reached.append(reach(con, table.name, changed))
    con.execute("DROP TABLE staged; DROP TABLE incoming")
    return vendors, reached


def _vendors(con: duckdb.DuckDBPyConnection, table: Table, rows: str) -> set[str]:
    """The vendors whose rows' local time or contract may have moved (see attribution.refresh)."""
    if table.name not in ("vendors", "contracts"):
        return set()
    return {v for (v,) in con.execute(f"SELECT DISTINCT vendor_id FROM {rows}").fetchall()}


__all__ = [
    "INTERACTIONS",
    "Derivation",
    "IngestReport",
    "Source",
    "TableCounts",
    "Then",
    "Touched",
    "retry",
    "run",
    "sources_in_dir",
]
