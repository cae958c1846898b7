"""Measuring targets in long form: targets are rows, not columns. Each part of the targets in force
(one metric on one channel and clock) is one statement: its facts joined to its targets, whose
terms (threshold, abandon rules, channel) are columns of the join, aggregated per target, for the
month (verdicts) or per day / hour-of-day (series, rollups). The number of statements follows the
vocabulary, the rows each reads the contracts the part measures, and what each holds the targets
times the periods it gives: neither multiplies with the number of contracts or targets.

`met` is decided in DECIMAL (numerator >= target * denominator, or <=), never on the rounded
float `value`; both are null when the denominator is 0 (nothing to measure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics import catalog, store
from metrics.access import EVERY_VENDOR, Scope
from metrics.domain import LOWER_IS_BETTER
from metrics.errors import VendorboardError
from metrics.periods import month_label
from metrics.sla import facts
from metrics.sla.definitions import METRICS, TERMS, Count, Expr, Percentile, joined, metric
from metrics.sla.targets import check_contract, targets_sql
from metrics.sql import Query, sql_list, sql_text

PERIODS = {"day": ("local_start::DATE", "DATE"), "hour": ("hour(local_start)::INTEGER", "INTEGER")}
GRAINS = {None: (), "day": ("day",), "hour": ("hour",), "day_hour": ("day", "hour")}
TREND_MONTHS = 6  # how far back a trend looks
SUMMABLE = tuple(m.name for m in METRICS.values() if m.summable)
HOURLY = tuple(m.name for m in METRICS.values() if m.per_hour)


def aggregate_sql(e: Expr, micros: bool, fill: Callable[[str], str]) -> tuple[str, str]:
    """SQL aggregates of the numerator and the denominator of definition `e` with its placeholders
    filled by `fill` (definitions.render or joined), as exact DECIMALs. A row outside the
    denominator (counted NULL or false) adds to neither."""
    counted = f"({fill(e.counted)})"
    if isinstance(e.numerator, Count):
        num = f"count_if({counted} AND ({fill(e.numerator.condition)}))"
    elif isinstance(e.numerator, Percentile):
        num = f"quantile_disc({fill(e.numerator.of)}, {e.numerator.fraction}) FILTER (WHERE {counted})"
    else:
        num = f"sum({fill(e.numerator)}) FILTER (WHERE {counted})"
    num = f"{num}::DECIMAL(38, 0) * 0.000001" if micros else f"{num}::DECIMAL(38, 6)"
    if isinstance(e.numerator, Percentile):
        den = f"(count_if({counted}) > 0)::INTEGER"
    elif e.denominator == "1":
        den = f"count_if({counted})"
    else:
        den = f"sum({fill(e.denominator)}) FILTER (WHERE {counted})"
    return f"coalesce({num}, 0)", f"coalesce({den}::DECIMAL(38, 6), 0)"


def judged_sql(metric: str, target: str, numerator: str, denominator: str) -> tuple[str, str]:
    """SQL of a measured `value` (null when the denominator is 0) and `met` (null then too: no data),
    met decided in DECIMAL against `target`; arguments are SQL expressions."""
    value = f"CASE WHEN {denominator} > 0 THEN {numerator}::DOUBLE / {denominator}::DOUBLE END"
    met = f"""CASE WHEN {denominator} > 0 THEN
                   CASE WHEN {metric} IN {sql_list(LOWER_IS_BETTER)} THEN {numerator} <= {target} * {denominator}
                        ELSE {numerator} >= {target} * {denominator} END END"""
    return value, met


@dataclass(frozen=True, order=True)
class Part:
    """The targets measured by one statement: one metric on one channel and clock."""

    metric: str
    channel: str
    clock: str

    @property
    def source(self) -> str:
        """The facts relation (sla/facts.py) it is measured on."""
        return metric(self.metric).source or self.channel

    def targets(self, month: dt.date, contract_id: str | None, scope: Scope = EVERY_VENDOR) -> str:
        """SQL: its targets in force (of one contract, or every one of the scope), their terms as
        `_`-named columns so that they never shadow a column of the facts."""
        terms = ", ".join(f"{name} AS _{name}" for name in TERMS)
        return f"""(SELECT target_no AS _target_no, contract_id AS _contract_id, {terms}
                    FROM ({targets_sql(month, contract_id, scope)})
                    WHERE metric = {sql_text(self.metric)} AND channel = {sql_text(self.channel)}
                      AND clock = {sql_text(self.clock)})"""


def parts(
    con: duckdb.DuckDBPyConnection, month: dt.date, metrics: Iterable[str], sources: Iterable[str] | None = None
) -> list[Part]:
    """The parts of the targets in force in `month` on `metrics` (measured on `sources`, if given)."""
    found = con.execute(
        f"SELECT DISTINCT metric, channel, clock FROM ({targets_sql(month, None)}) "
        f"WHERE metric IN {sql_list(metrics)} ORDER BY ALL"
    ).fetchall()
    wanted = None if sources is None else set(sources)
    return [p for p in (Part(*row) for row in found) if wanted is None or p.source in wanted]


def live_sql(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None,
    grain: str | None,
    measured: list[Part],
    days: facts.Days = None,
    scope: Scope = EVERY_VENDOR,
) -> str:
    """SQL: target_no, [period columns], numerator, denominator of every target of the `measured`
    parts with data (of one contract, or every one of the scope), measured from the month's rows (or
    from those of its `days`): per part, its facts joined to its targets and grouped by target and
    period."""
    periods = GRAINS[grain]
    empty = ", ".join(f"NULL::{PERIODS[n][1]} AS {n}" for n in periods)
    statements = [
        f"SELECT NULL::BIGINT AS target_no, {empty + ', ' if empty else ''}"
        "NULL::DECIMAL(38, 6) AS numerator, NULL::DECIMAL(38, 6) AS denominator WHERE false"
    ]
    for part in measured:
        m = metric(part.metric)
        if not _has_grain(part.metric, grain):
            continue
        targets = part.targets(month, contract_id, scope)
        rows = facts.relation(
            con,
            part.source,
            month,
            Query(f"SELECT _contract_id FROM {targets}"),
            part.clock == "business",
            [part.channel],
            days,
        )
        num, den = aggregate_sql(m.expr(part.channel), m.micros, lambda sql, c=part.clock: joined(sql, c))
        keys = "".join(f", {PERIODS[n][0]} AS {n}" for n in periods)
        channel = " AND _channel = f.channel" if part.source == "coverage" else ""
        statements.append(f"""
            SELECT _target_no AS target_no{keys}, {num} AS numerator, {den} AS denominator
            FROM {rows} f JOIN {targets} t ON _contract_id = f.contract_id{channel}
            GROUP BY ALL""")
    return "(" + " UNION ALL ".join(statements) + ")"


def _has_grain(name: str, grain: str | None) -> bool:
    return grain not in ("hour", "day_hour") or metric(name).per_hour


def measured_sql(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None,
    grain: str | None,
    scope: Scope = EVERY_VENDOR,
) -> str:
    """SQL: target_no, [period columns], numerator, denominator for every target in force with data
    (of one contract, or every one of the scope: a vendor's page reads its own sums only): summed
    from the month's rollup when it has one (metrics/rollup.py), else measured from its rows. A
    target that is not a sum (a percentile) is always measured from its rows."""
    if not store.rolled_up(con, month):
        return live_sql(con, month, contract_id, grain, parts(con, month, METRICS), scope=scope)
    periods = "".join(f"{p}, " for p in GRAINS[grain])
    summed = [m for m in SUMMABLE if _has_grain(m, grain)]
    wanted = f"SELECT target_no FROM ({targets_sql(month, contract_id, scope)}) WHERE metric IN {sql_list(summed)}"
    rolled = f"""(SELECT target_no, {periods}sum(numerator) AS numerator, sum(denominator) AS denominator
                  FROM sla_rollup WHERE month = DATE '{month.isoformat()}' AND target_no IN ({wanted})
                  GROUP BY ALL)"""
    others = parts(con, month, [m for m in METRICS if m not in SUMMABLE])
    if not others:
        return rolled
    return f"({rolled} UNION ALL {live_sql(con, month, contract_id, grain, others, scope=scope)})"


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
    if contract_id is not None:
        check_contract(con, contract_id, scope=scope)
    return con.sql(_judged(month, contract_id, measured_sql(con, month, contract_id, None, scope), (), scope)).pl()


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
    if contract_id is not None:
        check_contract(con, contract_id, scope=scope)
    return con.sql(
        _judged(month, contract_id, measured_sql(con, month, contract_id, grain, scope), GRAINS[grain], scope)
    ).pl()


def history(
    con: duckdb.DuckDBPyConnection, month: dt.date, months: int = TREND_MONTHS, *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame:
    """The verdicts of the last `months` months holding data up to `month`, oldest first (the
    trends of the Overview page and the report); `month`'s own when none holds data."""
    shown = [m for m in catalog.months_with_data(con, scope=scope) if m <= month][:months] or [month]
    return pl.concat([verdicts(con, m, scope=scope) for m in reversed(shown)], how="vertical_relaxed")
