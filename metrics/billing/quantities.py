"""Usage quantities (SPEC §4), one per ladder in force, measured set-based in DuckDB.

Quantities leave the engine in exact base units: whole seconds for `minute` and `hour` (every
call or interval is rounded up to the ladder's increment_seconds first, so the sum is whole) and
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
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from metrics.billing.rates import IN_FORCE
from metrics.periods import next_month
from metrics.service_hours import merged_intervals_sql, windows_sql

US = 1_000_000


def _in_month(table: str) -> str:
    """SQL: `table`'s rows attributed to the contracts with their local start in the month."""
    return (f"{table} WHERE contract_id IN (SELECT unnest($ids)) "
            f"AND local_start >= $month AND local_start < $end")


def _rounded_up_seconds(us: str) -> str:
    """SQL: the microsecond duration `us` in whole seconds rounded up to a multiple of l.inc."""
    return f"({us} + l.inc * {US} - 1) // (l.inc * {US}) * l.inc"


def _quantities_sql(month: dt.date, contract_ids: list[str]) -> str:
    end = next_month(month)
    return f"""
    WITH ladder AS (  -- a ladder's quantity is measured once, with its lowest tier's increment
        SELECT r.contract_id, r.channel, r.unit,
               arg_min(r.increment_seconds, coalesce(r.tier_from, 0)) AS inc
        FROM rates r WHERE r.contract_id IN (SELECT unnest($ids)) AND {IN_FORCE}
        GROUP BY ALL),
    handled AS (
        SELECT contract_id, 'phone' AS channel, epoch_us(ended_at) - epoch_us(answered_at) AS talk_us,
               0 AS replies
        FROM {_in_month('calls')} AND answered_at IS NOT NULL
        UNION ALL SELECT contract_id, 'chat', NULL, 0 FROM {_in_month('chats')} AND first_response_at IS NOT NULL
        UNION ALL SELECT contract_id, 'email', NULL, replies FROM {_in_month('emails')} AND first_reply_at IS NOT NULL
        UNION ALL SELECT contract_id, 'onsite', NULL, 0 FROM {_in_month('visits')} AND status = 'completed'),
    sessions AS (  -- a day either side: every session that can touch the month in any zone
        SELECT vendor_id, agent_id, channel, login_at, logout_at FROM agent_sessions
        WHERE vendor_id IN (SELECT vendor_id FROM contracts WHERE contract_id IN (SELECT unnest($ids)))
          AND login_at < $end::TIMESTAMPTZ + INTERVAL 2 DAY AND logout_at > $month::TIMESTAMPTZ - INTERVAL 2 DAY),
    worked AS ({merged_intervals_sql('sessions', ['vendor_id', 'agent_id', 'channel'], 'login_at', 'logout_at')}),
    service AS ({merged_intervals_sql(f'({windows_sql(month, end, contract_ids)})',
                                      ['contract_id', 'vendor_id', 'channel'])}),
    billed_time AS (
        SELECT s.contract_id, s.channel,
               epoch_us(least(w.end_at, s.end_at)) - epoch_us(greatest(w.start_at, s.start_at)) AS us
        FROM worked w JOIN service s ON s.vendor_id = w.vendor_id AND s.channel = w.channel
             AND w.start_at < s.end_at AND s.start_at < w.end_at)
    SELECT l.contract_id, l.channel, l.unit,
           sum(CASE l.unit WHEN 'minute' THEN {_rounded_up_seconds('h.talk_us')}
                           WHEN 'email' THEN h.replies
                           ELSE 1 END) AS base
    FROM ladder l JOIN handled h ON h.contract_id = l.contract_id AND h.channel = l.channel
    WHERE l.unit <> 'hour'
    GROUP BY ALL
    UNION ALL
    SELECT l.contract_id, l.channel, l.unit, sum({_rounded_up_seconds('t.us')})
    FROM ladder l JOIN billed_time t ON t.contract_id = l.contract_id AND t.channel = l.channel
    WHERE l.unit = 'hour'
    GROUP BY ALL"""


def usage_quantities(con: duckdb.DuckDBPyConnection, month: dt.date,
                     contract_ids: list[str]) -> dict[tuple[str, str, str], Decimal]:
    """{(contract_id, channel, unit): quantity in base units} for every ladder with usage."""
    rows = con.execute(_quantities_sql(month, contract_ids),
                       {"month": month, "end": next_month(month), "ids": contract_ids}).fetchall()
    return {(c, ch, u): Decimal(base) for c, ch, u, base in rows if base}
