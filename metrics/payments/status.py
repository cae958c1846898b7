"""What each issued invoice has been paid as of a date: paid, outstanding, status, days overdue,
aging bucket and the late-payment damages accrued (docs/payments.md).

A payment applies to the finalized invoice of its contract and month. The status is computed from
the stored payments on every call, never stored, so a payment recorded before its invoice is
finalized is listed as unapplied until then and applies the moment it is finalized. Drafts have no
payment status. Only payments made on or before the as-of date count.

Damages: every day after the due date up to the as-of date accrues late_payment_rate × the amount
outstanding at the start of that day (a payment made on a day counts from the next day, so a
payment on the due date owes nothing and one made 17 days late owes 17 days). SQL sums the exact
amount-days per invoice; the rate is applied and the result rounded half-up to the cent once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

import duckdb

from metrics.access import EVERY_VENDOR, Scope
from metrics.billing.line import cents, trimmed
from metrics.periods import month_label

STATUSES = ("unpaid", "partly paid", "paid", "overpaid")
BUCKETS = ("not_due", "1-30", "31-60", "61-90", "over_90")  # days overdue; "over_90" is 91 and more
ZERO = Decimal("0.00")

_STATUS_SQL = """
WITH inv AS (  -- the issued invoices asked for, of the scope's vendors
    SELECT i.contract_id, i.vendor_id, i.month, i.currency, i.total, i.due_date,
           greatest(i.total, 0) AS due, c.late_payment_rate
    FROM invoices i LEFT JOIN contracts c USING (contract_id)
    WHERE ($contract IS NULL OR i.contract_id = $contract) AND ($month IS NULL OR i.month = $month)
      AND {vendors}),
days AS (  -- each day's payments of an issued invoice, up to the as-of date
    SELECT p.contract_id, p.month, p.paid_on, sum(p.amount) AS amount
    FROM payments p JOIN inv USING (contract_id, month)
    WHERE p.paid_on <= $as_of GROUP BY ALL),
steps AS (  -- paid by the end of each payment day, and the next payment day
    SELECT *, sum(amount) OVER w AS paid_by, lead(paid_on) OVER w AS next_on
    FROM days WINDOW w AS (PARTITION BY contract_id, month ORDER BY paid_on)),
paid AS (  -- what is left after each payment day accrues from the next day up to the next payment
    SELECT s.contract_id, s.month, max(s.paid_by) AS paid, min(s.paid_on) AS first_on, max(s.paid_on) AS last_on,
           sum(greatest(i.due - s.paid_by, 0)
               * greatest(date_diff('day', greatest(s.paid_on, i.due_date), coalesce(s.next_on, $as_of)), 0))
               AS late_after
    FROM steps s JOIN inv i USING (contract_id, month) GROUP BY ALL),
carried AS (
    SELECT contract_id, month, sum(amount) AS carried FROM damage_carries GROUP BY ALL)
SELECT i.contract_id, i.vendor_id, i.month, i.currency, i.total, i.due_date, i.due,
       coalesce(p.paid, 0) AS paid, p.last_on, i.late_payment_rate, coalesce(c.carried, 0) AS carried,
       i.due * greatest(date_diff('day', i.due_date, coalesce(p.first_on, $as_of)), 0) + coalesce(p.late_after, 0)
           AS amount_days
FROM inv i LEFT JOIN paid p USING (contract_id, month) LEFT JOIN carried c USING (contract_id, month)
ORDER BY i.month, i.contract_id
"""


@dataclass(frozen=True)
class InvoiceStatus:
    """One finalized invoice as of a date. `outstanding` is what is still to pay (negative when
    overpaid); a credit note or a zero invoice asks for nothing and is `paid` until paid against.
    `damages` is None when the contract sets no late_payment_rate."""

    contract_id: str
    vendor_id: str
    month: dt.date
    currency: str
    total: Decimal
    due_date: dt.date
    paid: Decimal
    outstanding: Decimal
    payment_status: str
    days_overdue: int
    aging: str | None  # one of BUCKETS; None when nothing is outstanding
    last_paid_on: dt.date | None
    late_payment_rate: Decimal | None
    damages: Decimal | None
    damages_carried: Decimal

    @property
    def damages_to_carry(self) -> Decimal:
        """Accrued damages not yet carried into a later invoice."""
        return max((self.damages or ZERO) - self.damages_carried, ZERO)

    def as_dict(self) -> dict:
        return {**asdict(self), "month": month_label(self.month)}


FIELDS = tuple(InvoiceStatus.__dataclass_fields__)


def payment_status(due: Decimal, paid: Decimal) -> str:
    if paid > due:
        return "overpaid"
    if paid == due:
        return "paid"
    return "partly paid" if paid else "unpaid"


def bucket(days_overdue: int) -> str:
    """The aging bucket of an open invoice: not due, 1-30, 31-60, 61-90 or over 90 days overdue."""
    if days_overdue <= 0:
        return "not_due"
    return next((b for b, top in zip(BUCKETS[1:], (30, 60, 90)) if days_overdue <= top), "over_90")


def statuses(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    contract_id: str | None = None,
    month: dt.date | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> list[InvoiceStatus]:
    """Every finalized invoice of the scope (or those of one contract and/or month) as of `as_of`,
    by month and contract."""
    rows = con.execute(
        _STATUS_SQL.format(vendors=scope.vendor_filter("i.vendor_id")),
        {"as_of": as_of, "contract": contract_id, "month": month},
    ).fetchall()
    found = []
    for contract, vendor, when, currency, total, due_date, due, paid, last_on, rate, carried, amount_days in rows:
        outstanding = due - paid
        overdue = max((as_of - due_date).days, 0) if outstanding > 0 else 0
        found.append(
            InvoiceStatus(
                contract_id=contract,
                vendor_id=vendor,
                month=when,
                currency=currency,
                total=total,
                due_date=due_date,
                paid=cents(paid),
                outstanding=cents(outstanding),
                payment_status=payment_status(due, paid),
                days_overdue=overdue,
                aging=bucket(overdue) if outstanding > 0 else None,
                last_paid_on=last_on,
                late_payment_rate=trimmed(rate),
                damages=None if rate is None else cents(rate * amount_days),
                damages_carried=cents(carried),
            )
        )
    return found


def unapplied(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> list[dict]:
    """Payments made by `as_of` for a month whose invoice is not finalized (yet), by date."""
    return [
        dict(zip(PAYMENT_FIELDS, row))
        for row in con.execute(
            f"""SELECT {_PAYMENT_COLUMNS} FROM payments p JOIN contracts c USING (contract_id)
                WHERE p.paid_on <= $as_of AND ($contract IS NULL OR p.contract_id = $contract)
                  AND {scope.vendor_filter("c.vendor_id")}
                  AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.contract_id = p.contract_id AND i.month = p.month)
                ORDER BY p.paid_on, p.contract_id, p.reference""",
            {"as_of": as_of, "contract": contract_id},
        ).fetchall()
    ]


PAYMENT_FIELDS = ("contract_id", "vendor_id", "month", "paid_on", "amount", "currency", "reference", "payer_account")
_PAYMENT_COLUMNS = (
    "p.contract_id, c.vendor_id, strftime(p.month, '%Y-%m'), p.paid_on, p.amount, "
    "coalesce(p.currency, c.currency), p.reference, p.payer_account"
)


def payments_of(
    con: duckdb.DuckDBPyConnection, contract_id: str, month: dt.date, *, scope: Scope = EVERY_VENDOR
) -> list[dict]:
    """Every payment recorded against the contract's invoice of `month`, by date."""
    return [
        dict(zip(PAYMENT_FIELDS, row))
        for row in con.execute(
            f"""SELECT {_PAYMENT_COLUMNS} FROM payments p JOIN contracts c USING (contract_id)
                WHERE p.contract_id = ? AND p.month = ? AND {scope.vendor_filter("c.vendor_id")}
                ORDER BY p.paid_on, p.reference""",
            [contract_id, month],
        ).fetchall()
    ]


AGING_FIELDS = ("vendor_id", "currency", *BUCKETS, "outstanding", "overdue")


def aging(found: list[InvoiceStatus]) -> list[dict]:
    """Per vendor and currency: the open amounts by aging bucket, their sum (`outstanding`) and the
    part past its due date (`overdue`). Overpayments are not netted against other invoices."""
    table: dict[tuple[str, str], dict] = {}
    for s in found:
        if s.aging is None:
            continue
        row = table.setdefault(
            (s.vendor_id, s.currency),
            {
                "vendor_id": s.vendor_id,
                "currency": s.currency,
                **dict.fromkeys((*BUCKETS, "outstanding", "overdue"), ZERO),
            },
        )
        row[s.aging] += s.outstanding
        row["outstanding"] += s.outstanding
        row["overdue"] += s.outstanding if s.days_overdue else ZERO
    return [table[k] for k in sorted(table)]


@dataclass(frozen=True)
class Receivables:
    """Everything the payments views show for one as-of date: the CLI, the pages and the report."""

    as_of: dt.date
    invoices: list[InvoiceStatus]
    unapplied: list[dict]
    aging: list[dict]

    def as_dict(self) -> dict:
        return {
            "as_of": self.as_of,
            "invoices": [s.as_dict() for s in self.invoices],
            "unapplied": self.unapplied,
            "aging": self.aging,
        }


def receivables(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> Receivables:
    found = statuses(con, as_of, contract_id, scope=scope)
    return Receivables(as_of, found, unapplied(con, as_of, contract_id, scope=scope), aging(found))
