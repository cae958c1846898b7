"""SPEC §4 invoice lifecycle: finalize stores the invoice as issued; later data shows as drift."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal as D

import pytest
from billing_fixtures import OCT, invoice_of
from typer.testing import CliRunner

from metrics import store
from metrics.billing import finalize, invoices, with_drift
from metrics.cli import app
from metrics.errors import VendorboardError
from metrics.periods import parse_month

RATES = """
    contract_id,channel,unit,unit_price,tier_from,tier_to
    C1,phone,minute,1.00,0,12
    C1,phone,minute,0.50,12,
"""
ONE_CALL = """
    call_id,vendor_id,offered_at,answered_at,ended_at
    1,V1,2026-10-05 10:00:00,2026-10-05 10:00:00,2026-10-05 10:10:00
"""
LATE_CALL = """
    call_id,vendor_id,offered_at,answered_at,ended_at
    2,V1,2026-10-30 10:00:00,2026-10-30 10:00:00,2026-10-30 10:05:00
"""


@pytest.fixture(autouse=True)
def sparse_months_are_a_warning(tmp_path, monkeypatch):
    """These months hold a call or two, so most service days have no calls: an error by default
    (docs/quality.md), a warning here through the thresholds file, so these tests are about the
    lifecycle alone (tests/test_quality.py tests the gate)."""
    config = tmp_path / "quality.toml"
    config.write_text("empty_days_error_share = 1.0\n")
    monkeypatch.setenv("VENDORBOARD_QUALITY", str(config))


def _read(db, fn, *args):
    con = store.connect_reader(db)
    try:
        return fn(con, *args)
    finally:
        con.close()


def test_finalize_then_a_late_call_leaves_the_invoice_and_shows_drift(load, db):
    load({"rates": RATES, "calls": ONE_CALL})
    issued = finalize(db, OCT, "C1")
    # 10 min x 1.00 = 10.00; tax 0.60; total 10.60
    assert (issued.status, issued.total) == ("finalized", D("10.60"))
    load({"calls": LATE_CALL}, reference=False)

    (shown,) = _read(db, invoices, OCT, "C1")
    assert shown.as_dict() == issued.as_dict()  # exactly as issued, tiers and descriptions included
    # fresh: 15 min = 12 x 1.00 + 3 x 0.50 = 13.50, tax 0.81, total 14.31
    assert invoice_of(db).total == D("14.31")
    ((_, drift),) = _read(db, with_drift, OCT, "C1")
    assert [
        (d.channel, d.unit, d.stored_quantity, d.fresh_quantity, d.stored_amount, d.fresh_amount, d.difference)
        for d in drift
    ] == [
        ("phone", "minute", D(10), D(15), D("10.00"), D("13.50"), D("3.50")),
        ("total", "", None, None, D("10.60"), D("14.31"), D("3.71")),
    ]


def test_a_draft_has_no_drift(load, db):
    load({"rates": RATES, "calls": ONE_CALL})
    ((inv, drift),) = _read(db, with_drift, OCT, "C1")
    assert (inv.status, drift) == ("draft", [])


def test_finalizing_twice_is_refused(load, db):
    load({"rates": RATES, "calls": ONE_CALL})
    finalize(db, OCT, "C1")
    with pytest.raises(VendorboardError, match="C1 2026-10 was finalized already"):
        finalize(db, OCT, "C1")


@pytest.mark.parametrize(
    "month, contract, message",
    [
        ("2025-12", "C1", "contract C1 is not active in 2025-12"),  # before the contract starts
        ("2026-10", "C9", "unknown contract 'C9'"),
    ],
)
def test_finalize_refuses_what_cannot_be_issued(load, db, month, contract, message):
    load({"rates": RATES, "calls": ONE_CALL})
    with pytest.raises(VendorboardError, match=message):
        finalize(db, parse_month(month), contract)
    assert _read(db, lambda con: con.execute("SELECT count(*) FROM invoices").fetchone()[0]) == 0


def test_cli_shows_finalized_status_and_drift(load, db):
    load({"rates": RATES, "calls": ONE_CALL})
    runner = CliRunner()
    from metrics.cli import invoice  # noqa: F401  (registers the command)

    done = runner.invoke(app, ["--db", str(db), "invoice", "finalize", "--month", "2026-10", "--contract", "C1"])
    assert done.exit_code == 0, done.output
    assert "finalized C1 2026-10: total 10.60 CNY, due 2026-11-05" in done.output
    load({"calls": LATE_CALL}, reference=False)
    shown = runner.invoke(
        app, ["--db", str(db), "invoice", "--month", "2026-10", "--contract", "C1", "--format", "json"]
    )
    (inv,) = json.loads(shown.stdout)
    assert (inv["status"], inv["total"]) == ("finalized", "10.60")
    assert "differs on 1 line and by +3.71 CNY on the total" in shown.stderr
    table = runner.invoke(app, ["--db", str(db), "invoice", "--month", "2026-10"]).output
    assert "finalized" in table and "drift" in table and "3.71" in table


@pytest.mark.slow
def test_cli_refuses_a_second_finalize_with_exit_code_2(load, db):
    load({"rates": RATES, "calls": ONE_CALL})
    cmd = [
        sys.executable,
        "-m",
        "metrics.cli",
        "--db",
        str(db),
        "invoice",
        "finalize",
        "--month",
        "2026-10",
        "--contract",
        "C1",
    ]
    assert subprocess.run(cmd, capture_output=True, text=True, check=False).returncode == 0
    again = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert again.returncode == 2
    assert again.stderr.startswith("error: invoice C1 2026-10 was finalized already")
    assert "Traceback" not in again.stderr
