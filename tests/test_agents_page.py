"""The Agents page under Streamlit's AppTest on the hand-built month of test_agents.py (every figure
worked out there): the page shows what the engine and `vendorboard agents` compute, value for value."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import test_agents
from dashboard_fixtures import metrics_of, no_exception, open_app, texts
from typer.testing import CliRunner

import metrics.cli.agents  # noqa: F401  (registers the command)
from metrics import agents, store
from metrics.cli import app

OCT = dt.date(2026, 10, 1)
month_db = test_agents.month_db  # the hand-built month, a fixture


def test_the_page_shows_the_engines_and_the_clis_figures(month_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(month_db, monkeypatch, "agents", month="2026-10", contract="C1")
    no_exception(at)
    assert at.title[0].value == "Agents"
    # Three agents; A2 missed AHT, CSAT and weekly hours; the targets judged per agent: AHT, CSAT, weekly hours.
    assert metrics_of(at) == {
        "Agents with figures": "3",
        "Agents below a target": "1 / 3",
        "Targets judged per agent": "3",
        "Phone · Average handle time · target 300.0 s": "377.625 s",  # the agent shown: A2, below target
    }
    below = at.dataframe[0].value
    assert below["Agent"].tolist() == ["A2"] and below["Targets missed"].tolist() == [3]

    # The figure some agent missed first: AHT, ranked best first.
    assert at.selectbox(key="agent-figure-C1-2026-10").value == 1
    ranked = at.dataframe[1].value
    engine = store.connect_reader(month_db)
    try:
        aht = agents.figures(engine, OCT, "C1").filter(metric="aht_seconds").sort("value")
    finally:
        engine.close()
    result = CliRunner().invoke(
        app, ["--db", str(month_db), "agents", "--month", "2026-10", "--contract", "C1", "--format", "json"]
    )
    cli = {r["agent_id"]: r["value"] for r in json.loads(result.output) if r["metric"] == "aht_seconds"}
    assert ranked["Agent"].tolist() == aht["agent_id"].to_list() == ["A3", "A1", "A2"]
    assert ranked["Value"].tolist() == aht["value"].to_list() == [cli[a] for a in ("A3", "A1", "A2")]
    assert [round(v, 3) for v in ranked["Value"]] == [180.123, 286.833, 377.625]
    assert ranked["Verdict"].tolist() == ["✓ met", "✓ met", "✗ missed"]
    assert ranked["Name"].tolist()[1:] == ["张伟", "李娜"]

    # A2's rows behind the figure: c4 misses 300 s, c5 meets it.
    assert "hit 1 · miss 1 · not counted 0" in texts(at).replace("*", "")
    rows = at.dataframe[2].value
    assert rows["ID"].tolist() == ["c4"] and rows["Counts as"].tolist() == ["miss"]

    # Every agent, every figure: a row per agent; A3's CSAT has no value (no response).
    wide = at.dataframe[3].value
    assert wide["Agent"].tolist() == ["A1", "A2", "A3"]
    assert wide["Phone · Customer satisfaction"].tolist()[:2] == [4.5, 3.5]
    assert wide["Phone · Customer satisfaction"].isna().tolist()[2]


def test_picking_a_figure_and_an_agent(month_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(month_db, monkeypatch, "agents", month="2026-10", contract="C1")
    figure = at.selectbox(key="agent-figure-C1-2026-10")
    csat = next(i for i, label in enumerate(figure.options) if label.startswith("Phone · Customer satisfaction"))
    figure.set_value(csat).run()
    at.selectbox(key="agent-C1-2026-10").set_value("A3").run()
    no_exception(at)
    ranked = at.dataframe[1].value
    assert ranked["Agent"].tolist() == ["A1", "A2", "A3"]  # A3 has no response: last, no data
    assert ranked["Verdict"].tolist() == ["✓ met", "✗ missed", "– no data"]
    assert metrics_of(at)["Phone · Customer satisfaction · target 4.00"] == "–"
    assert "hit 0 · miss 0 · not counted 1" in texts(at).replace("*", "")  # c6 carries no score


def test_the_page_in_chinese_and_in_a_month_without_agents(month_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(month_db, monkeypatch, "agents", month="2026-10", contract="C1", lang="zh")
    no_exception(at)
    assert at.title[0].value == "坐席"
    assert metrics_of(at)["未达标坐席"] == "1 / 3"
    assert at.dataframe[1].value["结论"].tolist() == ["✓ 达标", "✓ 达标", "✗ 未达标"]

    at = open_app(month_db, monkeypatch, "agents", month="2026-11", contract="C1")
    no_exception(at)
    assert "No agent figures for C1 in 2026-11" in texts(at)


def test_the_page_on_the_sample(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # C-PT staffs by weekly hours: the generator plants part-timers short of the 20-hour minimum.
    con = store.connect_reader(sample_db)
    try:
        figs = agents.figures(con, OCT, "C-PT")
    finally:
        con.close()
    below, staff = figs.filter(verdict="missed")["agent_id"].n_unique(), figs["agent_id"].n_unique()
    assert 0 < below < staff
    at = open_app(sample_db, monkeypatch, "agents", month="2026-10", contract="C-PT")
    no_exception(at)
    assert metrics_of(at)["Agents below a target"] == f"{below} / {staff}"
    assert len(at.dataframe[0].value) == below
