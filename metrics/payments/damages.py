"""Carrying accrued late-payment damages into a later invoice as an adjustment, once.

The carry is recorded in `damage_carries` with the date the damages were accrued through. A later
carry of the same invoice takes only what accrued since (its accrued total, rounded once, less
what was carried), so the same damages are never billed twice; one through the same or an earlier
date is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from metrics import audit, store
from metrics.access import Permission, Principal, acting
from metrics.billing.terms import active_terms
from metrics.errors import VendorboardError
from metrics.payments.status import statuses
from metrics.periods import month_label


@dataclass(frozen=True)
class Carry:
    contract_id: str
    month: dt.date
    through: dt.date
    amount: Decimal
    currency: str
    into_month: dt.date
    description: str


def carry_damages(
    db: Path, contract_id: str, month: dt.date, as_of: dt.date, into: dt.date, *, by: Principal | None = None
) -> Carry:
    """Add the damages accrued on the invoice of (`contract_id`, `month`) through `as_of` and not
    carried yet as an adjustment line of the same contract's draft invoice of `into`, in the audit
    trail as `by`'s (a role that may not adjust is refused)."""
    actor = acting(by).require(Permission.ADJUST)
    label = f"{contract_id} {month_label(month)}"
    with store.writer(db) as con:
        found = statuses(con, as_of, contract_id, month)
        if not found:
            raise VendorboardError(f"invoice {label} is not finalized: a draft has no payment status or damages")
        (status,) = found
        if status.late_payment_rate is None:
            raise VendorboardError(
                f"contract {contract_id} sets no late_payment_rate: invoice {label} accrues no damages"
            )
        (last,) = con.execute(
            "SELECT max(through) FROM damage_carries WHERE contract_id = ? AND month = ?", [contract_id, month]
        ).fetchone()
        if last is not None and as_of <= last:
            raise VendorboardError(
                f"the late-payment damages of invoice {label} were carried through {last} already; "
                "they are never carried twice (a later --as-of carries what accrued since)"
            )
        amount = status.damages_to_carry
        if not amount:
            raise VendorboardError(f"invoice {label} has no late-payment damages to carry as of {as_of}")
        if into <= month:
            raise VendorboardError(f"--into {month_label(into)}: damages go into a later invoice than {label}")
        if not active_terms(con, into, contract_id):
            raise VendorboardError(f"--into {month_label(into)}: contract {contract_id} is not active that month")
        if con.execute(
            "SELECT count(*) FROM invoices WHERE contract_id = ? AND month = ?", [contract_id, into]
        ).fetchone()[0]:
            raise VendorboardError(
                f"--into {month_label(into)}: that invoice is finalized; pick a month still in draft"
            )
        since = f" since {last + dt.timedelta(days=1)}" if last else ""
        description = (
            f"逾期付款违约金 Late-payment damages on invoice {month_label(month)}{since} through {as_of}, "
            f"at {status.late_payment_rate.normalize():f} a day of the amount outstanding"
        )
        con.execute(
            "INSERT INTO adjustments VALUES (?, ?, ?, ?, 'payments carry-damages', NULL)",
            [contract_id, into, description, amount],
        )
        con.execute(
            "INSERT INTO damage_carries VALUES (?, ?, ?, ?, ?, ?, now())",
            [contract_id, month, as_of, amount, into, description],
        )
        audit.record(
            con,
            actor,
            "damages_carry",
            f"{label} into {month_label(into)}",
            {"through": as_of, "amount": amount, "currency": status.currency, "into": month_label(into)},
        )
    return Carry(contract_id, month, as_of, amount, status.currency, into, description)
