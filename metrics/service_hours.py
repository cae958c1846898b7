"""Service hours as instants, and the business clock that counts only the seconds inside them.

SPEC §2: a channel's service hours are its service_hours rows in the vendor's time zone with
the vendor's holidays applied (`closed` removes the day; `workday` makes `weekdays` rows apply
and `weekends` rows not; rows naming days follow the real day name). A channel without rows is
served every second. The same windows bound the `business` clock, `coverage_rate` and `hour`
billing, so they are built here once.

Windows are made per local date in wall-clock time and only then turned into instants, so
08:00-22:00 is 14 hours on a daylight-saving day while a 24/7 day lasts 23 or 25 hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb

from metrics.domain import CHANNELS, WEEKDAYS
from metrics.periods import add_days
from metrics.sql import Query, sql_in


def _date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def local_instant(ts: str, tz: str) -> str:
    """SQL: the instant of local timestamp `ts` in zone `tz`. Like ingest, a wall-clock time that a
    DST change repeats is its first occurrence; one the change skips moves forward."""
    later = f"timezone({tz}, {ts})"
    return f"CASE WHEN timezone({tz}, {later} - INTERVAL 1 HOUR) = {ts} THEN {later} - INTERVAL 1 HOUR ELSE {later} END"


def windows_sql(
    start: dt.date,
    end: dt.date,
    contract_ids: Sequence[str] | Query | None = None,
    contract_days: bool = True,
    channels: Sequence[str] = CHANNELS,
) -> str:
    """SQL for `service_windows` (see there) of `channels`; composable into larger queries. With
    `contract_days` False, every date in [start, end) has its windows, whatever the contract's dates
    (the business clock: the contract decides which interactions count, never when their clock
    stops)."""
    only = "" if contract_ids is None else f"AND c.contract_id IN {sql_in(contract_ids)}"
    last = f"{_date(end)} - 1"
    day_name = f"{list(WEEKDAYS)}[isodow(d.local_date)]"
    weekday = "(isodow(d.local_date) <= 5 OR d.holiday IS NOT DISTINCT FROM 'workday')"
    if contract_days:
        first_day, last_day = f"greatest(c.start_date, {_date(start)})", f"least(coalesce(c.end_date, {last}), {last})"
        active = f"c.start_date < {_date(end)} AND (c.end_date IS NULL OR c.end_date >= {_date(start)})"
    else:
        first_day, last_day, active = _date(start), last, "true"
    return f"""
    WITH active AS (
        SELECT c.contract_id, c.vendor_id, v.timezone AS tz, {first_day} AS first_day, {last_day} AS last_day
        FROM contracts c JOIN vendors v USING (vendor_id)
        WHERE {active} {only}),
    days AS (
        SELECT a.contract_id, a.vendor_id, a.tz, ch.channel, g.local_date, h.kind AS holiday
        FROM active a
        CROSS JOIN (SELECT unnest({list(channels)}) AS channel) ch
        CROSS JOIN LATERAL (SELECT unnest(generate_series(a.first_day::TIMESTAMP, a.last_day::TIMESTAMP,
                                                          INTERVAL 1 DAY))::DATE AS local_date) g
        LEFT JOIN holidays h ON h.vendor_id = a.vendor_id AND h.date = g.local_date),
    with_rows AS (SELECT DISTINCT contract_id, channel FROM service_hours),
    shifts AS (  -- local minutes [open, close) of each shift that applies on each day
        SELECT d.contract_id, d.vendor_id, d.tz, d.channel, d.local_date, s.open, s.close
        FROM days d JOIN service_hours s ON s.contract_id = d.contract_id AND s.channel = d.channel
        WHERE d.holiday IS DISTINCT FROM 'closed' AND (
              s.days = 'daily'
              OR (s.days = 'weekdays' AND {weekday})
              OR (s.days = 'weekends' AND NOT {weekday})
              OR list_contains(string_split(s.days, ','), {day_name}))
        UNION ALL
        SELECT d.contract_id, d.vendor_id, d.tz, d.channel, d.local_date, 0, 1440
        FROM days d ANTI JOIN with_rows r ON r.contract_id = d.contract_id AND r.channel = d.channel),
    flagged AS (  -- a shift opens a new window unless an earlier one of the day still runs
        SELECT *, CASE WHEN open <= max(close) OVER (
                      PARTITION BY contract_id, channel, local_date ORDER BY open, close
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS opens
        FROM shifts),
    merged AS (
        SELECT contract_id, vendor_id, tz, channel, local_date, min(open) AS open, max(close) AS close
        FROM (SELECT *, sum(opens) OVER (PARTITION BY contract_id, channel, local_date ORDER BY open, close
                                         ROWS UNBOUNDED PRECEDING) AS n FROM flagged)
        GROUP BY contract_id, vendor_id, tz, channel, local_date, n)
    SELECT contract_id, vendor_id, channel, local_date,
           {local_instant("local_date::TIMESTAMP + to_minutes(open::BIGINT)", "tz")} AS start_at,
           {local_instant("local_date::TIMESTAMP + to_minutes(close::BIGINT)", "tz")} AS end_at
    FROM merged"""


def service_windows(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, contract_ids: list[str] | None = None
) -> duckdb.DuckDBPyRelation:
    """Service windows of every channel of each contract (all contracts when `contract_ids` is None)
    for each local date in [start, end) on which the contract is active.

    Columns: contract_id, vendor_id, channel, local_date, start_at, end_at (instants). Windows of one
    contract and channel never overlap; a split shift gives several windows on one date.
    """
    return con.sql(windows_sql(start, end, contract_ids))


# The business clock is read in UTC-hour buckets: an equality join on the bucket finds an
# instant's segment among a handful of rows, where an ASOF join over the windows would sort every
# interaction (about ten times slower on a million e-mails).
BUCKET_US = 3_600_000_000


def _epoch_us(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) * 1_000_000


def business_clock_sql(
    start: dt.date, end: dt.date, contract_ids: Sequence[str] | Query | None = None, channels: Sequence[str] = CHANNELS
) -> str:
    """SQL: the business clock of each contract and channel (of `channels`) over the service windows of the local
    dates [start, end) — every date, the contract's dates aside — as segments [lo_us, hi_us) (epoch
    microseconds) that are each wholly inside or wholly outside service hours and never cross a UTC
    hour (`bucket`). `before_us` is the service time before lo_us, so the reading at an instant t
    of a segment is before_us, plus t - lo_us when the segment is open: business time between
    a <= b is reading(b) - reading(a), with no per-interaction expansion over the days in between
    (see `clock_join`).

    The segments cover two days either side of [start, end) in UTC, which holds every window."""
    lo, hi = _epoch_us(add_days(start, -2)), _epoch_us(add_days(end, 2))
    return f"""
    WITH w AS (
        SELECT contract_id, channel, epoch_us(start_at) AS s, epoch_us(end_at) AS e,
               coalesce(sum(epoch_us(end_at) - epoch_us(start_at)) OVER (
                   PARTITION BY contract_id, channel ORDER BY start_at
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_us
        FROM ({windows_sql(start, end, contract_ids, False, channels)}) WHERE end_at > start_at),
    cuts AS (
        SELECT contract_id, channel, s AS cut FROM w
        UNION SELECT contract_id, channel, e FROM w
        UNION SELECT contract_id, channel, unnest(generate_series({lo}, {hi}, {BUCKET_US}))
              FROM (SELECT DISTINCT contract_id, channel FROM w)),
    segments AS (
        SELECT contract_id, channel, cut AS lo_us,
               lead(cut) OVER (PARTITION BY contract_id, channel ORDER BY cut) AS hi_us
        FROM cuts)
    SELECT g.contract_id, g.channel, g.lo_us // {BUCKET_US} AS bucket, g.lo_us, g.hi_us,
           coalesce(w.before_us + least(g.lo_us - w.s, w.e - w.s), 0)::BIGINT AS before_us,
           coalesce(g.lo_us < w.e, false) AS open
    FROM segments g ASOF LEFT JOIN w ON w.contract_id = g.contract_id AND w.channel = g.channel AND g.lo_us >= w.s
    WHERE g.hi_us IS NOT NULL"""


def clock_join(clock: str, alias: str, row: str, at: str) -> tuple[str, str]:
    """(join clause, expression) reading business clock `clock` at instant `at` of row alias `row`
    (which has contract_id and channel): service microseconds from the clock's first window up to
    `at`. NULL when `at` is NULL (or outside the clock's range)."""
    us = f"epoch_us({at})"
    join = (
        f"LEFT JOIN {clock} {alias} ON {alias}.contract_id = {row}.contract_id "
        f"AND {alias}.channel = {row}.channel AND {alias}.bucket = {us} // {BUCKET_US} "
        f"AND {us} >= {alias}.lo_us AND {us} < {alias}.hi_us"
    )
    reading = f"({alias}.before_us + CASE WHEN {alias}.open THEN {us} - {alias}.lo_us ELSE 0 END)"
    return join, reading


def merged_intervals_sql(source: str, keys: list[str], start: str = "start_at", end: str = "end_at") -> str:
    """SQL: the intervals of `source` (a table, view or parenthesised query) merged per `keys` into
    disjoint [start_at, end_at) runs: overlapping or touching intervals become one (an agent logged
    in twice, or two agents covering a channel back to back). The window functions partition by
    an integer id of the keys: sorting on the text keys themselves costs about twice as much."""
    part = ", ".join(keys)
    same = " AND ".join(f"i.{k} IS NOT DISTINCT FROM x.{k}" for k in keys)
    return f"""
    WITH x AS (SELECT {part}, {start} AS s, {end} AS e FROM {source}),
    ids AS (SELECT *, row_number() OVER () AS k FROM (SELECT DISTINCT {part} FROM x)),
    flagged AS (
        SELECT i.k, x.s, x.e,
               CASE WHEN x.s <= max(x.e) OVER (PARTITION BY i.k ORDER BY x.s, x.e
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS opens
        FROM x JOIN ids i ON {same}),
    runs AS (
        SELECT k, min(s) AS start_at, max(e) AS end_at
        FROM (SELECT *, sum(opens) OVER (PARTITION BY k ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS run FROM flagged)
        GROUP BY k, run)
    SELECT {", ".join(f"i.{k}" for k in keys)}, r.start_at, r.end_at FROM runs r JOIN ids i USING (k)"""


__all__ = [
    "business_clock_sql",
    "clock_join",
    "local_instant",
    "merged_intervals_sql",
    "service_windows",
    "windows_sql",
]
