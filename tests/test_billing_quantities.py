"""SPEC §4 usage quantities: minute, hour, email, visit and contact, from real ingested data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from billing_fixtures import OCT, invoice_of, usage

NOV = dt.date(2026, 11, 1)

CALLS = """
    call_id,vendor_id,offered_at,answered_at,ended_at
    1,V1,2026-10-05 10:00:00,2026-10-05 10:00:03,2026-10-05 10:01:04
    2,V1,2026-10-05 11:00:00,2026-10-05 11:00:02,2026-10-05 11:01:01
    3,V1,2026-10-05 12:00:00,,2026-10-05 12:00:30
    4,V1,2026-09-30 23:59:00,2026-09-30 23:59:10,2026-10-01 00:10:00
"""


@pytest.mark.parametrize(
    "increment, minutes, amount",
    [
        # talk 61 s and 59 s; call 3 was abandoned, call 4 started in September (local time).
        (60, D("3"), D("1.35")),  # 61 -> 120 s, 59 -> 60 s: 180 s = 3 min; 3 x 0.45 = 1.35
        (6, D("2.1"), D("0.95")),  # 61 -> 66 s, 59 -> 60 s: 126 s = 2.1 min; 2.1 x 0.45 = 0.945 -> 0.95 (half-up)
        (1, D("2"), D("0.90")),  # 61 + 59 = 120 s = 2 min; 2 x 0.45 = 0.90
    ],
)
def test_each_call_is_rounded_up_to_the_increment(load, db, increment, minutes, amount):
    load(
        {
            "calls": CALLS,
            "rates": f"""
        contract_id,channel,unit,unit_price,increment_seconds
        C1,phone,minute,0.45,{increment}
    """,
        }
    )
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.unit_price, line.amount) == (minutes, D("0.45"), amount)
    assert line.description == "Phone talk time, CNY 0.45 per minute"


def test_talk_time_is_exact_to_the_millisecond(load, db):
    load(
        {
            "rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,1.00",
            "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-05 10:00:00,2026-10-05 10:00:00.500,2026-10-05 10:01:00.500
        2,V1,2026-10-05 11:00:00,2026-10-05 11:00:00.500,2026-10-05 11:01:00.501
    """,
        }
    )
    # call 1 talks exactly 60.000 s -> 1 min; call 2 talks 60.001 s -> 2 min; 3 min x 1.00 = 3.00
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.amount) == (D("3"), D("3.00"))


def test_emails_visits_and_contacts(load, db):
    load(
        {
            "rates": """
            contract_id,channel,unit,unit_price
            C1,email,email,2.50
            C1,email,contact,1.00
            C1,onsite,visit,80
            C1,chat,contact,0.50
            C1,phone,contact,0.30
        """,
            "emails": """
            email_id,vendor_id,received_at,first_reply_at,replies
            1,V1,2026-10-02 09:00:00,2026-10-02 10:00:00,3
            2,V1,2026-10-02 09:00:00,2026-10-02 10:00:00,
            3,V1,2026-10-02 09:00:00,,
        """,
            "visits": """
            visit_id,vendor_id,arrived_at,status
            1,V1,2026-10-03 09:00:00,
            2,V1,2026-10-03 10:00:00,cancelled
            3,V1,2026-10-03 11:00:00,no_show
            4,V1,2026-10-03 12:00:00,completed
        """,
            "chats": """
            chat_id,vendor_id,started_at,first_response_at
            1,V1,2026-10-04 09:00:00,2026-10-04 09:00:02
            2,V1,2026-10-04 09:05:00,
        """,
            "calls": CALLS,
        }
    )
    got = {(ln.channel, ln.unit): (ln.quantity, ln.amount) for ln in usage(invoice_of(db))}
    assert got == {
        ("phone", "contact"): (D(2), D("0.60")),  # calls 1 and 2 answered in October: 2 x 0.30
        ("chat", "contact"): (D(1), D("0.50")),  # one chat has a response
        ("email", "email"): (D(4), D("10.00")),  # replies 3 + 1 (default) + 0 = 4 x 2.50
        ("email", "contact"): (D(2), D("2.00")),  # two e-mails replied
        ("onsite", "visit"): (D(2), D("160.00")),  # visits 1 (default completed) and 4: 2 x 80
    }


HOURLY = "contract_id,channel,unit,unit_price\nC1,chat,hour,38\n"


def test_overlapping_sessions_of_one_agent_bill_once(load, db):
    load(
        {
            "rates": HOURLY,
            "agent_sessions": """
        session_id,vendor_id,agent_id,channel,login_at,logout_at
        1,V1,a,chat,2026-10-06 09:00:00,2026-10-06 11:00:00
        2,V1,a,chat,2026-10-06 10:00:00,2026-10-06 12:00:00
        3,V1,b,chat,2026-10-06 10:00:00,2026-10-06 11:00:00
        4,V1,a,phone,2026-10-06 09:00:00,2026-10-06 10:00:00
    """,
        }
    )
    # chat is served 24/7 (no service_hours rows). Agent a: 09-11 and 10-12 merge into 09-12 = 3 h
    # (not 4); agent b is another person: + 1 h; a's phone session bills no chat hours. 4 h x 38 = 152.00
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.amount, line.description) == (D(4), D("152.00"), "Chat agent hours, CNY 38.00 per hour")


def test_hours_are_clipped_to_service_hours_and_holidays(load, db):
    load(
        {
            "rates": HOURLY,
            "service_hours": "contract_id,channel,days,open,close\nC1,chat,daily,08:00,22:00",
            "holidays": "vendor_id,date,kind\nV1,2026-10-01,closed",
            "agent_sessions": """
            session_id,vendor_id,agent_id,channel,login_at,logout_at
            1,V1,a,chat,2026-10-02 07:30:00,2026-10-02 09:00:00
            2,V1,a,chat,2026-10-01 09:00:00,2026-10-01 10:00:00
          """,
        }
    )
    # 07:30-09:00 under 08:00-22:00 bills 08:00-09:00 = 1 h; 1 October is a closed holiday: 0 h. 1 x 38
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.amount) == (D(1), D("38.00"))


def test_a_session_across_midnight_at_month_end_splits_across_months(load, db):
    load(
        {
            "rates": HOURLY,
            "agent_sessions": """
        session_id,vendor_id,agent_id,channel,login_at,logout_at
        1,V1,a,chat,2026-10-31 23:00:00,2026-11-01 01:00:00
    """,
        }
    )
    # local 23:00-01:00: 1 h in October and 1 h in November, 38.00 each
    assert [(ln.quantity, ln.amount) for ln in usage(invoice_of(db, OCT))] == [(D(1), D("38.00"))]
    assert [(ln.quantity, ln.amount) for ln in usage(invoice_of(db, NOV))] == [(D(1), D("38.00"))]


def test_each_interval_is_rounded_up_after_clipping(load, db):
    load(
        {
            "rates": "contract_id,channel,unit,unit_price,increment_seconds\nC1,chat,hour,36,60",
            "service_hours": """
            contract_id,channel,days,open,close
            C1,chat,daily,09:00,12:00
            C1,chat,daily,13:00,18:00
          """,
            "agent_sessions": """
            session_id,vendor_id,agent_id,channel,login_at,logout_at
            1,V1,a,chat,2026-10-06 11:59:30,2026-10-06 13:00:30
          """,
        }
    )
    # the split shift leaves 11:59:30-12:00 (30 s) and 13:00-13:00:30 (30 s); each rounds up to 60 s:
    # 120 s = 0.0333 h (shown to 4 places); amount from the exact seconds: 120 x 36 / 3600 = 1.20
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.amount) == (D("0.0333"), D("1.20"))


def test_hours_count_real_time_on_the_night_the_clocks_go_back(load, db):
    load(
        {
            "rates": "contract_id,channel,unit,unit_price\nC2,chat,hour,10",
            "agent_sessions": """
        session_id,vendor_id,agent_id,channel,login_at,logout_at
        1,V2,a,chat,2026-11-01 00:00:00,2026-11-01 03:00:00
    """,
        }
    )
    # New York falls back at 02:00 on 1 November 2026: 00:00 EDT (04:00Z) to 03:00 EST (08:00Z) = 4 h; 4 x 10
    (line,) = usage(invoice_of(db, NOV, "C2"))
    assert (line.quantity, line.amount) == (D(4), D("40.00"))


def test_hours_before_the_contract_starts_are_not_billed(load, db):
    load(
        {
            "contracts": "contract_id,vendor_id,start_date\nC1,V1,2026-10-10\nC2,V2,2026-01-01",
            "rates": HOURLY,
            "agent_sessions": """
            session_id,vendor_id,agent_id,channel,login_at,logout_at
            1,V1,a,chat,2026-10-09 22:00:00,2026-10-10 02:00:00
          """,
        }
    )
    # the contract is active from 10 October 00:00 local: 2 of the 4 hours; 2 x 38 = 76.00
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.amount) == (D(2), D("76.00"))
