"""The median first response (first_response_median_seconds): a percentile, not a mean, so one stale
chat cannot decide it; measured from the rows (quantile_disc), shown everywhere a metric is.

The data, contract C1 (V1, Asia/Shanghai), October 2026, chat served daily 09:00-18:00:
  H1 10-01 09:00:00, answered after 5.5 s
  H2 10-01 09:10:00, after 12 s
  H3 10-01 17:59:50, after 30 s (10 s of them inside service hours, which end at 18:00)
  H4 10-02 10:00:00, answered two days later: 172800 s (business: 10-02 10-18 h, 10-03 9-18 h,
     10-04 9-10 h = 18 h = 64800 s), the stale thread
  H5 10-02 11:00:00, never answered: not counted
  H6 10-02 12:00:00, after 8 s
Responded, calendar: 5.5, 8, 12, 30, 172800 -> median (the 3rd of 5) 12 s <= 20: met; the mean
(5.5 + 12 + 30 + 172800 + 8) / 5 = 34571.1 s > 20: missed.
Business: 5.5, 8, 10, 12, 64800 -> median 10 s.
Per day (calendar): Oct 1: 5.5, 12, 30 -> 12; Oct 2: 8, 172800 -> the lower middle, 8.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import BASE_REFERENCE, write_data
from dashboard_fixtures import load_dir, no_exception, open_app
from sla_fixtures import OCT, evidence_rows, fraction, series_rows, verdict, verdict_rows
from typer.testing import CliRunner

import metrics.cli.sla  # noqa: F401  (registers the command)
from metrics import store
from metrics.cli import app
from metrics.errors import VendorboardError
from metrics.ingest import sources_in_dir
from metrics.loading import ingest

MEDIAN = "first_response_median_seconds"
DATA = {
    **BASE_REFERENCE,
    "service_hours": "contract_id,channel,days,open,close\nC1,chat,daily,09:00,18:00",
    "sla_targets": """
        contract_id,channel,metric,target,clock,credit_rate
        C1,chat,first_response_median_seconds,20,calendar,0
        C1,chat,first_response_median_seconds,11,business,0
        C1,chat,first_response_seconds,20,calendar,0
    """,
    "chats": """
        chat_id,vendor_id,started_at,first_response_at
        H1,V1,2026-10-01 09:00:00,2026-10-01 09:00:05.500
        H2,V1,2026-10-01 09:10:00,2026-10-01 09:10:12
        H3,V1,2026-10-01 17:59:50,2026-10-01 18:00:20
        H4,V1,2026-10-02 10:00:00,2026-10-04 10:00:00
        H5,V1,2026-10-02 11:00:00,
        H6,V1,2026-10-02 12:00:00,2026-10-02 12:00:08
    """,
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data above, ingested once (the tests only read it)."""
    root = tmp_path_factory.mktemp("median")
    return load_dir(root / "median.duckdb", write_data(root / "data", DATA))


def median(db: Path, clock: str) -> dict:
    (row,) = [r for r in verdict_rows(db, OCT, "C1") if r["metric"] == MEDIAN and r["clock"] == clock]
    return row


def test_the_median_is_met_where_one_stale_chat_makes_the_mean_miss(db):
    median_ = median(db, "calendar")
    # numerator: the median in seconds; denominator 1 (a chat was counted), so value = numerator ÷ 1.
    assert (fraction(median_), median_["value"], median_["met"]) == ((Decimal(12), 1), 12.0, True)
    mean = verdict(db, OCT, "C1", "first_response_seconds")
    assert (fraction(mean), mean["met"]) == ((Decimal("172855.5"), 4 + 1), False)


def test_the_business_clock_median_counts_service_hours_only(db):
    row = median(db, "business")
    # 5.5, 8, 10, 12, 64800 -> 10 s <= 11: met (the calendar median, 12, would miss it).
    assert (fraction(row), row["met"]) == ((Decimal(10), 1), True)


def test_evidence_marks_each_chat_against_the_target(db):
    rows = evidence_rows(db, OCT, "C1", "chat", MEDIAN, clock="calendar")
    assert [(r["id"], r["response_seconds"], r["status"]) for r in rows] == [
        ("H1", Decimal("5.5"), "hit"),
        ("H2", Decimal(12), "hit"),
        ("H3", Decimal(30), "miss"),
        ("H4", Decimal(172800), "miss"),
        ("H5", None, "not_counted"),
        ("H6", Decimal(8), "hit"),
    ]
    # The lower median is <= the target exactly when at least half the counted rows are hits: 3 of 5.


def test_the_daily_series_takes_each_days_own_median(db):
    days = [r for r in series_rows(db, OCT, "C1", "day") if r["metric"] == MEDIAN and r["clock"] == "calendar"]
    assert [(r["day"].isoformat(), r["numerator"], r["denominator"], r["met"]) for r in days] == [
        ("2026-10-01", Decimal(12), 1, True),
        ("2026-10-02", Decimal(8), 1, True),  # of 8 and 172800 the lower middle
    ]


def test_a_percentile_is_measured_from_rows_even_in_a_rolled_up_month(db):
    con = store.connect_reader(db)
    try:
        assert con.execute("SELECT count(*) FROM rollup_months WHERE month = ?", [OCT]).fetchone()[0] == 1
        # The mean has rollup rows; the two median targets (0 and 1 in target order) have none.
        rolled = {n for (n,) in con.execute("SELECT DISTINCT target_no FROM sla_rollup").fetchall()}
    finally:
        con.close()
    assert rolled == {2}


def test_rolled_up_and_row_figures_agree_with_a_percentile_among_the_targets(db, tmp_path):
    unrolled = tmp_path / "unrolled.duckdb"
    shutil.copyfile(db, unrolled)
    con = duckdb.connect(str(unrolled))
    con.execute("DELETE FROM rollup_months")  # every figure of the copy is measured from its rows
    con.close()
    for grain in ("day", "hour", "day_hour"):
        assert series_rows(db, OCT, "C1", grain) == series_rows(unrolled, OCT, "C1", grain)
    assert verdict_rows(db, OCT) == verdict_rows(unrolled, OCT)


def test_vendorboard_sla_shows_it_in_the_spec_shape(db):
    result = CliRunner().invoke(app, ["--db", str(db), "sla", "--month", "2026-10", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.stdout) if r["metric"] == MEDIAN]  # stderr: data-quality warnings
    assert [(r["clock"], r["value"], r["target"], r["met"], r["numerator"], r["denominator"]) for r in rows] == [
        ("business", 10.0, "11", True, "10", "1"),
        ("calendar", 12.0, "20", True, "12", "1"),
    ]


def test_no_responded_chat_is_no_data(tmp_path):
    data = {**DATA, "chats": "chat_id,vendor_id,started_at,first_response_at\nH5,V1,2026-10-02 11:00:00,"}
    db = load_dir(tmp_path / "none.duckdb", write_data(tmp_path / "data", data))
    rows = [r for r in verdict_rows(db, OCT, "C1") if r["metric"] == MEDIAN]
    assert [(r["value"], r["met"], r["numerator"], r["denominator"]) for r in rows] == [(None, None, 0, 0)] * 2


def test_sla_targets_accept_it_on_chat_only(tmp_path):
    targets = "contract_id,channel,metric,target\nC1,phone,first_response_median_seconds,20"
    with pytest.raises(VendorboardError, match="does not apply to channel phone"):
        ingest(
            tmp_path / "x.duckdb",
            sources_in_dir(write_data(tmp_path / "data", {**BASE_REFERENCE, "sla_targets": targets})),
        )


@pytest.mark.parametrize(
    ("lang", "rows"),
    [
        (
            "en",
            [
                ("Median first response time", "10.00 s", "11.00 s", "✓ met"),
                ("Median first response time", "12.00 s", "20.00 s", "✓ met"),
            ],
        ),
        (
            "zh",
            [
                ("首次响应时长中位数", "10.00 秒", "11.00 秒", "✓ 达标"),
                ("首次响应时长中位数", "12.00 秒", "20.00 秒", "✓ 达标"),
            ],
        ),
    ],
)
def test_the_compliance_page_shows_it_with_its_verdict(db, monkeypatch, lang, rows):
    at = open_app(db, monkeypatch, "compliance", month="2026-10", contract="C1", lang=lang)
    no_exception(at)
    table = at.dataframe[0].value
    assert [tuple(r)[1:5] for r in table.itertuples(index=False)][:2] == rows
    # Drilling into the calendar median: its daily trend, distribution, heat map and evidence draw.
    at.selectbox(key="target-C1-2026-10").select_index(1).run()
    no_exception(at)
    evidence = at.dataframe[-1].value
    assert len(evidence) == 2  # the misses: H3 and H4
