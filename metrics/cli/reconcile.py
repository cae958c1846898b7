"""`vendorboard reconcile --month M --vendor-invoice FILE`: the vendor's invoice line by line against ours."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrics import store
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, show
from metrics.periods import parse_month
from metrics.reconcile import reconcile


@app.command("reconcile")
def reconcile_command(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    vendor_invoice: Annotated[Path, typer.Option("--vendor-invoice", help="the vendor's invoice, .csv or .xlsx")],
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Compare a vendor's invoice with the computed one: match, mismatch, missing or unexpected per line."""
    when = parse_month(month)
    con = store.connect_reader(ctx.obj)
    try:
        rows = reconcile(con, when, vendor_invoice)
    finally:
        con.close()
    off = sum(r["status"] != "match" for r in rows)
    show(rows, fmt, out, f"reconcile {vendor_invoice.name}: {off} of {len(rows)} lines need attention")
