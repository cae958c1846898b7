"""Month rollups (metrics/rollup.py): every figure read from them equals the figure measured from
the rows, after first loads, corrections that move rows between months, new sessions and changed
targets; and a month without a rollup is measured from its rows."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
from conftest import BASE_REFERENCE

from metrics import store
from metrics.billing import compute
from metrics.quality import findings
from metrics.sla import series, verdicts

SEP, OCT, NOV = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def figures(path: Path, month: dt.date) -> dict:
    """Everything a page or a report reads for the month."""
    con = store.connect_reader(path)
    try:
        found = {
            "verdicts": verdicts(con, month).to_dicts(),
            "invoices": [i.as_dict() for i in compute(con, month)],
            "findings": [f.as_dict() for f in findings(con, month)],  # their row counts: row_rollup
        }
        for grain in ("day", "hour", "day_hour"):
            found[grain] = series(con, month, None, grain).to_dicts()
        for (contract_id,) in con.execute("SELECT contract_id FROM contracts ORDER BY 1").fetchall():
            found[contract_id] = verdicts(con, month, contract_id).to_dicts()
        return found
    finally:
        con.close()


def measured(path: Path, month: dt.date, tmp_path: Path) -> dict:
    """The same figures from a copy whose rollups are forgotten, so every one is measured from rows."""
    copy = tmp_path / f"measured-{month}.duckdb"
    shutil.copyfile(path, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM rollup_months")
    con.close()
    return figures(copy, month)


def rolled_months(path: Path) -> list[dt.date]:
    con = store.connect_reader(path)
    try:
        return [m for (m,) in con.execute("SELECT month FROM rollup_months ORDER BY 1").fetchall()]
    finally:
        con.close()


def test_sample_figures_from_rollups_equal_figures_from_rows(sample_db, tmp_path):
    # Sessions start 2026-07-31 and the months run Aug-Oct: a week either side reaches Jul and Nov.
    assert rolled_months(sample_db) == [dt.date(2026, m, 1) for m in (7, 8, 9, 10, 11)]
    for month in (dt.date(2026, 8, 1), OCT):
        rolled = figures(sample_db, month)
        assert rolled["verdicts"] and rolled["day_hour"] and rolled["invoices"]
        assert rolled == measured(sample_db, month, tmp_path)


REFERENCE = {
    "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds,clock,credit_rate,credit_base
        C1,phone,answer_rate,0.8,,,0.05,channel
        C1,phone,service_level,0.8,20,calendar,0.05,channel
        C1,phone,coverage_rate,0.9,,,0.02,channel
    """,
    "service_hours": "contract_id,channel,days,open,close\nC1,phone,daily,09:00,10:00",
    "rates": "contract_id,channel,unit,unit_price,increment_seconds\nC1,phone,minute,1.00,60\nC1,phone,hour,10.00,60",
}


def oct_answer_rate(path: Path) -> tuple[D, D]:
    con = store.connect_reader(path)
    try:
        row = verdicts(con, OCT, "C1").filter(metric="answer_rate").row(0, named=True)
        return row["numerator"], row["denominator"]
    finally:
        con.close()


def test_corrections_sessions_and_new_targets_keep_rollups_exact(load, db, tmp_path):
    load(
        {
            **REFERENCE,
            "calls": """
              call_id,vendor_id,offered_at,answered_at,ended_at
              a,V1,2026-10-05 09:10:00,2026-10-05 09:10:05,2026-10-05 09:12:00
              b,V1,2026-10-05 09:20:00,,2026-10-05 09:21:00
              c,V1,2026-09-30 09:30:00,2026-09-30 09:30:30,2026-09-30 09:31:00
          """,
            "agent_sessions": """
              session_id,vendor_id,agent_id,channel,login_at,logout_at
              s1,V1,A1,phone,2026-10-05 09:00:00,2026-10-05 09:30:00
          """,
        }
    )
    assert rolled_months(db) == [SEP, OCT]
    # October: a answered, b abandoned after 60 s (not short) -> 1 answered of 2.
    assert oct_answer_rate(db) == (D(1), D(2))

    # Call a moves to November, b is answered and c moves from September to October: October has
    # b and c (both answered), September none, November a; a November session enters its coverage.
    load(
        {
            "calls": """
              call_id,vendor_id,offered_at,answered_at,ended_at
              a,V1,2026-11-02 09:10:00,2026-11-02 09:10:05,2026-11-02 09:12:00
              b,V1,2026-10-05 09:20:00,2026-10-05 09:20:10,2026-10-05 09:21:00
              c,V1,2026-10-01 09:30:00,2026-10-01 09:30:30,2026-10-01 09:31:00
          """,
            "agent_sessions": """
              session_id,vendor_id,agent_id,channel,login_at,logout_at
              s2,V1,A1,phone,2026-11-02 09:00:00,2026-11-02 10:00:00
          """,
        },
        reference=False,
    )
    assert rolled_months(db) == [SEP, OCT, NOV]
    assert oct_answer_rate(db) == (D(2), D(2))
    for month in (SEP, OCT, NOV):
        assert figures(db, month) == measured(db, month, tmp_path)

    # A changed target renumbers nothing it should not: every month is rebuilt.
    load({**REFERENCE, "sla_targets": REFERENCE["sla_targets"].replace("0.8,20", "0.8,5")})
    for month in (SEP, OCT, NOV):
        assert figures(db, month) == measured(db, month, tmp_path)


def test_month_without_rollup_is_measured_from_rows(load, db, tmp_path):
    load(
        {
            **REFERENCE,
            "calls": """
              call_id,vendor_id,offered_at,answered_at,ended_at
              a,V1,2026-10-05 09:10:00,2026-10-05 09:10:05,2026-10-05 09:12:00
          """,
        }
    )
    copy = tmp_path / "old.duckdb"  # as a database from before rollups
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM rollup_months; DELETE FROM sla_rollup; DELETE FROM usage_rollup")
    con.close()
    assert rolled_months(copy) == []
    assert oct_answer_rate(copy) == (D(1), D(1))
    assert figures(copy, OCT) == figures(db, OCT)


def test_a_reference_change_reaches_every_month_with_rows_when_none_is_rolled_up(load, db):
    # A call on 5 Oct and a session on 28 Nov, then the months rolled up forgotten (`rollup_months`
    # emptied; `row_rollup`, the stored rows per day, stays and is where the months with rows are
    # found). A vendor row reaches every month with rows: October (the call) and the months a week
    # either side of the session (21 Nov - 5 Dec): November and December. (A renamed vendor: a change.)
    load(
        {
            **REFERENCE,
            "calls": "call_id,vendor_id,offered_at,answered_at,ended_at\n"
            "a,V1,2026-10-05 09:10:00,2026-10-05 09:10:05,2026-10-05 09:12:00",
            "agent_sessions": "session_id,vendor_id,agent_id,channel,login_at,logout_at\n"
            "s1,V1,A1,phone,2026-11-28 09:00:00,2026-11-28 09:30:00",
        }
    )
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM rollup_months")
    con.close()
    load({"vendors": BASE_REFERENCE["vendors"].replace("华信通信客服有限公司", "Huaxin")}, reference=False)
    assert rolled_months(db) == [OCT, NOV, dt.date(2026, 12, 1)]


def built_at(path: Path) -> dict[dt.date, str]:
    con = store.connect_reader(path)
    try:
        return dict(con.execute("SELECT month, built_at::VARCHAR FROM rollup_months").fetchall())
    finally:
        con.close()


def test_a_reference_change_rebuilds_only_the_months_it_reaches(load, db, tmp_path):
    # One call a month, talk 70 s: 120 s billed at 60-second increments, 90 s at 30-second ones.
    # The first rate ends with October, so November has none yet.
    rates = "contract_id,channel,unit,unit_price,increment_seconds,effective_from,effective_to\n"
    load(
        {
            **REFERENCE,
            "rates": rates + "C1,phone,minute,1.00,60,,2026-11-01",
            "calls": "call_id,vendor_id,offered_at,answered_at,ended_at\n"
            + "\n".join(
                f"{m},V1,2026-{m:02d}-05 09:10:00,2026-{m:02d}-05 09:10:05,2026-{m:02d}-05 09:11:15"
                for m in (9, 10, 11)
            ),
        }
    )
    first = built_at(db)
    assert sorted(first) == [SEP, OCT, NOV]

    # A rate from November on reaches November only (and every later month, none stored here).
    load({"rates": rates + "C1,phone,minute,1.00,30,2026-11-01,"}, reference=False)
    second = built_at(db)
    assert [m for m in second if second[m] != first[m]] == [NOV]
    for month in (OCT, NOV):
        assert figures(db, month) == measured(db, month, tmp_path)

    # A holiday reaches its month and every earlier one (a month's business clock runs past its end).
    load({"holidays": "vendor_id,date,kind\nV1,2026-10-05,closed"}, reference=False)
    third = built_at(db)
    assert sorted(m for m in third if third[m] != second[m]) == [SEP, OCT]
    for month in (SEP, OCT, NOV):
        assert figures(db, month) == measured(db, month, tmp_path)


def test_rollups_of_a_month_in_which_a_contract_ends_follow_the_full_business_clock(load, db, tmp_path):
    # C1 ends Sat 31 Oct; a 24/7 call offered 23:59 that day is answered 00:30 on 1 Nov: 1,860 s of
    # business-clock wait (the clock runs through the service hours, not to the end date). A November
    # call (out of contract) gives November rows, so a rollup.
    load(
        {
            "contracts": "contract_id,vendor_id,start_date,end_date\nC1,V1,2026-01-01,2026-10-31\n",
            "sla_targets": "contract_id,channel,metric,target,clock\nC1,phone,asa_seconds,300,business\n",
            "calls": "call_id,vendor_id,offered_at,answered_at,ended_at\n"
            "a,V1,2026-10-31 23:59:00,2026-11-01 00:30:00,2026-11-01 00:35:00\n"
            "b,V1,2026-11-02 10:00:00,2026-11-02 10:00:05,2026-11-02 10:05:00\n",
        }
    )
    con = store.connect_reader(db)
    try:
        [(numerator,)] = con.execute("SELECT sum(numerator) FROM sla_rollup WHERE month = ?", [OCT]).fetchall()
    finally:
        con.close()
    assert numerator == 1860
    assert figures(db, OCT) == measured(db, OCT, tmp_path)

    # A database from before the fix kept such months' rollups with the clock stopped at the end date:
    # migration 005 drops them (the month is measured from its rows) and keeps the others.
    old = tmp_path / "before-005.duckdb"
    shutil.copyfile(db, old)
    con = duckdb.connect(str(old))
    con.execute("DELETE FROM schema_version WHERE version = 5")
    for table in ("calls", "chats", "emails", "visits", "agent_sessions"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN naive_times")
    con.execute("ALTER TABLE invoices DROP COLUMN accepted_data_issues; ALTER TABLE invoices DROP COLUMN data_findings")
    con.execute("DROP TABLE row_rollup")
    con.execute("UPDATE sla_rollup SET numerator = 60 WHERE month = ?", [OCT])  # the stopped clock's reading
    assert con.execute("SELECT month FROM rollup_months ORDER BY 1").fetchall() == [(OCT,), (NOV,)]
    con.close()
    migrated = rolled_months(old)  # connecting migrates
    assert OCT not in migrated and NOV in migrated
    assert figures(old, OCT) == figures(db, OCT)
    # and it counts the rows of the months it keeps, as ingest does: November's one call, out of contract
    con = store.connect_reader(old)
    try:
        assert con.execute("SELECT * EXCLUDE (month) FROM row_rollup").fetchall() == [
            ("calls", "phone", "V1", None, NOV.replace(day=2), 1)
        ]
    finally:
        con.close()
    assert figures(old, NOV) == figures(db, NOV)


def test_a_daily_file_rebuilds_only_the_days_it_touches(load, db, tmp_path):
    # Fri 2 Oct and Tue 6 Oct (another ISO week) have a call and a phone session each.
    calls = "call_id,vendor_id,offered_at,answered_at,ended_at\n"
    sessions = "session_id,vendor_id,agent_id,channel,login_at,logout_at\n"
    load(
        {
            **REFERENCE,
            "calls": calls + "a,V1,2026-10-02 09:10:00,2026-10-02 09:10:05,2026-10-02 09:12:00\n"
            "b,V1,2026-10-06 09:10:00,2026-10-06 09:10:05,2026-10-06 09:12:00",
            "agent_sessions": sessions + "s1,V1,A1,phone,2026-10-02 09:00:00,2026-10-02 09:30:00\n"
            "s2,V1,A1,phone,2026-10-06 09:00:00,2026-10-06 09:30:00",
        }
    )
    # Mark every rollup row of the 2nd with a figure no measurement gives: rebuilding the 2nd would erase it.
    marked = {"sla_rollup": "numerator", "usage_rollup": "quantity", "row_rollup": "rows"}
    second = {t: f"SELECT * FROM {t} WHERE day = DATE '2026-10-02' ORDER BY ALL" for t in marked}
    writer = duckdb.connect(str(db))
    for table, column in marked.items():
        writer.execute(f"UPDATE {table} SET {column} = {column} + 1000 WHERE day = DATE '2026-10-02'")
    before = {t: writer.execute(q).fetchall() for t, q in second.items()}
    writer.close()

    # The daily file of the 6th: an abandoned call (60 s, not short) and a second session.
    load(
        {
            "calls": calls + "c,V1,2026-10-06 09:20:00,,2026-10-06 09:21:00",
            "agent_sessions": sessions + "s3,V1,A2,phone,2026-10-06 09:15:00,2026-10-06 09:45:00",
        },
        reference=False,
    )
    con = duckdb.connect(str(db))
    for table, column in marked.items():  # the 2nd was not rebuilt: its rows are the marked ones
        assert before[table] and con.execute(second[table]).fetchall() == before[table], table
        con.execute(f"UPDATE {table} SET {column} = {column} - 1000 WHERE day = DATE '2026-10-02'")
    con.close()
    # and the 6th was: a and b answered of a, b and c; every figure equals one measured from the rows
    assert oct_answer_rate(db) == (D(2), D(3))
    assert figures(db, OCT) == measured(db, OCT, tmp_path)
