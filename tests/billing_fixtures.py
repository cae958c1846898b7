"""Helpers for the billing tests: compute invoices from a real DuckDB file built with `load`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from metrics import store
from metrics.billing import Invoice, Line, compute

OCT = dt.date(2026, 10, 1)


def invoice_of(db: Path, month: dt.date = OCT, contract_id: str = "C1") -> Invoice:
    """The freshly computed invoice of one contract."""
    con = store.connect_reader(db)
    try:
        (found,) = compute(con, month, contract_id)
    finally:
        con.close()
    return found


def usage(invoice: Invoice, channel: str | None = None) -> list[Line]:
    return [ln for ln in invoice.lines if ln.type == "usage" and channel in (None, ln.channel)]


def of_type(invoice: Invoice, type_: str) -> list[Line]:
    return [ln for ln in invoice.lines if ln.type == type_]
