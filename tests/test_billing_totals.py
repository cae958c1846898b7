"""SPEC §4 totals: tax half-up on net, adjustments, credit notes, due date, payee, currency; §5 JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from billing_fixtures import invoice_of, of_type

from metrics.cli.output import to_json

ONE_EMAIL = "email_id,vendor_id,received_at,first_reply_at\n1,V1,2026-10-02 09:00,2026-10-02 10:00"


def test_tax_is_rounded_half_up_on_net(load, db):
    load({"rates": "contract_id,channel,unit,unit_price\nC1,email,email,100.75", "emails": ONE_EMAIL})
    # net 100.75 x 6 % = 6.045 -> 6.05 half-up (a float gives 6.0449999..., banker's rounding 6.04)
    inv = invoice_of(db)
    assert (inv.subtotal, inv.net, inv.tax, inv.total) == (D("100.75"), D("100.75"), D("6.05"), D("106.80"))


def test_a_negative_total_is_a_credit_note_rounded_away_from_zero(load, db):
    load(
        {
            "adjustments": """
        contract_id,month,description,amount
        C1,2026-10,Refund for poor quality in September,-100.25
        C1,2026-09,Penalty of another month,-999
    """
        }
    )
    # net -100.25 x 6 % = -6.015 -> -6.02 (half away from zero); total -106.27
    inv = invoice_of(db)
    assert [(ln.type, ln.amount, ln.description) for ln in inv.lines] == [
        ("adjustment", D("-100.25"), "Refund for poor quality in September")
    ]
    assert (inv.adjustments, inv.net, inv.tax, inv.total) == (D("-100.25"), D("-100.25"), D("-6.02"), D("-106.27"))


@pytest.mark.parametrize(
    "month, due_day, due",
    [
        (dt.date(2026, 10, 1), 5, dt.date(2026, 11, 5)),
        (dt.date(2026, 10, 1), 31, dt.date(2026, 11, 30)),  # November has 30 days
        (dt.date(2026, 1, 1), 30, dt.date(2026, 2, 28)),  # February 2026 has 28
        (dt.date(2026, 12, 1), 15, dt.date(2027, 1, 15)),  # into the next year
    ],
)
def test_due_date_is_the_due_day_of_the_next_month_clamped(load, db, month, due_day, due):
    load({"contracts": f"contract_id,vendor_id,start_date,payment_due_day\nC1,V1,2026-01-01,{due_day}"})
    assert invoice_of(db, month).due_date == due


def test_payee_defaults_to_the_vendor_and_currency_is_the_contract_s(load, db):
    load(
        {
            "contracts": """
        contract_id,vendor_id,start_date,currency,payee
        C1,V1,2026-01-01,,
        C2,V2,2026-01-01,USD,Gotham Payments Platform Inc
    """
        }
    )
    assert (invoice_of(db).payee, invoice_of(db).currency) == ("华信通信客服有限公司", "CNY")
    assert (invoice_of(db, contract_id="C2").payee, invoice_of(db, contract_id="C2").currency) == (
        "Gotham Payments Platform Inc",
        "USD",
    )


def test_invoice_json_has_the_spec_fields(load, db):
    load(
        {
            "rates": "contract_id,channel,unit,unit_price\nC1,email,email,100.75",
            "emails": ONE_EMAIL,
            "contracts": "contract_id,vendor_id,start_date,monthly_fee\nC1,V1,2026-01-01,1000",
        }
    )
    data = json.loads(to_json([invoice_of(db).as_dict()]))
    assert list(data[0]) == [
        "contract_id",
        "vendor_id",
        "month",
        "currency",
        "payee",
        "status",
        "due_date",
        "lines",
        "subtotal",
        "credits",
        "adjustments",
        "net",
        "tax",
        "total",
    ]
    assert list(data[0]["lines"][0]) == [
        "type",
        "channel",
        "unit",
        "tier_from",
        "tier_to",
        "quantity",
        "unit_price",
        "amount",
        "description",
    ]
    # usage 100.75 + fixed 1000.00 = 1100.75; tax 66.045 -> 66.05; total 1166.80
    assert {k: data[0][k] for k in ("month", "status", "due_date", "subtotal", "tax", "total")} == {
        "month": "2026-10",
        "status": "draft",
        "due_date": "2026-11-05",
        "subtotal": "1100.75",
        "tax": "66.05",
        "total": "1166.80",
    }
    assert data[0]["lines"][0] == {
        "type": "usage",
        "channel": "email",
        "unit": "email",
        "tier_from": None,
        "tier_to": None,
        "quantity": "1",
        "unit_price": "100.75",
        "amount": "100.75",
        "description": "E-mail replies, CNY 100.75 per e-mail",
    }
    assert of_type(invoice_of(db), "fixed")[0].amount == D("1000.00")
