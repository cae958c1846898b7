"""Many files of one table in one run: files that share a header are read in one statement, yet
every rejected row keeps its own file and line, and every error names the file it comes from."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BASE_REFERENCE, table_fingerprints, write_data

from metrics.errors import VendorboardError
from metrics.ingest import Source, sources_in_dir
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
    with pytest.raises(VendorboardError, match=r"z.csv.gz: the gzip file is truncated; nothing changed"):
        ingest(db, [Source("calls", good), Source("calls", broken)])
    assert table_fingerprints(db) == before


# ---- compressed files are verified (issue 12, point 2) ---------------------------------------


def _packed_calls(n: int = 200) -> bytes:
    return gzip.compress((HEADER + "\n" + "".join(call(f"g{i}") + "\n" for i in range(n))).encode())


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[: len(b) // 2], "the gzip file is truncated"),
        (lambda b: b[:-8] + bytes([b[-8] ^ 1]) + b[-7:], "the gzip file is corrupt"),  # its CRC-32
        (lambda b: b[:40] + bytes([b[40] ^ 0x10]) + b[41:], "the gzip file is (corrupt|truncated)"),  # deflate data
        (lambda b: b"not gzip at all\n", r"the gzip file is corrupt \(Not a gzipped file"),
    ],
    ids=["truncated", "crc", "deflate", "not-gzip"],
)
def test_a_damaged_gzip_fails_the_run_naming_the_file_and_changes_nothing(tmp_path, load, db, damage, message):
    load({"calls": f"{HEADER}\n{call('x')}"})
    before = db.read_bytes()
    root = write_data(tmp_path / "more", {"calls": f"{HEADER}\n{call('a1')}"})
    (root / "calls" / "z.csv.gz").write_bytes(damage(_packed_calls()))
    proc = subprocess.run(
        [sys.executable, "-m", "metrics.cli", "--db", str(db), "ingest", str(root)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert re.fullmatch(rf"error: \S*z\.csv\.gz: {message}.*; nothing changed\n", proc.stderr), proc.stderr
    assert db.read_bytes() == before


def test_a_whole_gzip_loads(tmp_path, load, db, query):
    load({})
    path = tmp_path / "calls.csv.gz"
    path.write_bytes(_packed_calls(50))
    report = ingest(db, [Source("calls", path)])
    assert report.tables["calls"].loaded == 50 and query("SELECT count(*) FROM calls") == [(50,)]


# ---- what Excel and pandas write (point 3) ----------------------------------------------------


def test_what_excel_writes_loads_sep_line_bom_crlf_and_trailing_empty_rows(tmp_path, load, db, query):
    load({})
    body = "\ufeffsep=;\r\n" + HEADER.replace(",", ";") + "\r\n"
    body += "".join(call(f"e{i}").replace(",", ";") + "\r\n" for i in range(3)) + ";;;;\r\n" * 4
    path = tmp_path / "calls.csv"
    path.write_bytes(body.encode())
    report = ingest(db, [Source("calls", path)])
    # 3 calls; the 4 rows of empty cells are neither rows nor rejections
    assert (report.tables["calls"].loaded, report.tables["calls"].rejected) == (3, 0)
    assert query("SELECT call_id, offered_at::VARCHAR FROM calls ORDER BY 1") == [
        (f"e{i}", "2026-10-01 01:00:00+00")
        for i in range(3)  # 09:00 in Shanghai (UTC+8)
    ]


def test_trailing_empty_rows_are_ignored_in_reference_tables_too(tmp_path, db, query):
    root = write_data(tmp_path / "d", BASE_REFERENCE)
    with (root / "vendors" / "data.csv").open("a") as f:
        f.write(",,\n,,\n")
    ingest(db, sources_in_dir(root))
    assert query("SELECT count(*) FROM vendors") == [(2,)]


def test_parquet_as_pandas_writes_it_loads_with_its_values(tmp_path, load, db, query):
    """float64 for whole-number columns with a gap (NaN), typed timestamps naive and with a zone:
    before, all rows of such an e-mails file were rejected as bad_number."""
    load({})
    table = pa.table(
        {
            "email_id": ["m1", "m2", "m3"],
            "vendor_id": ["V1", "V1", "V2"],
            "received_at": pa.array(
                [
                    dt.datetime(2026, 10, 1, 9),
                    dt.datetime(2026, 10, 1, 10),
                    dt.datetime(2026, 10, 2, 11, 30, 0, 250000),
                ],
                pa.timestamp("ns"),
            ),
            "first_reply_at": pa.array(
                [dt.datetime(2026, 10, 1, 2, tzinfo=dt.UTC), None, dt.datetime(2026, 10, 2, 16, tzinfo=dt.UTC)],
                pa.timestamp("us", tz="UTC"),
            ),
            "replies": pa.array([2.0, float("nan"), 1.0], pa.float64()),
            "csat": pa.array([4.0, None, 3.5], pa.float64()),
        }
    )
    path = tmp_path / "emails.parquet"
    pq.write_table(table, path)
    report = ingest(db, [Source("emails", path)])
    assert (report.tables["emails"].loaded, report.tables["emails"].rejected) == (3, 0)
    assert query(
        "SELECT email_id, received_at::VARCHAR, first_reply_at::VARCHAR, replies, csat FROM emails ORDER BY 1"
    ) == [
        # V1 is in Shanghai: 09:00 local is 01:00Z, replied at 02:00Z; m2 has no reply: 0 replies
        ("m1", "2026-10-01 01:00:00+00", "2026-10-01 02:00:00+00", 2, Decimal("4.00")),
        ("m2", "2026-10-01 02:00:00+00", None, 0, None),
        # V2 is in New York (EDT, UTC-4): 11:30:00.25 local is 15:30:00.25Z
        ("m3", "2026-10-02 15:30:00.25+00", "2026-10-02 16:00:00+00", 1, Decimal("3.50")),
    ]


def test_a_fractional_float_in_a_count_column_is_still_rejected(tmp_path, load, db):
    load({})
    path = tmp_path / "emails.parquet"
    pq.write_table(
        pa.table({"email_id": ["m1"], "vendor_id": ["V1"], "received_at": ["2026-10-01 09:00:00"], "replies": [2.5]}),
        path,
    )
    report = ingest(db, [Source("emails", path)])
    assert report.tables["emails"].rejected_by_reason == {"bad_number": 1}


# ---- empty and stray files, folders (point 3) -------------------------------------------------


def test_empty_and_header_only_files_are_skipped_with_a_warning(tmp_path, db, query):
    root = write_data(tmp_path / "d", {**BASE_REFERENCE, "calls": f"{HEADER}\n{call('c1')}"})
    (root / "calls" / "empty.csv").write_bytes(b"")
    (root / "calls" / "header.csv").write_text(HEADER + "\n\n")
    (root / "calls" / "blank.csv.gz").write_bytes(gzip.compress(b""))
    report = ingest(db, sources_in_dir(root))
    assert report.tables["calls"].loaded == 1
    assert sorted((Path(s["file"]).name, s["reason"]) for s in report.skipped) == [
        ("blank.csv.gz", "empty file"),
        ("empty.csv", "empty file"),
        ("header.csv", "header only"),
    ]


def test_a_run_of_nothing_but_empty_files_changes_nothing(tmp_path, load, db):
    load({})
    before = db.read_bytes()
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(VendorboardError, match=r"nothing to load: every file was skipped \(\S*empty.csv: empty file\)"):
        ingest(db, [Source("calls", tmp_path / "empty.csv")])
    assert db.read_bytes() == before


def test_table_folders_match_in_any_case_and_stray_files_are_listed_as_skipped(tmp_path, db, query):
    root = write_data(tmp_path / "d", BASE_REFERENCE)
    (root / "Calls").mkdir()
    (root / "Calls" / "a.csv").write_text(f"{HEADER}\n{call('c1')}\n")
    (root / "CHATS").mkdir()
    (root / "CHATS" / "README.md").write_text("exported from the platform\n")
    (root / "CHATS" / "chats.xlsx").write_bytes(b"PK\x03\x04")
    (root / "call").mkdir()  # a typo: names no table
    (root / "call" / "b.csv").write_text(f"{HEADER}\n{call('c2')}\n")
    (root / "notes.txt").write_text("hello")
    report = ingest(db, sources_in_dir(root))
    assert query("SELECT call_id FROM calls") == [("c1",)]
    assert sorted((Path(s["file"]).name, s["reason"]) for s in report.skipped) == [
        ("README.md", "not a data file (expected .csv, .csv.gz or .parquet)"),
        ("call", "a folder that names no table"),
        ("chats.xlsx", "not a data file (expected .csv, .csv.gz or .parquet)"),
        ("notes.txt", "not in a table folder"),
    ]


def test_skipped_files_are_warnings_on_stderr_and_exit_0(tmp_path, db):
    root = write_data(tmp_path / "d", {**BASE_REFERENCE, "calls": f"{HEADER}\n{call('c1')}"})
    (root / "calls" / "README").write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "metrics.cli", "--db", str(db), "ingest", str(root)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stderr
        == f"warning: skipped {root / 'calls' / 'README'}: not a data file (expected .csv, .csv.gz or .parquet)\n"
    )


def test_a_row_with_a_value_only_in_an_unknown_column_is_rejected_not_ignored(tmp_path, load, db):
    load({})
    path = tmp_path / "calls.csv"
    path.write_text(f"{HEADER},note\n{call('c1')},\n,,,,,see next line\n  ,  ,,, ,\n")
    report = ingest(db, [Source("calls", path)])
    # line 3 says something (in `note`): missing_required; line 4 is spaces only: ignored
    assert (report.tables["calls"].loaded, report.tables["calls"].rejected_by_reason) == (1, {"missing_required": 1})
