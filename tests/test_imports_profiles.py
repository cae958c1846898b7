"""The shipped import profiles on small exports written here, with the expected calls, chats,
e-mails and sessions worked out by hand in the comments (docs/imports.md states each reading).
Vendor V1 is in Asia/Shanghai: epoch 1790812800 is 2026-10-01 00:00:00 UTC = 08:00:00 local."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from conftest import table_fingerprints

from metrics.errors import VendorboardError
from metrics.imports import Import, profile, profiles
from metrics.ingest.read import File
from metrics.loading import ingest

T = 1790812800  # 2026-10-01 08:00:00 in Shanghai
LOCAL = "strftime(timezone('Asia/Shanghai', {}), '%H:%M:%S')"


def run(db: Path, name: str, *paths: Path, vendor: str = "V1"):
    return ingest(db, [], derived=[Import(profile(name), vendor, tuple(File(p, p.name) for p in paths))])


def calls(query) -> dict[str, tuple]:
    """call_id -> (offered, answered, ended) as local clock times, agent, queue, hold, wrap."""
    cols = ", ".join(LOCAL.format(c) for c in ("offered_at", "answered_at", "ended_at"))
    return {
        r[0]: r[1:]
        for r in query(
            f"SELECT call_id, {cols}, agent_id, queue, hold_seconds::VARCHAR, wrap_seconds::VARCHAR FROM calls"
        )
    }


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


# ---- asterisk-queue-log ------------------------------------------------------------------------

# Lines deliberately out of time order (the CONNECT of call 1001.1 comes before its second
# ENTERQUEUE), one line repeated, one line that is not an event.
QUEUE_LOG = f"""
{T}|NONE|sales|SIP/1001|ADDMEMBER|
{T + 5}|NONE|sales|SIP/1001|ADDMEMBER|
{T}|NONE|NONE|Agent/2002|AGENTLOGIN|SIP/2002
{T + 100}|1001.1|sales|NONE|ENTERQUEUE||13800138000|1
{T + 160}|1001.1|sales|NONE|EXITWITHTIMEOUT|1|1|60
{T + 175}|1001.1|support|SIP/1001|CONNECT|15|1001.9|3
{T + 160}|1001.1|support|NONE|ENTERQUEUE||13800138000|1
{T + 295}|1001.1|support|SIP/1001|COMPLETEAGENT|15|120|1
{T + 200}|1002.2|sales|NONE|ENTERQUEUE||13900139000|1
{T + 230}|1002.2|sales|NONE|ABANDON|1|1|30
{T + 230}|1002.2|sales|NONE|ABANDON|1|1|30
{T + 250}|NONE|sales|SIP/1001|PAUSE|
{T + 300}|1003.3|sales|NONE|ENTERQUEUE||13700137000|1
{T + 304}|1003.3|sales|SIP/1001|CONNECT|4|1003.7|2
{T + 400}|1003.3|sales|SIP/1001|BLINDTRANSFER|8001|from-internal|4|96|1
{T + 500}|1004.4|sales|NONE|ENTERQUEUE||13600136000|1
{T + 510}|1004.4|sales|SIP/1001|CONNECT|10|1004.8|2
{T + 520}|1005.5|sales|SIP/1001|CONNECT|0|1005.9|1
{T + 600}|1006.6|NONE|SIP/1001|OUTDIAL|
not an event
{T + 700}|NONE|support|SIP/3003|ADDMEMBER|
{T + 1800}|NONE|NONE|Agent/2002|AGENTLOGOFF|SIP/2002|1800
{T + 3600}|NONE|sales|SIP/1001|REMOVEMEMBER|
"""
# By hand (local times, T = 08:00:00):
# 1001.1 overflow sales -> support, one call: offered at its first ENTERQUEUE 08:01:40, answered at
#        the CONNECT 08:02:55 (SIP/1001, queue support), ended at COMPLETEAGENT 08:04:55.
# 1002.2 abandoned: offered 08:03:20, no answer, ended at ABANDON 08:03:50 (the repeat counts once).
# 1003.3 transferred: offered 08:05:00, answered 08:05:04, ended at BLINDTRANSFER 08:06:40.
# 1004.4 connected but not ended: in progress, not loaded. 1005.5 and 1006.6 never entered a queue.
# Sessions: SIP/1001 in sales 08:00:00-09:00:00 (second ADDMEMBER and PAUSE change nothing);
# Agent/2002 logged in 08:00:00-08:30:00; SIP/3003 still a member at the end: not loaded.
EXPECTED_CALLS = {
    "1001.1": ("08:01:40", "08:02:55", "08:04:55", "SIP/1001", "support", "0.000", "0.000"),
    "1002.2": ("08:03:20", None, "08:03:50", None, "sales", "0.000", "0.000"),
    "1003.3": ("08:05:00", "08:05:04", "08:06:40", "SIP/1001", "sales", "0.000", "0.000"),
}


def test_queue_log_calls_sessions_and_what_was_left_out(load, tmp_path, db, query):
    load({})
    report = run(db, "asterisk-queue-log", write(tmp_path / "queue_log", QUEUE_LOG))
    assert calls(query) == EXPECTED_CALLS
    sessions = query(
        f"SELECT agent_id, channel, {LOCAL.format('login_at')}, {LOCAL.format('logout_at')} FROM agent_sessions "
        "ORDER BY agent_id"
    )
    assert sessions == [("Agent/2002", "phone", "08:00:00", "08:30:00"), ("SIP/1001", "phone", "08:00:00", "09:00:00")]
    [steps] = report.imports
    assert steps["steps"] == {
        "rows_read": 23,
        "malformed_lines": 1,
        "duplicate_lines": 1,
        "ids_without_enterqueue": 2,
        "calls_in_progress": 1,
        "sessions_still_open": 1,
    }
    assert report.tables["calls"].loaded == 3 and report.tables["agent_sessions"].loaded == 2
    # the line that is not an event is line 20, quarantined against the file
    assert query("SELECT source_file, line, reason FROM quarantine") == [("queue_log", 20, "malformed_line")]


def test_queue_log_reimport_changes_nothing(load, tmp_path, db):
    load({})
    path = write(tmp_path / "queue_log", QUEUE_LOG)
    run(db, "asterisk-queue-log", path)
    before = table_fingerprints(db)
    report = run(db, "asterisk-queue-log", path)
    assert table_fingerprints(db) == before
    assert (report.tables["calls"].loaded, report.tables["calls"].unchanged) == (0, 3)
    assert report.tables["agent_sessions"].unchanged == 2


def test_queue_log_table_export_with_named_columns_and_local_times(load, tmp_path, db, query):
    """The realtime queue_log table as CSV: `time` is the server's local time (the vendor's zone)."""
    load({})
    path = write(
        tmp_path / "queue_log.csv",
        """
        time,callid,queuename,agent,event,data1,data2,data3,data4,data5
        2026-10-01 08:01:40.000000,1001.1,sales,NONE,ENTERQUEUE,,13800138000,1,,
        2026-10-01 08:02:40.000000,1001.1,sales,NONE,EXITWITHTIMEOUT,1,1,60,,
        2026-10-01 08:02:40.000000,1001.1,support,NONE,ENTERQUEUE,,13800138000,1,,
        2026-10-01 08:02:55.000000,1001.1,support,SIP/1001,CONNECT,15,1001.9,3,,
        2026-10-01 08:04:55.000000,1001.1,support,SIP/1001,COMPLETEAGENT,15,120,1,,
        2026-10-01 08:03:20.000000,1002.2,sales,NONE,ENTERQUEUE,,13900139000,1,,
        2026-10-01 08:03:50.000000,1002.2,sales,NONE,ABANDON,1,1,30,,
        """,
    )
    run(db, "asterisk-queue-log", path)
    assert calls(query) == {k: EXPECTED_CALLS[k] for k in ("1001.1", "1002.2")}


def test_unknown_vendor_is_one_message_and_changes_nothing(load, tmp_path, db):
    load({})
    before = table_fingerprints(db)
    with pytest.raises(VendorboardError, match="vendor V9 is not in vendors"):
        run(db, "asterisk-queue-log", write(tmp_path / "queue_log", QUEUE_LOG), vendor="V9")
    assert table_fingerprints(db) == before


# ---- amazon-connect-ctr ------------------------------------------------------------------------


def ctr(contact: str, **fields) -> dict:
    return {"ContactId": contact, "Channel": "VOICE", "InitiationMethod": "INBOUND", **fields}


CONTACTS = [
    # c-1 answered by alice, then transferred to c-2 (same InitialContactId), answered by bob
    ctr(
        "c-1",
        Queue={"Name": "Billing", "EnqueueTimestamp": "2026-10-01T00:01:00Z"},
        Agent={
            "Username": "alice",
            "ConnectedToAgentTimestamp": "2026-10-01T00:01:20Z",
            "CustomerHoldDuration": 30,
            "AfterContactWorkDuration": 15,
        },
        DisconnectTimestamp="2026-10-01T00:05:00Z",
        LastUpdateTimestamp="2026-10-01T00:06:00Z",
    ),
    ctr(
        "c-2",
        InitialContactId="c-1",
        PreviousContactId="c-1",
        InitiationMethod="TRANSFER",
        Queue={"Name": "Tech", "EnqueueTimestamp": "2026-10-01T00:05:00Z"},
        Agent={
            "Username": "bob",
            "ConnectedToAgentTimestamp": "2026-10-01T00:05:40Z",
            "CustomerHoldDuration": 10,
            "AfterContactWorkDuration": 20,
        },
        DisconnectTimestamp="2026-10-01T00:12:00Z",
        LastUpdateTimestamp="2026-10-01T00:13:00Z",
    ),
    # c-3 in two versions: the later one (by LastUpdateTimestamp) has the agent; it comes first here
    ctr(
        "c-3",
        Queue={"Name": "Billing", "EnqueueTimestamp": "2026-10-01T00:10:00Z"},
        Agent={"Username": "carol", "ConnectedToAgentTimestamp": "2026-10-01T00:10:10Z", "AfterContactWorkDuration": 5},
        DisconnectTimestamp="2026-10-01T00:15:00Z",
        LastUpdateTimestamp="2026-10-01T00:30:00Z",
    ),
    ctr(
        "c-3",
        Queue={"Name": "Billing", "EnqueueTimestamp": "2026-10-01T00:10:00Z"},
        DisconnectTimestamp="2026-10-01T00:10:30Z",
        LastUpdateTimestamp="2026-10-01T00:20:00Z",
    ),
    # an outbound call was never queued: not an offered call
    ctr("c-4", InitiationMethod="OUTBOUND", DisconnectTimestamp="2026-10-01T00:40:00Z"),
    {
        "ContactId": "c-5",
        "Channel": "CHAT",
        "Queue": {"Name": "Chat", "EnqueueTimestamp": "2026-10-01T00:20:00Z"},
        "Agent": {"Username": "dave", "ConnectedToAgentTimestamp": "2026-10-01T00:20:05Z"},
        "ChatMetrics": {"ChatContactMetrics": {"AgentFirstResponseTimestamp": "2026-10-01T00:20:30Z"}},
        "DisconnectTimestamp": "2026-10-01T00:30:00Z",
    },
    {"ContactId": "c-6", "Channel": "TASK", "DisconnectTimestamp": "2026-10-01T00:50:00Z"},
]
# By hand: c-1 + c-2 are one call: offered 08:01:00 (first queued), answered 08:01:20 by alice (the
# answering record's agent, queue Billing of the first queued record), ended 08:12:00 (last
# disconnect), hold 30 + 10 = 40, wrap 15 + 20 = 35. c-3's latest version: answered 08:10:10 by
# carol, ended 08:15:00, wrap 5. c-5 is a chat: started 08:20:00, first response 08:20:30.
EXPECTED_CONNECT = {
    "c-1": ("08:01:00", "08:01:20", "08:12:00", "alice", "Billing", "40.000", "35.000"),
    "c-3": ("08:10:00", "08:10:10", "08:15:00", "carol", "Billing", "0.000", "5.000"),
}
LAYOUTS = {
    "lines": lambda records: "\n".join(json.dumps(r) for r in records),
    "array": lambda records: json.dumps(records, indent=1),
    "back to back": lambda records: "".join(json.dumps(r) for r in records),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_connect_records_in_each_json_layout(load, tmp_path, db, query, layout):
    load({})
    report = run(db, "amazon-connect-ctr", write(tmp_path / "ctr.json", LAYOUTS[layout](CONTACTS)))
    assert calls(query) == EXPECTED_CONNECT
    chats = query(
        f"SELECT chat_id, {LOCAL.format('started_at')}, {LOCAL.format('first_response_at')}, "
        f"{LOCAL.format('ended_at')}, agent_id FROM chats"
    )
    assert chats == [("c-5", "08:20:00", "08:20:30", "08:30:00", "dave")]
    assert report.imports[0]["steps"] == {
        "rows_read": 7,
        "older_versions": 1,
        "records_merged_into_chains": 1,
        "contacts_never_queued": 1,
        "other_channels": 1,
    }


def test_connect_reimport_changes_nothing(load, tmp_path, db):
    load({})
    path = write(tmp_path / "ctr.json", LAYOUTS["lines"](CONTACTS))
    run(db, "amazon-connect-ctr", path)
    before = table_fingerprints(db)
    report = run(db, "amazon-connect-ctr", path)
    assert table_fingerprints(db) == before and report.tables["calls"].unchanged == 2


# ---- asterisk-cdr ------------------------------------------------------------------------------

# Master.csv: no header; 18 fields (uniqueid and userfield logged). Local (PBX) times.
MASTER = [
    # U1: a leg to SIP/1001 not answered, then a leg to SIP/1002 answered at 09:00:25
    ("6000", "SIP/1001-0000000a", "2026-10-01 09:00:00", "", "2026-10-01 09:00:20", "20", "0", "NO ANSWER", "U1"),
    (
        "6000",
        "SIP/1002-0000000b",
        "2026-10-01 09:00:00",
        "2026-10-01 09:00:25",
        "2026-10-01 09:05:25",
        "325",
        "300",
        "ANSWERED",
        "U1",
    ),
    ("6000", "SIP/1001-0000000c", "2026-10-01 09:10:00", "", "2026-10-01 09:10:40", "40", "0", "NO ANSWER", "U2"),
    ("6000", "", "2026-10-01 09:20:00", "", "2026-10-01 09:20:01", "1", "0", "FAILED", "U3"),
]


def master_csv(rows) -> str:
    line = '"","13800138000","{0}","from-trunk","""Li"" <13800138000>","SIP/trunk-00000001","{1}","Queue","sales",'
    line += '"{2}","{3}","{4}",{5},{6},"{7}","DOCUMENTATION","{8}",""'
    return "\n".join(line.format(*r) for r in rows)


def test_cdr_master_csv_legs_make_one_call(load, tmp_path, db, query):
    load({})
    report = run(db, "asterisk-cdr", write(tmp_path / "Master.csv", master_csv(MASTER)))
    # U1: offered 09:00:00, answered 09:00:25 by the answered leg's SIP/1002, ended 09:05:25 (last
    # leg end). U2: NO ANSWER only: abandoned, ended 09:10:40. U3 FAILED: not an offered call.
    assert calls(query) == {
        "U1": ("09:00:00", "09:00:25", "09:05:25", "SIP/1002", "6000", "0.000", "0.000"),
        "U2": ("09:10:00", None, "09:10:40", None, "6000", "0.000", "0.000"),
    }
    assert report.imports[0]["steps"] == {"rows_read": 4, "not_offered": 1, "legs_merged_into_calls": 1}


def test_cdr_table_export_derives_answer_from_duration_minus_billsec(load, tmp_path, db, query):
    load({})
    path = write(
        tmp_path / "cdr.csv",
        """
calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,duration,billsec,disposition,amaflags,uniqueid
2026-10-01 10:00:00,"""
        + '''"""Wang"" <139>"'''
        + """,139,6000,from-trunk,SIP/trunk-1,SIP/1003-00000010,Queue,sales,130,100,ANSWERED,3,U4
2026-10-01 10:10:00,,139,6000,from-trunk,SIP/trunk-2,SIP/1003-00000011,Queue,sales,15,0,NO ANSWER,3,U5
2026-10-01 10:20:00,,139,6000,from-trunk,SIP/trunk-3,,Queue,sales,9,0,CONGESTION,3,U6
2026-10-01 10:30:00,,139,6000,from-trunk,SIP/trunk-4,,Queue,sales,9,0,HUNG UP,3,U7
""",
    )
    report = run(db, "asterisk-cdr", path)
    # U4: answered = 10:00:00 + (130 - 100) s = 10:00:30, ended = 10:00:00 + 130 s = 10:02:10.
    # U5: NO ANSWER: abandoned, ended 10:00:15 after 15 s. U6 CONGESTION: not offered.
    # U7: a disposition the profile does not know is quarantined (line 5), not guessed.
    assert calls(query) == {
        "U4": ("10:00:00", "10:00:30", "10:02:10", "SIP/1003", "6000", "0.000", "0.000"),
        "U5": ("10:10:00", None, "10:10:15", None, "6000", "0.000", "0.000"),
    }
    assert query("SELECT line, reason FROM quarantine") == [(5, "unmapped_value")]
    assert report.tables["calls"].rejected_by_reason == {"unmapped_value": 1}


# ---- zendesk-ticket-metrics --------------------------------------------------------------------


def test_zendesk_ticket_metrics_pages(load, tmp_path, db, query):
    load({})
    pages = [
        {
            "ticket_metrics": [
                {
                    "ticket_id": 101,
                    "created_at": "2026-10-01T01:00:00Z",
                    "reply_time_in_minutes": {"calendar": 90},
                    "replies": 2,
                },
                {
                    "ticket_id": 102,
                    "created_at": "2026-10-01T02:00:00Z",
                    "reply_time_in_minutes": {"calendar": None},
                    "replies": 0,
                },
            ],
            "next_page": "https://example.zendesk.com/api/v2/ticket_metrics.json?page=2",
        },
        {
            "ticket_metrics": [
                {
                    "ticket_id": 103,
                    "created_at": "2026-10-01T03:00:00Z",
                    "reply_time_in_minutes": {"calendar": 1500},
                    "replies": 1,
                }
            ]
        },
    ]
    run(db, "zendesk-ticket-metrics", write(tmp_path / "metrics.json", "\n".join(json.dumps(p) for p in pages)))
    # 101: received 09:00 local, first reply 90 min later 10:30; 102: not replied; 103: 1500 min = 25 h later
    rows = query(
        "SELECT email_id, strftime(timezone('Asia/Shanghai', received_at), '%d %H:%M'), "
        "strftime(timezone('Asia/Shanghai', first_reply_at), '%d %H:%M'), replies FROM emails ORDER BY 1"
    )
    assert rows == [
        ("101", "01 09:00", "01 10:30", 2),
        ("102", "01 10:00", None, 0),
        ("103", "01 11:00", "02 12:00", 1),
    ]


# ---- cisco-ucce-tcd ----------------------------------------------------------------------------


def test_ucce_termination_call_detail_durations(load, tmp_path, db, query):
    load({})
    path = write(
        tmp_path / "tcd.csv",
        """
RecoveryKey,DateTime,StartDateTime,DelayTime,LocalQTime,RingTime,TalkTime,HoldTime,WorkTime,Duration,CallDisposition,AgentPeripheralNumber,SkillGroupSkillTargetID
1001,2026-10-01 09:04:40,2026-10-01 09:00:00,2,20,3,200,30,25,280,13,5001,7001
1002,2026-10-01 09:10:45,2026-10-01 09:10:00,1,44,0,0,0,0,45,2,,7001
1003,2026-10-01 09:20:10,2026-10-01 09:20:00,0,0,10,0,0,0,10,19,5002,7001
""",
    )
    report = run(db, "cisco-ucce-tcd", path)
    # 1001 handled: answered 09:00:00 + 2 + 20 + 3 s = 09:00:25, ended + 200 talk + 30 hold = 09:04:15,
    # hold 30, wrap 25. 1002 abandoned in queue: ended 09:00:00 + 1 + 44 s = 09:10:45. 1003 ring no
    # answer (19) is a leg, not an offered call.
    assert calls(query) == {
        "1001": ("09:00:00", "09:00:25", "09:04:15", "5001", "7001", "30.000", "25.000"),
        "1002": ("09:10:00", None, "09:10:45", None, "7001", "0.000", "0.000"),
    }
    assert report.imports[0]["steps"] == {"rows_read": 3, "not_offered": 1}


def test_every_profile_loads_and_has_a_description():
    found = profiles()
    assert set(found) == {
        "asterisk-queue-log",
        "amazon-connect-ctr",
        "asterisk-cdr",
        "zendesk-ticket-metrics",
        "cisco-ucce-tcd",
    }
    assert all(m.description for m in found.values())
