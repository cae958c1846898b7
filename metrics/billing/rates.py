"""The rate card in force in a month, as ladders: the rows of one contract, channel and unit.

A ladder prices one usage quantity. Its quantity is measured in a *base* unit that is exact
(whole seconds for `minute` and `hour`, counts for the rest) and priced per billing unit, so
tier bounds and amounts never pass through a rounded minute or hour.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from metrics.billing.line import QUANTITY, Line, cents
from metrics.domain import CHANNELS, UNIT, USAGE

# Rows in force in the month: effective dates are month starts, effective_to exclusive.
IN_FORCE = """(r.effective_from IS NULL OR r.effective_from <= $month)
              AND (r.effective_to IS NULL OR r.effective_to > $month)"""


@dataclass(frozen=True)
class Tier:
    """One rate row: [tier_from, tier_to) in billing units, None = unbounded (or not tiered)."""

    unit_price: Decimal
    tier_from: Decimal | None
    tier_to: Decimal | None
    flat_fee: Decimal


@dataclass(frozen=True)
class Ladder:
    contract_id: str
    channel: str
    unit: str
    mode: str  # graduated | volume
    currency: str
    tiers: tuple[Tier, ...]  # ascending by tier_from
    increment: int  # seconds each call or interval is rounded up to (minute, hour): its lowest tier's

    @property
    def per_unit(self) -> int:
        return UNIT[self.unit].per_unit

    @property
    def tiered(self) -> bool:
        return any(t.tier_from is not None or t.tier_to is not None for t in self.tiers)

    def bounds(self, tier: Tier) -> tuple[Decimal, Decimal | None]:
        """The tier as [low, high) in base units (exact: bounds have 3 decimals, seconds are whole)."""
        low = (tier.tier_from or Decimal(0)) * self.per_unit
        return low, None if tier.tier_to is None else tier.tier_to * self.per_unit

    def line(self, tier: Tier, base: Decimal) -> Line:
        """The usage line billing `base` units at `tier`'s price plus its flat fee, rounded once."""
        quantity = base / self.per_unit
        amount = cents(base * tier.unit_price / self.per_unit + tier.flat_fee)
        return Line(
            type=USAGE,
            channel=self.channel,
            unit=self.unit,
            tier_from=tier.tier_from if self.tiered else None,
            tier_to=tier.tier_to if self.tiered else None,
            quantity=quantity if self.per_unit == 1 else quantity.quantize(QUANTITY, rounding=ROUND_HALF_UP),
            unit_price=tier.unit_price,
            amount=amount,
            facts={
                **({"flat_fee": tier.flat_fee} if tier.flat_fee else {}),
                **({"mode": "volume"} if self.mode == "volume" and self.tiered else {}),
            },
        )


def ladders_sql(month: dt.date) -> str:
    """SQL: contract_id, channel, unit and increment (its lowest tier's increment_seconds, as
    `Ladder.increment`) of every ladder in force in `month`: what usage quantities are measured by,
    joined to the rows (billing/quantities.py)."""
    in_force = IN_FORCE.replace("$month", f"DATE '{month.isoformat()}'")
    return f"""(SELECT contract_id, channel, unit, first(increment_seconds ORDER BY tier_from NULLS FIRST) AS increment
                FROM rates r WHERE {in_force} GROUP BY ALL)"""


def ladders(con: duckdb.DuckDBPyConnection, month: dt.date, contract_ids: list[str]) -> list[Ladder]:
    """Every ladder in force in `month` for the contracts, in a stable (channel, unit) order."""
    rows = con.execute(
        f"""SELECT r.contract_id, r.channel, r.unit, r.tier_mode, c.currency, r.increment_seconds,
                   r.unit_price, r.tier_from, r.tier_to, r.tier_flat_fee
            FROM rates r JOIN contracts c USING (contract_id)
            WHERE r.contract_id IN (SELECT unnest($ids)) AND {IN_FORCE}
            ORDER BY r.contract_id, list_position({list(CHANNELS)}, r.channel),
                     r.unit, r.tier_from NULLS FIRST""",
        {"month": month, "ids": contract_ids},
    ).fetchall()
    grouped: dict[tuple[str, str, str], list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[:3], []).append(row)
    return [
        Ladder(*key, mode=rs[0][3], currency=rs[0][4], tiers=tuple(Tier(*r[6:]) for r in rs), increment=rs[0][5])
        for key, rs in grouped.items()
    ]
