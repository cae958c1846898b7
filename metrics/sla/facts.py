"""The rows SLA metrics are computed over: one facts relation per source, one month, some contracts.

Interaction sources (calls, chats, emails, visits) read their table once, filtered by contract
and by the month on `local_start` (vendor wall-clock time stored at ingest, so no per-row time
zone conversion), and turn instants into exact microsecond durations. A clocked duration
(`wait`, `response`, `reply`) comes as `<name>_calendar_us` and, when a target needs it,
`<name>_business_us` read off the business clock with two ASOF joins.

`coverage` rows are service-hour slices (a window cut at local hour boundaries) with the seconds
some agent session on the channel was open; `agent_weeks` rows are ISO weeks per agent with
the logged time of their sessions on every channel merged.

Every facts relation has contract_id, vendor_id, channel, id and local_start (what series group by);
interactions and agent-weeks also agent_id (what agent figures group by, metrics/agents/), and
interactions `handled`, whether the row is a handled contact (the channel's rule, domain.CHANNEL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import duckdb

from metrics.domain import CHANNEL
from metrics.periods import Days, add_days, month_filter, next_month
from metrics.service_hours import business_clock_sql, clock_join, local_instant, merged_intervals_sql, windows_sql
from metrics.sla.definitions import metric
from metrics.sql import Contracts, sql_in

# Per channel (domain.CHANNEL): the per-row quantities its metrics' definitions use, besides the
# clocked duration; a handled call, chat or e-mail is an answered, responded or replied one.
COLUMNS = {
    "phone": f"""{CHANNEL["phone"].handled} AS answered,
                CASE WHEN {CHANNEL["phone"].handled} THEN epoch_us(ended_at) - epoch_us(answered_at)
                     + (hold_seconds * 1000000)::BIGINT + (wrap_seconds * 1000000)::BIGINT END AS handle_us,
                CASE WHEN {CHANNEL["phone"].handled} THEN (hold_seconds * 1000000)::BIGINT END AS hold_us,
                CASE WHEN {CHANNEL["phone"].handled} THEN (wrap_seconds * 1000000)::BIGINT END AS wrap_us,
                csat""",
    "chat": f"{CHANNEL['chat'].handled} AS responded, csat",
    "email": f"{CHANNEL['email'].handled} AS replied, replies, csat",
    "onsite": "status, questions_audited, questions_correct, csat",
}


def _ts(day: dt.date) -> str:
    return f"TIMESTAMP '{day.isoformat()}'"


def interactions_sql(
    channel: str, month: dt.date, contracts: Contracts, clock: tuple[dt.date, dt.date] | None, days: Days = None
) -> str:
    """Facts of one channel's interactions (of the month, or of its `days`); with `clock` (the first
    and the last local day it must cover), also the business-clock durations."""
    s = CHANNEL[channel]
    clocked = (
        f", {s.until} AS until_at, epoch_us({s.until}) - epoch_us({s.start}) AS {s.clocked}_calendar_us"
        if s.clocked
        else ""
    )
    base = f"""
        SELECT contract_id, vendor_id, '{channel}' AS channel, {s.id} AS id, local_start, agent_id,
               {s.handled} AS handled, {s.start} AS start_at{clocked}, {COLUMNS[channel]}
        FROM {s.table}
        WHERE contract_id IN {sql_in(contracts)} AND {month_filter(month, days)}"""
    if clock is None or not s.clocked:
        return f"({base})"
    join_a, read_a = clock_join("clock", "ca", "f", "f.start_at")
    join_b, read_b = clock_join("clock", "cb", "f", "f.until_at")
    return f"""(
        WITH clock AS ({business_clock_sql(*clock, contracts, [channel])})
        SELECT f.*, {read_b} - {read_a} AS {s.clocked}_business_us
        FROM ({base}) f {join_a} {join_b})"""


def clock_span_sql(channel: str, month: dt.date, contracts: Contracts, days: Days = None) -> str | None:
    """SQL for the UTC dates of the first start and the last end of a clocked duration of the month
    (or of its `days`): the business clock must run that far, and no farther, so a month with a few
    rows (a day at its edge) costs a few days of clock. None when the channel has no clocked duration."""
    s = CHANNEL[channel]
    if not s.clocked:
        return None
    return (
        f"SELECT timezone('UTC', min({s.start}))::DATE, timezone('UTC', max({s.until}))::DATE FROM {s.table} "
        f"WHERE contract_id IN {sql_in(contracts)} AND {month_filter(month, days)}"
    )


def _sessions(vendor_filter: str, keys: list[str], lo: str, hi: str) -> str:
    """Agent sessions overlapping [lo, hi), merged per `keys`."""
    return merged_intervals_sql(
        f"(SELECT * FROM agent_sessions s WHERE {vendor_filter} AND logout_at > {lo} AND login_at < {hi})",
        keys,
        "login_at",
        "logout_at",
    )


def _overlap_us(a: str, b: str) -> str:
    """SQL: microseconds two overlapping intervals share (least/greatest skip NULLs: join first)."""
    return f"epoch_us(least({a}.end_at, {b}.end_at)) - epoch_us(greatest({a}.start_at, {b}.start_at))"


def _utc(day: dt.date) -> str:
    return f"TIMESTAMPTZ '{day.isoformat()} 00:00:00+00'"


def _vendors(contracts: Contracts) -> str:
    return f"s.vendor_id IN (SELECT vendor_id FROM contracts WHERE contract_id IN {sql_in(contracts)})"


def staffed_sql(month: dt.date, contracts: Contracts) -> str:
    """SQL: vendor_id, channel of the vendors of `contracts` with some agent session on the channel
    in the local month (without any, their coverage is no data)."""
    end = next_month(month)
    return f"""
        SELECT DISTINCT s.vendor_id, s.channel FROM agent_sessions s JOIN vendors v USING (vendor_id)
        WHERE {_vendors(contracts)}
          AND s.login_at < {_utc(add_days(end, 1))} AND s.logout_at > {_utc(add_days(month, -1))}
          AND s.login_at < timezone(v.timezone, {_ts(end)}) AND s.logout_at > timezone(v.timezone, {_ts(month)})"""


def coverage_sql(month: dt.date, contracts: Contracts, channels: list[str], days: Days = None) -> str:
    """Service-hour slices of the month (or of its `days`) with their service and covered
    microseconds. A slice is a service window cut at local hour boundaries (so hour-of-day series
    work), and it is covered while at least one agent session on its channel is open (sessions
    merged across agents). `staffed`: the vendor has some session on the channel in the month at
    all (SPEC §3: without any, coverage is no data, not 0)."""
    end = next_month(month)
    first, last = (min(days), add_days(max(days), 1)) if days else (month, end)
    hour = "hour_local"
    lo, hi = _utc(add_days(first, -1)), _utc(add_days(last, 1))  # a local day's instants: within a day of it
    return f"""(
        WITH win AS (SELECT w.*, v.timezone AS tz FROM ({windows_sql(first, last, contracts, True, channels)}) w
                     JOIN vendors v USING (vendor_id)),
        hours AS (SELECT *, unnest(generate_series(date_trunc('hour', timezone(tz, start_at)),
                                                   timezone(tz, end_at) - INTERVAL 1 MICROSECOND,
                                                   INTERVAL 1 HOUR)) AS {hour}
                  FROM win),
        slices AS (SELECT contract_id, vendor_id, channel, greatest({hour}, timezone(tz, start_at)) AS local_start,
                          greatest(start_at, {local_instant(hour, "tz")}) AS start_at,
                          least(end_at, {local_instant(f"{hour} + INTERVAL 1 HOUR", "tz")}) AS end_at
                   FROM hours),
        sessions AS ({_sessions(_vendors(contracts), ["vendor_id", "channel"], lo, hi)}),
        staffed AS ({staffed_sql(month, contracts)})
        SELECT x.contract_id, x.vendor_id, x.channel, strftime(x.local_start, '%Y-%m-%d %H:%M') AS id,
               x.local_start, x.start_at, x.end_at,
               epoch_us(x.end_at) - epoch_us(x.start_at) AS service_us,
               coalesce(sum({_overlap_us("m", "x")}) FILTER (WHERE m.start_at IS NOT NULL), 0)::BIGINT AS covered_us,
               s.vendor_id IS NOT NULL AS staffed
        FROM slices x LEFT JOIN sessions m
          ON m.vendor_id = x.vendor_id AND m.channel = x.channel AND m.start_at < x.end_at AND m.end_at > x.start_at
        LEFT JOIN staffed s ON s.vendor_id = x.vendor_id AND s.channel = x.channel
        WHERE x.end_at > x.start_at AND {month_filter(month, days, "x.local_start")}
        GROUP BY ALL)"""


def iso_weeks(month: dt.date) -> tuple[dt.date, dt.date]:
    """Mondays of the first and last ISO week whose Thursday falls in `month`."""
    first_thursday = month + dt.timedelta(days=(3 - month.weekday()) % 7)
    last_day = next_month(month) - dt.timedelta(days=1)
    last_thursday = last_day - dt.timedelta(days=(last_day.weekday() - 3) % 7)
    return first_thursday - dt.timedelta(days=3), last_thursday - dt.timedelta(days=3)


def mondays(days: Iterable[dt.date]) -> tuple[dt.date, ...]:
    """The Mondays of the ISO weeks holding `days` (agent-weeks are dated by them)."""
    return tuple(sorted({d - dt.timedelta(days=d.weekday()) for d in days}))


def agent_weeks_sql(month: dt.date, contracts: Contracts, days: Days = None) -> str:
    """Agent-weeks of the month: ISO weeks (vendor time) whose Thursday is in the month (with
    `days`, only the weeks holding one of them), under the contract in force on that Thursday, with
    the agent's sessions on every channel merged and clipped to the whole week. Weeks without
    logged time have no row."""
    first, last = iso_weeks(month)
    weeks = None if days is None else [m for m in mondays(days) if first <= m <= last]
    if weeks:
        first, last = weeks[0], weeks[-1]
    lo, hi = _utc(add_days(first, -1)), _utc(add_days(last, 8))
    listed = ", ".join(f"DATE '{m}'" for m in weeks or ()) or "NULL"
    only = "true" if weeks is None else f"g.monday::DATE IN ({listed})"
    return f"""(
        WITH weeks AS (
            SELECT c.contract_id, c.vendor_id, g.monday,
                   {local_instant("g.monday", "v.timezone")} AS start_at,
                   {local_instant("g.monday + INTERVAL 7 DAY", "v.timezone")} AS end_at
            FROM contracts c JOIN vendors v USING (vendor_id)
            CROSS JOIN (SELECT unnest(generate_series({_ts(first)}, {_ts(last)}, INTERVAL 7 DAY)) AS monday) g
            WHERE c.contract_id IN {sql_in(contracts)} AND {only}
              AND (g.monday + INTERVAL 3 DAY)::DATE >= c.start_date
              AND (c.end_date IS NULL OR (g.monday + INTERVAL 3 DAY)::DATE <= c.end_date)),
        sessions AS ({_sessions(_vendors(contracts), ["vendor_id", "agent_id"], lo, hi)})
        SELECT w.contract_id, w.vendor_id, CAST(NULL AS VARCHAR) AS channel,
               s.agent_id || ' ' || strftime(w.monday, '%G-W%V') AS id, w.monday AS local_start, s.agent_id,
               sum({_overlap_us("s", "w")})::BIGINT AS logged_us
        FROM weeks w JOIN sessions s
          ON s.vendor_id = w.vendor_id AND s.start_at < w.end_at AND s.end_at > w.start_at
        GROUP BY ALL)"""


def source_of(target: dict) -> str:
    """Which facts relation a target is measured on."""
    return metric(target["metric"]).source or target["channel"]


def for_targets(con: duckdb.DuckDBPyConnection, source: str, month: dt.date, targets: list[dict]) -> str:
    """The facts relation of `source` for the contracts and channels of `targets` (with
    business-clock durations when one of them runs on that clock)."""
    return relation(
        con,
        source,
        month,
        sorted({t["contract_id"] for t in targets}),
        any(t["clock"] == "business" for t in targets),
        sorted({t["channel"] for t in targets}),
    )


def relation(
    con: duckdb.DuckDBPyConnection,
    source: str,
    month: dt.date,
    contracts: Contracts,
    business: bool,
    channels: Sequence[str] = (),
    days: Days = None,
) -> str:
    """The facts relation of `source` for `contracts` (coverage: of `channels`) in the month or on
    its `days`, with business-clock durations when `business`."""
    if source == "coverage":
        return coverage_sql(month, contracts, list(channels), days)
    if source == "agent_weeks":
        return agent_weeks_sql(month, contracts, days)
    clock = None
    span_sql = clock_span_sql(source, month, contracts, days) if business else None
    if span_sql:
        first, last = con.execute(span_sql).fetchall()[0]
        # from the first start to past the last end; a UTC date is within a day of the local one
        first = add_days(first, -1) if first else month
        clock = (first, add_days(last or first, 2))
    return interactions_sql(source, month, contracts, clock, days)
