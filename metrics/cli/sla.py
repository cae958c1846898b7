"""`vendorboard sla --month YYYY-MM [--contract ID]`: every SLA target in force with its verdict."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import typer

from metrics import store
from metrics.cli import app
from metrics.cli.check import warn
from metrics.cli.output import ContractFilter, Format, FormatOption, MonthArgument, OutOption, emit, show
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
    show(rows, fmt, out, f"SLA {month}", [_for_people(r) for r in rows])


def _for_people(r: dict) -> dict:
    """Narrow enough to read: the month is in the title, the value rounded, the threshold with its
    clock when that is the business clock, numerator/denominator as one fraction."""
    limit = " ".join(
        str(x) for x in (r["threshold_seconds"], r["clock"] if r["clock"] == "business" else None) if x is not None
    )
    return {
        "contract": r["contract_id"],
        "channel": r["channel"],
        "metric": r["metric"],
        "value": None if r["value"] is None else round(r["value"], 4),
        "target": r["target"],
        "threshold": limit,
        "met": {True: "met", False: "missed", None: "no data"}[r["met"]],
        "of": f"{r['numerator']}/{r['denominator']}",
        "credit": r["credit_rate"],
    }


def _plain(row: dict) -> dict:
    """Decimals without the engine's trailing zeros ('0.95', '20', '1234'), as people write them."""
    return {k: _trim(v) if isinstance(v, Decimal) else v for k, v in row.items()}


def _trim(d: Decimal) -> Decimal:
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()
