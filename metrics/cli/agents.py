"""`vendorboard agents --month YYYY-MM [--contract ID] [--below-target N]`: each agent's figures
against the contract's targets (docs/agents.md), or the agents who missed a target N months running."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrics import agents, store
from metrics.agents.measure import FIELDS
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, show, to_csv
from metrics.cli.sla import _plain
from metrics.i18n import exact_value, metric_value
from metrics.periods import parse_month


@app.command("agents")
def agents_command(
    ctx: typer.Context,
    month: Annotated[str, typer.Option(help="month as YYYY-MM")],
    contract: Annotated[str | None, typer.Option(help="one contract (default: all)")] = None,
    below_target: Annotated[
        int | None,
        typer.Option("--below-target", help="only agents who missed a target in each of the N months up to --month"),
    ] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """One row per agent and figure: value, the contract's target, verdict (met / missed / no_data)
    and the rows counted."""
    first = parse_month(month)
    con = store.connect_reader(Path(ctx.obj))
    try:
        if below_target is None:
            found, fields = agents.figures(con, first, contract), FIELDS
        else:
            found, fields = agents.below_target(con, first, below_target, contract), (*FIELDS, "missed_since")
    finally:
        con.close()
    rows = [_plain(r) for r in found.select(fields).iter_rows(named=True)]
    what = f"agents {month}" + (f" {contract}" if contract else "")
    if below_target is not None:
        what += f", below target {below_target} month(s) running"
    if not rows and fmt is Format.table:
        emit(f"{what}: none", out)
    elif fmt is Format.csv:
        emit(to_csv(rows, fields), out)
    else:
        show(rows, fmt, out, what, [_for_people(r) for r in rows])


def _for_people(r: dict) -> dict:
    """The figure in its unit ('286.833 s', '97.40%'), the verdict in words, the name beside the id."""
    return {
        "contract": r["contract_id"],
        "agent": r["agent_id"] + (f" {r['name']}" if r["name"] else ""),
        "channel": r["channel"],
        "metric": r["metric"],
        "value": exact_value(r["metric"], r["value"], "en"),
        "target": "" if r["target"] is None else metric_value(r["metric"], r["target"], "en"),
        "verdict": (r["verdict"] or "").replace("_", " "),
        "count": r["count"],
        **({"since": r["missed_since"]} if "missed_since" in r else {}),
    }
