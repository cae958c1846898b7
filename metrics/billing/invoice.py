"""Assembling an invoice (SPEC §4): its lines in order, the totals, tax, due date and payee.

Order of lines: usage (by channel, unit, tier), fixed, minimum, credits, credit cap, adjustments.
Totals are sums of lines that are already whole cents, so they are exact:
subtotal = usage + fixed + minimum; credits = credit + credit_cap lines; net = subtotal + credits
+ adjustments; tax = net × tax_rate rounded half-up once; total = net + tax.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.billing.adjustment import adjustment_lines
from metrics.billing.credit import Miss, credit_lines, missed_targets
from metrics.billing.fixed import fixed_line
from metrics.billing.graduated import graduated_lines
from metrics.billing.line import FIELDS, Line, cents, total
from metrics.billing.minimum import minimum_line
from metrics.billing.quantities import usage_quantities
from metrics.billing.rates import ladders
from metrics.billing.terms import Terms, active_terms
from metrics.billing.volume import volume_lines
from metrics.domain import CREDIT_LINES, SUBTOTAL_LINES, TOTALS, USAGE
from metrics.periods import month_label, next_month
from metrics.render import describe

# The types of a line's fields (line.FIELDS) in a table of lines, which has every column even
# without a line (no fee and no data: an empty table).
LINE_SCHEMA = {
    "type": pl.String,
    "channel": pl.String,
    "unit": pl.String,
    "tier_from": pl.Decimal(18, 3),
    "tier_to": pl.Decimal(18, 3),
    "quantity": pl.Decimal(18, 4),
    "unit_price": pl.Decimal(18, 6),
    "amount": pl.Decimal(18, 2),
    "description": pl.String,
}

HEAD = ("contract_id", "vendor_id", "month", "currency", "payee", "status", "due_date")  # of every line row


@dataclass(frozen=True)
class Invoice:
    contract_id: str
    vendor_id: str
    month: dt.date
    currency: str
    payee: str
    status: str  # draft | finalized
    due_date: dt.date
    lines: tuple[Line, ...]
    subtotal: Decimal
    credits: Decimal
    adjustments: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal
    finalized_at: dt.datetime | None = field(default=None, compare=False)
    # finalized: the reason finance gave for finalizing over `error` findings (None when there were
    # none) and the month's data-quality findings then, as `vendorboard check --format json` objects
    accepted_data_issues: str | None = field(default=None, compare=False)
    data_findings: tuple[dict, ...] = field(default=(), compare=False)
    tax_rate: Decimal | None = field(default=None, compare=False)  # None: a stored invoice of before 009
    payee_bank: str | None = field(default=None, compare=False)  # the bank line on the document, if given

    @property
    def number(self) -> str:
        """The invoice number: the contract and the month (`C-TEL-202610`). One invoice per contract
        and month (SPEC §4), so it is unique and the same on every rerun, draft or finalized."""
        return f"{self.contract_id}-{self.month:%Y%m}"

    @property
    def issued_on(self) -> dt.date | None:
        """The issue date: the day it was finalized (UTC); None for a draft, which is not issued."""
        return self.finalized_at.date() if self.finalized_at else None

    def as_dict(self) -> dict:
        """The SPEC §5 JSON object (Decimals stay Decimal; `to_json` writes them as strings); a
        finalized invoice adds `data_issues`, what it was finalized over."""
        found = {
            "contract_id": self.contract_id,
            "vendor_id": self.vendor_id,
            "month": month_label(self.month),
            "currency": self.currency,
            "payee": self.payee,
            "status": self.status,
            "due_date": self.due_date.isoformat(),
            "lines": [line.as_dict() for line in self.lines],
            **{name: getattr(self, name) for name in TOTALS},
        }
        if self.status == "finalized":
            found["data_issues"] = {"accepted": self.accepted_data_issues, "findings": list(self.data_findings)}
        return found

    def line_rows(self, with_totals: bool = False) -> list[dict]:
        """The invoice as flat rows for CSV: one per line, each with the invoice's HEAD fields; with
        `with_totals`, then one per total (`type` the total's name, `amount` its value)."""
        head = {k: v for k, v in self.as_dict().items() if k in HEAD}
        rows = [{**head, **line.as_dict()} for line in self.lines]
        if with_totals:
            rows += [{**head, **dict.fromkeys(FIELDS), "type": name, "amount": getattr(self, name)} for name in TOTALS]
        return rows


def due_date(month: dt.date, payment_due_day: int) -> dt.date:
    """payment_due_day of the month after `month`, or that month's last day if it is shorter."""
    following = next_month(month)
    last = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(payment_due_day, last))


def priced(terms: Terms, lines: list[Line]) -> Invoice:
    """The draft invoice of `lines` with its totals; each line gets its English words here, once
    (the renderer's, so the JSON and CSV say what the English page and documents say)."""
    lines = [replace(line, description=describe(line, terms.currency, "en")) for line in lines]
    subtotal = total(lines, *SUBTOTAL_LINES)
    credits = total(lines, *CREDIT_LINES)
    adjustments = total(lines, "adjustment")
    net = subtotal + credits + adjustments
    tax = cents(net * terms.tax_rate)
    return Invoice(
        contract_id=terms.contract_id,
        vendor_id=terms.vendor_id,
        month=terms.month,
        currency=terms.currency,
        payee=terms.payee,
        status="draft",
        due_date=due_date(terms.month, terms.payment_due_day),
        lines=tuple(lines),
        subtotal=subtotal,
        credits=credits,
        adjustments=adjustments,
        net=net,
        tax=tax,
        total=net + tax,
        tax_rate=terms.tax_rate,
        payee_bank=terms.payee_bank,
    )


def assemble(terms: Terms, usage: list[Line], misses: list[Miss], adjustments: list[Line]) -> Invoice:
    """Usage lines plus the lines that depend on them: fixed, minimum, credits, adjustments."""
    lines = list(usage)
    fixed = fixed_line(terms)
    lines += [fixed] if fixed else []
    minimum = minimum_line(terms, total(lines, USAGE, "fixed"))
    lines += [minimum] if minimum else []
    lines += credit_lines(terms, misses, lines)
    return priced(terms, lines + adjustments)


def compute(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None = None,
    verdicts: pl.DataFrame | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> list[Invoice]:
    """Fresh draft invoices for `month`: one per contract of the scope active in it (or the one
    contract); none for a scope that sees no drafts.

    `verdicts`: the month's `sla.verdicts` (of every contract, or of this one) when the caller
    has them already, as a page showing both does; the credits then need no SLA pass of their own."""
    if not scope.drafts:
        return []  # a vendor sees an invoice once issued (access.Scope)
    all_terms = active_terms(con, month, contract_id, scope=scope)
    ids = [t.contract_id for t in all_terms]
    if not ids:
        return []
    in_force = ladders(con, month, ids)
    quantities = usage_quantities(con, month, in_force)
    usage: dict[str, list[Line]] = {}
    for ladder in in_force:
        base = quantities.get((ladder.contract_id, ladder.channel, ladder.unit), Decimal(0))
        price = graduated_lines if ladder.mode == "graduated" else volume_lines
        usage.setdefault(ladder.contract_id, []).extend(price(ladder, base))
    misses = missed_targets(con, month, contract_id, verdicts, scope=scope)
    adjustments = adjustment_lines(con, month, ids)
    return [
        assemble(t, usage.get(t.contract_id, []), misses.get(t.contract_id, []), adjustments.get(t.contract_id, []))
        for t in all_terms
    ]
