"""SPEC §4 fixed monthly fee and monthly minimum, both pro-rated by the contract's active days."""

from __future__ import annotations

from decimal import Decimal as D

from billing_fixtures import invoice_of, of_type

V2_CONTRACT = "C2,V2,2026-01-01,,0,0"
EMAILS = """
    email_id,vendor_id,received_at,first_reply_at
    1,V1,2026-10-02 09:00,2026-10-02 10:00
    2,V1,2026-10-03 09:00,2026-10-03 10:00
    3,V1,2026-10-04 09:00,2026-10-04 10:00
"""


def _contract(start: str, end: str, fee: str, minimum: str) -> dict[str, str]:
    return {
        "contracts": "contract_id,vendor_id,start_date,end_date,monthly_fee,monthly_minimum\n"
        f"C1,V1,{start},{end},{fee},{minimum}\n{V2_CONTRACT}"
    }


def test_a_contract_starting_on_the_10th_pays_22_31_of_fee_and_minimum(load, db):
    load(_contract("2026-10-10", "", "30000", "50000"))
    inv = invoice_of(db)
    # active 10-31 October = 22 of 31 days.
    # fixed: 30000 x 22/31 = 21290.3225... -> 21290.32
    # minimum: 50000 x 22/31 = 35483.8709...; no usage, so true-up = 35483.8709... - 21290.32
    #          = 14193.5509... -> 14193.55; subtotal 21290.32 + 14193.55 = 35483.87 (= the pro-rated minimum)
    (fixed,) = of_type(inv, "fixed")
    (minimum,) = of_type(inv, "minimum")
    assert (fixed.amount, minimum.amount, inv.subtotal) == (D("21290.32"), D("14193.55"), D("35483.87"))
    assert fixed.description == "Monthly fee CNY 30,000.00 × 22/31 days active"
    assert (fixed.channel, fixed.unit, fixed.quantity, fixed.unit_price) == (None, None, None, None)
    assert minimum.description.startswith("Minimum charge true-up: minimum CNY 50,000.00 × 22/31 days active")


def test_a_contract_ending_on_the_20th_pays_20_31(load, db):
    load(_contract("2026-01-01", "2026-10-20", "31000", "0"))
    # end_date is inclusive: 1-20 October = 20 days; 31000 x 20/31 = 20000.00; no minimum line
    inv = invoice_of(db)
    assert [(ln.type, ln.amount) for ln in inv.lines] == [("fixed", D("20000.00"))]


def test_a_full_month_pays_the_whole_fee(load, db):
    load(_contract("2026-01-01", "", "30000", "0"))
    (fixed,) = of_type(invoice_of(db), "fixed")
    assert (fixed.amount, fixed.description) == (D("30000.00"), "Monthly fee CNY 30,000.00")


def test_minimum_true_up_bills_the_difference(load, db):
    load(
        {
            **_contract("2026-01-01", "", "0", "1000"),
            "rates": "contract_id,channel,unit,unit_price\nC1,email,email,2.50",
            "emails": EMAILS,
        }
    )
    # usage 3 x 2.50 = 7.50 < 1000: true-up 992.50; subtotal 1000.00
    inv = invoice_of(db)
    assert [(ln.type, ln.amount) for ln in inv.lines] == [("usage", D("7.50")), ("minimum", D("992.50"))]
    assert inv.subtotal == D("1000.00")


def test_a_minimum_that_is_met_adds_no_line(load, db):
    load(
        {
            **_contract("2026-01-01", "", "0", "7.50"),
            "rates": "contract_id,channel,unit,unit_price\nC1,email,email,2.50",
            "emails": EMAILS,
        }
    )
    # usage 7.50 is not below the minimum 7.50: no true-up
    assert [ln.type for ln in invoice_of(db).lines] == ["usage"]
