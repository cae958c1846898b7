"""Each agent's figures for a month: the figures' definitions (figures.py) summed per contract,
agent and local day over the SLA facts, then per month, and judged against the contract's targets.

A figure is measured under the terms it needs (threshold_seconds, clock): those of each of the
contract's targets on its metric, or, with no target, the calendar clock (a figure that needs a
threshold, such as the weekly minimum, then has no row). One pass per facts source computes every
figure that needs no threshold, on each clock in use, as an aggregate of its own (their number
follows the vocabulary), grouped by contract, agent and day; a figure that needs a threshold is
one more pass with the facts joined to each contract's thresholds, grouped by threshold too — so
neither the statements nor what they hold grow with the number of contracts or of their terms.
The rows are unpivoted into the long form `agent_rollup` keeps (agents/rollup.py). Rows without an
agent (an abandoned call, an unreplied e-mail) count for the contract only.

A figure that is no sum (the median first response) is measured per month from the month's rows,
also in a rolled-up month, and only for a contract that sets a target on its metric — as the
contract's own figure is (sla/measure.py).

`met` is decided like a contract's (sla/measure.py, `judged_sql`): in DECIMAL, null where the agent
has nothing to measure. `verdict` says it in words: met / missed / no_data, null where the figure
is not judged or the contract sets no target for it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.agents.figures import AGENT_WEEKS, FIGURES, SOURCES, Figure
from metrics.periods import Days, month_label
from metrics.sla import facts
from metrics.sla.definitions import TERMS, fill, render
from metrics.sla.measure import aggregate_sql, judged_sql
from metrics.sla.targets import active_sql, check_contract, targets_sql
from metrics.sql import Contracts, Query, sql_in, sql_text

COLUMNS = (
    "contract_id",
    "vendor_id",
    "month",
    "agent_id",
    "name",
    "team",
    "channel",
    "metric",
    "value",
    "target",
    "threshold_seconds",
    "clock",
    "met",
    "verdict",
    "count",
    "numerator",
    "denominator",
)
FIELDS = tuple(c for c in COLUMNS if c != "met")  # what leaves for programs: `verdict` says it in words
# What the rollup and a measurement from the rows give, per contract, agent and day.
MEASURED = "source, contract_id, agent_id, day, figure, channel, threshold_seconds, clock, numerator, denominator, rows"


def _literal(value: object) -> str:
    return "NULL" if value is None else sql_text(value) if isinstance(value, str) else str(value)


def _figures_sql() -> str:
    """The figures as a relation: figure_no (their order), name, channel, source, the SLA metric they
    take targets from, the terms they use, whether only a target's terms measure them (a threshold,
    or no sum), whether they are judged and how their value is totalled."""
    rows = ", ".join(
        f"({no}, {_literal(f.name)}, {_literal(f.channel)}, {_literal(f.source)}, {_literal(f.metric)}, "
        f"{f.uses_threshold}, {f.uses_clock}, {f.uses_threshold or not f.summable}, {f.judged}, {_literal(f.total)})"
        for no, f in enumerate(FIGURES)
    )
    return (
        f"SELECT * FROM (VALUES {rows}) f(figure_no, figure, channel, source, metric, uses_threshold, uses_clock, "
        "needs_target, judged, total)"
    )


def variants_sql(month: dt.date, contracts: Contracts) -> str:
    """SQL: the figures each contract's agents get and the terms they are measured under, with the
    target they are judged against (null when not judged or the contract sets none)."""
    return f"""
        SELECT DISTINCT c.contract_id, f.figure_no, f.figure, f.channel AS figure_channel,
               coalesce(f.channel, t.channel) AS channel, f.source, f.total,
               f.judged AND t.target_no IS NOT NULL AS judged,
               CASE WHEN f.uses_threshold THEN t.threshold_seconds END AS threshold_seconds,
               CASE WHEN f.uses_clock THEN coalesce(t.clock, 'calendar') END AS clock,
               CASE WHEN f.judged THEN t.target END AS target
        FROM (SELECT contract_id FROM contracts WHERE contract_id IN {sql_in(contracts)}) c
        CROSS JOIN ({_figures_sql()}) f
        LEFT JOIN ({targets_sql(month, None)}) t
          ON t.contract_id = c.contract_id AND t.metric = f.metric AND (f.channel IS NULL OR t.channel = f.channel)
        WHERE t.target_no IS NOT NULL OR NOT f.needs_target"""


def measured_sql(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contracts: Contracts,
    sources: tuple[str, ...],
    agent_id: str | None = None,
    summed: bool = True,
    days: Days = None,
) -> str:
    """SQL of MEASURED from the month's rows of `sources` (of one agent if given, on `days` if
    given): per source one pass for the figures without a threshold, one per figure and clock that
    has one; the figures that are sums per day (what the rollup keeps), or, not `summed`, the others
    per month (`day` its first)."""
    variants = variants_sql(month, contracts)
    found = con.execute(f"SELECT DISTINCT figure_no, clock FROM ({variants}) ORDER BY ALL").fetchall()
    one = "" if agent_id is None else f" AND agent_id = {sql_text(agent_id)}"
    day = "local_start::DATE" if summed else f"DATE '{month.isoformat()}'"
    parts = [f"SELECT {', '.join(f'NULL AS {c}' for c in MEASURED.split(', '))} WHERE false"]
    for source in sources:
        mine = [(no, f, clock) for no, clock in found if (f := FIGURES[no]).source == source and f.summable == summed]
        plain = [(f, clock) for _, f, clock in mine if not f.uses_threshold]
        if plain:
            business = any(clock == "business" for _, clock in plain)
            rows = facts.relation(con, source, month, contracts, business, days=days)
            sums, items = [], []
            for i, (f, clock) in enumerate(plain):
                under = terms(f.channel, None, clock)
                num, den = aggregate_sql(f.expr, f.micros, lambda sql, t=under: render(sql, t))
                sums += [f"{num} AS n{i}", f"{den} AS d{i}", f"count_if({render(f.expr.counted, under)}) AS r{i}"]
                items.append(
                    f"{{'figure': {_literal(f.name)}, 'channel': {_literal(f.channel)}::VARCHAR, "
                    f"'threshold_seconds': NULL::DECIMAL(12, 3), 'clock': {_literal(clock)}::VARCHAR, "
                    f"'numerator': n{i}, 'denominator': d{i}, 'rows': r{i}}}"
                )
            parts.append(f"""
                SELECT '{source}' AS source, contract_id, agent_id, day, unnest([{", ".join(items)}], recursive := true)
                FROM (SELECT contract_id, agent_id, {day} AS day, {", ".join(sums)}
                      FROM {rows} WHERE agent_id IS NOT NULL{one} GROUP BY ALL)""")
        for no, f, clock in mine:
            if f.uses_threshold:
                parts.append(_by_threshold(con, month, variants, source, no, f, clock, one, day, days))
    return "(" + " UNION ALL BY NAME ".join(parts) + ")"


def _by_threshold(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    variants: str,
    source: str,
    no: int,
    f: Figure,
    clock: str | None,
    one: str,
    day: str,
    days: Days,
) -> str:
    """SQL of MEASURED for a figure that needs a threshold, on one clock: the facts of the contracts
    measuring it joined to each threshold they measure it under."""
    thresholds = f"""(SELECT DISTINCT contract_id AS _contract_id, threshold_seconds AS _threshold_seconds
                      FROM ({variants}) WHERE figure_no = {no} AND clock IS NOT DISTINCT FROM {_literal(clock)})"""
    rows = facts.relation(
        con, source, month, Query(f"SELECT _contract_id FROM {thresholds}"), clock == "business", days=days
    )
    under = {name: _literal(value) for name, value in terms(f.channel, None, clock).items() if name in TERMS}
    under["threshold_seconds"] = "_threshold_seconds"
    num, den = aggregate_sql(f.expr, f.micros, lambda sql: fill(sql, clock or "calendar", under))
    return f"""
        SELECT '{source}' AS source, contract_id, agent_id, day, {_literal(f.name)} AS figure,
               {_literal(f.channel)}::VARCHAR AS channel, _threshold_seconds::DECIMAL(12, 3) AS threshold_seconds,
               {_literal(clock)}::VARCHAR AS clock, numerator, denominator, rows
        FROM (SELECT contract_id, agent_id, {day} AS day, _threshold_seconds, {num} AS numerator,
                     {den} AS denominator, count_if({fill(f.expr.counted, clock or "calendar", under)}) AS rows
              FROM {rows} x JOIN {thresholds} t ON _contract_id = x.contract_id
              WHERE agent_id IS NOT NULL{one} GROUP BY ALL)"""


def terms(channel: str | None, threshold: Decimal | None, clock: str | None) -> dict:
    """What definitions.render needs of a target, for a figure measured under these terms (the
    placeholders the figures' aggregates use are only the threshold and the clock)."""
    return {
        "channel": channel or "",
        "threshold_seconds": threshold,
        "clock": clock or "calendar",
        "target": Decimal(0),
        "short_abandon_seconds": None,
        "sl_abandons": "",
    }


def rolled_up(con: duckdb.DuckDBPyConnection, month: dt.date) -> bool:
    """Whether `month` has an agent rollup (agents/rollup.py)."""
    return con.execute("SELECT count(*) FROM agent_rollup_months WHERE month = ?", [month]).fetchall()[0][0] > 0


def _measured(con: duckdb.DuckDBPyConnection, month: dt.date, contracts: Query, agent_id: str | None) -> str:
    """MEASURED for the contracts: the sums from the month's agent rollup when it has one, else from
    its rows; the figures that are no sums always from its rows."""
    others = measured_sql(con, month, contracts, SOURCES, agent_id, summed=False)
    if not rolled_up(con, month):
        return f"({measured_sql(con, month, contracts, SOURCES, agent_id)} UNION ALL BY NAME {others})"
    one = "" if agent_id is None else f" AND agent_id = {sql_text(agent_id)}"
    return f"""(SELECT {MEASURED} FROM agent_rollup
                WHERE month = DATE '{month.isoformat()}' AND contract_id IN {sql_in(contracts)}{one}
                UNION ALL BY NAME {others})"""


def empty() -> pl.DataFrame:
    """No agents: the columns with the types `figures` gives, so months concatenate."""
    types = {
        "value": pl.Float64,
        "target": pl.Decimal(18, 6),
        "threshold_seconds": pl.Decimal(12, 3),
        "met": pl.Boolean,
        "count": pl.Int64,
        "numerator": pl.Decimal(38, 6),
        "denominator": pl.Decimal(38, 6),
    }
    return pl.DataFrame(schema={c: types.get(c, pl.String) for c in COLUMNS})


def figures(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None = None,
    vendor_id: str | None = None,
    agent_id: str | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> pl.DataFrame:
    """One row per agent and figure of every contract of the scope active in `month` (or of one
    contract, one vendor, one agent): COLUMNS, in contract, agent and figure order. An agent gets the
    figures of the channels it has rows on, and the weekly figures when the contract sets a weekly
    target."""
    if contract_id is not None:
        check_contract(con, contract_id, scope=scope)
    contracts = Query(
        f"SELECT contract_id FROM ({active_sql(month)}) WHERE contract_id = coalesce({_literal(contract_id)}, "
        f"contract_id) AND vendor_id = coalesce({_literal(vendor_id)}, vendor_id) AND {scope.vendor_filter()}"
    )
    if not con.execute(f"SELECT count(*) FROM ({contracts})").fetchall()[0][0]:
        return empty()
    numerator, denominator = "coalesce(m.numerator, 0)", "coalesce(m.denominator, 0)"
    ratio, met = judged_sql("v.figure", "v.target", numerator, denominator)
    value = f"""CASE v.total WHEN 'count' THEN coalesce(m.rows, 0)::DOUBLE
                             WHEN 'hours' THEN {numerator}::DOUBLE / 3600 ELSE {ratio} END"""
    return con.sql(f"""
        WITH v AS ({variants_sql(month, contracts)}),
        m AS (SELECT contract_id, agent_id, figure, channel, threshold_seconds, clock, sum(numerator) AS numerator,
                     sum(denominator) AS denominator, sum(rows)::BIGINT AS rows
              FROM {_measured(con, month, contracts, agent_id)} GROUP BY ALL),
        staff AS (SELECT DISTINCT contract_id, agent_id FROM m),
        judged AS (
            SELECT s.contract_id, s.agent_id, v.figure_no, v.channel, v.figure, v.target, v.threshold_seconds,
                   v.clock, {value} AS value, CASE WHEN v.judged THEN {met} END AS met, coalesce(m.rows, 0) AS count,
                   {numerator} AS numerator, {denominator} AS denominator
            FROM staff s JOIN v ON v.contract_id = s.contract_id
            LEFT JOIN m ON m.contract_id = s.contract_id AND m.agent_id = s.agent_id AND m.figure = v.figure
                 AND m.channel IS NOT DISTINCT FROM v.figure_channel
                 AND m.threshold_seconds IS NOT DISTINCT FROM v.threshold_seconds
                 AND m.clock IS NOT DISTINCT FROM v.clock
            WHERE m.agent_id IS NOT NULL OR (v.source = '{AGENT_WEEKS}' AND v.judged))
        SELECT j.contract_id, c.vendor_id, '{month_label(month)}' AS month, j.agent_id, a.name, a.team, j.channel,
               j.figure AS metric, j.value, j.target, j.threshold_seconds, j.clock, j.met,
               CASE WHEN j.target IS NOT NULL THEN CASE j.met WHEN true THEN 'met' WHEN false THEN 'missed'
                                                    ELSE 'no_data' END END AS verdict,
               j.count, j.numerator, j.denominator
        FROM judged j JOIN contracts c USING (contract_id)
        LEFT JOIN agents a ON a.vendor_id = c.vendor_id AND a.agent_id = j.agent_id
        ORDER BY j.contract_id, j.agent_id, j.figure_no, j.channel, j.threshold_seconds NULLS FIRST, j.clock""").pl()
