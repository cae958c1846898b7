"""A malformed line costs that line, never more (issue 12, point 1): the rows after it load, and the
line is quarantined as `malformed_line` with its true line number and its raw text (capped, with
its length). A file that is mostly malformed lines fails the run with one message."""

from __future__ import annotations

import json

import pytest
from conftest import BASE_REFERENCE, table_fingerprints, write_data

from metrics import store
from metrics.errors import VendorboardError
from metrics.ingest import Source, sources_in_dir
from metrics.ingest.read import RAW_LIMIT
from metrics.loading import ingest

HEADER = "call_id,vendor_id,offered_at,answered_at,ended_at,queue"


def call(n: int, queue: str = "q") -> str:
    return f"c{n},V1,2026-10-01 09:00:00,,2026-10-01 09:05:00,{queue}"


def rows(n: int = 20) -> list[str]:
    return [call(i) for i in range(n)]


@pytest.fixture
def loaded(tmp_path, db):
    """A database holding the reference data; `run(body)` ingests `body` (bytes or str) as one
    calls file and returns (report, stored call ids, quarantine rows as dicts)."""
    ingest(db, sources_in_dir(write_data(tmp_path / "ref", BASE_REFERENCE)))

    def run(body: bytes | str, name: str = "calls.csv"):
        path = tmp_path / name
        path.write_bytes(body.encode() if isinstance(body, str) else body)
        report = ingest(db, [Source("calls", path, name)])
        con = store.connect_reader(db)
        try:
            ids = {r[0] for r in con.execute("SELECT call_id FROM calls").fetchall()}
            cur = con.execute("SELECT line, reason, raw, raw_length, detail FROM quarantine ORDER BY line")
            names = [d[0] for d in cur.description]
            found = [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()
        return report, ids, found

    return run


def test_a_stray_quote_at_a_line_start_costs_that_line_only(loaded):
    # 20 calls on lines 2-21; the one on line 7 (c5) starts with a quote that is never closed.
    # Before: everything after it was one unterminated value and exit 0 with 5 rows.
    lines = rows()
    lines[5] = '"' + lines[5]
    report, ids, quarantined = loaded("\n".join([HEADER, *lines]) + "\n")
    assert ids == {f"c{i}" for i in range(20)} - {"c5"}
    assert report.tables["calls"].rejected_by_reason == {"malformed_line": 1}
    [bad] = quarantined
    assert (bad["line"], bad["reason"], bad["raw"]) == (7, "malformed_line", lines[5])


def test_two_stray_quotes_cost_their_two_lines(loaded):
    lines = rows()
    lines[3] = '"' + lines[3]  # line 5
    lines[12] = 'c1"2' + lines[12][3:]  # line 14: a quote inside an unquoted value is text
    lines[15] = '"' + lines[15]  # line 17
    _report, ids, quarantined = loaded("\n".join([HEADER, *lines]) + "\n")
    assert ids == ({f"c{i}" for i in range(20)} - {"c3", "c12", "c15"}) | {'c1"2'}
    assert [q["line"] for q in quarantined] == [5, 17]


def test_a_crlf_line_in_an_lf_file_is_the_same_row(loaded):
    # Before: DuckDB gave up on the whole file ("invalid state"), so the run failed.
    lines = rows()
    body = HEADER + "\n" + "\n".join(lines[:8]) + "\r\n" + "\n".join(lines[8:]) + "\n"
    report, ids, quarantined = loaded(body)
    assert ids == {f"c{i}" for i in range(20)} and quarantined == []
    assert report.tables["calls"].rejected == 0


def test_an_lf_line_in_a_crlf_file_and_a_lone_cr_keep_their_rows_and_lines(loaded):
    lines = rows()
    lines[4] = lines[4].replace(",q", ",\rq")  # a lone CR inside a value: the value keeps it
    body = "\r\n".join([HEADER, *lines[:10]]) + "\n" + "\r\n".join(lines[10:]) + "\r\n"
    _report, ids, _ = loaded(body)
    assert ids == {f"c{i}" for i in range(20)}


@pytest.mark.parametrize("size", [2_100_000, 10_000_000])
def test_an_over_long_field_costs_its_line_and_keeps_4_kb_of_it_with_its_length(loaded, size):
    lines = rows()
    lines[9] = call(9, "x" * size)  # line 11
    _report, ids, quarantined = loaded("\n".join([HEADER, *lines]) + "\n")
    assert ids == {f"c{i}" for i in range(20)} - {"c9"}
    [bad] = quarantined
    assert (bad["line"], bad["reason"]) == (11, "malformed_line")
    assert bad["raw"] == lines[9][:RAW_LIMIT] and len(bad["raw"]) == 4096
    assert bad["raw_length"] == len(lines[9])  # call(9, "") is 47 characters, plus the field


def test_too_many_and_too_few_fields_cost_their_lines_with_true_numbers_after_empty_lines(loaded):
    lines = rows()
    lines[2] += ",surplus"  # line 4
    lines[6] = "c6,V1"  # line 8
    # An empty line after line 9 and a blank one after line 16 shift every later line by one.
    body = "\n".join([HEADER, *lines[:8], "", *lines[8:15], "   ", *lines[15:]]) + "\n"
    _report, ids, quarantined = loaded(body.replace(call(17), call(17).replace("09:05:00", "08:05:00")))
    assert ids == {f"c{i}" for i in range(20)} - {"c2", "c6", "c17"}
    # c17 is data line 18, after two inserted lines: line 2 + 17 + 2 = 21 (ended before offered)
    assert [(q["line"], q["reason"]) for q in quarantined] == [
        (4, "malformed_line"),
        (8, "malformed_line"),
        (21, "ended_before_offered"),
    ]
    assert quarantined[0]["raw"] == lines[2]


def test_a_quoted_value_spanning_lines_is_one_row_and_later_lines_keep_their_numbers(loaded):
    lines = rows()
    lines[3] = call(3, '"first line\nsecond line"')  # lines 5-6
    lines[10] = lines[10].replace("09:05:00", "08:05:00")  # line 13 (data line 11 + the extra one)
    _report, ids, quarantined = loaded("\n".join([HEADER, *lines]) + "\n")
    assert ids == {f"c{i}" for i in range(20)} - {"c10"}
    assert [(q["line"], q["reason"]) for q in quarantined] == [(13, "ended_before_offered")]


def test_a_file_of_mostly_malformed_lines_fails_the_run_with_one_message(loaded, db):
    before = table_fingerprints(db)
    # A semicolon file named as calls: 3 of 5 lines have one field, 2 parse to rows.
    body = HEADER + "\n" + "\n".join([call(1), "a;b;c", "d;e;f", "g;h;i", call(2)]) + "\n"
    with pytest.raises(
        VendorboardError, match=r"calls.csv: 3 of its 5 lines are malformed \(line 3: .*\); is it a file"
    ):
        loaded(body)
    assert table_fingerprints(db) == before


def test_a_reference_file_with_a_malformed_line_stops_the_run_naming_file_and_line(tmp_path, db):
    root = write_data(tmp_path / "d", BASE_REFERENCE)
    (root / "contracts" / "data.csv").write_text(
        'contract_id,vendor_id,start_date,end_date\nC1,V1,2026-01-01,\n"C2,V2,2026-01-01,\n'
    )
    with pytest.raises(VendorboardError, match=r"contracts/data.csv, line 3: malformed line"):
        ingest(db, sources_in_dir(root))
    assert not db.exists()


def test_a_file_the_fast_reader_gives_up_on_midway_is_read_line_by_line(loaded):
    # CRLF throughout, but one value holds a lone CR and one line ends in LF only: as many CRs as
    # LFs, so the survey cannot tell; DuckDB's strict reader fails inside the run, which is then
    # run again with this file read line by line.
    lines = rows()
    lines[2] = lines[2].replace(",q", ",a\rb")
    body = "\r\n".join([HEADER, *lines[:6]]) + "\n" + "\r\n".join(lines[6:]) + "\r\n"
    assert body.count("\r") == body.count("\n")
    _report, ids, quarantined = loaded(body)
    assert ids == {f"c{i}" for i in range(20)} and quarantined == []


def test_quarantined_raw_rows_keep_their_text(loaded):
    lines = rows(3)
    lines[1] = call(1).replace("V1", "V9")
    _, _, [bad] = loaded("\n".join([HEADER, *lines]) + "\n")
    assert json.loads(bad["raw"])["vendor_id"] == "V9" and bad["raw_length"] == len(bad["raw"])


def test_the_line_by_line_reader_numbers_lines_as_an_editor_does(tmp_path, db):
    """The same malformed file read fast and read line by line (a CR elsewhere forces it) gives the
    same lines in quarantine."""
    ingest(db, sources_in_dir(write_data(tmp_path / "ref", BASE_REFERENCE)))
    lines = rows()
    lines[4] += ",x"  # line 6
    lines[11] = '"' + lines[11]  # line 13
    fast = tmp_path / "fast.csv"
    fast.write_text("\n".join([HEADER, *lines]) + "\n")
    slow = tmp_path / "slow.csv"
    slow.write_text("\n".join([HEADER, *lines[:15], lines[15] + "\r", *lines[16:]]) + "\n")

    seen = {}
    for path in (fast, slow):  # the lone CR makes slow.csv's line ends mixed: read line by line
        ingest(db, [Source("calls", path, path.name)])
        con = store.connect_reader(db)
        seen[path.name] = con.execute(
            "SELECT line FROM quarantine WHERE source_file = ? ORDER BY line", [path.name]
        ).fetchall()
        con.close()
    assert seen["fast.csv"] == seen["slow.csv"] == [(6,), (13,)]


def test_stray_quote_rows_after_it_are_billed_not_only_quarantined(loaded):
    """The issue's worst case, end to end: 938 good rows after a stray quote went only into one
    quarantine row's raw text."""
    lines = [call(i) for i in range(1000)]
    lines[61] = '"' + lines[61]
    report, ids, quarantined = loaded("\n".join([HEADER, *lines]) + "\n")
    assert len(ids) == 999 and report.tables["calls"].loaded == 999
    assert len(quarantined) == 1 and len(quarantined[0]["raw"]) < 100
