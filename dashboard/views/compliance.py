"""Compliance: one contract in one month. Every target against its value, then for one target the
daily trend with the target line, the hour-of-day × day heat map, the distribution of the
durations it measures, and the interactions behind it (paged, exportable)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import common, evidence
from dashboard.common import engine, tr
from metrics import charts, render
from metrics.drilldown import Target
from metrics.i18n import metric_kind, metric_value, target_label, value_name
from metrics.periods import month_label
from metrics.quality import Finding, errors, touches
from metrics.sla.definitions import metric

TARGET_KEYS = ("channel", "metric", "threshold_seconds", "clock")


def scorecard(verdicts: pl.DataFrame, lang: str, found: list[Finding]) -> pl.DataFrame:
    """Every target with its verdict, and beside it whether a data-quality finding touches it. The
    target, its verdict and value come first, so a phone shows them without scrolling; a target on
    the business clock says so in its name."""
    return pl.DataFrame(
        [
            {
                "sla_target": render.target_name(r["channel"], r["metric"], r["threshold_seconds"], r["clock"], lang),
                "verdict": render.verdict(r["met"], lang),
                "value": metric_value(r["metric"], r["value"], lang, 2),
                "target": render.target(r["metric"], r["target"], lang),
                "numerator": render.quantity(r["metric"], r["channel"], "numerator", r["numerator"], lang),
                "denominator": render.quantity(r["metric"], r["channel"], "denominator", r["denominator"], lang),
                "data_quality": _doubt([f for f in found if touches(f, r["channel"], r["metric"])]),
                "credit_rate": r["credit_rate"],
            }
            for r in verdicts.iter_rows(named=True)
        ]
    )


def _doubt(found: list[Finding]) -> str:
    """'✗ error' / '⚠ warning' when findings touch a figure, else ''."""
    if not found:
        return ""
    return "✗ " + tr("severity.error") if errors(found) else "⚠ " + tr("severity.warning")


def default_target(verdicts: pl.DataFrame) -> int:
    """A missed service level first, then any missed target, then a service level, then the first."""
    rows = verdicts.to_dicts()
    for wanted in (
        lambda r: r["met"] is False and r["metric"] == "service_level",
        lambda r: r["met"] is False,
        lambda r: r["metric"] == "service_level",
    ):
        found = next((i for i, r in enumerate(rows) if wanted(r)), None)
        if found is not None:
            return found
    return 0


def of_target(df: pl.DataFrame, row: dict) -> pl.DataFrame:
    return df.filter(*(pl.col(k).eq_missing(row[k]) for k in TARGET_KEYS))


def daily(sel: common.Selection, row: dict, lang: str) -> None:
    days = of_target(engine("series", sel.month, sel.contract_id, "day"), row)
    if days.is_empty():
        st.info(tr("msg.no_series"), icon=":material/info:")
        return
    df = days.select(pl.col("day").alias("period"), "value", "met")
    period = "week" if row["metric"] == "weekly_min_hours" else "day"  # its days are its weeks' Mondays
    st.plotly_chart(
        charts.metric_trend(df, row["metric"], row["target"], lang, period=period), theme=None, key="compliance-daily"
    )


def hour_day(sel: common.Selection, row: dict, lang: str) -> None:
    if not metric(row["metric"]).per_hour:
        st.info(tr("msg.no_hourly"), icon=":material/info:")
        return
    cells = of_target(engine("series", sel.month, sel.contract_id, "day_hour"), row)
    if cells.is_empty():
        st.info(tr("msg.no_series"), icon=":material/info:")
        return
    st.plotly_chart(
        charts.hour_day_heatmap(cells.select("day", "hour", "value"), lang, row["metric"], row["target"]),
        theme=None,
        key="compliance-hour-day",
    )


def distribution(bins: pl.DataFrame | None, row: dict, lang: str) -> None:
    if bins is None or bins.is_empty():
        st.info(tr("msg.no_duration"), icon=":material/info:")
        return
    if row["threshold_seconds"] is not None:
        limit, label = row["threshold_seconds"], "chart.threshold"
    else:
        limit, label = (row["target"], "chart.target") if metric_kind(row["metric"]) == "seconds" else (None, "")
    mean = metric_kind(row["metric"]) == "seconds"
    st.plotly_chart(
        charts.wait_histogram(bins, limit, lang, row["channel"], label, mean),
        theme=None,
        key="compliance-distribution",
    )


def main() -> None:
    sel = common.contract_page("compliance")
    if sel is None:
        return
    lang = common.language()
    verdicts = engine("verdicts", sel.month, sel.contract_id)
    if verdicts.is_empty():
        st.info(tr("msg.no_targets", contract=sel.contract_id, month=month_label(sel.month)), icon=":material/info:")
        return
    found = engine("findings", sel.month, sel.contract_id)
    if any(f.check == "no_data" for f in found):
        st.info(
            tr("msg.no_data_contract", contract=sel.contract_id, month=month_label(sel.month)), icon=":material/info:"
        )
        return

    def named(rows: pl.DataFrame) -> str:
        return ", ".join(
            target_label(r["channel"], r["metric"], r["threshold_seconds"], lang) for r in rows.iter_rows(named=True)
        )

    missed = verdicts.filter(pl.col("met") == False)  # noqa: E712  (null = no data, not missed)
    unmeasured = verdicts.filter(pl.col("met").is_null())
    if missed.height:
        st.error(tr("msg.n_missed", n=missed.height, which=named(missed)), icon=":material/cancel:")
    elif unmeasured.height < verdicts.height:
        st.success(tr("msg.all_met"), icon=":material/check_circle:")
    if unmeasured.height:
        st.info(tr("msg.some_no_data", n=unmeasured.height, which=named(unmeasured)), icon=":material/remove:")
    common.findings_box(found, "compliance")

    st.subheader(tr("compliance.scorecard"))
    common.table(
        scorecard(verdicts, lang, found),
        "verdicts",
        percent=("credit_rate",),
        wide=("sla_target",),
        wide_px=190,
        file_name=f"sla-{sel.contract_id}-{month_label(sel.month)}",
    )

    rows = verdicts.to_dicts()
    labels = [
        f"{'✗' if r['met'] is False else '✓' if r['met'] else '–'} "
        f"{target_label(r['channel'], r['metric'], r['threshold_seconds'], lang)} · "
        f"{metric_value(r['metric'], r['value'], lang)} / {metric_value(r['metric'], r['target'], lang)}"
        for r in rows
    ]
    pick = st.selectbox(
        tr("compliance.pick_target"),
        range(len(rows)),
        index=default_target(verdicts),
        key=f"target-{sel.contract_id}-{month_label(sel.month)}",
        format_func=labels.__getitem__,
    )
    row = rows[pick]
    target = Target(sel.month, sel.contract_id, row["channel"], row["metric"], row["threshold_seconds"], row["clock"])
    counts, bins = engine("distribution", target)  # one pass over the target's rows for both

    left, right = st.columns(2)
    with left:
        st.subheader(tr("compliance.weekly" if row["metric"] == "weekly_min_hours" else "compliance.daily"))
        daily(sel, row, lang)
    with right:
        st.subheader(tr("compliance.distribution"))
        distribution(bins, row, lang)
    st.subheader(tr("compliance.heatmap"))
    hour_day(sel, row, lang)
    st.subheader(tr("compliance.evidence"))
    st.caption(
        f"{target_label(row['channel'], row['metric'], row['threshold_seconds'], lang)} · "
        f"{value_name('clock', row['clock'], lang)}"
    )
    name = f"evidence-{target.contract_id}-{month_label(target.month)}-{target.channel}-{target.metric}"
    evidence.section(target, name, lang, common.contract_terms(sel), counts=counts)


main()
