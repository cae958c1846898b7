"""Is the data complete and current? Freshness per vendor and channel, the quarantine of rejected
rows, interactions no contract covers, and the log of ingest runs (the Data page and the report).

Each read keeps to the caller's scope (metrics/access.py): rows of its vendors only; a rejected row
belongs to the vendor its raw row names (`quarantine.vendor_id`), so one naming no vendor is seen
only by a scope of every vendor, as are the ingest runs (counts over every vendor).

Times are vendor local time (interaction tables carry `local_start`; agent sessions are converted
with the vendor's zone), so "latest" means the vendor's wall clock, like every month and day here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.domain import CHANNEL_OF_TABLE, DATED, INTERACTIONS, SESSIONS
from metrics.ingest.attribution import covers
from metrics.ingest.lookups import OFFSET
from metrics.ingest.tables import TABLES
from metrics.periods import Days, add_days, month_filter, next_month

# The column that dates a row of each interaction table (sessions: their login).
DATED_BY = {t: TABLES[t].start_column or TABLES[t].timestamps[0] for t in INTERACTIONS}


ROW_COLUMNS = "table_name, channel, vendor_id, contract_id, day, rows, first_at, last_at"


def month_rows_sql(month: dt.date, tables: Iterable[str] = INTERACTIONS, days: Days = None) -> str:
    """SQL: ROW_COLUMNS — the month's stored rows of `tables` (on its `days`, if given) per local
    day, interactions by their local start under their contract, agent sessions by their local
    login under the vendor's contract holding that date, with the first and last local start (of a
    session: login and logout). What the data-quality checks count (metrics/quality.py) and the
    freshness and months with data (catalog.py) read; rollup.py keeps it as `row_rollup`."""
    parts = [
        f"SELECT '{t}', '{CHANNEL_OF_TABLE[t]}', vendor_id, contract_id, local_start::DATE, count(*), "
        f"min(local_start), max(local_start) FROM {t} WHERE {month_filter(month, days)} GROUP BY ALL"
        for t in DATED
        if t in tables
    ]
    if SESSIONS in tables:
        first, last = (min(days), max(days)) if days else (month, next_month(month))
        near = f"s.login_at >= TIMESTAMPTZ '{add_days(first, -1)}' AND s.login_at < TIMESTAMPTZ '{add_days(last, 2)}'"
        parts.append(f"""
            SELECT '{SESSIONS}', x.channel, x.vendor_id, c.contract_id, x.local_start::DATE, count(*),
                   min(x.local_start), max(x.local_end)
            FROM (SELECT s.vendor_id, s.channel, timezone(v.timezone, s.login_at) AS local_start,
                         timezone(v.timezone, s.logout_at) AS local_end
                  FROM {SESSIONS} s JOIN vendors v USING (vendor_id) WHERE {near}) x
            LEFT JOIN contracts c ON {covers("x", "c")}
            WHERE {month_filter(month, days, "x.local_start")} GROUP BY ALL""")
    empty = (
        f"SELECT * FROM (VALUES (NULL, NULL, NULL, NULL, NULL::DATE, 0::BIGINT, NULL::TIMESTAMP, NULL::TIMESTAMP)) "
        f"v({ROW_COLUMNS}) WHERE false"
    )
    return f"(SELECT * FROM ({' UNION ALL '.join([empty, *parts])}) u({ROW_COLUMNS}))"


def dated_quarantine_sql() -> str:
    """SQL: every quarantined row with the `local_start` and `contract_id` it would have had — the one
    way a rejected row is dated (docs/quality.md "Which month a rejected row belongs to"): the raw
    start column (the table's dating column) as the local time of its vendor (`vendor_id`, as the
    row wrote it), converted when it carries an offset; the vendor's contract whose dates hold that
    local date; and whether that vendor is stored (`vendor_known`). NULL where the row has no
    readable start or names no stored vendor (a malformed line, an unknown vendor, an unparseable
    date): such a row cannot be dated."""
    column = "CASE q.table_name " + " ".join(f"WHEN '{t}' THEN '$.{c}'" for t, c in DATED_BY.items()) + " END"
    return f"""(
        WITH q AS (
            SELECT q.*, CASE WHEN json_valid(q.raw) THEN trim(json_extract_string(q.raw, {column})) END AS _start
            FROM quarantine q),
        r AS (
            SELECT q.* EXCLUDE (_start), v.vendor_id IS NOT NULL AS vendor_known,
                   CASE WHEN v.vendor_id IS NULL THEN NULL
                        WHEN regexp_matches(_start, '{OFFSET}')
                        THEN timezone(v.timezone, try_cast(_start AS TIMESTAMPTZ))
                        ELSE try_cast(_start AS TIMESTAMP) END AS local_start
            FROM q LEFT JOIN vendors v ON v.vendor_id = q.vendor_id)
        SELECT r.*, c.contract_id FROM r LEFT JOIN contracts c ON {covers("r", "c")})"""


def freshness(con: duckdb.DuckDBPyConnection, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """vendor_id, channel, table, rows, first_start, last_start (local; of agent sessions, the first
    login and the last logout) and days_behind: how many days the vendor-channel's latest row lags
    the newest row of any vendor in scope (0 = up to date). Read from the stored rows per day
    (`row_rollup`, see month_rows_sql), never the rows."""
    return con.sql(f"""
        SELECT *, date_diff('day', last_start, max(last_start) OVER ()) AS days_behind
        FROM (SELECT vendor_id, channel, table_name AS "table", sum(rows)::BIGINT AS rows,
                     min(first_at) AS first_start, max(last_at) AS last_start
              FROM row_rollup WHERE {scope.vendor_filter()} GROUP BY ALL)
        ORDER BY vendor_id, "table", channel""").pl()


@dataclass(frozen=True)
class Rejected:
    """Which rejected rows to show: all, or those dated in one month (dated_quarantine_sql), of one
    contract's when given (the rows a data-quality finding counts)."""

    month: dt.date | None = None
    contract_id: str | None = None

    def source(self, scope: Scope) -> tuple[str, str, dict]:
        """(relation, condition, parameters) of these rows of the scope's vendors (the vendor the
        raw row names, `quarantine.vendor_id`)"""
        if self.month is None:
            return "quarantine", scope.vendor_filter(), {}
        return (
            dated_quarantine_sql(),
            f"local_start >= $m AND local_start < $e AND ($c IS NULL OR contract_id = $c) AND {scope.vendor_filter()}",
            {"m": self.month, "e": next_month(self.month), "c": self.contract_id},
        )


def quarantine_summary(
    con: duckdb.DuckDBPyConnection, rejected: Rejected = Rejected(), *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame:
    """table_name, reason, rows: the rejected rows by table and reason, most frequent first."""
    source, where, params = rejected.source(scope)
    return con.sql(
        f"""SELECT table_name, reason, count(*) AS rows FROM {source} WHERE {where}
            GROUP BY ALL ORDER BY table_name, rows DESC, reason""",
        params=params,
    ).pl()


def _quarantine_filter(
    table: str | None, reason: str | None, vendor: str | None, rejected: Rejected, scope: Scope
) -> tuple[str, str, dict]:
    source, where, params = rejected.source(scope)
    return (
        source,
        f"WHERE {where} AND ($t IS NULL OR table_name = $t) AND ($r IS NULL OR reason = $r) "
        "AND ($v IS NULL OR vendor_id = $v)",
        {**params, "t": table, "r": reason, "v": vendor},
    )


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    table: str | None = None,
    reason: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
    rejected: Rejected = Rejected(),
    vendor: str | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> pl.DataFrame:
    """Rejected rows (optionally of one table, reason and vendor, of one month or contract) with
    vendor, month ('YYYY-MM', dated as dated_quarantine_sql says), file, line, reason, detail, the
    raw row and its length (a malformed line's text is capped), in file and line order;
    `limit=None` gives them all (for a download)."""
    _, where, params = _quarantine_filter(table, reason, vendor, rejected, scope)
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    return con.sql(
        f"""SELECT table_name, vendor_id, strftime(local_start, '%Y-%m') AS month, source_file, line, reason, detail,
                   raw, raw_length
            FROM {dated_quarantine_sql()} {where} ORDER BY table_name, source_file, line {page}""",
        params=params,
    ).pl()


def quarantine_count(
    con: duckdb.DuckDBPyConnection,
    table: str | None = None,
    reason: str | None = None,
    rejected: Rejected = Rejected(),
    vendor: str | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> int:
    source, where, params = _quarantine_filter(table, reason, vendor, rejected, scope)
    return con.execute(f"SELECT count(*) FROM {source} {where}", params).fetchall()[0][0]


def out_of_contract(con: duckdb.DuckDBPyConnection, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """table, vendor_id, month (local, 'YYYY-MM'), rows: interactions no contract covers (not billed)."""
    parts = [
        f"""SELECT '{t}' AS "table", vendor_id, strftime(local_start, '%Y-%m') AS month, count(*) AS rows
                 FROM {t} WHERE contract_id IS NULL AND {scope.vendor_filter()} GROUP BY ALL"""
        for t in DATED
    ]
    return con.sql(f'{" UNION ALL ".join(parts)} ORDER BY vendor_id, month, "table"').pl()


def ingest_runs(con: duckdb.DuckDBPyConnection, limit: int = 10, *, scope: Scope = EVERY_VENDOR) -> pl.DataFrame:
    """The latest ingest runs, newest first: run_id, finished_at (UTC) and the rows loaded, updated,
    unchanged and rejected over all tables (from the run's stored summary; counts of every vendor,
    so none for a scope of some vendors)."""
    counts = ", ".join(
        f"sum((r.summary->'tables'->k->>'{c}')::BIGINT)::BIGINT AS {c}"
        for c in ("loaded", "updated", "unchanged", "rejected")
    )
    return con.sql(f"""
        SELECT r.run_id, r.finished_at, {counts}
        FROM (SELECT * FROM ingest_runs WHERE {scope.shared_filter()} ORDER BY run_id DESC LIMIT {int(limit)}) r,
             unnest(json_keys(r.summary->'tables')) AS u(k)
        GROUP BY ALL ORDER BY r.run_id DESC""").pl()
