"""SLA credits: how a missed service level lowers the bill (SPEC §4).

Each target missed in the month (`met` is False; a target with nothing to measure is neither met
nor missed) with credit_rate > 0 gives a negative line of credit_rate × its base:
- credit_base `channel`: the sum of that channel's usage lines (tier fees included);
- credit_base `invoice`: usage + fixed of the whole invoice, how a fixed-fee contract refunds for
  poor quality. The line still carries the target's channel.
All credits together never exceed credit_cap_rate × (usage + fixed); when they would, one
`credit_cap` line gives the excess back, so the cap is visible on the invoice rather than hidden
in shrunken credit lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.billing.line import Line, cents, total
from metrics.billing.terms import Terms
from metrics.domain import USAGE
from metrics.sla import verdicts


@dataclass(frozen=True)
class Miss:
    """A target missed in the month, with the exact figures behind the verdict."""

    contract_id: str
    channel: str
    metric: str
    target: Decimal
    threshold_seconds: Decimal | None
    numerator: Decimal
    denominator: Decimal
    credit_rate: Decimal
    credit_base: str
    clock: str = "calendar"


def missed_targets(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None = None,
    measured: pl.DataFrame | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> dict[str, list[Miss]]:
    """{contract_id: targets it missed in `month` that carry a credit}, from `measured` (the
    month's `sla.verdicts`, when the caller has them already) or else from the SLA engine (not
    asked at all when no target of these contracts carries a credit)."""
    if measured is None:
        if not con.execute(
            "SELECT count(*) FROM sla_targets WHERE credit_rate > 0 AND ($c IS NULL OR contract_id = $c) "
            f"AND {scope.contract_filter()}",
            {"c": contract_id},
        ).fetchone()[0]:
            return {}
        measured = verdicts(con, month, contract_id, scope=scope)
    found: dict[str, list[Miss]] = {}
    for v in measured.iter_rows(named=True):
        if v["met"] is False and v["credit_rate"] > 0:
            found.setdefault(v["contract_id"], []).append(Miss(**{f: v[f] for f in Miss.__dataclass_fields__}))
    return found


def credit_lines(terms: Terms, misses: list[Miss], lines: list[Line]) -> list[Line]:
    """Credit lines for `misses` against the usage and fixed `lines`, then the cap line if any."""
    usage_and_fixed = total(lines, USAGE, "fixed")
    credits = []
    for miss in misses:
        if miss.credit_base == "invoice":
            base = usage_and_fixed
        else:
            base = sum((ln.amount for ln in lines if ln.type == USAGE and ln.channel == miss.channel), Decimal("0.00"))
        amount = -cents(miss.credit_rate * base)
        if amount:
            credits.append(
                Line(
                    type="credit",
                    channel=miss.channel,
                    amount=amount,
                    metric=miss.metric,
                    facts={
                        "value": miss.numerator / miss.denominator,
                        "target": miss.target,
                        "threshold": miss.threshold_seconds,
                        "clock": miss.clock,
                        "rate": miss.credit_rate,
                        "base": miss.credit_base,
                        "base_amount": base,
                    },
                )
            )
    cap = terms.credit_cap_rate * usage_and_fixed
    excess = -total(credits, "credit") - cap
    if excess > 0:
        credits.append(
            Line(
                type="credit_cap",
                amount=cents(excess),
                facts={"rate": terms.credit_cap_rate, "cap": cents(cap)},
            )
        )
    return credits
