"""Reports: the monthly report for all vendors (PDF, Excel and CSVs in one ZIP, built by
`metrics.export`) and, always, the month's CSV exports for systems (SPEC §5 field names)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics.domain import TOTALS
from metrics.periods import month_label


def invoice_totals(month) -> pl.DataFrame:
    rows = [{k: v for k, v in inv.as_dict().items() if k != "lines"} for inv, _ in engine("invoices", month)]
    return pl.DataFrame(rows, schema_overrides={k: pl.Decimal(18, 2) for k in TOTALS}, infer_schema_length=None)


def invoice_lines(month) -> pl.DataFrame:
    rows = [row for inv, _ in engine("invoices", month) for row in inv.line_rows()]
    return pl.DataFrame(
        rows,
        schema_overrides={
            "amount": pl.Decimal(18, 2),
            "quantity": pl.Decimal(18, 4),
            "unit_price": pl.Decimal(18, 6),
            "tier_from": pl.Decimal(18, 3),
            "tier_to": pl.Decimal(18, 3),
        },
        infer_schema_length=None,
    )


def build(month) -> None:
    """Run the report builder with a progress bar and keep the ZIP of what it wrote for download."""
    from metrics import export

    bar = st.progress(0.0, text=tr("reports.build"))

    def progress(step: str, done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=tr("msg.building", step=step))

    with tempfile.TemporaryDirectory() as folder, common.connection() as con:
        export.report(con, month, Path(folder), progress=progress)
        files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for p in files:
                archive.write(p, p.relative_to(folder))
    bar.progress(1.0, text=tr("msg.report_ready", files=len(files)))
    st.session_state["report_zip"] = (month_label(month), buffer.getvalue())


def main() -> None:
    sel = common.selection()
    common.page_header("reports", sel)
    if common.empty_database():
        return
    label = month_label(sel.month)
    with st.container(border=True):
        st.subheader(tr("reports.build"))
        if st.button(tr("reports.build"), type="primary", icon=":material/summarize:", key="build-report"):
            build(sel.month)
        built = st.session_state.get("report_zip")
        if built and built[0] == label:
            st.download_button(
                tr("download.zip"),
                built[1],
                file_name=f"vendorboard-report-{label}.zip",
                mime="application/zip",
                key="report-zip",
                on_click="ignore",
                icon=":material/download:",
                type="primary",
            )

    st.subheader(tr("reports.csv"))
    for key, make in (
        ("reports.sla_csv", lambda: engine("verdicts", sel.month)),
        ("reports.invoices_csv", lambda: invoice_lines(sel.month)),
        ("reports.totals_csv", lambda: invoice_totals(sel.month)),
    ):
        name = f"{key.split('.')[1].removesuffix('_csv')}-{label}"
        common.download(make, key, name, label=f"{tr(key)} · {name}.csv", localize=False)

    totals = invoice_totals(sel.month)
    if sel.vendor_id and totals.height:
        totals = totals.filter(pl.col("vendor_id") == sel.vendor_id)
    if totals.height:
        st.subheader(tr("invoices.totals"))
        first = ["contract_id", "vendor_id", "status", "total", "due_date"]
        common.table(
            totals.select(*first, *(c for c in totals.columns if c not in first and c != "month")),
            "report-totals",
            money=TOTALS,
            enums={"status": "status"},
            file_name=f"invoice-totals-{label}",
        )


main()
