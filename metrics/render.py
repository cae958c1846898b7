"""Every human-facing sentence of an invoice, a verdict and a piece of evidence, in either language.

The engine keeps facts (a line's type, channel, tiers, price and the figures in `Line.facts`; a
verdict's value, target, numerator and denominator; an evidence row's measured times); this module
turns them into words for the pages, the CLI's tables, the PDFs and the workbooks alike, so a
Chinese invoice reads the same on screen, on paper and in Excel; billing's own `description` of a
line (the SPEC's JSON and CSV) is `describe(line, currency, "en")`. Words come from the labels of
`metrics.i18n`, numbers and money from its Babel formats, and what a channel, a metric or a line
type is from `metrics.domain`. Nothing here computes a figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from metrics.domain import CHANNEL, METRIC, USAGE
from metrics.i18n import (
    LABELS,
    duration,
    metric_kind,
    metric_value,
    money,
    number,
    percent,
    t,
    target_label,
    value_name,
)

if TYPE_CHECKING:  # billing names its lines' English words with `describe`: no import back at run time
    from metrics.billing import Invoice, Line


# ---- invoices --------------------------------------------------------------------------------


def usage_name(channel: str, unit: str, lang: str) -> str:
    """'Phone talk time' / '电话通话时长': what a usage line bills."""
    return t("render.usage_name", lang, channel=value_name("channel", channel, lang), what=t(f"what.{unit}", lang))


def tiers(unit: str, tier_from: Decimal | None, tier_to: Decimal | None, lang: str) -> str:
    """'0–10,000 min', 'over 10,000 min'; '' for a line that is not tiered."""
    if tier_from is None and tier_to is None:
        return ""
    per = t(f"per.{unit}", lang)
    low = number(tier_from or 0, None, lang)
    if tier_to is None:
        return t("tier.over", lang, low=f"{low} {per}")
    return f"{low}–{number(tier_to, None, lang)} {per}"


def price(value: Decimal, lang: str) -> str:
    """A unit price with all its decimals, at least the cents: '0.45', '0.12345'."""
    return number(value, max(2, _places(value)), lang)


def unit_price(line: Line, currency: str, lang: str) -> str:
    """'CNY 0.45 per minute' / '每分钟 CNY 0.45'."""
    shown = f"{currency} {price(line.unit_price, lang)}"
    return t("render.per_unit", lang, price=shown, unit=t(f"unit.{line.unit}", lang))


def describe(line: Line, currency: str, lang: str) -> str:
    """The words of one invoice line. An adjustment is described as finance typed it; a line stored
    before its facts were kept (schema 009) keeps its English words in English and is named by its
    type, channel and metric in other languages."""
    f = line.facts
    if line.type == USAGE and line.unit_price is not None:
        parts = [usage_name(line.channel, line.unit, lang)]
        if span := tiers(line.unit, line.tier_from, line.tier_to, lang):
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
            base=credit_base(line, lang),
            amount=money(f["base_amount"], currency, lang),
        )
    if line.type == "credit_cap" and "rate" in f:
        return t(
            "render.credit_cap",
            lang,
            rate=rate(f["rate"], lang),
            cap=money(f["cap"], currency, lang),
        )
    if lang == "en" and line.description:
        return line.description
    named = value_name("line", line.type, lang)
    if line.type == "credit" and line.metric:
        named += f"{t('render.colon', lang)}{target_label(line.channel, line.metric, None, lang)}"
    return named


def cause(line: Line, currency: str, lang: str) -> str:
    """What a credit line is for: the missed target in words (a cap line: its own words)."""
    f = line.facts
    if "target" in f:
        return missed_target(line.channel, line.metric, f["value"], f["target"], f.get("threshold"), lang)
    return describe(line, currency, lang)


def credit_base(line: Line, lang: str) -> str:
    """What a credit is a share of: 'phone usage', 'usage and fees' (a cap line: its type)."""
    if "base" not in line.facts:
        return value_name("line", line.type, lang)
    return t(f"render.base.{line.facts['base']}", lang, channel=value_name("channel", line.channel, lang).lower())


def missed_target(
    channel: str, metric: str, value: Decimal, target: Decimal, threshold: Decimal | None, lang: str
) -> str:
    """'Phone · Service level (≤ 20 s) 78.2%, below the 80.0% target': the missed target in words,
    with enough decimals that value and target never look equal (94.99% against 95%)."""
    shown, wanted = _apart(metric, value, target, lang)
    side = "above" if METRIC[metric].better == "lower" else "below"
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


# ---- verdicts --------------------------------------------------------------------------------


def target_name(channel: str, metric: str, threshold: Decimal | None, clock: str | None, lang: str) -> str:
    """'Phone · Service level (≤ 20 s)', and ' · business hours' when it runs on the business clock."""
    name = target_label(channel, metric, threshold, lang)
    return name + (f" · {value_name('clock', 'business', lang)}" if clock == "business" else "")


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
    if noun.startswith("seconds"):
        return duration(value, lang)
    exact = Decimal(str(value))
    shown = number(exact, None if exact == exact.to_integral_value() else 1, lang)
    return t(f"noun.{noun}", lang, n=shown)


def _noun(metric: str, channel: str, side: str) -> str:
    """The label of what a numerator or denominator counts (domain.Metric.counts, else the channel's
    rows); a sum of durations reads as a duration ('seconds')."""
    m = METRIC[metric]
    if m.kind == "seconds" and side == "numerator":
        return "seconds"
    counts = m.counts or CHANNEL[channel].table
    return f"{counts}.{side}" if f"noun.{counts}.{side}" in LABELS else counts


def not_counted(metric: str, channel: str, terms: dict, lang: str) -> str:
    """Why rows of this target are left out of its denominator ('short abandons, under 5 s'), or ''
    when every row counts. `terms`: the contract's short_abandon_seconds and sl_abandons.

    On a channel that waits (phone) a rate leaves out short abandons (a service level as the
    contract's sl_abandons says); a mean duration counts only the rows it measures ('calls not
    answered' / 'chats without a response' are left out); other metrics say their own reason."""
    m = METRIC[metric]
    if m.kind == "rate" and CHANNEL[channel].clocked == "wait":
        mode = terms.get("sl_abandons") or "exclude_short"
        if m.threshold == "within" and mode != "exclude_short":
            return t("notcounted.sl_exclude_all", lang) if mode == "exclude_all" else ""
        short = terms.get("short_abandon_seconds") or 0
        return t("notcounted.short", lang, limit=duration(short, lang)) if short else ""
    if m.kind == "seconds":
        return t(f"notcounted.{CHANNEL[channel].table}", lang)
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
            if METRIC[metric].kind == "seconds" or (METRIC[metric].threshold == "within" and mode == "exclude_all"):
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

    # metrics whose evidence is not the channel's clocked duration say their own reason
    own = {
        "aht_seconds": handled,
        "accuracy": visit,
        "csat": score,
        "coverage_rate": covered,
        "weekly_min_hours": logged,
    }
    if metric in own:
        return own[metric]
    clocked = CHANNEL[channel].clocked  # wait (phone), response (chat), reply (e-mail)
    return phone if clocked == "wait" else reply(clocked, f"no_{clocked}")


# ---- what went wrong: rejected rows and engine errors ---------------------------------------


def said(detail: str | None, lang: str) -> str:
    """A rejected row's detail in words: its facts (metrics/ingest/said.py) through the labels
    `said.<say>` ('login_at is empty' / 'login_at 为空'). A detail stored as words (a row
    quarantined before details were kept as facts) is shown as it is."""
    try:
        facts = json.loads(detail) if detail else None
    except ValueError:
        facts = None
    if not isinstance(facts, dict) or "say" not in facts:
        return detail or ""
    key = f"said.{facts.pop('say')}"
    if f"{key}.{facts.get('problem')}" in LABELS:  # a malformed line's kind of problem, when it has words
        key = f"{key}.{facts['problem']}"
    return t(key, lang, **{name: _fact(name, value, lang) for name, value in facts.items()})


# Why the ingest skipped a file (IngestReport.skipped keeps it in English words, for scripts and the
# stored run): the label whose English words it is gives it in either language.
SKIPPED = {english: key for key, (english, _) in LABELS.items() if key.startswith("skipped.")}


def skipped(reason: str, lang: str) -> str:
    """A skipped file's reason in words ('not a data file (expected .csv, .csv.gz or .parquet)')."""
    return t(SKIPPED[reason], lang) if reason in SKIPPED else reason


def _fact(name: str, value: object, lang: str) -> str:
    """A quoted fact as shown: tables and kinds of value in words, anything the row wrote as written."""
    if value is None:
        return "–"
    if name == "table":
        return value_name("table", value, lang)
    if name == "kind":
        return t(f"kind.{value}", lang)
    return str(value)


def error(exc: Exception, lang: str) -> str:
    """An error in words: a VendorboardError raised as facts through its label (a `detail` among
    them is a rejected row's facts, a `problem` a nested error), any other as its message."""
    key = getattr(exc, "key", None)
    if key is None:
        return str(exc)
    values = {
        name: error(value, lang)
        if isinstance(value, Exception)
        else said(value, lang)
        if name == "detail"
        else _fact(name, value, lang)
        for name, value in exc.values.items()
    }
    return t(key, lang, **values)
