"""`vendorboard report --month M --out DIR`: the monthly report (PDF, Excel workbook, CSVs)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from metrics import store
from metrics.cli import app
from metrics.cli.check import warn
from metrics.cli.output import Language, LanguageOption
from metrics.periods import parse_month


@app.command("report")
def report_command(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    out: Annotated[Path, typer.Option("--out", help="folder to write the report into")],
    vendor_invoice: Annotated[
        list[Path],
        typer.Option(
            "--vendor-invoice", help="a vendor's invoice (CSV or XLSX) to reconcile; may be given several times"
        ),
    ] = [],  # noqa: B006
    language: LanguageOption = Language.en,
) -> None:
    """Build the monthly report for every contract: one PDF, one Excel workbook and CSVs."""
    from metrics.export import report

    when = parse_month(month)
    con = store.connect_reader(ctx.obj)
    try:
        if sys.stderr.isatty():
            with Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            ) as bar:
                task = bar.add_task("report", total=4)
                written = report(
                    con,
                    when,
                    out,
                    lambda text, done, total: bar.update(task, description=text, completed=done),
                    tuple(vendor_invoice),
                    language.value,
                )
        else:
            written = report(con, when, out, None, tuple(vendor_invoice), language.value)
        warn(con, when, None)  # once it is built: a month without data is an error, not warnings
    finally:
        con.close()
    for path in written:
        print(path)
