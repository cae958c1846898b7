"""The monthly report's payments section (issue 20): on a copy of the sample with every August invoice
finalized, the PDF's payments page, the workbook's Payments sheet and payments.csv carry the aging per
vendor and each issued invoice's status as of the month's last day, as the engine computes them.

By hand, as of 2026-10-31 (sample_data/payments, contract terms in sample_data/contracts):
- C-TEL August 43 984.59, paid in full on its due date 2026-09-15: paid, no damages (0.00).
- C-PT August 48 898.90, half before its due date 2026-09-05, the rest 20 days late: paid; damages
  24 449.45 × 0.0003 × 20 = 146.6967 → 146.70.
- C-HOME August 22 567.74, 13 540.64 paid on 2026-09-09: 9 027.10 outstanding since its due date
  2026-09-10, 51 days → 31-60; no late-payment term.
- C-AS August 21 200.00 (20 000.00 + 6 %), nothing paid, due 2026-09-20: 41 days → 31-60.
- The two September payments wait for their invoices (unapplied), and so does one typed with a
  leading "=" (which must stay text in the workbook).
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal as D

import openpyxl
import pypdf
import pytest
from openpyxl.utils import range_boundaries

from metrics import payments, store
from metrics.billing import finalize
from metrics.export import report
from metrics.i18n import money
from metrics.periods import parse_month

pytestmark = pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess

AUG, OCT = parse_month("2026-08"), parse_month("2026-10")
AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def built(sample_db, tmp_path_factory):
    work = tmp_path_factory.mktemp("payments-report")
    db = work / "sample.duckdb"
    shutil.copyfile(sample_db, db)
    for contract in ("C-AS", "C-HOME", "C-PT", "C-TEL"):
        finalize(db, AUG, contract, accept_data_issues="the sample's planted out-of-contract rows")
    payments.record(
        db, contract_id="C-AS", month="2026-10", paid_on="2026-10-30", amount="1.00", reference="=1+2", currency=""
    )
    con = store.connect_reader(db)
    try:
        report(con, OCT, work / "out")
        engine = payments.receivables(con, AS_OF)
    finally:
        con.close()
    return work / "out", engine


def test_the_engine_figures_are_the_hand_worked_ones(built):
    _, engine = built
    assert [
        (s.contract_id, s.payment_status, s.outstanding, s.days_overdue, s.aging, s.damages) for s in engine.invoices
    ] == [
        ("C-AS", "unpaid", D("21200.00"), 41, "31-60", None),
        ("C-HOME", "partly paid", D("9027.10"), 51, "31-60", None),
        ("C-PT", "paid", D("0.00"), 0, None, D("146.70")),
        ("C-TEL", "paid", D("0.00"), 0, None, D("0.00")),
    ]
    assert [(a["vendor_id"], a["31-60"], a["overdue"]) for a in engine.aging] == [
        ("V-AS", D("21200.00"), D("21200.00")),
        ("V-HOME", D("9027.10"), D("9027.10")),
    ]
    assert sorted(p["reference"] for p in engine.unapplied) == ["=1+2", "PAY-C-PT-202609-06", "PAY-C-TEL-202609-05"]


def test_the_pdf_has_a_payments_page_with_the_aging_table(built):
    out, engine = built
    pages = [
        [ln.strip() for ln in p.extract_text().splitlines()] for p in pypdf.PdfReader(out / "report-2026-10.pdf").pages
    ]
    (page,) = [p for p in pages if "Payments as of 2026-10-31" in p]
    name = next(i for i, line in enumerate(page) if line.startswith("V-AS · 苏州"))
    after = page[name + 2 :]  # the vendor's name wraps onto a second line
    # not due, 1–30, 31–60, 61–90, over 90, outstanding
    assert after[:6] == ["0.00", "0.00", "21,200.00", "0.00", "0.00", "CNY 21,200.00"]
    assert after[:5] == [money(engine.aging[0][k]) for k in payments.BUCKETS]
    pt = page[page.index("C-PT") + 1 :][:7]
    assert pt == ["2026-08", "48,898.90", "48,898.90", "CNY 0.00", "paid", "0", "146.70"]
    assert "PAY-C-TEL-202609-05" in page and "=1+2" in page


def _rows(ws, table: str) -> list[dict]:
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table].ref)
    cells = list(ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col))
    return [dict(zip([c.value for c in cells[0]], row)) for row in cells[1:]]


def test_the_workbook_has_a_payments_sheet_as_the_engine_computes_it(built):
    out, engine = built
    ws = openpyxl.load_workbook(out / "report-2026-10.xlsx")["Payments"]
    assert ws["A1"].value == "Payments as of 2026-10-31"
    aging = _rows(ws, "aging")
    assert [(r["vendor_id"].value, D(str(r["31-60"].value))) for r in aging] == [
        (a["vendor_id"], a["31-60"]) for a in engine.aging
    ]
    assert aging[0]["31-60"].number_format.endswith('"CNY"')
    status = _rows(ws, "payment_status")
    assert [(r["contract_id"].value, r["payment_status"].value, D(str(r["outstanding"].value))) for r in status] == [
        (s.contract_id, s.payment_status, s.outstanding) for s in engine.invoices
    ]
    (typed,) = [r for r in _rows(ws, "unapplied") if r["contract_id"].value == "C-AS"]
    assert (typed["reference"].value, typed["reference"].data_type) == ("=1+2", "s")  # text, not a formula


def test_payments_csv_lists_each_issued_invoice(built):
    out, engine = built
    with (out / "payments.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["contract_id"], r["month"], r["payment_status"], D(r["outstanding"]), r["aging"]) for r in rows] == [
        (s.contract_id, "2026-08", s.payment_status, s.outstanding, s.aging or "") for s in engine.invoices
    ]
