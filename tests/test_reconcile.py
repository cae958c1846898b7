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
    # the vendor bills the two phone tiers as two rows: 15 min, 12.50 on both sides
    ("phone", "minute", "match", D(15), D(15), D("12.50"), D("12.50"), D("0.00")),
    # 4 e-mails billed, 3 computed: 8.00 - 6.00 = +2.00
    ("email", "email", "mismatch", D(3), D(4), D("6.00"), D("8.00"), D("2.00")),
    # the fixed fee is not on the vendor's invoice
    (None, "fixed", "missing", None, None, D("1000.00"), None, D("-1000.00")),
    # -50.01 against -50.00 differs by 0.01: within the tolerance
    (None, "adjustment", "match", None, None, D("-50.00"), D("-50.01"), D("-0.01")),
    # visits the contract has no rate for
    ("onsite", "visit", "unexpected", None, D(2), None, D("160.00"), D("160.00")),
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
    assert list(first) == [
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
    ]


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
