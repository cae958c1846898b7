"""Agents: one contract's agents in one month against the contract's targets (docs/agents.md). The
agents below a target, then for one figure its distribution over the agents with the target drawn
and the agents ranked by it; every agent's figures side by side; and for one agent the figure's
month-over-month trend and the agent's rows behind it (paged, exportable)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import common, evidence
from dashboard.common import engine, tr
from metrics import charts
from metrics.agents import AgentFigure
from metrics.agents.figures import figure
from metrics.i18n import against_target, exact_value, metric_kind, metric_value, t, target_label
from metrics.periods import month_label, parse_month

FIGURE_KEYS = ("channel", "metric", "threshold_seconds", "clock")
# How a value column reads, by the figure's kind (number columns, so they sort as numbers).
FORMATS = {"rate": "percent", "seconds": "%.3f {s}", "score": "%.2f", "count": "%d", "hours": "%.1f {h}"}
UNITS = {"en": {"s": "s", "h": "h"}, "zh": {"s": "秒", "h": "小时"}}


def value_format(metric: str, lang: str) -> str:
    return FORMATS[metric_kind(metric)].format(**UNITS[lang])


VERDICT_MARKS = {"met": "✓ ", "missed": "✗ ", "no_data": "– "}


def verdict(value: str | None, lang: str) -> str:
    return "" if value is None else VERDICT_MARKS[value] + t(f"verdict.{value}", lang)


def label(row: dict, lang: str) -> str:
    """'Phone · Average handle time · target 300.0 s' (in `lang`, not the session's: a widget's
    format_func may run outside the page's run)."""
    text = target_label(row["channel"], row["metric"], row["threshold_seconds"], lang)
    if row["target"] is not None:
        text += f" · {t('chart.target', lang)} {metric_value(row['metric'], row['target'], lang)}"
    return text


def of_figure(df: pl.DataFrame, row: dict) -> pl.DataFrame:
    return df.filter(*(pl.col(k).eq_missing(row[k]) for k in FIGURE_KEYS))


def headline(figs: pl.DataFrame, below: pl.DataFrame) -> None:
    a, b, c = st.columns(3)
    staff = figs["agent_id"].n_unique()
    a.metric(tr("agents.summary_agents"), f"{staff:,}", border=True)
    b.metric(tr("agents.summary_below"), f"{below['agent_id'].n_unique():,} / {staff:,}", border=True)
    judged = figs.filter(pl.col("target").is_not_null()).select(FIGURE_KEYS).unique().height
    c.metric(tr("agents.summary_targets"), f"{judged}", border=True)


def below_list(below: pl.DataFrame, sel: common.Selection, lang: str) -> None:
    """The agents who missed a target this month, each with the targets missed (value / target)."""
    st.subheader(tr("agents.below_list"))
    if below.is_empty():
        st.success(tr("msg.all_agents_met"), icon=":material/check_circle:")
        return
    rows = [
        {
            "agent_id": agent_id,
            "name": part["name"][0],
            "team": part["team"][0],
            "targets_missed": part.height,
            "missed_targets": "; ".join(against_target(r, lang) for r in part.iter_rows(named=True)),
        }
        for (agent_id,), part in below.group_by("agent_id", maintain_order=True)
    ]
    common.table(
        pl.DataFrame(rows, infer_schema_length=None),
        "agents-below",
        counts=("targets_missed",),
        file_name=f"agents-below-target-{sel.contract_id}-{month_label(sel.month)}",
    )


def ranking(figs: pl.DataFrame, row: dict, sel: common.Selection, lang: str) -> pl.DataFrame:
    """The figure's agents best first (agents with nothing measured last), as shown."""
    mine = of_figure(figs, row)
    lower = figure(row["metric"], row["channel"]).better == "lower"
    ranked = mine.sort(pl.col("value"), descending=not lower, nulls_last=True)
    shown = ranked.select(
        pl.int_range(1, ranked.height + 1).alias("rank"),
        "agent_id",
        "name",
        "team",
        "value",
        pl.col("verdict").replace_strict({v: verdict(v, lang) for v in VERDICT_MARKS}, return_dtype=pl.String),
        "count",
    )
    common.table(
        shown if row["target"] is not None else shown.drop("verdict"),
        "agents-ranking",
        counts=("count",),
        formats={"value": value_format(row["metric"], lang)},
        file_name=f"agents-{sel.contract_id}-{month_label(sel.month)}-{row['channel'] or 'all'}-{row['metric']}",
    )
    return ranked


def every_figure(figs: pl.DataFrame, sel: common.Selection, lang: str) -> None:
    """One row per agent, a column per figure; the download is the long table (one row per agent and
    figure, with target, verdict and counts: what `vendorboard agents --format csv` writes)."""
    st.subheader(tr("agents.all"))
    figures = figs.select(FIGURE_KEYS).unique(maintain_order=True).with_row_index("figure")
    labels = [(target_label(c, m, s, lang), m) for _, c, m, s, _ in figures.rows()]  # per figure, not per row
    keyed = figs.join(figures, on=FIGURE_KEYS, how="left", nulls_equal=True, maintain_order="left")
    wide = keyed.group_by("agent_id", "name", "team", maintain_order=True).agg(  # one pass, not a pivot and a join
        (pl.col("verdict") == "missed").sum().alias("targets_missed"),
        *(pl.col("value").filter(pl.col("figure") == i).first().alias(label) for i, (label, _) in enumerate(labels)),
    )
    common.table(
        wide,
        "agents-all",
        counts=("targets_missed",),
        formats={label: value_format(metric, lang) for label, metric in labels},
        file_name=f"agents-{sel.contract_id}-{month_label(sel.month)}-wide",
    )
    common.download(  # written on click, as the engine gives it
        lambda: figs.drop("met"), "agents-long", f"agents-{sel.contract_id}-{month_label(sel.month)}", localize=False
    )


def one_agent(ranked: pl.DataFrame, row: dict, sel: common.Selection, lang: str) -> None:
    st.subheader(tr("agents.one"))
    agents = ranked["agent_id"].to_list()
    names = dict(zip(agents, ranked["name"].to_list()))
    missing = ranked.filter(pl.col("verdict") == "missed")["agent_id"].to_list()
    pick = st.selectbox(
        tr("agents.pick_agent"),
        agents,
        index=agents.index(missing[-1]) if missing else 0,  # the worst agent below the target, if any
        key=f"agent-{sel.contract_id}-{month_label(sel.month)}",
        format_func=lambda a: f"{a} · {names[a]}" if names.get(a) else a,
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{tr('agents.trend')}**")
        history = of_figure(engine("agent_trend", sel.month, sel.contract_id, pick), row)
        df = history.select(
            pl.col("month").map_elements(parse_month, return_dtype=pl.Date).alias("period"), "value", "met"
        )
        targets = history["target"].drop_nulls().unique().to_list()
        st.plotly_chart(charts.metric_trend(df, row["metric"], targets, lang), theme=None, key="agents-trend")
    with right:
        mine = ranked.filter(pl.col("agent_id") == pick).row(0, named=True)
        st.metric(label(row, lang), exact_value(row["metric"], mine["value"], lang), border=True)
        st.caption(f"{verdict(mine['verdict'], lang)} · {tr('col.count')} {mine['count']:,}")
    st.markdown(f"**{tr('agents.evidence')}**")
    target = AgentFigure(
        sel.month,
        sel.contract_id,
        pick,
        row["channel"],
        row["metric"],
        row["threshold_seconds"],
        row["clock"],
        row["target"] is not None,
    )
    name = f"evidence-{sel.contract_id}-{month_label(sel.month)}-{pick}-{row['metric']}"
    evidence.section(target, name, lang, common.contract_terms(sel), key="agent-evidence")


def default_figure(rows: list[dict], below: pl.DataFrame) -> int:
    """A figure some agent missed, else a judged one, else the first."""
    missed = {tuple(r[k] for k in FIGURE_KEYS) for r in below.iter_rows(named=True)}
    for wanted in (lambda r: tuple(r[k] for k in FIGURE_KEYS) in missed, lambda r: r["target"] is not None):
        found = next((i for i, r in enumerate(rows) if wanted(r)), None)
        if found is not None:
            return found
    return 0


def main() -> None:
    sel = common.contract_page("agents")
    if sel is None:
        return
    lang = common.language()
    figs = engine("agent_figures", sel.month, sel.contract_id)
    if figs.is_empty():
        st.info(tr("msg.no_agents", contract=sel.contract_id, month=month_label(sel.month)), icon=":material/info:")
        return
    st.caption(tr("msg.agents_caption"))
    below = figs.filter(pl.col("verdict") == "missed")
    headline(figs, below)
    below_list(below, sel, lang)

    rows = figs.select(*FIGURE_KEYS, "target").unique(subset=FIGURE_KEYS, maintain_order=True).to_dicts()
    pick = st.selectbox(
        tr("agents.pick_figure"),
        range(len(rows)),
        index=default_figure(rows, below),
        key=f"agent-figure-{sel.contract_id}-{month_label(sel.month)}",
        format_func=lambda i: label(rows[i], lang),
    )
    row = rows[pick]
    left, right = st.columns(2)
    with left:
        st.subheader(tr("agents.distribution"))
        st.plotly_chart(
            charts.agent_distribution(of_figure(figs, row), row["metric"], row["target"], lang),
            theme=None,
            key="agents-distribution",
        )
    with right:
        st.subheader(tr("agents.ranking"))
        ranked = ranking(figs, row, sel, lang)
    one_agent(ranked, row, sel, lang)
    every_figure(figs, sel, lang)


main()
