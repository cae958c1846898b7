"""SPEC §2 ingest guarantees: idempotent, atomic, time-correct, attributed; readers keep reading."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import BASE_REFERENCE, table_fingerprints, write_data

from metrics.errors import VendorboardError
from metrics.ingest import Source, sources_in_dir
from metrics.loading import ingest

CALLS = """
    call_id,vendor_id,offered_at,answered_at,ended_at,csat
    1,V1,2026-10-01 00:30:00,2026-10-01 00:30:04.999,2026-10-01 00:35:00.5,5
    2,V1,2026-10-01T08:00:05.250+08:00,,2026-10-01T08:00:09+08:00,
    3,V2,2026-11-01 01:30:00,,2026-11-01 01:35:00,
    4,V1,2025-12-31 23:59:59,,2026-01-01 00:00:10,
    5,V1,bad,,2026-10-01 00:00:10,
"""


def test_same_directory_three_times_changes_nothing(tmp_path, db):
    root = write_data(tmp_path / "d", {**BASE_REFERENCE, "calls": CALLS})
    first = ingest(db, sources_in_dir(root))
    after_first = table_fingerprints(db)
    for _ in range(2):
        again = ingest(db, sources_in_dir(root))
        assert table_fingerprints(db) == after_first
    # 4 good calls, 1 bad: the second and third runs find every row stored already.
    assert (first.tables["calls"].loaded, first.tables["calls"].rejected) == (4, 1)
    assert (again.tables["calls"].loaded, again.tables["calls"].updated, again.tables["calls"].unchanged) == (0, 0, 4)
    assert after_first["quarantine"][0] == 1


def test_corrected_row_is_one_update_and_no_duplicate(load, query):
    load({"calls": CALLS})
    report = load(
        {
            "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at,csat
        1,V1,2026-10-01 00:30:00,2026-10-01 00:30:04.999,2026-10-01 00:35:00.5,3
    """
        }
    )
    assert (report.tables["calls"].loaded, report.tables["calls"].updated) == (0, 1)
    assert query("SELECT count(*), max(csat) FILTER (WHERE call_id = '1') FROM calls") == [(4, 3)]


def test_within_one_run_the_last_file_wins(tmp_path, db, query):
    root = write_data(tmp_path / "d", BASE_REFERENCE)
    (root / "calls").mkdir()
    header = "call_id,vendor_id,offered_at,ended_at,csat\n"
    (root / "calls" / "a.csv").write_text(header + "1,V1,2026-10-01 09:00:00,2026-10-01 09:01:00,2\n")
    (root / "calls" / "b.csv").write_text(header + "1,V1,2026-10-01 09:00:00,2026-10-01 09:01:00,4\n")
    report = ingest(db, sources_in_dir(root))
    assert report.tables["calls"].loaded == 1
    assert query("SELECT csat FROM calls") == [(4,)]


def test_unreadable_second_file_leaves_the_database_as_it_was(tmp_path, load, db):
    load({"calls": CALLS})
    before = table_fingerprints(db)
    good = write_data(
        tmp_path / "more",
        {"calls": "call_id,vendor_id,offered_at,ended_at\n9,V1,2026-10-02 09:00:00,2026-10-02 09:01:00"},
    )
    unreadable = tmp_path / "more" / "calls" / "z.parquet"
    unreadable.write_bytes(b"this is not parquet")
    with pytest.raises(VendorboardError, match=r"z.parquet: cannot read the file"):
        ingest(db, [Source("calls", good / "calls" / "data.csv"), Source("calls", unreadable)])
    assert table_fingerprints(db) == before
    assert not list(db.parent.glob("*.tmp-*"))


def _big_calls_file(path: Path, rows: int) -> Path:
    day = "2026-10-01 09:00:00"
    with path.open("w") as f:
        f.write("call_id,vendor_id,offered_at,ended_at\n")
        f.writelines(f"k{i},V1,{day},{day}\n" for i in range(rows))
    return path


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_the_database_as_before_and_usable(tmp_path, load, db):
    load({"calls": CALLS})
    before = table_fingerprints(db)
    big = _big_calls_file(tmp_path / "big.csv", 1_500_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "metrics.cli", "--db", str(db), "ingest", "--kind", "calls", str(big)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(db.parent.glob("*.tmp-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # well inside the write: reading and typing 1.5 M rows takes seconds
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL  # it was killed, not finished
    assert table_fingerprints(db) == before
    report = load({"calls": CALLS})  # usable: the next writer clears the dead snapshot
    assert report.tables["calls"].unchanged == 4
    assert len(list(db.parent.glob("*.tmp-*"))) == 0


def test_naive_times_are_vendor_local_offsets_are_instants_and_milliseconds_survive(load, query):
    load({"calls": CALLS})
    rows = query("""SELECT call_id, strftime(offered_at, '%Y-%m-%dT%H:%M:%S.%gZ'), strftime(local_start, '%Y-%m'),
                           epoch_ms(answered_at) - epoch_ms(offered_at), epoch_ms(ended_at) % 1000
                    FROM calls ORDER BY call_id""")
    assert rows == [
        # 00:30 in Shanghai (UTC+8) is 16:30Z the day before, yet it belongs to October.
        ("1", "2026-09-30T16:30:00.000Z", "2026-10", 4999, 500),
        # An offset is an instant as given: 08:00:05.250+08:00 = 00:00:05.250Z.
        ("2", "2026-10-01T00:00:05.250Z", "2026-10", None, 0),
        # 01:30 on 1 Nov 2026 happens twice in New York: the first (EDT, UTC-4) is 05:30Z.
        ("3", "2026-11-01T05:30:00.000Z", "2026-11", None, 0),
        ("4", "2025-12-31T15:59:59.000Z", "2025-12", None, 0),
    ]


def test_interaction_before_contract_start_is_out_of_contract(load, query):
    report = load({"calls": CALLS})
    # Call 4 is on 2025-12-31 local, before C1 starts on 2026-01-01.
    assert report.out_of_contract == {"calls": 1}
    assert query("SELECT call_id, contract_id FROM calls ORDER BY call_id") == [
        ("1", "C1"),
        ("2", "C1"),
        ("3", "C2"),
        ("4", None),
    ]


def test_a_new_contract_attributes_stored_interactions(load, query):
    load({"calls": CALLS})
    load(
        {
            "contracts": """
        contract_id,vendor_id,start_date,end_date
        C0,V1,2025-01-01,2025-12-31
    """
        },
        reference=False,
    )
    assert query("SELECT contract_id FROM calls WHERE call_id = '4'") == [("C0",)]


READER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from metrics import store
    path, seconds = Path(sys.argv[1]), float(sys.argv[2])
    con, seen = None, None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        version = store.data_version(path)
        if version != seen:  # what the dashboard does: reconnect when a write has been swapped in
            con, seen = store.connect_reader(path), version
        print(con.execute("SELECT count(*) FROM calls").fetchone()[0], flush=True)
        time.sleep(0.02)
""")


@pytest.mark.slow
def test_a_reader_process_keeps_answering_during_an_ingest_and_then_sees_the_new_rows(tmp_path, load, db):
    load({"calls": CALLS})
    big = _big_calls_file(tmp_path / "big.csv", 400_000)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), "12"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    time.sleep(1.0)
    writer = subprocess.run(  # noqa: PLW1510  (the exit code is asserted)
        [sys.executable, "-m", "metrics.cli", "--db", str(db), "ingest", "--kind", "calls", str(big)],
        capture_output=True,
        text=True,
    )
    assert writer.returncode == 0, writer.stderr
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    counts = [int(n) for n in out.split()]
    # Answers before, during and after the write: first the 4 stored calls, at the end 400 004.
    assert counts[0] == 4 and counts[-1] == 400_004
    assert set(counts) == {4, 400_004}
    assert len(counts) > 100
