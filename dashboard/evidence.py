"""The rows behind a contract's target or behind one agent's figure (metrics/drilldown.py), paged,
with a CSV of all of them: what the Compliance and Agents pages show under their charts."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import render
from metrics.domain import METRIC
from metrics.drilldown import Drillable
from metrics.i18n import duration, t, value_name

PAGE_ROWS = 100
ENUMS = {"evidence": "evidence", "visit_status": "visit"}
FIRST = ("id", "local_start", "evidence", "why")


def with_why(rows: pl.DataFrame, target: Drillable, terms: dict, lang: str) -> pl.DataFrame:
    """The rows with the reason each counts as it does ('abandoned after 31 s') next to its status,
    durations in words by their size instead of seconds to the millisecond (the CSV of every row
    keeps the exact seconds)."""
    durations = [c for c in rows.columns if c.endswith("_seconds")]
    shown = (
        rows.with_columns(  # 'wait' rather than 'wait (s)': each value says its unit
            pl.col(c)
            .map_elements(lambda v: duration(v, lang), return_dtype=pl.String)
            .alias(c.removesuffix("_seconds"))
            for c in durations
        )
        .drop(durations)
        .rename({"status": "evidence"})
    )
    if target.metric in METRIC:  # an agent's own figure (handled, hold time) counts every row alike
        reason = render.why(target.metric, target.channel, target.clock, terms, lang)
        shown = shown.with_columns(pl.Series("why", [reason(r) for r in rows.iter_rows(named=True)], dtype=pl.String))
    first = [c for c in FIRST if c in shown.columns]
    return shown.select(*first, *(c for c in shown.columns if c not in first and c != "answered"))


def section(
    target: Drillable, name: str, lang: str, terms: dict, key: str = "evidence", counts: dict[str, int] | None = None
) -> None:
    """Counts by status (why rows are not counted, in words), then a page of rows each with why it
    counts as it does (misses only, or all, where rows can miss) and a CSV of every row; `name`
    names the downloads, `terms` are the contract's (short abandons), `key` keeps the widgets of two
    pages apart, `counts` are the rows by status when the page has them already."""
    counts = engine("evidence_counts", target) if counts is None else counts
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    why_not = render.not_counted(target.metric, target.channel, terms, lang) if target.metric in METRIC else ""
    left.markdown(
        " · ".join(
            f"**{value_name('evidence', s, lang)}** {n:,}"
            + (t("render.aside", lang, text=why_not) if s == "not_counted" and why_not else "")
            for s, n in counts.items()
        )
    )
    status = None
    if "miss" in counts:
        shows = {"miss": tr("compliance.show_misses"), "all": tr("compliance.show_all")}
        show = middle.segmented_control(
            tr("compliance.show"), list(shows), key=f"{key}-show", required=True, default="miss", format_func=shows.get
        )
        status = "miss" if show == "miss" else None
    total = counts["miss"] if status else sum(counts.values())
    if total == 0:
        st.info(tr("msg.no_evidence"), icon=":material/info:")
        return
    pages = (total - 1) // PAGE_ROWS + 1
    number = right.number_input(tr("compliance.page"), 1, pages, 1, key=f"{key}-page-{status}")
    offset = (number - 1) * PAGE_ROWS
    rows = engine("evidence_page", target, status, PAGE_ROWS, offset)
    st.caption(tr("compliance.rows_of", first=offset + 1, last=offset + rows.height, total=f"{total:,}"))
    shown = with_why(rows, target, terms, lang)
    wide = ("why",) if "why" in shown.columns else ()
    common.table(shown, key, enums=ENUMS, file_name=f"{name}-page", wide=wide)
    common.download(
        lambda: engine("evidence_page", target, status, None, 0).rename({"status": "evidence"}),
        f"{key}-all",
        name,
        label=f"{tr('download.csv')} · {name}.csv ({total:,})",
        enums=ENUMS,
    )
