"""The month compute's fast paths give the exact figures (docs/benchmarks.md): the business clock
read in hour buckets, one pass per interaction table for the usage of several contracts, and
invoices that take their credits from verdicts the caller already has."""

from __future__ import annotations

from decimal import Decimal as D

from billing_fixtures import OCT, usage
from sla_fixtures import evidence_rows

from metrics import store
from metrics.billing import compute
from metrics.sla import verdicts


def test_business_clock_with_two_windows_inside_one_hour(load, db):
    # Shifts 08:00-08:20 and 08:40-09:00 share the 08:00 hour bucket, then 10:00-11:00.
    # Received 08:10, replied 10:05 (Shanghai): 10 min + 20 min + 5 min = 35 min = 2100 s.
    # Received 08:25 (a gap) and replied 08:30 (the same gap): 0 s.
    # Received 08:59:59.999 and replied 10:00:00.001: 1 ms + 1 ms = 0.002 s.
    load(
        {
            "service_hours": """
            contract_id,channel,days,open,close
            C1,email,daily,08:00,08:20
            C1,email,daily,08:40,09:00
            C1,email,daily,10:00,11:00
        """,
            "sla_targets": "contract_id,channel,metric,target,threshold_seconds,clock\n"
            "C1,email,reply_within_rate,1,2100,business",
            "emails": """
            email_id,vendor_id,received_at,first_reply_at
            a,V1,2026-10-05 08:10:00,2026-10-05 10:05:00
            b,V1,2026-10-05 08:25:00,2026-10-05 08:30:00
            c,V1,2026-10-05 08:59:59.999,2026-10-05 10:00:00.001
        """,
        }
    )
    rows = evidence_rows(db, OCT, "C1", "email", "reply_within_rate")
    assert [(r["id"], r["reply_seconds"], r["status"]) for r in rows] == [
        ("a", D("2100"), "hit"),
        ("b", D("0"), "hit"),
        ("c", D("0.002"), "hit"),
    ]


def test_one_pass_bills_two_contracts_with_their_own_increments(load, db):
    # One phone call each: C1 (Shanghai) talks 61 s at 60 s increments -> 120 s = 2 min;
    # C2 (New York) talks 61 s at 6 s increments -> 66 s = 1.1 min. Both at 1.00 a minute.
    load(
        {
            "rates": """
            contract_id,channel,unit,unit_price,increment_seconds
            C1,phone,minute,1.00,60
            C2,phone,minute,1.00,6
        """,
            "calls": """
            call_id,vendor_id,offered_at,answered_at,ended_at
            1,V1,2026-10-05 10:00:00,2026-10-05 10:00:05,2026-10-05 10:01:06
            1,V2,2026-10-05 10:00:00,2026-10-05 10:00:05,2026-10-05 10:01:06
        """,
        }
    )
    con = store.connect_reader(db)
    try:
        invoices = {i.contract_id: i for i in compute(con, OCT)}
    finally:
        con.close()
    assert [(ln.quantity, ln.amount) for ln in usage(invoices["C1"])] == [(D("2"), D("2.00"))]
    assert [(ln.quantity, ln.amount) for ln in usage(invoices["C2"])] == [(D("1.1"), D("1.10"))]


def test_invoices_from_given_verdicts_equal_invoices_computed_alone(load, db):
    # C1 misses answer_rate (1 of 2 answered = 50 % < 95 %): a 10 % credit on 1 min x 1.00 = -0.10.
    load(
        {
            "rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,1.00",
            "sla_targets": "contract_id,channel,metric,target,credit_rate\nC1,phone,answer_rate,0.95,0.10",
            "calls": """
            call_id,vendor_id,offered_at,answered_at,ended_at
            1,V1,2026-10-05 10:00:00,2026-10-05 10:00:05,2026-10-05 10:01:05
            2,V1,2026-10-05 11:00:00,,2026-10-05 11:00:30
        """,
        }
    )
    con = store.connect_reader(db)
    try:
        alone = compute(con, OCT)
        month = verdicts(con, OCT)
        shared = compute(con, OCT, verdicts=month)
    finally:
        con.close()
    assert shared == alone
    assert [(i.contract_id, [(ln.type, ln.amount) for ln in i.lines]) for i in shared] == [
        ("C1", [("usage", D("1.00")), ("credit", D("-0.10"))]),
        ("C2", []),
    ]
