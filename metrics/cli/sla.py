"""`vendorboard sla --month YYYY-MM [--contract ID]`: every SLA target in force with its verdict."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import typer

from metrics import render, store
from metrics.cli import app
from metrics.cli.check import warn
from metrics.cli.output import (
    ContractFilter,
    Format,
    FormatOption,
    Language,
    LanguageOption,
    MonthArgument,
    OutOption,
    emit,
    show,
)
from metrics.i18n import header, metric_value, percent
from metrics.periods import month_label, parse_month
from metrics.sla import verdicts

FIELDS = (
    "contract_id",
    "vendor_id",
    "month",
    "channel",
    "metric",
    "value",
    "target",
    "threshold_seconds",
    "clock",
    "met",
    "numerator",
    "denominator",
    "credit_rate",
)  # SPEC §5, in this order


@app.command("sla")
def sla_command(
    ctx: typer.Context,
    month: MonthArgument,
    contract: ContractFilter = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
    language: LanguageOption = Language.en,
) -> None:
    """The SLA metrics of every target in force in the month, with value, target and verdict."""
    first = parse_month(month)
    con = store.connect_reader(Path(ctx.obj))
    try:
        rows = [_plain(r) for r in verdicts(con, first, contract).select(FIELDS).iter_rows(named=True)]
        found = warn(con, first, contract)
    finally:
        con.close()
    empty = {f.contract_id for f in found if f.check == "no_data"}
    if fmt is Format.table and rows and empty >= {r["contract_id"] for r in rows}:
        emit(f"no data for {month_label(first)}: no interaction or agent session of that month has been loaded", out)
        return
    lang = language.value
    right = tuple(header(k, lang) for k in ("value", "target", "numerator", "denominator", "credit_rate"))
    show(rows, fmt, out, f"SLA {month}", [_for_people(r, lang) for r in rows], right)


PEOPLE = ("contract_id", "sla_target", "value", "target", "verdict", "numerator", "denominator", "credit_rate")


def _for_people(r: dict, lang: str) -> dict:
    """As a manager reads it (metrics/render.py): the target in words with its threshold (and the
    business clock when it is one), value and target as percentages or durations, ✓/✗/– verdicts,
    numerator and denominator with their units."""
    cells = (
        r["contract_id"],
        render.target_name(r["channel"], r["metric"], r["threshold_seconds"], r["clock"], lang),
        metric_value(r["metric"], r["value"], lang, 2),
        render.target(r["metric"], r["target"], lang),
        render.verdict(r["met"], lang),
        render.quantity(r["metric"], r["channel"], "numerator", r["numerator"], lang),
        render.quantity(r["metric"], r["channel"], "denominator", r["denominator"], lang),
        percent(r["credit_rate"], 1, lang) if r["credit_rate"] else "",
    )
    return dict(zip((header(k, lang) for k in PEOPLE), cells))


def _plain(row: dict) -> dict:
    """Decimals without the engine's trailing zeros ('0.95', '20', '1234'), as people write them."""
    return {k: _trim(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def _trim(d: Decimal) -> Decimal:
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
