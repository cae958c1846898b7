"""Reconciliation: upload the vendor's own invoice, see it line by line against ours, download the
discrepancies."""

from __future__ import annotations

import hashlib
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import inert, reconcile
from metrics.errors import VendorboardError
from metrics.i18n import money, value_name
from metrics.periods import month_label

UPLOADS = Path(tempfile.gettempdir()) / "vendorboard-uploads"
MARKS = {"match": "✓", "mismatch": "✗", "missing": "✗", "unexpected": "✗"}
MONEY = ("computed_amount", "billed_amount", "difference")


def saved(upload) -> Path:
    """The upload as a file under its own name, in a folder named by its content (so the cached
    comparison is reused while the file and the data stay the same)."""
    body = upload.getvalue()
    path = UPLOADS / hashlib.sha256(body).hexdigest()[:16] / Path(upload.name).name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def template_downloads(sel: common.Selection) -> None:
    """The expected file, as CSV and Excel: the layout filled with our own lines of the picked
    contract (a template to send the vendor, and what a matching invoice looks like)."""
    found = engine("invoices", sel.month, sel.contract_id) if sel.contract_id else []
    rows = reconcile.template(found[0][0] if found else None, sel.contract_id or "C-…", sel.month)
    frame = pl.DataFrame(rows, infer_schema_length=None).cast(pl.String)
    name = f"vendor-invoice-template-{sel.contract_id or 'contract'}-{month_label(sel.month)}"
    st.markdown(f"**{tr('recon.template')}**")
    st.caption(tr("recon.template_help"))
    left, right = st.columns(2)
    with left:
        common.download(frame, "recon-template", name, localize=False)
    buffer = io.BytesIO()
    inert.frame(frame).write_excel(buffer, worksheet="invoice")
    right.download_button(
        f"{tr('download.xlsx')} · {name}.xlsx",
        buffer.getvalue(),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="recon-template-xlsx",
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )


def main() -> None:
    sel = common.selection()
    common.page_header("reconciliation", sel, sel.contract_id)
    if common.empty_database():
        return
    lang = common.language()
    with st.expander(tr("recon.template"), expanded=False):
        template_downloads(sel)
    upload = st.file_uploader(tr("recon.upload"), type=["csv", "xlsx"], key="vendor-invoice")
    if upload is None:
        st.info(tr("msg.upload_first", month=month_label(sel.month)), icon=":material/upload_file:")
        return
    path = saved(upload)
    try:
        rows = engine("reconcile", sel.month, path)
    except VendorboardError as exc:
        common.error(exc, server_folder=path.parent)
        return
    if not rows:
        st.info(tr("msg.no_evidence"), icon=":material/info:")
        return
    billed = list(dict.fromkeys(r["contract_id"] for r in rows))
    if sel.contract_id and sel.contract_id not in billed:
        st.warning(
            tr("recon.other_contract", contract=sel.contract_id, found=", ".join(billed)), icon=":material/info:"
        )
        return
    rows = [r for r in rows if r["contract_id"] == (sel.contract_id or billed[0])]
    df = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("status")
        .map_elements(lambda s: f"{MARKS[s]} {value_name('recon', s, lang)}", return_dtype=pl.String)
        .alias("verdict"),
        pl.Series("description", [reconcile.what(r, lang) for r in rows], dtype=pl.String),
    )
    off = pl.DataFrame(reconcile.differing(rows), infer_schema_length=None)
    totals = df.filter(pl.col("channel") == "total")
    currencies = engine("contracts", sel.month).select("contract_id", "currency")
    cur = dict(currencies.iter_rows()).get(df["contract_id"][0])

    lines = df.filter(pl.col("channel").ne_missing("total"))
    a, b, c = st.columns(3)
    a.metric(tr("recon.summary"), f"{lines.height - off.height} / {lines.height} ✓", border=True)
    b.metric(tr("recon.discrepancies"), str(off.height), border=True)
    gap = sum(totals["difference"].to_list(), Decimal(0))
    common.money_metric(c, tr("col.difference"), {cur: gap})
    if off.is_empty():
        st.success(tr("msg.recon_ok"), icon=":material/check_circle:")
    else:
        st.error(tr("msg.recon_off", n=off.height, total=money(gap, cur, lang)), icon=":material/cancel:")

    shown = df.select("description", "verdict", "computed_quantity", "billed_quantity", *MONEY).rename(
        {"verdict": "status"}
    )
    st.subheader(tr("recon.summary"))
    common.table(
        shown,
        "reconciliation",
        money=MONEY,
        currency=cur,
        numbers=("computed_quantity", "billed_quantity"),
        file_name=f"reconciliation-{sel.contract_id}-{month_label(sel.month)}",
        wide=("description",),
    )
    if off.height:
        st.subheader(tr("recon.discrepancies"))
        common.table(
            shown.filter((df["status"] != "match") & df["channel"].ne_missing("total")),
            "discrepancies",
            money=MONEY,
            currency=cur,
            numbers=("computed_quantity", "billed_quantity"),
            file_name=f"discrepancies-{sel.contract_id}-{month_label(sel.month)}",
            wide=("description",),
        )


main()
