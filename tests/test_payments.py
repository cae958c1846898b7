"""Payments against issued invoices (issue 20, docs/payments.md): status after each payment,
unapplied payments, days overdue and aging across a month end, late-payment damages rounded once,
carrying them into a later invoice once, idempotent loads, and the `payments` command.

The data, month 2026-10 (both vendors in Asia/Shanghai, one call each so the month can be finalized):
- C1 (V1): monthly fee 1000.00, tax 5 % → total 1050.00, due 2026-11-05 (payment_due_day 5);
  late_payment_rate 0.0005 a day (万分之五).
- C2 (V2): monthly fee 2000.00, tax 0 → total 2000.00, due 2026-11-30 (payment_due_day 30); no
  late_payment_rate: no damages.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from decimal import Decimal as D

import pytest
from billing_fixtures import OCT
from conftest import table_fingerprints, write_data
from typer.testing import CliRunner

from metrics import payments, store
from metrics.billing import finalize, invoices
from metrics.cli import app
from metrics.errors import VendorboardError
from metrics.ingest import sources_in_dir
from metrics.loading import ingest
from metrics.payments.status import bucket

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
TERMS = {
    "contracts": """
        contract_id,vendor_id,start_date,end_date,monthly_fee,tax_rate,payment_due_day,late_payment_rate
        C1,V1,2026-01-01,,1000,0.05,5,0.0005
        C2,V2,2026-01-01,,2000,0,30,
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-05 10:00:00,2026-10-05 10:00:02,2026-10-05 10:03:00
        2,V2,2026-10-05 10:00:00,2026-10-05 10:00:02,2026-10-05 10:03:00
    """,
}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def status(db, as_of: str, contract: str = "C1", month: dt.date = OCT) -> payments.InvoiceStatus | None:
    con = store.connect_reader(db)
    try:
        found = payments.statuses(con, day(as_of), contract, month)
    finally:
        con.close()
    return found[0] if found else None


def receivables(db, as_of: str) -> payments.Receivables:
    con = store.connect_reader(db)
    try:
        return payments.receivables(con, day(as_of))
    finally:
        con.close()


def pay(db, reference: str, amount: str, paid_on: str, contract: str = "C1", month: str = "2026-10", **more):
    return payments.record(
        db, contract_id=contract, month=month, paid_on=paid_on, amount=amount, reference=reference, **more
    )


@pytest.fixture
def issued(load, db):
    """C1 and C2 of 2026-10 finalized, nothing paid yet."""
    load(TERMS)
    finalize(db, OCT, "C1")
    finalize(db, OCT, "C2")
    return db


def brief(s: payments.InvoiceStatus) -> tuple:
    return (s.payment_status, s.paid, s.outstanding, s.days_overdue, s.aging)


# ---- status after each payment -----------------------------------------------------------------


def test_an_invoice_paid_in_two_parts(issued):
    db = issued
    # Nothing paid: 1050.00 outstanding, not due until 2026-11-05 (that day included).
    assert brief(status(db, "2026-11-05")) == ("unpaid", D("0.00"), D("1050.00"), 0, "not_due")
    pay(db, "TX-1", "600.00", "2026-11-03")
    # 1050.00 - 600.00 = 450.00 still to pay; on the due date it is not overdue yet.
    assert brief(status(db, "2026-11-05")) == ("partly paid", D("600.00"), D("450.00"), 0, "not_due")
    # 2026-11-19 is 14 days after 2026-11-05: overdue, bucket 1-30.
    assert brief(status(db, "2026-11-19")) == ("partly paid", D("600.00"), D("450.00"), 14, "1-30")
    pay(db, "TX-2", "450.00", "2026-11-20")
    # 600.00 + 450.00 = 1050.00: paid, nothing outstanding, no bucket.
    assert brief(status(db, "2026-11-20")) == ("paid", D("1050.00"), D("0.00"), 0, None)
    assert status(db, "2026-11-20").last_paid_on == day("2026-11-20")
    # As of a date before the second payment was made, it does not count.
    assert status(db, "2026-11-19").payment_status == "partly paid"


def test_an_overpayment(issued):
    db = issued
    pay(db, "B-1", "2000.00", "2026-11-28", contract="C2")
    pay(db, "B-2", "150.00", "2026-11-29", contract="C2")
    # 2000.00 + 150.00 = 2150.00 against 2000.00: overpaid by 150.00 (outstanding -150.00), no bucket.
    assert brief(status(db, "2026-12-01", "C2")) == ("overpaid", D("2150.00"), D("-150.00"), 0, None)
    assert receivables(db, "2026-12-01").aging == [
        # C1 is unpaid: 1050.00, 26 days after 2026-11-05 → 1-30; C2 owes nothing and is not netted.
        {
            "vendor_id": "V1",
            "currency": "CNY",
            "not_due": D("0.00"),
            "1-30": D("1050.00"),
            "31-60": D("0.00"),
            "61-90": D("0.00"),
            "over_90": D("0.00"),
            "outstanding": D("1050.00"),
            "overdue": D("1050.00"),
        }
    ]


def test_a_payment_before_finalizing_is_unapplied_then_applied(load, db):
    load(TERMS)
    pay(db, "EARLY-1", "300.00", "2026-10-28")
    assert status(db, "2026-11-01") is None  # a draft has no payment status
    early = receivables(db, "2026-11-01")
    assert early.invoices == [] and [(p["reference"], p["amount"], p["month"]) for p in early.unapplied] == [
        ("EARLY-1", D("300.00"), "2026-10")
    ]
    # A payment made after the as-of date is not listed yet.
    assert receivables(db, "2026-10-27").unapplied == []
    finalize(db, OCT, "C1")
    # Applied once the invoice is finalized: 1050.00 - 300.00 = 750.00.
    assert brief(status(db, "2026-11-01")) == ("partly paid", D("300.00"), D("750.00"), 0, "not_due")
    assert receivables(db, "2026-11-01").unapplied == []


def test_drafts_have_no_payment_status_in_the_invoice_json(issued, db):
    from metrics.cli import invoice  # noqa: F401  (registers the command)

    pay(db, "TX-1", "600.00", "2026-11-03")
    runner = CliRunner()
    out = runner.invoke(app, ["--db", str(db), "invoice", "--month", "2026-10", "--format", "json"])
    assert out.exit_code == 0, out.output
    shown = {i["contract_id"]: i for i in json.loads(out.stdout)}
    # As of today (after 2026-11-03): C1 600.00 of 1050.00 paid.
    assert {k: shown["C1"][k] for k in ("paid", "outstanding", "payment_status")} == {
        "paid": "600.00",
        "outstanding": "450.00",
        "payment_status": "partly paid",
    }
    draft = runner.invoke(app, ["--db", str(db), "invoice", "--month", "2026-11", "--format", "json"])
    assert {(i["status"], i["paid"], i["outstanding"], i["payment_status"]) for i in json.loads(draft.stdout)} == {
        ("draft", None, None, None)
    }


# ---- aging -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, days, aging",
    [
        ("2026-11-30", 0, "not_due"),  # the due date itself
        ("2026-12-01", 1, "1-30"),  # across the month end: 2026-11-30 + 1 day
        ("2026-12-30", 30, "1-30"),
        ("2026-12-31", 31, "31-60"),
        ("2027-01-29", 60, "31-60"),  # Dec has 31 days: 2026-11-30 + 60 = 2027-01-29
        ("2027-01-30", 61, "61-90"),
        ("2027-02-28", 90, "61-90"),  # + 31 (Jan) ... 2027-01-30 + 29 = 2027-02-28
        ("2027-03-01", 91, "over_90"),
    ],
)
def test_days_overdue_and_bucket_across_month_ends(issued, as_of, days, aging):
    found = status(issued, as_of, "C2")  # due 2026-11-30, unpaid
    assert (found.days_overdue, found.aging, found.outstanding) == (days, aging, D("2000.00"))


def test_bucket_bounds():
    assert [bucket(d) for d in (0, 1, 30, 31, 60, 61, 90, 91, 400)] == [
        "not_due",
        "1-30",
        "1-30",
        "31-60",
        "31-60",
        "61-90",
        "61-90",
        "over_90",
        "over_90",
    ]


# ---- late-payment damages ----------------------------------------------------------------------


def test_damages_over_17_days_rounded_half_up_once(issued):
    # 2026-11-22 is 17 days after 2026-11-05; nothing paid: 1050.00 × 0.0005 × 17 = 8.925 → 8.93
    # (half-up once; half-even would give 8.92, rounding each day 0.525 → 0.53 × 17 would give 9.01).
    found = status(issued, "2026-11-22")
    assert (found.days_overdue, found.damages, found.damages_carried) == (17, D("8.93"), D("0.00"))
    # C2 sets no late_payment_rate: no damages (None, not 0.00).
    assert status(issued, "2026-12-22", "C2").damages is None


def test_damages_follow_the_amount_outstanding_each_day(issued):
    db = issued
    pay(db, "TX-1", "600.00", "2026-11-10")
    # 11-06..11-10: 5 days on 1050.00 (the payment counts from the next day); 11-11..11-22: 12 days on
    # 450.00. (1050.00 × 5 + 450.00 × 12) × 0.0005 = (5250 + 5400) × 0.0005 = 5.325 → 5.33.
    assert status(db, "2026-11-22").damages == D("5.33")
    pay(db, "TX-2", "450.00", "2026-11-22")
    # Paid on the 22nd: that day still accrues; nothing after. The same 5.33 as of any later date.
    assert status(db, "2027-01-31").damages == D("5.33")


def test_a_payment_on_the_due_date_owes_no_damages(issued):
    pay(issued, "TX-1", "1050.00", "2026-11-05")
    assert (status(issued, "2026-12-31").damages, status(issued, "2026-12-31").payment_status) == (D("0.00"), "paid")


def test_damages_carried_into_a_later_invoice_once(issued):
    db = issued
    carried = payments.carry_damages(db, "C1", OCT, day("2026-11-22"), DEC)
    assert (carried.amount, carried.into_month) == (D("8.93"), DEC)
    con = store.connect_reader(db)
    try:
        (dec,) = invoices(con, DEC, "C1")
    finally:
        con.close()
    # December draft: fixed 1000.00 + the damages 8.93 = 1008.93; tax 5 % = 50.4465 → 50.45; total 1059.38.
    assert [(ln.type, ln.amount) for ln in dec.lines] == [("fixed", D("1000.00")), ("adjustment", D("8.93"))]
    assert (dec.adjustments, dec.total) == (D("8.93"), D("1059.38"))
    assert status(db, "2026-11-22").damages_carried == D("8.93")
    with pytest.raises(VendorboardError, match="carried through 2026-11-22 already; they are never carried twice"):
        payments.carry_damages(db, "C1", OCT, day("2026-11-22"), DEC)
    # Two more days: 1050.00 × 0.0005 × 19 = 9.975 → 9.98 accrued; 9.98 - 8.93 = 1.05 is new.
    again = payments.carry_damages(db, "C1", OCT, day("2026-11-24"), DEC)
    assert again.amount == D("1.05")
    con = store.connect_reader(db)
    try:
        (dec,) = invoices(con, DEC, "C1")
    finally:
        con.close()
    assert dec.adjustments == D("9.98")


@pytest.mark.parametrize(
    "contract, as_of, into, message",
    [
        ("C2", "2026-12-22", "2026-12", "contract C2 sets no late_payment_rate"),
        ("C1", "2026-11-05", "2026-12", "no late-payment damages to carry as of 2026-11-05"),
        ("C1", "2026-11-22", "2026-10", "damages go into a later invoice than C1 2026-10"),
        ("C1", "2026-11-22", "2026-11", "that invoice is finalized"),  # finalized below
    ],
)
def test_carrying_damages_refuses_what_cannot_be_carried(issued, load, contract, as_of, into, message):
    nov_call = "call_id,vendor_id,offered_at,answered_at,ended_at\n3,V1,2026-11-05 10:00:00,,2026-11-05 10:00:30"
    load({"calls": nov_call}, reference=False)
    finalize(issued, NOV, "C1")
    with pytest.raises(VendorboardError, match=message):
        payments.carry_damages(issued, contract, OCT, day(as_of), dt.date.fromisoformat(into + "-01"))
    assert receivables(issued, "2027-01-01").invoices[0].damages_carried == D("0.00")


def test_a_draft_has_no_damages_to_carry(load, db):
    load(TERMS)
    with pytest.raises(VendorboardError, match="invoice C1 2026-10 is not finalized"):
        payments.carry_damages(db, "C1", OCT, day("2026-11-22"), DEC)


# ---- loading payments --------------------------------------------------------------------------

PAYMENTS = """
    contract_id,month,paid_on,amount,reference,currency,payer_account
    C1,2026-10,2026-11-03,600.00,TX-1,CNY,6222 0000 1111
    C1,2026-10,2026-11-20,450.00,TX-2,,
    C2,2026-10,2026-11-28,2000,B-1,cny,
"""


def test_reloading_the_same_payments_file_changes_nothing(issued, tmp_path):
    root = write_data(tmp_path / "p", {"payments": PAYMENTS})
    first = ingest(issued, sources_in_dir(root)).tables["payments"]
    assert (first.loaded, first.updated, first.unchanged) == (3, 0, 0)
    before = table_fingerprints(issued)
    again = ingest(issued, sources_in_dir(root)).tables["payments"]
    assert (again.loaded, again.updated, again.unchanged) == (0, 0, 3)
    assert table_fingerprints(issued) == before
    assert brief(status(issued, "2026-11-20")) == ("paid", D("1050.00"), D("0.00"), 0, None)
    # The same reference with another amount is a correction, not a second payment.
    fixed = write_data(tmp_path / "q", {"payments": PAYMENTS.replace("450.00,TX-2", "440.00,TX-2")})
    corrected = ingest(issued, sources_in_dir(fixed)).tables["payments"]
    assert (corrected.loaded, corrected.updated, corrected.unchanged) == (0, 1, 2)
    assert brief(status(issued, "2026-11-20")) == ("partly paid", D("1040.00"), D("10.00"), 15, "1-30")


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "C1,2026-10,2026-11-03,600.00,TX-9,USD",
            "line 2: payment TX-9 is in USD but the invoice of C1 2026-10 is in CNY",
        ),
        ("C1,2026-10,2026-11-03,-5,TX-9,", "line 2: amount -5 must be positive"),
        ("C1,2026-10,2026-11-03,1.005,TX-9,", "line 2: amount 1.005 is not whole cents"),
        ("C9,2026-10,2026-11-03,5,TX-9,", "line 2: contract_id C9 is not in contracts"),
        ("C1,2026-10,2026-11-31,5,TX-9,", "line 2: paid_on 2026-11-31 is not a valid date"),
        ("C1,2026-10,2026-11-03,5,,", "line 2: reference is empty"),
    ],
)
def test_a_bad_payment_stops_the_load_naming_file_and_line(issued, tmp_path, row, message):
    before = table_fingerprints(issued)
    root = write_data(tmp_path / "p", {"payments": f"contract_id,month,paid_on,amount,reference,currency\n{row}"})
    with pytest.raises(VendorboardError, match=f"payments/data.csv, {message}"):
        ingest(issued, sources_in_dir(root))
    assert table_fingerprints(issued) == before


def test_a_negative_late_payment_rate_is_refused(load):
    with pytest.raises(VendorboardError, match="late_payment_rate must not be negative"):
        load({"contracts": TERMS["contracts"].replace("0.0005", "-0.0005")})


# ---- the command -------------------------------------------------------------------------------


def run(db, *args: str):
    from metrics.cli import payments as _  # noqa: F401  (registers the command)

    # A table's layout follows the terminal's width (pytest-xdist's workers say 80 columns): pin it,
    # so a value is never wrapped across two lines of a cell.
    return CliRunner().invoke(app, ["--db", str(db), *args], env={"COLUMNS": "160"})


def test_payments_as_of_lists_every_issued_invoice(issued):
    db = issued
    pay(db, "TX-1", "600.00", "2026-11-03")
    pay(db, "EARLY-NOV", "99.00", "2026-11-04", month="2026-11")  # November is a draft: unapplied
    shown = run(db, "payments", "--as-of", "2026-11-22", "--format", "json")
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.stdout)
    assert found["as_of"] == "2026-11-22"
    # C1: 450.00 outstanding 17 days; damages: 1050.00 × 0.0005 × 0 days before the payment (paid
    # before the due date) + 450.00 × 0.0005 × 17 = 3.825 → 3.83. C2: due 2026-11-30, not due.
    assert [
        (
            i["contract_id"],
            i["payment_status"],
            i["paid"],
            i["outstanding"],
            i["days_overdue"],
            i["aging"],
            i["damages"],
        )
        for i in found["invoices"]
    ] == [
        ("C1", "partly paid", "600.00", "450.00", 17, "1-30", "3.83"),
        ("C2", "unpaid", "0.00", "2000.00", 0, "not_due", None),
    ]
    assert [(p["reference"], p["month"], p["amount"]) for p in found["unapplied"]] == [
        ("EARLY-NOV", "2026-11", "99.00")
    ]
    assert [(a["vendor_id"], a["1-30"], a["not_due"], a["overdue"]) for a in found["aging"]] == [
        ("V1", "450.00", "0.00", "450.00"),
        ("V2", "0.00", "2000.00", "0.00"),
    ]
    csv = run(db, "payments", "--as-of", "2026-11-22", "--format", "csv")
    lines = csv.stdout.splitlines()
    assert lines[0].startswith("contract_id,vendor_id,month,currency,total,due_date,paid,outstanding,payment_status")
    assert lines[1].startswith("C1,V1,2026-10,CNY,1050.00,2026-11-05,600.00,450.00,partly paid,17,1-30,")
    assert "1 unapplied payment(s)" in csv.stderr
    table = run(db, "payments", "--as-of", "2026-11-22").stdout
    assert "partly paid" in table and "EARLY-NOV" in table and "aging per vendor" in table


def add_args(reference: str, amount: str, month: str = "2026-10") -> list[str]:
    return ["payments", "add", "--contract", "C1", "--month", month, "--amount", amount, "--paid-on", "2026-11-03",
            "--reference", reference]  # fmt: skip


CARRY = ["payments", "carry-damages", "--contract", "C1", "--month", "2026-10", "--as-of", "2026-11-22",
         "--into", "2026-12"]  # fmt: skip


def test_payments_add_and_carry_damages_from_the_command_line(issued):
    db = issued
    added = run(db, *add_args("TX-1", "600.00"))
    assert added.exit_code == 0, added.output
    assert added.stdout.splitlines() == [
        "payment TX-1 of C1 2026-10: recorded",
        "invoice C1 2026-10 is partly paid: 600.00 of 1 050.00 CNY paid, outstanding 450.00",
    ]
    same = run(db, *add_args("TX-1", "600.00"))
    assert same.stdout.splitlines()[0] == "payment TX-1 of C1 2026-10: already recorded (unchanged)"
    early = run(db, *add_args("TX-NOV", "10", month="2026-11"))
    assert early.stdout.splitlines()[1] == "held as unapplied until the invoice of C1 2026-11 is finalized"
    # 450.00 × 0.0005 × 17 = 3.825 → 3.83 (as in the listing above)
    carry = run(db, *CARRY)
    assert carry.exit_code == 0, carry.output
    assert carry.stdout.strip() == (
        "carried 3.83 CNY of late-payment damages on C1 2026-10 (through 2026-11-22) into the 2026-12 invoice"
    )
    twice = run(db, *CARRY)
    assert isinstance(twice.exception, VendorboardError) and "never carried twice" in str(twice.exception)


@pytest.mark.slow
def test_bad_payment_input_is_one_line_and_exit_code_2(issued):
    base = [sys.executable, "-m", "metrics.cli", "--db", str(issued)]
    for args, message in (
        (["payments", "--as-of", "22/11/2026"], "error: --as-of must be a date as YYYY-MM-DD (got '22/11/2026')"),
        (add_args("TX-1", "ten"), "error: payment TX-1: amount ten is not a valid decimal (bad_number)"),
    ):
        done = subprocess.run([*base, *args], capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr.strip()) == (2, message)


# ---- the sample data ---------------------------------------------------------------------------


def test_the_sample_payments_apply_once_their_invoices_are_finalized(sample_db, tmp_path):
    db = tmp_path / "sample.duckdb"
    shutil.copyfile(sample_db, db)
    # sample_data/payments: six payments of August and September, all held until finalized.
    assert receivables(db, "2026-10-31").invoices == [] and len(receivables(db, "2026-10-31").unapplied) == 6
    for contract in ("C-PT", "C-AS"):
        finalize(db, dt.date(2026, 8, 1), contract, accept_data_issues="the sample's planted out-of-contract rows")
    pt, as_ = receivables(db, "2026-10-31").invoices[::-1]
    # C-PT August: 48 898.90 in two halves, 24 449.45 on 09-03 (before the 09-05 due date) and the rest
    # on 09-25: 20 days late on 24 449.45 at 0.0003 a day = 146.6967 → 146.70.
    assert (pt.contract_id, pt.total, pt.payment_status, pt.damages) == ("C-PT", D("48898.90"), "paid", D("146.70"))
    # C-AS August: nothing paid, due 2026-09-20, 41 days overdue on 2026-10-31; no late-payment term.
    assert (as_.contract_id, as_.payment_status, as_.days_overdue, as_.aging, as_.damages) == (
        "C-AS",
        "unpaid",
        41,
        "31-60",
        None,
    )
    assert len(receivables(db, "2026-10-31").unapplied) == 4


def test_every_payment_code_and_column_has_a_label_in_both_languages():
    from metrics.i18n import LABELS, header
    from metrics.payments.status import AGING_FIELDS, FIELDS, PAYMENT_FIELDS

    assert all(f"payment.{s}" in LABELS for s in payments.STATUSES)
    assert all(f"aging.{b}" in LABELS for b in payments.BUCKETS)
    assert "table.payments" in LABELS
    columns = {*FIELDS, *PAYMENT_FIELDS, *AGING_FIELDS} - set(payments.BUCKETS)  # buckets head by their value name
    assert sorted(c for c in columns if header(c, "zh") == c) == []


def test_text_that_would_start_a_formula_is_exported_as_text():
    import polars as pl

    from metrics.cli.output import to_csv
    from metrics.inert import frame

    # A reference typed as "=1+2" or "-x" opens as text in a spreadsheet; amounts stay numbers.
    assert to_csv([{"reference": "=1+2", "amount": D("-5.00"), "note": "-x"}]) == (
        "reference,amount,note\r\n'=1+2,-5.00,'-x\r\n"
    )
    shown = frame(pl.DataFrame({"reference": ["=1+2", "TX-1", "@SUM(A1)"], "amount": [-5, 5, 1]}))
    assert shown.write_csv() == "reference,amount\n'=1+2,-5\nTX-1,5\n'@SUM(A1),1\n"
