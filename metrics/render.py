"""Every human-facing sentence of an invoice, a verdict and a piece of evidence, in either language.

The engine keeps facts (a line's type, channel, tiers, price and the figures in `Line.facts`; a
verdict's value, target, numerator and denominator; an evidence row's measured times); this module
turns them into words for the pages, the CLI's tables, the PDFs and the workbooks alike, so a
Chinese invoice reads the same on screen, on paper and in Excel. Words come from the labels of
`metrics.i18n`, numbers and money from its Babel formats. Nothing here computes a figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from metrics.billing import Invoice, Line
from metrics.billing.invoice import TOTALS
from metrics.i18n import (
    LABELS,
    duration,
    metric_kind,
    metric_value,
    money,
    month_name,
    number,
    percent,
    t,
    target_label,
    value_name,
)
from metrics.sla.definitions import METRICS

NOUNS = {"phone": "calls", "chat": "chats", "email": "emails", "onsite": "visits"}  # a channel's rows


# ---- invoices --------------------------------------------------------------------------------


def usage_name(channel: str, unit: str, lang: str) -> str:
    """'Phone talk time' / '电话通话时长': what a usage line bills."""
    return t("render.usage_name", lang, channel=value_name("channel", channel, lang), what=t(f"what.{unit}", lang))


def tiers(line: Line, lang: str) -> str:
    """'0–10,000 min', 'over 10,000 min'; '' for a line that is not tiered."""
    if line.tier_from is None and line.tier_to is None:
        return ""
    unit = t(f"per.{line.unit}", lang)
    low = number(line.tier_from or 0, None, lang)
    if line.tier_to is None:
        return t("tier.over", lang, low=f"{low} {unit}")
    return f"{low}–{number(line.tier_to, None, lang)} {unit}"


def unit_price(line: Line, currency: str, lang: str) -> str:
    """'CNY 0.45 per minute' / '每分钟 CNY 0.45' (all the price's decimals, at least the cents)."""
    price = f"{currency} {number(line.unit_price, max(2, _places(line.unit_price)), lang)}"
    return t("render.per_unit", lang, price=price, unit=t(f"unit.{line.unit}", lang))


def describe(line: Line, currency: str, lang: str) -> str:
    """The words of one invoice line. An adjustment is described as finance typed it; a line stored
    before its facts were kept (schema 009) falls back to its type, channel and metric."""
    f = line.facts
    if line.type == "usage":
        parts = [usage_name(line.channel, line.unit, lang)]
        if span := tiers(line, lang):
            parts.append(span)
        if f.get("mode") == "volume":
            parts.append(t("render.volume", lang))
        parts.append(unit_price(line, currency, lang))
        text = t("render.comma", lang).join(parts)
        if f.get("flat_fee"):
            text += t("render.tier_fee", lang, fee=money(f["flat_fee"], currency, lang))
        return text
    if line.type == "adjustment":
        return line.description
    if line.type in ("fixed", "minimum") and "monthly" in f:
        text = t(f"render.{line.type}", lang, monthly=money(f["monthly"], currency, lang))
        if "days" in f:
            text += t("render.prorated", lang, days=f["days"], of=f["of_days"])
        if line.type == "minimum":
            text += t("render.minimum_usage", lang, usage=money(f["usage"], currency, lang))
        return text
    if line.type == "credit" and "target" in f:
        return t(
            "render.credit",
            lang,
            missed=missed_target(line.channel, line.metric, f["value"], f["target"], f.get("threshold"), lang),
            rate=rate(f["rate"], lang),
            base=t(f"render.base.{f['base']}", lang, channel=value_name("channel", line.channel, lang).lower()),
            amount=money(f["base_amount"], currency, lang),
        )
    if line.type == "credit_cap" and "rate" in f:
        return t(
            "render.credit_cap",
            lang,
            rate=rate(f["rate"], lang),
            cap=money(f["cap"], currency, lang),
        )
    named = value_name("line", line.type, lang)
    if line.type == "credit" and line.metric:
        named += f"{t('render.colon', lang)}{target_label(line.channel, line.metric, None, lang)}"
    return named


def missed_target(
    channel: str, metric: str, value: Decimal, target: Decimal, threshold: Decimal | None, lang: str
) -> str:
    """'Phone · Service level (≤ 20 s) 78.2%, below the 80.0% target': the missed target in words,
    with enough decimals that value and target never look equal (94.99% against 95%)."""
    shown, wanted = _apart(metric, value, target, lang)
    side = "above" if METRICS[metric].better == "lower" else "below"
    return t(
        f"render.missed_{side}", lang, target=target_label(channel, metric, threshold, lang), value=shown, goal=wanted
    )


def _apart(metric: str, value: Decimal, target: Decimal, lang: str) -> tuple[str, str]:
    for places in range(1, 7):
        shown = metric_value(metric, value, lang, places)
        if shown != metric_value(metric, target, lang, places):
            return shown, metric_value(metric, target, lang, _target_places(metric, target))
    return metric_value(metric, value, lang, 6), metric_value(metric, target, lang, 6)


def target(metric: str, value: Decimal | None, lang: str) -> str:
    """A target as the contract writes it: '95%', '20 s', '4.5' (its own decimals, no more)."""
    return "–" if value is None else metric_value(metric, value, lang, _target_places(metric, Decimal(value)))


def _target_places(metric: str, target: Decimal) -> int:
    scaled = target * 100 if metric_kind(metric) == "rate" else target
    return _places(scaled)


def rate(fraction: Decimal | None, lang: str) -> str:
    """A contract's rate as written: 0.05 -> '5%', 0.025 -> '2.5%'; '' when none."""
    return "" if fraction is None else percent(fraction, _places(Decimal(fraction) * 100), lang)


def _places(value: Decimal) -> int:
    return max(0, -Decimal(value).normalize().as_tuple().exponent)


def facts(invoice: Invoice, vendor_name: str, lang: str) -> list[tuple[str, str]]:
    """The head of the invoice document, as (label, value) pairs: number, dates, parties, terms."""
    status = value_name("status", invoice.status, lang)
    rows = [
        ("invoice_number", invoice.number),
        ("issued_on", invoice.issued_on.isoformat() if invoice.issued_on else t("render.not_issued", lang)),
        ("status", status),
        ("vendor", f"{invoice.vendor_id} · {vendor_name}" if vendor_name else invoice.vendor_id),
        ("contract_id", invoice.contract_id),
        ("month", invoice.month.strftime("%Y-%m")),
        ("payee", invoice.payee),
    ]
    if invoice.payee_bank:
        rows.append(("payee_bank", invoice.payee_bank))
    rows += [
        ("currency", invoice.currency),
        ("tax_rate", rate(invoice.tax_rate, lang)),
        ("due_date", invoice.due_date.isoformat()),
    ]
    return rows


def tax_label(invoice: Invoice, lang: str) -> str:
    """'Tax (6%)': the tax row of the totals names its rate."""
    if invoice.tax_rate is None:
        return t("col.tax", lang)
    return f"{t('col.tax', lang)} ({rate(invoice.tax_rate, lang)})"


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
    from metrics.quality import Finding

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
        (
            missed_target(
                line.channel, line.metric, line.facts["value"], line.facts["target"], line.facts.get("threshold"), lang
            )
            if "target" in line.facts
            else describe(line, cur, lang),
            line.facts.get("rate"),
            t(f"render.base.{line.facts['base']}", lang, channel=value_name("channel", line.channel, lang).lower())
            if "base" in line.facts
            else value_name("line", line.type, lang),
            line.amount,
        )
        for line in invoice.lines
        if line.type in ("credit", "credit_cap")
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
        credit_rows=[i for i, line in enumerate(invoice.lines) if line.type in ("credit", "credit_cap")],
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


# ---- verdicts --------------------------------------------------------------------------------


def verdict(met: bool | None, lang: str) -> str:
    """'✓ met', '✗ missed', '– no data'."""
    key = {True: "met", False: "missed"}.get(met, "no_data")
    return f"{VERDICT_MARKS[key]} {t('verdict.' + key, lang)}"


VERDICT_MARKS = {"met": "✓", "missed": "✗", "no_data": "–"}


def quantity(metric: str, channel: str, side: str, value: Decimal | float | None, lang: str) -> str:
    """A verdict's numerator or denominator with its unit: '3,210 calls', '18 h 53 min' (a sum of
    waits), '412 questions', '96 agent-weeks'."""
    if value is None:
        return ""
    noun = _noun(metric, channel, side)
    if noun == "seconds":
        return duration(value, lang)
    exact = Decimal(str(value))
    shown = number(exact, None if exact == exact.to_integral_value() else 1, lang)
    return t(f"noun.{noun}", lang, n=shown)


def _noun(metric: str, channel: str, side: str) -> str:
    if metric in ("coverage_rate",) or (METRICS[metric].micros and side == "numerator"):
        return "seconds"
    if metric == "accuracy":
        return "questions_correct" if side == "numerator" else "questions"
    if metric == "csat":
        return "points" if side == "numerator" else "ratings"
    if metric == "weekly_min_hours":
        return "agent_weeks"
    return NOUNS[channel]


def not_counted(metric: str, channel: str, terms: dict, lang: str) -> str:
    """Why rows of this target are left out of its denominator ('short abandons, under 5 s'), or ''
    when every row counts. `terms`: the contract's short_abandon_seconds and sl_abandons."""
    if metric in ("answer_rate", "abandon_rate") or (metric == "service_level" and channel == "phone"):
        mode = terms.get("sl_abandons") or "exclude_short"
        if metric == "service_level" and mode != "exclude_short":
            return t("notcounted.sl_exclude_all", lang) if mode == "exclude_all" else ""
        short = terms.get("short_abandon_seconds") or 0
        return t("notcounted.short", lang, limit=duration(short, lang)) if short else ""
    return t(f"notcounted.{metric}", lang) if f"notcounted.{metric}" in LABELS else ""


# ---- evidence: why a row counts as it does ----------------------------------------------------


def why(metric: str, channel: str, clock: str | None, terms: dict, lang: str) -> Callable[[dict], str]:
    """A function of one evidence row (as `sla.evidence` gives it, with `status`) to the reason it
    is a hit, a miss or not counted: 'abandoned after 31 s', 'answered after 24 s', 'no reply',
    'replied after 25 h 32 min of business time', '9 of 10 questions correct'."""
    business = clock == "business"

    def took(key: str, seconds) -> str:
        text = t(f"why.{key}", lang, d=duration(seconds, lang))
        return text + t("why.business", lang) if business and key != "logged" else text

    short = terms.get("short_abandon_seconds") or 0
    mode = terms.get("sl_abandons") or "exclude_short"

    def phone(row: dict) -> str:
        wait = row.get("wait_seconds")
        if row.get("answered"):
            return took("answered", wait)
        text = took("abandoned", wait)
        if row["status"] == "not_counted":
            if metric in ("asa_seconds", "aht_seconds") or (metric == "service_level" and mode == "exclude_all"):
                return text + t("why.only_answered", lang)
            return text + t("why.short", lang, limit=duration(short, lang))
        return text

    def reply(key: str, none: str) -> Callable[[dict], str]:
        def said(row: dict) -> str:
            value = row.get(f"{key}_seconds")
            return t(f"why.{none}", lang) if value is None else took(key, value)

        return said

    def handled(row: dict) -> str:
        value = row.get("handle_seconds")
        return t("why.not_answered", lang) if value is None else t("why.handled", lang, d=duration(value, lang))

    def visit(row: dict) -> str:
        if row.get("visit_status") not in (None, "completed"):
            return t("why.visit", lang, status=value_name("visit", row["visit_status"], lang))
        if not row.get("questions_audited"):
            return t("why.no_audit", lang)
        return t("why.correct", lang, n=row["questions_correct"], of=row["questions_audited"])

    def score(row: dict) -> str:
        return t("why.no_score", lang) if row.get("csat") is None else t("why.score", lang, n=row["csat"])

    def covered(row: dict) -> str:
        if not row.get("service_seconds"):
            return t("why.closed", lang)
        if row["status"] == "not_counted":
            return t("why.unstaffed", lang)
        return t(
            "why.covered",
            lang,
            d=duration(row["covered_seconds"], lang),
            of=duration(row["service_seconds"], lang),
        )

    def logged(row: dict) -> str:
        return took("logged", row.get("logged_seconds") or 0)

    if metric == "aht_seconds":
        return handled
    if channel == "phone" and metric in ("answer_rate", "service_level", "asa_seconds", "abandon_rate"):
        return phone
    return {
        "first_response_seconds": reply("response", "no_response"),
        "response_rate": reply("response", "no_response"),
        "service_level": reply("response", "no_response"),
        "reply_within_rate": reply("reply", "no_reply"),
        "accuracy": visit,
        "csat": score,
        "coverage_rate": covered,
        "weekly_min_hours": logged,
    }[metric]
