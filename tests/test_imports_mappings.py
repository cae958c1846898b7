"""Column mappings (`--mapping FILE`): date + time columns, times derived from durations, value maps,
timestamp formats (patterns, Excel serial days, epoch ms, 2026年10月1日 8:00), the source's zone,
clock-skew tolerance, encodings, and the one-line errors. Vendor V1 is in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
import xlsxwriter
from conftest import table_fingerprints

from metrics import imports
from metrics.errors import VendorboardError
from metrics.imports import Import
from metrics.ingest.read import File
from metrics.loading import ingest

LOCAL = "strftime(timezone('Asia/Shanghai', {}), '%Y-%m-%d %H:%M:%S.%g')"


def mapping(tmp_path: Path, text: str) -> imports.Mapping:
    path = tmp_path / "mapping.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return imports.load(path)


def run(db: Path, chosen: imports.Mapping, *paths: Path):
    return ingest(db, [], derived=[Import(chosen, "V1", tuple(File(p, p.name) for p in paths))])


BANK = """
    # A bank call centre's monthly export: a date, a time, and the wait and talk in seconds.
    table = "calls"

    [source]
    format = "csv"

    [fields]
    call_id = "流水号"
    offered_at = { date = "日期", time = "时间", format = "%d/%m/%Y %H:%M:%S" }
    answered_at = { from = "offered_at", plus = "等待秒" }
    ended_at = { from = "offered_at", plus = ["等待秒", "通话秒"] }
    agent_id = "坐席"
    queue = "队列"
    hold_seconds = "保持秒"

    [fields.answered]
    column = "结果"
    map = { "已接通" = "answered", "放弃" = "abandoned", "转语音信箱" = "ignore" }
"""
BANK_ROWS = """
流水号,日期,时间,坐席,队列,等待秒,通话秒,保持秒,结果
B1,01/10/2026,08:00:05,工号01,宽带,12,180,20,已接通
B2,01/10/2026,08:10:00,,宽带,40,0,,放弃
B3,01/10/2026,08:20:00,工号02,账单,3.5,60.25,0,已接通
B4,01/10/2026,08:30:00,,账单,5,0,,转语音信箱
B5,01/10/2026,08:40:00,,账单,5,0,,占线
B6,31/09/2026,08:50:00,工号01,账单,5,10,0,已接通
"""
# By hand: B1 offered 08:00:05, answered 12 s later 08:00:17, ended 12 + 180 s later 08:03:17;
# B2 abandoned after waiting 40 s (ended 08:10:40); B3 answered 08:20:03.5, ended 08:21:03.75;
# B4 went to voicemail: not an offered call; B5's result is not in the map: quarantined (line 6);
# B6's date does not exist (31 September): quarantined as a bad timestamp (line 7).
BANK_CALLS = {
    ("B1", "2026-10-01 08:00:05.000", "2026-10-01 08:00:17.000", "2026-10-01 08:03:17.000", "工号01", "宽带", 20),
    ("B2", "2026-10-01 08:10:00.000", None, "2026-10-01 08:10:40.000", None, "宽带", 0),
    ("B3", "2026-10-01 08:20:00.000", "2026-10-01 08:20:03.500", "2026-10-01 08:21:03.750", "工号02", "账单", 0),
}


def bank_calls(query) -> set[tuple]:
    times = ", ".join(LOCAL.format(c) for c in ("offered_at", "answered_at", "ended_at"))
    return set(query(f"SELECT call_id, {times}, agent_id, queue, hold_seconds::INTEGER FROM calls"))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030", "utf-16"])
def test_date_time_and_durations_with_a_value_map_in_each_encoding(load, tmp_path, db, query, encoding):
    load({})
    body = textwrap.dedent(BANK_ROWS).strip() + "\n"
    if encoding == "utf-16":  # Excel's "Unicode text": UTF-16 with BOM, tab-separated, CRLF
        body = body.replace(",", "\t").replace("\n", "\r\n")
    path = tmp_path / "bank.csv"
    path.write_bytes(body.encode(encoding))
    report = run(db, mapping(tmp_path, BANK), path)
    assert bank_calls(query) == BANK_CALLS
    assert sorted(query("SELECT line, reason FROM quarantine")) == [(6, "unmapped_value"), (7, "bad_timestamp")]
    assert "结果 占线 is not in the value map" in query("SELECT detail FROM quarantine WHERE line = 6")[0][0]
    assert report.imports[0]["steps"] == {"rows_read": 6, "unmapped_values": 1, "not_offered": 1}


def test_reimporting_a_mapped_export_changes_nothing(load, tmp_path, db):
    load({})
    path = tmp_path / "bank.csv"
    path.write_text(textwrap.dedent(BANK_ROWS).strip() + "\n", encoding="utf-8")
    chosen = mapping(tmp_path, BANK)
    run(db, chosen, path)
    before = table_fingerprints(db)
    report = run(db, chosen, path)
    assert table_fingerprints(db) == before
    assert report.tables["calls"].unchanged == 3 and report.tables["calls"].loaded == 0


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_stray_quote_in_a_mapped_export_costs_its_line_only(load, tmp_path, db, query, line_end):
    """The export is read as a native file is (issue 12): a stray quote opening B3's line (line 4)
    makes that line malformed and the lines after it still load; a lone CR in an LF file makes the
    file unprovable for the fast reader, so it is read line by line with the same lines."""
    load({})
    lines = textwrap.dedent(BANK_ROWS).strip().split("\n")
    lines[3] = '"' + lines[3]
    body = line_end.join(lines) + line_end
    if line_end == "\n":
        body = body.replace("宽带,40", "宽\r带,40")  # B2's queue holds a CR: the file is read line by line
    path = tmp_path / "bank.csv"
    path.write_bytes(body.encode("utf-8"))
    report = run(db, mapping(tmp_path, BANK), path)
    # B1 and B2 load as in BANK_CALLS (B2's queue with its CR when there is one); B3 is malformed
    assert {c[0] for c in query("SELECT call_id FROM calls")} == {"B1", "B2"}
    assert sorted(query("SELECT line, reason FROM quarantine")) == [
        (4, "malformed_line"),
        (6, "unmapped_value"),
        (7, "bad_timestamp"),
    ]
    [raw] = query("SELECT raw FROM quarantine WHERE line = 4")[0]
    assert raw == lines[3]
    assert report.tables["calls"].rejected == 3


def test_excel_serial_dates_and_epoch_milliseconds(load, tmp_path, db, query):
    load({})
    path = tmp_path / "calls.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("通话")
    sheet.write_row(0, 0, ["编号", "开始", "应答毫秒", "结束毫秒"])
    # 2026-10-01 is Excel day 46296 (days since 1899-12-30); 08:00 is a third of a day.
    sheet.write_row(1, 0, ["X1", 46296 + 1 / 3, 1790812805123, 1790812865000])
    sheet.write_row(2, 0, ["X2", 46296.5, None, 1790827230000])
    sheet.write_datetime(3, 1, dt.datetime(2026, 10, 1, 13, 0, 0), book.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    sheet.write_row(3, 2, [1790830810000, 1790830900000])
    sheet.write(3, 0, "X3")
    book.close()
    chosen = mapping(
        tmp_path,
        """
        table = "calls"
        [fields]
        call_id = "编号"
        offered_at = { column = "开始", format = "excel" }
        answered_at = { column = "应答毫秒", format = "epoch_ms" }
        ended_at = { column = "结束毫秒", format = "epoch_ms" }
        """,
    )
    run(db, chosen, path)
    # X1 offered 08:00:00 (local: no zone in the sheet), answered at epoch 1790812805.123 = 08:00:05.123 local,
    # ended 08:01:05. X2 offered 12:00, abandoned, ended at 1790827230 = 12:00:30.
    # X3's start is a real date cell, read as the text 2026-10-01 13:00:00: the ISO fallback of `excel`
    # does not apply, so it is quarantined rather than guessed.
    times = ", ".join(LOCAL.format(c) for c in ("offered_at", "answered_at", "ended_at"))
    assert set(query(f"SELECT call_id, {times} FROM calls")) == {
        ("X1", "2026-10-01 08:00:00.000", "2026-10-01 08:00:05.123", "2026-10-01 08:01:05.000"),
        ("X2", "2026-10-01 12:00:00.000", None, "2026-10-01 12:00:30.000"),
    }
    assert query("SELECT line, reason FROM quarantine") == [(4, "bad_timestamp")]


def test_chinese_date_pattern_read_in_the_sources_own_zone(load, tmp_path, db, query):
    load({})
    path = tmp_path / "chats.csv"
    path.write_text("会话,开始,首次回复\nK1,2026年10月1日 8:00,2026年10月1日 8:02\n", encoding="utf-8")
    chosen = mapping(
        tmp_path,
        """
        table = "chats"
        timezone = "UTC"  # the platform exports UTC wall-clock times
        [fields]
        chat_id = "会话"
        started_at = { column = "开始", format = "%Y年%m月%d日 %H:%M" }
        first_response_at = { column = "首次回复", format = "%Y年%m月%d日 %H:%M" }
        """,
    )
    run(db, chosen, path)
    # 08:00 UTC is 16:00 in Shanghai
    assert query(f"SELECT chat_id, {LOCAL.format('started_at')}, {LOCAL.format('first_response_at')} FROM chats") == [
        ("K1", "2026-10-01 16:00:00.000", "2026-10-01 16:02:00.000")
    ]


def test_clock_skew_within_the_tolerance_reads_the_answer_as_the_offer(load, tmp_path, db, query):
    load({})
    path = tmp_path / "calls.csv"
    path.write_text(
        "id,offered,answered,ended\n"
        "S1,2026-10-01 08:00:05,2026-10-01 08:00:04,2026-10-01 08:02:00\n"  # answer 1 s early: read as 08:00:05
        "S2,2026-10-01 08:10:05,2026-10-01 08:10:03,2026-10-01 08:12:00\n"  # 2 s early: still within 2 s
        "S3,2026-10-01 08:20:05,2026-10-01 08:20:02,2026-10-01 08:22:00\n"  # 3 s early: rejected (line 4)
        "S4,2026-10-01 08:30:05,2026-10-01 08:30:09,2026-10-01 08:32:00\n",  # answered 4 s after: untouched
        encoding="utf-8",
    )
    chosen = mapping(
        tmp_path,
        """
        table = "calls"
        skew_seconds = 2
        [fields]
        call_id = "id"
        offered_at = "offered"
        answered_at = "answered"
        ended_at = "ended"
        """,
    )
    report = run(db, chosen, path)
    waits = dict(query("SELECT call_id, epoch(answered_at - offered_at) FROM calls"))
    assert waits == {"S1": 0.0, "S2": 0.0, "S4": 4.0}
    assert query("SELECT line, reason FROM quarantine") == [(4, "answered_before_offered")]
    assert report.imports[0]["steps"]["clock_skew_corrected"] == 2


def test_missing_column_is_one_message_naming_file_and_column(load, tmp_path, db):
    load({})
    path = tmp_path / "bank.csv"
    path.write_text("流水号,日期\nB1,01/10/2026\n", encoding="utf-8")
    with pytest.raises(VendorboardError, match=r"bank\.csv: missing column '日期' or '时间' for offered_at"):
        run(db, mapping(tmp_path, BANK), path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('table = "calls"\n[fields]\ncall_id = "a"\n', "fields.offered_at is required for calls"),
        ('table = "calls"\n[fields]\ncall_id = "a"\noffered_at = { column = "b", format = "fast" }', "format 'fast'"),
        ('table = "tickets"\n[fields]\nid = "a"\n', "table must be one of"),
        ('table = "calls"\n[fields]\ncall_id = "a"\nnope = "b"\n', "fields.nope is not a column of calls"),
        ('table = "calls"\nfields = [', "not a TOML mapping"),
    ],
)
def test_bad_mapping_is_one_message(tmp_path, text, message):
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VendorboardError, match=message):
        imports.load(path)
