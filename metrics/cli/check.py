"""`vendorboard check --month M [--contract C]`: the month's data-quality findings with their severity
(docs/quality.md); and the warning lines `sla`, `invoice` and `report` print on stderr."""

from __future__ import annotations

import datetime as dt
import sys

import duckdb
import typer

from metrics import store
from metrics.cli import app
from metrics.cli.output import ContractFilter, Format, FormatOption, MonthArgument, OutOption, emit, show
from metrics.periods import month_label, parse_month
from metrics.quality import Finding, errors, findings


@app.command("check")
def check_command(
    ctx: typer.Context,
    month: MonthArgument,
    contract: ContractFilter = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Data-quality findings of the month: `error` blocks finalizing, `warning` does not. Exits 1
    when there is an error."""
    when = parse_month(month)
    con = store.connect_reader(ctx.obj)
    try:
        found = findings(con, when, contract)
    finally:
        con.close()
    if fmt is Format.table and not found:
        emit(f"no findings: the data of {month_label(when)} passed every check", out)
    else:
        people = [
            {"severity": f.severity, "contract": f.contract_id, "check": f.check, "finding": f.message()} for f in found
        ]
        show([f.as_dict() for f in found], fmt, out, f"data quality {month_label(when)}", people)
    if errors(found):
        raise typer.Exit(1)


def warn(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None, invoices: list | None = None
) -> list[Finding]:
    """Print the month's findings on stderr, one line each, as `sla`, `invoice` and `report` do
    beside their figures (their exit code stays as it was); returns them. `invoices`: the month's
    billing.with_drift when the caller has it."""
    found = findings(con, month, contract_id, invoices=invoices)
    label = month_label(month)
    for f in found:
        print(f"warning: {f.contract_id or '-'} {label} [{f.severity}] {f.message()}", file=sys.stderr)
    if found:
        print(
            f"warning: the data of {label} is doubtful: `vendorboard check --month {label}` lists {len(found)} "
            f"finding(s), {len(errors(found))} of them error(s) that block finalizing",
            file=sys.stderr,
        )
    return found
