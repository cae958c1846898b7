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
from metrics.cli import app
from metrics.cli.check import warn
from metrics.cli.output import Language, LanguageOption, OutOption, emit, to_csv, to_json, to_table
from metrics.errors import VendorboardError
from metrics.export.invoice import invoice_text
from metrics.i18n import header, money, number, t, value_name
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
    language: LanguageOption = Language.en,
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
        checked = warn(con, when, contract, found)
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
    lang = language.value
    if document:
        _document(found[0], vendor[0][0], fmt, out, lang, [f for f in checked if f.contract_id == contract])
    elif fmt is InvoiceFormat.json:
        emit(to_json([{**inv.as_dict(), **payment_fields(paid.get(inv.contract_id))} for inv, _ in found]), out)
    elif fmt is InvoiceFormat.csv:
        emit(to_csv([row for inv, _ in found for row in inv.line_rows(with_totals=True)]), out)
    else:
        text = "".join(_table(inv, moved, paid.get(inv.contract_id), lang) for inv, moved in found)
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
        f"finalized {inv.contract_id} {month_label(inv.month)}: total {money(inv.total, inv.currency)}, "
        f"due {inv.due_date.isoformat()}"
    )
    for finding in inv.data_findings:
        print(
            f"warning: {contract} {month_label(inv.month)} [{finding['severity']}] {finding['message']}",
            file=sys.stderr,
        )
    if inv.accepted_data_issues:
        print(f"accepted data issues: {inv.accepted_data_issues}")


def _document(
    found: tuple[Invoice, list[Drift]], vendor_name: str, fmt: InvoiceFormat, out, lang: str, findings
) -> None:
    from metrics.export import invoice_pdf, invoice_xlsx

    inv, moved = found
    try:
        make = invoice_pdf if fmt is InvoiceFormat.pdf else invoice_xlsx
        make(inv, out, lang, vendor_name, moved, findings)
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


def _table(inv: Invoice, moved: list[Drift], paid: InvoiceStatus | None, lang: str) -> str:
    """The invoice as a person reads it: the document's head, its lines in words (metrics/render.py),
    the totals with the tax rate, what it was finalized over, and its drift."""
    doc = invoice_text(inv, "", lang, moved)
    head = " · ".join(f"{label}: {value}" for label, value in doc.head if value)
    if inv.finalized_at:
        head += f" · {inv.finalized_at:%H:%M} UTC"
    if paid:
        head += f" · {value_name('payment', paid.payment_status, lang)}, {header('outstanding', lang)} "
        head += money(paid.outstanding, inv.currency, lang)
    columns = doc.line_columns
    lines = [
        dict(
            zip(
                columns,
                (
                    text,
                    "" if qty is None else number(qty, None, lang),
                    unit,
                    "" if price is None else number(price, max(2, -price.normalize().as_tuple().exponent), lang),
                    money(amount, None, lang),
                ),
            )
        )
        for text, qty, unit, price, amount in doc.lines
    ]
    totals = [{"": label, columns[-1]: money(amount, None, lang)} for label, amount in doc.totals]
    text = to_table(lines, head, right=(columns[1], columns[3], columns[4])) + to_table(totals, right=(columns[-1],))
    if doc.notes:
        text += to_table([{t("report.data_issues", lang): note} for note in doc.notes])
    if doc.drift:
        text += to_table(
            [
                dict(zip(doc.drift_columns, (what, *(money(a, None, lang) for a in amounts))))
                for what, *amounts in doc.drift
            ],
            f"{t('invoices.drift', lang)}: {_drift_summary(inv, moved)}",
            right=tuple(doc.drift_columns[1:]),
        )
    return text + "\n"


def _drift_summary(inv: Invoice, moved: list[Drift]) -> str:
    change, lines = moved[-1].difference, len(moved) - 1
    return (
        f"{inv.contract_id} {month_label(inv.month)} is finalized; a fresh computation differs on {lines} "
        f"line{'s' * (lines != 1)} and by {'+' if change > 0 else ''}{money(change, inv.currency)} on the "
        "total (settle with an adjustment in a later month)"
    )
