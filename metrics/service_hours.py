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

import duckdb

from metrics.ingest.tables import CHANNELS

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def local_instant(ts: str, tz: str) -> str:
    """SQL: the instant of local timestamp `ts` in zone `tz`. Like ingest, a wall-clock time that a
    DST change repeats is its first occurrence; one the change skips moves forward."""
    later = f"timezone({tz}, {ts})"
    return (f"CASE WHEN timezone({tz}, {later} - INTERVAL 1 HOUR) = {ts} "
            f"THEN {later} - INTERVAL 1 HOUR ELSE {later} END")


def windows_sql(start: dt.date, end: dt.date, contract_ids: list[str] | None = None) -> str:
    """SQL for `service_windows` (see there); composable into larger queries."""
    only = f"AND c.contract_id IN ({', '.join(map(sql_text, contract_ids))})" if contract_ids else ""
    if contract_ids == []:
        only = "AND false"
    last = f"{_date(end)} - 1"
    day_name = f"{list(WEEKDAYS)}[isodow(d.local_date)]"
    weekday = "(isodow(d.local_date) <= 5 OR d.holiday IS NOT DISTINCT FROM 'workday')"
    return f"""
    WITH active AS (
        SELECT c.contract_id, c.vendor_id, v.timezone AS tz,
               greatest(c.start_date, {_date(start)}) AS first_day,
               least(coalesce(c.end_date, {last}), {last}) AS last_day
        FROM contracts c JOIN vendors v USING (vendor_id)
        WHERE c.start_date < {_date(end)} AND (c.end_date IS NULL OR c.end_date >= {_date(start)}) {only}),
    days AS (
        SELECT a.contract_id, a.vendor_id, a.tz, ch.channel, g.local_date, h.kind AS holiday
        FROM active a
        CROSS JOIN (SELECT unnest({list(CHANNELS)}) AS channel) ch
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


def service_windows(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date,
                    contract_ids: list[str] | None = None) -> duckdb.DuckDBPyRelation:
    """Service windows of every channel of each contract (all contracts when `contract_ids` is None)
    for each local date in [start, end) on which the contract is active.

    Columns: contract_id, vendor_id, channel, local_date, start_at, end_at (instants). Windows of one
    contract and channel never overlap; a split shift gives several windows on one date.
    """
    return con.sql(windows_sql(start, end, contract_ids))


def business_clock_sql(start: dt.date, end: dt.date, contract_ids: list[str] | None = None) -> str:
    """SQL: the service windows with `before_us`, the service microseconds of all earlier windows of
    the same contract and channel. Reading the clock at an instant is then one ASOF join (see
    `clock_join`), and business time between a <= b is reading(b) - reading(a): no per-interaction
    expansion over the days in between."""
    return f"""
    SELECT contract_id, channel, start_at, end_at,
           coalesce(sum(epoch_us(end_at) - epoch_us(start_at)) OVER (
               PARTITION BY contract_id, channel ORDER BY start_at
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_us
    FROM ({windows_sql(start, end, contract_ids)})"""


def clock_join(clock: str, alias: str, row: str, at: str) -> tuple[str, str]:
    """(join clause, expression) reading business clock `clock` at instant `at` of row alias `row`
    (which has contract_id and channel): service microseconds from the clock's first window up to
    `at`. NULL when `at` is NULL; 0 before the first window."""
    join = (f"ASOF LEFT JOIN {clock} {alias} ON {alias}.contract_id = {row}.contract_id "
            f"AND {alias}.channel = {row}.channel AND {at} >= {alias}.start_at")
    into = f"least(epoch_us({at}) - epoch_us({alias}.start_at), epoch_us({alias}.end_at) - epoch_us({alias}.start_at))"
    reading = f"CASE WHEN {at} IS NOT NULL THEN coalesce({alias}.before_us + {into}, 0) END"
    return join, reading


def merged_intervals_sql(source: str, keys: list[str], start: str = "start_at", end: str = "end_at") -> str:
    """SQL: the intervals of `source` (a table, view or parenthesised query) merged per `keys` into
    disjoint [start_at, end_at) runs: overlapping or touching intervals become one (an agent logged
    in twice, or two agents covering a channel back to back)."""
    part = ", ".join(keys)
    return f"""
    SELECT {part}, min(s) AS start_at, max(e) AS end_at
    FROM (SELECT *, sum(opens) OVER (PARTITION BY {part} ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS run
          FROM (SELECT {part}, {start} AS s, {end} AS e,
                       CASE WHEN {start} <= max({end}) OVER (PARTITION BY {part} ORDER BY {start}, {end}
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS opens
                FROM {source}))
    GROUP BY {part}, run"""


__all__ = ["business_clock_sql", "clock_join", "local_instant", "merged_intervals_sql", "service_windows",
           "sql_text", "windows_sql"]
