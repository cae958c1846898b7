"""Reconciliation: pick an invoice a vendor sent through the portal, or upload one, see it line by
line against ours, download the discrepancies. A vendor user sends its own invoice here instead
(metrics/uploads.py `submit_invoice`) and sees what it sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import inert, reconcile, uploads
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


def sent_table(sent: pl.DataFrame, key: str, file_name: str) -> None:
    common.table(
        sent.select("vendor_id", "file", "contracts", "sent_by", "sent_at", "origin"),
        key,
        file_name=file_name,
    )


def vendor_invoice(sel: common.Selection) -> tuple[Path, Path] | None:
    """The vendor invoice to reconcile and the folder to leave out of its messages: one a vendor
    sent for the month (the newest first), or a file finance uploads."""
    label = month_label(sel.month)
    sent = engine("submissions", sel.month)
    if sent.height:
        st.subheader(tr("recon.sent", month=label))
        sent_table(sent, "sent-invoices", f"vendor-invoices-sent-{label}")
    rows = {r["audit_seq"]: r for r in sent.iter_rows(named=True)}
    labels = {
        seq: tr(
            "recon.sent_label",
            file=r["file"],
            vendor=r["vendor_id"],
            who=r["sent_by"],
            when=f"{r['sent_at']:%Y-%m-%d %H:%M}",
        )
        for seq, r in rows.items()
    } | {0: tr("recon.own_upload")}
    common._keep("recon-pick", list(labels))
    pick = st.selectbox(tr("recon.which"), list(labels), key="recon-pick", format_func=labels.get)
    if pick:
        path = uploads.kept_file(common.db(), rows[pick]["kept"])
        return path, path.parent
    upload = st.file_uploader(tr("recon.upload"), type=["csv", "xlsx"], key="vendor-invoice")
    if upload is None:
        st.info(tr("msg.upload_first", month=label), icon=":material/upload_file:")
        return None
    try:
        path = saved(upload, sel.month)
    except VendorboardError as exc:  # a file reconciliation cannot read: neither kept nor recorded
        common.error(exc)
        return None
    return path, path.parent


def send(sel: common.Selection) -> None:
    """The vendor portal's side: send the vendor's own invoice for the month, see what was sent."""
    label = month_label(sel.month)
    with st.container(border=True):
        st.subheader(tr("portal.send", month=label))
        st.caption(tr("portal.columns"))
        upload = st.file_uploader(tr("portal.file"), type=["csv", "xlsx"], key="portal-invoice")
        if upload is not None and st.button(
            tr("portal.send_button"), type="primary", icon=":material/send:", key="portal-send"
        ):
            try:
                uploads.submit_invoice(common.db(), sel.month, upload.name, upload.getvalue(), by=common.principal())
                st.success(tr("portal.sent", file=upload.name, month=label), icon=":material/check_circle:")
            except VendorboardError as exc:
                common.error(exc)
    st.subheader(tr("portal.sent_list", month=label))
    sent = engine("submissions", sel.month)
    if sent.is_empty():
        st.caption(tr("portal.none_sent", month=label))
    else:
        sent_table(sent, "my-sent-invoices", f"invoices-sent-{label}")


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
    if not common.can(Permission.RECONCILE) and common.can(Permission.SUBMIT_INVOICE):
        send(sel)
        return
    if not common.require(Permission.RECONCILE):
        return
    lang = common.language()
    with st.expander(tr("recon.template"), expanded=False):
        template_downloads(sel)
    chosen = vendor_invoice(sel)
    if chosen is None:
        return
    path, folder = chosen
    try:
        rows = engine("reconcile", sel.month, path)
    except VendorboardError as exc:
        common.error(exc, server_folder=folder)
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
