"""One month of the generator's traffic spread over many vendors and contracts (the contracts sweep).

The generator (metrics/generate) writes four seed vendors. To measure what the number of contracts
costs with everything else equal, the same month is rewritten here for N vendors, one contract
each: every row keeps its times and values and gets the vendor `S0000` ... chosen by a hash of its
agent (so an agent's calls and sessions stay together) or, without an agent, of its id. Each contract
takes the seed contracts' terms — every channel's targets, rates and service hours — with some terms
varied per contract (the service-level threshold, the e-mail reply clock and threshold, the abandon
rules), so that no two neighbouring contracts measure alike; the vendors' zones cycle through four
(two with a daylight-saving change in the month).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from metrics.domain import CHANNEL, DATED, SESSIONS

ZONES = ("Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
HOLIDAYS = ("2026-10-01", "2026-10-02", "2026-10-03")


def vendor_sql(n: int, key: str) -> str:
    return f"'S' || lpad((hash({key}) % {n})::VARCHAR, 4, '0')"


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY ({sql}) TO '{target}' (HEADER, DELIMITER ',')")


def spread(source: Path, target: Path, n: int) -> None:
    """Write `source` (a generated data directory) into `target` with its rows spread over `n`
    vendors and contracts (see the module docstring)."""
    con = duckdb.connect()
    for table in (*DATED, SESSIONS):
        files = sorted(str(f) for f in (source / table).glob("*.csv"))
        id_column = (
            CHANNEL[next(c for c in CHANNEL if CHANNEL[c].table == table)].id if table in DATED else "session_id"
        )
        vendor = vendor_sql(n, f"coalesce(agent_id, {id_column})")
        _copy(
            con,
            f"SELECT * REPLACE ({vendor} AS vendor_id) FROM read_csv({files}, all_varchar = true, header = true)",
            target / table / "part-0001.csv",
        )
    ids = f"(SELECT i, 'S' || lpad(i::VARCHAR, 4, '0') AS v, 'K' || lpad(i::VARCHAR, 4, '0') AS c FROM range({n}) t(i))"
    zones = "[" + ", ".join(f"'{z}'" for z in ZONES) + "]"
    _copy(
        con,
        f"SELECT v AS vendor_id, 'Vendor ' || i AS name, {zones}[i % 4 + 1] AS timezone FROM {ids}",
        target / "vendors" / "part-0001.csv",
    )
    _copy(
        con,
        f"""SELECT c AS contract_id, v AS vendor_id, DATE '2026-01-01' AS start_date, NULL AS end_date,
                   'CNY' AS currency, 0.06 AS tax_rate, 15 AS payment_due_day, 1000 + i AS monthly_fee,
                   NULL AS monthly_minimum, 0.3 AS credit_cap_rate, 3 + i % 5 AS short_abandon_seconds,
                   ['exclude_short', 'exclude_all', 'count_as_met'][i % 3 + 1] AS sl_abandons
            FROM {ids}""",
        target / "contracts" / "part-0001.csv",
    )
    rates = (
        "('phone', 'minute', 0.45, 60, 0, 10000, 'graduated'), ('phone', 'minute', 0.40, 60, 10000, NULL, 'graduated'),"
        " ('chat', 'hour', 38.00, 60, NULL, NULL, NULL), ('email', 'email', 2.50, NULL, NULL, NULL, NULL),"
        " ('onsite', 'visit', 80.00, NULL, NULL, NULL, NULL)"
    )
    _copy(
        con,
        f"""SELECT c AS contract_id, r.* FROM {ids} CROSS JOIN (VALUES {rates})
                r(channel, unit, unit_price, increment_seconds, tier_from, tier_to, tier_mode)""",
        target / "rates" / "part-0001.csv",
    )
    targets = """
        ('phone', 'answer_rate', 0.95, NULL, NULL), ('phone', 'asa_seconds', 5.0, NULL, 'calendar'),
        ('phone', 'service_level', 0.8, 20, 'calendar'), ('chat', 'first_response_seconds', 3.0, NULL, 'calendar'),
        ('chat', 'response_rate', 0.9, NULL, NULL), ('chat', 'csat', 4.0, NULL, NULL),
        ('chat', 'weekly_min_hours', 0.5, 72000, NULL), ('chat', 'coverage_rate', 0.9, NULL, NULL),
        ('email', 'reply_within_rate', 0.95, 86400, 'business'), ('onsite', 'accuracy', 0.95, NULL, NULL)"""
    _copy(
        con,
        f"""SELECT c AS contract_id, t.channel, t.metric, t.target,
                   CASE t.metric WHEN 'service_level' THEN 10 + 10 * (i % 3)
                                 WHEN 'reply_within_rate' THEN 86400 / (1 + i % 2) ELSE t.threshold END
                       AS threshold_seconds,
                   CASE WHEN t.metric = 'reply_within_rate' AND i % 2 = 1 THEN 'calendar' ELSE t.clock END AS clock,
                   0.03 AS credit_rate, 'channel' AS credit_base
            FROM {ids} CROSS JOIN (VALUES {targets}) t(channel, metric, target, threshold, clock)""",
        target / "sla_targets" / "part-0001.csv",
    )
    hours = (
        "('chat', 'daily', '08:00', '22:00'), ('email', 'daily', '08:00', '22:00'),"
        " ('onsite', 'weekdays', '09:00', '18:00')"
    )
    _copy(
        con,
        f"SELECT c AS contract_id, h.* FROM {ids} CROSS JOIN (VALUES {hours}) h(channel, days, open, close)",
        target / "service_hours" / "part-0001.csv",
    )
    days = ", ".join(f"(DATE '{d}')" for d in HOLIDAYS)
    _copy(
        con,
        f"SELECT v AS vendor_id, d.date, 'closed' AS kind FROM {ids} CROSS JOIN (VALUES {days}) d(date) "
        "WHERE i % 2 = 0",
        target / "holidays" / "part-0001.csv",
    )
    con.close()
