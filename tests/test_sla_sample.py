"""The sample data set (SPEC §8) through the SLA engine: every seed target evaluated, and the
misses the generator planted (sample_data/MANIFEST.json) are exactly the targets missed."""

from __future__ import annotations

import json

import pytest

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.periods import parse_month
from metrics.sla import verdicts

pytestmark = pytest.mark.skipif(not (SAMPLE_DATA / "MANIFEST.json").exists(), reason="sample_data not generated")


def _manifest() -> dict:
    return json.loads((SAMPLE_DATA / "MANIFEST.json").read_text(encoding="utf-8"))


def test_telecom_seed_targets_are_all_evaluated_and_a_planted_miss_shows(sample_db):
    con = store.connect_reader(sample_db)
    try:
        months = _manifest()["months"]
        seed_targets = {
            (c, m)
            for c, m in con.execute("SELECT channel, metric FROM sla_targets WHERE contract_id = 'C-TEL'").fetchall()
        }
        missed = set()
        for label in months:
            rows = verdicts(con, parse_month(label), "C-TEL").to_dicts()
            # every seed target has a verdict with something measured
            assert {(r["channel"], r["metric"]) for r in rows} == seed_targets
            assert all(r["value"] is not None and r["met"] is not None for r in rows)
            missed |= {(label, r["channel"], r["metric"]) for r in rows if not r["met"]}
        assert {"answer_rate", "asa_seconds"} <= {m for _, c, m in missed}
    finally:
        con.close()


def test_planted_misses_are_exactly_the_missed_targets(sample_db):
    manifest = _manifest()
    planted = {(p["contract_id"], p["month"], p["channel"], p["metric"]) for p in manifest["planted_misses"]}
    con = store.connect_reader(sample_db)
    try:
        missed = {
            (r["contract_id"], r["month"], r["channel"], r["metric"])
            for label in manifest["months"]
            for r in verdicts(con, parse_month(label)).to_dicts()
            if r["met"] is False
        }
    finally:
        con.close()
    assert missed == planted
