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

Each interaction table is read once, grouped by contract, with every unit it bills as one
aggregate; a ladder's increment enters the SQL as a literal, so no row is joined to the rate card.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from metrics import store
from metrics.billing.rates import Ladder
from metrics.domain import CHANNEL
from metrics.periods import next_month
from metrics.service_hours import merged_intervals_sql, windows_sql
from metrics.sql import sql_list, sql_text

US = 1_000_000

# The base quantity a handled row (domain.Channel.handled) adds to each unit ({inc}: the ladder's
# increment_seconds); `hour` is agent-session time, not a sum over interactions.
PER_ROW = {
    "minute": f"(epoch_us(ended_at) - epoch_us(answered_at) + {{inc}} * {US} - 1) // ({{inc}} * {US}) * {{inc}}",
    "email": "replies",
    "visit": "1",
    "contact": "1",
}


def _ids(ladders: list[Ladder]) -> str:
    return sql_list(sorted({ld.contract_id for ld in ladders}))


def _by_contract(ladders: list[Ladder], sql: str) -> str:
    """SQL: `sql` with {inc} replaced by each ladder's increment, chosen by the row's contract."""
    cases = " ".join(f"WHEN {sql_text(ld.contract_id)} THEN {sql.format(inc=ld.increment)}" for ld in ladders)
    return f"CASE contract_id {cases} END"


def _interaction_sql(channel: str, ladders: list[Ladder], month: dt.date) -> str:
    """One pass over the channel's table: contract_id and a sum per unit billed on the channel."""
    units = sorted({ld.unit for ld in ladders})
    sums = ", ".join(
        f"sum({_by_contract([ld for ld in ladders if ld.unit == u], PER_ROW[u])})::HUGEINT AS {u}" for u in units
    )
    return f"""
        SELECT contract_id, {sums} FROM {CHANNEL[channel].table}
        WHERE contract_id IN {_ids(ladders)} AND {CHANNEL[channel].handled}
          AND local_start >= TIMESTAMP '{month}' AND local_start < TIMESTAMP '{next_month(month)}'
        GROUP BY contract_id"""


def _hours_sql(ladders: list[Ladder], month: dt.date) -> str:
    """contract_id, channel and the rounded session seconds of every `hour` ladder."""
    end = next_month(month)
    channels = sql_list(sorted({ld.channel for ld in ladders}))
    per_ladder = " ".join(
        f"WHEN contract_id = {sql_text(ld.contract_id)} AND channel = {sql_text(ld.channel)} "
        f"THEN (us + {ld.increment * US} - 1) // {ld.increment * US} * {ld.increment}"
        for ld in ladders
    )
    return f"""
    WITH sessions AS (  -- a day either side: every session that can touch the month in any zone
        SELECT vendor_id, agent_id, channel, login_at, logout_at FROM agent_sessions
        WHERE vendor_id IN (SELECT vendor_id FROM contracts WHERE contract_id IN {_ids(ladders)})
          AND channel IN {channels}
          AND login_at < TIMESTAMPTZ '{end} 00:00:00+00' + INTERVAL 2 DAY
          AND logout_at > TIMESTAMPTZ '{month} 00:00:00+00' - INTERVAL 2 DAY),
    worked AS ({merged_intervals_sql("sessions", ["vendor_id", "agent_id", "channel"], "login_at", "logout_at")}),
    service AS ({
        merged_intervals_sql(
            f"(SELECT * FROM ({windows_sql(month, end, sorted({ld.contract_id for ld in ladders}))}) "
            f"WHERE channel IN {channels})",
            ["contract_id", "vendor_id", "channel"],
        )
    }),
    billed_time AS (
        SELECT s.contract_id, s.channel,
               epoch_us(least(w.end_at, s.end_at)) - epoch_us(greatest(w.start_at, s.start_at)) AS us
        FROM worked w JOIN service s ON s.vendor_id = w.vendor_id AND s.channel = w.channel
             AND w.start_at < s.end_at AND s.start_at < w.end_at)
    SELECT contract_id, channel, sum(CASE {per_ladder} END)::HUGEINT AS hour
    FROM billed_time GROUP BY ALL"""


def usage_quantities(
    con: duckdb.DuckDBPyConnection, month: dt.date, ladders: list[Ladder]
) -> dict[tuple[str, str, str], Decimal]:
    """{(contract_id, channel, unit): quantity in base units} for every ladder with usage: from the
    month's rollup when it has one (metrics/rollup.py), else measured from its rows."""
    if not store.rolled_up(con, month):
        return measured_usage(con, month, ladders)
    wanted = {(ld.contract_id, ld.channel, ld.unit) for ld in ladders}
    rows = con.execute(
        "SELECT contract_id, channel, unit, quantity FROM usage_rollup WHERE month = ?", [month]
    ).fetchall()
    return {(c, ch, u): Decimal(q) for c, ch, u, q in rows if (c, ch, u) in wanted and q}


def measured_usage(
    con: duckdb.DuckDBPyConnection, month: dt.date, ladders: list[Ladder]
) -> dict[tuple[str, str, str], Decimal]:
    """{(contract_id, channel, unit): quantity in base units} for every ladder with usage, measured
    from the month's rows."""
    found: dict[tuple[str, str, str], Decimal] = {}
    counted = [ld for ld in ladders if ld.unit != "hour"]
    for channel in CHANNEL:
        mine = [ld for ld in counted if ld.channel == channel]
        if not mine:
            continue
        result = con.execute(_interaction_sql(channel, mine, month))
        units = [d[0] for d in result.description[1:]]
        for contract_id, *sums in result.fetchall():
            found |= {(contract_id, channel, u): Decimal(q) for u, q in zip(units, sums) if q}
    hours = [ld for ld in ladders if ld.unit == "hour"]
    if hours:
        found |= {(c, ch, "hour"): Decimal(q) for c, ch, q in con.execute(_hours_sql(hours, month)).fetchall() if q}
    return found
