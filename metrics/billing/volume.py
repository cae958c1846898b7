"""Volume tiers (tier_mode `volume`): the month's whole quantity is priced at the one tier it falls
in, so crossing a boundary reprices every unit. A quantity equal to a tier's tier_to belongs to the
next tier (upper bounds are exclusive). The tier's tier_flat_fee is added to its one line.
"""

from __future__ import annotations

from decimal import Decimal

from metrics.billing.line import Line
from metrics.billing.rates import Ladder


def volume_lines(ladder: Ladder, base: Decimal) -> list[Line]:
    """One line for the tier holding `base`; none when no tier holds it (or the quantity is 0)."""
    if base <= 0:
        return []
    for tier in ladder.tiers:
        low, high = ladder.bounds(tier)
        if low <= base and (high is None or base < high):
            return [ladder.line(tier, base)]
    return []
