"""One invoice line, the one rounding rule for money, and numbers written the way finance reads them.

Every amount is computed from exact inputs and rounded half-up (half away from zero) to the cent
exactly once, here, so no line can be rounded twice or by a different rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from metrics.domain import USAGE

CENT = Decimal("0.01")
QUANTITY = Decimal("0.0001")  # minutes and hours are shown to 4 places; amounts use the exact value

# The fields of a line in the SPEC §5 JSON, in order.
FIELDS = ("type", "channel", "unit", "tier_from", "tier_to", "quantity", "unit_price", "amount", "description")
# Stored with a finalized line besides FIELDS: the SLA metric whose missed target caused a credit.
STORED = (*FIELDS, "metric")


@dataclass(frozen=True)
class Line:
    """An invoice line in the SPEC §5 shape. channel/unit/tiers/quantity/unit_price are None where
    the line has none (fixed, minimum, credit_cap and adjustment lines have no channel)."""

    type: str
    amount: Decimal
    description: str
    channel: str | None = None
    unit: str | None = None
    tier_from: Decimal | None = None
    tier_to: Decimal | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    metric: str | None = None  # credit lines: the metric of the missed target (not in the JSON)

    def __post_init__(self) -> None:
        # One spelling per value, whether computed or read back from a stored invoice:
        # amounts in cents, prices with at least 2 places, quantities and bounds without trailing zeros.
        set_ = object.__setattr__
        set_(self, "amount", cents(self.amount))
        for name, places in (("tier_from", 0), ("tier_to", 0), ("quantity", 0), ("unit_price", 2)):
            set_(self, name, trimmed(getattr(self, name), places))

    @property
    def key(self) -> tuple[str, str]:
        """(channel, unit) under which reconciliation and drift compare lines: usage lines by their
        channel and unit (the tiers of one ladder add up), every other line by its type alone."""
        if self.type == USAGE:
            return (self.channel, self.unit)
        return ("-", "credit" if self.type == "credit_cap" else self.type)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


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


def _grouped(text: str) -> str:
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while len(digits) > 3:
        digits, tail = digits[:-3], digits[-3:]
        groups.insert(0, tail)
    grouped = sign + " ".join([digits, *groups])
    return f"{grouped}.{frac}" if frac else grouped


def money(value: Decimal) -> str:
    """30000 -> '30 000.00' (a space between thousands, as on the contracts)."""
    return _grouped(f"{cents(value):f}")


def number(value: Decimal) -> str:
    """A quantity or tier bound without trailing zeros: 10000.000 -> '10 000', 2.1000 -> '2.1'."""
    return _grouped(f"{trimmed(value):f}")


def price(value: Decimal) -> str:
    """A unit price with at least two decimals: 0.450000 -> '0.45', 0.123450 -> '0.12345'."""
    return _grouped(f"{trimmed(value, 2):f}")


def percent(value: Decimal) -> str:
    """A fraction as a percentage: 0.05 -> '5 %', 0.025 -> '2.5 %'."""
    return f"{number(value * 100)} %"


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
