"""Quarantine identity is the content, not the path (issue 12, point 4): the same rows loaded from
another path or file name replace their quarantined twins; a row that loads removes its twin;
`vendorboard quarantine` lists, filters and exports; `vendorboard quarantine retry` loads the rows
a later vendor or contract makes valid, in one atomic write."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import BASE_REFERENCE, table_fingerprints, write_data

from metrics import billing, store
from metrics.errors import VendorboardError
from metrics.ingest import Source, sources_in_dir
from metrics.loading import ingest, retry

HEADER = "call_id,vendor_id,offered_at,answered_at,ended_at"
CALLS = "\n".join(
    [
        HEADER,
        "k1,V1,2026-10-01 09:00:00,,2026-10-01 09:05:00",
        "k2,V1,2026-10-01 09:00:00,,2026-10-01 08:05:00",  # line 3: ended before offered
        "k3,V3,2026-10-02 09:00:00,2026-10-02 09:00:10,2026-10-02 09:05:10",  # line 4: V3 is not a vendor yet
        ",V1,2026-10-03 09:00:00,,2026-10-03 09:05:00",  # line 5: no id (identity: its raw text)
        '"k5,V1,2026-10-03 10:00:00,,2026-10-03 10:05:00',  # line 6: malformed
    ]
)


def vendorboard(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics.cli", "--db", str(db), *args], check=False, capture_output=True, text=True
    )


def quarantine(query) -> list[tuple]:
    return query("SELECT source_file, line, reason, vendor_id, row_id FROM quarantine ORDER BY line")


def test_the_same_rows_from_another_path_or_name_replace_their_quarantined_twins(
    tmp_path, load, db, query, monkeypatch
):
    load({})
    a = tmp_path / "a" / "calls.csv"
    a.parent.mkdir()
    a.write_text(CALLS + "\n")
    ingest(db, [Source("calls", a)])
    first = quarantine(query)
    assert [(line, reason) for _, line, reason, _, _ in first] == [
        (3, "ended_before_offered"),
        (4, "unknown_vendor"),
        (5, "missing_required"),
        (6, "malformed_line"),
    ]
    # the same file as a relative path, then renamed and moved: still four rows, the last names
    renamed = tmp_path / "b" / "october.csv"
    renamed.parent.mkdir()
    shutil.copyfile(a, renamed)
    monkeypatch.chdir(tmp_path)
    ingest(db, [Source("calls", Path("a/calls.csv"))])  # before: a second set of four
    report = ingest(db, [Source("calls", renamed)])
    assert report.tables["calls"].rejected == 4  # counted per run
    assert [(Path(f).name, line) for f, line, *_ in quarantine(query)] == [
        ("october.csv", 3),
        ("october.csv", 4),
        ("october.csv", 5),
        ("october.csv", 6),
    ]
    assert query("SELECT count(*) FROM ingest_runs") == [(4,)]


def test_a_row_that_loads_removes_its_quarantined_twin(tmp_path, load, db, query):
    load({"calls": CALLS})
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(HEADER + "\nk2,V1,2026-10-01 09:00:00,,2026-10-01 09:15:00\n")
    ingest(db, [Source("calls", fixed)])
    assert "k2" not in {row_id for *_, row_id in quarantine(query)}
    assert query("SELECT count(*) FROM calls WHERE call_id = 'k2'") == [(1,)]


def test_within_a_run_a_later_good_row_supersedes_a_rejected_one(tmp_path, load, db, query):
    load({})
    first, second = tmp_path / "1.csv", tmp_path / "2.csv"
    first.write_text(HEADER + "\nk2,V1,2026-10-01 09:00:00,,2026-10-01 08:05:00\n")
    second.write_text(HEADER + "\nk2,V1,2026-10-01 09:00:00,,2026-10-01 09:15:00\n")
    report = ingest(db, [Source("calls", first), Source("calls", second)])
    assert (report.tables["calls"].loaded, report.tables["calls"].rejected) == (1, 1)
    assert quarantine(query) == []


def test_retry_loads_rows_whose_vendor_arrived_later_in_one_write(tmp_path, load, db, query):
    """Calls of V3 arrive before V3 does: quarantined as unknown_vendor. Loading V3 and its contract
    does not bring them back by itself; `retry` does, and they are billed."""
    load({"calls": CALLS})
    assert query("SELECT count(*) FROM calls") == [(1,)]
    ref = write_data(
        tmp_path / "v3",
        {
            "vendors": "vendor_id,name,timezone\nV3,Third,Asia/Shanghai",
            "contracts": "contract_id,vendor_id,start_date\nC3,V3,2026-01-01",
            "rates": "contract_id,channel,unit,unit_price\nC3,phone,minute,1.00",
        },
    )
    assert ingest(db, sources_in_dir(ref)).retryable == 1  # the CLI and the Data page say so
    assert query("SELECT count(*) FROM calls WHERE vendor_id = 'V3'") == [(0,)]
    before = db.stat().st_ino
    report = retry(db)
    assert db.stat().st_ino != before  # one snapshot swapped in
    assert (report.tables["calls"].loaded, report.tables["calls"].rejected) == (1, 2)
    assert query("SELECT call_id, contract_id FROM calls WHERE vendor_id = 'V3'") == [("k3", "C3")]
    # what stays: the row that is still wrong (same line, same file) and the id-less one; malformed
    # lines are not retried (no columns) and stay as they are
    assert [(line, reason) for _, line, reason, _, _ in quarantine(query)] == [
        (3, "ended_before_offered"),
        (5, "missing_required"),
        (6, "malformed_line"),
    ]
    con = store.connect_reader(db)
    try:
        [inv] = billing.invoices(con, dt.date(2026, 10, 1), "C3")
    finally:
        con.close()
    # k3 talked 09:00:10 to 09:05:10, 5 minutes at 1.00: 5.00, plus 6 % tax (the default) = 5.30
    assert (inv.subtotal, inv.total) == (Decimal("5.00"), Decimal("5.30"))


def test_retry_of_an_empty_quarantine_writes_nothing(load, db):
    load({})
    before = db.read_bytes()
    assert retry(db).tables == {}
    assert db.read_bytes() == before


def test_retry_through_the_cli_exits_3_while_rows_stay_rejected(load, db):
    load({"calls": CALLS})
    proc = vendorboard(db, "quarantine", "retry", "--format", "json")
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["tables"]["calls"]["rejected"] == 3
    assert proc.stderr.startswith("rejected 3 row(s): calls 3 (ended_before_offered 1, missing_required 1, ")


def test_quarantine_lists_filters_and_exports(tmp_path, load, db):
    load(
        {
            "calls": CALLS,
            "chats": "chat_id,vendor_id,started_at,csat\nt1,V2,2026-09-30 23:00:00,9\nt2,V1,2026-11-01 09:00:00,0",
        }
    )
    listed = vendorboard(db, "quarantine", "--format", "json")
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)
    assert len(rows) == 6 and rows[0]["table_name"] == "calls"
    assert {r["reason"] for r in rows} >= {"csat_out_of_range", "malformed_line", "unknown_vendor"}
    # month: the local month of the start; vendor; reason; table
    by_month = json.loads(vendorboard(db, "quarantine", "--month", "2026-09", "--format", "json").stdout)
    assert [(r["table_name"], r["vendor_id"], r["month"]) for r in by_month] == [("chats", "V2", "2026-09")]
    by_vendor = json.loads(vendorboard(db, "quarantine", "--vendor", "V3", "--format", "json").stdout)
    assert [r["line"] for r in by_vendor] == [4]
    by_reason = vendorboard(db, "quarantine", "--reason", "malformed_line", "--table", "calls", "--format", "json")
    [malformed] = json.loads(by_reason.stdout)
    assert (malformed["line"], malformed["raw"]) == (6, CALLS.splitlines()[5])
    out = tmp_path / "q.csv"
    assert vendorboard(db, "quarantine", "--format", "csv", "--out", str(out)).returncode == 0
    exported = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(exported) == 6 and exported[-1]["table_name"] == "chats"
    table = vendorboard(db, "quarantine", "--table", "calls")
    assert table.returncode == 0 and "quarantine: 4 row(s)" in table.stdout
    bad = vendorboard(db, "quarantine", "--table", "fax")
    assert bad.returncode == 2
    assert bad.stderr == "error: --table must be one of calls, chats, emails, visits, agent_sessions (got 'fax')\n"


def test_a_database_of_schema_3_gets_content_keys_and_loses_path_duplicates(tmp_path, db, query):
    """Migration 004 on a database written before it: the same rejected row stored twice (from
    ./data and /abs/data) becomes one, keyed by vendor and id."""
    con = duckdb.connect(str(db))
    for version, sql in store._migrations():
        if version <= 3:
            con.execute(sql)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("INSERT INTO schema_version VALUES (1), (2), (3)")
    raw = json.dumps({"call_id": "k2", "vendor_id": "V1", "offered_at": "2026-10-01 09:00:00"})
    con.executemany(
        "INSERT INTO quarantine VALUES ('calls', ?, 3, 'ended_before_offered', 'x', ?)",
        [("data/calls/a.csv", raw), ("/abs/data/calls/a.csv", raw)],
    )
    con.execute("INSERT INTO quarantine VALUES ('calls', 'a.csv', 6, 'malformed_line', 'x', '\"k5,V1')")
    con.close()
    ingest(db, sources_in_dir(write_data(tmp_path / "ref", BASE_REFERENCE)))  # migrates
    assert query("SELECT vendor_id, row_id, row_key, raw_length FROM quarantine ORDER BY line") == [
        ("V1", "k2", '["V1","k2"]', len(raw)),
        (None, None, hashlib.md5(b'"k5,V1').hexdigest(), 6),
    ]


def test_a_failed_run_leaves_the_quarantine_as_it_was(tmp_path, load, db):
    load({"calls": CALLS})
    before = table_fingerprints(db)
    bad = tmp_path / "calls.csv.gz"
    bad.write_bytes(b"\x1f\x8b broken")
    good = tmp_path / "calls.csv"
    good.write_text(HEADER + "\nk9,V1,2026-10-01 09:00:00,,2026-10-01 08:05:00\n")
    with pytest.raises(VendorboardError, match=r"calls\.csv\.gz: the gzip file is truncated; nothing changed"):
        ingest(db, [Source("calls", good), Source("calls", bad)])
    assert table_fingerprints(db) == before
