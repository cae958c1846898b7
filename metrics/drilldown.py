"""Drilling into one target: the rows behind it (`sla.evidence`) counted and paged, and the
distribution of the duration it measures, binned in SQL so that a month of millions of calls
leaves the engine as a few dozen bars rather than millions of values.

Every row keeps the status the SLA engine gave it (hit / miss / not counted); nothing here
decides a verdict.
"""

from __future__ import annotations

import datetime as dt
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


def distribution(
    con: duckdb.DuckDBPyConnection, target: Drillable, bins: int = 40, *, scope: Scope = EVERY_VENDOR
) -> tuple[dict[str, int], pl.DataFrame | None]:
    """The rows behind the target by status (`counts`) and the measured duration of the counted ones
    in equal bins, from one pass over the rows (a month of millions of them is read once). The bins:
    `measure` (which duration), `bin_start` and `bin_width` in seconds, `status` (hit / miss, and
    `abandoned` for the misses of calls never answered, whose wait is how long the caller held on)
    and `rows`; they cover the 99th percentile (and the threshold); longer values and rows with no
    duration at all (an e-mail never answered) fall into the last bin. No bins (None) when the
    target measures no duration."""
    rel = target.rows(con, False, scope)
    measure = next((c for c in DURATIONS if c in rel.columns), None)
    if measure is None:
        return counts(con, target, scope=scope), None
    drawn = "status"
    if "answered" in rel.columns:  # a miss that never reached an agent is an abandon, drawn apart
        drawn = "CASE WHEN status = 'miss' AND NOT answered THEN 'abandoned' ELSE status END"
    # The rows are read once (MATERIALIZED); the 99th percentile gives the bins' width: the smallest
    # of 1, 2, 2.5, 5 × 10^k at least the step, so they read as round numbers. The counts by status
    # come back as rows without a measure.
    floor = float(target.threshold_seconds or 0) * 1.25
    found = con.sql(f"""
        WITH evidence AS MATERIALIZED (
            SELECT {measure}::DOUBLE AS measured, status, {drawn} AS drawn FROM ({rel.sql_query()})),
        counted AS (SELECT measured, drawn AS status FROM evidence WHERE status <> 'not_counted'),
        step AS (SELECT coalesce(nullif(greatest(coalesce(quantile_cont(measured, 0.99), 0), {floor}), 0), 1.0)
                        / {bins} AS step FROM counted),
        power AS (SELECT step, pow(10, floor(log10(step))) AS power FROM step),
        width AS (SELECT power * CASE WHEN step <= power THEN 1 WHEN step <= 2 * power THEN 2
                                      WHEN step <= 2.5 * power THEN 2.5 WHEN step <= 5 * power THEN 5 ELSE 10 END
                         AS width FROM power)
        SELECT '{measure}' AS measure, least(coalesce(floor(measured / width), {bins - 1}), {bins - 1}) * width
                   AS bin_start, width AS bin_width, status, count(*)::BIGINT AS rows
        FROM counted, width GROUP BY ALL
        UNION ALL SELECT NULL, NULL, NULL, status, count(*) FROM evidence GROUP BY ALL
        ORDER BY bin_start NULLS LAST, status""").pl()
    by_status = dict(found.filter(pl.col("measure").is_null()).select("status", "rows").iter_rows())
    return {s: by_status.get(s, 0) for s in target.statuses}, found.filter(pl.col("measure").is_not_null())
