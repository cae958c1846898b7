"""Reconciliation: upload the vendor's own invoice, see it line by line against ours, download the
discrepancies."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import uploads
from metrics.access import Permission
from metrics.errors import VendorboardError
from metrics.i18n import money, value_name
from metrics.periods import month_label

MARKS = {"match": "✓", "mismatch": "✗", "missing": "✗", "unexpected": "✗"}
MONEY = ("computed_amount", "billed_amount", "difference")


def saved(upload, month: dt.date) -> Path:
    """The upload kept beside the database with its audit entry (metrics/uploads.py), once per file
    and month in a session: every click reruns the page with the same upload."""
    body = upload.getvalue()
    kept = st.session_state.setdefault("_reconciliation_uploads", {})
    key = (hashlib.sha256(body).hexdigest(), upload.name, month)
    if key not in kept:
        kept[key] = uploads.vendor_invoice(common.db(), month, upload.name, body, by=common.principal())
    return kept[key]


def main() -> None:
    sel = common.selection()
    common.page_header("reconciliation", sel)
    if common.empty_database() or not common.require(Permission.RECONCILE):
        return
    upload = st.file_uploader(tr("recon.upload"), type=["csv", "xlsx"], key="vendor-invoice")
    if upload is None:
        st.info(tr("msg.upload_first", month=month_label(sel.month)), icon=":material/upload_file:")
        return
    path = saved(upload, sel.month)
    try:
        rows = engine("reconcile", sel.month, path)
    except VendorboardError as exc:
        common.error(VendorboardError(str(exc).replace(f"{path.parent}/", "")))
        return
    if not rows:
        st.info(tr("msg.no_evidence"), icon=":material/info:")
        return
    df = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("status")
        .map_elements(lambda s: f"{MARKS[s]} {value_name('recon', s, common.language())}", return_dtype=pl.String)
        .alias("verdict")
    )
    off = df.filter(pl.col("status") != "match")
    totals = df.filter(pl.col("channel") == "total")
    currencies = engine("contracts", sel.month).select("contract_id", "currency")
    cur = dict(currencies.iter_rows()).get(df["contract_id"][0])

    a, b, c = st.columns(3)
    a.metric(tr("recon.summary"), f"{df.height - off.height} / {df.height} ✓", border=True)
    b.metric(tr("recon.discrepancies"), str(off.height), border=True)
    gap = sum(totals["difference"].to_list(), Decimal(0))
    common.money_metric(c, tr("col.difference"), {cur: gap})
    if off.is_empty():
        st.success(tr("msg.recon_ok"), icon=":material/check_circle:")
    else:
        st.error(tr("msg.recon_off", n=off.height, total=money(gap, cur)), icon=":material/cancel:")

    shown = df.select("contract_id", "channel", "unit", "verdict", "computed_quantity", "billed_quantity", *MONEY)
    st.subheader(tr("recon.summary"))
    common.table(
        shown.rename({"verdict": "status"}),
        "reconciliation",
        money=MONEY,
        currency=cur,
        enums={"channel": "channel", "unit": "unit"},
        file_name=f"reconciliation-{month_label(sel.month)}",
    )
    if off.height:
        st.subheader(tr("recon.discrepancies"))
        common.table(
            off.select(*shown.columns).rename({"verdict": "status"}),
            "discrepancies",
            money=MONEY,
            currency=cur,
            enums={"channel": "channel", "unit": "unit"},
            file_name=f"discrepancies-{month_label(sel.month)}",
        )


main()
