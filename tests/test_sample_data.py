"""The committed sample data set (SPEC §8) ingests with exactly the bad rows its generator planted."""

from __future__ import annotations

import json

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.domain import INTERACTIONS


def test_sample_ingests_with_exactly_the_planted_bad_rows_rejected(sample_db):
    manifest = json.loads((SAMPLE_DATA / "MANIFEST.json").read_text())
    con = store.connect_reader(sample_db)
    try:
        rejected = {
            table: dict(
                con.execute(
                    "SELECT reason, count(*)::INTEGER FROM quarantine WHERE table_name = ? GROUP BY ALL", [table]
                ).fetchall()
            )
            for table in INTERACTIONS
        }
        stored = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in INTERACTIONS}
        vendors = [v for (v,) in con.execute("SELECT vendor_id FROM vendors ORDER BY ALL").fetchall()]
    finally:
        con.close()
    planted = {t: manifest["bad_rows"].get(t, {}) for t in INTERACTIONS}
    assert rejected == planted
    # Every written row is either stored or quarantined: nothing is lost.
    for table in INTERACTIONS:
        assert stored[table] + sum(planted[table].values()) == manifest["rows"][table]
    assert vendors == ["V-AS", "V-HOME", "V-PT", "V-TEL"]


def test_sample_has_four_vendors_three_months_and_fits_in_a_few_megabytes():
    manifest = json.loads((SAMPLE_DATA / "MANIFEST.json").read_text())
    size = sum(f.stat().st_size for f in SAMPLE_DATA.rglob("*") if f.is_file())
    assert manifest["rows"]["vendors"] == 4 and len(manifest["months"]) >= 3
    assert size < 8 * 1024 * 1024
