"""`vendorboard report` and `vendorboard invoice --format pdf|xlsx` (issue 6): the three kinds of
output, reconciliation of a vendor's invoice, and bad arguments as one-line errors that leave no
partial files behind."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pypdf
import pytest

from metrics import agents, billing, sla, store
from metrics.config import SAMPLE_DATA
from metrics.errors import VendorboardError
from metrics.export import report
from metrics.i18n import money
from metrics.periods import parse_month

VENDOR_INVOICES = SAMPLE_DATA / "vendor_invoices"


def _cli(db, *args):
    return subprocess.run(  # noqa: PLW1510  (the exit code is asserted)
        [sys.executable, "-c", "from metrics.cli import main; main()", "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- the report through the library: failures leave nothing behind (fast) ---


def test_a_month_without_data_creates_nothing(sample_db, tmp_path):
    out = tmp_path / "reports" / "2026-01"
    con = store.connect_reader(sample_db)
    try:
        # the sample has August to October 2026 only
        with pytest.raises(VendorboardError, match=r"^no data for 2026-01: "):
            report(con, parse_month("2026-01"), out)
    finally:
        con.close()
    assert not (tmp_path / "reports").exists()


def test_an_unwritable_out_is_an_error_without_files(sample_db, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder\n")
    con = store.connect_reader(sample_db)
    try:
        for out in (tmp_path / "taken", tmp_path / "taken" / "reports"):
            with pytest.raises(VendorboardError, match=rf"^--out {out}: cannot write there \("):
                report(con, parse_month("2026-10"), out)
    finally:
        con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_browser_that_cannot_start_is_an_error_without_files(sample_db, tmp_path, monkeypatch):
    # `false` exits at once: Kaleido's browser dies on start. The build must fail with one line (not
    # wait forever, as Kaleido's sync server would) and take back the folder it made.
    monkeypatch.setenv("BROWSER_PATH", "/bin/false")
    out = tmp_path / "out"
    con = store.connect_reader(sample_db)
    try:
        with pytest.raises(VendorboardError, match=r"^Chromium \(/bin/false\) could not draw the charts: "):
            report(con, parse_month("2026-10"), out)
    finally:
        con.close()
    assert list(tmp_path.iterdir()) == []


# --- the commands (subprocesses) ---


@pytest.fixture(scope="module")
def report_run(sample_db, tmp_path_factory):
    """`vendorboard report` for October with two vendor invoices (C-AS carries a planted extra line)."""
    out = tmp_path_factory.mktemp("cli") / "out"
    run = _cli(
        sample_db,
        "report",
        "--month",
        "2026-10",
        "--out",
        str(out),
        "--vendor-invoice",
        str(VENDOR_INVOICES / "C-AS_2026-10.csv"),
        "--vendor-invoice",
        str(VENDOR_INVOICES / "C-TEL_2026-10.csv"),
    )
    return run, out


@pytest.mark.slow
def test_report_writes_the_pdf_the_workbook_and_the_csvs(report_run, sample_db):
    run, out = report_run
    assert run.returncode == 0
    # stderr holds only the month's data-quality warnings (SPEC §5), among them the sample's planted bad
    # visits: 6 of C-TEL's October visits are rejected, an error by the 0.5 % default.
    assert all(line.startswith("warning: ") for line in run.stderr.splitlines()), run.stderr
    assert "warning: C-TEL 2026-10 [error] visits rejected: 6 (" in run.stderr
    names = [
        "agents.csv",
        "invoice_lines.csv",
        "payments.csv",
        "reconciliation.csv",
        "report-2026-10.pdf",
        "report-2026-10.xlsx",
        "sla.csv",
    ]
    assert sorted(p.name for p in out.iterdir()) == names  # no temporary folder left
    assert run.stdout.splitlines() == [str(out / n) for n in names]
    assert len(pypdf.PdfReader(out / "report-2026-10.pdf").pages) == 12
    assert openpyxl.load_workbook(out / "report-2026-10.xlsx").sheetnames[0] == "Summary"
    con = store.connect_reader(sample_db)
    try:
        verdicts = sla.verdicts(con, parse_month("2026-10"))
        invoices = billing.invoices(con, parse_month("2026-10"))
        staff = agents.figures(con, parse_month("2026-10"))
    finally:
        con.close()
    assert [(r["agent_id"], r["metric"], Decimal(r["numerator"]), r["verdict"]) for r in _csv(out / "agents.csv")] == [
        (r["agent_id"], r["metric"], r["numerator"], r["verdict"] or "") for r in staff.iter_rows(named=True)
    ]
    sla_rows = _csv(out / "sla.csv")
    assert [(r["contract_id"], r["metric"], r["met"]) for r in sla_rows] == [
        (r["contract_id"], r["metric"], str(r["met"])) for r in verdicts.iter_rows(named=True)
    ]
    lines = _csv(out / "invoice_lines.csv")
    assert [(r["contract_id"], Decimal(r["amount"])) for r in lines] == [
        (inv.contract_id, ln.amount) for inv in invoices for ln in inv.lines
    ]
    # C-TEL: five usage lines (the phone ladder in two tiers) and three credits
    assert [r["type"] for r in lines if r["contract_id"] == "C-TEL"] == ["usage"] * 5 + ["credit"] * 3


@pytest.mark.slow
def test_vendor_invoice_adds_the_reconciliation_with_the_planted_discrepancy(report_run):
    _, out = report_run
    planted = [
        p
        for p in json.loads((VENDOR_INVOICES / "discrepancies.json").read_text(encoding="utf-8"))
        if p["month"] == "2026-10"
    ]
    assert planted == [
        {"contract_id": "C-AS", "month": "2026-10", "kind": "extra_line", "what": "extra line onsite visit 400.00"}
    ]
    rows = {(r["contract_id"], r["channel"], r["unit"]): r for r in _csv(out / "reconciliation.csv")}
    # C-AS bills an on-site visit line we never computed: unexpected, +400.00; with 6 % tax its
    # total is 21200.00 + 400.00 * 1.06 = 21624.00 billed against 21200.00: a mismatch of 424.00.
    extra, total = rows[("C-AS", "onsite", "visit")], rows[("C-AS", "total", "")]
    assert (extra["status"], extra["billed_amount"], extra["difference"]) == ("unexpected", "400.00", "400.00")
    assert (total["status"], total["computed_amount"], total["billed_amount"], total["difference"]) == (
        "mismatch",
        "21200.00",
        "21624.00",
        "424.00",
    )
    # every other line of both invoices matches (C-TEL's October invoice is clean)
    assert {k for k, r in rows.items() if r["status"] != "match"} == {
        ("C-AS", "onsite", "visit"),
        ("C-AS", "total", ""),
    }
    assert {k[0] for k in rows} == {"C-AS", "C-TEL"}


@pytest.mark.slow
def test_report_for_a_month_without_data_exits_2_and_leaves_out_empty(sample_db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    run = _cli(sample_db, "report", "--month", "2026-01", "--out", str(out))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "error: no data for 2026-01: no interaction of that month has been ingested\n"
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_report_into_an_unwritable_out_exits_2(sample_db, tmp_path):
    taken = tmp_path / "taken.txt"
    taken.write_text("x\n")
    run = _cli(sample_db, "report", "--month", "2026-10", "--out", str(taken / "out"))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: --out {taken / 'out'}: cannot write there (Not a directory)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.txt"]


@pytest.mark.slow
def test_invoice_pdf_is_one_document(sample_db, tmp_path):
    out = tmp_path / "C-TEL.pdf"
    run = _cli(sample_db, "invoice", "--month", "2026-10", "--contract", "C-TEL", "--format", "pdf", "--out", str(out))
    assert (run.returncode, run.stdout, run.stderr.splitlines()[-1]) == (0, "", f"wrote {out}")
    assert all(line.startswith("warning: C-TEL 2026-10 ") for line in run.stderr.splitlines()[:-2])
    pages = pypdf.PdfReader(out).pages
    text = pages[0].extract_text()
    assert len(pages) == 1 and list(tmp_path.iterdir()) == [out]
    # the total worked out in test_report_pdf: (34889.83 - 1278.94) * 1.06 -> 35627.54
    assert "Invoice · C-TEL · Oct 2026" in text and "华信通信客服有限公司" in text
    assert money(Decimal("35627.54"), "CNY") in text and "CNY -1,278.94" in text


@pytest.mark.slow
def test_invoice_xlsx_is_one_document(sample_db, tmp_path):
    out = tmp_path / "C-AS.xlsx"
    run = _cli(sample_db, "invoice", "--month", "2026-10", "--contract", "C-AS", "--format", "xlsx", "--out", str(out))
    assert (run.returncode, run.stdout) == (0, "")
    ws = openpyxl.load_workbook(out)["Invoice"]
    assert set(ws.tables) == {"lines_invoice_0", "totals_invoice_0"}
    # C-AS: the fixed fee 240 000 / 12 = 20000.00, tax 6 % = 1200.00, total 21200.00
    header, values = ws[ws.tables["totals_invoice_0"].ref]
    totals = {h.value: Decimal(str(v.value)).quantize(Decimal("0.01")) for h, v in zip(header, values)}
    assert totals == {
        "subtotal": Decimal("20000.00"),
        "credits": Decimal("0.00"),
        "adjustments": Decimal("0.00"),
        "net": Decimal("20000.00"),
        "tax": Decimal("1200.00"),
        "total": Decimal("21200.00"),
    }


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
@pytest.mark.parametrize("args", [["--out", "{tmp}/x.{fmt}"], ["--contract", "C-TEL"]], ids=["no-contract", "no-out"])
def test_invoice_document_needs_contract_and_out(sample_db, tmp_path, fmt, args):
    run = _cli(
        sample_db, "invoice", "--month", "2026-10", "--format", fmt, *[a.format(tmp=tmp_path, fmt=fmt) for a in args]
    )
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: --format {fmt} writes one invoice document: give --contract and --out FILE\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_report_in_an_unknown_language_is_refused(sample_db, tmp_path):
    run = _cli(sample_db, "report", "--month", "2026-10", "--out", str(tmp_path / "out"), "--language", "fr")
    assert (run.returncode, run.stdout) == (2, "")
    assert "'fr' is not one of 'en', 'zh'" in run.stderr
    assert list(tmp_path.iterdir()) == []
