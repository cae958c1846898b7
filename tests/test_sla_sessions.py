"""Metrics over agent sessions (SPEC §3): coverage_rate and weekly_min_hours."""

from __future__ import annotations

import datetime as dt

from sla_fixtures import OCT, evidence_rows, fraction, series_rows, verdict

SEP = dt.date(2026, 9, 1)

# C1 is active on Mon 5 Oct 2026 only. Chat is served 09:00-12:00 and 13:00-18:00 (a lunch gap).
# Agent A: 08:00-12:30 and 12:45-17:00; agent B: 10:00-11:00 (overlaps A: counted once).
# Service: 3 h + 5 h = 28800 s. Covered: 09:00-12:00 (3 h) + 13:00-17:00 (4 h) = 25200 s; the
# 12:00-12:30 session time falls in the gap and the 17:00-18:00 hour is uncovered.
# Rate 25200 / 28800 = 0.875 < 0.9.
COVERAGE = {
    "contracts": """
        contract_id,vendor_id,start_date,end_date
        C1,V1,2026-10-05,2026-10-05
        C2,V2,2026-01-01,
    """,
    "service_hours": """
        contract_id,channel,days,open,close
        C1,chat,weekdays,09:00,12:00
        C1,chat,weekdays,13:00,18:00
        C1,email,sat,09:00,18:00
    """,
    "sla_targets": """
        contract_id,channel,metric,target
        C1,chat,coverage_rate,0.9
        C1,email,coverage_rate,0.9
    """,
    "agent_sessions": """
        session_id,vendor_id,agent_id,channel,login_at,logout_at
        1,V1,A,chat,2026-10-05 08:00:00,2026-10-05 12:30:00
        2,V1,A,chat,2026-10-05 12:45:00,2026-10-05 17:00:00
        3,V1,B,chat,2026-10-05 10:00:00,2026-10-05 11:00:00
        4,V1,B,email,2026-10-05 09:00:00,2026-10-05 18:00:00
    """,
}


def test_coverage_with_a_gap_in_the_service_hours(load, db):
    load(COVERAGE)
    chat = verdict(db, OCT, "C1", "coverage_rate", channel="chat")
    assert (fraction(chat), chat["met"]) == ((25200, 28800), False)


def test_coverage_evidence_and_series_by_hour(load, db):
    load(COVERAGE)
    rows = evidence_rows(db, OCT, "C1", "chat", "coverage_rate")
    # One slice per service hour: 09, 10, 11, 13, 14, 15, 16 fully covered, 17 not at all.
    assert [(r["id"], r["covered_seconds"], r["status"]) for r in rows] == [
        *((f"2026-10-05 {h:02d}:00", 3600, "hit") for h in (9, 10, 11, 13, 14, 15, 16)),
        ("2026-10-05 17:00", 0, "miss"),
    ]
    by_hour = {r["hour"]: fraction(r) for r in series_rows(db, OCT, "C1", "hour") if r["channel"] == "chat"}
    assert by_hour[11] == (3600, 3600) and by_hour[17] == (0, 3600) and 12 not in by_hour


def test_coverage_with_no_service_seconds_is_null(load, db):
    load(COVERAGE)
    # E-mail is served on Saturdays only and the contract is active on a Monday: 0 service seconds.
    row = verdict(db, OCT, "C1", "coverage_rate", channel="email")
    assert (row["value"], row["met"], fraction(row)) == (None, None, (0, 0))
    assert [r for r in series_rows(db, OCT, "C1", "day") if r["channel"] == "email"] == []


# ISO week 40 of 2026 runs Mon 28 Sep - Sun 4 Oct; its Thursday (1 Oct) puts it in October.
# Agent A: Mon 28 Sep 09:00-19:00 on chat (10 h), Tue 29 Sep 09:00-19:00 on phone (10 h) and an
#   overlapping e-mail session Tue 12:00-14:00 (merged, no extra time): 20 h = 72000 s -> reaches it.
# Agent B: Mon 28 Sep 09:00-17:00 (8 h) + Fri 2 Oct 09:00-19:00 (10 h) = 18 h -> misses.
# Agent C: Sun 4 Oct 20:00 - Mon 5 Oct 04:00, clipped: 4 h in week 40 and 4 h in week 41 -> two misses.
# October: 1 of 4 agent-weeks reach 72000 s = 0.25. September: its weeks (Thursdays 3-24 Sep) have no
# logged time, so nothing is measured (null), though three sessions fall in September.
WEEKLY = {
    "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds
        C1,chat,weekly_min_hours,0.9,72000
    """,
    "agent_sessions": """
        session_id,vendor_id,agent_id,channel,login_at,logout_at
        1,V1,A,chat,2026-09-28 09:00:00,2026-09-28 19:00:00
        2,V1,A,phone,2026-09-29 09:00:00,2026-09-29 19:00:00
        3,V1,A,email,2026-09-29 12:00:00,2026-09-29 14:00:00
        4,V1,B,chat,2026-09-28 09:00:00,2026-09-28 17:00:00
        5,V1,B,chat,2026-10-02 09:00:00,2026-10-02 19:00:00
        6,V1,C,chat,2026-10-04 20:00:00,2026-10-05 04:00:00
    """,
}


def test_weekly_min_hours_by_iso_week_of_the_thursday(load, db):
    load(WEEKLY)
    october = verdict(db, OCT, "C1", "weekly_min_hours")
    assert (fraction(october), october["met"]) == ((1, 4), False)
    september = verdict(db, SEP, "C1", "weekly_min_hours")
    assert (fraction(september), september["value"], september["met"]) == ((0, 0), None, None)
    rows = evidence_rows(db, OCT, "C1", "chat", "weekly_min_hours")
    assert [(r["id"], r["logged_seconds"], r["status"]) for r in rows] == [
        ("A 2026-W40", 72000, "hit"),
        ("B 2026-W40", 64800, "miss"),
        ("C 2026-W40", 14400, "miss"),
        ("C 2026-W41", 14400, "miss"),
    ]


def test_weekly_min_hours_week_goes_to_the_contract_in_force_on_its_thursday(load, db):
    # C1 starts Fri 2 Oct: week 40 (Thursday 1 Oct) is not C1's; only C's week 41 is (4 h, a miss).
    load(
        {
            **WEEKLY,
            "contracts": """
        contract_id,vendor_id,start_date
        C1,V1,2026-10-02
        C2,V2,2026-01-01
    """,
        }
    )
    assert fraction(verdict(db, OCT, "C1", "weekly_min_hours")) == (0, 1)


def test_coverage_and_weekly_hours_without_any_session_are_no_data_not_zero(load, db):
    # The same contract and targets with no agent session at all in October: 28,800 service seconds
    # on chat, none of them covered - but nobody logged in, so there is nothing to measure. Before, this
    # read 0 % and missed (and a credit on it would have been billed for missing data).
    load(
        {
            **{k: v for k, v in COVERAGE.items() if k != "agent_sessions"},
            "sla_targets": """
            contract_id,channel,metric,target,threshold_seconds,credit_rate,credit_base
            C1,chat,coverage_rate,0.9,,0.1,invoice
            C1,chat,weekly_min_hours,0.9,72000,0.1,invoice
        """,
        }
    )
    for metric in ("coverage_rate", "weekly_min_hours"):
        row = verdict(db, OCT, "C1", metric)
        assert (row["value"], row["met"], fraction(row)) == (None, None, (0, 0)), metric
    assert {r["status"] for r in evidence_rows(db, OCT, "C1", "chat", "coverage_rate")} == {"not_counted"}


def test_coverage_with_sessions_only_outside_service_hours_is_zero(load, db):
    # A session on the channel in the month, but 06:00-08:00, before the 09:00 opening: the vendor did
    # log in, so the service hours were measured and not covered at all: 0 of 28,800 s, missed.
    load(
        {
            **COVERAGE,
            "agent_sessions": """
            session_id,vendor_id,agent_id,channel,login_at,logout_at
            1,V1,A,chat,2026-10-05 06:00:00,2026-10-05 08:00:00
        """,
        }
    )
    chat = verdict(db, OCT, "C1", "coverage_rate", channel="chat")
    assert (fraction(chat), chat["met"]) == ((0, 28800), False)
