"""`vendorboard payments [--as-of DATE]`, `payments add` and `payments carry-damages`.

The listing is every finalized invoice with its payment status and aging bucket as of a date, then
the payments no finalized invoice takes (unapplied) and the aging per vendor. JSON gives all three
in one object; CSV gives the invoices (a note on stderr counts the unapplied payments).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from metrics import payments, store
from metrics.billing.line import money
from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, to_csv, to_json, to_table
from metrics.errors import VendorboardError
from metrics.payments.status import FIELDS, Receivables
from metrics.periods import month_label, parse_month

payments_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
app.add_typer(payments_app, name="payments")

AsOfOption = Annotated[str | None, typer.Option("--as-of", help="the date to look from, YYYY-MM-DD (default: today)")]
InvoiceContract = Annotated[str, typer.Option("--contract", help="the contract of the invoice")]
InvoiceMonth = Annotated[str, typer.Option("--month", help="the month of the invoice, YYYY-MM")]


def parse_date(text: str | None, argument: str = "--as-of") -> dt.date:
    """'2026-11-22' -> date; None -> today; anything else is an error naming the argument."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise VendorboardError(f"{argument} must be a date as YYYY-MM-DD (got '{text}')") from None


@payments_app.callback()
def payments_command(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    contract: Annotated[str | None, typer.Option("--contract", help="one contract (default: all)")] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Every issued invoice's payment status, outstanding amount, days overdue and aging bucket."""
    if ctx.invoked_subcommand:
        return
    when = parse_date(as_of)
    con = store.connect_reader(ctx.obj)
    try:
        if contract:
            from metrics.billing.lifecycle import require_contract

            require_contract(con, contract)
        found = payments.receivables(con, when, contract)
    finally:
        con.close()
    if fmt is Format.json:
        emit(to_json(found.as_dict()), out)
    elif fmt is Format.csv:
        emit(to_csv([s.as_dict() for s in found.invoices], FIELDS), out)
        if found.unapplied:
            print(f"note: {len(found.unapplied)} unapplied payment(s) (see --format json or table)", file=sys.stderr)
    else:
        emit(_table(found), out)


def _table(found: Receivables) -> str:
    if not found.invoices:
        text = f"no finalized invoice as of {found.as_of}\n"
    else:
        text = to_table(
            [
                {
                    "contract_id": s.contract_id,
                    "month": month_label(s.month),
                    "total": money(s.total),
                    "paid": money(s.paid),
                    "outstanding": money(s.outstanding),
                    "status": s.payment_status,
                    "due_date": s.due_date,
                    "days_overdue": s.days_overdue,
                    "aging": s.aging,
                    "damages": None if s.damages is None else money(s.damages),
                    "carried": money(s.damages_carried) if s.damages_carried else None,
                    "currency": s.currency,
                }
                for s in found.invoices
            ],
            f"issued invoices as of {found.as_of}",
        )
    if found.unapplied:
        text += to_table(
            [{**p, "amount": money(p["amount"])} for p in found.unapplied],
            "unapplied payments (no finalized invoice for their month)",
        )
    if found.aging:
        text += to_table(
            [{k: money(v) if k not in ("vendor_id", "currency") else v for k, v in r.items()} for r in found.aging],
            "aging per vendor",
        )
    return text


@payments_app.command("add")
def add_command(
    ctx: typer.Context,
    contract: InvoiceContract,
    month: InvoiceMonth,
    amount: Annotated[str, typer.Option("--amount", help="the amount received, in the invoice's currency")],
    paid_on: Annotated[str, typer.Option("--paid-on", help="the date paid, YYYY-MM-DD")],
    reference: Annotated[str, typer.Option("--reference", help="the voucher or bank transaction number")],
    currency: Annotated[str | None, typer.Option("--currency", help="must be the invoice's (default)")] = None,
    payer_account: Annotated[str | None, typer.Option("--payer-account", help="the account paid from")] = None,
) -> None:
    """Record one payment (recording the same reference again changes nothing)."""
    when, day = parse_month(month), parse_date(paid_on, "--paid-on")
    counts = payments.record(
        ctx.obj,
        contract_id=contract,
        month=month,
        paid_on=paid_on,
        amount=amount,
        reference=reference,
        currency=currency,
        payer_account=payer_account,
    )
    done = "recorded" if counts.loaded else "corrected" if counts.updated else "already recorded (unchanged)"
    con = store.connect_reader(ctx.obj)
    try:
        found = payments.statuses(con, max(dt.date.today(), day), contract, when)
    finally:
        con.close()
    print(f"payment {reference} of {contract} {month_label(when)}: {done}")
    if found:
        (s,) = found
        print(
            f"invoice {contract} {month_label(when)} is {s.payment_status}: {money(s.paid)} of {money(s.total)} "
            f"{s.currency} paid, outstanding {money(s.outstanding)}"
        )
    else:
        print(f"held as unapplied until the invoice of {contract} {month_label(when)} is finalized")


@payments_app.command("carry-damages")
def carry_command(
    ctx: typer.Context,
    contract: InvoiceContract,
    month: InvoiceMonth,
    into: Annotated[str, typer.Option("--into", help="the later month whose draft invoice takes them, YYYY-MM")],
    as_of: AsOfOption = None,
) -> None:
    """Add the late-payment damages accrued so far as an adjustment to a later invoice (never twice)."""
    carry = payments.carry_damages(
        ctx.obj, contract, parse_month(month), parse_date(as_of), parse_month(into, "--into")
    )
    print(
        f"carried {money(carry.amount)} {carry.currency} of late-payment damages on {contract} "
        f"{month_label(carry.month)} (through {carry.through}) into the {month_label(carry.into_month)} invoice"
    )
