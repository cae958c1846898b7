"""Service hours as instants (SPEC §2) and the business clock built on them: unit tests on an
in-memory database holding the reference rows as ingest stores them (open/close in minutes)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from unit_fixtures import memory

from metrics.service_hours import business_clock_sql, clock_join, local_instant, merged_intervals_sql, service_windows

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)

# C1 (Asia/Shanghai): chat has a split shift on weekdays (09:00-12:00, 13:00-18:00), overlapping
# rows on weekends (10:00-14:00 and 12:00-16:00 merge to 10:00-16:00) and 19:00-21:00 on Saturdays
# only (a row naming a day). Holidays: Fri 2 Oct closed, Sat 10 Oct a make-up workday.
# V1 in Asia/Shanghai with contract C1, V2 in America/New_York with C2, both from 2026-01-01.
BASE = {
    "vendors": [
        {"vendor_id": "V1", "name": "华信通信客服有限公司", "timezone": "Asia/Shanghai"},
        {"vendor_id": "V2", "name": "Gotham Contact LLC", "timezone": "America/New_York"},
    ],
    "contracts": [
        {"contract_id": "C1", "vendor_id": "V1", "start_date": "2026-01-01"},
        {"contract_id": "C2", "vendor_id": "V2", "start_date": "2026-01-01"},
    ],
}


def hours(contract: str, channel: str, days: str, open_: str, close: str) -> dict:
    """A service_hours row as stored: open and close in minutes after local midnight."""
    minutes = [int(t[:2]) * 60 + int(t[3:]) for t in (open_, close)]
    return {"contract_id": contract, "channel": channel, "days": days, "open": minutes[0], "close": minutes[1]}


HOURS = {
    **BASE,
    "service_hours": [
        hours("C1", "chat", "weekdays", "09:00", "12:00"),
        hours("C1", "chat", "weekdays", "13:00", "18:00"),
        hours("C1", "chat", "weekends", "10:00", "14:00"),
        hours("C1", "chat", "weekends", "12:00", "16:00"),
        hours("C1", "chat", "sat", "19:00", "21:00"),
        hours("C2", "email", "daily", "08:00", "22:00"),
    ],
    "holidays": [
        {"vendor_id": "V1", "date": "2026-10-02", "kind": "closed", "name": "National Day"},
        {"vendor_id": "V1", "date": "2026-10-10", "kind": "workday", "name": "make-up day"},
    ],
}


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return memory(HOURS)


def windows(con, start, end, contract, channel, day):
    rel = service_windows(con, start, end, [contract])  # noqa: F841  (read by name in the SQL below)
    return con.sql(f"""SELECT strftime(timezone(v.timezone, start_at), '%H:%M'),
                              strftime(timezone(v.timezone, end_at), '%H:%M'),
                              (epoch(end_at) - epoch(start_at)) / 3600
                       FROM rel JOIN vendors v USING (vendor_id)
                       WHERE channel = '{channel}' AND local_date = DATE '{day}' ORDER BY start_at""").fetchall()


def test_split_shift_weekday(con):
    # Thu 1 Oct: two weekday windows, 3 h and 5 h.
    assert windows(con, OCT, NOV, "C1", "chat", "2026-10-01") == [("09:00", "12:00", 3), ("13:00", "18:00", 5)]


def test_closed_holiday_has_no_hours(con):
    assert windows(con, OCT, NOV, "C1", "chat", "2026-10-02") == []


def test_weekend_rows_merge_and_named_day_follows_real_day(con):
    # Sat 3 Oct: 10-14 and 12-16 overlap -> one 10:00-16:00 window; the `sat` row adds 19-21.
    assert windows(con, OCT, NOV, "C1", "chat", "2026-10-03") == [("10:00", "16:00", 6), ("19:00", "21:00", 2)]
    # Sun 4 Oct: weekend rows only.
    assert windows(con, OCT, NOV, "C1", "chat", "2026-10-04") == [("10:00", "16:00", 6)]


def test_make_up_workday_uses_weekday_rows(con):
    # Sat 10 Oct is a workday: weekday split shift, no weekend rows, but the `sat` row still applies.
    assert windows(con, OCT, NOV, "C1", "chat", "2026-10-10") == [
        ("09:00", "12:00", 3),
        ("13:00", "18:00", 5),
        ("19:00", "21:00", 2),
    ]


def test_channel_without_rows_is_open_all_day_and_holidays_do_not_apply(con):
    # C1 phone has no rows: the closed holiday does not touch it; one 24 h window.
    assert windows(con, OCT, NOV, "C1", "phone", "2026-10-02") == [("00:00", "00:00", 24)]


def test_dst_days_keep_wall_clock_hours(con):
    # New York, Sun 1 Nov 2026 (clocks go back at 02:00): 08:00-22:00 is still 14 h;
    # a 24/7 channel's day lasts 25 h. Sun 8 Mar 2026 (clocks go forward): 23 h.
    assert windows(con, NOV, DEC, "C2", "email", "2026-11-01") == [("08:00", "22:00", 14)]
    assert windows(con, NOV, DEC, "C2", "phone", "2026-11-01") == [("00:00", "00:00", 25)]
    assert windows(con, dt.date(2026, 3, 1), dt.date(2026, 4, 1), "C2", "phone", "2026-03-08") == [
        ("00:00", "00:00", 23)
    ]


def test_only_active_days_of_the_contract():
    contracts = [
        {"contract_id": "C1", "vendor_id": "V1", "start_date": "2026-10-10", "end_date": "2026-10-20"},
        {"contract_id": "C2", "vendor_id": "V2", "start_date": "2026-01-01"},
    ]
    con = memory({**BASE, "contracts": contracts})
    try:
        rel = service_windows(con, OCT, NOV)
        # C1: 10..20 Oct = 11 days x 4 channels (no rows: one window a day); C2: 31 days x 4.
        assert rel.aggregate("contract_id, count(*) AS n, min(local_date), max(local_date)", "contract_id").order(
            "contract_id"
        ).fetchall() == [
            ("C1", 44, dt.date(2026, 10, 10), dt.date(2026, 10, 20)),
            ("C2", 124, OCT, dt.date(2026, 10, 31)),
        ]
        assert service_windows(con, OCT, NOV, ["C2"]).aggregate("count(*)").fetchall() == [(124,)]
    finally:
        con.close()


def business_seconds(con, contract, channel, start, end, a, b):
    """Business seconds between local times a and b (vendor time), read off the clock."""
    join_a, read_a = clock_join("clock", "ca", "x", "x.a")
    join_b, read_b = clock_join("clock", "cb", "x", "x.b")
    return con.execute(
        f"""
        WITH clock AS ({business_clock_sql(start, end, [contract])}),
        x AS (SELECT c.contract_id, ? AS channel, timezone(v.timezone, ?::TIMESTAMP) AS a,
                     timezone(v.timezone, ?::TIMESTAMP) AS b
              FROM contracts c JOIN vendors v USING (vendor_id) WHERE c.contract_id = ?)
        SELECT (({read_b}) - ({read_a})) / 1e6 FROM x {join_a} {join_b}""",
        [channel, a, b, contract],
    ).fetchone()[0]


@pytest.mark.parametrize(
    ("a", "b", "seconds"),
    [
        # 21:30 -> 22:00 is 30 min, then 08:00 -> 08:30 next day 30 min: 1 h.
        ("2026-10-05 21:30", "2026-10-06 08:30", 3600),
        # Both before opening: 0; inside one shift: plain difference (1.5 s).
        ("2026-10-05 06:00", "2026-10-05 07:59", 0),
        ("2026-10-05 09:00:00", "2026-10-05 09:00:01.5", 1.5),
    ],
)
def test_business_clock_reads(a, b, seconds):
    con = memory({**BASE, "service_hours": [hours("C1", "email", "daily", "08:00", "22:00")]})
    assert business_seconds(con, "C1", "email", OCT, NOV, a, b) == seconds


@pytest.mark.parametrize(
    ("contract", "channel", "a", "b", "seconds"),
    [
        # Weekdays 09-12 and 13-18 (8 h); Thu 1 Oct 11:00 -> Mon 5 Oct 10:00: Thu 1 h + 5 h = 6 h, Fri 2
        # closed, Sat 3 10-16 and 19-21 = 8 h, Sun 4 10-16 = 6 h, Mon 09-10 = 1 h: 21 h.
        ("C1", "chat", "2026-10-01 11:00", "2026-10-05 10:00", 21 * 3600),
        # The lunch break stops the clock: 11:59:59.250 -> 13:00:00.750 is 0.75 s + 0.75 s.
        ("C1", "chat", "2026-10-01 11:59:59.250", "2026-10-01 13:00:00.750", 1.5),
        # A 24/7 channel on the night New York's clocks go back: 00:00 -> 00:00 is 25 h of real time.
        ("C2", "phone", "2026-11-01 00:00", "2026-11-02 00:00", 25 * 3600),
        # Service hours are wall-clock hours: 08:00-22:00 is 14 h that day too.
        ("C2", "email", "2026-11-01 07:00", "2026-11-01 23:00", 14 * 3600),
    ],
)
def test_business_clock_runs_on_the_windows_across_days_holidays_and_dst(con, contract, channel, a, b, seconds):
    assert business_seconds(con, contract, channel, OCT, DEC, a, b) == seconds


def test_the_clock_reads_null_where_there_is_no_instant(con):
    join, read = clock_join("clock", "c", "x", "x.at")
    found = con.execute(f"""
        WITH clock AS ({business_clock_sql(OCT, NOV, ["C1"])}),
        x AS (SELECT 'C1' AS contract_id, 'chat' AS channel, NULL::TIMESTAMPTZ AS at)
        SELECT {read} FROM x {join}""").fetchall()
    assert found == [(None,)]


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        ("2026-11-01 01:30", "2026-11-01 05:30"),  # New York: 01:30 happens twice; the first (EDT)
        ("2026-03-08 02:30", "2026-03-08 07:30"),  # skipped by the change: moved forward to 03:30 EDT
        ("2026-07-01 12:00", "2026-07-01 16:00"),
    ],
)
def test_a_local_time_becomes_one_instant(local, utc):
    instant = local_instant(f"TIMESTAMP '{local}'", "'America/New_York'")
    sql = f"SELECT strftime({instant}, '%Y-%m-%d %H:%M')"
    assert duckdb.connect().execute(sql).fetchone()[0] == utc


def test_merged_intervals():
    # [1,4) and [2,3) overlap, [4,5) touches them: one run [1,5); [7,8) stays apart.
    rows = duckdb.sql(
        merged_intervals_sql(
            "(SELECT * FROM (VALUES ('a', 1, 4), ('a', 2, 3), ('a', 4, 5), ('a', 7, 8), ('b', 2, 3)) t(k, s, e))",
            ["k"],
            "s",
            "e",
        )
        + " ORDER BY ALL"
    ).fetchall()
    assert rows == [("a", 1, 5), ("a", 7, 8), ("b", 2, 3)]
