"""Invoices: one contract and month. The lines, each credit beside the missed target that caused
it, the totals, due date and status, the month's data-quality findings, drift of a finalized
invoice and what it was finalized over, the finalize button (with a confirmation, and a reason
while the data has errors), the payments (status, the payments recorded, a form to record one,
late-payment damages to carry into a later invoice) and the downloads."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import common
from dashboard.common import engine, tr
from metrics import billing, payments, render
from metrics.access import Permission
from metrics.billing import Invoice
from metrics.billing.invoice import LINE_SCHEMA
from metrics.domain import CREDIT_LINES, TOTALS
from metrics.errors import VendorboardError
from metrics.i18n import money, percent, value_name
from metrics.periods import month_label, next_month
from metrics.quality import Finding, errors

SHOWN = ("type", "description", "quantity", "unit", "unit_price", "amount")  # the columns of the printed lines


def lines_frame(invoice: Invoice, lang: str) -> pl.DataFrame:
    """The invoice's lines as the document prints them: words from the one renderer, numbers as numbers."""
    return pl.DataFrame(
        [
            {
                "type": line.type,
                "description": render.describe(line, invoice.currency, lang),
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "amount": line.amount,
            }
            for line in invoice.lines
        ],
        schema={c: LINE_SCHEMA[c] for c in SHOWN},  # every column even without a line: an empty table
    )


def credits_frame(invoice: Invoice, lang: str) -> pl.DataFrame:
    """Each credit with the missed target that caused it, in words (from the line's own facts, so a
    finalized invoice shows what it was issued with)."""
    rows = [
        {
            "channel": line.channel,
            "caused_by": render.cause(line, invoice.currency, lang),
            "credit_rate": line.facts.get("rate"),
            "credit_base": render.credit_base(line, lang),
            "amount": line.amount,
        }
        for line in invoice.lines
        if line.type in CREDIT_LINES
    ]
    return pl.DataFrame(
        rows,
        schema_overrides={"amount": pl.Decimal(18, 2), "credit_rate": pl.Decimal(9, 6)},
        infer_schema_length=None,
    )


def totals_frame(invoice: Invoice) -> pl.DataFrame:
    return pl.DataFrame(
        [{k: getattr(invoice, k) for k in TOTALS}],
        schema_overrides={k: pl.Decimal(18, 2) for k in TOTALS},
    )


def finalize_button(sel: common.Selection, found: list[Finding]) -> None:
    """Finalize with a confirmation dialog. Whether the dialog is open is kept in the session, so
    the confirming click is seen whether the dialog reruns alone or with the whole page. While the
    month's data has errors, the dialog names them and asks for the reason to accept them (stored
    with the invoice); finalizing without one is refused."""
    label = f"{sel.contract_id} {month_label(sel.month)}"
    failing = errors(found)

    def close() -> None:
        st.session_state.pop("confirm_finalize", None)

    @st.dialog(tr("invoices.finalize"), on_dismiss=close)
    def confirm() -> None:
        st.write(tr("invoices.finalize_confirm", contract=sel.contract_id, month=month_label(sel.month)))
        reason = None
        if failing:
            lang = common.language()
            st.error(
                tr("invoices.blocked", month=month_label(sel.month), n=len(failing))
                + "\n\n"
                + "\n".join(f"- ✗ {f.message(lang)}" for f in failing),
                icon=":material/report:",
            )
            reason = st.text_area(tr("invoices.reason"), key="finalize-reason")
        yes, no = st.columns(2)
        if yes.button(tr("invoices.confirm"), type="primary", key="finalize-yes", width="stretch"):
            if failing and not (reason or "").strip():
                st.error(tr("invoices.reason_required"), icon=":material/edit_note:")
                return
            close()
            try:
                billing.finalize(common.db(), sel.month, sel.contract_id, reason, by=common.principal())
            except VendorboardError as exc:
                st.session_state["flash"] = ("error", tr("msg.error", error=render.error(exc, common.language())))
            else:
                st.session_state["flash"] = (
                    "success",
                    tr("msg.finalized_ok", contract=sel.contract_id, month=month_label(sel.month)),
                )
            st.rerun()
        if no.button(tr("invoices.cancel"), key="finalize-no", width="stretch"):
            close()
            st.rerun()

    if st.button(tr("invoices.finalize"), key=f"finalize-{label}", icon=":material/lock:", type="primary"):
        st.session_state["confirm_finalize"] = label
    if st.session_state.get("confirm_finalize") == label:
        confirm()


def downloads(invoice: Invoice, lang: str, drift: list, found: list) -> None:
    """The invoice as PDF (in the page's language) and Excel, made by the report module on click."""
    st.subheader(tr("invoices.download"))
    from metrics import export

    name = f"invoice-{invoice.number}-{lang}"
    vendor = common.vendor_names().get(invoice.vendor_id, "")
    cols = st.columns(2)
    for col, kind, make, mime in (
        (
            cols[0],
            "pdf",
            lambda p: export.invoice_pdf(invoice, p, lang, vendor, drift, found),
            "application/pdf",
        ),
        (
            cols[1],
            "xlsx",
            lambda p: export.invoice_xlsx(invoice, p, lang, vendor, drift, found),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ):

        def data(make=make, kind=kind) -> bytes:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{name}.{kind}"
                make(path)
                return path.read_bytes()

        col.download_button(
            f"{tr('download.' + kind)} · {name}.{kind}",
            data,
            file_name=f"{name}.{kind}",
            mime=mime,
            key=f"invoice-{kind}",
            on_click="ignore",
            icon=":material/download:",
        )


def payments_section(invoice: Invoice, lang: str) -> None:
    """What the invoice has been paid as of the page's as-of date (finalized invoices only: a draft
    has no payment status), its payments, the late-payment damages and the form to record one."""
    st.subheader(tr("payments.title"))
    cur, month = invoice.currency, month_label(invoice.month)
    when = common.as_of("as_of-invoices")
    found = engine("payment_statuses", when, invoice.contract_id, invoice.month)
    if found:
        (status,) = found
        a, b, c, d = st.columns(4)
        common.money_metric(a, tr("col.paid"), {cur: status.paid})
        common.money_metric(b, tr("col.outstanding"), {cur: status.outstanding})
        c.metric(tr("col.payment_status"), value_name("payment", status.payment_status, lang), border=True)
        aging = f" · {value_name('aging', status.aging, lang)}" if status.aging else ""
        d.metric(tr("col.days_overdue"), f"{status.days_overdue}{aging}", border=True)
        st.caption(tr("msg.payments_caption", date=when.isoformat()))
        if status.damages is not None:
            st.info(
                tr(
                    "msg.damages",
                    amount=money(status.damages, cur),
                    rate=percent(status.late_payment_rate, 3),
                    carried=money(status.damages_carried, cur),
                ),
                icon=":material/schedule:",
            )
            if status.damages_to_carry and common.can(Permission.ADJUST):
                carry_form(invoice, status.damages_to_carry, when)
    else:
        st.caption(tr("msg.draft_no_status", month=month))
    st.markdown(f"**{tr('payments.of_invoice')}**")
    recorded = engine("payments_of", invoice.contract_id, invoice.month)
    if recorded:
        common.table(
            pl.DataFrame(recorded, schema_overrides={"amount": pl.Decimal(18, 2)}, infer_schema_length=None).select(
                "paid_on", "amount", "reference", "payer_account"
            ),
            "invoice-payments",
            money=("amount",),
            currency=cur,
            file_name=f"payments-{invoice.contract_id}-{month}",
        )
    else:
        st.caption(tr("msg.no_payments"))
    if common.can(Permission.ADJUST):
        record_form(invoice)


def record_form(invoice: Invoice) -> None:
    """Record one payment against this contract and month (held as unapplied while a draft). The
    amount is text, typed as a decimal by the engine: a number input would pass it as a float."""
    with st.form("record-payment", clear_on_submit=True, border=True):
        st.markdown(f"**{tr('payments.record')}**")
        left, middle, right = st.columns(3)
        amount = left.text_input(f"{tr('col.amount')} ({invoice.currency})", key="payment-amount")
        paid_on = middle.date_input(tr("col.paid_on"), dt.date.today(), key="payment-paid-on", format="YYYY-MM-DD")
        reference = right.text_input(tr("col.reference"), key="payment-reference")
        payer = st.text_input(tr("col.payer_account"), key="payment-payer")
        if not st.form_submit_button(tr("payments.save"), type="primary", icon=":material/payments:"):
            return
    try:
        done = payments.record(
            common.db(),
            by=common.principal(),
            contract_id=invoice.contract_id,
            month=month_label(invoice.month),
            paid_on=paid_on,
            amount=amount,
            reference=reference,
            payer_account=payer or None,
        )
    except VendorboardError as exc:
        common.error(exc)
        return
    outcome = "loaded" if done.loaded else "updated" if done.updated else "unchanged"
    st.session_state["flash"] = ("success", tr(f"msg.payment_{outcome}", reference=reference))
    st.rerun()


def carry_form(invoice: Invoice, amount, when: dt.date) -> None:
    """One action: the damages accrued through `when` and not carried yet become an adjustment of a
    later draft invoice of the contract (the engine refuses a second carry of the same damages)."""
    first, last = next_month(invoice.month), max(next_month(invoice.month), when.replace(day=1))
    months = [first]
    while months[-1] < last:
        months.append(next_month(months[-1]))
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    into = left.selectbox(
        tr("payments.carry_into"), months, index=len(months) - 1, format_func=month_label, key="carry-into"
    )
    label = tr("payments.carry_button", amount=money(amount, invoice.currency), month=month_label(into))
    if right.button(label, key="carry-damages", icon=":material/add_card:"):
        try:
            carried = payments.carry_damages(
                common.db(), invoice.contract_id, invoice.month, when, into, by=common.principal()
            )
        except VendorboardError as exc:
            common.error(exc)
            return
        st.session_state["flash"] = (
            "success",
            tr("msg.damages_carried", amount=money(carried.amount, carried.currency), month=month_label(into)),
        )
        st.rerun()


def drift_section(drift: list, currency: str) -> None:
    st.subheader(tr("invoices.drift"))
    if not drift:
        st.success(tr("msg.no_drift"), icon=":material/check_circle:")
        return
    st.warning(tr("msg.drift"), icon=":material/warning:")
    common.table(
        pl.DataFrame([d.as_dict() for d in drift], infer_schema_length=None),
        "invoice-drift",
        money=("stored_amount", "fresh_amount", "difference"),
        currency=currency,
        enums={"channel": "channel", "unit": "unit"},
        file_name="invoice-drift",
    )


def main() -> None:
    sel = common.selection()
    if common.empty_database():
        common.page_header("invoices", sel)
        return
    lang = common.language()
    names = common.vendor_names()
    found = engine("invoices", sel.month, sel.contract_id) if sel.contract_id else []
    if not found:
        common.page_header("invoices", sel)
        issued_only = not common.principal().scope.drafts  # a vendor sees an invoice once issued
        none = "portal.not_issued" if issued_only and sel.contract_id else "msg.no_invoice"
        st.info(tr(none, contract=sel.contract_id or "–", month=month_label(sel.month)), icon=":material/info:")
        return
    invoice, drift = found[0]
    common.page_header("invoices", sel, f"{invoice.contract_id} · {names.get(invoice.vendor_id, invoice.vendor_id)}")
    if flash := st.session_state.pop("flash", None):
        kind, message = flash
        (st.success if kind == "success" else st.error)(message, icon=":material/lock:")
    found = engine("findings", sel.month, sel.contract_id)
    cur = invoice.currency

    a, b, c, d = st.columns(4)
    common.money_metric(a, tr("col.total"), {cur: invoice.total})
    common.money_metric(b, tr("col.credits"), {cur: invoice.credits})
    c.metric(tr("col.due_date"), invoice.due_date.isoformat(), border=True)
    status = ("🔒 " if invoice.status == "finalized" else "✎ ") + value_name("status", invoice.status, lang)
    d.metric(tr("col.status"), status, border=True)
    shown = ("invoice_number", "issued_on", "payee", "payee_bank", "tax_rate")
    st.caption(" · ".join(f"{tr('col.' + k)}: {v}" for k, v in render.facts(invoice, "", lang) if k in shown and v))
    if invoice.total < 0:
        st.info(tr("msg.credit_note"), icon=":material/info:")
    if invoice.accepted_data_issues:
        st.warning(tr("invoices.accepted", reason=invoice.accepted_data_issues), icon=":material/lock:")
    common.findings_box(found, "invoices")

    st.subheader(tr("invoices.lines"))
    common.table(
        lines_frame(invoice, lang),
        "invoice-lines",
        money=("amount", "unit_price"),
        currency=cur,
        numbers=("quantity",),
        enums={"type": "line", "unit": "unit"},
        file_name=f"invoice-lines-{invoice.contract_id}-{month_label(sel.month)}",
        wide=("description",),
        wide_px=400,
    )

    credits = credits_frame(invoice, lang)
    if credits.height:
        st.subheader(tr("invoices.credits"))
        common.table(
            credits,
            "invoice-credits",
            money=("amount",),
            currency=cur,
            percent=("credit_rate",),
            enums={"channel": "channel"},
            file_name=f"invoice-credits-{invoice.contract_id}-{month_label(sel.month)}",
            wide=("caused_by",),
        )

    st.subheader(tr("invoices.totals"))
    common.table(
        totals_frame(invoice).rename({"tax": render.tax_label(invoice, lang)}),
        "invoice-totals",
        money=("subtotal", "credits", "adjustments", "net", render.tax_label(invoice, lang), "total"),
        currency=cur,
        file_name=f"invoice-totals-{invoice.contract_id}-{month_label(sel.month)}",
    )

    if invoice.status == "finalized":
        then = [Finding.from_dict(d) for d in invoice.data_findings]
        if then:
            st.subheader(tr("invoices.findings_then"))
            common.table(
                pl.DataFrame(
                    [{"severity": f.severity, "check": f.check, "finding": f.message(lang)} for f in then],
                    infer_schema_length=None,
                ),
                "invoice-findings-then",
                enums={"severity": "severity", "check": "check"},
                file_name=f"invoice-findings-{invoice.contract_id}-{month_label(sel.month)}",
            )
        st.caption(tr("msg.finalized_at", when=f"{invoice.finalized_at:%Y-%m-%d %H:%M}"))
        if common.principal().scope.drafts:  # a vendor's scope has no fresh draft to measure drift against
            drift_section(drift, cur)
    elif common.can(Permission.FINALIZE):
        finalize_button(sel, found)
    payments_section(invoice, lang)
    downloads(invoice, lang, drift, found)


main()
