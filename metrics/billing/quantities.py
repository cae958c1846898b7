"""Usage quantities (SPEC §4), one per ladder in force, measured set-based in DuckDB.

Quantities leave the engine in exact base units: whole seconds for `minute` and `hour` (every
call or interval is rounded up to the ladder's increment first, so the sum is whole) and
counts for `email`, `visit` and `contact`. Only the pricing (rates.py) turns them into minutes
and hours.

- minute: answered calls; each call's talk (ended_at - answered_at) rounded up to the increment.
- hour: agent sessions of the vendor on the channel, merged per agent (overlaps bill once),
  intersected with the channel's service windows on the contract's active days of the month;
  each resulting interval rounded up to the increment. Touching windows (a 24/7 channel's days)
  are merged first, so only a real service-hours boundary or the month's edge cuts a session.
- email: Σ replies; visit: completed visits; contact: handled contacts (answered calls,
  responded chats, replied e-mails, completed visits) of the channel.
Interactions count when attributed to the contract with their local start in the month.

Quantities are sums per local day (an hour interval counts on the day it starts), so the month is
the sum of its days and a day can be measured again alone (metrics/rollup.py). Each interaction
table is read once, joined to its contracts' ladders (one row per contract, a column per unit), with
every unit it bills as one aggregate; a ladder's increment comes from that join, so the statement
is the same for four contracts or a thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import duckdb

from metrics import store
from metrics.billing.rates import Ladder, ladders_sql
from metrics.domain import CHANNEL, INTERACTIONS, SESSIONS, UNIT
from metrics.periods import Days, month_filter, next_month
from metrics.service_hours import merged_intervals_sql, windows_sql
from metrics.sql import Contracts, Query, sql_in, sql_text

US = 1_000_000

# The base quantity a handled row (domain.Channel.handled) adds to each unit ({inc}: the ladder's
# increment_seconds); `hour` is agent-session time, not a sum over interactions.
PER_ROW = {
    "minute": f"(epoch_us(ended_at) - epoch_us(answered_at) + {{inc}} * {US} - 1) // ({{inc}} * {US}) * {{inc}}",
    "email": "replies",
    "visit": "1",
    "contact": "1",
}


def _ladders(month: dt.date, contracts: Contracts, unit_in: str) -> str:
    """SQL: the ladders in force (billing/rates.py) of `contracts` whose unit satisfies `unit_in`."""
    return f"(SELECT * FROM {ladders_sql(month)} WHERE contract_id IN {sql_in(contracts)} AND {unit_in})"


def _interaction_sql(channel: str, month: dt.date, contracts: Contracts, days: Days) -> str:
    """One pass over the channel's table: contract_id, unit, day and quantity of every ladder on
    the channel that counts its rows."""
    units = [u for u in PER_ROW if channel in UNIT[u].channels]
    ladders = _ladders(month, contracts, f"channel = {sql_text(channel)} AND unit <> 'hour'")
    pivot = ", ".join(f"max(coalesce(increment, 1)) FILTER (WHERE unit = '{u}') AS _{u}" for u in units)
    sums = ", ".join(
        f"sum({PER_ROW[u].format(inc=f'l._{u}')}) FILTER (WHERE l._{u} IS NOT NULL)::HUGEINT AS {u}" for u in units
    )
    quantities = ", ".join(f"{{'unit': '{u}', 'quantity': {u}}}" for u in units)
    return f"""
        SELECT contract_id, '{channel}' AS channel, unit, day, quantity FROM (
            SELECT contract_id, day, unnest([{quantities}], recursive := true)
            FROM (SELECT t.contract_id, t.local_start::DATE AS day, {sums}
                  FROM {CHANNEL[channel].table} t
                  JOIN (SELECT contract_id, {pivot} FROM {ladders} GROUP BY contract_id) l USING (contract_id)
                  WHERE {CHANNEL[channel].handled} AND {month_filter(month, days)}
                  GROUP BY ALL))
        WHERE quantity IS NOT NULL"""


def _worked_sql(month: dt.date, ladders: str) -> str:
    """SQL (CTEs `sessions`, `worked`): the agent sessions on the channels `ladders` bill, merged per
    vendor, agent and channel, from every session that can touch the month in any zone."""
    end = next_month(month)
    return f"""
    sessions AS (  -- a day either side: every session that can touch the month in any zone
        SELECT vendor_id, agent_id, channel, login_at, logout_at FROM agent_sessions
        WHERE vendor_id IN (SELECT vendor_id FROM contracts WHERE contract_id IN (SELECT contract_id FROM {ladders}))
          AND channel IN (SELECT channel FROM {ladders})
          AND login_at < TIMESTAMPTZ '{end} 00:00:00+00' + INTERVAL 2 DAY
          AND logout_at > TIMESTAMPTZ '{month} 00:00:00+00' - INTERVAL 2 DAY),
    worked AS ({merged_intervals_sql("sessions", ["vendor_id", "agent_id", "channel"], "login_at", "logout_at")})"""


def _hours_sql(month: dt.date, contracts: Contracts, days: Days) -> str:
    """contract_id, 'hour', day and the rounded session seconds of every `hour` ladder, per local
    day an interval starts on."""
    end = next_month(month)
    ladders = _ladders(month, contracts, "unit = 'hour'")
    windows = windows_sql(month, end, Query(f"SELECT contract_id FROM {ladders}"))
    return f"""
    WITH {_worked_sql(month, ladders)},
    service AS ({merged_intervals_sql(f"({windows})", ["contract_id", "vendor_id", "channel"])}),
    billed_time AS (
        SELECT s.contract_id, s.vendor_id, s.channel, greatest(w.start_at, s.start_at) AS start_at,
               epoch_us(least(w.end_at, s.end_at)) - epoch_us(greatest(w.start_at, s.start_at)) AS us
        FROM worked w JOIN service s ON s.vendor_id = w.vendor_id AND s.channel = w.channel
             AND w.start_at < s.end_at AND s.start_at < w.end_at)
    SELECT b.contract_id, b.channel, 'hour' AS unit, timezone(v.timezone, b.start_at)::DATE AS day,
           sum((us + l.increment * {US} - 1) // (l.increment * {US}) * l.increment)::HUGEINT AS quantity
    FROM billed_time b JOIN {ladders} l USING (contract_id, channel) JOIN vendors v USING (vendor_id)
    WHERE {month_filter(month, days, "timezone(v.timezone, b.start_at)")}
    GROUP BY ALL"""


def usage_sql(month: dt.date, contracts: Contracts, days: Days = None, tables: Iterable[str] = INTERACTIONS) -> str:
    """SQL: contract_id, channel, unit, day, quantity (base units) of every ladder in force of
    `contracts` with usage, per local day of the month (or of its `days`): the ladders fed by the
    rows of `tables` (agent sessions feed the `hour` ones)."""
    parts = [_interaction_sql(c.name, month, contracts, days) for c in CHANNEL.values() if c.table in tables]
    if SESSIONS in tables:
        parts.append(f"SELECT contract_id, channel, unit, day, quantity FROM ({_hours_sql(month, contracts, days)})")
    return "(" + " UNION ALL ".join(parts) + ")"


def hour_days(con: duckdb.DuckDBPyConnection, month: dt.date, days: tuple[dt.date, ...]) -> tuple[dt.date, ...]:
    """The days whose hour quantities sessions on `days` can move: `days`, and every day of a
    merged session that reaches one of them (it is billed as one interval, counted on the day it
    starts, wherever a session joined or left it)."""
    ladders = _ladders(month, Query("SELECT contract_id FROM contracts"), "unit = 'hour'")
    found = con.execute(
        f"""
        WITH {_worked_sql(month, ladders)},
        spans AS (SELECT timezone(v.timezone, w.start_at)::DATE AS first, timezone(v.timezone, w.end_at)::DATE AS last
                  FROM worked w JOIN vendors v USING (vendor_id))
        SELECT DISTINCT unnest(generate_series(first::TIMESTAMP, last::TIMESTAMP, INTERVAL 1 DAY))::DATE
        FROM spans WHERE EXISTS (SELECT 1 FROM unnest(?::DATE[]) d(day) WHERE d.day BETWEEN first AND last)""",
        [list(days)],
    ).fetchall()
    month_days = {d for (d,) in found if month <= d < next_month(month)}
    return tuple(sorted(month_days | set(days)))


def usage_quantities(
    con: duckdb.DuckDBPyConnection, month: dt.date, ladders: list[Ladder]
) -> dict[tuple[str, str, str], Decimal]:
    """{(contract_id, channel, unit): quantity in base units} for every ladder with usage: from the
    month's rollup when it has one (metrics/rollup.py), else measured from its rows."""
    wanted = {(ld.contract_id, ld.channel, ld.unit) for ld in ladders}
    contracts = sorted({ld.contract_id for ld in ladders})
    if store.rolled_up(con, month):
        source = f"(SELECT * FROM usage_rollup WHERE month = DATE '{month}' AND contract_id IN {sql_in(contracts)})"
    else:
        source = usage_sql(month, contracts)
    rows = con.execute(f"SELECT contract_id, channel, unit, sum(quantity) FROM {source} GROUP BY ALL").fetchall()
    return {(c, ch, u): Decimal(q) for c, ch, u, q in rows if (c, ch, u) in wanted and q}
