"""`vendorboard quarantine [--month M] [--vendor V] [--reason R] [--table T]` lists (or, with
`--format csv|json --out FILE`, exports) the rejected rows; `vendorboard quarantine retry` loads
those that pass against today's reference data (exit codes as `ingest`)."""

from __future__ import annotations

from typing import Annotated

import typer

from metrics import data_health, render, store
from metrics.cli import app
from metrics.cli.ingest import EarliestOption, FutureOption, finish, plausible, with_progress
from metrics.cli.output import Format, FormatOption, Language, LanguageOption, OutOption, show
from metrics.errors import VendorboardError
from metrics.i18n import header, t, value_name
from metrics.ingest import INTERACTIONS
from metrics.loading import retry
from metrics.periods import parse_month

quarantine_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
app.add_typer(quarantine_app, name="quarantine")
SHOWN_RAW = 80  # characters of the raw row in the table for people (json and csv carry it whole)


@quarantine_app.callback()
def quarantine_command(
    ctx: typer.Context,
    month: Annotated[str | None, typer.Option("--month", help="rows whose start is in this month, YYYY-MM")] = None,
    vendor: Annotated[str | None, typer.Option("--vendor", help="rows of this vendor_id")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="rows rejected for this reason code")] = None,
    table: Annotated[str | None, typer.Option("--table", help=f"rows of one table: {', '.join(INTERACTIONS)}")] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    language: LanguageOption = Language.en,
) -> None:
    """Rejected rows with file, line, reason and raw text; `quarantine retry` loads those that now pass."""
    if ctx.invoked_subcommand:
        return
    if table is not None and table not in INTERACTIONS:
        raise VendorboardError(f"--table must be one of {', '.join(INTERACTIONS)} (got '{table}')")
    when = parse_month(month) if month else None
    con = store.connect_reader(ctx.obj)
    try:
        rows = data_health.quarantine_rows(con, table, reason, None, 0, data_health.Rejected(when), vendor).to_dicts()
    finally:
        con.close()
    lang = language.value
    exported = [{**r, "detail": render.said(r["detail"], "en")} for r in rows]  # the facts in (English) words
    short = [
        {
            header(k, lang): v
            for k, v in {
                **r,
                "table_name": value_name("table", r["table_name"], lang),
                "reason": value_name("reason", r["reason"], lang),
                "detail": render.said(r["detail"], lang),
                "raw": r["raw"] if len(r["raw"]) <= SHOWN_RAW else r["raw"][: SHOWN_RAW - 1] + "…",
            }.items()
        }
        for r in rows
    ]
    show(exported, fmt, out, t("cli.quarantine", lang, n=f"{len(rows):,}"), for_people=short)


@quarantine_app.command("retry")
def retry_command(
    ctx: typer.Context,
    earliest: EarliestOption = "2000-01-01",
    future_days: FutureOption = 1.0,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    language: LanguageOption = Language.en,
) -> None:
    """Validate quarantined rows again against the vendors and contracts stored now and load those
    that pass, in one atomic write. Exit code 0: none left; 3: some still rejected; 2: an error."""
    window = plausible(earliest, future_days)
    finish(with_progress(lambda progress: retry(ctx.obj, progress, plausible=window)), fmt, out, language.value)
