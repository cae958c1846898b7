"""The fixed monthly fee (contracts.monthly_fee), pro-rated by the days the contract is active in
the month ÷ the days in the month: a contract starting on the 10th of a 31-day month pays 22/31."""

from __future__ import annotations

from metrics.billing.line import Line, cents
from metrics.billing.terms import Terms


def fixed_line(terms: Terms) -> Line | None:
    if not terms.monthly_fee:
        return None
    return Line(
        type="fixed",
        amount=cents(terms.prorated(terms.monthly_fee)),
        facts={"monthly": terms.monthly_fee, **terms.days},
    )
