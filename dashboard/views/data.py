"""Data: load files (with progress), what was loaded and rejected and why, freshness per vendor and
channel, interactions out of contract, and the recent loads."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from dashboard.imports import import_section, load, show_steps, uploader_key
from metrics import render
from metrics.access import Permission
from metrics.data_health import Rejected
from metrics.errors import VendorboardError
from metrics.i18n import value_name
from metrics.ingest import NOT_DATA, Source, sources_in_dir
from metrics.ingest.read import supported
from metrics.ingest.tables import LOAD_ORDER
from metrics.loading import retry
from metrics.periods import month_label

PAGE_ROWS = 50


def guess_kind(file_name: str) -> str | None:
    """The table a file is named after (calls-2026-10.csv -> calls), longest name first."""
    lowered = file_name.lower()
    return next((k for k in sorted(LOAD_ORDER, key=len, reverse=True) if k in lowered), None)


def sources(uploads: list, chosen: str, folder: Path) -> list[Source]:
    """The uploads written to `folder` as ingest sources: a .zip is a data directory; any other
    file belongs to the chosen table, or to the table its name names."""
    found: list[Source] = []
    for n, upload in enumerate(uploads):
        if upload.name.lower().endswith(".zip"):
            root = folder / f"zip{n}"
            try:
                with zipfile.ZipFile(upload) as archive:
                    archive.extractall(root)
            except zipfile.BadZipFile:
                raise VendorboardError.of("error.not_zip", file=upload.name) from None
            dirs = [  # the data directory: the folder holding table folders (named in any case)
                d
                for d in [root, *root.iterdir()]
                if d.is_dir() and any(c.is_dir() and c.name.lower() in LOAD_ORDER for c in d.iterdir())
            ]
            if not dirs:
                raise VendorboardError.of("error.no_table_folder", file=upload.name, tables=", ".join(LOAD_ORDER))
            found += [replace(s, name=f"{upload.name}/{s.path.relative_to(root)}") for s in sources_in_dir(dirs[0])]
            continue
        kind = chosen or guess_kind(upload.name)
        if kind is None:
            raise VendorboardError(tr("msg.kind_unknown", file=upload.name))
        path = folder / f"{n}-{Path(upload.name).name}"
        path.write_bytes(upload.getvalue())
        found.append(Source(kind, path, upload.name, skip=None if supported(path) else NOT_DATA))
    return found


def show_report(report: dict) -> None:
    lang = common.language()
    rows = [
        {
            "table": name,
            "loaded": c["loaded"],
            "updated": c["updated"],
            "unchanged": c["unchanged"],
            "rejected": c["rejected"],
            "reason": ", ".join(f"{value_name('reason', r, lang)}: {n}" for r, n in c["rejected_by_reason"].items()),
        }
        for name, c in report["tables"].items()
    ]
    st.subheader(tr("data.result"))
    st.success(tr("msg.ingest_done"), icon=":material/check_circle:")
    common.table(
        pl.DataFrame(rows),
        "ingest-result",
        counts=("loaded", "updated", "unchanged", "rejected"),
        enums={"table": "table"},
        file_name="ingest-result",
    )
    for skipped in report.get("skipped", []):
        reason = render.skipped(skipped["reason"], lang)
        st.warning(tr("msg.skipped", file=skipped["file"], reason=reason), icon=":material/block:")
    if report.get("retryable"):
        st.info(tr("msg.retryable", n=f"{report['retryable']:,}"), icon=":material/replay:")
    show_steps(report)
    outside = {k: n for k, n in report["out_of_contract"].items() if n}
    if outside:
        st.warning(
            f"{tr('col.out_of_contract')}: "
            + ", ".join(f"{value_name('table', k, lang)} {n:,}" for k, n in outside.items())
        )


def upload_section() -> None:
    with st.container(border=True):
        st.subheader(tr("data.upload"))
        uploads = st.file_uploader(
            tr("data.upload"),
            type=["csv", "gz", "parquet", "zip"],
            accept_multiple_files=True,
            key=uploader_key("ingest-files"),
            label_visibility="collapsed",
        )
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        kinds = {"": tr("data.kind_auto")} | {k: value_name("table", k, common.language()) for k in LOAD_ORDER}
        chosen = left.selectbox(tr("data.kind"), list(kinds), key="ingest-kind", format_func=kinds.get)
        if right.button(
            tr("data.ingest"),
            type="primary",
            disabled=not uploads,
            icon=":material/upload:",
            width="stretch",
            key="ingest-run",
        ):
            load(lambda folder: (sources(uploads, chosen, folder), []))
        if report := st.session_state.get("last_ingest"):
            show_report(report)


def retry_quarantine() -> None:
    """Load the quarantined rows that pass against today's reference data (a vendor or contract
    that arrived after them), as `vendorboard quarantine retry` does."""
    try:
        report = retry(common.db(), by=common.principal())
    except VendorboardError as exc:
        common.error(exc)
        return
    loaded = sum(c.loaded + c.updated for c in report.tables.values())
    st.session_state["last_retry"] = tr("msg.retried", loaded=f"{loaded:,}", left=f"{report.rejected:,}")
    st.rerun()


def quarantine_scope(sel: common.Selection) -> Rejected:
    """All rejected rows, those dated in the picked month, or those of the picked contract in it
    (what a data-quality finding counts; its button on another page opens this view)."""
    month = month_label(sel.month)
    scopes = {"": tr("data.all"), "month": tr("quality.scope_all", month=month)}
    if sel.contract_id:
        scopes["contract"] = tr("quality.scope", month=month, contract=sel.contract_id)
    common._keep("q-scope", list(scopes))
    chosen = st.segmented_control(
        tr("data.quarantine"), list(scopes), key="q-scope", format_func=scopes.get, label_visibility="collapsed"
    )
    if not chosen:
        return Rejected()
    return Rejected(sel.month, sel.contract_id if chosen == "contract" else None)


FIRST = ("table", "source_file", "line", "reason", "detail")  # what a reader needs, on screen at 1440 px


def in_words(rows: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Rejected rows as the page shows them: where and why first, each detail in words (render.said,
    from its facts)."""
    shown = rows.rename({"table_name": "table"}).with_columns(
        pl.col("detail").map_elements(lambda d: render.said(d, lang), return_dtype=pl.String)
    )
    return shown.select(*FIRST, *(c for c in shown.columns if c not in FIRST))


def quarantine_section(sel: common.Selection) -> None:
    st.subheader(tr("data.quarantine"))
    if done := st.session_state.pop("last_retry", None):
        st.success(done, icon=":material/replay:")
    rejected = quarantine_scope(sel)
    summary = engine("quarantine_summary", rejected)
    if summary.is_empty():
        st.success(tr("msg.no_quarantine"), icon=":material/check_circle:")
        return
    if common.can(Permission.LOAD) and st.button(
        tr("data.retry"), key="q-retry", icon=":material/replay:", help=tr("data.retry_help")
    ):
        retry_quarantine()
    lang = common.language()
    common.table(
        summary.rename({"table_name": "table"}),
        "quarantine-summary",
        counts=("rows",),
        enums={"table": "table", "reason": "reason"},
        file_name="quarantine-summary",
    )
    a, b, c = st.columns(3)
    tables = {"": tr("data.all")} | {
        v: value_name("table", v, lang) for v in summary["table_name"].unique(maintain_order=True)
    }
    common._keep("q-table", list(tables))
    table = a.selectbox(tr("data.filter_table"), list(tables), key="q-table", format_func=tables.get) or None
    shown = summary if table is None else summary.filter(pl.col("table_name") == table)
    reasons = {"": tr("data.all")} | {v: value_name("reason", v, lang) for v in shown["reason"].unique().sort()}
    common._keep("q-reason", list(reasons))
    reason = b.selectbox(tr("data.filter_reason"), list(reasons), key="q-reason", format_func=reasons.get) or None
    total = engine("quarantine_count", table, reason, rejected)
    pages = max((total - 1) // PAGE_ROWS + 1, 1)
    number = c.number_input(tr("compliance.page"), 1, pages, 1, key="q-page")
    offset = (number - 1) * PAGE_ROWS
    rows = in_words(engine("quarantine_rows", table, reason, PAGE_ROWS, offset, rejected), lang)
    st.caption(tr("compliance.rows_of", first=min(offset + 1, total), last=offset + rows.height, total=total))
    common.table(
        rows,
        "quarantine-rows",
        enums={"table": "table", "reason": "reason"},
        file_name="quarantine-page",
        wide=("reason", "detail"),  # the raw row in full in the CSV
        wide_px=180,
    )
    common.download(
        lambda: in_words(engine("quarantine_rows", table, reason, None, 0, rejected), lang),
        "quarantine-all",
        "quarantine",
        label=f"{tr('download.csv')} · {tr('data.quarantine')} ({total:,})",
        enums={"table": "table", "reason": "reason"},
    )


def main() -> None:
    sel = common.selection()
    common.page_header("data", sel)
    if common.can(Permission.LOAD) or common.can(Permission.REFERENCE) or common.can(Permission.ADJUST):
        upload_section()  # the engine refuses a file of a table the role may not load
    if common.can(Permission.LOAD):
        import_section()
    if common.empty_database():
        return
    vendor = sel.vendor_id

    st.subheader(tr("data.freshness"))
    fresh = engine("freshness")
    if vendor:
        fresh = fresh.filter(pl.col("vendor_id") == vendor)
    common.table(
        fresh.rename({"vendor_id": "vendor"}),
        "freshness",
        counts=("rows",),
        enums={"channel": "channel", "table": "table"},
        file_name="freshness",
    )

    st.subheader(tr("data.out_of_contract"))
    outside = engine("out_of_contract")
    if vendor:
        outside = outside.filter(pl.col("vendor_id") == vendor)
    if outside.is_empty():
        st.success(tr("msg.no_out_of_contract"), icon=":material/check_circle:")
    else:
        common.table(
            outside.rename({"vendor_id": "vendor"}),
            "out-of-contract",
            counts=("rows",),
            enums={"table": "table"},
            file_name="out-of-contract",
        )

    quarantine_section(sel)

    st.subheader(tr("data.runs"))
    common.table(
        engine("ingest_runs"),
        "ingest-runs",
        counts=("loaded", "updated", "unchanged", "rejected"),
        file_name="ingest-runs",
    )


main()
