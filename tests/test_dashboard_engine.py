"""The engine pieces behind the dashboard (and the report): labels and number formats (i18n), the
charts, the catalog and data-health lookups, and the drill-down into a target's evidence.

The data set (`DATA`), vendors in Asia/Shanghai:
- C1 (V1) from 2026-10-01, targets phone service_level ≥ 0.8 within 5 s and phone asa_seconds ≤ 5;
  C2 (V2) 2026-01-01 to 2026-09-30.
- Calls of V1: K0 on 2026-09-30 (before C1: out of contract), then on 2026-10-05 K1 waits 4 s,
  K2 2 s, K3 8 s (all answered) and K4 hangs up after 30 s; BAD (line 8) is answered before it
  is offered (quarantined). V2's K5 on 2026-10-06 is after C2 ended: out of contract.
- Service level within 5 s: K1, K2 hit; K3 (8 s) and K4 (abandoned) miss; nothing is a short
  abandon (short_abandon_seconds 0). ASA counts answered calls only: K4 is not counted; K1 and
  K2 ≤ 5 s hit, K3 misses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
import pytest

from dashboard.common import column_widths, text_px
from metrics import catalog, charts, data_health, drilldown, store
from metrics.domain import CHANNELS, INTERACTIONS, UNITS_BY_CHANNEL
from metrics.i18n import (
    LABELS,
    duration,
    header,
    metric_value,
    money,
    number,
    percent,
    t,
    target_label,
    value_name,
)
from metrics.ingest.tables import TABLES
from metrics.ingest.validate import PARSE_REASON
from metrics.quality import CHECKS, SESSION_SOURCES, SEVERITIES
from metrics.sla.definitions import METRICS

OCT, SEP = dt.date(2026, 10, 1), dt.date(2026, 9, 1)

DATA = {
    "vendors": """
        vendor_id,name,timezone
        V1,华信通信客服有限公司,Asia/Shanghai
        V2,Gotham Contact LLC,Asia/Shanghai
    """,
    "contracts": """
        contract_id,vendor_id,start_date,end_date
        C1,V1,2026-10-01,
        C2,V2,2026-01-01,2026-09-30
    """,
    "sla_targets": """
        contract_id,channel,metric,target,threshold_seconds
        C1,phone,service_level,0.8,5
        C1,phone,asa_seconds,5,
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        K0,V1,2026-09-30 23:00:00,2026-09-30 23:00:03,2026-09-30 23:05:00
        K1,V1,2026-10-05 09:00:00,2026-10-05 09:00:04,2026-10-05 09:03:00
        K2,V1,2026-10-05 10:00:00,2026-10-05 10:00:02,2026-10-05 10:05:00
        K3,V1,2026-10-05 11:00:00,2026-10-05 11:00:08,2026-10-05 11:02:00
        K4,V1,2026-10-05 12:00:00,,2026-10-05 12:00:30
        K5,V2,2026-10-06 12:00:00,2026-10-06 12:00:01,2026-10-06 12:01:00
        BAD,V1,2026-10-07 09:00:00,2026-10-07 08:59:00,2026-10-07 09:05:00
    """,
}


@pytest.fixture
def con(load: Callable, db: Path):
    load(DATA, reference=False)
    connection = store.connect_reader(db)
    yield connection
    connection.close()


# ---- i18n ------------------------------------------------------------------------------------


def test_every_label_has_both_languages() -> None:
    assert all(en.strip() and zh.strip() for en, zh in LABELS.values())


def test_every_code_the_engine_shows_has_a_label() -> None:
    for metric in METRICS:
        assert f"metric.{metric}" in LABELS
    for channel in CHANNELS:
        assert f"channel.{channel}" in LABELS
    for unit in UNITS_BY_CHANNEL:
        assert f"unit.{unit}" in LABELS and f"what.{unit}" in LABELS
    reasons = {"missing_required", "unknown_vendor", "malformed_line", "nonexistent_local_time", "implausible_time"}
    for name in INTERACTIONS:
        table = TABLES[name]
        reasons |= {r.reason for r in table.rules}
        reasons |= {
            f"unknown_{c.name}" if c.kind == "enum" else PARSE_REASON[c.kind]
            for c in table.columns
            if c.kind in (*PARSE_REASON, "enum")
        }
        assert f"table.{name}" in LABELS
    assert sorted(r for r in reasons if f"reason.{r}" not in LABELS) == []
    # the data-quality findings: every check's name and sentence, every severity, every need
    for check in CHECKS:
        assert f"check.{check}" in LABELS and f"quality.{check}" in LABELS
    assert all(f"severity.{s}" in LABELS for s in SEVERITIES)
    needs = [f"rate:{u}" for u in UNITS_BY_CHANNEL if u == "hour"] + [f"target:{m}" for m in SESSION_SOURCES]
    assert all(f"quality.needs.{n}" in LABELS for n in needs)


def test_t_fills_placeholders_and_shows_an_unknown_key() -> None:
    assert t("msg.no_targets", "zh", contract="C1", month="2026-10") == "合同 C1 在 2026-10 没有服务水平目标。"
    assert t("no.such.key", "zh") == "no.such.key"
    assert header("amount", "zh") == "金额" and header("whatever", "en") == "whatever"
    assert value_name("channel", "onsite", "zh") == "现场" and value_name("channel", None, "en") == ""


def test_money_rounds_half_up_once_with_thousands_separators() -> None:
    assert money(Decimal("1234567.891"), "CNY") == "CNY 1,234,567.89"
    assert money(Decimal("2.005")) == "2.01"  # half up, not half even (2.00)
    assert money(Decimal("-0.005"), "CNY") == "CNY -0.01"  # half away from zero
    assert number(Decimal("27817.0000")) == "27,817" and number(Decimal("316.06667"), 2) == "316.07"
    assert number(Decimal("316.0667")) == "316.0667"  # all its decimals, unlike a browser's 3


def test_metric_values_read_as_people_read_them() -> None:
    assert metric_value("answer_rate", 0.832864, "en") == "83.3%"
    assert metric_value("asa_seconds", Decimal("10.4528"), "en", 2) == "10.45 s"
    assert metric_value("asa_seconds", 5, "zh") == "5.0 秒"
    assert metric_value("csat", 4.453744, "en") == "4.45"
    assert metric_value("accuracy", None, "en") == "–"
    assert duration(Decimal("86400"), "zh") == "24 小时" and duration(Decimal("20.000"), "en") == "20 s"
    assert percent(Decimal("0.05")) == "5.0%"
    assert target_label("phone", "service_level", Decimal(20), "en") == "Phone · Service level (≤ 20 s)"
    assert target_label("chat", "weekly_min_hours", Decimal(72000), "zh") == "在线 · 每周最低工时达标率 (≥ 20 小时)"


# ---- catalog and data health -----------------------------------------------------------------


def test_catalog_lists_months_with_data_and_the_contracts_active_in_a_month(con) -> None:
    assert catalog.months_with_data(con) == [OCT, SEP]  # K0 is September's, newest first
    assert catalog.contracts(con, OCT)["contract_id"].to_list() == ["C1"]
    assert catalog.contracts(con, SEP)["contract_id"].to_list() == ["C2"]  # C1 starts on 10-01
    every = catalog.contracts(con)
    assert every["contract_id"].to_list() == ["C1", "C2"]
    assert every["payee"].to_list() == ["华信通信客服有限公司", "Gotham Contact LLC"]  # defaults to the vendor's name
    assert catalog.targets(con, "C1")["metric"].to_list() == ["asa_seconds", "service_level"]
    assert catalog.rate_card(con, "C1").is_empty() and catalog.service_hours(con, "C1").is_empty()


def test_freshness_is_per_vendor_and_channel_in_local_time(con) -> None:
    fresh = data_health.freshness(con).filter(pl.col("table") == "calls")
    rows = {r["vendor_id"]: r for r in fresh.iter_rows(named=True)}
    assert (rows["V1"]["rows"], rows["V2"]["rows"]) == (5, 1)  # BAD was rejected
    assert rows["V1"]["first_start"] == dt.datetime(2026, 9, 30, 23, 0)
    assert rows["V1"]["last_start"] == dt.datetime(2026, 10, 5, 12, 0)
    # the newest row is V2's on 10-06: V1 is one day behind it
    assert (rows["V1"]["days_behind"], rows["V2"]["days_behind"]) == (1, 0)
    assert set(fresh["channel"]) == {"phone"}


def test_months_and_freshness_are_read_from_the_rollups_not_the_rows(load: Callable, db: Path) -> None:
    # A page's chrome must not scan history: with every interaction row deleted behind ingest's back,
    # the months and the freshness are still those of what ingest stored (the figures asserted above).
    load(DATA, reference=False)
    writer = duckdb.connect(str(db))
    writer.execute("; ".join(f"DELETE FROM {t}" for t in INTERACTIONS))
    writer.close()
    con = store.connect_reader(db)
    try:
        assert catalog.months_with_data(con) == [OCT, SEP]
        fresh = {r["vendor_id"]: r for r in data_health.freshness(con).iter_rows(named=True)}
        assert (fresh["V1"]["rows"], fresh["V1"]["days_behind"], fresh["V2"]["days_behind"]) == (5, 1, 0)
        assert fresh["V1"]["last_start"] == dt.datetime(2026, 10, 5, 12, 0)
    finally:
        con.close()


def test_out_of_contract_and_quarantine(con) -> None:
    assert data_health.out_of_contract(con).rows() == [("calls", "V1", "2026-09", 1), ("calls", "V2", "2026-10", 1)]
    assert data_health.quarantine_summary(con).rows() == [("calls", "answered_before_offered", 1)]
    (row,) = data_health.quarantine_rows(con, "calls", "answered_before_offered").to_dicts()
    assert row["line"] == 8 and '"call_id":"BAD"' in row["raw"]
    assert data_health.quarantine_count(con) == 1 and data_health.quarantine_count(con, "chats") == 0
    assert data_health.quarantine_rows(con, limit=None).height == 1


def test_ingest_runs_add_up_the_tables(con) -> None:
    (run,) = data_health.ingest_runs(con).to_dicts()
    # 2 vendors + 2 contracts + 2 targets + 6 calls loaded; BAD rejected
    assert (run["run_id"], run["loaded"], run["updated"], run["rejected"]) == (1, 12, 0, 1)


# ---- drill-down ------------------------------------------------------------------------------

SL = drilldown.Target(OCT, "C1", "phone", "service_level", Decimal(5))
ASA = drilldown.Target(OCT, "C1", "phone", "asa_seconds")


def test_evidence_counts_and_pages_in_time_order(con) -> None:
    assert drilldown.counts(con, SL) == {"hit": 2, "miss": 2, "not_counted": 0}
    assert drilldown.counts(con, ASA) == {"hit": 2, "miss": 1, "not_counted": 1}
    assert drilldown.page(con, SL, "miss")["id"].to_list() == ["K3", "K4"]
    assert drilldown.page(con, SL, limit=1, offset=1)["id"].to_list() == ["K2"]
    assert drilldown.page(con, SL, limit=None)["status"].to_list() == ["hit", "hit", "miss", "miss"]


def test_duration_distribution_bins_the_counted_rows(con) -> None:
    # waits 2, 4, 8, 30 s; p99 = 8 + 0.97 × (30 − 8) = 29.34 s over 40 bins = 0.73 s → 1 s bins
    counts, bins = drilldown.distribution(con, SL)
    assert counts == {"hit": 2, "miss": 2, "not_counted": 0}  # the same pass counts the rows by status
    assert bins.select("bin_start", "status", "rows").rows() == [
        (2.0, "hit", 1),
        (4.0, "hit", 1),
        (8.0, "miss", 1),
        (30.0, "abandoned", 1),  # a miss never answered: an abandon, drawn apart
    ]
    assert set(bins["bin_width"]) == {1.0} and set(bins["measure"]) == {"wait_seconds"}
    # ASA leaves the unanswered K4 out: answered waits 2, 4, 8 s, p99 7.92 s → 0.2 s bins
    counts, bins = drilldown.distribution(con, ASA)
    assert counts == {"hit": 2, "miss": 1, "not_counted": 1} and bins["rows"].sum() == 3
    # 8 s is past the 40th bin (0-8 s): it falls into the last one, from 7.8 s
    assert set(bins["bin_width"]) == {0.2} and bins["bin_start"].to_list() == pytest.approx([2.0, 4.0, 7.8])


# ---- charts ----------------------------------------------------------------------------------


def test_metric_trend_draws_the_target_and_marks_misses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pio.templates, "default", "streamlit")  # what importing Streamlit sets
    df = pl.DataFrame({"period": [SEP, OCT], "value": [0.97, 0.83], "met": [True, False]})
    fig = charts.metric_trend(df, "answer_rate", Decimal("0.95"), "en")
    (line,) = fig.data
    assert list(line.marker.symbol) == ["circle", "x"] and line.marker.color[1] == charts.MISSED
    (target,) = fig.layout.shapes
    assert (target.y0, target.line.dash) == (0.95, "dash")
    assert fig.layout.annotations[0].text == "target 95.0%"
    assert fig.layout.yaxis.title.text == "Answer rate (%)" and fig.layout.yaxis.tickformat == ".0%"
    # Drawn on Plotly's white template, whole (every chart: charts._figure), whatever the default.
    assert fig.layout.template == pio.templates["plotly_white"]


def test_a_target_line_is_what_plotlys_add_vline_and_add_hline_draw() -> None:
    # The charts give their layout whole (one validation, not one per update): the target lines must
    # stay the shape and label Plotly's own helpers add (vertical: label top right; horizontal: top left).
    def drawn_by_plotly(add: Callable, **where: object) -> go.Figure:
        line = {"dash": "dash", "color": charts.TARGET, "width": 1.5}
        label = {"text": "target 20 s", "font": {"size": 11, "color": charts.TARGET}}  # (Plotly writes into it)
        return add(line=line, annotation=label, **where)

    vertical = drawn_by_plotly(go.Figure().add_vline, x=20.0, annotation_position="top right")
    horizontal = drawn_by_plotly(go.Figure().add_hline, y=0.8, annotation_position="top left")
    for fig, (axis, value) in ((vertical, ("x", 20.0)), (horizontal, ("y", 0.8))):
        drawn = go.Figure(layout=charts._target_lines(axis, [(value, "target 20 s")]))
        assert drawn.layout.shapes == fig.layout.shapes and drawn.layout.annotations == fig.layout.annotations


def test_met_heatmap_marks_met_missed_and_no_data() -> None:
    df = pl.DataFrame(
        {
            "vendor": ["V1 · A", "V1 · A", "V2 · B"],
            "channel": ["phone", "chat", "phone"],
            "metric": ["answer_rate", "csat", "answer_rate"],
            "value": [0.9, None, 0.97],
            "target": [Decimal("0.95"), Decimal(4), Decimal("0.95")],
            "met": [False, None, True],
        }
    )
    heat = charts.met_heatmap(df, "zh").data[0]
    assert list(heat.y) == ["电话 · 接通率", "在线 · 客户满意度"]  # phone before chat
    assert list(heat.x) == ["V1<br>A", "V2<br>B"]
    assert [list(r) for r in heat.z] == [[0.0, 1.0], [0.5, None]]
    assert [list(r) for r in heat.text] == [["✗ 90.0%", "✓ 97.0%"], ["– 无数据", ""]]


def test_hour_day_heatmap_turns_white_at_the_target() -> None:
    df = pl.DataFrame({"day": [OCT, OCT], "hour": [9, 10], "value": [0.6, 1.0]})
    heat = charts.hour_day_heatmap(df, "en", "service_level", Decimal("0.8")).data[0]
    # values 60 and 100 %, target 80 %: white halfway, orange (bad) at the low end
    assert (heat.zmin, heat.zmax) == (60.0, 100.0)
    assert [list(s) for s in heat.colorscale] == [[0, charts.MISSED], [0.5, "#ffffff"], [1, charts.MET]]
    assert list(heat.z[0][9:11]) == [60.0, 100.0] and heat.z[0][8] is None


def test_wait_histogram_stacks_hits_and_misses_with_the_threshold() -> None:
    df = pl.DataFrame(
        {
            "measure": ["reply_seconds"] * 2,
            "bin_start": [0.0, 90000.0],
            "bin_width": [3600.0] * 2,
            "status": ["hit", "miss"],
            "rows": [10, 2],
        }
    )
    fig = charts.wait_histogram(df, Decimal(86400), "en", "email")
    hit, miss = fig.data
    assert (list(hit.y), list(miss.y)) == ([10], [2]) and fig.layout.barmode == "stack"
    assert fig.layout.shapes[0].x0 == 24.0  # 86 400 s drawn in hours
    assert fig.layout.xaxis.title.text == "reply time (hours)" and fig.layout.yaxis.title.text == "E-mails"


# ---- table widths ----------------------------------------------------------------------------


def test_text_width_counts_chinese_characters_twice() -> None:
    # 7.5 px a Latin character, 14.5 a Chinese one (dashboard/common.py), rounded half to even:
    # 'Agent' 5 × 7.5 = 37.5 → 38; '张伟' 2 × 14.5 = 29; 'A2 张伟' 3 × 7.5 + 29 = 51.5 → 52.
    assert (text_px("Agent"), text_px("张伟"), text_px("A2 张伟"), text_px("")) == (38, 29, 52, 0)
    # A column is as wide as its header or its longest value (+ 36 px of padding), whichever is wider.
    frame = pl.DataFrame({"Agent": ["A1", "A2 张伟"], "Name": ["张伟", "李娜娜娜娜娜"]})
    assert column_widths(frame) == {"Agent": 52 + 36, "Name": 87 + 36}
