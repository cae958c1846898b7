"""Naive times keep what was written (SPEC §2 "Time"): when a vendor's time zone is corrected, a
timestamp written without an offset is re-read in the new zone (local value unchanged, instant
moved), re-attributed and re-billed, so a sequence of ingests ends exactly where one fresh load of
the final data ends; a local time the new zone skips is rejected, never silently dropped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path

from conftest import table_fingerprints, write_data

from metrics import store
from metrics.billing import compute
from metrics.ingest import sources_in_dir
from metrics.loading import ingest
from metrics.sla import verdicts

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)

SHANGHAI = """
    vendor_id,name,timezone
    V1,华信通信客服有限公司,Asia/Shanghai
"""
TOKYO = """
    vendor_id,name,timezone
    V1,华信通信客服有限公司,Asia/Tokyo
"""
NEW_YORK = """
    vendor_id,name,timezone
    V1,华信通信客服有限公司,America/New_York
"""
TERMS = {
    "contracts": """
        contract_id,vendor_id,start_date,end_date
        C1,V1,2026-01-01,
    """,
    "rates": """
        contract_id,channel,unit,unit_price,increment_seconds
        C1,phone,minute,1.00,60
        C1,chat,hour,10.00,60
    """,
    "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds
        C1,phone,answer_rate,0.9,
        C1,phone,service_level,0.8,20
    """,
}
# Call 1 is written as local time at the very end of October; call 2 carries an offset (an instant
# whatever the vendor's zone); call 3 mixes: offered naive, answered and ended with an offset.
CALLS = """
    call_id,vendor_id,offered_at,answered_at,ended_at
    1,V1,2026-10-31 23:30:00,2026-10-31 23:30:10,2026-10-31 23:40:00
    2,V1,2026-10-31T23:50:00+08:00,2026-10-31T23:50:30+08:00,2026-10-31T23:55:00+08:00
    3,V1,2026-10-15 10:00:00,2026-10-15T10:00:05+08:00,2026-10-15T10:05:00+08:00
"""
# A naive session across local midnight into November: 2 h in October, 2 h in November (24/7 chat).
SESSIONS = """
    session_id,vendor_id,agent_id,channel,login_at,logout_at
    S1,V1,A1,chat,2026-10-31 22:00:00,2026-11-01 02:00:00
"""


def _ingest(db: Path, root: Path, tables: dict[str, str]) -> None:
    ingest(db, sources_in_dir(write_data(root, tables)))


def _figures(db: Path) -> dict:
    con = store.connect_reader(db)
    try:
        return {
            month: {
                "verdicts": verdicts(con, month).to_dicts(),
                "invoices": [inv.as_dict() for inv in compute(con, month)],
            }
            for month in (OCT, NOV)
        }
    finally:
        con.close()


def _calls(db: Path) -> list[tuple]:
    con = store.connect_reader(db)
    try:
        return con.execute(
            "SELECT call_id, offered_at, answered_at, ended_at, local_start, contract_id, naive_times "
            "FROM calls ORDER BY call_id"
        ).fetchall()
    finally:
        con.close()


def test_a_zone_correction_ends_where_a_fresh_load_ends(tmp_path: Path) -> None:
    sequence, fresh = tmp_path / "sequence.duckdb", tmp_path / "fresh.duckdb"
    _ingest(sequence, tmp_path / "a", {"vendors": SHANGHAI, **TERMS, "calls": CALLS, "agent_sessions": SESSIONS})
    _ingest(sequence, tmp_path / "b", {"vendors": TOKYO})
    _ingest(fresh, tmp_path / "c", {"vendors": TOKYO, **TERMS, "calls": CALLS, "agent_sessions": SESSIONS})

    assert _figures(sequence) == _figures(fresh)
    assert _calls(sequence) == _calls(fresh)
    sequence_tables, fresh_tables = table_fingerprints(sequence), table_fingerprints(fresh)
    for name in ("calls", "agent_sessions", "quarantine", "sla_rollup", "usage_rollup"):
        assert sequence_tables[name] == fresh_tables[name], name

    # Worked out: call 1 was written 23:30 local on 31 Oct. In Tokyo (UTC+9) that is 14:30 UTC, and it
    # stays an October call (10 min talk -> 10 minutes); the old reading moved it to 00:30 on 1 Nov.
    by_id = {row[0]: row for row in _calls(sequence)}
    assert by_id["1"][1] == dt.datetime(2026, 10, 31, 14, 30, tzinfo=dt.UTC)
    assert by_id["1"][4] == dt.datetime(2026, 10, 31, 23, 30)
    assert by_id["1"][6] == 0b111  # offered, answered and ended were all written naive
    # Call 2 carries an offset: the same instant, 15:50 UTC, now 00:50 on 1 Nov in Tokyo -> November.
    assert by_id["2"][1] == dt.datetime(2026, 10, 31, 15, 50, tzinfo=dt.UTC)
    assert by_id["2"][4] == dt.datetime(2026, 11, 1, 0, 50)
    # Call 3: offered 10:00 local re-read in Tokyo is 01:00 UTC; answered at 02:00:05 UTC (offset kept).
    assert (by_id["3"][1], by_id["3"][2]) == (
        dt.datetime(2026, 10, 15, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 15, 2, 0, 5, tzinfo=dt.UTC),
    )
    assert by_id["3"][6] == 0b001

    october, november = (_figures(sequence)[m]["invoices"][0] for m in (OCT, NOV))
    minutes = {m: [ln for ln in inv["lines"] if ln["unit"] == "minute"] for m, inv in ((OCT, october), (NOV, november))}
    hours = {m: [ln for ln in inv["lines"] if ln["unit"] == "hour"] for m, inv in ((OCT, october), (NOV, november))}
    # October: call 1 (10 min) + call 3 (offered 01:00, ended 02:05 UTC: talk from 02:00:05 = 4:55 -> 5 min).
    assert [ln["quantity"] for ln in minutes[OCT]] == [D(15)]
    assert [ln["quantity"] for ln in minutes[NOV]] == [D(5)]  # call 2: 4 min 30 s -> 5 min
    assert [ln["quantity"] for ln in hours[OCT]] == [D(2)] and [ln["quantity"] for ln in hours[NOV]] == [D(2)]


def test_a_local_time_the_new_zone_skips_is_rejected_not_lost(tmp_path: Path) -> None:
    # New York skips 02:00-03:00 on Sun 8 Mar 2026. Written 02:30 while the vendor was in Shanghai,
    # the call existed; once the zone is corrected to New York a fresh load rejects it, and so must
    # the correction: it moves to the quarantine, is counted, and the other calls stay. Call 3 is
    # ambiguous in New York (clocks go back at 02:00 on 1 Nov): its first occurrence, 05:30 UTC.
    calls = """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-03-08 02:30:00,2026-03-08 02:30:05,2026-03-08 02:35:00
        2,V1,2026-03-08 09:00:00,2026-03-08 09:00:05,2026-03-08 09:05:00
        3,V1,2026-11-01 01:30:00,,2026-11-01 01:31:00
    """
    sequence, fresh = tmp_path / "sequence.duckdb", tmp_path / "fresh.duckdb"
    _ingest(sequence, tmp_path / "a", {"vendors": SHANGHAI, **TERMS, "calls": calls})
    correction = ingest(sequence, sources_in_dir(write_data(tmp_path / "b", {"vendors": NEW_YORK})))
    assert correction.tables["calls"].rejected_by_reason == {"nonexistent_local_time": 1}
    _ingest(fresh, tmp_path / "c", {"vendors": NEW_YORK, **TERMS, "calls": calls})

    assert _calls(sequence) == _calls(fresh)
    assert [(c[0], c[1]) for c in _calls(sequence)] == [
        ("2", dt.datetime(2026, 3, 8, 13, 0, tzinfo=dt.UTC)),  # 09:00 EDT (UTC-4, from 03:00 that day)
        ("3", dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)),
    ]
    con = store.connect_reader(sequence)
    try:
        [(reason, detail, raw, source)] = con.execute(
            "SELECT reason, detail, raw, source_file FROM quarantine"
        ).fetchall()
    finally:
        con.close()
    assert reason == "nonexistent_local_time"
    assert "offered_at 2026-03-08 02:30:00" in detail and "America/New_York" in detail and "Asia/Shanghai" in detail
    assert '"offered_at":"2026-03-08 02:30:00"' in raw and '"call_id":"1"' in raw  # as it was written
    assert source.endswith("vendors/data.csv")  # the row that changed the zone
