"""Measuring targets: one pass per facts source computes every target on it (a FILTER clause per
target), for the month (verdicts) or per day / hour-of-day (series).

`met` is decided in DECIMAL (numerator >= target * denominator, or <=), never on the rounded
float `value`; both are null when the denominator is 0 (nothing to measure).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import duckdb
import polars as pl

from metrics import catalog, store
from metrics.access import EVERY_VENDOR, Scope
from metrics.domain import LOWER_IS_BETTER
from metrics.errors import VendorboardError
from metrics.periods import month_label
from metrics.sla import facts
from metrics.sla.definitions import Count, Expr, Percentile, metric, render
from metrics.sla.targets import in_force, targets_sql
from metrics.sql import sql_list, sql_text

PERIODS = {"day": ("local_start::DATE", "DATE"), "hour": ("hour(local_start)::INTEGER", "INTEGER")}
GRAINS = {None: (), "day": ("day",), "hour": ("hour",), "day_hour": ("day", "hour")}
TREND_MONTHS = 6  # how far back a trend looks


def aggregate_sql(e: Expr, micros: bool, terms: dict) -> tuple[str, str]:
    """SQL aggregates of the numerator and the denominator of definition `e` under `terms` (a target,
    see definitions.render), as exact DECIMALs. A row outside the denominator (counted NULL or
    false) adds to neither."""
    counted = f"({render(e.counted, terms)})"
    if isinstance(e.numerator, Count):
        num = f"count_if({counted} AND ({render(e.numerator.condition, terms)}))"
    elif isinstance(e.numerator, Percentile):
        num = f"quantile_disc({render(e.numerator.of, terms)}, {e.numerator.fraction}) FILTER (WHERE {counted})"
    else:
        num = f"sum({render(e.numerator, terms)}) FILTER (WHERE {counted})"
    num = f"{num}::DECIMAL(38, 0) * 0.000001" if micros else f"{num}::DECIMAL(38, 6)"
    if isinstance(e.numerator, Percentile):
        den = f"(count_if({counted}) > 0)::INTEGER"
    elif e.denominator == "1":
        den = f"count_if({counted})"
    else:
        den = f"sum({render(e.denominator, terms)}) FILTER (WHERE {counted})"
    return f"coalesce({num}, 0)", f"coalesce({den}::DECIMAL(38, 6), 0)"


def aggregates(targets: list[dict]) -> list[str]:
    """Numerator n<target_no> and denominator d<target_no> of each target."""
    out = []
    for t in targets:
        m = metric(t["metric"])
        num, den = aggregate_sql(m.expr(t["channel"]), m.micros, t)
        out += [f"{num} AS n{t['target_no']}", f"{den} AS d{t['target_no']}"]
    return out


def judged_sql(metric: str, target: str, numerator: str, denominator: str) -> tuple[str, str]:
    """SQL of a measured `value` (null when the denominator is 0) and `met` (null then too: no data),
    met decided in DECIMAL against `target`; arguments are SQL expressions."""
    value = f"CASE WHEN {denominator} > 0 THEN {numerator}::DOUBLE / {denominator}::DOUBLE END"
    met = f"""CASE WHEN {denominator} > 0 THEN
                   CASE WHEN {metric} IN {sql_list(LOWER_IS_BETTER)} THEN {numerator} <= {target} * {denominator}
                        ELSE {numerator} >= {target} * {denominator} END END"""
    return value, met


def _has_grain(target: dict, grain: str | None) -> bool:
    return grain not in ("hour", "day_hour") or metric(target["metric"]).per_hour


def measured_sql(con: duckdb.DuckDBPyConnection, month: dt.date, targets: list[dict], grain: str | None) -> str:
    """SQL: target_no, [period columns], numerator, denominator for every target with data: summed
    from the month's rollup when it has one (metrics/rollup.py), else measured from its rows. A
    target that is not a sum (a percentile) is always measured from its rows."""
    if not store.rolled_up(con, month):
        return live_sql(con, month, targets, grain)
    summed = [t for t in targets if rolls_up(t)]
    periods = "".join(f"{p}, " for p in GRAINS[grain])
    numbers = ", ".join(str(t["target_no"]) for t in summed if _has_grain(t, grain)) or "NULL"
    rolled = f"""(SELECT target_no, {periods}sum(numerator) AS numerator, sum(denominator) AS denominator
                  FROM sla_rollup WHERE month = DATE '{month.isoformat()}' AND target_no IN ({numbers})
                  GROUP BY ALL)"""
    if len(summed) == len(targets):
        return rolled
    return f"({rolled} UNION ALL {live_sql(con, month, [t for t in targets if not rolls_up(t)], grain)})"


def rolls_up(target: dict) -> bool:
    """Whether the target's month figures are sums of its per-day and per-hour rollup rows."""
    return metric(target["metric"]).summable


def live_sql(con: duckdb.DuckDBPyConnection, month: dt.date, targets: list[dict], grain: str | None) -> str:
    """SQL: target_no, [period columns], numerator, denominator for every target with data,
    measured from the month's rows (one pass per facts source)."""
    periods = GRAINS[grain]
    by_source: dict[str, list[dict]] = defaultdict(list)
    for t in targets:
        if _has_grain(t, grain):
            by_source[facts.source_of(t)].append(t)
    empty = ", ".join(f"NULL::{PERIODS[n][1]} AS {n}" for n in periods)
    parts = [
        f"SELECT NULL::BIGINT AS target_no, {empty + ', ' if empty else ''}"
        "NULL::DECIMAL(38, 6) AS numerator, NULL::DECIMAL(38, 6) AS denominator WHERE false"
    ]
    ctes = []
    for i, (source, group) in enumerate(by_source.items()):
        rows = facts.for_targets(con, source, month, group)
        keys = ", ".join(["contract_id", *(f"{PERIODS[n][0]} AS {n}" for n in periods)])
        ctes.append(f"agg{i} AS (SELECT {keys}, {', '.join(aggregates(group))} FROM {rows} GROUP BY ALL)")
        cols = "".join(f"{n}, " for n in periods)
        parts += [
            f"SELECT {t['target_no']}, {cols}n{t['target_no']}, d{t['target_no']} FROM agg{i} "
            f"WHERE contract_id = {sql_text(t['contract_id'])}"
            for t in group
        ]
    with_ = f"WITH {', '.join(ctes)} " if ctes else ""
    return f"({with_}{' UNION ALL '.join(parts)})"


def _judged(month: dt.date, contract_id: str | None, measured: str, periods: tuple[str, ...], scope: Scope) -> str:
    """Targets joined to what was measured: every target for the month (null where nothing was
    measured), or per period only the periods with a non-zero denominator."""
    cols = "".join(f"m.{p}, " for p in periods)
    join = "JOIN" if periods else "LEFT JOIN"
    where = "WHERE m.denominator > 0" if periods else ""
    value, met = judged_sql("t.metric", "t.target", "m.numerator", "m.denominator")
    return f"""
        SELECT t.contract_id, t.vendor_id, '{month_label(month)}' AS month, t.channel, t.metric, {cols}
               {value} AS value, t.target, t.threshold_seconds, t.clock, {met} AS met,
               coalesce(m.numerator, 0) AS numerator, coalesce(m.denominator, 0) AS denominator,
               t.credit_rate, t.credit_base
        FROM ({targets_sql(month, contract_id, scope)}) t {join} {measured} m USING (target_no) {where}
        ORDER BY t.target_no{"".join(", " + p for p in periods)}"""


def verdicts(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame:
    """One row per SLA target in force in `month` (every contract of the scope, or one): value, met,
    numerator, denominator and the target's terms."""
    targets = in_force(con, month, contract_id, scope=scope)
    return con.sql(_judged(month, contract_id, measured_sql(con, month, targets, None), (), scope)).pl()


def series(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None,
    grain: str,
    *,
    scope: Scope = EVERY_VENDOR,
) -> pl.DataFrame:
    """Each target's value per local day (`day`), per hour of the day 0-23 (`hour`) or per day and
    hour (`day_hour`, the service-level heat map); only periods with something measured.
    weekly_min_hours has day rows (its weeks' Mondays) but no hour-of-day ones."""
    if grain not in ("day", "hour", "day_hour"):
        raise VendorboardError(f"grain must be day, hour or day_hour (got '{grain}')")
    targets = in_force(con, month, contract_id, scope=scope)
    return con.sql(_judged(month, contract_id, measured_sql(con, month, targets, grain), GRAINS[grain], scope)).pl()


def history(
    con: duckdb.DuckDBPyConnection, month: dt.date, months: int = TREND_MONTHS, *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame:
    """The verdicts of the last `months` months holding data up to `month`, oldest first (the
    trends of the Overview page and the report); `month`'s own when none holds data."""
    shown = [m for m in catalog.months_with_data(con, scope=scope) if m <= month][:months] or [month]
    return pl.concat([verdicts(con, m, scope=scope) for m in reversed(shown)], how="vertical_relaxed")
