"""SLA verdicts (SPEC §3): exact durations, abandons, month boundaries, targets in force, evidence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sla_fixtures import DEC, NOV, OCT, evidence_rows, fraction, series_rows, verdict, verdict_rows

from metrics import store
from metrics.errors import VendorboardError
from metrics.sla import evidence, series, verdicts


def test_asa_is_exact_to_the_millisecond(load, db):
    load(
        {
            "sla_targets": """
            contract_id,channel,metric,target
            C1,phone,asa_seconds,5
        """,
            # October: one call answered after 4.999 s; November: one after 5.001 s.
            "calls": """
            call_id,vendor_id,offered_at,answered_at,ended_at
            1,V1,2026-10-05 10:00:00,2026-10-05 10:00:04.999,2026-10-05 10:03:00
            2,V1,2026-11-05 10:00:00,2026-11-05 10:00:05.001,2026-11-05 10:03:00
        """,
        }
    )
    october, november = verdict(db, OCT, "C1", "asa_seconds"), verdict(db, NOV, "C1", "asa_seconds")
    # 4.999 / 1 <= 5: met; 5.001 / 1 > 5: missed.
    assert (fraction(october), october["value"], october["met"]) == ((Decimal("4.999"), 1), 4.999, True)
    assert (fraction(november), november["value"], november["met"]) == ((Decimal("5.001"), 1), 5.001, False)


# short_abandon_seconds 5, service level threshold 20 s. Offered 6:
#   a answered after 10 s (within), b answered after 30 s (late), c answered after 15 s (within),
#   d abandoned after 3 s (a short abandon), e abandoned after 12 s, f abandoned after 60 s.
# offered 6, short abandons 1 (d), answered 3, answered within 20 s 2 (a, c),
# abandoned within 20 s 2 (d, e).
ABANDONS = """
    call_id,vendor_id,offered_at,answered_at,ended_at
    a,V1,2026-10-05 09:00:00,2026-10-05 09:00:10,2026-10-05 09:05:00
    b,V1,2026-10-05 09:10:00,2026-10-05 09:10:30,2026-10-05 09:15:00
    c,V1,2026-10-06 14:00:00,2026-10-06 14:00:15,2026-10-06 14:05:00
    d,V1,2026-10-06 14:10:00,,2026-10-06 14:10:03
    e,V1,2026-10-06 14:20:00,,2026-10-06 14:20:12
    f,V1,2026-10-06 14:30:00,,2026-10-06 14:31:00
"""
PHONE_TARGETS = """
    contract_id,channel,metric,target,threshold_seconds
    C1,phone,service_level,0.6,20
    C1,phone,answer_rate,0.6,
    C1,phone,abandon_rate,0.3,
"""


def _contracts(mode: str) -> str:
    return f"""
        contract_id,vendor_id,start_date,short_abandon_seconds,sl_abandons
        C1,V1,2026-01-01,5,{mode}
        C2,V2,2026-01-01,,
    """


@pytest.mark.parametrize(
    ("mode", "numerator", "denominator", "met"),
    [
        ("exclude_short", 2, 5, False),  # (a, c) / (6 offered - 1 short) = 0.4 < 0.6
        ("exclude_all", 2, 3, True),  # (a, c) / 3 answered = 0.667 >= 0.6
        ("count_as_met", 4, 6, True),  # (a, c answered + d, e abandoned within 20 s) / 6 offered = 0.667
    ],
)
def test_each_sl_abandons_mode_gives_its_own_figure(load, db, mode, numerator, denominator, met):
    load({"contracts": _contracts(mode), "sla_targets": PHONE_TARGETS, "calls": ABANDONS})
    row = verdict(db, OCT, "C1", "service_level")
    assert (fraction(row), row["met"]) == ((numerator, denominator), met)
    assert row["value"] == pytest.approx(numerator / denominator)


def test_short_abandons_are_left_out_of_answer_and_abandon_rate(load, db):
    load({"contracts": _contracts("exclude_short"), "sla_targets": PHONE_TARGETS, "calls": ABANDONS})
    # answer rate: 3 answered / (6 - 1 short) = 0.6 >= 0.6, met exactly (decided in DECIMAL).
    answer = verdict(db, OCT, "C1", "answer_rate")
    assert (fraction(answer), answer["met"]) == ((3, 5), True)
    # abandon rate: (3 abandoned - 1 short) / 5 = 0.4 > 0.3: missed.
    abandon = verdict(db, OCT, "C1", "abandon_rate")
    assert (fraction(abandon), abandon["met"]) == ((2, 5), False)


def test_evidence_gives_each_call_its_status(load, db):
    load({"contracts": _contracts("exclude_short"), "sla_targets": PHONE_TARGETS, "calls": ABANDONS})
    rows = evidence_rows(db, OCT, "C1", "phone", "service_level")
    # Time order; d is a short abandon (not counted); e and f abandoned (misses under exclude_short).
    assert [(r["id"], r["wait_seconds"], r["status"]) for r in rows] == [
        ("a", 10, "hit"),
        ("b", 30, "miss"),
        ("c", 15, "hit"),
        ("d", 3, "not_counted"),
        ("e", 12, "miss"),
        ("f", 60, "miss"),
    ]


def test_evidence_pages_and_exports(load, db):
    load({"contracts": _contracts("count_as_met"), "sla_targets": PHONE_TARGETS, "calls": ABANDONS})
    con = store.connect_reader(db)
    try:
        rel = evidence(con, OCT, "C1", "phone", "service_level")
        # Page 2 of size 2 is c, d; under count_as_met d (abandoned within 20 s) is a hit.
        assert rel.limit(2, 2).pl()["id"].to_list() == ["c", "d"]
        assert rel.pl()["status"].to_list() == ["hit", "miss", "hit", "hit", "hit", "miss"]
    finally:
        con.close()


def test_evidence_needs_a_target_in_force(load, db):
    load({"contracts": _contracts("exclude_short"), "sla_targets": PHONE_TARGETS, "calls": ABANDONS})
    con = store.connect_reader(db)
    try:
        with pytest.raises(VendorboardError, match="no C1 phone asa_seconds target"):
            evidence(con, OCT, "C1", "phone", "asa_seconds")
        with pytest.raises(VendorboardError, match="unknown metric"):
            evidence(con, OCT, "C1", "phone", "speed")
    finally:
        con.close()


# 23:59:59.900 local on the month's last day, sent as instants: Asia/Shanghai is UTC+8 on 31 Oct;
# America/New_York is UTC-5 (standard time) on 30 Nov.
BOUNDARY = {
    "sla_targets": """
        contract_id,channel,metric,target
        C1,phone,answer_rate,0.9
        C2,phone,answer_rate,0.9
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-31T15:59:59.900Z,2026-10-31T16:00:01Z,2026-10-31T16:05:00Z
        2,V2,2026-12-01T04:59:59.900Z,2026-12-01T05:00:01Z,2026-12-01T05:05:00Z
    """,
}


@pytest.mark.parametrize(("contract", "month", "next_month"), [("C1", OCT, NOV), ("C2", NOV, DEC)])
def test_last_instant_of_the_month_counts_in_that_month(load, db, contract, month, next_month):
    load(BOUNDARY)
    # The call counts in its local month (1 answered of 1) and not in the next, where nothing
    # was offered: value and met are null there (a denominator of 0 is neither met nor missed).
    this, following = verdict(db, month, contract, "answer_rate"), verdict(db, next_month, contract, "answer_rate")
    assert (fraction(this), this["value"], this["met"]) == ((1, 1), 1.0, True)
    assert (fraction(following), following["value"], following["met"]) == ((0, 0), None, None)


def test_targets_in_force_follow_effective_dates_and_active_contracts(load, db):
    load(
        {
            "contracts": """
            contract_id,vendor_id,start_date,end_date
            C1,V1,2026-01-01,2026-10-01
            C2,V2,2026-01-01,
        """,
            # C1 ends on 1 Oct: active on one day of October, none of November.
            # C2's 0.9 target is replaced by a 0.95 one from November.
            "sla_targets": """
            contract_id,channel,metric,target,effective_from,effective_to
            C1,chat,response_rate,0.9,,
            C2,chat,response_rate,0.9,,2026-11-01
            C2,chat,response_rate,0.95,2026-11-01,
        """,
        }
    )
    october = {(r["contract_id"], r["target"]) for r in verdict_rows(db, OCT)}
    november = {(r["contract_id"], r["target"]) for r in verdict_rows(db, NOV)}
    assert october == {("C1", Decimal("0.9")), ("C2", Decimal("0.9"))}
    assert november == {("C2", Decimal("0.95"))}


def test_two_thresholds_on_one_metric_are_two_verdicts(load, db):
    load(
        {
            "contracts": _contracts("exclude_short"),
            "calls": ABANDONS,
            "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds
        C1,phone,service_level,0.3,10
        C1,phone,service_level,0.3,20
    """,
        }
    )
    # Within 10 s: only a (exactly 10 s) -> 1/5; within 20 s: a, c -> 2/5.
    assert fraction(verdict(db, OCT, "C1", "service_level", "10")) == (1, 5)
    assert fraction(verdict(db, OCT, "C1", "service_level", "20")) == (2, 5)
    # Evidence of one of them must say which.
    con = store.connect_reader(db)
    try:
        with pytest.raises(VendorboardError, match="2 targets in force"):
            evidence(con, OCT, "C1", "phone", "service_level")
        assert evidence(con, OCT, "C1", "phone", "service_level", threshold_seconds=10).pl()["status"].to_list() == [
            "hit",
            "miss",
            "miss",
            "not_counted",
            "miss",
            "miss",
        ]
    finally:
        con.close()


def test_a_target_with_nothing_to_measure_is_null(load, db):
    load(
        {
            "sla_targets": """
        contract_id,channel,metric,target
        C1,onsite,accuracy,0.95
        C1,chat,csat,4
    """
        }
    )
    rows = verdict_rows(db, OCT, "C1")
    assert [(r["metric"], r["value"], r["met"], r["numerator"], r["denominator"]) for r in rows] == [
        ("csat", None, None, 0, 0),
        ("accuracy", None, None, 0, 0),
    ]


def test_chat_email_onsite_and_csat(load, db):
    load(
        {
            "sla_targets": """
            contract_id,channel,metric,target,threshold_seconds
            C1,chat,first_response_seconds,3,
            C1,chat,response_rate,0.9,
            C1,chat,service_level,0.5,2
            C1,chat,csat,4,
            C1,email,reply_within_rate,0.5,
            C1,onsite,accuracy,0.95,
            C1,onsite,csat,4,
            C1,phone,aht_seconds,100,
        """,
            # chats: responses after 1.5 s and 4.5 s, one never answered (csat 2 still counts).
            "chats": """
            chat_id,vendor_id,started_at,first_response_at,csat
            1,V1,2026-10-05 10:00:00,2026-10-05 10:00:01.5,5
            2,V1,2026-10-05 11:00:00,2026-10-05 11:00:04.5,
            3,V1,2026-10-05 12:00:00,,2
        """,
            # e-mails: replied after exactly 24 h (in time), after 24 h 0.001 s (late), never (late).
            "emails": """
            email_id,vendor_id,received_at,first_reply_at
            1,V1,2026-10-05 10:00:00,2026-10-06 10:00:00
            2,V1,2026-10-05 11:00:00,2026-10-06 11:00:00.001
            3,V1,2026-10-05 12:00:00,
        """,
            # visits: 18 of 20 questions right on completed visits; the cancelled visit's audit does not
            # count for accuracy but its csat counts for csat.
            "visits": """
            visit_id,vendor_id,arrived_at,status,questions_audited,questions_correct,csat
            1,V1,2026-10-05 10:00:00,completed,10,10,5
            2,V1,2026-10-06 10:00:00,completed,10,8,4
            3,V1,2026-10-07 10:00:00,cancelled,10,0,1
            4,V1,2026-10-08 10:00:00,completed,0,0,
        """,
            # one answered call: talk 60.5 s + hold 10.25 + wrap 30 = 100.75 s > 100.
            "calls": """
            call_id,vendor_id,offered_at,answered_at,ended_at,hold_seconds,wrap_seconds
            1,V1,2026-10-05 10:00:00,2026-10-05 10:00:02,2026-10-05 10:01:02.5,10.25,30
        """,
        }
    )
    got = {(r["channel"], r["metric"]): (fraction(r), r["met"]) for r in verdict_rows(db, OCT, "C1")}
    assert got == {
        ("chat", "first_response_seconds"): ((6, 2), True),  # (1.5 + 4.5) / 2 = 3.000 <= 3: met at equality
        ("chat", "response_rate"): ((2, 3), False),  # 0.667 < 0.9
        ("chat", "service_level"): ((1, 3), False),  # only 1.5 s <= 2 s, of all 3 chats
        ("chat", "csat"): ((7, 2), False),  # (5 + 2) / 2 = 3.5 < 4
        ("email", "reply_within_rate"): ((1, 3), False),  # 86400 s in time; 86400.001 s and unreplied late
        ("onsite", "accuracy"): ((18, 20), False),  # 18 / 20 = 0.9 < 0.95; visits 3 and 4 not counted
        ("onsite", "csat"): ((10, 3), False),  # (5 + 4 + 1) / 3 = 3.33, any status
        ("phone", "aht_seconds"): ((Decimal("100.75"), 1), False),
    }
    # Visit 1: 10/10 >= 0.95 hit; 2: 8/10 miss; 3 cancelled and 4 with nothing audited: not counted.
    visits = evidence_rows(db, OCT, "C1", "onsite", "accuracy")
    assert [(r["id"], r["visit_status"], r["status"]) for r in visits] == [
        ("1", "completed", "hit"),
        ("2", "completed", "miss"),
        ("3", "cancelled", "not_counted"),
        ("4", "completed", "not_counted"),
    ]


def test_series_per_day_and_hour_of_day(load, db):
    load({"contracts": _contracts("exclude_short"), "sla_targets": PHONE_TARGETS, "calls": ABANDONS})
    by_day = {(r["metric"], r["day"]): fraction(r) for r in series_rows(db, OCT, "C1", "day")}
    # 5 Oct: a (within), b (late) -> 1/2; 6 Oct: c within, d short (out), e, f abandoned -> 1/3.
    assert by_day[("service_level", OCT.replace(day=5))] == (1, 2)
    assert by_day[("service_level", OCT.replace(day=6))] == (1, 3)
    by_hour = {(r["metric"], r["hour"]): (fraction(r), r["met"]) for r in series_rows(db, OCT, "C1", "hour")}
    # 09:00 holds a and b (1/2, below 0.6); 14:00 holds c, e, f counted (1/3).
    assert by_hour[("service_level", 9)] == ((1, 2), False)
    assert by_hour[("service_level", 14)] == ((1, 3), False)
    heat = {
        (r["day"], r["hour"]): fraction(r)
        for r in series_rows(db, OCT, "C1", "day_hour")
        if r["metric"] == "service_level"
    }
    assert heat == {(OCT.replace(day=5), 9): (1, 2), (OCT.replace(day=6), 14): (1, 3)}


def test_bad_arguments_are_one_line_errors(load, db):
    load({})
    con = store.connect_reader(db)
    try:
        with pytest.raises(VendorboardError, match="no such contract"):
            verdicts(con, OCT, "C9")
        with pytest.raises(VendorboardError, match="grain"):
            series(con, OCT, "C1", "week")
    finally:
        con.close()
