"""The UTC offsets ingest reads naive local times with (ingest/lookups.py): runs of local time with
one offset, found day by day and, on the days a DST change cuts, hour by hour. In memory, by hand."""

from __future__ import annotations

import datetime as dt

from unit_fixtures import memory, vendor_and_contract

from metrics.ingest.lookups import MACROS, OFFSET_RUNS

H = 3_600_000_000  # an hour in microseconds


def runs(timezone: str) -> list[tuple]:
    con = memory(vendor_and_contract(timezone, start="2026-01-01", end="2026-12-31"))
    con.execute(MACROS)
    return [tuple(r[1:]) for r in con.execute(OFFSET_RUNS).fetchall()]


def test_new_york_runs_skip_the_hour_the_clocks_jump_and_keep_the_first_of_a_repeated_hour():
    # The span is the contract's dates with 31 days either side: 2025-12-01 to the end of 2027-01-31.
    # Local = UTC - 5 h (EST) until 2026-03-08 02:00; 02:00-03:00 does not exist (no run); EDT
    # (UTC - 4 h) from 03:00 until 2026-11-01 02:00, the repeated 01:00-02:00 read as its first, EDT,
    # occurrence; EST again from 02:00.
    assert runs("America/New_York") == [
        (dt.datetime(2025, 12, 1), dt.datetime(2026, 3, 8, 2), -5 * H),
        (dt.datetime(2026, 3, 8, 3), dt.datetime(2026, 11, 1, 2), -4 * H),
        (dt.datetime(2026, 11, 1, 2), dt.datetime(2027, 2, 1), -5 * H),
    ]


def test_a_zone_without_dst_is_one_run():
    assert runs("Asia/Shanghai") == [(dt.datetime(2025, 12, 1), dt.datetime(2027, 2, 1), 8 * H)]


def test_a_half_hour_change_leaves_out_only_the_hour_it_cuts():
    # Lord Howe Island moves by 30 minutes: UTC + 11 h until 2026-04-05 02:00, when 01:30-02:00
    # repeats at UTC + 10:30; the hour holding the repeat (01:00-02:00) has no run, its times take
    # the exact conversion. On 2026-10-04 02:00-02:30 does not exist: the hour 02:00-03:00 has no run.
    assert runs("Australia/Lord_Howe") == [
        (dt.datetime(2025, 12, 1), dt.datetime(2026, 4, 5, 1), 11 * H),
        (dt.datetime(2026, 4, 5, 2), dt.datetime(2026, 10, 4, 2), 21 * H // 2),
        (dt.datetime(2026, 10, 4, 3), dt.datetime(2027, 2, 1), 11 * H),
    ]
