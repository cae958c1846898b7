"""Lookups the typing pass needs (known vendors and contracts, each vendor's zone and UTC offsets),
at a cost per row that does not grow with the number of vendors, contracts or zones.

The typing pass reads each file in one streaming statement whose row order gives a rejected row its
line (the staged table's rowid), and DuckDB keeps the order of a single table's scan but not of a
join; numbering the rows first (`row_number() OVER ()`) would run the whole read on one thread. So
the lookups are not joins but positions: the known vendors and contracts are an ENUM type made for
the run from the stored ids (a cast is a hash lookup; an unknown id casts to NULL), and a vendor's
enum code indexes lists kept in session variables: its zone, and where its zone's hourly offsets
start in one flat list of every zone's.

Offsets: every local day over each zone's contract span (plus a margin) is converted exactly once,
and the hours of the days a DST change cuts; runs with one offset are spread over their hours, so
typing a naive timestamp is an index and a subtraction instead of three ICU conversions. Hours a
DST change cuts (skipped, or a change at :30) and times outside the span fall back to the exact
conversion.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

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
# One span per zone (every vendor's contracts in it), so the cost follows the zones, not the vendors.
OFFSET_RUNS = f"""
WITH span AS (
    SELECT v.timezone,
           min(c.start_date) - INTERVAL 31 DAY AS lo,
           least(max(coalesce(c.end_date, current_date + INTERVAL 730 DAY)),
                 min(c.start_date) + INTERVAL 30 YEAR) + INTERVAL 31 DAY AS hi
    FROM vendors v JOIN contracts c USING (vendor_id) GROUP BY ALL),
days AS (
    SELECT timezone, day, vb_local_instant(day, timezone) AS start_at,
           vb_local_instant(day + INTERVAL {DAY_US} MICROSECOND, timezone) AS end_at
    FROM (SELECT timezone, unnest(generate_series(lo::TIMESTAMP, hi::TIMESTAMP, INTERVAL 1 DAY)) AS day
          FROM span)),
cut AS (
    SELECT timezone, hour, vb_local_instant(hour, timezone) AS start_at,
           vb_local_instant(hour + INTERVAL {HOUR_US} MICROSECOND, timezone) AS end_at
    FROM (SELECT timezone, unnest(generate_series(day, day + INTERVAL 23 HOUR, INTERVAL 1 HOUR)) AS hour
          FROM days WHERE (end_at - start_at = INTERVAL {DAY_US} MICROSECOND) IS NOT TRUE)),
pieces AS (
    SELECT timezone, day AS lo, day + INTERVAL 1 DAY AS hi, epoch_us(day) - epoch_us(start_at) AS offset_us
    FROM days WHERE end_at - start_at = INTERVAL {DAY_US} MICROSECOND
    UNION ALL
    SELECT timezone, hour, hour + INTERVAL 1 HOUR, epoch_us(hour) - epoch_us(start_at)
    FROM cut WHERE end_at - start_at = INTERVAL {HOUR_US} MICROSECOND),
runs AS (
    SELECT *, sum(CASE WHEN lo = before_hi AND offset_us = before_offset THEN 0 ELSE 1 END)
                  OVER (PARTITION BY timezone ORDER BY lo) AS run
    FROM (SELECT *, lag(hi) OVER w AS before_hi, lag(offset_us) OVER w AS before_offset
          FROM pieces WINDOW w AS (PARTITION BY timezone ORDER BY lo)))
SELECT timezone, min(lo) AS lo, max(hi) AS hi, offset_us
FROM runs GROUP BY timezone, offset_us, run ORDER BY timezone, 2
"""

# The zones' hourly offsets in one flat list (`vb_hours`: a zone's hours from its `first` on, NULL
# where a run leaves a gap), and per known vendor in the ENUM's order (`vb_vendors`): its zone, the
# position in vb_hours of its zone's first hour, that hour, and how many hours its zone has.
HOURLY = f"""
CREATE OR REPLACE TEMP TABLE vb_zone_hours AS
WITH runs AS ({OFFSET_RUNS}),
zones AS (SELECT timezone, min(lo) AS first, max(hi) AS last FROM runs GROUP BY ALL),
hours AS (SELECT timezone, first, unnest(generate_series(first, last - INTERVAL 1 HOUR, INTERVAL 1 HOUR)) AS hour
          FROM zones)
SELECT h.timezone, h.first, h.hour, r.offset_us
FROM hours h LEFT JOIN runs r ON r.timezone = h.timezone AND h.hour >= r.lo AND h.hour < r.hi;
SET VARIABLE vb_hours = (SELECT coalesce(list(offset_us ORDER BY timezone, hour), []) FROM vb_zone_hours);
SET VARIABLE vb_vendors = (
    WITH zones AS (SELECT timezone, first, count(*) AS hours FROM vb_zone_hours GROUP BY ALL),
    placed AS (SELECT *, coalesce(sum(hours) OVER (ORDER BY timezone ROWS BETWEEN UNBOUNDED PRECEDING
                                                                        AND 1 PRECEDING), 0) AS before FROM zones)
    SELECT coalesce(list({{'tz': v.timezone, 'at': p.before::BIGINT, 'first': epoch_us(p.first),
                           'hours': coalesce(p.hours, 0)::BIGINT}}
                         ORDER BY v.vendor_id), [])
    FROM vendors v LEFT JOIN placed p USING (timezone));
DROP TABLE vb_zone_hours;
"""

# The same without offsets (reference tables): each vendor's zone only.
ZONES = """
SET VARIABLE vb_vendors = (
    SELECT coalesce(list({'tz': timezone, 'at': 0::BIGINT, 'first': 0::BIGINT, 'hours': 0::BIGINT}
                         ORDER BY vendor_id), [])
    FROM vendors);
SET VARIABLE vb_hours = [];
"""


@dataclass(frozen=True)
class Lookups:
    """The run's lookup types and lists (see the module docstring), made from what is stored now."""

    vendors: bool  # any vendor is stored

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, with_offsets: bool) -> Lookups:
        """What is stored now; the offsets (which cost a moment) only for tables with timestamps."""
        con.execute(MACROS)
        con.execute("CREATE OR REPLACE TEMP TYPE vb_vendor AS ENUM (SELECT vendor_id FROM vendors ORDER BY vendor_id)")
        con.execute("CREATE OR REPLACE TEMP TYPE vb_contract AS ENUM (SELECT contract_id FROM contracts)")
        con.execute(HOURLY if with_offsets else ZONES)
        return cls(vendors=con.execute("SELECT count(*) FROM vendors").fetchone()[0] > 0)

    def vendor_index(self) -> str:
        """SQL: the row's vendor as a known vendor's position (NULL for an unknown one)."""
        return "enum_code(TRY_CAST(vendor_id AS vb_vendor))" if self.vendors else "CAST(NULL AS INTEGER)"

    def known(self, column: str) -> str:
        """SQL: the row's vendor_id (needs `_vi`) / contract_id is stored."""
        if column == "vendor_id":
            return "_vi IS NOT NULL"
        return f"TRY_CAST({column} AS vb_contract) IS NOT NULL"

    def vendor(self) -> str:
        """SQL: the row's vendor's entry in vb_vendors (needs `_vi`): its zone and offsets."""
        return "getvariable('vb_vendors')[_vi + 1]" if self.vendors else "NULL"

    def zone(self) -> str:
        """SQL: the row's vendor's time zone (needs `_v`; NULL for an unknown vendor)."""
        return "_v.tz" if self.vendors else "CAST(NULL AS VARCHAR)"

    def instant(self, naive: str) -> str:
        """SQL: the instant of the naive local timestamp `naive` for the row's vendor (needs `_v`,
        `_tz`): its hour's offset when its zone has one, else the exact conversion."""
        if not self.vendors:
            return f"vb_local_instant({naive}, _tz)"
        hour = f"(epoch_us({naive}) - _v.first) // {HOUR_US + 1}"
        offset = (
            f"CASE WHEN epoch_us({naive}) >= _v.first AND {hour} < _v.hours "
            f"THEN getvariable('vb_hours')[_v.at + {hour} + 1] END"
        )
        return f"coalesce(CAST({naive} - to_microseconds({offset}) AS TIMESTAMPTZ), vb_local_instant({naive}, _tz))"
