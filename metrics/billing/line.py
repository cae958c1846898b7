"""One invoice line and the one rounding rule for money.

Every amount is computed from exact inputs and rounded half-up (half away from zero) to the cent
exactly once, here, so no line can be rounded twice or by a different rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from metrics.domain import USAGE

CENT = Decimal("0.01")
QUANTITY = Decimal("0.0001")  # minutes and hours are shown to 4 places; amounts use the exact value

# The fields of a line in the SPEC §5 JSON, in order.
FIELDS = ("type", "channel", "unit", "tier_from", "tier_to", "quantity", "unit_price", "amount", "description")
# Stored with a finalized line besides FIELDS: the SLA metric whose missed target caused a credit,
# and the figures its description quotes (`Line.facts`).
STORED = (*FIELDS, "metric", "facts")


@dataclass(frozen=True)
class Line:
    """An invoice line in the SPEC §5 shape. channel/unit/tiers/quantity/unit_price are None where
    the line has none (fixed, minimum, credit_cap and adjustment lines have no channel)."""

    type: str
    amount: Decimal
    # the line in English words (metrics.render.describe, set when the invoice is assembled); an
    # adjustment's is what finance typed
    description: str = ""
    channel: str | None = None
    unit: str | None = None
    tier_from: Decimal | None = None
    tier_to: Decimal | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    metric: str | None = None  # credit lines: the metric of the missed target (not in the JSON)
    # The figures the line's words quote besides its own fields (a credit's measured value, target
    # and base; a pro-rated fee's days), so `metrics.render` can describe it in any language; stored
    # with a finalized line (as JSON text), not in the SPEC §5 JSON.
    facts: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        # One spelling per value, whether computed or read back from a stored invoice:
        # amounts in cents, prices with at least 2 places, quantities and bounds without trailing zeros.
        set_ = object.__setattr__
        set_(self, "amount", cents(self.amount))
        for name, places in (("tier_from", 0), ("tier_to", 0), ("quantity", 0), ("unit_price", 2)):
            set_(self, name, trimmed(getattr(self, name), places))
        if isinstance(self.facts, str):  # read back from a stored invoice
            set_(self, "facts", facts_from_json(self.facts))

    @property
    def key(self) -> tuple[str, str]:
        """(channel, unit) under which reconciliation and drift compare lines: usage lines by their
        channel and unit (the tiers of one ladder add up), every other line by its type alone."""
        if self.type == USAGE:
            return (self.channel, self.unit)
        return ("-", "credit" if self.type == "credit_cap" else self.type)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


def facts_to_json(facts: dict) -> str:
    """Facts as stored: decimals as strings (exact), the rest as JSON has them."""
    return json.dumps({k: str(v) if isinstance(v, Decimal) else v for k, v in facts.items()}, sort_keys=True)


def facts_from_json(text: str | None) -> dict:
    """Stored facts back: every number a Decimal again (they were written as decimal strings)."""

    def exact(value: object) -> object:
        try:
            return Decimal(value) if isinstance(value, str) else value
        except ArithmeticError:
            return value

    return {k: exact(v) if k not in TEXT_FACTS else v for k, v in json.loads(text or "{}").items()}


TEXT_FACTS = ("base", "clock", "mode")  # facts that are words, not numbers


def cents(value: Decimal) -> Decimal:
    """Round half-up (away from zero) to 0.01: 6.045 -> 6.05, -0.005 -> -0.01 (and -0.004 -> 0.00,
    never a negative zero on an invoice)."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def total(lines: list[Line], *types: str) -> Decimal:
    """Sum of the amounts of the lines of the given types (already cents, so exact)."""
    return sum((line.amount for line in lines if line.type in types), Decimal("0.00"))


def trimmed(value: Decimal | None, min_places: int = 0) -> Decimal | None:
    """`value` without trailing zeros beyond `min_places`: 10000.000 -> 10000, 0.450000 -> 0.45."""
    if value is None:
        return None
    places = max(min_places, -value.normalize().as_tuple().exponent)
    return value.quantize(Decimal(1).scaleb(-places))


def by_key(lines: list[Line]) -> dict[tuple[str, str], tuple[Decimal | None, Decimal]]:
    """{key: (quantity, amount)} summed over the lines of each key (see `Line.key`), in first-seen
    order. Quantity is None for keys that are not usage: a fee or credit has no quantity to check."""
    summed: dict[tuple[str, str], tuple[Decimal | None, Decimal]] = {}
    for line in lines:
        qty, amount = summed.get(line.key, (None, Decimal("0.00")))
        if line.type == USAGE:
            qty = (qty or Decimal(0)) + line.quantity
        summed[line.key] = (qty, amount + line.amount)
    return summed
