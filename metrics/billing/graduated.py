"""Graduated tiers (the default tier_mode): each unit is priced at the tier it falls in, like tax
brackets. Every tier holding part of the quantity is one line and carries its tier_flat_fee.

Units outside every tier (a ladder that starts above 0, or a gap between tiers) have no price and
are not billed: a ladder starting at 100 minutes is read as 100 free minutes.
"""

from __future__ import annotations

from decimal import Decimal

from metrics.billing.line import Line
from metrics.billing.rates import Ladder


def graduated_lines(ladder: Ladder, base: Decimal) -> list[Line]:
    """The part of `base` (exact base units) inside each tier, priced at that tier."""
    lines = []
    for tier in ladder.tiers:
        low, high = ladder.bounds(tier)
        inside = min(base, base if high is None else high) - low
        if inside > 0:
            lines.append(ladder.line(tier, inside))
    return lines
