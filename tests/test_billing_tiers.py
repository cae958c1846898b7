"""SPEC §4 tiers: graduated and volume ladders, tier flat fees, rates with effective dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from billing_fixtures import invoice_of, usage

LADDER = """
    contract_id,channel,unit,unit_price,tier_from,tier_to,tier_mode,tier_flat_fee
    C1,email,email,2.00,0,100,{mode},
    C1,email,email,1.50,100,,{mode},50
"""


def _emails(replies: int) -> str:
    return f"email_id,vendor_id,received_at,first_reply_at,replies\n1,V1,2026-10-02 09:00,2026-10-02 10:00,{replies}"


def _lines(db) -> list[tuple]:
    return [(ln.tier_from, ln.tier_to, ln.quantity, ln.amount) for ln in usage(invoice_of(db))]


@pytest.mark.parametrize(
    "mode, replies, expected",
    [
        # 150 e-mails, graduated: 100 at 2.00 = 200.00; 50 at 1.50 + flat 50 = 125.00 (325.00 in all)
        ("graduated", 150, [(D(0), D(100), D(100), D("200.00")), (D(100), None, D(50), D("125.00"))]),
        # 150 e-mails, volume: all 150 at the tier holding 150: 150 x 1.50 + flat 50 = 275.00
        ("volume", 150, [(D(100), None, D(150), D("275.00"))]),
        # exactly 100, volume: a quantity equal to tier_to falls in the next tier: 100 x 1.50 + 50 = 200.00
        ("volume", 100, [(D(100), None, D(100), D("200.00"))]),
        # exactly 100, graduated: all in the first tier; the second holds nothing, so no line and no flat fee
        ("graduated", 100, [(D(0), D(100), D(100), D("200.00"))]),
    ],
)
def test_graduated_and_volume_across_a_tier_boundary(load, db, mode, replies, expected):
    load({"rates": LADDER.format(mode=mode), "emails": _emails(replies)})
    assert _lines(db) == expected


def test_tier_descriptions_and_exact_minutes_across_the_boundary(load, db):
    load(
        {
            "rates": """
        contract_id,channel,unit,unit_price,increment_seconds,tier_from,tier_to
        C1,phone,minute,0.45,1,0,10
        C1,phone,minute,0.40,1,10,
    """,
            "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-05 10:00:00,2026-10-05 10:00:00,2026-10-05 10:12:30
    """,
        }
    )
    # 750 s = 12.5 min: 10 min x 0.45 = 4.50, then 2.5 min x 0.40 = 1.00
    lines = usage(invoice_of(db))
    assert [(ln.quantity, ln.amount, ln.description) for ln in lines] == [
        (D(10), D("4.50"), "Phone talk time, 0–10 min, CNY 0.45 per minute"),
        (D("2.5"), D("1.00"), "Phone talk time, over 10 min, CNY 0.40 per minute"),
    ]


def test_no_usage_no_line_not_even_a_flat_fee(load, db):
    load({"rates": LADDER.format(mode="volume")})
    assert usage(invoice_of(db)) == []


def test_a_ladder_starting_above_zero_leaves_the_first_units_free(load, db):
    load({"rates": "contract_id,channel,unit,unit_price,tier_from\nC1,email,email,1.00,100", "emails": _emails(150)})
    # units 0-100 have no price: 50 x 1.00 = 50.00, shown as the tier 'over 100'
    (line,) = usage(invoice_of(db))
    assert (line.quantity, line.amount, line.description) == (
        D(50),
        D("50.00"),
        "E-mail replies, over 100 e-mails, CNY 1.00 per e-mail",
    )


def test_the_rate_in_force_in_each_month_applies(load, db):
    load(
        {
            "rates": """
        contract_id,channel,unit,unit_price,effective_from,effective_to
        C1,email,email,2.00,,2026-10-01
        C1,email,email,2.50,2026-10-01,
    """,
            "emails": """
        email_id,vendor_id,received_at,first_reply_at
        1,V1,2026-09-30 09:00,2026-09-30 10:00
        2,V1,2026-10-01 09:00,2026-10-01 10:00
        3,V1,2026-10-02 09:00,2026-10-02 10:00
    """,
        }
    )
    # September: 1 reply at 2.00; October: 2 replies at the new price 2.50 = 5.00
    assert [(ln.quantity, ln.amount) for ln in usage(invoice_of(db, dt.date(2026, 9, 1)))] == [(D(1), D("2.00"))]
    assert [(ln.quantity, ln.amount) for ln in usage(invoice_of(db))] == [(D(2), D("5.00"))]
