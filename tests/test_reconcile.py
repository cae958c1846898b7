"""SPEC §4 reconciliation: a vendor's CSV or XLSX invoice line by line against the computed one."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal as D

import openpyxl
import pytest

from metrics import store
from metrics.errors import VendorboardError
from metrics.reconcile import reconcile

OCT = dt.date(2026, 10, 1)

DATA = {
    "contracts": "contract_id,vendor_id,start_date,monthly_fee\nC1,V1,2026-01-01,1000\nC2,V2,2026-01-01,",
    "rates": """
        contract_id,channel,unit,unit_price,tier_from,tier_to
        C1,phone,minute,1.00,0,10
        C1,phone,minute,0.50,10,
        C1,email,email,2.00,,
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-05 10:00:00,2026-10-05 10:00:00,2026-10-05 10:15:00
    """,
    "emails": "email_id,vendor_id,received_at,first_reply_at,replies\n1,V1,2026-10-02 09:00,2026-10-02 10:00,3",
    "adjustments": "contract_id,month,description,amount\nC1,2026-10,Overtime on 3 October,-50",
}
# Computed for C1, October: phone 15 min = 10 x 1.00 + 5 x 0.50 = 12.50; e-mail 3 x 2.00 = 6.00;
# fixed 1000.00; adjustment -50.00; net 968.50; tax 6 % = 58.11; total 1026.61.
VENDOR = """
    Contract_ID,Month,Channel,Unit,Quantity,Amount
    C1,2026-10,phone,minute,10,10.00
    C1,2026-10,phone,minute,5,2.50
    C1,2026-10,email,email,4,8.00
    C1,2026-10,,adjustment,,-50.01
    C1,2026-10,onsite,visit,2,160.00
    C1,2026-10,total,,,1100.00
"""
EXPECTED = [
    # the vendor bills the two phone tiers as two rows, each matched to our tier by its price
    # (10.00 / 10 = 1.00 is the first tier's, 2.50 / 5 = 0.50 the second's): both match
    ("phone", "minute", "match", D(10), D(10), D("10.00"), D("10.00"), D("0.00")),
    ("phone", "minute", "match", D(5), D(5), D("2.50"), D("2.50"), D("0.00")),
    # 4 e-mails billed, 3 computed: 8.00 - 6.00 = +2.00
    ("email", "email", "mismatch", D(3), D(4), D("6.00"), D("8.00"), D("2.00")),
    # visits the contract has no rate for
    ("onsite", "visit", "unexpected", None, D(2), None, D("160.00"), D("160.00")),
    # the fixed fee is not on the vendor's invoice
    (None, "fixed", "missing", None, None, D("1000.00"), None, D("-1000.00")),
    # -50.01 against -50.00 differs by 0.01: within the tolerance
    (None, "adjustment", "match", None, None, D("-50.00"), D("-50.01"), D("-0.01")),
    # the tax the vendor's total implies: 1100.00 - (10.00 + 2.50 + 8.00 - 50.01 + 160.00) = 969.51
    # against our 58.11 (its lines lack the 1000.00 fee its total includes): +911.40
    (None, "tax", "mismatch", None, None, D("58.11"), D("969.51"), D("911.40")),
    ("total", None, "mismatch", None, None, D("1026.61"), D("1100.00"), D("73.39")),
]


def _rows(db, path) -> list[tuple]:
    con = store.connect_reader(db)
    try:
        found = reconcile(con, OCT, path)
    finally:
        con.close()
    assert {(r["contract_id"], r["month"]) for r in found} == {("C1", "2026-10")}
    return [
        (
            r["channel"],
            r["unit"],
            r["status"],
            r["computed_quantity"],
            r["billed_quantity"],
            r["computed_amount"],
            r["billed_amount"],
            r["difference"],
        )
        for r in found
    ]


def _csv(tmp_path, text: str):
    path = tmp_path / "vendor.csv"
    path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return path


def test_one_of_each_status_from_a_csv(load, db, tmp_path):
    load(DATA)
    assert _rows(db, _csv(tmp_path, VENDOR)) == EXPECTED


def test_the_same_invoice_as_xlsx(load, db, tmp_path):
    load(DATA)
    book = openpyxl.Workbook()
    for line in textwrap.dedent(VENDOR).strip().splitlines():
        book.active.append([_cell(v) for v in line.split(",")])
    book.save(tmp_path / "vendor.xlsx")
    assert _rows(db, tmp_path / "vendor.xlsx") == EXPECTED


def _cell(text: str) -> str | float | None:
    """Numbers as Excel stores them (binary floats): 2.5, 8.0, -50.01 must still compare exactly."""
    try:
        return float(text)
    except ValueError:
        return text or None


def test_the_row_schema_matches_the_spec(load, db, tmp_path):
    load(DATA)
    con = store.connect_reader(db)
    try:
        (first, *_) = reconcile(con, OCT, _csv(tmp_path, VENDOR))
    finally:
        con.close()
    assert list(first)[:10] == [
        "contract_id",
        "month",
        "channel",
        "unit",
        "status",
        "computed_quantity",
        "billed_quantity",
        "computed_amount",
        "billed_amount",
        "difference",
    ]  # SPEC §5, in order; then the tier and both prices of a usage line
    assert list(first)[10:] == ["tier_from", "tier_to", "computed_unit_price", "billed_unit_price"]


@pytest.mark.parametrize(
    "row, message",
    [
        ("C1,2026-10,phone,minute,15,12.5O", "row 3, column amount: '12.5O' is not a number"),
        ("C1,2026-10,fax,minute,15,12.50", "row 3, column channel: 'fax' is not a channel"),
        ("C1,2026-10,phone,hours,15,12.50", "row 3, column unit: 'hours' is not a unit of channel phone"),
        ("C1,2026-10,phone,minute,,12.50", "row 3, column quantity: empty, a number is required"),
        ("C1,2026-09,phone,minute,15,12.50", "row 3, column month: '2026-09' is not the month being reconciled"),
        (",2026-10,phone,minute,15,12.50", "row 3, column contract_id: empty"),
    ],
)
def test_a_malformed_vendor_file_names_the_row_and_column(load, db, tmp_path, row, message):
    load(DATA)
    path = _csv(tmp_path, f"contract_id,month,channel,unit,quantity,amount\nC1,2026-10,total,,,1.00\n{row}")
    with pytest.raises(VendorboardError, match=f"vendor.csv, {message}"):
        _rows(db, path)


def test_a_missing_column_is_named(load, db, tmp_path):
    load(DATA)
    path = _csv(tmp_path, "contract_id,month,channel,unit,quantity\nC1,2026-10,total,,")
    with pytest.raises(VendorboardError, match="missing column 'amount'"):
        _rows(db, path)


def _tiers(db, path) -> list[tuple]:
    con = store.connect_reader(db)
    try:
        found = reconcile(con, OCT, path)
    finally:
        con.close()
    return [
        (
            r["unit"],
            r["status"],
            r["tier_from"],
            r["tier_to"],
            r["computed_unit_price"],
            r["billed_unit_price"],
            r["computed_amount"],
            r["billed_amount"],
            r["difference"],
        )
        for r in found
    ]


def test_a_two_tier_invoice_with_one_tier_overbilled_shows_that_tier(load, db, tmp_path):
    load(
        {**{k: DATA[k] for k in ("rates", "calls")}, "contracts": "contract_id,vendor_id,start_date\nC1,V1,2026-01-01"}
    )
    # Ours: 0-10 min 10 x 1.00 = 10.00; over 10: 5 x 0.50 = 2.50. The vendor bills the upper tier
    # at 0.60 (3.00): no tier has that price, so the rows pair in ladder order; the lower tier is
    # matched by its price 1.00. Tax: ours 6 % of 12.50 = 0.75; the vendor's total 14.13 less its
    # lines 13.00 = 1.13: +0.38. Total: ours 13.25, theirs 14.13: +0.88.
    vendor = """
        contract_id,month,channel,unit,quantity,amount
        C1,2026-10,phone,minute,10,10.00
        C1,2026-10,phone,minute,5,3.00
        C1,2026-10,total,,,14.13
    """
    rows = _tiers(db, _csv(tmp_path, vendor))
    assert rows[:2] == [
        ("minute", "match", D(0), D(10), D("1.00"), D("1.00"), D("10.00"), D("10.00"), D("0.00")),
        ("minute", "mismatch", D(10), None, D("0.50"), D("0.60"), D("2.50"), D("3.00"), D("0.50")),
    ]
    # the tax difference is its own row, and the total's gap is the two added up
    assert rows[2:] == [
        ("tax", "mismatch", None, None, None, None, D("0.75"), D("1.13"), D("0.38")),
        (None, "mismatch", None, None, None, None, D("13.25"), D("14.13"), D("0.88")),
    ]


def test_a_ladder_billed_as_one_line_is_compared_with_its_tiers_added_up(load, db, tmp_path):
    load(
        {**{k: DATA[k] for k in ("rates", "calls")}, "contracts": "contract_id,vendor_id,start_date\nC1,V1,2026-01-01"}
    )
    # 15 min for 12.50 in one row: 0.8333 a minute is no tier's price and one row is left against
    # both tiers, so it stands for the ladder: 15 = 10 + 5 min, 12.50 = 10.00 + 2.50.
    rows = _tiers(
        db, _csv(tmp_path, "contract_id,month,channel,unit,quantity,amount\nC1,2026-10,phone,minute,15,12.50")
    )
    assert rows[0] == ("minute", "match", None, None, None, D("0.833333"), D("12.50"), D("12.50"), D("0.00"))


def test_a_vendor_may_name_the_tier_and_the_tax(load, db, tmp_path):
    load(
        {**{k: DATA[k] for k in ("rates", "calls")}, "contracts": "contract_id,vendor_id,start_date\nC1,V1,2026-01-01"}
    )
    # tier_from names the tier even when the price is off; the tax row is taken as given (0.75 = ours)
    vendor = """
        contract_id,month,channel,unit,quantity,amount,tier_from
        C1,2026-10,phone,minute,5,2.50,10
        C1,2026-10,phone,minute,10,11.00,0
        C1,2026-10,,tax,,0.75,
    """
    rows = _tiers(db, _csv(tmp_path, vendor))
    assert rows == [
        ("minute", "mismatch", D(0), D(10), D("1.00"), D("1.10"), D("10.00"), D("11.00"), D("1.00")),
        ("minute", "match", D(10), None, D("0.50"), D("0.50"), D("2.50"), D("2.50"), D("0.00")),
        ("tax", "match", None, None, None, None, D("0.75"), D("0.75"), D("0.00")),
        (None, "missing", None, None, None, None, D("13.25"), None, D("-13.25")),
    ]
