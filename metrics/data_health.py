"""Is the data complete and current? Freshness per vendor and channel, the quarantine of rejected
rows, interactions no contract covers, and the log of ingest runs (the Data page and the report).

Times are vendor local time (interaction tables carry `local_start`; agent sessions are converted
with the vendor's zone), so "latest" means the vendor's wall clock, like every month and day here.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from metrics.ingest.attribution import DATED
from metrics.sla.facts import INTERACTIONS

CHANNEL_OF = {s.table: s.channel for s in INTERACTIONS.values()}


def freshness(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """vendor_id, channel, table, rows, first_start, last_start (local) and days_behind: how many
    days the vendor-channel's latest row lags the newest row of any vendor (0 = up to date)."""
    parts = [
        f"SELECT vendor_id, '{CHANNEL_OF[t]}' AS channel, '{t}' AS \"table\", count(*) AS rows, "
        f"min(local_start) AS first_start, max(local_start) AS last_start FROM {t} GROUP BY ALL"
        for t in DATED
    ]
    parts.append("""SELECT s.vendor_id, s.channel, 'agent_sessions', count(*),
                           min(timezone(v.timezone, s.login_at)), max(timezone(v.timezone, s.logout_at))
                    FROM agent_sessions s JOIN vendors v USING (vendor_id) GROUP BY ALL""")
    return con.sql(f"""
        SELECT *, date_diff('day', last_start, max(last_start) OVER ()) AS days_behind
        FROM ({" UNION ALL ".join(parts)})
        ORDER BY vendor_id, "table", channel""").pl()


def quarantine_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """table_name, reason, rows: the rejected rows by table and reason, most frequent first."""
    return con.sql("""SELECT table_name, reason, count(*) AS rows FROM quarantine
                      GROUP BY ALL ORDER BY table_name, rows DESC, reason""").pl()


def _quarantine_filter(
    table: str | None, reason: str | None, vendor: str | None, month: dt.date | None
) -> tuple[str, list]:
    return (
        "WHERE ($1 IS NULL OR table_name = $1) AND ($2 IS NULL OR reason = $2) AND ($3 IS NULL OR vendor_id = $3) "
        "AND ($4 IS NULL OR month = $4)",
        [table, reason, vendor, month],
    )


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    table: str | None = None,
    reason: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
    vendor: str | None = None,
    month: dt.date | None = None,
) -> pl.DataFrame:
    """Rejected rows (optionally of one table, reason, vendor and local month of their start) with
    vendor, month ('YYYY-MM'), file, line, reason, detail, the raw row and its length (a malformed
    line's text is capped), in file and line order; `limit=None` gives them all (for a download)."""
    where, params = _quarantine_filter(table, reason, vendor, month)
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    return con.sql(
        f"""SELECT table_name, vendor_id, strftime(month, '%Y-%m') AS month, source_file, line, reason, detail, raw,
                   raw_length
            FROM quarantine {where} ORDER BY table_name, source_file, line {page}""",
        params=params,
    ).pl()


def quarantine_count(
    con: duckdb.DuckDBPyConnection,
    table: str | None = None,
    reason: str | None = None,
    vendor: str | None = None,
    month: dt.date | None = None,
) -> int:
    where, params = _quarantine_filter(table, reason, vendor, month)
    return con.execute(f"SELECT count(*) FROM quarantine {where}", params).fetchall()[0][0]


def out_of_contract(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """table, vendor_id, month (local, 'YYYY-MM'), rows: interactions no contract covers (not billed)."""
    parts = [
        f"""SELECT '{t}' AS "table", vendor_id, strftime(local_start, '%Y-%m') AS month, count(*) AS rows
                 FROM {t} WHERE contract_id IS NULL GROUP BY ALL"""
        for t in DATED
    ]
    return con.sql(f'{" UNION ALL ".join(parts)} ORDER BY vendor_id, month, "table"').pl()


def ingest_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pl.DataFrame:
    """The latest ingest runs, newest first: run_id, finished_at (UTC) and the rows loaded, updated,
    unchanged and rejected over all tables (from the run's stored summary)."""
    counts = ", ".join(
        f"sum((r.summary->'tables'->k->>'{c}')::BIGINT)::BIGINT AS {c}"
        for c in ("loaded", "updated", "unchanged", "rejected")
    )
    return con.sql(f"""
        SELECT r.run_id, r.finished_at, {counts}
        FROM (SELECT * FROM ingest_runs ORDER BY run_id DESC LIMIT {int(limit)}) r,
             unnest(json_keys(r.summary->'tables')) AS u(k)
        GROUP BY ALL ORDER BY r.run_id DESC""").pl()
