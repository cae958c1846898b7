"""The committed sample data: each seed contract's invoices carry the lines its contract implies, and
the vendors' invoices reconcile to exactly the discrepancies planted in them."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from metrics import store
from metrics.billing import compute
from metrics.config import SAMPLE_DATA
from metrics.periods import parse_month
from metrics.reconcile import reconcile

pytestmark = pytest.mark.slow

MANIFEST = json.loads((SAMPLE_DATA / "MANIFEST.json").read_text(encoding="utf-8"))
MONTHS = MANIFEST["months"]
PLATFORM = "成都蜂巢云客服平台科技有限公司"


@pytest.fixture(scope="module")
def sample_invoices(sample_db):
    con = store.connect_reader(sample_db)
    try:
        return {(inv.contract_id, m): inv for m in MONTHS for inv in compute(con, parse_month(m))}
    finally:
        con.close()


def _kinds(inv) -> list[tuple]:
    return [(ln.type, ln.channel, ln.unit) for ln in inv.lines]


def _missed(contract_id: str, month: str) -> bool:
    return any(p["contract_id"] == contract_id and p["month"] == month for p in MANIFEST["planted_misses"])


@pytest.mark.parametrize("month", MONTHS)
def test_telecom_bills_its_four_unit_prices(sample_invoices, month):
    inv = sample_invoices[("C-TEL", month)]
    usage = [(ln.channel, ln.unit, ln.tier_from, ln.tier_to, ln.unit_price) for ln in inv.lines if ln.type == "usage"]
    # minutes graduated 0-10 000 at 0.45 then 0.40; chat hours 38.00; e-mails 2.50; visits 80.00
    assert usage == [
        ("phone", "minute", D(0), D(10000), D("0.45")),
        ("phone", "minute", D(10000), None, D("0.40")),
        ("chat", "hour", None, None, D("38.00")),
        ("email", "email", None, None, D("2.50")),
        ("onsite", "visit", None, None, D("80.00")),
    ]
    credits = {ln.metric for ln in inv.lines if ln.type == "credit"}
    # the planted phone breakdown (answer rate, service level, ASA) is credited; other months none
    assert credits == ({"answer_rate", "service_level", "asa_seconds"} if _missed("C-TEL", month) else set())


@pytest.mark.parametrize("month", MONTHS)
def test_part_time_bills_hours_and_a_weekly_minimum_credit_when_missed(sample_invoices, month):
    inv = sample_invoices[("C-PT", month)]
    expected = [("usage", "chat", "hour")] + ([("credit", "chat", None)] if _missed("C-PT", month) else [])
    assert _kinds(inv) == expected
    assert inv.lines[0].unit_price == D("25.00")


@pytest.mark.parametrize("month", MONTHS)
def test_home_based_is_a_fixed_fee_to_the_platform_with_a_quality_credit(sample_invoices, month):
    inv = sample_invoices[("C-HOME", month)]
    assert inv.payee == PLATFORM
    fixed = next(ln for ln in inv.lines if ln.type == "fixed")
    # starts on the 10th of the first month: 30 000 x 22/31 = 21 290.32; then the whole 30 000.00
    assert fixed.amount == (D("21290.32") if month == MONTHS[0] else D("30000.00"))
    if _missed("C-HOME", month):
        # response_rate missed: 10 % of usage + fixed (credit_base invoice) = -3 000.00
        assert _kinds(inv) == [("fixed", None, None), ("credit", "chat", None)]
        assert inv.lines[1].amount == D("-3000.00")
    else:
        assert _kinds(inv) == [("fixed", None, None)]


@pytest.mark.parametrize("month", MONTHS)
def test_after_sales_is_a_fixed_fee_with_a_penalty_adjustment(sample_invoices, month):
    inv = sample_invoices[("C-AS", month)]
    # fee = 240 000 / 12 = 20 000.00; the confidentiality penalty is 5 % of 240 000 = -12 000.00
    penalty = month == MONTHS[len(MONTHS) // 2]
    assert [(ln.type, ln.amount) for ln in inv.lines] == (
        [("fixed", D("20000.00"))] + ([("adjustment", D("-12000.00"))] if penalty else [])
    )


def test_vendor_invoices_reconcile_to_the_planted_discrepancies(sample_db):
    planted = json.loads((SAMPLE_DATA / "vendor_invoices" / "discrepancies.json").read_text(encoding="utf-8"))
    con = store.connect_reader(sample_db)
    try:
        off = {
            (r["contract_id"], r["month"], r["status"])
            for path in sorted((SAMPLE_DATA / "vendor_invoices").glob("*.csv"))
            for r in reconcile(con, parse_month(path.stem.split("_")[1]), path)
            if r["status"] != "match" and r["channel"] != "total" and r["unit"] != "tax"  # the tax on a line off
        }
    finally:
        con.close()
    status = {
        "quantity_off": "mismatch",
        "amount_off": "mismatch",
        "line_missing": "missing",
        "extra_line": "unexpected",
    }
    assert off == {(p["contract_id"], p["month"], status[p["kind"]]) for p in planted}
    assert len(planted) == 4
