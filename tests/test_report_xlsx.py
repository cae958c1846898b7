"""The monthly report's Excel workbook on the sample data (issue 6): a summary and a sheet per vendor,
Excel tables with money and rate formats, totals equal to the engine's Decimals, native charts, and
LibreOffice opens it."""

from __future__ import annotations

import math
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from metrics import agents, billing, catalog, sla, store
from metrics.export import report
from metrics.i18n import metric_kind
from metrics.periods import parse_month

MONTH = parse_month("2026-10")
TOTALS = ("subtotal", "credits", "adjustments", "net", "tax", "total")
CENT = Decimal("0.01")
pytestmark = pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess


@pytest.fixture(scope="module")
def built(sample_db, tmp_path_factory):
    """The report built once for the module; (workbook path, engine results)."""
    out = tmp_path_factory.mktemp("report-xlsx")
    con = store.connect_reader(sample_db)
    try:
        report(con, MONTH, out)
        engine = {
            "contracts": catalog.contracts(con, MONTH).to_dicts(),
            "verdicts": sla.verdicts(con, MONTH),
            "invoices": billing.invoices(con, MONTH),
            "agents": agents.figures(con, MONTH),
        }
    finally:
        con.close()
    return out / "report-2026-10.xlsx", engine


@pytest.fixture(scope="module")
def book(built):
    return openpyxl.load_workbook(built[0])


@pytest.fixture(scope="module")
def engine(built):
    return built[1]


def _rows(ws, table: str) -> list[dict]:
    """An Excel table's rows as {header: cell} (cells, to see their number formats)."""
    min_col, min_row, max_col, max_row = range_boundaries(ws.tables[table].ref)
    cells = list(ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col))
    names = [c.value for c in cells[0]]
    return [dict(zip(names, row)) for row in cells[1:]]


def _cents(cell) -> Decimal:
    return Decimal(str(cell.value)).quantize(CENT)


def test_a_summary_and_one_sheet_per_vendor_with_their_tables(book, engine):
    vendors = list(dict.fromkeys(c["vendor_id"] for c in engine["contracts"]))
    sheets = ["Summary", *(s for v in vendors for s in (v, f"{v} agents")), "Payments"]
    assert book.sheetnames == sheets
    assert sheets[1:4] == ["V-AS", "V-AS agents", "V-HOME"] and len(sheets) == 10
    assert set(book["Summary"].tables) == {"summary"}
    for vendor in vendors:
        tag = vendor.replace("-", "_")
        # one contract per vendor in the sample: SLA targets, the headline trend, invoice lines and totals
        assert set(book[vendor].tables) == {
            f"sla_{tag}",
            f"trend_{tag}_C_{vendor[2:]}",
            f"lines_{tag}_0",
            f"totals_{tag}_0",
        }
        assert book[vendor]["A1"].value.startswith(f"{vendor} · ")


def test_summary_totals_equal_the_engines_decimals(book, engine):
    rows = {r["contract_id"].value: r for r in _rows(book["Summary"], "summary")}
    assert set(rows) == {inv.contract_id for inv in engine["invoices"]}
    for inv in engine["invoices"]:
        assert {k: _cents(rows[inv.contract_id][k]) for k in TOTALS} == {k: getattr(inv, k) for k in TOTALS}
        assert rows[inv.contract_id]["payee"].value == inv.payee
        assert rows[inv.contract_id]["status"].value == inv.status
    # By hand, C-TEL: net 34889.83 - 1278.94 = 33610.89, + 6 % tax 2016.65 = 35627.54.
    assert _cents(rows["C-TEL"]["total"]) == Decimal("35627.54")
    # targets met / measured: V-TEL misses 3 of its 6 (answer rate, ASA, service level)
    assert (rows["C-TEL"]["targets_met"].value, rows["C-TEL"]["targets_measured"].value) == (3, 6)


def test_vendor_sheets_carry_each_invoice_and_its_lines(book, engine):
    for inv in engine["invoices"]:
        tag = inv.vendor_id.replace("-", "_")
        ws = book[inv.vendor_id]
        (totals,) = _rows(ws, f"totals_{tag}_0")
        assert {k: _cents(totals[k]) for k in TOTALS} == {k: getattr(inv, k) for k in TOTALS}
        lines = _rows(ws, f"lines_{tag}_0")
        assert [(r["type"].value, _cents(r["amount"])) for r in lines] == [(ln.type, ln.amount) for ln in inv.lines]
        assert sum(_cents(r["amount"]) for r in lines) == inv.subtotal + inv.credits + inv.adjustments


def test_money_has_its_currency_and_fits_its_column(book, engine):
    ws = book["Summary"]
    for row in _rows(ws, "summary"):
        for k in TOTALS:
            cell = row[k]
            assert cell.number_format == '#,##0.00 "CNY";-#,##0.00 "CNY"'
            # wide enough for what Excel shows ("-1,278.94 CNY"), else it prints ###
            shown = f"{Decimal(str(cell.value)):,.2f} CNY"
            assert ws.column_dimensions[get_column_letter(cell.column)].width >= len(shown)
    # unit prices keep their decimals (a tier at 0.455 must not read 0.46)
    (price,) = {r["unit_price"].number_format for r in _rows(book["V-TEL"], "lines_V_TEL_0")}
    assert price == '#,##0.00#### "CNY";-#,##0.00#### "CNY"'


def test_rates_are_percentages_and_seconds_read_as_seconds(book, engine):
    formats = {"rate": "0.0%", "seconds": '0.00 "s"', "score": "0.00"}
    seen = set()
    for vendor in dict.fromkeys(c["vendor_id"] for c in engine["contracts"]):
        tag = vendor.replace("-", "_")
        for r in _rows(book[vendor], f"sla_{tag}"):
            kind = metric_kind(r["metric"].value)
            seen.add(kind)
            assert (r["value"].number_format, r["target"].number_format) == (formats[kind], formats[kind])
            assert r["credit_rate"].number_format == "0.0%"
        trend = _rows(book[vendor], f"trend_{tag}_C_{vendor[2:]}")
        assert [r["month"].value for r in trend] == ["2026-08", "2026-09", "2026-10"]
    assert seen == {"rate", "seconds", "score"}
    # V-TEL's headline trend is its first missed target, the phone answer rate, in %
    (oct_,) = [r for r in _rows(book["V-TEL"], "trend_V_TEL_C_TEL") if r["month"].value == "2026-10"]
    assert oct_["value"].number_format == "0.0%" and round(oct_["value"].value, 6) == round(6503 / 7808, 6)


def test_every_agents_figures_on_the_vendors_agents_sheet(book, engine):
    formats = {"rate": "0.0%", "seconds": '0.000 "s"', "score": "0.00", "count": "#,##0", "hours": '#,##0.0 "h"'}
    for vendor in dict.fromkeys(c["vendor_id"] for c in engine["contracts"]):
        rows = _rows(book[f"{vendor} agents"], f"agents_{vendor.replace('-', '_')}")
        want = engine["agents"].filter(vendor_id=vendor)
        assert len(rows) == want.height > 0
        for got, r in zip(rows, want.iter_rows(named=True)):
            assert (got["agent_id"].value, got["metric"].value, got["verdict"].value, got["count"].value) == (
                r["agent_id"],
                r["metric"],
                r["verdict"],
                r["count"],
            )
            # the engine's value, not a rounded copy (a workbook keeps 15 significant digits)
            assert (got["value"].value is None) == (r["value"] is None)
            assert r["value"] is None or math.isclose(got["value"].value, r["value"], rel_tol=1e-14)
            assert Decimal(str(got["numerator"].value)) == r["numerator"]
            assert got["value"].value is None or got["value"].number_format == formats[metric_kind(r["metric"])]
    # C-PT's part-timers are judged on the weekly minimum: 5 missed it in October.
    pt = _rows(book["V-PT agents"], "agents_V_PT")
    assert sum(r["verdict"].value == "missed" for r in pt) == 5


def test_every_sheet_has_a_native_chart(book):
    assert {ws.title: len(ws._charts) for ws in book.worksheets} == {
        "Summary": 1,
        "V-AS": 1,
        "V-HOME": 1,
        "V-PT": 1,
        "V-TEL": 1,
        "V-AS agents": 0,
        "V-HOME agents": 0,
        "V-PT agents": 0,
        "V-TEL agents": 0,
        "Payments": 0,
    }


def test_every_sheet_prints_on_a4_landscape_one_page_wide(book):
    for ws in book.worksheets:
        setup = ws.page_setup
        # paper 9 is A4; fitToWidth is left out of the file when 1, its default; fitToHeight 0 = as many as needed
        assert (setup.paperSize, setup.orientation, setup.fitToWidth or 1, setup.fitToHeight) == (9, "landscape", 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: `make test` installs libreoffice-calc-nogui; "
    "install it to run this check",
)
def test_libreoffice_converts_the_workbook(built, tmp_path):
    run = subprocess.run(  # noqa: PLW1510  (the exit code is asserted)
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(built[0]),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    pdf = tmp_path / "report-2026-10.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 10_000
