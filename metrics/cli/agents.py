"""`vendorboard agents --month YYYY-MM [--contract ID] [--below-target N]`: each agent's figures
against the contract's targets (docs/agents.md), or the agents who missed a target N months running."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from metrics import agents, render, store
from metrics.agents.measure import FIELDS
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, Language, LanguageOption, OutOption, emit, show, to_csv
from metrics.cli.sla import _plain
from metrics.i18n import exact_value, header, metric_value, t, target_label
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
    language: LanguageOption = Language.en,
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
    lang = language.value
    what = t("cli.agents", lang, month=month) + (f" {contract}" if contract else "")
    if below_target is not None:
        what += t("cli.agents_below", lang, n=below_target)
    if not rows and fmt is Format.table:
        emit(t("cli.none", lang, what=what), out)
    elif fmt is Format.csv:
        emit(to_csv(rows, fields), out)
    else:
        right = tuple(header(k, lang) for k in ("value", "target", "count"))
        show(rows, fmt, out, what, [_for_people(r, lang) for r in rows], right)


VERDICTS = {"met": True, "missed": False, "no_data": None}


def _for_people(r: dict, lang: str) -> dict:
    """The figure in words, its value in its unit ('286.833 s', '97.40%'), ✓/✗/– verdicts, the name
    beside the id, under headers in `lang`."""
    cells = {
        "contract_id": r["contract_id"],
        "agent_id": r["agent_id"] + (f" {r['name']}" if r["name"] else ""),
        "figure": target_label(r["channel"], r["metric"], r["threshold_seconds"], lang),
        "value": exact_value(r["metric"], r["value"], lang),
        "target": "" if r["target"] is None else metric_value(r["metric"], r["target"], lang),
        "verdict": "" if r["verdict"] is None else render.verdict(VERDICTS[r["verdict"]], lang),
        "count": r["count"],
        **({"missed_since": r["missed_since"]} if "missed_since" in r else {}),
    }
    return {header(k, lang): v for k, v in cells.items()}
