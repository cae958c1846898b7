"""SPEC §4 SLA credits: credit_rate × base (channel usage or the whole invoice), capped by credit_cap_rate."""

from __future__ import annotations

from decimal import Decimal as D

from billing_fixtures import invoice_of, of_type

# Four answered calls of 25 min each (wait 10 s) and one abandoned after 30 s, in October.
CALLS = """
    call_id,vendor_id,offered_at,answered_at,ended_at
    1,V1,2026-10-05 10:00:00,2026-10-05 10:00:10,2026-10-05 10:25:10
    2,V1,2026-10-05 11:00:00,2026-10-05 11:00:10,2026-10-05 11:25:10
    3,V1,2026-10-05 12:00:00,2026-10-05 12:00:10,2026-10-05 12:25:10
    4,V1,2026-10-05 13:00:00,2026-10-05 13:00:10,2026-10-05 13:25:10
    5,V1,2026-10-05 14:00:00,,2026-10-05 14:00:30
"""


def test_two_missed_targets_exceeding_the_cap(load, db):
    load(
        {
            "contracts": "contract_id,vendor_id,start_date,credit_cap_rate\nC1,V1,2026-01-01,0.15",
            "rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,1.00",
            "sla_targets": """
            contract_id,channel,metric,target,credit_rate
            C1,phone,answer_rate,0.95,0.10
            C1,phone,asa_seconds,5,0.10
            C1,phone,abandon_rate,0.5,0.10
        """,
            "calls": CALLS,
        }
    )
    inv = invoice_of(db)
    # usage: 4 x 25 min x 1.00 = 100.00.
    # answer_rate 4/5 = 80 % < 95 %: -10 % x 100.00 = -10.00; ASA 10 s > 5 s: -10.00;
    # abandon_rate 1/5 = 20 % <= 50 % is met: no credit.
    # credits 20.00 exceed the cap 15 % x 100.00 = 15.00: a credit_cap line gives back +5.00.
    # net 100.00 - 20.00 + 5.00 = 85.00; tax 6 % = 5.10; total 90.10
    assert [(ln.type, ln.channel, ln.amount) for ln in inv.lines] == [
        ("usage", "phone", D("100.00")),
        ("credit", "phone", D("-10.00")),
        ("credit", "phone", D("-10.00")),
        ("credit_cap", None, D("5.00")),
    ]
    assert [ln.description for ln in inv.lines[1:]] == [
        "SLA credit: Phone · Answer rate 80.0%, below the 95% target; 10% of phone usage CNY 100.00",
        "SLA credit: Phone · Average speed of answer 10.0 s, above the 5 s target; 10% of phone usage CNY 100.00",
        "Credit cap: credits are limited to 15% of usage and fees (CNY 15.00)",
    ]
    assert (inv.subtotal, inv.credits, inv.net, inv.tax, inv.total) == (
        D("100.00"),
        D("-15.00"),
        D("85.00"),
        D("5.10"),
        D("90.10"),
    )


def test_a_fixed_fee_contract_refunds_against_the_whole_invoice(load, db):
    load(
        {
            "contracts": "contract_id,vendor_id,start_date,monthly_fee\nC1,V1,2026-01-01,30000",
            "sla_targets": """
            contract_id,channel,metric,target,credit_rate,credit_base
            C1,chat,response_rate,0.90,0.10,invoice
            C1,chat,csat,4,0.05,invoice
            C1,email,reply_within_rate,0.95,0.05,invoice
        """,
            "chats": """
            chat_id,vendor_id,started_at,first_response_at,csat
            1,V1,2026-10-04 09:00:00,2026-10-04 09:00:02,5
            2,V1,2026-10-04 09:05:00,,
        """,
        }
    )
    inv = invoice_of(db)
    # response_rate 1/2 = 50 % < 90 %: -10 % x (usage 0 + fixed 30000.00) = -3000.00, on the chat channel.
    # csat 5 >= 4 is met; reply_within_rate has no e-mails (null: neither met nor missed): no credit.
    (credit,) = of_type(inv, "credit")
    assert (credit.channel, credit.amount) == ("chat", D("-3000.00"))
    assert credit.description == (
        "SLA credit: Chat · Response rate 50.0%, below the 90% target; 10% of usage and fees CNY 30,000.00"
    )
    assert of_type(inv, "credit_cap") == []
    assert (inv.credits, inv.net) == (D("-3000.00"), D("27000.00"))


def test_a_channel_credit_only_takes_that_channel_s_usage(load, db):
    load(
        {
            "rates": """
            contract_id,channel,unit,unit_price
            C1,phone,minute,1.00
            C1,email,email,2.00
        """,
            "sla_targets": "contract_id,channel,metric,target,credit_rate\nC1,phone,answer_rate,0.95,0.05",
            "emails": "email_id,vendor_id,received_at,first_reply_at,replies\n"
            "1,V1,2026-10-02 09:00,2026-10-02 10:00,50",
            "calls": CALLS,
        }
    )
    # phone usage 100.00, e-mail 50 x 2.00 = 100.00; the phone miss credits 5 % of 100.00 only = -5.00
    (credit,) = of_type(invoice_of(db), "credit")
    assert credit.amount == D("-5.00")
