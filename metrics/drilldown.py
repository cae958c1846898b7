"""Drilling into one target: the rows behind it (`sla.evidence`) counted and paged, and the
distribution of the duration it measures, binned in SQL so that a month of millions of calls
leaves the engine as a few dozen bars rather than millions of values.

Every row keeps the status the SLA engine gave it (hit / miss / not counted); nothing here
decides a verdict.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Protocol

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.sla import evidence

# The per-row durations evidence can show, in the order a chart prefers them.
DURATIONS = ("wait_seconds", "response_seconds", "reply_seconds", "handle_seconds", "logged_seconds")
STATUSES = ("hit", "miss", "not_counted")


@dataclass(frozen=True)
class Target:
    """One target of one contract in one month (a metric may have several thresholds or clocks)."""

    month: dt.date
    contract_id: str
    channel: str
    metric: str
    threshold_seconds: Decimal | None = None
    clock: str | None = None
    statuses: ClassVar[tuple[str, ...]] = STATUSES

    def rows(self, con: duckdb.DuckDBPyConnection, ordered: bool, scope: Scope) -> duckdb.DuckDBPyRelation:
        return evidence(
            con,
            self.month,
            self.contract_id,
            self.channel,
            self.metric,
            self.threshold_seconds,
            self.clock,
            ordered,
            scope=scope,
        )


class Drillable(Protocol):
    """What can be drilled into: a contract's target, or one agent's figure (metrics/agents); a
    contract the scope does not see has no rows to drill into (an error)."""

    channel: str | None
    metric: str
    threshold_seconds: Decimal | None
    clock: str | None
    statuses: tuple[str, ...]

    def rows(self, con: duckdb.DuckDBPyConnection, ordered: bool, scope: Scope) -> duckdb.DuckDBPyRelation: ...


def counts(con: duckdb.DuckDBPyConnection, target: Drillable, *, scope: Scope = EVERY_VENDOR) -> dict[str, int]:
    """Rows behind the target by status: {'hit': n, 'miss': n, 'not_counted': n} (a figure without a
    target: {'counted': n, 'not_counted': n})."""
    found = dict(target.rows(con, False, scope).aggregate("status, count(*)::BIGINT", "status").fetchall())
    return {s: found.get(s, 0) for s in target.statuses}


def page(
    con: duckdb.DuckDBPyConnection,
    target: Drillable,
    status: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
    *,
    scope: Scope = EVERY_VENDOR,
) -> pl.DataFrame:
    """The rows behind the target in time order (only those of `status` if given); `limit=None`
    gives all of them, for an export."""
    rel = target.rows(con, True, scope)
    if status is not None:
        rel = rel.filter(duckdb.ColumnExpression("status") == duckdb.ConstantExpression(status))
    if limit is not None:
        rel = rel.limit(limit, offset)
    return rel.pl()


def duration_histogram(
    con: duckdb.DuckDBPyConnection, target: Drillable, bins: int = 40, *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame | None:
    """The measured duration of the counted rows in equal bins: `measure` (which duration),
    `bin_start` and `bin_width` in seconds, `status` (hit / miss, and `abandoned` for the misses of
    calls never answered, whose wait is how long the caller held on) and `rows`. The bins cover the
    99th percentile (and the threshold); longer values and rows with no duration at all (an
    e-mail never answered) fall into the last bin. None when the target measures no duration."""
    rel = target.rows(con, False, scope)
    measure = next((c for c in DURATIONS if c in rel.columns), None)
    if measure is None:
        return None
    counted = rel.filter("status <> 'not_counted'")
    if "answered" in rel.columns:  # a miss that never reached an agent is an abandon, drawn apart
        counted = counted.project(
            f"{measure}, CASE WHEN status = 'miss' AND NOT answered THEN 'abandoned' ELSE status END AS status"
        )
    (p99,) = counted.aggregate(f"quantile_cont({measure}::DOUBLE, 0.99)").fetchall()[0]
    width = _nice((max(p99 or 0.0, float(target.threshold_seconds or 0) * 1.25) or 1.0) / bins)
    bucket = f"least(coalesce(floor({measure}::DOUBLE / {width}), {bins - 1}), {bins - 1})"
    return counted.query(
        "counted",
        f"""
        SELECT '{measure}' AS measure, {bucket} * {width} AS bin_start, {width}::DOUBLE AS bin_width, status,
               count(*)::BIGINT AS rows
        FROM counted GROUP BY ALL ORDER BY bin_start, status""",
    ).pl()


def _nice(step: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at least `step`: bins that read as round numbers."""
    power = 10 ** math.floor(math.log10(step))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= step)
