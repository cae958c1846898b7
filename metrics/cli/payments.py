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
from metrics.cli import app
from metrics.cli.output import (
    Format,
    FormatOption,
    Language,
    LanguageOption,
    OutOption,
    emit,
    to_csv,
    to_json,
    to_table,
)
from metrics.errors import VendorboardError
from metrics.i18n import money, number, t, value_name
from metrics.payments import BUCKETS
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
    language: LanguageOption = Language.en,
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
        emit(_table(found, language.value), out)


MONEY = ("total", "paid", "outstanding", "amount", "damages", "damages_carried", "overdue", *BUCKETS)


def _table(found: Receivables, lang: str) -> str:
    """The three listings as people read them: money with its currency and separators, statuses and
    aging buckets in words, in `lang`."""
    when = found.as_of.isoformat()
    if not found.invoices:
        return t("payments.none_as_of", lang, date=when) + "\n"

    def cells(row: dict, currency: str) -> dict:
        shown = {}
        for k, v in row.items():
            if k in MONEY:
                shown[k] = money(v, currency, lang) if v is not None and (v or k != "damages_carried") else ""
            elif k == "payment_status":
                shown[k] = value_name("payment", v, lang)
            elif k == "aging":
                shown[k] = value_name("aging", v, lang)
            elif k == "days_overdue":
                shown[k] = number(v, 0, lang) if v else ""
            elif k == "month" and not isinstance(v, str):
                shown[k] = month_label(v)
            else:
                shown[k] = v
        return shown

    invoices = [
        cells(
            {
                k: getattr(s, k)
                for k in (
                    "contract_id",
                    "month",
                    "total",
                    "paid",
                    "outstanding",
                    "payment_status",
                    "due_date",
                    "days_overdue",
                    "aging",
                    "damages",
                    "damages_carried",
                )
            },
            s.currency,
        )
        for s in found.invoices
    ]
    text = to_table(invoices, t("payments.invoices_as_of", lang, date=when), (*MONEY, "days_overdue"), lang)
    if found.unapplied:
        rows = [cells({k: v for k, v in p.items() if k != "currency"}, p["currency"]) for p in found.unapplied]
        text += to_table(rows, t("payments.unapplied", lang), MONEY, lang)
    if found.aging:
        rows = [cells({k: v for k, v in r.items() if k != "currency"}, r["currency"]) for r in found.aging]
        buckets = {b: value_name("aging", b, lang) for b in BUCKETS}  # a bucket's column named in words
        rows = [{buckets.get(k, k): v for k, v in r.items()} for r in rows]
        text += to_table(rows, t("payments.aging", lang), (*MONEY, *buckets.values()), lang)
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
            f"invoice {contract} {month_label(when)} is {s.payment_status}: {money(s.paid, s.currency)} of "
            f"{money(s.total, s.currency)} paid, outstanding {money(s.outstanding, s.currency)}"
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
        f"carried {money(carry.amount, carry.currency)} of late-payment damages on {contract} "
        f"{month_label(carry.month)} (through {carry.through}) into the {month_label(carry.into_month)} invoice"
    )
