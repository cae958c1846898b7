"""Service hours as instants (SPEC §2) and the business clock built on them."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics import store
from metrics.service_hours import business_clock_sql, clock_join, merged_intervals_sql, service_windows

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)

# C1 (Asia/Shanghai): chat has a split shift on weekdays (09:00-12:00, 13:00-18:00), overlapping
# rows on weekends (10:00-14:00 and 12:00-16:00 merge to 10:00-16:00) and 19:00-21:00 on Saturdays
# only (a row naming a day). Holidays: Fri 2 Oct closed, Sat 10 Oct a make-up workday.
HOURS = {
    "service_hours": """
        contract_id,channel,days,open,close
        C1,chat,weekdays,09:00,12:00
        C1,chat,weekdays,13:00,18:00
        C1,chat,weekends,10:00,14:00
        C1,chat,weekends,12:00,16:00
        C1,chat,sat,19:00,21:00
        C2,email,daily,08:00,22:00
    """,
    "holidays": """
        vendor_id,date,kind,name
        V1,2026-10-02,closed,National Day
        V1,2026-10-10,workday,make-up day
    """,
}


def windows(db, start, end, contract, channel, day):
    con = store.connect_reader(db)
    try:
        rel = service_windows(con, start, end, [contract])  # noqa: F841  (read by name in the SQL below)
        return con.sql(f"""SELECT strftime(timezone(v.timezone, start_at), '%H:%M'),
                                  strftime(timezone(v.timezone, end_at), '%H:%M'),
                                  (epoch(end_at) - epoch(start_at)) / 3600
                           FROM rel JOIN vendors v USING (vendor_id)
                           WHERE channel = '{channel}' AND local_date = DATE '{day}' ORDER BY start_at""").fetchall()
    finally:
        con.close()


def test_split_shift_weekday(load, db):
    load(HOURS)
    # Thu 1 Oct: two weekday windows, 3 h and 5 h.
    assert windows(db, OCT, NOV, "C1", "chat", "2026-10-01") == [("09:00", "12:00", 3), ("13:00", "18:00", 5)]


def test_closed_holiday_has_no_hours(load, db):
    load(HOURS)
    assert windows(db, OCT, NOV, "C1", "chat", "2026-10-02") == []


def test_weekend_rows_merge_and_named_day_follows_real_day(load, db):
    load(HOURS)
    # Sat 3 Oct: 10-14 and 12-16 overlap -> one 10:00-16:00 window; the `sat` row adds 19-21.
    assert windows(db, OCT, NOV, "C1", "chat", "2026-10-03") == [("10:00", "16:00", 6), ("19:00", "21:00", 2)]
    # Sun 4 Oct: weekend rows only.
    assert windows(db, OCT, NOV, "C1", "chat", "2026-10-04") == [("10:00", "16:00", 6)]


def test_make_up_workday_uses_weekday_rows(load, db):
    load(HOURS)
    # Sat 10 Oct is a workday: weekday split shift, no weekend rows, but the `sat` row still applies.
    assert windows(db, OCT, NOV, "C1", "chat", "2026-10-10") == [
        ("09:00", "12:00", 3),
        ("13:00", "18:00", 5),
        ("19:00", "21:00", 2),
    ]


def test_channel_without_rows_is_open_all_day_and_holidays_do_not_apply(load, db):
    load(HOURS)
    # C1 phone has no rows: the closed holiday does not touch it; one 24 h window.
    assert windows(db, OCT, NOV, "C1", "phone", "2026-10-02") == [("00:00", "00:00", 24)]


def test_dst_days_keep_wall_clock_hours(load, db):
    load(HOURS)
    # New York, Sun 1 Nov 2026 (clocks go back at 02:00): 08:00-22:00 is still 14 h;
    # a 24/7 channel's day lasts 25 h. Sun 8 Mar 2026 (clocks go forward): 23 h.
    assert windows(db, NOV, DEC, "C2", "email", "2026-11-01") == [("08:00", "22:00", 14)]
    assert windows(db, NOV, DEC, "C2", "phone", "2026-11-01") == [("00:00", "00:00", 25)]
    assert windows(db, dt.date(2026, 3, 1), dt.date(2026, 4, 1), "C2", "phone", "2026-03-08") == [
        ("00:00", "00:00", 23)
    ]


def test_only_active_days_of_the_contract(load, db):
    load(
        {
            "contracts": """
        contract_id,vendor_id,start_date,end_date
        C1,V1,2026-10-10,2026-10-20
        C2,V2,2026-01-01,
    """
        }
    )
    con = store.connect_reader(db)
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


def business_seconds(db, contract, channel, start, end, a, b):
    """Business seconds between local times a and b (vendor time), read off the clock."""
    con = store.connect_reader(db)
    try:
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
    finally:
        con.close()


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
def test_business_clock_reads(load, db, a, b, seconds):
    load(
        {
            "service_hours": """
        contract_id,channel,days,open,close
        C1,email,daily,08:00,22:00
    """
        }
    )
    assert business_seconds(db, "C1", "email", OCT, NOV, a, b) == seconds


def test_merged_intervals(load, db):
    load({})
    con = store.connect_reader(db)
    try:
        # [1,4) and [2,3) overlap, [4,5) touches them: one run [1,5); [7,8) stays apart.
        rows = con.sql(
            merged_intervals_sql(
                "(SELECT * FROM (VALUES ('a', 1, 4), ('a', 2, 3), ('a', 4, 5), ('a', 7, 8), ('b', 2, 3)) t(k, s, e))",
                ["k"],
                "s",
                "e",
            )
            + " ORDER BY ALL"
        ).fetchall()
        assert rows == [("a", 1, 5), ("a", 7, 8), ("b", 2, 3)]
    finally:
        con.close()
