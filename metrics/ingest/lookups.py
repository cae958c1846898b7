"""Lookups the typing pass needs (known vendors and contracts, each vendor's zone and UTC offsets),
written into the SQL as CASE expressions rather than joins: a hash join does not keep the file's
row order, and that order is how a rejected row's line is known.

Offsets: every local day over each vendor's contract span (plus a margin) is converted exactly
once, and the hours of the days a DST change cuts; runs with one offset become one branch, so
typing a naive timestamp is a range test and a subtraction instead of three ICU conversions. Hours
a DST change cuts (skipped, or a change at :30) and times outside the span fall back to the exact
conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from metrics.sql import sql_text

# A timestamp's text ends with an offset (Z, +08, +08:00, +0800): an instant, else local time.
OFFSET = r"\d:\d\d(:\d\d(\.\d+)?)?\s*([Zz]|[+-]\d\d(:?\d\d)?)$"

# Naive local time -> instant in zone tz, exactly. A time a DST change makes ambiguous is its
# first occurrence (the earlier instant); one the change skips does not round-trip: NULL.
MACROS = rf"""
CREATE OR REPLACE TEMP MACRO vb_local_instant(ts, tz) AS (
    CASE WHEN ts IS NULL OR tz IS NULL THEN NULL
         WHEN timezone(tz, timezone(tz, ts) - INTERVAL 1 HOUR) = ts THEN timezone(tz, ts) - INTERVAL 1 HOUR
         WHEN timezone(tz, timezone(tz, ts)) = ts THEN timezone(tz, ts)
    END);
CREATE OR REPLACE TEMP MACRO vb_has_offset(s) AS (regexp_matches(s, '{OFFSET}'));
"""

DAY_US, HOUR_US = 86_399_999_999, 3_599_999_999  # the last microsecond of a day, of an hour

# A day whose first and last microsecond have one offset is one piece; only the few days a DST
# change cuts are converted hour by hour, so a span of decades costs thousands of conversions.
OFFSET_RUNS = f"""
WITH span AS (
    SELECT v.vendor_id, v.timezone,
           min(c.start_date) - INTERVAL 31 DAY AS lo,
           least(max(coalesce(c.end_date, current_date + INTERVAL 730 DAY)),
                 min(c.start_date) + INTERVAL 30 YEAR) + INTERVAL 31 DAY AS hi
    FROM vendors v JOIN contracts c USING (vendor_id) GROUP BY ALL),
days AS (
    SELECT vendor_id, timezone, day, vb_local_instant(day, timezone) AS start_at,
           vb_local_instant(day + INTERVAL {DAY_US} MICROSECOND, timezone) AS end_at
    FROM (SELECT vendor_id, timezone, unnest(generate_series(lo::TIMESTAMP, hi::TIMESTAMP, INTERVAL 1 DAY)) AS day
          FROM span)),
cut AS (
    SELECT vendor_id, hour, vb_local_instant(hour, timezone) AS start_at,
           vb_local_instant(hour + INTERVAL {HOUR_US} MICROSECOND, timezone) AS end_at
    FROM (SELECT vendor_id, timezone, unnest(generate_series(day, day + INTERVAL 23 HOUR, INTERVAL 1 HOUR)) AS hour
          FROM days WHERE (end_at - start_at = INTERVAL {DAY_US} MICROSECOND) IS NOT TRUE)),
pieces AS (
    SELECT vendor_id, day AS lo, day + INTERVAL 1 DAY AS hi, epoch_us(day) - epoch_us(start_at) AS offset_us
    FROM days WHERE end_at - start_at = INTERVAL {DAY_US} MICROSECOND
    UNION ALL
    SELECT vendor_id, hour, hour + INTERVAL 1 HOUR, epoch_us(hour) - epoch_us(start_at)
    FROM cut WHERE end_at - start_at = INTERVAL {HOUR_US} MICROSECOND),
runs AS (
    SELECT *, sum(CASE WHEN lo = before_hi AND offset_us = before_offset THEN 0 ELSE 1 END)
                  OVER (PARTITION BY vendor_id ORDER BY lo) AS run
    FROM (SELECT *, lag(hi) OVER w AS before_hi, lag(offset_us) OVER w AS before_offset
          FROM pieces WINDOW w AS (PARTITION BY vendor_id ORDER BY lo)))
SELECT vendor_id, min(lo), max(hi), offset_us
FROM runs GROUP BY vendor_id, offset_us, run ORDER BY vendor_id, 2
"""


@dataclass(frozen=True)
class Lookups:
    zones: dict[str, str]  # vendor_id -> IANA zone
    contracts: frozenset[str]
    terms: dict[str, list[tuple[str, str, str | None]]]  # vendor_id -> [(contract_id, start, end)]
    offsets: dict[str, list[tuple[str, str, int]]]  # vendor_id -> [(from, to, offset_us)] local hours

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, with_offsets: bool) -> Lookups:
        """What is stored now; the offsets (which cost a moment) only for tables with timestamps."""
        con.execute(MACROS)
        offsets: dict[str, list[tuple[str, str, int]]] = {}
        for vendor, lo, hi, off in con.execute(OFFSET_RUNS).fetchall() if with_offsets else []:
            offsets.setdefault(vendor, []).append((str(lo), str(hi), off))
        terms: dict[str, list[tuple[str, str, str | None]]] = {}
        for vendor, contract, start, end in con.execute(
            "SELECT vendor_id, contract_id, start_date, end_date FROM contracts ORDER BY ALL"
        ).fetchall():
            terms.setdefault(vendor, []).append((contract, str(start), None if end is None else str(end)))
        return cls(
            zones=dict(con.execute("SELECT vendor_id, timezone FROM vendors").fetchall()),
            contracts=frozenset(c for (c,) in con.execute("SELECT contract_id FROM contracts").fetchall()),
            terms=terms,
            offsets=offsets,
        )

    def _index(self, vendor: str) -> int:
        return sorted(self.zones).index(vendor)

    def vendor_index(self) -> str:
        """SQL: a small integer per stored vendor (NULL for an unknown one), computed once per row so
        the lookups below compare integers rather than strings."""
        if not self.zones:
            return "CAST(NULL AS INTEGER)"
        return (
            "CASE vendor_id "
            + " ".join(f"WHEN {sql_text(v)} THEN {self._index(v)}" for v in sorted(self.zones))
            + " END"
        )

    def known(self, column: str) -> str:
        """SQL: the row's vendor_id (needs `_vi`) / contract_id is stored."""
        if column == "vendor_id":
            return "_vi IS NOT NULL"
        return f"{column} IN ({', '.join(map(sql_text, sorted(self.contracts)))})" if self.contracts else "false"

    def zone(self) -> str:
        """SQL: the row's vendor's time zone (NULL for an unknown vendor)."""
        if not self.zones:
            return "CAST(NULL AS VARCHAR)"
        return (
            "CASE _vi " + " ".join(f"WHEN {self._index(v)} THEN {sql_text(z)}" for v, z in self.zones.items()) + " END"
        )

    def contract(self, local_start: str) -> str:
        """SQL: the contract whose dates hold the local start date (attribution.covers, as a CASE)."""
        day = f"CAST({local_start} AS DATE)"
        branches = " ".join(
            f"WHEN _vi = {self._index(vendor)} AND {day} >= DATE '{start}'"
            + (f" AND {day} <= DATE '{end}'" if end else "")
            + f" THEN {sql_text(contract)}"
            for vendor, terms in self.terms.items()
            if vendor in self.zones
            for contract, start, end in terms
        )
        return f"CASE {branches} END" if branches else "CAST(NULL AS VARCHAR)"

    def instant(self, naive: str) -> str:
        """SQL: the instant of the naive local timestamp `naive` for the row's vendor."""
        branches = []
        for vendor, runs in self.offsets.items():
            ranges = " ".join(
                f"WHEN {naive} >= TIMESTAMP '{lo}' AND {naive} < TIMESTAMP '{hi}' "
                f"THEN CAST({naive} - to_microseconds({off}) AS TIMESTAMPTZ)"
                for lo, hi, off in runs
            )
            branches.append(
                f"WHEN _vi = {self._index(vendor)} THEN CASE {ranges} ELSE vb_local_instant({naive}, _tz) END"
            )
        return (
            f"CASE {' '.join(branches)} ELSE vb_local_instant({naive}, _tz) END"
            if branches
            else f"vb_local_instant({naive}, _tz)"
        )
