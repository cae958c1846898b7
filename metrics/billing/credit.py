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
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.billing.line import Line, cents, money, number, percent, total
from metrics.billing.terms import Terms
from metrics.domain import METRIC, USAGE
from metrics.i18n import value_name
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
            base, base_text = usage_and_fixed, "usage and fees"
        else:
            base = sum((ln.amount for ln in lines if ln.type == USAGE and ln.channel == miss.channel), Decimal("0.00"))
            base_text = f"{value_name('channel', miss.channel, 'en').lower()} usage"
        amount = -cents(miss.credit_rate * base)
        if amount:
            credits.append(
                Line(
                    type="credit",
                    channel=miss.channel,
                    amount=amount,
                    metric=miss.metric,
                    description=(
                        f"Credit: {_verdict(miss)}; {percent(miss.credit_rate)} of {base_text} "
                        f"{money(base)} {terms.currency}"
                    ),
                )
            )
    cap = terms.credit_cap_rate * usage_and_fixed
    excess = -total(credits, "credit") - cap
    if excess > 0:
        credits.append(
            Line(
                type="credit_cap",
                amount=cents(excess),
                description=(
                    f"Credit cap: credits are limited to {percent(terms.credit_cap_rate)} of usage and "
                    f"fees ({money(cap)} {terms.currency})"
                ),
            )
        )
    return credits


def _verdict(miss: Miss) -> str:
    """'phone answer_rate 93.1 % < 95 % target': the measured value beside the target it missed."""
    value = miss.numerator / miss.denominator
    worse = ">" if METRIC[miss.metric].better == "lower" else "<"
    shown_value, shown_target = _shown(miss.metric, value, miss.target)
    return f"{miss.channel} {miss.metric}{_threshold(miss)} {shown_value} {worse} {shown_target} target"


def _shown(metric: str, value: Decimal, target: Decimal) -> tuple[str, str]:
    """Value and target as a person reads them, with enough decimals that they never look equal
    (93.1 % < 95 %, but 94.99 % < 95 %)."""
    scale, unit = {"seconds": (Decimal(1), " s"), "score": (Decimal(1), ""), "rate": (Decimal(100), " %")}[
        METRIC[metric].kind
    ]
    for places in range(1, 7):
        shown = (value * scale).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if shown != target * scale:
            break
    return f"{shown}{unit}", f"{number(target * scale)}{unit}"


def _threshold(miss: Miss) -> str:
    """' (≤ 20 s)' for a service level, ' (≥ 20 h a week)' for weekly hours; '' without one."""
    if miss.threshold_seconds is None:
        return ""
    secs = miss.threshold_seconds
    span = f"{number(secs / 3600)} h" if secs >= 3600 and secs % 3600 == 0 else f"{number(secs)} s"
    return f" (≥ {span} a week)" if METRIC[miss.metric].threshold == "reach" else f" (≤ {span})"
