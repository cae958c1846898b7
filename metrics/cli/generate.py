"""`vendorboard generate OUT_DIR`: the seeded sample data set (SPEC §8), small or at benchmark scale."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrics.cli import app
from metrics.cli.output import emit, to_json


@app.command("generate")
def generate_command(
    out_dir: Annotated[Path, typer.Argument(help="directory to write the data set to")],
    seed: Annotated[int, typer.Option(help="random seed: the same seed writes the same files")] = 7,
    months: Annotated[str | None, typer.Option(help="comma-separated months, e.g. 2026-08,2026-09")] = None,
    calls: Annotated[int | None, typer.Option(help="total calls (default: the small sample)")] = None,
    chats: Annotated[int | None, typer.Option()] = None,
    emails: Annotated[int | None, typer.Option()] = None,
    visits: Annotated[int | None, typer.Option()] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    bad_rows: Annotated[bool, typer.Option(help="plant a few bad rows of each kind")] = True,
    vendor_invoices: Annotated[
        bool, typer.Option(help="also invoice the data and write the vendors' own invoices, with a few discrepancies")
    ] = True,
    exports: Annotated[
        bool, typer.Option(help="also write one vendor month in each import profile's format (imports/)")
    ] = True,
) -> None:
    """Write a realistic data set: four vendors, one per seed contract."""
    from metrics.generate import generate
    from metrics.generate.vendor_invoices import write_vendor_invoices
    from metrics.periods import month_label, parse_month

    kwargs = {}
    if months:
        kwargs["months"] = tuple(month_label(parse_month(m, "--months")) for m in months.split(","))
    manifest = generate(
        out_dir, seed=seed, calls=calls, chats=chats, emails=emails, visits=visits, fmt=fmt, bad_rows=bad_rows, **kwargs
    )
    if vendor_invoices:
        manifest["vendor_invoice_discrepancies"] = write_vendor_invoices(out_dir, manifest["months"], seed)
    if exports:
        from metrics.generate.exports import write_exports

        manifest["imports"] = write_exports(out_dir)
    emit(to_json(manifest), None)
