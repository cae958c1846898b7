"""Reports: the monthly report for all vendors (PDF, Excel and CSVs in one ZIP, built by
`metrics.export`), the month's CSV exports for systems (SPEC §5 field names) and the report's
payments section: aging per vendor and each issued invoice's payment status at the month's end."""

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
from metrics.i18n import value_name
from metrics.payments import BUCKETS
from metrics.payments.status import AGING_FIELDS, FIELDS
from metrics.periods import last_day, month_label


def invoice_totals(month) -> pl.DataFrame:
    # the totals of SPEC §5: not the lines, nor what a finalized invoice was finalized over (nested)
    rows = [
        {k: v for k, v in inv.as_dict().items() if k not in ("lines", "data_issues")}
        for inv, _ in engine("invoices", month)
    ]
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


def payment_status_csv(month) -> pl.DataFrame:
    """payments.csv of the monthly report: each issued invoice's payment status at the month's end."""
    found = engine("receivables", last_day(month))
    return pl.DataFrame([s.as_dict() for s in found.invoices], schema=list(FIELDS), infer_schema_length=None)


def build(month) -> None:
    """Run the report builder with a progress bar and keep the ZIP of what it wrote for download."""
    from metrics import export

    bar = st.progress(0.0, text=tr("reports.build"))

    def progress(step: str, done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=tr("msg.building", step=step))

    with tempfile.TemporaryDirectory() as folder, common.connection() as con:
        export.report(
            con, month, Path(folder), progress=progress, language=common.language(), scope=common.principal().scope
        )
        files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for p in files:
                archive.write(p, p.relative_to(folder))
    bar.progress(1.0, text=tr("msg.report_ready", files=len(files)))
    st.session_state["report_zip"] = (month_label(month), common.principal().scope, buffer.getvalue())


def receivables(sel: common.Selection, lang: str) -> None:
    """The report's payments section as it will print: as of the month's last day, the aging per
    vendor, each issued invoice's payment status and the unapplied payments."""
    when = last_day(sel.month)
    found = engine("receivables", when)
    st.subheader(tr("report.payments", date=when.isoformat()))
    mine = [r for r in found.aging if sel.vendor_id in (None, r["vendor_id"])]
    st.markdown(f"**{tr('payments.aging')}**")
    if mine:
        buckets = {b: value_name("aging", b, lang) for b in BUCKETS}  # bucket names head their columns
        frame = pl.DataFrame(mine, schema_overrides=dict.fromkeys(AGING_FIELDS[2:], pl.Decimal(18, 2)))
        common.table(
            frame.rename(buckets),
            "report-aging",
            money=(*buckets.values(), "outstanding", "overdue"),
            file_name=f"aging-{when.isoformat()}",
        )
    else:
        st.caption(tr("msg.no_receivables") if found.invoices else tr("msg.no_issued"))
    issued = [s.as_dict() for s in found.invoices if sel.vendor_id in (None, s.vendor_id)]
    if issued:
        st.markdown(f"**{tr('payments.invoices')}**")
        money_columns = ("total", "paid", "outstanding", "damages", "damages_carried")
        common.table(
            pl.DataFrame(
                issued, schema_overrides=dict.fromkeys(money_columns, pl.Decimal(18, 2)), infer_schema_length=None
            ).drop("late_payment_rate"),
            "report-payment-status",
            money=money_columns,
            enums={"payment_status": "payment", "aging": "aging"},
            file_name=f"payment-status-{when.isoformat()}",
        )
    waiting = [p for p in found.unapplied if sel.vendor_id in (None, p["vendor_id"])]
    if waiting:
        st.markdown(f"**{tr('payments.unapplied')}**")
        common.table(
            pl.DataFrame(waiting, schema_overrides={"amount": pl.Decimal(18, 2)}, infer_schema_length=None),
            "report-unapplied",
            money=("amount",),
            file_name=f"unapplied-payments-{when.isoformat()}",
        )
    st.caption(tr("msg.payments_caption", date=when.isoformat()))


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
        if built and built[:2] == (label, common.principal().scope):
            st.download_button(
                tr("download.zip"),
                built[2],
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
        ("reports.payments_csv", lambda: payment_status_csv(sel.month)),
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
    receivables(sel, common.language())


main()
