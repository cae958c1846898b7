"""Every rejection rule of SPEC §2: the bad row is quarantined with file, line, raw row and reason,
and the good row beside it still loads."""

from __future__ import annotations

import json

import pytest
from conftest import BASE_REFERENCE, write_data

from metrics import render
from metrics.errors import VendorboardError
from metrics.ingest import sources_in_dir
from metrics.loading import ingest

CALLS = "call_id,vendor_id,offered_at,answered_at,ended_at,hold_seconds,csat"
CHATS = "chat_id,vendor_id,started_at,first_response_at,ended_at,csat"
EMAILS = "email_id,vendor_id,received_at,first_reply_at,replies,csat"
VISITS = "visit_id,vendor_id,arrived_at,departed_at,status,questions_audited,questions_correct,csat"
SESSIONS = "session_id,vendor_id,agent_id,channel,login_at,logout_at"

GOOD = {
    "calls": "ok,V1,2026-10-01 09:00:00,2026-10-01 09:00:04,2026-10-01 09:05:00,0,5",
    "chats": "ok,V1,2026-10-01 09:00:00,2026-10-01 09:00:02,2026-10-01 09:10:00,4",
    "emails": "ok,V1,2026-10-01 09:00:00,2026-10-01 10:00:00,1,",
    "visits": "ok,V1,2026-10-01 09:00:00,2026-10-01 10:00:00,completed,10,9,",
    "agent_sessions": "ok,V1,A1,chat,2026-10-01 08:00:00,2026-10-01 12:00:00",
}
HEADERS = {"calls": CALLS, "chats": CHATS, "emails": EMAILS, "visits": VISITS, "agent_sessions": SESSIONS}

CASES = [
    # (table, bad row, reason, a raw value the quarantine must keep)
    (
        "calls",
        "b,V1,2026-10-01 09:00:00,2026-10-01 08:59:59,2026-10-01 09:05:00,0,",
        "answered_before_offered",
        "08:59:59",
    ),
    (
        "calls",
        "b,V1,2026-10-01 09:00:00,2026-10-01 09:00:10,2026-10-01 09:00:05,0,",
        "ended_before_answered",
        "09:00:05",
    ),
    ("calls", "b,V1,2026-10-01 09:00:00,,2026-10-01 08:00:00,0,", "ended_before_offered", "08:00:00"),
    ("calls", "b,V1,,,2026-10-01 08:00:00,0,", "missing_required", "08:00:00"),
    ("calls", "b,V1,yesterday,,2026-10-01 08:00:00,0,", "bad_timestamp", "yesterday"),
    ("calls", "b,V1,2026-10-01 09:00:00,,2026-10-01 09:01:00,abc,", "bad_number", "abc"),
    ("calls", "b,V9,2026-10-01 09:00:00,,2026-10-01 09:01:00,0,", "unknown_vendor", "V9"),
    ("calls", "b,V1,2026-10-01 09:00:00,,2026-10-01 09:01:00,0,6", "csat_out_of_range", "6"),
    ("chats", "b,V1,2026-10-01 09:00:00,2026-10-01 08:00:00,,", "response_before_start", "08:00:00"),
    ("chats", "b,V1,2026-10-01 09:00:00,,2026-10-01 08:00:00,", "ended_before_start", "08:00:00"),
    ("chats", "b,V1,2026-10-01 09:00:00,,,0", "csat_out_of_range", "0"),
    ("emails", "b,V1,2026-10-01 09:00:00,2026-10-01 08:00:00,1,", "reply_before_received", "08:00:00"),
    ("emails", "b,V1,2026-10-01 09:00:00,2026-10-01 10:00:00,-1,", "negative_replies", "-1"),
    ("emails", "b,V1,2026-10-01 09:00:00,,2,", "replies_without_reply_time", "2"),
    ("emails", "b,V1,2026-10-01 09:00:00,,x,", "bad_number", "x"),
    # A count is a whole number: DuckDB's own cast would round 2.5 to 3 and read 1e3 as 1000.
    ("emails", "b,V1,2026-10-01 09:00:00,2026-10-01 10:00:00,2.5,", "bad_number", "2.5"),
    ("visits", "b,V1,2026-10-01 09:00:00,2026-10-01 10:00:00,completed,1e3,5,", "bad_number", "1e3"),
    ("visits", "b,V1,2026-10-01 09:00:00,2026-10-01 10:00:00,completed,5,6,", "correct_exceeds_audited", "6"),
    ("visits", "b,V1,2026-10-01 09:00:00,2026-10-01 08:00:00,completed,5,5,", "departed_before_arrived", "08:00:00"),
    ("visits", "b,V1,2026-10-01 09:00:00,,postponed,5,5,", "unknown_status", "postponed"),
    ("agent_sessions", "b,V1,A1,chat,2026-10-01 08:00:00,2026-10-01 08:00:00", "logout_not_after_login", "A1"),
    ("agent_sessions", "b,V1,A1,fax,2026-10-01 08:00:00,2026-10-01 09:00:00", "unknown_channel", "fax"),
    ("agent_sessions", "b,V1,,chat,2026-10-01 08:00:00,2026-10-01 09:00:00", "missing_required", "chat"),
]


@pytest.mark.parametrize(("table", "bad", "reason", "raw_value"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_rejected_row_is_quarantined_and_good_row_loads(load, query, table, bad, reason, raw_value):
    # Line 1 is the header, line 2 the good row, line 3 the bad row.
    report = load({table: f"{HEADERS[table]}\n{GOOD[table]}\n{bad}"})
    counts = report.tables[table]
    assert (counts.loaded, counts.rejected, counts.rejected_by_reason) == (1, 1, {reason: 1})
    [(source, line, got_reason, detail, raw)] = query(
        "SELECT source_file, line, reason, detail, raw FROM quarantine WHERE table_name = ?", [table]
    )
    assert source.endswith(f"{table}/data.csv")
    assert (line, got_reason) == (3, reason)
    assert render.said(detail, "en") and render.said(detail, "zh")  # its facts, worded in each language
    assert raw_value in json.dumps(json.loads(raw), ensure_ascii=False)
    assert query(f"SELECT count(*) FROM {table}") == [(1,)]


# What the quarantine says about a row, in English and in Chinese, from the facts it stored: the
# column and value the row wrote stay as written (codes the user typed), the rest is in words.
WORDS = {
    "calls-answered_before_offered": ("answered_at is before offered_at", "answered_at 早于 offered_at"),
    "calls-missing_required": ("offered_at is empty", "offered_at 为空"),
    "calls-bad_timestamp": ("offered_at yesterday is not a valid timestamp", "offered_at yesterday 不是有效的时间"),
    "calls-bad_number": ("hold_seconds abc is not a valid decimal", "hold_seconds abc 不是有效的数字"),
    "calls-unknown_vendor": ("vendor_id V9 is not in vendors", "vendor_id V9 不在供应商中"),
    "calls-csat_out_of_range": ("csat 6.00 is outside 1-5", "csat 6.00 不在 1–5 之间"),
    "emails-replies_without_reply_time": (
        "replies 2 but first_reply_at is empty",
        "replies 为 2，但 first_reply_at 为空",
    ),
    "visits-correct_exceeds_audited": (
        "questions_correct 6 exceeds questions_audited 5",
        "questions_correct 6 超过 questions_audited 5",
    ),
    "agent_sessions-logout_not_after_login": ("logout_at is not after login_at", "logout_at 不晚于 login_at"),
    "agent_sessions-unknown_channel": (
        "channel fax is not one of phone, chat, email, onsite",
        "channel fax 不是可选值（phone, chat, email, onsite）之一",
    ),
    "agent_sessions-missing_required": ("agent_id is empty", "agent_id 为空"),
}


@pytest.mark.parametrize("case", WORDS)
def test_a_rejected_row_says_what_is_wrong_in_either_language(load, query, case):
    table, bad, *_ = next(c for c in CASES if f"{c[0]}-{c[2]}" == case)
    load({table: f"{HEADERS[table]}\n{bad}"})
    [(detail,)] = query("SELECT detail FROM quarantine")
    assert (render.said(detail, "en"), render.said(detail, "zh")) == WORDS[case]


def test_malformed_csv_line_is_quarantined_with_its_text_and_later_lines_keep_their_numbers(load, query):
    rows = [
        "a,V1,2026-10-01 09:00:00,,2026-10-01 09:01:00,0,",
        "b,V1,2026-10-01 09:00:00,,2026-10-01 09:01:00,0,,surplus",  # line 3: one field too many
        "c,V1,2026-10-01 09:00:00,,2026-10-01 08:01:00,0,",  # line 4: ended before offered
    ]
    report = load({"calls": "\n".join([CALLS, *rows])})
    assert report.tables["calls"].rejected_by_reason == {"malformed_line": 1, "ended_before_offered": 1}
    found = query("SELECT line, reason, raw FROM quarantine ORDER BY line")
    assert found[0] == (3, "malformed_line", rows[1])
    [(detail,)] = query("SELECT detail FROM quarantine WHERE line = 3")
    assert (render.said(detail, "en"), render.said(detail, "zh")) == ("more fields than the header", "字段数多于表头")
    assert (found[1][0], found[1][1], json.loads(found[1][2])["call_id"]) == (4, "ended_before_offered", "c")


def test_missing_required_column_names_file_and_column_and_changes_nothing(load, db):
    with pytest.raises(VendorboardError, match=r"calls/data.csv: missing required column 'ended_at'"):
        load({"calls": "call_id,vendor_id,offered_at\nx,V1,2026-10-01 09:00:00"})
    assert not db.exists()


def test_headers_are_case_insensitive_and_unknown_columns_ignored(load, query):
    load({"calls": "CALL_ID,Vendor_Id,Offered_At,ENDED_AT,colour\nx,V1,2026-10-01 09:00:00,2026-10-01 09:01:00,red"})
    assert query("SELECT call_id, hold_seconds, wrap_seconds FROM calls") == [("x", 0, 0)]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            {"contracts": "contract_id,vendor_id,start_date,end_date\nC1,V1,2026-01-01,2026-06-30\nC3,V1,2026-06-01,"},
            "contracts C1 and C3 of vendor V1 overlap in time",
        ),
        (
            {"rates": "contract_id,channel,unit,unit_price,effective_from\nC1,phone,minute,0.5,2026-10-15"},
            "effective dates must be month starts",
        ),
        (
            {"sla_targets": "contract_id,channel,metric,target,effective_to\nC1,phone,answer_rate,0.95,2026-10-02"},
            "effective dates must be month starts",
        ),
        (
            {
                "rates": "contract_id,channel,unit,unit_price,tier_from,tier_to\n"
                "C1,phone,minute,0.5,0,1000\nC1,phone,minute,0.4,900,"
            },
            "overlapping tiers",
        ),
        (
            {"rates": "contract_id,channel,unit,unit_price\nC1,fax,minute,0.5"},
            r"line 2: channel fax is not one of phone, chat, email, onsite",
        ),
        (
            {"rates": "contract_id,channel,unit,unit_price\nC1,phone,second,0.5"},
            "unit second is not one of minute, hour, email, visit, contact",
        ),
        ({"rates": "contract_id,channel,unit,unit_price\nC1,chat,minute,0.5"}, "unit minute cannot bill channel chat"),
        ({"sla_targets": "contract_id,channel,metric,target\nC1,phone,happiness,0.9"}, "metric happiness"),
        (
            {"sla_targets": "contract_id,channel,metric,target\nC1,phone,service_level,0.9"},
            "threshold_seconds is required for service_level",
        ),
        (
            {"sla_targets": "contract_id,channel,metric,target\nC9,phone,answer_rate,0.9"},
            "contract_id C9 is not in contracts",
        ),
        ({"vendors": "vendor_id,name,timezone\nV1,X,Mars/Olympus"}, "timezone Mars/Olympus"),
    ],
)
def test_bad_reference_data_is_a_clear_error_and_changes_nothing(load, db, tables, message):
    load({})
    before = db.stat().st_mtime_ns
    with pytest.raises(VendorboardError, match=message):
        load(tables)
    assert db.stat().st_mtime_ns == before


def test_a_line_read_line_by_line_and_a_skipped_file_say_why_in_either_language(tmp_path, db, query):
    # A quote left open makes the reader go line by line (read.line_scan): that line is quarantined
    # with its problem as facts; a file of no table and a header-only file are skipped, each reason
    # worded in either language as the Data page shows it.
    root = write_data(tmp_path / "d", {**BASE_REFERENCE, "calls": f'{CALLS}\n{GOOD["calls"]}\nq,V1,"2026-10-01,,,,\n'})
    (root / "notes.md").write_text("exported by hand")
    (root / "calls" / "empty.csv").write_text(CALLS + "\n")
    report = ingest(db, sources_in_dir(root))
    assert report.tables["calls"].rejected_by_reason == {"malformed_line": 1}
    [(detail,)] = query("SELECT detail FROM quarantine")
    assert (render.said(detail, "en"), render.said(detail, "zh")) == (
        "a quote that is not closed, or text after a closing quote",
        "引号未闭合，或闭合引号后仍有内容",
    )
    reasons = {s["file"].rsplit("/", 1)[-1]: s["reason"] for s in report.skipped}
    assert {f: (render.skipped(r, "en"), render.skipped(r, "zh")) for f, r in reasons.items()} == {
        "notes.md": ("not in a table folder", "不在数据表文件夹中"),
        "empty.csv": ("header only", "只有表头"),
    }
