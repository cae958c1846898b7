"""The embedded DuckDB store: schema migrations, read connections and snapshot-swap writes.

DuckDB lets one process write a file *or* many processes read it, never both. So writers never
open the live file: `writer()` copies it to a private snapshot, writes there in one transaction,
checkpoints, and atomically renames the snapshot over the live file. Readers keep their open
(old) file until they reconnect; `data_version()` changes with every swap so they know when to.
A failed or killed write leaves only a stale snapshot, which the next writer deletes: the live
file is never touched until the whole run has succeeded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import duckdb

from metrics.errors import VendorboardError

SCHEMA_VERSION_TABLE = "schema_version"


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
    return con


def connect_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the live file (many may be open, in many processes)."""
    if not path.exists():
        raise VendorboardError(f"database {path} does not exist; run `vendorboard ingest` first")
    con = _attach_read_only(path)
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
    con.execute("ATTACH ? AS vb (READ_ONLY)", [str(path)])
    con.execute("USE vb")
    return con


def data_version(path: Path) -> tuple[int, int] | None:
    """Changes with every committed write (a new file is swapped in); None when there is no DB."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


@contextlib.contextmanager
def _write_lock(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another write is running: wait our turn
        yield


@contextlib.contextmanager
def writer(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One atomic write: yields a connection to a snapshot that replaces the live file on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock(path):
        for stale in path.parent.glob(path.name + ".tmp-*"):
            stale.unlink()  # left by a killed writer; we hold the lock, so nobody else owns it
        snapshot = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        if path.exists():
            shutil.copyfile(path, snapshot)
        con = _configure(duckdb.connect(str(snapshot)))
        try:
            con.execute("BEGIN TRANSACTION")
            migrate(con)  # in the write's transaction: one commit, not one per statement of the schema
            yield con
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
            con.close()
            os.replace(snapshot, path)
        except BaseException:
            con.close()
            snapshot.unlink(missing_ok=True)
            snapshot.with_name(snapshot.name + ".wal").unlink(missing_ok=True)
            raise


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
