"""Compliance: one contract in one month. Every target against its value, then for one target the
daily trend with the target line, the hour-of-day × day heat map, the distribution of the
durations it measures, and the interactions behind it (paged, exportable)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import charts, render
from metrics.drilldown import Target
from metrics.i18n import duration, metric_kind, metric_value, t, target_label, value_name
from metrics.periods import month_label
from metrics.quality import Finding, errors, touches
from metrics.sla.definitions import metric

PAGE_ROWS = 100
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


def distribution(target: Target, row: dict, lang: str) -> None:
    bins = engine("histogram", target)
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


def with_why(rows: pl.DataFrame, target: Target, terms: dict, lang: str) -> pl.DataFrame:
    """The rows with the reason each counts as it does ('abandoned after 31 s'), durations in words
    by their size instead of seconds to the millisecond (the CSV export keeps the exact seconds)."""
    reason = render.why(target.metric, target.channel, target.clock, terms, lang)
    durations = [c for c in rows.columns if c.endswith("_seconds")]
    return rows.with_columns(
        pl.Series("why", [reason(r) for r in rows.iter_rows(named=True)], dtype=pl.String),
        *(pl.col(c).map_elements(lambda v: duration(v, lang), return_dtype=pl.String) for c in durations),
    ).drop([c for c in ("answered",) if c in rows.columns])


def evidence(target: Target, lang: str, terms: dict) -> None:
    counts = engine("evidence_counts", target)
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    why_not = render.not_counted(target.metric, target.channel, terms, lang)
    left.markdown(
        " · ".join(
            f"**{value_name('evidence', s, lang)}** {n:,}"
            + (t("render.aside", lang, text=why_not) if s == "not_counted" and why_not else "")
            for s, n in counts.items()
        )
    )
    shows = {"miss": tr("compliance.show_misses"), "all": tr("compliance.show_all")}
    show = middle.segmented_control(
        tr("compliance.show"), list(shows), key="evidence-show", required=True, default="miss", format_func=shows.get
    )
    status = "miss" if show == "miss" else None
    total = counts["miss"] if status else sum(counts.values())
    if total == 0:
        st.info(tr("msg.no_evidence"), icon=":material/info:")
        return
    pages = (total - 1) // PAGE_ROWS + 1
    number = right.number_input(tr("compliance.page"), 1, pages, 1, key=f"evidence-page-{status}")
    offset = (number - 1) * PAGE_ROWS
    rows = engine("evidence_page", target, status, PAGE_ROWS, offset)
    st.caption(tr("compliance.rows_of", first=offset + 1, last=offset + rows.height, total=f"{total:,}"))
    name = f"evidence-{target.contract_id}-{month_label(target.month)}-{target.channel}-{target.metric}"
    shown = with_why(rows, target, terms, lang).rename({"status": "evidence"})
    common.table(
        shown.select(
            "id",
            "local_start",
            "evidence",
            "why",
            *(c for c in shown.columns if c not in ("id", "local_start", "evidence", "why")),
        ),
        "evidence",
        enums={"evidence": "evidence", "visit_status": "visit"},
        file_name=f"{name}-page",
        wide=("why",),
    )
    common.download(
        lambda: engine("evidence_page", target, status, None, 0).rename({"status": "evidence"}),
        "evidence-all",
        name,
        label=f"{tr('download.csv')} · {name}.csv ({total:,})",
        enums={"evidence": "evidence", "visit_status": "visit"},
    )


def main() -> None:
    sel = common.selection()
    if common.empty_database():
        common.page_header("compliance", sel)
        return
    names = common.vendor_names()
    contracts = engine("contracts", sel.month)
    terms = {r["contract_id"]: r for r in contracts.iter_rows(named=True)}
    owner = dict(zip(contracts["contract_id"], contracts["vendor_id"]))
    subject = f"{sel.contract_id} · {names.get(owner.get(sel.contract_id), '')}" if sel.contract_id else None
    common.page_header("compliance", sel, subject)
    if sel.contract_id is None:
        st.info(tr("msg.no_contracts", month=month_label(sel.month)), icon=":material/info:")
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
    owner_terms = terms.get(sel.contract_id, {})

    left, right = st.columns(2)
    with left:
        st.subheader(tr("compliance.weekly" if row["metric"] == "weekly_min_hours" else "compliance.daily"))
        daily(sel, row, lang)
    with right:
        st.subheader(tr("compliance.distribution"))
        distribution(target, row, lang)
    st.subheader(tr("compliance.heatmap"))
    hour_day(sel, row, lang)
    st.subheader(tr("compliance.evidence"))
    st.caption(
        f"{target_label(row['channel'], row['metric'], row['threshold_seconds'], lang)} · "
        f"{value_name('clock', row['clock'], lang)}"
    )
    evidence(target, lang, owner_terms)


main()
