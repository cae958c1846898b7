"""The business clock (SPEC §3): only seconds inside the channel's service hours count, with
holidays, make-up workdays and daylight-saving changes; the calendar clock counts real time."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sla_fixtures import NOV, OCT, evidence_rows, fraction, verdict

DAILY = """
    contract_id,channel,days,open,close
    C1,email,daily,08:00,22:00
    C2,email,daily,08:00,22:00
"""


def reply_seconds(load, db, contract, month, received, replied, threshold, extra=None):
    """Load one e-mail and a business-clock reply target; return (reply_seconds, status, met)."""
    vendor = {"C1": "V1", "C2": "V2"}[contract]
    load(
        {
            "service_hours": DAILY,
            "sla_targets": f"""
            contract_id,channel,metric,target,threshold_seconds,clock
            {contract},email,reply_within_rate,1,{threshold},business
        """,
            "emails": f"""
            email_id,vendor_id,received_at,first_reply_at
            1,{vendor},{received},{replied}
        """,
            **(extra or {}),
        }
    )
    [row] = evidence_rows(db, month, contract, "email", "reply_within_rate")
    return row["reply_seconds"], row["status"], verdict(db, month, contract, "reply_within_rate")["met"]


@pytest.mark.parametrize(("threshold", "status"), [(3600, "hit"), (3599.999, "miss")])
def test_overnight_reply_is_one_business_hour(load, db, threshold, status):
    # 21:30 -> 22:00 (30 min) + 08:00 -> 08:30 next day (30 min) = 3600 s under 08:00-22:00.
    got = reply_seconds(load, db, "C1", OCT, "2026-10-05 21:30:00", "2026-10-06 08:30:00", threshold)
    assert got == (3600, status, status == "hit")


def test_closed_holiday_stops_the_clock(load, db):
    # Thu 1 Oct 21:00 -> 22:00 (1 h), Fri 2 Oct closed (0), Sat 3 Oct 08:00 -> 09:00 (1 h) = 7200 s.
    got = reply_seconds(
        load,
        db,
        "C1",
        OCT,
        "2026-10-01 21:00:00",
        "2026-10-03 09:00:00",
        86400,
        {
            "holidays": """
            vendor_id,date,kind
            V1,2026-10-02,closed
        """
        },
    )
    assert got[:2] == (7200, "hit")


def test_make_up_workday_saturday_runs_the_clock(load, db):
    # Weekday hours 09:00-18:00; Sat 10 Oct 2026 is a make-up workday.
    # Fri 9 Oct 17:00 -> 18:00 (1 h) + Sat 09:00 -> 18:00 (9 h) + Sun (0) + Mon 12 Oct 09:00 -> 10:00 (1 h)
    # = 11 h = 39600 s (it would be 2 h without the workday).
    got = reply_seconds(
        load,
        db,
        "C1",
        OCT,
        "2026-10-09 17:00:00",
        "2026-10-12 10:00:00",
        86400,
        {
            "service_hours": """
            contract_id,channel,days,open,close
            C1,email,weekdays,09:00,18:00
        """,
            "holidays": """
            vendor_id,date,kind
            V1,2026-10-10,workday
        """,
        },
    )
    assert got[:2] == (39600, "hit")


def test_dst_change_neither_gains_nor_loses_an_hour(load, db):
    # New York, clocks go back at 02:00 on Sun 1 Nov 2026. Received Sat 31 Oct 21:00 EDT, replied
    # Mon 2 Nov 09:00 EST: Sat 21-22 (1 h) + Sun 08-22 (14 h, wall clock) + Mon 08-09 (1 h) = 16 h.
    got = reply_seconds(load, db, "C2", OCT, "2026-10-31 21:00:00", "2026-11-02 09:00:00", 57600)
    assert got == (57600, "hit", True)


def test_calendar_clock_counts_real_time_across_dst(load, db):
    # Sat 31 Oct 22:00 EDT -> Sun 1 Nov 22:00 EST is 25 real hours = 90000 s on the calendar clock,
    # while the business clock counts Sun 08:00-22:00 only: 14 h = 50400 s.
    load(
        {
            "service_hours": DAILY,
            "sla_targets": """
            contract_id,channel,metric,target,threshold_seconds,clock
            C2,email,reply_within_rate,1,90000,calendar
            C2,email,reply_within_rate,1,50400,business
        """,
            "emails": """
            email_id,vendor_id,received_at,first_reply_at
            1,V2,2026-10-31 22:00:00,2026-11-01 22:00:00
        """,
        }
    )
    [calendar] = evidence_rows(db, OCT, "C2", "email", "reply_within_rate", clock="calendar")
    [business] = evidence_rows(db, OCT, "C2", "email", "reply_within_rate", clock="business")
    assert (calendar["reply_seconds"], business["reply_seconds"]) == (90000, 50400)
    assert fraction(verdict(db, OCT, "C2", "reply_within_rate", "90000")) == (1, 1)


def test_business_clock_on_phone_waits_and_chat_responses(load, db):
    load(
        {
            "service_hours": """
            contract_id,channel,days,open,close
            C1,phone,daily,08:00,22:00
            C1,chat,daily,08:00,22:00
        """,
            "sla_targets": """
            contract_id,channel,metric,target,threshold_seconds,clock
            C1,phone,asa_seconds,60,,business
            C1,chat,first_response_seconds,60,,business
        """,
            # Both arrive 21:59:30 and are taken up at 08:00:15 next day: 30 s + 15 s = 45 business s.
            "calls": """
            call_id,vendor_id,offered_at,answered_at,ended_at
            1,V1,2026-10-05 21:59:30,2026-10-06 08:00:15,2026-10-06 08:05:00
        """,
            "chats": """
            chat_id,vendor_id,started_at,first_response_at
            1,V1,2026-10-05 21:59:30,2026-10-06 08:00:15
        """,
        }
    )
    assert fraction(verdict(db, OCT, "C1", "asa_seconds")) == (45, 1)
    assert fraction(verdict(db, OCT, "C1", "first_response_seconds")) == (45, 1)


def test_reply_long_after_the_month_is_measured_in_full(load, db):
    # Received Sat 31 Oct 21:30, replied Fri 20 Nov 08:30 (Shanghai, 08:00-22:00 daily):
    # 30 min + 19 full days x 14 h + 30 min = 3600 + 957600 = 961200 s; it counts in October.
    got = reply_seconds(load, db, "C1", OCT, "2026-10-31 21:30:00", "2026-11-20 08:30:00", 86400)
    assert got == (Decimal(961200), "miss", False)
    assert fraction(verdict(db, NOV, "C1", "reply_within_rate")) == (0, 0)


ENDS_IN_OCTOBER = """
    contract_id,vendor_id,start_date,end_date
    C1,V1,2026-01-01,2026-10-31
    C2,V2,2026-01-01,
"""


def test_a_reply_after_the_contracts_last_day_is_measured_in_full(load, db):
    # The contract ends Sat 31 Oct; the e-mail arrives 21:30 that day and is answered Mon 2 Nov 10:00.
    # Under 08:00-22:00: 21:30 -> 22:00 (1,800 s) + all of Sun 1 Nov (14 h = 50,400 s) + Mon 08:00 -> 10:00
    # (7,200 s) = 59,400 s. The contract's dates decide that the e-mail counts (it arrived on an active
    # day), not when its clock stops: stopped at the end date it read 1,800 s.
    got = reply_seconds(
        load, db, "C1", OCT, "2026-10-31 21:30:00", "2026-11-02 10:00:00", 59400, {"contracts": ENDS_IN_OCTOBER}
    )
    assert got == (59400, "hit", True)


def test_a_call_answered_after_the_contracts_last_day_waits_in_full(load, db):
    # Phone is 24/7 (no service_hours rows). Offered 23:59:00 on the contract's last day, answered 00:30:00
    # the next day: 60 s + 30 min = 1,860 s of business time, as on the calendar; stopped at the end
    # date it read 60 s and met the 5-minute ASA target.
    load(
        {
            "contracts": ENDS_IN_OCTOBER,
            "sla_targets": """
            contract_id,channel,metric,target,threshold_seconds,clock
            C1,phone,asa_seconds,300,,business
        """,
            "calls": """
            call_id,vendor_id,offered_at,answered_at,ended_at
            1,V1,2026-10-31 23:59:00,2026-11-01 00:30:00,2026-11-01 00:35:00
        """,
        }
    )
    [row] = evidence_rows(db, OCT, "C1", "phone", "asa_seconds")
    assert (row["wait_seconds"], row["status"]) == (1860, "miss")
    assert fraction(verdict(db, OCT, "C1", "asa_seconds")) == (1860, 1)
    assert verdict(db, OCT, "C1", "asa_seconds")["met"] is False
