"""One invoice as a document (the PDF, the workbook and the CLI's table lay it out alike): its head,
its lines and credits in words, its totals, drift and data-quality notes, in one language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from metrics.billing import Invoice
from metrics.domain import CREDIT_LINES, TOTALS
from metrics.i18n import month_name, t, value_name
from metrics.quality import Finding
from metrics.render import cause, credit_base, describe, facts, tax_label, usage_name


@dataclass(frozen=True)
class InvoiceText:
    """One invoice in words and numbers, laid out alike by the PDF, the workbook and the page:
    numbers stay Decimals (the workbook writes them as numbers), headers carry the currency."""

    title: str
    head: list[tuple[str, str]]  # (label, value): number, dates, parties, terms
    line_columns: list[str]
    lines: list[tuple]  # description, quantity, unit, unit price, amount; credit rows flagged below
    credit_rows: list[int]  # indexes into `lines` of credits (drawn in the missed colour)
    credit_columns: list[str]
    credits: list[tuple]  # the missed target in words, credit rate, base in words, amount
    totals: list[tuple[str, Decimal]]  # (label, amount)
    notes: list[str]  # why it was finalized over data errors; the data-quality findings
    drift_columns: list[str]
    drift: list[tuple]  # what moved, finalized amount, recomputed amount, difference


def invoice_text(
    invoice: Invoice, vendor_name: str, lang: str, drift: Sequence = (), findings: Sequence = ()
) -> InvoiceText:
    """The invoice document's content. `drift`: billing.Drift rows of a finalized invoice against a
    fresh computation; `findings`: the month's data-quality findings now (a finalized invoice also
    shows those it was finalized over)."""
    cur = invoice.currency

    def head(key: str, with_currency: bool = False) -> str:
        return t(f"col.{key}", lang) + (f" ({cur})" if with_currency else "")

    lines = [
        (
            describe(line, cur, lang),
            line.quantity,
            "" if line.unit is None or line.quantity is None else t(f"per.{line.unit}", lang),
            line.unit_price,
            line.amount,
        )
        for line in invoice.lines
    ]
    credits = [
        (cause(line, cur, lang), line.facts.get("rate"), credit_base(line, lang), line.amount)
        for line in invoice.lines
        if line.type in CREDIT_LINES
    ]
    totals = [(tax_label(invoice, lang) if k == "tax" else t(f"col.{k}", lang), getattr(invoice, k)) for k in TOTALS]
    notes = []
    if invoice.accepted_data_issues:
        notes.append(t("report.accepted", lang, reason=invoice.accepted_data_issues))
    then = [Finding.from_dict(d) for d in invoice.data_findings]
    notes += [f"{t('invoices.findings_then', lang)}{t('render.colon', lang)}{f.message(lang)}" for f in then]
    notes += [f"{value_name('severity', f.severity, lang)}{t('render.colon', lang)}{f.message(lang)}" for f in findings]
    moved = [
        (
            t("col.total", lang)
            if d.channel == "total"
            else value_name("line", d.unit, lang)
            if d.channel == "-"
            else usage_name(d.channel, d.unit, lang),
            d.stored_amount,
            d.fresh_amount,
            d.difference,
        )
        for d in drift
    ]
    return InvoiceText(
        title=f"{t('report.invoice', lang)} {invoice.number} · {month_name(invoice.month, lang)}",
        head=[(t(f"col.{k}", lang), v) for k, v in facts(invoice, vendor_name, lang)],
        line_columns=[
            head("description"),
            head("quantity"),
            head("unit"),
            head("unit_price", True),
            head("amount", True),
        ],
        lines=lines,
        credit_rows=[i for i, line in enumerate(invoice.lines) if line.type in CREDIT_LINES],
        credit_columns=[head("caused_by"), head("credit_rate"), head("credit_base"), head("amount", True)],
        credits=credits,
        totals=[(f"{label} ({cur})", amount) for label, amount in totals],
        notes=notes,
        drift_columns=[
            head("description"),
            head("stored_amount", True),
            head("fresh_amount", True),
            head("difference", True),
        ],
        drift=moved,
    )
