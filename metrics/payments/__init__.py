"""Payments against issued invoices (SPEC §2 `payments`, §5 `vendorboard payments`; docs/payments.md).

`status` says what each finalized invoice has been paid as of a date (status, outstanding, days
overdue, aging bucket, late-payment damages) and lists payments not applied to one; `record` stores
one payment; `damages` carries accrued late-payment damages into a later invoice, once.
"""

from metrics.payments.damages import Carry, carry_damages
from metrics.payments.record import record
from metrics.payments.status import (
    BUCKETS,
    STATUSES,
    InvoiceStatus,
    Receivables,
    aging,
    payments_of,
    receivables,
    statuses,
    unapplied,
)

__all__ = [
    "BUCKETS",
    "STATUSES",
    "Carry",
    "InvoiceStatus",
    "Receivables",
    "aging",
    "carry_damages",
    "payments_of",
    "receivables",
    "record",
    "statuses",
    "unapplied",
]
