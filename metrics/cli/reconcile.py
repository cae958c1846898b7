"""`vendorboard reconcile --month M --vendor-invoice FILE`: the vendor's invoice line by line against
ours; exit code 1 when any line differs (SPEC §5), so a script can tell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrics import store
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, Language, LanguageOption, OutOption, show
from metrics.i18n import header, money, number, t, value_name
from metrics.periods import parse_month
from metrics.reconcile import FIELDS, differing, reconcile, what

SPEC_FIELDS = FIELDS[:10]  # the JSON and CSV rows of SPEC §5, then the tier and prices
MARKS = {"match": "✓", "mismatch": "✗", "missing": "✗", "unexpected": "✗"}


@app.command("reconcile")
def reconcile_command(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    vendor_invoice: Annotated[Path, typer.Option("--vendor-invoice", help="the vendor's invoice, .csv or .xlsx")],
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    language: LanguageOption = Language.en,
) -> None:
    """Compare a vendor's invoice with the computed one, usage tier by tier: match, mismatch,
    missing or unexpected per line. Exits 1 when any line differs."""
    when = parse_month(month)
    con = store.connect_reader(ctx.obj)
    try:
        rows = reconcile(con, when, vendor_invoice)
    finally:
        con.close()
    lang = language.value
    off = differing(rows)
    people = [
        {
            header("contract_id", lang): r["contract_id"],
            header("description", lang): what(r, lang),
            header("status", lang): f"{MARKS[r['status']]} {value_name('recon', r['status'], lang)}",
            header("computed_quantity", lang): number(r["computed_quantity"], None, lang),
            header("billed_quantity", lang): number(r["billed_quantity"], None, lang),
            header("computed_amount", lang): money(r["computed_amount"], None, lang),
            header("billed_amount", lang): money(r["billed_amount"], None, lang),
            header("difference", lang): money(r["difference"], None, lang),
        }
        for r in rows
    ]
    right = tuple(list(people[0])[3:]) if people else ()
    lines = sum(r["channel"] != "total" for r in rows)
    title = t("recon.title", lang, file=vendor_invoice.name, n=len(off), of=lines)
    show([{k: r[k] for k in SPEC_FIELDS} for r in rows], fmt, out, title, people, right)
    if off:
        raise typer.Exit(1)
