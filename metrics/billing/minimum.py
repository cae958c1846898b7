"""The monthly minimum (contracts.monthly_minimum): when usage + fixed falls below the minimum,
pro-rated like the fixed fee, a true-up line bills the difference."""

from __future__ import annotations

from decimal import Decimal

from metrics.billing.line import Line, cents
from metrics.billing.terms import Terms


def minimum_line(terms: Terms, usage_and_fixed: Decimal) -> Line | None:
    """The true-up, computed from the exact pro-rated minimum and rounded once; None when met."""
    if not terms.monthly_minimum:
        return None
    floor = terms.prorated(terms.monthly_minimum)
    amount = cents(floor - usage_and_fixed)
    if amount <= 0:
        return None
    return Line(
        type="minimum",
        amount=amount,
        facts={"monthly": terms.monthly_minimum, "usage": usage_and_fixed, **terms.days},
    )
