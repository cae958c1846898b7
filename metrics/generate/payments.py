"""The client's payments of a generated data set: a few, so the demo shows every payment status.

Written from the computed invoices of the first two months (an invoice's total is only known once
it is computed). Each becomes applied when finance finalizes its invoice; until then the Overview,
Invoices and Reports pages list it as unapplied.

First month: C-TEL paid in full on its due date (paid); C-PT in two parts, the second 20 days late
(paid, with late-payment damages); C-HOME 60 % of it the day before it is due (partly paid, then
overdue); C-AS nothing (unpaid). Second month: C-TEL 100.00 too much three days late (overpaid),
C-PT in full on its due date.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from metrics.billing import Invoice
from metrics.billing.line import cents
from metrics.ingest.tables import TABLES

FOLDER = "payments"
COLUMNS = tuple(c.name for c in TABLES["payments"].columns)
PAYER = "中国工商银行 6222 0210 0000 {:04d}"  # the client's account, one per contract
# (month index, contract, share of the total (None: what is left), days after the due date)
PLAN = (
    (0, "C-TEL", Decimal(1), 0),
    (0, "C-PT", Decimal("0.5"), -2),
    (0, "C-PT", None, 20),
    (0, "C-HOME", Decimal("0.6"), -1),
    (1, "C-TEL", Decimal(1), 3),
    (1, "C-PT", Decimal(1), 0),
)
OVERPAID = {(1, "C-TEL"): Decimal("100.00")}


def write_payments(data_dir: Path, invoices: list[Invoice]) -> int:
    """Write data_dir/payments/part-0001.csv for `invoices` (every contract's of every month, as
    computed); returns the rows written."""
    months = sorted({i.month for i in invoices})
    by_key = {(months.index(i.month), i.contract_id): i for i in invoices}
    rows, paid = [], {}
    for n, (index, contract, share, days) in enumerate(PLAN, start=1):
        invoice = by_key.get((index, contract))
        if invoice is None:
            continue
        before = paid.get((index, contract), Decimal(0))
        amount = invoice.total - before if share is None else cents(invoice.total * share)
        amount += OVERPAID.get((index, contract), Decimal(0))
        paid[(index, contract)] = before + amount
        rows.append(
            {
                "contract_id": contract,
                "month": f"{invoice.month:%Y-%m}",
                "paid_on": invoice.due_date + dt.timedelta(days=days),
                "amount": amount,
                "reference": f"PAY-{contract}-{invoice.month:%Y%m}-{n:02d}",
                "currency": invoice.currency,
                "payer_account": PAYER.format(sorted({c for _, c, _, _ in PLAN}).index(contract) + 1),
            }
        )
    folder = Path(data_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "part-0001.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
