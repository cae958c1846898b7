"""Agent assessment (docs/agents.md) on a hand-built month: three agents of one vendor, every figure
worked out below; the agents' figures add up to the contract's, the agent rollup equals the figures
measured from the rows, and `vendorboard agents` prints what the engine computes.

Contract C1 (V1, Asia/Shanghai) sets: phone AHT ≤ 300 s, phone CSAT ≥ 4.0, phone answer rate ≥ 0.8
(a queue figure: never judged per agent) and weekly minimum hours 20 h (72,000 s) for every
agent-week (target 1.0); a `contact` rate bills handled contacts.

October 2026, calls (talk = ended - answered; handle = talk + hold + wrap):
  c1 A1  talk 240      hold 10  wrap 20  -> 270        csat 5
  c2 A1  talk 200.5    hold  0  wrap 30  -> 230.5      csat 4
  c3 A1  talk 300      hold 20  wrap 40  -> 360        no csat
  c4 A2  talk 400.25   hold 30  wrap 50  -> 480.25     csat 3
  c5 A2  talk 250      hold  0  wrap 25  -> 275        csat 4
  c6 A3  talk 180.123  hold  0  wrap  0  -> 180.123    no csat
  c7 --  abandoned after 40 s, no agent (counts for the contract only)
  A1: 3 handled, AHT 860.5 / 3 = 286.833 s (met), hold 30 / 3 = 10 s, wrap 90 / 3 = 30 s, CSAT 9 / 2 = 4.5 (met)
  A2: 2 handled, AHT 755.25 / 2 = 377.625 s (missed), CSAT 7 / 2 = 3.5 (missed)
  A3: 1 handled, AHT 180.123 s (met), CSAT: no response -> no data
  Contract: 6 answered of 7, AHT 1,795.873 / 6 = 299.312167 s (met), CSAT 16 / 4 = 4.0 (met)
Sessions in the ISO week of Monday 2026-10-05 (its Thursday is in October):
  A1 10 h + 12 h = 22 h >= 20 h (met, 1 of 1 weeks); A2 15 h (missed, 0 of 1); A3 none -> no data.
  Contract: 1 of 2 agent-weeks = 0.5 (missed).
September 2026: c8 A2 talk 500 s (AHT missed again), c9 A1 talk 100 s (met); no CSAT, no sessions.
So A2 missed the AHT target in September and October: the one agent below target 2 months running
(A2's CSAT and weekly hours have no data in September, which breaks their run).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal as D
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import BASE_REFERENCE, write_data
from typer.testing import CliRunner

import metrics.cli.agents  # noqa: F401  (registers the command)
from metrics import agents, billing, charts, drilldown, store
from metrics.agents import AgentFigure
from metrics.agents.figures import FIGURES
from metrics.cli import app
from metrics.errors import VendorboardError
from metrics.i18n import exact_value, metric_value, t
from metrics.ingest import sources_in_dir
from metrics.loading import ingest
from metrics.sla import verdicts

SEP, OCT = dt.date(2026, 9, 1), dt.date(2026, 10, 1)

DATA = {
    **BASE_REFERENCE,
    "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds
        C1,phone,aht_seconds,300,
        C1,phone,csat,4.0,
        C1,phone,answer_rate,0.8,
        C1,phone,weekly_min_hours,1.0,72000
    """,
    "rates": """
        contract_id,channel,unit,unit_price
        C1,phone,contact,1.00
    """,
    "agents": """
        vendor_id,agent_id,name,team,start_date
        V1,A1,张伟,早班,2026-01-05
        V1,A2,李娜,,
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at,agent_id,hold_seconds,wrap_seconds,csat
        c1,V1,2026-10-05 10:00:00,2026-10-05 10:00:05,2026-10-05 10:04:05,A1,10,20,5
        c2,V1,2026-10-06 11:00:00,2026-10-06 11:00:02,2026-10-06 11:03:22.500,A1,0,30,4
        c3,V1,2026-10-07 12:00:00,2026-10-07 12:00:03,2026-10-07 12:05:03,A1,20,40,
        c4,V1,2026-10-05 14:00:00,2026-10-05 14:00:10,2026-10-05 14:06:50.250,A2,30,50,3
        c5,V1,2026-10-08 15:00:00,2026-10-08 15:00:01,2026-10-08 15:04:11,A2,0,25,4
        c6,V1,2026-10-09 16:00:00,2026-10-09 16:00:02,2026-10-09 16:03:02.123,A3,0,0,
        c7,V1,2026-10-09 17:00:00,,2026-10-09 17:00:40,,,,
        c8,V1,2026-09-10 10:00:00,2026-09-10 10:00:05,2026-09-10 10:08:25,A2,0,0,
        c9,V1,2026-09-11 10:00:00,2026-09-11 10:00:05,2026-09-11 10:01:45,A1,0,0,
    """,
    "agent_sessions": """
        session_id,vendor_id,agent_id,channel,login_at,logout_at
        s1,V1,A1,phone,2026-10-05 08:00:00,2026-10-05 18:00:00
        s2,V1,A1,phone,2026-10-06 08:00:00,2026-10-06 20:00:00
        s3,V1,A2,phone,2026-10-07 08:00:00,2026-10-07 23:00:00
    """,
}


@pytest.fixture(scope="module")
def month_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("agents")
    db = root / "agents.duckdb"
    ingest(db, sources_in_dir(write_data(root / "data", DATA)))
    return db


def read(db: Path, fn, *args, **kwargs):
    con = store.connect_reader(db)
    try:
        return fn(con, *args, **kwargs)
    finally:
        con.close()


def by_agent(figs: pl.DataFrame, metric: str) -> dict[str, dict]:
    return {r["agent_id"]: r for r in figs.filter(pl.col("metric") == metric).iter_rows(named=True)}


def contract_row(db: Path, metric: str) -> dict:
    return read(db, verdicts, OCT, "C1").filter(pl.col("metric") == metric).row(0, named=True)


def test_per_agent_handled_counts_add_up_to_the_contracts(month_db: Path) -> None:
    handled = by_agent(read(month_db, agents.figures, OCT, "C1"), "handled")
    assert {a: r["value"] for a, r in handled.items()} == {"A1": 3.0, "A2": 2.0, "A3": 1.0}
    # The contract's handled contacts, as billed (the `contact` usage line) and as answered calls.
    (invoice,) = read(month_db, billing.compute, OCT, "C1")
    (contacts,) = [line for line in invoice.lines if line.unit == "contact"]
    assert (
        sum(r["count"] for r in handled.values())
        == contacts.quantity
        == contract_row(month_db, "aht_seconds")["denominator"]
        == 6
    )


def test_count_weighted_mean_of_agent_aht_is_the_contracts_aht(month_db: Path) -> None:
    aht = by_agent(read(month_db, agents.figures, OCT, "C1"), "aht_seconds")
    assert {a: (r["numerator"], r["denominator"]) for a, r in aht.items()} == {
        "A1": (D("860.5"), D(3)),
        "A2": (D("755.25"), D(2)),
        "A3": (D("180.123"), D(1)),
    }
    assert {a: (round(r["value"], 3), r["target"], r["verdict"]) for a, r in aht.items()} == {
        "A1": (286.833, D(300), "met"),
        "A2": (377.625, D(300), "missed"),
        "A3": (180.123, D(300), "met"),
    }
    contract = contract_row(month_db, "aht_seconds")
    assert contract["numerator"] == sum(r["numerator"] for r in aht.values()) == D("1795.873")
    weighted = sum(D(str(r["value"])) * r["count"] for r in aht.values()) / sum(r["count"] for r in aht.values())
    assert round(weighted, 3) == round(D(str(contract["value"])), 3) == D("299.312")


def test_an_agent_without_csat_responses_is_no_data(month_db: Path) -> None:
    figs = read(month_db, agents.figures, OCT, "C1")
    csat = by_agent(figs, "csat")
    assert {a: (r["value"], r["count"], r["verdict"]) for a, r in csat.items()} == {
        "A1": (4.5, 2, "met"),
        "A2": (3.5, 2, "missed"),
        "A3": (None, 0, "no_data"),
    }
    # Weekly hours: A3 logged nothing, so no data (not a pass, not a miss); the weeks add up to the contract's.
    weekly = by_agent(figs, "weekly_min_hours")
    assert {a: (r["numerator"], r["denominator"], r["verdict"]) for a, r in weekly.items()} == {
        "A1": (D(1), D(1), "met"),
        "A2": (D(0), D(1), "missed"),
        "A3": (D(0), D(0), "no_data"),
    }
    contract = contract_row(month_db, "weekly_min_hours")
    assert (contract["numerator"], contract["denominator"]) == (D(1), D(2))
    assert {a: r["value"] for a, r in by_agent(figs, "logged_hours").items()} == {"A1": 22.0, "A2": 15.0}


def test_queue_figures_are_not_judged_per_agent_and_names_show(month_db: Path) -> None:
    figs = read(month_db, agents.figures, OCT, "C1")
    assert "answer_rate" not in figs["metric"].to_list()
    a1 = {r["metric"]: r for r in figs.filter(pl.col("agent_id") == "A1").iter_rows(named=True)}
    assert list(a1) == [
        "handled",
        "aht_seconds",
        "hold_seconds",
        "wrap_seconds",
        "csat",
        "logged_hours",
        "weekly_min_hours",
    ]
    # hold 30 / 3 = 10 s and wrap 90 / 3 = 30 s: shown, no target, no verdict.
    assert [(a1[m]["value"], a1[m]["target"], a1[m]["verdict"]) for m in ("hold_seconds", "wrap_seconds")] == [
        (10.0, None, None),
        (30.0, None, None),
    ]
    names = {r["agent_id"]: (r["name"], r["team"]) for r in figs.iter_rows(named=True)}
    assert names == {"A1": ("张伟", "早班"), "A2": ("李娜", None), "A3": (None, None)}


def test_an_agent_below_the_aht_target_two_months_running(month_db: Path) -> None:
    twice = read(month_db, agents.below_target, OCT, 2, "C1")
    assert twice.select("agent_id", "metric", "value", "missed_since").rows() == [
        ("A2", "aht_seconds", 377.625, "2026-09")
    ]
    # One month: every miss of October (A2's AHT, CSAT and weekly hours).
    once = read(month_db, agents.below_target, OCT, 1)
    assert sorted(once.select("agent_id", "metric").rows()) == [
        ("A2", "aht_seconds"),
        ("A2", "csat"),
        ("A2", "weekly_min_hours"),
    ]
    with pytest.raises(VendorboardError, match="--below-target"):
        read(month_db, agents.below_target, OCT, 0)


def test_an_agents_trend_holds_the_months_with_rows_only(month_db: Path) -> None:
    # A2's AHT over the six months to October: September's c8 (talk 500 s, no hold or wrap) and
    # October's c4 (400.25 + 30 + 50 = 480.25 s) and c5 (250 + 0 + 25 = 275 s): 377.625 s. May to
    # August hold no rows: absent (not measured).
    trend = read(month_db, agents.trend, OCT, "C1", "A2")
    aht = trend.filter(pl.col("metric") == "aht_seconds")
    assert aht.select("month", "value").rows() == [("2026-09", 500.0), ("2026-10", 377.625)]
    assert trend["month"].unique(maintain_order=True).to_list() == ["2026-09", "2026-10"]
    # Each month's rows are that month's figures of A2, as the month's own measurement gives them.
    for month, label in ((SEP, "2026-09"), (OCT, "2026-10")):
        mine = read(month_db, agents.figures, month, agent_id="A2")
        assert trend.filter(pl.col("month") == label).equals(mine)
    # An agent with no rows at all in the six months: an empty trend with the figures' columns.
    nobody = read(month_db, agents.trend, OCT, "C1", "A9")
    assert nobody.is_empty() and nobody.columns == trend.columns


def test_the_rows_behind_one_agents_figure(month_db: Path) -> None:
    # A2's AHT: c4 (480.25 s) misses 300 s, c5 (275 s) meets it; A2's September call is another month.
    a2 = AgentFigure(OCT, "C1", "A2", "phone", "aht_seconds", judged=True)
    assert read(month_db, drilldown.counts, a2) == {"hit": 1, "miss": 1, "not_counted": 0}
    rows = read(month_db, drilldown.page, a2)
    assert rows.select("id", "handle_seconds", "status").rows() == [
        ("c4", D("480.250000"), "miss"),
        ("c5", D("275.000000"), "hit"),
    ]
    # A figure without a target: its rows are counted or not.
    hold = AgentFigure(OCT, "C1", "A1", "phone", "hold_seconds")
    assert read(month_db, drilldown.counts, hold) == {"counted": 3, "not_counted": 0}


def figures_of(db: Path, month: dt.date) -> list[dict]:
    return read(db, agents.figures, month).to_dicts()


def from_rows(db: Path, tmp_path: Path) -> Path:
    """A copy of `db` whose agent rollups are forgotten, so agent figures are measured from rows."""
    copy = tmp_path / "from-rows.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM agent_rollup_months")
    con.close()
    return copy


def test_agent_rollup_equals_the_figures_measured_from_the_rows(month_db: Path, tmp_path: Path) -> None:
    rolled = read(month_db, lambda con: con.execute("SELECT DISTINCT month FROM agent_rollup ORDER BY 1").fetchall())
    assert [m for (m,) in rolled] == [SEP, OCT]
    copy = from_rows(month_db, tmp_path)
    for month in (SEP, OCT):
        assert figures_of(month_db, month) == figures_of(copy, month)


def test_a_correction_moves_a_call_between_agents_in_the_rollup(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    ingest(db, sources_in_dir(write_data(tmp_path / "a", DATA)))
    # c6 was A3's: now A1's, and c4 loses its CSAT. A1: 4 calls, 860.5 + 180.123 = 1,040.623 s.
    ingest(
        db,
        sources_in_dir(
            write_data(
                tmp_path / "b",
                {
                    "calls": """
                    call_id,vendor_id,offered_at,answered_at,ended_at,agent_id,hold_seconds,wrap_seconds,csat
                    c6,V1,2026-10-09 16:00:00,2026-10-09 16:00:02,2026-10-09 16:03:02.123,A1,0,0,
                    c4,V1,2026-10-05 14:00:00,2026-10-05 14:00:10,2026-10-05 14:06:50.250,A2,30,50,
                """
                },
            )
        ),
    )
    figs = read(db, agents.figures, OCT, "C1")
    aht = by_agent(figs, "aht_seconds")
    assert {a: (r["numerator"], r["denominator"]) for a, r in aht.items()} == {
        "A1": (D("1040.623"), D(4)),
        "A2": (D("755.25"), D(2)),
    }
    assert by_agent(figs, "csat")["A2"]["count"] == 1
    assert figures_of(db, OCT) == figures_of(from_rows(db, tmp_path), OCT)


MEDIAN = "first_response_median_seconds"
MEDIAN_DATA = {
    **BASE_REFERENCE,
    "sla_targets": """
        contract_id,channel,metric,target
        C1,chat,first_response_median_seconds,40
        C2,chat,first_response_seconds,40
    """,
    "chats": """
        chat_id,vendor_id,started_at,first_response_at,agent_id
        h1,V1,2026-10-05 10:00:00,2026-10-05 10:00:10,A1
        h2,V1,2026-10-05 11:00:00,2026-10-05 11:00:30,A1
        h3,V1,2026-10-06 09:00:00,2026-10-06 11:00:00,A1
        h4,V1,2026-10-06 10:00:00,2026-10-06 10:00:50,A2
        h5,V1,2026-10-07 10:00:00,2026-10-07 10:01:10,A2
        h6,V1,2026-10-07 11:00:00,,
        g1,V2,2026-10-05 10:00:00,2026-10-05 10:00:20,B1
    """,
}


def test_the_median_first_response_per_agent_is_measured_from_the_rows(tmp_path: Path) -> None:
    # C1 (median <= 40 s): A1 responded after 10, 30 and 7,200 s -> median 30 s (met; its mean,
    # 2,413.3 s, would miss); A2 after 50 and 70 s -> the lower middle, 50 s (missed); h6 has no
    # agent and no response. The contract's median of 10, 30, 50, 70, 7,200 is 50 s: a median is no
    # sum, so the agents' medians do not add up to it.
    db = tmp_path / "m.duckdb"
    ingest(db, sources_in_dir(write_data(tmp_path / "d", MEDIAN_DATA)))
    figs = read(db, agents.figures, OCT)
    median = by_agent(figs, MEDIAN)
    assert {a: (r["numerator"], r["denominator"], r["value"], r["count"], r["verdict"]) for a, r in median.items()} == {
        "A1": (D(30), D(1), 30.0, 3, "met"),
        "A2": (D(50), D(1), 50.0, 2, "missed"),
    }
    assert contract_row(db, MEDIAN)["value"] == 50.0
    # C2 sets no median target: its agent gets the mean first response, and no median, as the contract.
    b1 = figs.filter(pl.col("agent_id") == "B1")["metric"].to_list()
    assert "first_response_seconds" in b1 and MEDIAN not in b1
    # Never rolled up (a rolled-up month measures it from its rows), and the same from the rows alone.
    stored = read(
        db, lambda con: con.execute("SELECT count(*) FROM agent_rollup WHERE figure = ?", [MEDIAN]).fetchone()
    )
    assert stored == (0,)
    assert figures_of(db, OCT) == figures_of(from_rows(db, tmp_path), OCT)
    # Its rows: A1's 10 s and 30 s meet 40 s, the 7,200 s one misses.
    a1 = AgentFigure(OCT, "C1", "A1", "chat", MEDIAN, clock="calendar", judged=True)
    assert read(db, drilldown.counts, a1) == {"hit": 2, "miss": 1, "not_counted": 0}


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["--db", str(db), "agents", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_prints_the_engines_figures_to_the_cent_and_the_millisecond(month_db: Path) -> None:
    rows = json.loads(run(month_db, "--month", "2026-10", "--contract", "C1", "--format", "json"))
    engine = read(month_db, agents.figures, OCT, "C1")
    assert len(rows) == engine.height
    for got, want in zip(rows, engine.iter_rows(named=True)):
        assert (got["agent_id"], got["metric"], got["value"], got["count"], got["verdict"]) == (
            want["agent_id"],
            want["metric"],
            want["value"],
            want["count"],
            want["verdict"],
        )
        assert (D(got["numerator"]), D(got["denominator"])) == (want["numerator"], want["denominator"])
    a2 = next(r for r in rows if r["agent_id"] == "A2" and r["metric"] == "aht_seconds")
    assert (a2["numerator"], a2["denominator"], a2["target"], a2["verdict"]) == ("755.25", "2", "300", "missed")

    table = run(month_db, "--month", "2026-10", "--contract", "C1", "--below-target", "2")
    assert "A2 李娜" in table and "377.625 s" in table and "2026-09" in table
    csv = run(month_db, "--month", "2026-10", "--below-target", "3", "--format", "csv")
    assert csv.splitlines()[0].endswith(",missed_since") and len(csv.splitlines()) == 1  # no third month


def test_cli_names_a_bad_argument_in_one_line(month_db: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(month_db), "agents", "--month", "2026-10", "--contract", "NOPE"])
    assert result.exit_code != 0
    assert isinstance(result.exception, VendorboardError) and "NOPE" in str(result.exception)


def test_a_bad_agents_row_stops_the_run_naming_file_and_line(tmp_path: Path) -> None:
    root = write_data(tmp_path / "d", {**BASE_REFERENCE, "agents": "vendor_id,agent_id,start_date\nV1,A1,soon\n"})
    with pytest.raises(VendorboardError, match=r"agents/data.csv, line 2"):
        ingest(tmp_path / "x.duckdb", sources_in_dir(root))


def test_every_figure_has_its_words_and_its_unit() -> None:
    for f in FIGURES:
        assert all(t(f"metric.{f.name}", lang) != f"metric.{f.name}" for lang in ("en", "zh")), f.name
    assert [metric_value(m, v, "en") for m, v in (("handled", 351.0), ("logged_hours", 22.0))] == ["351", "22.0 h"]
    assert exact_value("hold_seconds", 10.0, "zh") == "10.000 秒"


def test_the_distribution_chart_stacks_verdicts_and_draws_the_target() -> None:
    # The three agents' AHT: two met (180.123 s, 286.833 s), one missed (377.625 s), target 300 s.
    df = pl.DataFrame({"value": [286.833, 377.625, 180.123], "verdict": ["met", "missed", "met"]})
    fig = charts.agent_distribution(df, "aht_seconds", D(300), "en")
    assert [(tr.name, sorted(tr.x)) for tr in fig.data] == [
        ("✓ met", [180.123, 286.833]),
        ("✗ missed", [377.625]),
    ]
    assert [s.x0 for s in fig.layout.shapes] == [300.0]
    assert fig.layout.annotations[0].text == "target 5 min"  # a duration by its size (issue 15)
    assert fig.layout.yaxis.dtick == 1  # three agents: whole numbers on the count axis
    assert charts.agent_distribution(df, "aht_seconds", D(300), "zh").layout.xaxis.ticksuffix == " 秒"
