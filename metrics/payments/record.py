"""Recording one payment (`vendorboard payments add`, the form on the Invoices page).

A payment is a row of the payments table, so one is recorded by ingesting it: the same typing,
checks and key (contract + reference) as a loaded file, in one atomic write. Recording the same
reference again changes nothing; with other values it corrects the stored payment.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from metrics.access import Permission, Principal, acting
from metrics.audit import Change
from metrics.errors import VendorboardError
from metrics.ingest import Source, TableCounts
from metrics.ingest.tables import TABLES
from metrics.loading import ingest

COLUMNS = tuple(c.name for c in TABLES["payments"].columns)


def record(db: Path, by: Principal | None = None, **values: object) -> TableCounts:
    """Store one payment given as {column: value} (values as typed, or Decimal and dates), in the
    audit trail as `by`'s; returns whether it was loaded, updated or unchanged. A bad value is an
    error naming the column; a role that may not record payments is refused."""
    by = acting(by).require(Permission.ADJUST)
    unknown = set(values) - set(COLUMNS)
    if unknown:
        raise ValueError(f"not payment columns: {sorted(unknown)}")
    shown = f"payment {values.get('reference') or ''}".strip()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "payment.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(COLUMNS)
            writer.writerow(["" if values.get(c) is None else str(values[c]) for c in COLUMNS])
        try:
            change = Change(
                "payment",
                f"{values.get('contract_id')} {values.get('month')} {values.get('reference')}",
                {c: values.get(c) for c in COLUMNS if values.get(c) is not None},
            )
            report = ingest(db, [Source("payments", path, name=shown)], by=by, audit_as=change)
        except VendorboardError as exc:  # "payment R, line 2: ..." -> "payment R: ..."
            raise VendorboardError(str(exc).replace(f"{shown}, line 2: ", f"{shown}: ", 1)) from None
    return report.tables["payments"]
