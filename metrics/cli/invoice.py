"""`vendorboard invoice --month M [--contract C]` and `vendorboard invoice finalize --month M --contract C`.

A finalized invoice is shown as stored, with its drift against a fresh computation: in the table
after the invoice, and on stderr for json and csv (so their stdout stays the SPEC §5 shape).
"""

from __future__ import annotations

import datetime as dt
import sys
from enum import Enum
from typing import Annotated

import typer

from metrics import store
from metrics.billing import Drift, Invoice, finalize, with_drift
from metrics.billing.lifecycle import require_contract
from metrics.billing.line import money
from metrics.cli import app
from metrics.cli.check import warn
from metrics.cli.output import OutOption, emit, to_csv, to_json, to_table
from metrics.domain import TOTALS
from metrics.errors import VendorboardError
from metrics.payments.status import InvoiceStatus, statuses
from metrics.periods import month_label, parse_month

invoice_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
app.add_typer(invoice_app, name="invoice")


class InvoiceFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    pdf = "pdf"
    xlsx = "xlsx"


MonthOption = Annotated[str | None, typer.Option("--month", help="the month, YYYY-MM")]
ContractOption = Annotated[str | None, typer.Option("--contract", help="one contract (default: all)")]


@invoice_app.callback()
def invoice_command(
    ctx: typer.Context,
    month: MonthOption = None,
    contract: ContractOption = None,
    fmt: Annotated[
        InvoiceFormat,
        typer.Option("--format", help="table, json, csv, or a document: pdf or xlsx (with --contract and --out)"),
    ] = InvoiceFormat.table,
    out: OutOption = None,
) -> None:
    """Invoices of a month (SPEC §4): drafts, or the stored invoice with its drift once finalized."""
    if ctx.invoked_subcommand:
        return
    if month is None:
        raise VendorboardError("--month is required (YYYY-MM)")
    when = parse_month(month)
    document = fmt in (InvoiceFormat.pdf, InvoiceFormat.xlsx)
    if document and (contract is None or out is None):
        raise VendorboardError(f"--format {fmt.value} writes one invoice document: give --contract and --out FILE")
    con = store.connect_reader(ctx.obj)
    try:
        if contract:
            require_contract(con, contract)
        found = with_drift(con, when, contract)
        paid = {s.contract_id: s for s in statuses(con, dt.date.today(), contract, when)}
        warn(con, when, contract, found)
        vendor = (
            con.execute(
                "SELECT v.name FROM contracts c JOIN vendors v USING (vendor_id) WHERE contract_id = ?", [contract]
            ).fetchall()
            if document
            else []
        )
    finally:
        con.close()
    if contract and not found:
        raise VendorboardError(f"contract {contract} is not active in {month_label(when)}: it has no invoice")
    if document:
        _document(found[0][0], vendor[0][0], fmt, out)
    elif fmt is InvoiceFormat.json:
        emit(to_json([{**inv.as_dict(), **payment_fields(paid.get(inv.contract_id))} for inv, _ in found]), out)
    elif fmt is InvoiceFormat.csv:
        emit(to_csv([row for inv, _ in found for row in inv.line_rows(with_totals=True)]), out)
    else:
        text = "".join(_table(inv, moved, paid.get(inv.contract_id)) for inv, moved in found)
        emit(text or f"no contract is active in {month_label(when)}\n", out)
    if fmt is not InvoiceFormat.table:
        for inv, moved in found:
            if moved:
                print(f"note: {_drift_summary(inv, moved)}", file=sys.stderr)


@invoice_app.command("finalize")
def finalize_command(
    ctx: typer.Context,
    month: Annotated[str, typer.Option("--month", help="the month, YYYY-MM")],
    contract: Annotated[str, typer.Option("--contract", help="the contract to finalize")],
    accept_data_issues: Annotated[
        str | None,
        typer.Option(
            "--accept-data-issues",
            metavar="REASON",
            help="finalize although the month's data has errors (vendorboard check); the reason is stored",
        ),
    ] = None,
) -> None:
    """Store the invoice as issued: later data will not change it (differences show as drift).
    Refused while the month's data has `error` findings, unless --accept-data-issues gives a reason."""
    inv = finalize(ctx.obj, parse_month(month), contract, accept_data_issues)
    print(
        f"finalized {inv.contract_id} {month_label(inv.month)}: total {money(inv.total)} {inv.currency}, "
        f"due {inv.due_date.isoformat()}"
    )
    for finding in inv.data_findings:
        print(
            f"warning: {contract} {month_label(inv.month)} [{finding['severity']}] {finding['message']}",
            file=sys.stderr,
        )
    if inv.accepted_data_issues:
        print(f"accepted data issues: {inv.accepted_data_issues}")


def _document(inv: Invoice, vendor_name: str, fmt: InvoiceFormat, out) -> None:
    from metrics.export import invoice_pdf, invoice_xlsx

    try:
        if fmt is InvoiceFormat.pdf:
            invoice_pdf(inv, out, vendor_name=vendor_name)
        else:
            invoice_xlsx(inv, out)
    except OSError as exc:
        raise VendorboardError(f"--out {out}: cannot write ({exc.strerror})") from None
    print(f"wrote {out}", file=sys.stderr)


def payment_fields(status: InvoiceStatus | None) -> dict:
    """What the invoice JSON says about payments as of today; null for a draft (no payment status)."""
    return {
        "paid": status and status.paid,
        "outstanding": status and status.outstanding,
        "payment_status": status and status.payment_status,
    }


def _table(inv: Invoice, moved: list[Drift], paid: InvoiceStatus | None) -> str:
    head = (
        f"{inv.contract_id} · {inv.vendor_id} · {month_label(inv.month)} · {inv.status}"
        f"{f' {inv.finalized_at:%Y-%m-%d %H:%M} UTC' if inv.finalized_at else ''} · payee {inv.payee} · "
        f"due {inv.due_date.isoformat()} · {inv.currency}"
        f"{f' · {paid.payment_status}, outstanding {money(paid.outstanding)}' if paid else ''}"
    )
    lines = [
        {
            "type": ln.type,
            "channel": ln.channel,
            "unit": ln.unit,
            "quantity": ln.quantity,
            "unit_price": ln.unit_price,
            "amount": money(ln.amount),
            "description": ln.description,
        }
        for ln in inv.lines
    ]
    totals = [{"": name, "amount": money(getattr(inv, name))} for name in TOTALS]
    text = to_table(lines, head) + to_table(totals)
    if inv.status == "finalized" and (inv.accepted_data_issues or inv.data_findings):
        accepted = f"; accepted because: {inv.accepted_data_issues}" if inv.accepted_data_issues else ""
        text += to_table(
            [{"severity": f["severity"], "finding": f["message"]} for f in inv.data_findings],
            f"data-quality findings when finalized{accepted}",
        )
    if moved:
        text += to_table(
            [{**d.as_dict(), "difference": money(d.difference)} for d in moved], f"drift: {_drift_summary(inv, moved)}"
        )
    return text + "\n"


def _drift_summary(inv: Invoice, moved: list[Drift]) -> str:
    change, lines = moved[-1].difference, len(moved) - 1
    return (
        f"{inv.contract_id} {month_label(inv.month)} is finalized; a fresh computation differs on {lines} "
        f"line{'s' * (lines != 1)} and by {'+' if change > 0 else ''}{money(change)} {inv.currency} on the "
        "total (settle with an adjustment in a later month)"
    )
