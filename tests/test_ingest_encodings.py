"""Text encodings of input files (SPEC §2): UTF-8 with or without BOM, GBK/GB18030 and UTF-16 (Excel's
"Unicode text", tab-separated) load alike; a file in an encoding vendorboard does not read is refused
with one message naming it, and nothing changes."""

from __future__ import annotations

import gzip

import pytest
from conftest import table_fingerprints

from metrics.errors import VendorboardError
from metrics.ingest import Source
from metrics.loading import ingest

# Two calls whose queues and agent names are Chinese; the 4-byte GB18030 characters 𠮷 and 䶮 are
# outside GBK, so only a real GB18030 read keeps them.
CALLS = [
    ("A1", "2026-10-01 08:00:00", "2026-10-01 08:00:05", "2026-10-01 08:03:00", "宽带业务", "张𠮷"),
    ("A2", "2026-10-01 09:00:00", "", "2026-10-01 09:00:30", "账单查询", "王䶮"),
]
HEADER = ("call_id", "vendor_id", "offered_at", "answered_at", "ended_at", "queue", "agent_id")


def text(sep: str = ",", newline: str = "\n") -> str:
    rows = [HEADER] + [(c[0], "V1", *c[1:4], c[4], c[5]) for c in CALLS]
    return "".join(sep.join(r) + newline for r in rows)


ENCODED = {
    "utf-8": text().encode("utf-8"),
    "utf-8 with BOM": text().encode("utf-8-sig"),
    "gb18030": text().encode("gb18030"),
    "gbk (no 4-byte characters)": text().replace("𠮷", "吉").replace("䶮", "岩").encode("gbk"),
    "utf-16 tab-separated (Excel Unicode text)": text("\t", "\r\n").encode("utf-16"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_each_encoding_loads_the_same_calls(load, tmp_path, db, query, name):
    load({})
    path = tmp_path / "calls.csv"
    path.write_bytes(ENCODED[name])
    report = ingest(db, [Source("calls", path)])
    assert report.tables["calls"].loaded == 2 and report.tables["calls"].rejected == 0
    agents = {"A1": "张吉", "A2": "王岩"} if "gbk" in name else {c[0]: c[5] for c in CALLS}
    expected = {(c[0], c[4], agents[c[0]]) for c in CALLS}
    assert set(query("SELECT call_id, queue, agent_id FROM calls")) == expected
    # A1 answered 5 s after it was offered, whatever the encoding
    assert query("SELECT epoch(answered_at - offered_at) FROM calls WHERE call_id = 'A1'") == [(5.0,)]


def test_gzipped_gb18030_file_loads(load, tmp_path, db, query):
    load({})
    path = tmp_path / "calls.csv.gz"
    path.write_bytes(gzip.compress(ENCODED["gb18030"]))
    ingest(db, [Source("calls", path)])
    assert sorted(query("SELECT agent_id FROM calls")) == [("张𠮷",), ("王䶮",)]


def test_rejected_row_of_a_gbk_file_keeps_its_line_and_chinese_text(load, tmp_path, db, query):
    load({})
    body = text() + "A3,V1,不是时间,,2026-10-01 10:00:00,宽带业务,李四\n"
    path = tmp_path / "calls-gbk.csv"
    path.write_bytes(body.encode("gb18030"))
    ingest(db, [Source("calls", path, "calls-gbk.csv")])
    # header line 1, A1 line 2, A2 line 3, A3 line 4
    [(file, line, reason, raw)] = query("SELECT source_file, line, reason, raw FROM quarantine")
    assert (file, line, reason) == ("calls-gbk.csv", 4, "bad_timestamp") and "不是时间" in raw


def test_unreadable_encoding_is_one_message_naming_the_file_and_changes_nothing(load, tmp_path, db):
    load({})
    before = table_fingerprints(db)
    good = tmp_path / "good.csv"
    good.write_bytes(ENCODED["utf-8"])
    bad = tmp_path / "latin1.csv"
    latin = "call_id,vendor_id,offered_at,ended_at,queue\nA1,V1,2026-10-01 08:00:00,2026-10-01 08:03:00,Café crème\n"
    bad.write_bytes(latin.encode("latin-1"))
    with pytest.raises(VendorboardError, match=r"latin1\.csv: cannot read the file's text encoding"):
        ingest(db, [Source("calls", good), Source("calls", bad)])
    assert table_fingerprints(db) == before


def test_a_damaged_line_of_a_utf8_file_costs_that_line_and_garbles_nothing(load, tmp_path, db, query):
    """One line of 30 holds a cut UTF-8 sequence (as a corrupt copy leaves): the file is still read
    as UTF-8 — read as GB18030 it would load, garbling every Chinese value — and that line alone is
    quarantined (header line 1, so row i is on line i + 2)."""
    load({})
    lines = [f"B{i},V1,2026-10-01 08:00:00,,2026-10-01 08:03:00,宽带业务,张{i}".encode() for i in range(30)]
    lines[7] = lines[7].replace(b"B7", b"B\xe2\x827")
    path = tmp_path / "calls.csv"
    path.write_bytes(b"\n".join([",".join(HEADER).encode(), *lines]) + b"\n")
    report = ingest(db, [Source("calls", path, "calls.csv")])
    assert (report.tables["calls"].loaded, report.tables["calls"].rejected) == (29, 1)
    assert set(query("SELECT DISTINCT queue FROM calls")) == {("宽带业务",)}
    assert query("SELECT line, reason FROM quarantine") == [(9, "malformed_line")]
