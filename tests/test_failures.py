"""Every failure is one line and exit code 2, the database as it was and no snapshot left behind
(issue 12, point 6): disk full, permission denied, a lock held too long, a database file from a
newer version or not a database at all. Exit codes a script can trust (point 7), and timestamps no
month arithmetic can choke on (point 5)."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import BASE_REFERENCE, table_fingerprints, write_data

from metrics import periods, store
from metrics.errors import VendorboardError
from metrics.ingest import Source, sources_in_dir
from metrics.ingest.validate import Plausible
from metrics.loading import ingest

HEADER = "call_id,vendor_id,offered_at,answered_at,ended_at"


def command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "metrics.cli", "--db", str(db), *args]


def vendorboard(db: Path, *args: str, prefix: tuple[str, ...] = (), **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *command(db, *args)], check=False, capture_output=True, text=True, **kwargs)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: "), proc.stderr[-3000:]
    return proc.stderr


def calls_file(path: Path, rows: int, when: str = "2026-10-01 09:00:00") -> Path:
    path.write_text(HEADER + "\n" + "".join(f"k{i},V1,{when},,{when}\n" for i in range(rows)))
    return path


# ---- disk full -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 24 MB tmpfs (root can mount one); skipped, saying why, where it cannot be made. The
    simulated ENOSPC tests below run everywhere."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], check=False, capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def fill(disk: Path, leave: int) -> None:
    """Fill the file system up to `leave` bytes free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as f:
        f.write(b"\0" * max(free - leave, 0))


@pytest.mark.parametrize("copy_fits", [False, True], ids=["at-the-copy", "while-writing"])
def test_disk_full_is_one_line_and_changes_nothing(small_disk, tmp_path, copy_fits):
    db = small_disk / "vb.duckdb"
    ingest(db, sources_in_dir(write_data(tmp_path / "ref", BASE_REFERENCE)))
    before = db.read_bytes()
    # 256 kB free cannot hold the snapshot copy (about 1.3 MB); the copy and 1 MB more can be
    # written, but not the 150,000 calls (some 3 MB in DuckDB's columns)
    fill(small_disk, len(before) + 1024 * 1024 if copy_fits else 256 * 1024)
    proc = vendorboard(db, "ingest", "--kind", "calls", str(calls_file(tmp_path / "calls.csv", 150_000)))
    message = one_line_error(proc)
    assert message.startswith(f"error: {db}: cannot write the database: ") and message.endswith("; nothing changed\n")
    assert "disk is full" in message or "No space left" in message
    assert db.read_bytes() == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "vb.duckdb", "vb.duckdb.lock"]


def test_enospc_at_the_copy_removes_the_partial_snapshot(tmp_path, load, db, monkeypatch):
    load({})
    before = db.read_bytes()

    def copy_half_then_fail(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:1000])  # what a full disk leaves
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", copy_half_then_fail)
    with pytest.raises(
        VendorboardError,
        match=r"cannot write the database: the disk is full \(No space left on device\); nothing changed",
    ):
        ingest(db, [Source("calls", calls_file(tmp_path / "c.csv", 3))])
    assert db.read_bytes() == before and not list(db.parent.glob("*.tmp-*"))


def test_enospc_at_the_swap_leaves_the_live_file(tmp_path, load, db, monkeypatch):
    load({})
    before = db.read_bytes()

    def no_room(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", no_room)
    with pytest.raises(VendorboardError, match=r"the disk is full"):
        ingest(db, [Source("calls", calls_file(tmp_path / "c.csv", 3))])
    assert db.read_bytes() == before and not list(db.parent.glob("*.tmp-*"))


# ---- permission denied -----------------------------------------------------------------------


def test_a_folder_the_user_may_not_write_is_one_line(tmp_path):
    """Root may write anywhere: as root the command runs without the capabilities that allow it."""
    folder = tmp_path / "readonly"
    db = folder / "vb.duckdb"
    ingest(db, sources_in_dir(write_data(tmp_path / "ref", BASE_REFERENCE)))
    before = db.read_bytes()
    data = calls_file(tmp_path / "calls.csv", 3)
    folder.chmod(0o555)
    as_user = ("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--")
    try:
        proc = vendorboard(db, "ingest", "--kind", "calls", str(data), prefix=as_user if os.geteuid() == 0 else ())
    finally:
        folder.chmod(0o755)
    assert one_line_error(proc) == f"error: {db}: cannot write the database: Permission denied; nothing changed\n"
    assert db.read_bytes() == before


# ---- a database held by another writer -------------------------------------------------------


HOLDER = """
import sys
from pathlib import Path
from metrics import store
with store._write_lock(Path(sys.argv[1]), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.readline()  # until the test says so
"""


@pytest.fixture
def held(load, db: Path):
    """A database with the reference data, and another process holding its write lock as an ingest
    would, until `release()`."""
    load({})
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), "ingest"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline() == "held\n"
    info = json.loads(db.with_name(db.name + ".lock").read_text())
    yield f"the ingest started at {info['started_at']} (process {holder.pid})", lambda: holder.communicate("\n")
    if holder.poll() is None:
        holder.kill()


def test_waiting_for_another_ingest_says_so_then_gives_up_after_the_timeout(tmp_path, db, held):
    holder, release = held
    data = calls_file(tmp_path / "c.csv", 3)
    before = db.read_bytes()
    env = {**os.environ, "VENDORBOARD_LOCK_TIMEOUT": "1.5"}
    proc = vendorboard(db, "ingest", "--kind", "calls", str(data), env=env)
    release()
    waiting, error = proc.stderr.splitlines()
    assert waiting == f"waiting for {holder} to finish"
    assert error == (
        f"error: {db}: still locked by {holder} after 1.5 s; nothing changed "
        "(VENDORBOARD_LOCK_TIMEOUT sets how long to wait)"
    )
    assert proc.returncode == 2 and db.read_bytes() == before


def test_a_waiting_writer_goes_ahead_when_the_lock_is_released(tmp_path, db, held):
    holder, release = held
    data = calls_file(tmp_path / "c.csv", 3)
    waiter = subprocess.Popen(command(db, "ingest", "--kind", "calls", str(data)), stderr=subprocess.PIPE, text=True)
    assert waiter.stderr.readline() == f"waiting for {holder} to finish\n"
    release()
    assert waiter.wait() == 0


# ---- database files this version cannot use ------------------------------------------------


def test_a_database_from_a_newer_version_is_refused_in_one_line(tmp_path, load, db):
    load({})
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO schema_version VALUES (999)")
    con.close()
    before = db.read_bytes()
    for args in (["sla", "--month", "2026-10"], ["ingest", "--kind", "calls", str(calls_file(tmp_path / "c.csv", 1))]):
        message = one_line_error(vendorboard(db, *args))
        assert message == (
            f"error: {db}: written by a newer vendorboard (schema version 999, this one knows up to "
            f"{store.latest_version()}); upgrade vendorboard to open it\n"
        )
    assert db.read_bytes() == before


def test_a_file_that_is_not_a_database_is_one_line(tmp_path):
    db = tmp_path / "vb.duckdb"
    db.write_bytes(b"this is a spreadsheet, not a database\n" * 100)
    before = db.read_bytes()
    for args in (["sla", "--month", "2026-10"], ["ingest", "--kind", "calls", str(calls_file(tmp_path / "c.csv", 1))]):
        message = one_line_error(vendorboard(db, *args))
        assert message.startswith(f"error: {db}: cannot open the database (")
    assert db.read_bytes() == before and not list(tmp_path.glob("*.tmp-*"))


# ---- exit codes and --max-rejected (point 7) -------------------------------------------------


def test_exit_codes_0_all_loaded_3_some_rejected_2_nothing_changed(tmp_path, load, db):
    load({})
    good = calls_file(tmp_path / "good.csv", 2)
    assert vendorboard(db, "ingest", "--kind", "calls", str(good)).returncode == 0
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(HEADER + "\nm1,V1,2026-10-01 09:00:00,,2026-10-01 09:05:00\nm2,V1,bad,,2026-10-01 09:05:00\n")
    proc = vendorboard(db, "ingest", "--kind", "calls", str(mixed))
    assert proc.returncode == 3
    assert proc.stderr == "rejected 1 row(s): calls 1 (bad_timestamp 1); see `vendorboard quarantine`\n"
    before = db.read_bytes()
    proc = vendorboard(db, "ingest", "--kind", "calls", str(tmp_path / "missing.csv"))
    assert one_line_error(proc) == f"error: {tmp_path / 'missing.csv'}: no such file\n"
    assert db.read_bytes() == before


@pytest.mark.parametrize(("limit", "code"), [("0.4", 3), ("40%", 3), ("0.2", 2), ("20%", 2)])
def test_max_rejected_turns_too_many_rejections_into_a_run_that_changes_nothing(tmp_path, load, db, limit, code):
    load({})
    before = table_fingerprints(db)
    path = tmp_path / "c.csv"  # 3 of 10 rows rejected: 30 %
    path.write_text(
        HEADER
        + "\n"
        + "".join(f"k{i},V1,2026-10-01 09:00:00,,2026-10-01 09:05:00\n" for i in range(7))
        + "".join(f"b{i},V1,never,,2026-10-01 09:05:00\n" for i in range(3))
    )
    proc = vendorboard(db, "ingest", "--kind", "calls", "--max-rejected", limit, str(path))
    assert proc.returncode == code, proc.stderr
    if code == 2:
        assert proc.stderr == (
            "error: calls: 3 of 10 rows rejected (30.0%), more than --max-rejected 20.0%; nothing changed\n"
        )
        assert table_fingerprints(db) == before


def test_max_rejected_must_be_a_share(tmp_path, load, db):
    load({})
    proc = vendorboard(
        db, "ingest", "--kind", "calls", "--max-rejected", "lots", str(calls_file(tmp_path / "c.csv", 1))
    )
    assert one_line_error(proc) == "error: --max-rejected must be a share of rows such as 0.05 or 5% (got 'lots')\n"


# ---- plausibility (point 5) ------------------------------------------------------------------


def test_implausible_times_are_rejected_and_the_window_is_configurable(tmp_path, load, db, query):
    load({})
    path = tmp_path / "c.csv"
    path.write_text(
        HEADER
        + "\na,V1,1970-01-01 08:00:00,,1970-01-01 08:05:00"
        + "\nb,V1,2226-05-01 10:00:00,,2226-05-01 10:05:00"
        + "\nc,V1,2026-10-01 09:00:00,,2026-10-01 09:05:00"
        + "\nd,V1,2026-10-01 09:00:00,2125-10-01 09:00:00,2125-10-01 09:05:00\n"
    )
    report = ingest(db, [Source("calls", path)], plausible=Plausible(), max_rejected=None)
    assert report.tables["calls"].rejected_by_reason == {"implausible_time": 3}
    assert query("SELECT call_id FROM calls") == [("c",)]
    details = [d for (d,) in query("SELECT detail FROM quarantine ORDER BY line")]
    assert details[0].startswith("offered_at 1970-01-01 08:00:00 is outside the plausible range 2000-01-01 to ")
    assert details[2].startswith("answered_at 2125-10-01 09:00:00 is outside")
    # --earliest 1960-01-01 --future-days 80000 (about 219 years): all four are plausible
    proc = vendorboard(db, "ingest", "--kind", "calls", "--earliest", "1960-01-01", "--future-days", "80000", str(path))
    assert proc.returncode == 0, proc.stderr
    assert query("SELECT count(*) FROM calls") == [(4,)]


def test_month_arithmetic_never_fails_at_the_end_of_time(tmp_path, load, db):
    assert periods.next_month(dt.date(9999, 12, 1)) == dt.date.max
    assert periods.previous_month(dt.date(1, 1, 1)) == dt.date.min
    # with the window wide open, a call in the last days a date can hold loads, and its month has
    # figures (the window ends 9999-12-31T00:00Z, so that no local time passes the year 9999)
    load({"rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,0.50"})
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\nz,V1,9999-12-30 10:00:00,9999-12-30 10:00:05,9999-12-30 10:10:05\n")
    report = ingest(db, [Source("calls", path)], plausible=Plausible(dt.date(1, 1, 1), dt.timedelta(days=3_000_000)))
    assert report.tables["calls"].loaded == 1
    for args in (["sla", "--month", "9999-12"], ["invoice", "--month", "9999-12", "--format", "json"]):
        proc = vendorboard(db, *args)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    [invoice] = json.loads(
        vendorboard(db, "invoice", "--month", "9999-12", "--contract", "C1", "--format", "json").stdout
    )
    assert invoice["lines"][0]["amount"] == "5.00"  # 10 minutes at 0.50
