"""Data-quality checks per contract and month (metrics/quality.py, docs/quality.md): each check on a
small hand-built month, the thresholds file, and the finalize gate: a month with errors is refused
unless finance gives a reason, which is stored with the invoice and shown wherever it is."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from typer.testing import CliRunner

from metrics import data_health, store
from metrics.billing import finalize, invoices
from metrics.cli import app, check, invoice, sla  # noqa: F401  (registers the commands)
from metrics.errors import VendorboardError
from metrics.quality import Finding, findings, thresholds

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)


def _read(db, fn, *args, **kw):
    con = store.connect_reader(db)
    try:
        return fn(con, *args, **kw)
    finally:
        con.close()


def _found(db, month=OCT, contract="C1", **kw) -> list[Finding]:
    return _read(db, findings, month, contract, **kw)


def _checks(found: list[Finding]) -> list[tuple]:
    return [(f.check, f.severity, f.table, f.rows, f.of) for f in found]


def _calls(days: range, good: int, bad: int = 0, month: str = "2026-10") -> str:
    """`good` calls a day on each day of `days`, and `bad` answered a second before they were offered."""
    lines = ["call_id,vendor_id,offered_at,answered_at,ended_at"]
    for day in days:
        for n in range(good + bad):
            answered = "09:59:59" if n >= good else "10:00:05"
            lines.append(
                f"{day}-{n},V1,{month}-{day:02d} 10:00:00,{month}-{day:02d} {answered},{month}-{day:02d} 10:05:00"
            )
    return "\n".join(lines)


# C1 active on Mon 5 Oct 2026 only: one service day on every channel, so only the checks under test fire.
ONE_DAY = {
    "contracts": """
        contract_id,vendor_id,start_date,end_date
        C1,V1,2026-10-05,2026-10-05
        C2,V2,2026-01-01,
    """,
    "rates": """
        contract_id,channel,unit,unit_price
        C1,phone,minute,1.00
    """,
}


# ---- each check ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("good", "severity"), [(199, "error"), (200, "warning")])
def test_rejected_share_at_half_a_percent_is_an_error(load, db, good, severity):
    # 1 call rejected of 200 (199 stored + 1 rejected) is 0.5 %: an error at the default threshold;
    # 1 of 201 is 0.4975 %: a warning.
    load({**ONE_DAY, "calls": _calls(range(5, 6), good, 1)})
    [found] = _found(db)
    assert _checks([found]) == [("quarantined", severity, "calls", 1, good + 1)]
    assert (found.reason, found.channel, found.detail) == (
        "answered_before_offered",
        "phone",
        "answered_before_offered:1",
    )
    assert found.share == (D(1) / D(good + 1)).quantize(D("0.0001"))


def test_rejected_rows_are_dated_by_their_raw_vendor_and_start(load, db):
    # Shanghai vendor V1: 2026-09-30T20:00Z is 04:00 on 1 Oct local, so an October row of C1; a row
    # with an unreadable offered_at cannot be dated, nor can one of an unknown vendor (no contract:
    # listed only when every contract is checked).
    load(
        {
            "calls": _calls(range(1, 32), 1)
            + """
                x1,V1,2026-09-30T20:00:00Z,2026-09-30T19:59:00Z,2026-09-30T20:05:00Z
                x2,V1,not a time,,2026-10-05 10:00:00
                x3,V9,2026-10-05 10:00:00,,2026-10-05 10:01:00
                x4,V1,2026-11-02 10:00:00,2026-11-02 09:00:00,2026-11-02 10:01:00
            """.replace("                ", "")
        }
    )
    assert _checks(_found(db)) == [
        ("quarantined", "error", "calls", 1, 32),  # 31 stored October calls + x1
        ("undated_quarantine", "warning", None, 1, None),  # x2
    ]
    assert _checks([f for f in _found(db, contract=None) if f.contract_id is None]) == [
        ("undated_quarantine", "warning", None, 1, None)  # x3, of no known vendor
    ]
    rejected = data_health.Rejected(OCT, "C1")
    assert _read(db, data_health.quarantine_rows, rejected=rejected)["line"].to_list() == [33]  # x1, header is line 1
    assert _read(db, data_health.quarantine_count, rejected=data_health.Rejected(NOV)) == 1  # x4


def test_days_in_service_hours_without_interactions(load, db):
    # Phone is 24/7 and billed per minute: October has 31 service days. Calls on the 1st-10th leave 21
    # days empty (68 %, at least half: an error); calls on the 1st-16th leave 15 (48 %: a warning).
    # E-mail has a target but is served on Saturdays only: 5 service days (3, 10, 17, 24, 31 Oct), e-mails
    # on three of them leave 2 empty (40 %: a warning). Chat has neither rate nor target: not checked.
    load({"calls": _calls(range(1, 11), 1), **_saturday_emails()})
    found = _found(db)
    assert _checks(found) == [
        ("empty_days", "error", "calls", 21, 31),
        ("empty_days", "warning", "emails", 2, 5),
    ]
    assert found[0].detail == "10-11–10-31" and found[1].detail == "10-24, 10-31"
    assert found[0].message() == "Phone: no calls on 21 of 31 days in service hours (10-11–10-31)"
    load({"calls": _calls(range(11, 17), 1)}, reference=False)
    assert _checks(_found(db))[0] == ("empty_days", "warning", "calls", 15, 31)


def _saturday_emails() -> dict:
    return {
        "rates": """
            contract_id,channel,unit,unit_price
            C1,phone,minute,1.00
        """,
        "sla_targets": """
            contract_id,channel,metric,target
            C1,email,reply_within_rate,0.9
        """,
        "service_hours": """
            contract_id,channel,days,open,close
            C1,email,sat,09:00,18:00
        """,
        "emails": """
            email_id,vendor_id,received_at
            1,V1,2026-10-03 10:00:00
            2,V1,2026-10-10 10:00:00
            3,V1,2026-10-17 10:00:00
        """,
    }


def test_channels_that_need_agent_sessions_without_any(load, db):
    # Chat is billed by the hour, e-mail has a coverage target, weekly minimum hours count sessions on
    # any channel. The only session is on phone: chat and e-mail have none (errors); the weekly target
    # is served by the phone session.
    load(
        {
            **ONE_DAY,
            "rates": "contract_id,channel,unit,unit_price\nC1,chat,hour,30.00\n",
            "sla_targets": """
                contract_id,channel,metric,target,threshold_seconds
                C1,email,coverage_rate,0.9,
                C1,phone,weekly_min_hours,0.9,72000
            """,
            "agent_sessions": """
                session_id,vendor_id,agent_id,channel,login_at,logout_at
                1,V1,A,phone,2026-10-05 09:00:00,2026-10-05 17:00:00
            """,
        }
    )
    found = _found(db)
    assert [(f.check, f.severity, f.channel, f.detail) for f in found] == [
        ("no_sessions", "error", "chat", "rate:hour"),
        ("no_sessions", "error", "email", "target:coverage_rate"),
    ]
    assert found[0].message() == "Chat: no agent session this month, but it is billed by the hour"
    assert found[0].message("zh") == "在线：本月没有任何坐席登录，但该渠道按工时计费"


def test_interactions_out_of_contract(load, db):
    # C1 starts on 10 Oct: V1's calls of 1-9 Oct (9 of 31) fall under no contract, 29 %: an error.
    load(
        {
            "contracts": "contract_id,vendor_id,start_date\nC1,V1,2026-10-10\nC2,V2,2026-01-01\n",
            "calls": _calls(range(1, 32), 1),
        }
    )
    assert _checks(_found(db)) == [("out_of_contract", "error", "calls", 9, 31)]


def test_a_month_without_data_is_one_warning(load, db):
    # November has no interaction and no session: one no_data warning stands for the empty days.
    load({"calls": _calls(range(1, 32), 1)})
    assert _checks(_found(db, NOV)) == [("no_data", "warning", None, 0, None)]
    assert _found(db) == []  # October: a call on every day


def test_rows_loaded_after_finalizing_are_drift(load, db):
    load({"calls": _calls(range(1, 32), 1), "rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,1.00\n"})
    finalize(db, OCT, "C1")
    load(
        {
            "calls": "call_id,vendor_id,offered_at,answered_at,ended_at\nlate,V1,2026-10-20 10:00:00,2026-10-20 "
            "10:00:05,2026-10-20 10:10:00"
        },
        reference=False,
    )
    # The late call adds 10 minutes at 1.00: 10.00 + 6 % tax = +10.60 on the total, one line moved.
    [drift] = _found(db)
    assert (drift.check, drift.severity, drift.rows, drift.detail) == ("drift", "warning", 1, "+CNY 10.60")


def test_thresholds_come_from_the_file_the_environment_names(tmp_path, monkeypatch):
    config = tmp_path / "quality.toml"
    config.write_text('quarantined_error_share = 0.02\nno_sessions = "warning"\n')
    monkeypatch.setenv("VENDORBOARD_QUALITY", str(config))
    assert (thresholds().quarantined_error_share, thresholds().no_sessions) == (D("0.02"), "warning")
    assert thresholds().empty_days_error_share == D("0.5")  # the default
    config.write_text("rejected_share = 0.02\n")
    with pytest.raises(VendorboardError, match=r"quality.toml: unknown setting 'rejected_share' \(expected one of"):
        thresholds()
    config.write_text("no_data = 'fatal'\n")
    with pytest.raises(VendorboardError, match=r"no_data must be 'error' or 'warning' \(got 'fatal'\)"):
        thresholds()


# ---- the quarantine-heavy month: warnings, a refused finalize, a reason stored and shown -------------

# October: 3 calls a day, one of them answered a second before it was offered (clocks a second apart):
# 31 of 93 calls rejected, a third (33.33 %), far above the 0.5 % that makes an error.
HEAVY = {
    "rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,1.00\n",
    "sla_targets": "contract_id,channel,metric,target\nC1,phone,answer_rate,0.9\n",
    "calls": _calls(range(1, 32), 2, 1),
}
FINDING = "calls rejected: 31 (answered before it was offered: 31), 33.33% of the month's calls"
REFUSED = f"refusing to finalize C1 2026-10: its data has 1 error(s): {FINDING}"


def _cli(db, *args):
    return CliRunner().invoke(app, ["--db", str(db), *args])


def test_a_third_rejected_warns_on_sla_and_invoice_and_blocks_finalize(load, db):
    load(HEAVY)
    line = f"warning: C1 2026-10 [error] {FINDING}"
    for command in (["sla", "--month", "2026-10"], ["invoice", "--month", "2026-10", "--format", "json"]):
        run = _cli(db, *command)
        assert run.exit_code == 0, run.output  # the figures are still shown; the exit code is unchanged
        assert line in run.stderr.splitlines()
    checked = _cli(db, "check", "--month", "2026-10", "--contract", "C1", "--format", "json")
    assert checked.exit_code == 1  # an error finding
    [finding] = json.loads(checked.stdout)
    assert (finding["rows"], finding["of"], finding["share"]) == (31, 93, "0.3333")

    refused = _cli(db, "invoice", "finalize", "--month", "2026-10", "--contract", "C1")
    assert refused.exit_code == 1 and str(refused.exception).startswith(REFUSED)
    with pytest.raises(VendorboardError, match="^" + REFUSED.replace("(", r"\(").replace(")", r"\)")):
        finalize(db, OCT, "C1", accept_data_issues="   ")  # a blank reason is no reason
    assert _read(db, lambda con: con.execute("SELECT count(*) FROM invoices").fetchone()[0]) == 0

    done = _cli(
        db,
        "invoice",
        "finalize",
        "--month",
        "2026-10",
        "--contract",
        "C1",
        "--accept-data-issues",
        "vendor confirmed the clock skew; rejected calls re-sent for November",
    )
    assert done.exit_code == 0, done.output
    assert "accepted data issues: vendor confirmed the clock skew" in done.stdout
    [issued] = _read(db, invoices, OCT, "C1")
    assert issued.accepted_data_issues == "vendor confirmed the clock skew; rejected calls re-sent for November"
    assert [(f["check"], f["severity"], f["rows"]) for f in issued.data_findings] == [("quarantined", "error", 31)]
    shown = json.loads(_cli(db, "invoice", "--month", "2026-10", "--format", "json").stdout)[0]
    assert shown["data_issues"]["accepted"] == issued.accepted_data_issues
    assert shown["data_issues"]["findings"][0]["message"] == line.split("[error] ")[1]
    table = _cli(db, "invoice", "--month", "2026-10").stdout
    assert "because: vendor confirmed the clock skew" in table and "calls rejected: 31" in table


def test_a_fees_only_month_finalizes_with_a_warning(load, db):
    # C2 bills a fixed fee and nothing else; no interaction or session of November was loaded. The
    # invoice is the fee (500.00 + 6 % tax = 530.00), finalized without a reason, with the warning kept.
    load({"contracts": "contract_id,vendor_id,start_date,monthly_fee\nC1,V1,2026-01-01,0\nC2,V2,2026-01-01,500\n"})
    issued = finalize(db, NOV, "C2")
    assert (issued.status, issued.total, issued.accepted_data_issues) == ("finalized", D("530.00"), None)
    assert [(f["check"], f["severity"]) for f in issued.data_findings] == [("no_data", "warning")]
