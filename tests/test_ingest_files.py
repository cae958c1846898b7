"""Many files of one table in one run: files that share a header are read in one statement, yet
every rejected row keeps its own file and line, and every error names the file it comes from."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from conftest import BASE_REFERENCE, table_fingerprints, write_data

from metrics.errors import VendorboardError
from metrics.ingest import Source
from metrics.loading import ingest

HEADER = "call_id,vendor_id,offered_at,answered_at,ended_at"


def call(call_id: str, ended: str = "2026-10-01 09:05:00") -> str:
    return f"{call_id},V1,2026-10-01 09:00:00,,{ended}"


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_files_read_together_keep_their_own_lines(tmp_path, load, db, query):
    load({})
    early = "2026-10-01 08:00:00"  # ended before offered: a rule rejection
    a = write(tmp_path / "a.csv", HEADER, call("a1"), call("a2", early))  # line 3 rejected
    b = write(tmp_path / "b.csv", HEADER, call("b1") + ",surplus", call("b2"), call("b3", early))  # 2 malformed, 4
    # c has the same columns in another order: read in a statement of its own, lines its own.
    c = write(
        tmp_path / "c.csv",
        "ended_at,call_id,vendor_id,offered_at",
        f"{early},c1,V1,2026-10-01 09:00:00",
        "2026-10-01 09:05:00,c2,V1,2026-10-01 09:00:00",
    )
    d = write(tmp_path / "d.csv", HEADER, call("d1", early), call("d2"))  # line 2
    report = ingest(db, [Source("calls", p) for p in (a, b, c, d)])
    counts = report.tables["calls"]
    assert (counts.loaded, counts.rejected) == (4, 5)
    assert sorted(query("SELECT call_id FROM calls")) == [("a1",), ("b2",), ("c2",), ("d2",)]
    quarantined = query("SELECT source_file, line, reason FROM quarantine ORDER BY ALL")
    assert [(Path(f).name, line, reason) for f, line, reason in quarantined] == [
        ("a.csv", 3, "ended_before_offered"),
        ("b.csv", 2, "malformed_line"),
        ("b.csv", 4, "ended_before_offered"),
        ("c.csv", 2, "ended_before_offered"),
        ("d.csv", 2, "ended_before_offered"),
    ]


def test_a_reference_error_in_a_later_file_names_that_file_and_line(tmp_path, db):
    root = write_data(tmp_path / "ref", BASE_REFERENCE)
    targets = "contract_id,channel,metric,target"
    first = write(tmp_path / "t1.csv", targets, "C1,phone,answer_rate,0.9")
    second = write(tmp_path / "t2.csv", targets, "C1,phone,abandon_rate,0.1", "C1,phone,happiness,0.9")
    sources = [Source(k, root / k / "data.csv") for k in BASE_REFERENCE]
    with pytest.raises(VendorboardError, match=r"t2.csv, line 3: metric happiness"):
        ingest(db, [*sources, Source("sla_targets", first), Source("sla_targets", second)])
    assert not db.exists()


def test_a_file_that_fails_midway_is_named_and_nothing_changes(tmp_path, load, db):
    load({"calls": f"{HEADER}\n{call('x')}"})
    before = table_fingerprints(db)
    good = write(tmp_path / "a.csv", HEADER, call("a1"))
    # Same header and dialect, so read in one statement with a.csv, but the gzip stream breaks off
    # near its end: far enough (1 M rows, 47 MB unpacked) that sniffing its start succeeds.
    whole = gzip.compress(f"{HEADER}\n{call('z')}\n".encode() + f"{call('z')}\n".encode() * 1_000_000, 1)
    broken = tmp_path / "z.csv.gz"
    broken.write_bytes(whole[: len(whole) * 9 // 10])
    with pytest.raises(VendorboardError, match=r"z.csv.gz: cannot read the file"):
        ingest(db, [Source("calls", good), Source("calls", broken)])
    assert table_fingerprints(db) == before
