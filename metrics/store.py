"""The embedded DuckDB store: schema migrations, read connections and snapshot-swap writes.

DuckDB lets one process write a file *or* many processes read it, never both. So writers never
open the live file: `writer()` copies it to a private snapshot, writes there in one transaction,
checkpoints, and atomically renames the snapshot over the live file. Readers keep their open
(old) file until they reconnect; `data_version()` changes with every swap so they know when to.
A failed or killed write leaves only a stale snapshot, which the next writer deletes: the live
file is never touched until the whole run has succeeded.

Every way a write can fail outside the data (disk full, no permission, another writer holding the
lock too long, a database file this version cannot read) is one VendorboardError naming the file,
with the snapshot removed at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from metrics.errors import VendorboardError

SCHEMA_VERSION_TABLE = "schema_version"
LOCK_TIMEOUT = 600.0  # seconds a write waits for another one; VENDORBOARD_LOCK_TIMEOUT overrides
RESOURCE_ERRORS = ("No space left on device", "Disk quota exceeded", "Permission denied", "Read-only file system")


def _migrations() -> list[tuple[int, str]]:
    """Numbered SQL files in metrics/schema, applied in order; the number is the version."""
    files = resources.files("metrics").joinpath("schema").iterdir()
    found = sorted((int(f.name.split("_", 1)[0]), f.read_text()) for f in files if f.name.endswith(".sql"))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [SCHEMA_VERSION_TABLE]
    ).fetchall()[0][0]
    if not exists:
        return 0
    # fetchall drains the result: an open execute() result would own the connection (DuckDB 2).
    return con.execute(f"SELECT max(version) FROM {SCHEMA_VERSION_TABLE}").fetchall()[0][0] or 0


def _applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    if not schema_version(con):
        return set()
    return {v for (v,) in con.execute(f"SELECT version FROM {SCHEMA_VERSION_TABLE}").fetchall()}


def latest_version() -> int:
    return _migrations()[-1][0]


def _require_known_version(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """A file from a newer vendorboard is refused, never half-read (checked before the applied
    migrations are compared: a newer file's set is never ours)."""
    version = schema_version(con)
    if version > latest_version():
        raise VendorboardError(
            f"{path}: written by a newer vendorboard (schema version {version}, this one knows up to "
            f"{latest_version()}); upgrade vendorboard to open it"
        )


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every migration not applied yet, in number order; each runs once. Applied versions are
    a set, not a high-water mark, so a migration numbered below one already applied still runs."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_VERSION_TABLE} (version INTEGER NOT NULL)")
    applied = _applied(con)
    for version, sql in _migrations():
        if version not in applied:
            con.execute(sql)
            con.execute(f"INSERT INTO {SCHEMA_VERSION_TABLE} VALUES (?)", [version])


def _configure(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    # Instants print and compare in UTC; vendor-local time is always explicit in the SQL. DuckDB's
    # own progress bar would write into stdout, which may be JSON for a program: track, do not print.
    con.execute("SET TimeZone = 'UTC'; SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    # An ASOF join whose left side is estimated small runs as a nested loop; the business clock's
    # (service_hours.business_clock_sql) is estimated at a few dozen rows whatever the contracts, so
    # under 1,000 contracts it compared every segment with every window (9 s instead of 0.4 s).
    con.execute("SET asof_loop_join_threshold = 0")
    return con


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the live file (many may be open, in many processes)."""
    if not path.exists():
        raise VendorboardError(f"database {path} does not exist; run `vendorboard ingest` first")
    con = _attach_read_only(path)
    try:
        _require_known_version(con, path)
    except VendorboardError:
        con.close()
        raise
    if _applied(con) != {version for version, _ in _migrations()}:
        con.close()
        with writer(path):
            pass  # the writer migrates
        con = _attach_read_only(path)
    return con


def _attach_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    # A fresh in-memory instance per connection that attaches the file: duckdb.connect(path) would
    # hand back a cached instance of the *old* file while any connection to it is still open.
    con = _configure(duckdb.connect())
    try:
        con.execute("ATTACH ? AS vb (READ_ONLY)", [str(path)])
    except duckdb.Error as exc:
        con.close()
        raise _unusable(path, exc) from None
    con.execute("USE vb")
    return con


def _unusable(path: Path, exc: Exception, opened: Path | None = None) -> VendorboardError:
    """A database file that cannot be opened (not DuckDB, damaged, from a newer DuckDB, unreadable);
    `opened`: the copy that was opened, which the message calls by the live file's name."""
    reason = _first_line(exc).replace(str(opened), str(path)) if opened else _first_line(exc)
    return VendorboardError(f"{path}: cannot open the database ({reason})")


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _failed_write(path: Path, exc: BaseException) -> VendorboardError:
    """A write that failed for a reason outside the data, in one line (disk full, no permission)."""
    reason = _first_line(exc)
    if "No space left on device" in str(exc) or getattr(exc, "errno", None) == 28:
        reason = "the disk is full (No space left on device)"
    return VendorboardError(f"{path}: cannot write the database: {reason}; nothing changed")


def data_version(path: Path) -> tuple[int, int] | None:
    """Changes with every committed write (a new file is swapped in); None when there is no DB."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


def _lock_timeout() -> float:
    text = os.environ.get("VENDORBOARD_LOCK_TIMEOUT")
    try:
        return LOCK_TIMEOUT if text is None else float(text)
    except ValueError:
        raise VendorboardError(f"VENDORBOARD_LOCK_TIMEOUT must be a number of seconds (got '{text}')") from None


def _holder(lock) -> str:
    """What holds the lock, as its holder wrote it: 'the ingest started at … (process N)'."""
    lock.seek(0)
    try:
        held = json.loads(lock.read() or "{}")
        return f"the {held['purpose']} started at {held['started_at']} (process {held['pid']})"
    except (ValueError, KeyError, TypeError):
        return "another write"


@contextlib.contextmanager
def _write_lock(path: Path, purpose: str) -> Iterator[None]:
    """Writes queue on `<db>.lock`; a waiter says on stderr what it waits for, and gives up (nothing
    changed) after VENDORBOARD_LOCK_TIMEOUT seconds."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        lock = open(lock_path, "a+")  # not "w": that would erase what the holder wrote
    except OSError as exc:
        raise _failed_write(path, exc) from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder, timeout = _holder(lock), _lock_timeout()
            print(f"waiting for {holder} to finish", file=sys.stderr, flush=True)
            deadline = time.monotonic() + timeout
            while True:
                time.sleep(0.05)
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise VendorboardError(
                            f"{path}: still locked by {holder} after {timeout:g} s; nothing changed "
                            "(VENDORBOARD_LOCK_TIMEOUT sets how long to wait)"
                        ) from None
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        lock.seek(0)
        lock.truncate()
        lock.write(json.dumps({"purpose": purpose, "started_at": started, "pid": os.getpid()}))
        lock.flush()
        yield


def _remove(snapshot: Path) -> None:
    """A snapshot and what DuckDB keeps beside it (its WAL, its spill folder)."""
    for leftover in (snapshot, snapshot.with_name(snapshot.name + ".wal"), snapshot.with_name(snapshot.name + ".tmp")):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                leftover.unlink()


@contextlib.contextmanager
def writer(path: Path, purpose: str = "write") -> Iterator[duckdb.DuckDBPyConnection]:
    """One atomic write: yields a connection to a snapshot that replaces the live file on success.
    `purpose` (e.g. "ingest") is what a second writer is told it waits for."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _failed_write(path, exc) from None
    with _write_lock(path, purpose):
        for stale in path.parent.glob(path.name + ".tmp-*"):
            _remove(stale)  # left by a killed writer; we hold the lock, so nobody else owns it
        snapshot = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        con, committing = None, False
        try:
            if path.exists():
                shutil.copyfile(path, snapshot)
            try:
                con = _configure(duckdb.connect(str(snapshot)))
            except duckdb.Error as exc:  # a copy of a file that is not a (readable) database
                raise _unusable(path, exc, snapshot) from None
            _require_known_version(con, path)
            con.execute("BEGIN TRANSACTION")
            migrate(con)  # in the write's transaction: one commit, not one per statement of the schema
            yield con
            committing = True
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            con.close()
            con = None
            os.replace(snapshot, path)
        except BaseException as exc:
            if con is not None:
                with contextlib.suppress(duckdb.Error):
                    con.close()
            _remove(snapshot)
            if _outside_the_data(exc) or (committing and isinstance(exc, duckdb.Error)):
                raise _failed_write(path, exc) from None
            raise


def _outside_the_data(exc: BaseException) -> bool:
    """A failure of the machine rather than of the data: the disk, permissions, memory."""
    if isinstance(exc, (OSError, duckdb.IOException, duckdb.OutOfMemoryException)):
        return True
    return isinstance(exc, duckdb.Error) and any(text in str(exc) for text in RESOURCE_ERRORS)


def rolled_up(con: duckdb.DuckDBPyConnection, month: dt.date) -> bool:
    """Whether `month` has rollups (metrics/rollup.py), which every write keeps current."""
    return con.execute("SELECT count(*) FROM rollup_months WHERE month = ?", [month]).fetchall()[0][0] > 0


def is_empty(path: Path) -> bool:
    """True when there is no database yet or it holds no vendors (the dashboard then loads the sample)."""
    if not path.exists():
        return True
    con = connect_reader(path)
    try:
        return con.execute("SELECT count(*) FROM vendors").fetchone()[0] == 0
    finally:
        con.close()
