"""The rows behind a contract's target or behind one agent's figure (metrics/drilldown.py), paged,
with a CSV of all of them: what the Compliance and Agents pages show under their charts."""

from __future__ import annotations

import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics.drilldown import Drillable
from metrics.i18n import value_name

PAGE_ROWS = 100
ENUMS = {"evidence": "evidence", "visit_status": "visit"}


def section(target: Drillable, name: str, lang: str, key: str = "evidence") -> None:
    """Counts by status, then a page of rows (misses only, or all, where rows can miss) and a CSV of
    every row; `name` names the downloads, `key` keeps the widgets of two pages apart."""
    counts = engine("evidence_counts", target)
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    left.markdown(" · ".join(f"**{value_name('evidence', s, lang)}** {n:,}" for s, n in counts.items()))
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
    rows = engine("evidence_page", target, status, PAGE_ROWS, offset).rename({"status": "evidence"})
    st.caption(tr("compliance.rows_of", first=offset + 1, last=offset + rows.height, total=f"{total:,}"))
    common.table(
        rows,
        key,
        enums=ENUMS,
        file_name=f"{name}-page",
        numbers=tuple(c for c in rows.columns if c.endswith("_seconds")),
    )
    common.download(
        lambda: engine("evidence_page", target, status, None, 0).rename({"status": "evidence"}),
        f"{key}-all",
        name,
        label=f"{tr('download.csv')} · {name}.csv ({total:,})",
        enums=ENUMS,
    )
