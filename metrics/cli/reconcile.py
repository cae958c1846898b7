"""`vendorboard reconcile --month M --vendor-invoice FILE`: the vendor's invoice line by line against ours."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrics import store
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, to_csv, to_json, to_table
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
    if fmt is Format.json:
        emit(to_json(rows), out)
    elif fmt is Format.csv:
        emit(to_csv(rows), out)
    else:
        off = sum(r["status"] != "match" for r in rows)
        emit(to_table(rows, f"reconcile {vendor_invoice.name}: {off} of {len(rows)} lines need attention"), out)
