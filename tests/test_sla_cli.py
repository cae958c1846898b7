"""`vendorboard sla` (SPEC §5): the JSON shape field for field, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import metrics.cli.sla  # noqa: F401  (registers the command)
from metrics.cli import app

FIELDS = [
    "contract_id",
    "vendor_id",
    "month",
    "channel",
    "metric",
    "value",
    "target",
    "threshold_seconds",
    "clock",
    "met",
    "numerator",
    "denominator",
    "credit_rate",
]

DATA = {
    "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds,credit_rate
        C1,phone,service_level,0.8,20,0.03
        C1,email,reply_within_rate,0.95,,0.05
    """,
    # Two calls: one answered after 4.5 s, one after 25.25 s -> service level 1/2 = 0.5.
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-05 10:00:00,2026-10-05 10:00:04.5,2026-10-05 10:03:00
        2,V1,2026-10-05 11:00:00,2026-10-05 11:00:25.25,2026-10-05 11:03:00
    """,
}


def test_json_matches_spec_field_for_field(load, db):
    load(DATA)
    result = CliRunner().invoke(
        app, ["--db", str(db), "sla", "--month", "2026-10", "--contract", "C1", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)  # the data-quality warnings go to stderr
    assert [list(r) for r in rows] == [FIELDS, FIELDS]
    # e-mail first (targets in channel order); nothing received: value and met null.
    assert rows[0] == {
        "contract_id": "C1",
        "vendor_id": "V1",
        "month": "2026-10",
        "channel": "email",
        "metric": "reply_within_rate",
        "value": None,
        "target": "0.95",
        "threshold_seconds": "86400",
        "clock": "calendar",
        "met": None,
        "numerator": "0",
        "denominator": "0",
        "credit_rate": "0.05",
    }
    assert rows[1] == {
        "contract_id": "C1",
        "vendor_id": "V1",
        "month": "2026-10",
        "channel": "phone",
        "metric": "service_level",
        "value": 0.5,
        "target": "0.8",
        "threshold_seconds": "20",
        "clock": "calendar",
        "met": False,
        "numerator": "1",
        "denominator": "2",
        "credit_rate": "0.03",
    }


def test_table_and_csv(load, db, tmp_path):
    load(DATA)
    table = CliRunner().invoke(app, ["--db", str(db), "sla", "--month", "2026-10"])
    assert "service_level" in table.output and "1/2" in table.output
    out = tmp_path / "sla.csv"
    CliRunner().invoke(app, ["--db", str(db), "sla", "--month", "2026-10", "--format", "csv", "--out", str(out)])
    lines = out.read_text().splitlines()
    assert lines[0] == ",".join(FIELDS) and len(lines) == 3


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "error: --month must be a month as YYYY-MM (got '2026-13')"),
        (["--month", "2026-10", "--contract", "NOPE"], "error: --contract NOPE: no such contract"),
    ],
)
def test_bad_arguments_are_one_line_errors(load, db, args, message):
    load(DATA)
    run = subprocess.run(  # noqa: PLW1510  (the exit code is asserted)
        [sys.executable, "-c", "from metrics.cli import main; main()", "--db", str(db), "sla", *args],
        capture_output=True,
        text=True,
    )
    assert (run.returncode, run.stderr.strip(), run.stdout) == (2, message, "")


def test_a_month_without_data_says_so_in_one_line(load, db):
    load(DATA)
    run = CliRunner().invoke(app, ["--db", str(db), "sla", "--month", "2026-11"])
    assert run.exit_code == 0
    assert run.stdout == "no data for 2026-11: no interaction or agent session of that month has been loaded\n"
    assert "warning: C1 2026-11 [warning] No interaction or agent session was loaded" in run.stderr
    # JSON keeps the SPEC shape: every target, value and met null (never a pass)
    rows = json.loads(
        CliRunner().invoke(app, ["--db", str(db), "sla", "--month", "2026-11", "--format", "json"]).stdout
    )
    assert [(r["metric"], r["value"], r["met"]) for r in rows] == [
        ("reply_within_rate", None, None),
        ("service_level", None, None),
    ]


def test_a_target_with_nothing_to_measure_reads_no_data_in_the_table(load, db):
    load(DATA)  # no e-mail received in October: its target is no data, the phone target is missed
    table = CliRunner().invoke(app, ["--db", str(db), "sla", "--month", "2026-10"]).stdout
    [email] = [line for line in table.splitlines() if "reply_within_rate" in line]
    [phone] = [line for line in table.splitlines() if "service_level" in line]
    assert "no data" in email and "missed" in phone
