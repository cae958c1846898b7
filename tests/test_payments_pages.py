"""Payments on the pages under Streamlit's AppTest (issue 20): the Overview's outstanding and
overdue per vendor, the Invoices page's status, payments, form and damages carry, and the Reports
page's aging table agree with `vendorboard payments --as-of` on the same database.

Data as in test_payments.py: C1 (V1) 2026-10 total 1050.00, due 2026-11-05, late_payment_rate 0.0005;
C2 (V2) 2026-10 total 2000.00, due 2026-11-30; both finalized. C1 is paid 600.00 on 2026-11-03, and
10.00 is paid against C1's November invoice, still a draft (unapplied). As of 2026-11-22:
- C1: 450.00 outstanding, 17 days overdue (1-30); damages 450.00 × 0.0005 × 17 = 3.825 → 3.83.
- C2: 2000.00 outstanding, not due.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import BASE_REFERENCE, write_data
from dashboard_fixtures import load_dir, metrics_of, no_exception, open_app, texts, visit
from test_payments import OCT, TERMS, pay
from typer.testing import CliRunner

from metrics.billing import finalize
from metrics.cli import app

AS_OF = "2026-11-22"


@pytest.fixture
def paid_db(tmp_path: Path) -> Path:
    db = load_dir(tmp_path / "pay.duckdb", write_data(tmp_path / "data", {**BASE_REFERENCE, **TERMS}))
    finalize(db, OCT, "C1")
    finalize(db, OCT, "C2")
    pay(db, "TX-1", "600.00", "2026-11-03")
    pay(db, "TX-NOV", "10.00", "2026-11-04", month="2026-11")
    return db


def cli(db: Path, as_of: str) -> dict:
    """`vendorboard payments --as-of` as JSON: what every page must agree with."""
    from metrics.cli import payments  # noqa: F401  (registers the command)

    done = CliRunner().invoke(app, ["--db", str(db), "payments", "--as-of", as_of, "--format", "json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def money_column(frame, name: str) -> list[Decimal]:
    return [Decimal(str(x)).quantize(Decimal("0.01")) for x in frame[name]]


def test_overview_shows_outstanding_and_overdue_per_vendor(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(paid_db, monkeypatch, month="2026-10", as_of=AS_OF)
    no_exception(at)
    table = at.dataframe[1].value  # after the scorecard
    expected = {a["vendor_id"]: a for a in cli(paid_db, AS_OF)["aging"]}
    assert [v.split(" · ")[0] for v in table["Vendor"]] == ["V1", "V2"]
    assert money_column(table, "Outstanding (CNY)") == [Decimal(expected[v]["outstanding"]) for v in ("V1", "V2")]
    assert money_column(table, "Overdue (CNY)") == [Decimal(expected[v]["overdue"]) for v in ("V1", "V2")]
    assert money_column(table, "Outstanding (CNY)") == [Decimal("450.00"), Decimal("2000.00")]  # by hand, above
    assert money_column(table, "Overdue (CNY)") == [Decimal("450.00"), Decimal("0.00")]
    assert "1 payment(s) wait for their invoice to be finalized" in texts(at)  # TX-NOV, for November
    # A later date moves C2 past its due date (2026-11-30): 2026-12-01 makes all 2000.00 overdue.
    at.date_input(key="as_of-overview").set_value(dt.date(2026, 12, 1)).run()
    no_exception(at)
    assert money_column(at.dataframe[1].value, "Overdue (CNY)") == [Decimal("450.00"), Decimal("2000.00")]
    assert at.query_params["as_of"] == "2026-12-01"  # a shared link keeps the date
    # The date is shared with the Invoices page: C1 is 26 days overdue on 2026-12-01 (11-05 + 26).
    at.session_state["contract"] = "C1"
    visit(at, "invoices")
    assert metrics_of(at)["Days overdue"] == "26 · 1–30 days"


def test_invoices_page_shows_the_status_payments_and_damages(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(paid_db, monkeypatch, "invoices", month="2026-10", contract="C1", as_of=AS_OF)
    no_exception(at)
    (c1,) = [i for i in cli(paid_db, AS_OF)["invoices"] if i["contract_id"] == "C1"]
    shown = metrics_of(at)
    assert shown["Paid (CNY)"] == "600.00" == f"{Decimal(c1['paid']):,.2f}"
    assert shown["Outstanding (CNY)"] == "450.00" == f"{Decimal(c1['outstanding']):,.2f}"
    assert shown["Payment status"] == "partly paid" == c1["payment_status"]
    assert shown["Days overdue"] == "17 · 1–30 days" and c1["days_overdue"] == 17
    assert "Late-payment damages accrued: CNY 3.83" in texts(at) and c1["damages"] == "3.83"
    payments = at.dataframe[-1].value
    assert payments["Reference"].tolist() == ["TX-1"]
    assert money_column(payments, "Amount (CNY)") == [Decimal("600.00")]


def test_recording_a_payment_on_the_invoices_page(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(paid_db, monkeypatch, "invoices", month="2026-10", contract="C1", as_of=AS_OF)
    at.text_input(key="payment-amount").input("450.00")
    at.date_input(key="payment-paid-on").set_value(dt.date(2026, 11, 20))
    at.text_input(key="payment-reference").input("TX-2")
    at.button(key="FormSubmitter:record-payment-Record payment").click().run()
    no_exception(at)
    assert "Payment TX-2 recorded." in [s.value for s in at.success]
    # 600.00 + 450.00 = 1050.00: paid, as the command says.
    assert metrics_of(at)["Payment status"] == "paid"
    assert metrics_of(at)["Outstanding (CNY)"] == "0.00"
    (c1,) = [i for i in cli(paid_db, AS_OF)["invoices"] if i["contract_id"] == "C1"]
    assert (c1["payment_status"], c1["outstanding"]) == ("paid", "0.00")
    # A bad amount is a one-line message naming the column; nothing is stored.
    at.text_input(key="payment-amount").input("-3")
    at.text_input(key="payment-reference").input("TX-3")
    at.button(key="FormSubmitter:record-payment-Record payment").click().run()
    no_exception(at)
    assert "payment TX-3: amount -3 must be positive" in at.error[0].value
    assert len(cli(paid_db, AS_OF)["unapplied"]) == 1


def test_carrying_the_damages_from_the_invoices_page(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(paid_db, monkeypatch, "invoices", month="2026-10", contract="C1", as_of=AS_OF)
    button = at.button(key="carry-damages")
    assert button.label == "Carry CNY 3.83 into 2026-11"  # the as-of month, still a draft
    button.click().run()
    no_exception(at)
    assert "CNY 3.83 of late-payment damages carried into the 2026-11 invoice." in [s.value for s in at.success]
    (c1,) = [i for i in cli(paid_db, AS_OF)["invoices"] if i["contract_id"] == "C1"]
    assert c1["damages_carried"] == "3.83"
    assert not [b for b in at.button if b.key == "carry-damages"]  # nothing left to carry as of this date


def test_a_draft_invoice_has_no_payment_status(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(paid_db, monkeypatch, "invoices", month="2026-11", contract="C1", as_of=AS_OF)
    no_exception(at)
    assert "Payment status" not in metrics_of(at)
    assert "A draft has no payment status" in texts(at)
    assert at.dataframe[-1].value["Reference"].tolist() == ["TX-NOV"]  # the unapplied payment, listed


def test_reports_page_has_the_reports_aging_table(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The report for 2026-11 looks from its last day, 2026-11-30: C1 25 days overdue, C2 due that day.
    at = open_app(paid_db, monkeypatch, "reports", month="2026-11")
    no_exception(at)
    assert "Payments as of 2026-11-30" in [h.value for h in at.subheader]
    expected = cli(paid_db, "2026-11-30")
    aging = at.dataframe[1].value
    assert [v for v in aging["Vendor ID"]] == [a["vendor_id"] for a in expected["aging"]] == ["V1", "V2"]
    assert money_column(aging, "1–30 days") == [Decimal(a["1-30"]) for a in expected["aging"]]
    assert money_column(aging, "not due") == [Decimal(a["not_due"]) for a in expected["aging"]]
    assert money_column(aging, "1–30 days") == [Decimal("450.00"), Decimal("0.00")]
    status = at.dataframe[2].value
    assert status["Payment status"].tolist() == ["partly paid", "unpaid"]
    assert status["Days overdue"].tolist() == [i["days_overdue"] for i in expected["invoices"]] == [25, 0]


def test_payments_in_chinese(paid_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(paid_db, monkeypatch, "invoices", month="2026-10", contract="C1", as_of=AS_OF, lang="zh")
    no_exception(at)
    assert metrics_of(at)["付款状态"] == "部分付款"
    assert metrics_of(at)["逾期天数"] == "17 · 逾期 1–30 天"
    assert "登记付款" in texts(at)
