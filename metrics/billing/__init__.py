"""Billing (SPEC §4): what each vendor may bill for a month, defensible to the cent.

One module per charge model: `quantities` (usage per unit), `graduated` and `volume` (tiers),
`fixed`, `minimum`, `credit` (SLA credits and their cap), `adjustment`; `invoice` assembles them
with totals, tax and due date; `lifecycle` finalizes, stores and reports drift. docs/billing.md
gives every formula and the readings of the spec chosen here.
"""

from metrics.billing.invoice import Invoice, compute
from metrics.billing.lifecycle import Drift, drift, finalize, invoices, stored_invoices, with_drift
from metrics.billing.line import Line

__all__ = ["Drift", "Invoice", "Line", "compute", "drift", "finalize", "invoices", "stored_invoices", "with_drift"]
