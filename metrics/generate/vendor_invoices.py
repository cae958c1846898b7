"""The vendors' own invoices for a generated data set (SPEC §8), to reconcile against.

The data set is ingested into a throw-away database and invoiced by the billing engine; each
vendor-month's invoice is written as the vendor would send it (SPEC §4 columns, one row per line,
a `total` row) to `vendor_invoices/<contract>_<YYYY-MM>.csv`. A few vendor-months carry one planted
discrepancy each, chosen by the seed: a quantity off, an amount off, a line missing (a vendor
"forgetting" an SLA credit where there is one) and an extra line. They are listed in
`vendor_invoices/discrepancies.json`, so a reader can check that reconciliation finds exactly them.
"""

from __future__ import annotations

import csv
import json
import random
import tempfile
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from metrics import store
from metrics.billing import Invoice, Line, compute
from metrics.billing.line import USAGE, cents
from metrics.billing.terms import active_terms
from metrics.generate.payments import write_payments
from metrics.ingest import sources_in_dir
from metrics.loading import ingest
from metrics.periods import month_label, parse_month

FOLDER = "vendor_invoices"
COLUMNS = ("contract_id", "month", "channel", "unit", "quantity", "amount")
KINDS = ("quantity_off", "amount_off", "line_missing", "extra_line")
# Lines a vendor might add that no seed contract bills (the first one its invoice lacks is used).
EXTRAS = (
    Line(
        type=USAGE,
        channel="onsite",
        unit="visit",
        quantity=Decimal(5),
        unit_price=Decimal(80),
        amount=Decimal("400.00"),
        description="On-site visits",
    ),
    Line(type="adjustment", amount=Decimal("800.00"), description="Value-added service: holiday staffing"),
)


@dataclass(frozen=True)
class Bill:
    """A vendor's invoice: the lines it bills and its tax rate (for the total it states)."""

    invoice: Invoice
    tax_rate: Decimal
    lines: tuple[Line, ...]

    def rows(self) -> list[dict]:
        month = month_label(self.invoice.month)
        net = sum((ln.amount for ln in self.lines), Decimal("0.00"))
        return [
            {
                "contract_id": self.invoice.contract_id,
                "month": month,
                "channel": ln.channel if ln.type == USAGE else "",
                "unit": ln.unit if ln.type == USAGE else ln.type,
                "quantity": ln.quantity if ln.type == USAGE else "",
                "amount": ln.amount,
            }
            for ln in self.lines
        ] + [
            {
                "contract_id": self.invoice.contract_id,
                "month": month,
                "channel": "total",
                "unit": "",
                "quantity": "",
                "amount": net + cents(net * self.tax_rate),
            }
        ]


def _name(line: Line) -> str:
    return " ".join(k for k in line.key if k != "-")


def _distort(bill: Bill, kind: str, rng: random.Random) -> tuple[Bill, str]:
    """The bill with one discrepancy of `kind`, and what it was."""
    lines = list(bill.lines)
    if kind == "extra_line":
        extra = next(e for e in EXTRAS if e.key not in {ln.key for ln in lines})
        return replace(bill, lines=(*lines, extra)), f"extra line {_name(extra)} {extra.amount}"
    if kind == "line_missing":
        credits = [i for i, ln in enumerate(lines) if ln.type == "credit"]
        i = rng.choice(credits or range(len(lines)))
        gone = lines.pop(i)
        return replace(bill, lines=tuple(lines)), f"line {_name(gone)} {gone.amount} left out"
    usage = [i for i, ln in enumerate(lines) if ln.type == USAGE] if kind == "quantity_off" else range(len(lines))
    i = rng.choice(usage)
    line = lines[i]
    if kind == "quantity_off":
        more = max(Decimal(1), (line.quantity * Decimal("0.02")).to_integral_value())
        lines[i] = replace(line, quantity=line.quantity + more, amount=line.amount + cents(more * line.unit_price))
        what = f"{_name(line)} quantity {line.quantity} billed as {lines[i].quantity}"
    else:
        lines[i] = replace(line, amount=line.amount + cents(line.amount * Decimal("0.05")))
        what = f"{_name(line)} amount {line.amount} billed as {lines[i].amount}"
    return replace(bill, lines=tuple(lines)), what


def _eligible(bill: Bill, kind: str) -> bool:
    if kind == "quantity_off":
        return any(ln.type == USAGE for ln in bill.lines)
    return bool(bill.lines)


def write_vendor_invoices(data_dir: Path, months: list[str], seed: int) -> list[dict]:
    """Write one vendor invoice per vendor-month of `months` under data_dir/vendor_invoices, and the
    client's payments of them (generate/payments.py) under data_dir/payments; returns the planted
    discrepancies."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "invoices.duckdb"
        ingest(db, sources_in_dir(data_dir))
        con = store.connect_reader(db)
        try:
            bills = []
            for month in map(parse_month, months):
                tax = {t.contract_id: t.tax_rate for t in active_terms(con, month)}
                bills += [Bill(inv, tax[inv.contract_id], inv.lines) for inv in compute(con, month)]
        finally:
            con.close()
    write_payments(data_dir, [b.invoice for b in bills])  # what the client paid of the honest totals
    rng = random.Random(seed)
    planted = []
    for kind in KINDS:
        taken = {(p["contract_id"], p["month"]) for p in planted}
        candidates = [
            i
            for i, b in enumerate(bills)
            if _eligible(b, kind) and (b.invoice.contract_id, month_label(b.invoice.month)) not in taken
        ]
        if kind == "line_missing":  # the classic: a vendor "forgets" an SLA credit
            candidates = [i for i in candidates if any(ln.type == "credit" for ln in bills[i].lines)] or candidates
        if candidates:
            i = rng.choice(candidates)
            bills[i], what = _distort(bills[i], kind, rng)
            planted.append(
                {
                    "contract_id": bills[i].invoice.contract_id,
                    "month": month_label(bills[i].invoice.month),
                    "kind": kind,
                    "what": what,
                }
            )
    folder = Path(data_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for bill in bills:
        path = folder / f"{bill.invoice.contract_id}_{month_label(bill.invoice.month)}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(bill.rows())
    planted.sort(key=lambda p: (p["contract_id"], p["month"]))
    (folder / "discrepancies.json").write_text(
        json.dumps(planted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return planted
