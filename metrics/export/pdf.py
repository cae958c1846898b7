"""The monthly report and single invoices as PDF (ReportLab), for people who never open vendorboard:
a cover with the headline figures, a scorecard page per vendor with trend charts, the agents below
target per vendor, each contract's invoice, a payments page (aging per vendor) and a data-quality page."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from metrics import charts
from metrics.billing import Invoice
from metrics.domain import CREDIT_LINES, TOTALS, VERDICT_COLOURS
from metrics.export import figures, fonts
from metrics.export.content import MonthReport
from metrics.i18n import (
    against_target,
    header,
    metric_value,
    money,
    month_name,
    number,
    percent,
    t,
    target_label,
    value_name,
    verdict_counts,
)
from metrics.payments import BUCKETS
from metrics.periods import parse_month
from metrics.quality import Finding

INK, MUTED, RULE, BAND = (
    colors.HexColor("#1b2430"),
    colors.HexColor("#5b6675"),
    colors.HexColor("#d5dbe3"),
    colors.HexColor("#f2f5f9"),
)
MET, MISSED, NO_DATA = (colors.HexColor(VERDICT_COLOURS[v].ink) for v in ("met", "missed", "no_data"))
WIDTH = A4[0] - 36 * mm
CHART_W, CHART_H = 520, 250  # points


class Styles:
    def __init__(self) -> None:
        self.font = font = fonts.register()
        base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13, textColor=INK, wordWrap="CJK")
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=MUTED)
        self.cell = ParagraphStyle("cell", base, fontSize=8.5, leading=11)
        self.cell_right = ParagraphStyle("cell_right", self.cell, alignment=TA_RIGHT)
        self.h1 = ParagraphStyle("h1", base, fontSize=20, leading=25, spaceAfter=4 * mm)
        self.h2 = ParagraphStyle("h2", base, fontSize=14, leading=18, spaceBefore=2 * mm, spaceAfter=3 * mm)
        self.h3 = ParagraphStyle("h3", base, fontSize=11, leading=14, spaceBefore=3 * mm, spaceAfter=2 * mm)
        self.figure = ParagraphStyle("figure", base, fontSize=24, leading=28)


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(
    rows: list[list], widths: list[float], styles: Styles, right: set[int] = frozenset(), extra: list[tuple] = ()
) -> Table:
    """A ruled table with a shaded header row; cells wrap (Chinese too), numbers align right."""
    body = [
        [
            c if not isinstance(c, str) else Paragraph(_escape(c), styles.cell_right if j in right else styles.cell)
            for j, c in enumerate(r)
        ]
        for r in rows
    ]
    table = Table(body, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles.font),  # else every table names Helvetica, a font not embedded
                ("BACKGROUND", (0, 0), (-1, 0), BAND),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return table


def _verdict(met: bool | None, lang: str, styles: Styles) -> Paragraph:
    # ✔ and ✘: the embedded font has these two, not the lighter ✗ the dashboard uses (it would print blank)
    key, colour, mark = {True: ("verdict.met", MET, "✔"), False: ("verdict.missed", MISSED, "✘")}.get(
        met, ("verdict.no_data", NO_DATA, "–")
    )
    return Paragraph(f'<font color="{colour.hexval()}">{mark} {_escape(t(key, lang))}</font>', styles.cell)


def _cover(report: MonthReport, lang: str, styles: Styles) -> list:
    v = report.verdicts
    vendors = report.contracts["vendor_id"].unique().to_list()
    failing = set(v.filter(pl.col("met").ne(True) | pl.col("met").is_null())["vendor_id"].to_list())  # no data: no pass
    currencies = {i.currency for i in report.invoices}
    billed = sum((i.total for i in report.invoices), Decimal(0))
    credits = sum((i.credits for i in report.invoices), Decimal(0))
    money_text = (lambda a: money(a, next(iter(currencies)))) if len(currencies) == 1 else money
    figures_row = [
        (t("report.vendors_ok", lang), f"{len(vendors) - len(failing)} / {len(vendors)}"),
        (t("overview.targets", lang), verdict_counts(v["met"].to_list(), lang)),
        (t("report.billed", lang), money_text(billed)),
        (t("report.credits", lang), money_text(credits)),
    ]
    tiles = Table(
        [
            [Paragraph(_escape(label), styles.small) for label, _ in figures_row],
            [Paragraph(_escape(value), styles.figure if len(value) < 12 else styles.h2) for _, value in figures_row],
        ],
        colWidths=[WIDTH / 4] * 4,
    )
    tiles.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles.font),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), BAND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    rows = [
        [
            header("vendor", lang),
            header("contract_id", lang),
            header("targets_met", lang),
            header("total", lang),
            header("status", lang),
        ]
    ]
    for c in report.contracts.iter_rows(named=True):
        mine = v.filter(pl.col("contract_id") == c["contract_id"])
        invoice = report.invoice(c["contract_id"])
        rows.append(
            [
                f"{c['vendor_id']} · {c['vendor_name']}",
                c["contract_id"],
                verdict_counts(mine["met"].to_list(), lang),
                money(invoice.total, invoice.currency) if invoice else "",
                value_name("status", invoice.status, lang) if invoice else "",
            ]
        )
    return [
        Spacer(1, 30 * mm),
        Paragraph(_escape(t("report.title", lang)), styles.h1),
        Paragraph(_escape(t("report.subtitle", lang, month=month_name(report.month, lang))), styles.h2),
        Paragraph(_escape(t("report.generated", lang, date=dt.date.today().isoformat())), styles.small),
        Spacer(1, 10 * mm),
        tiles,
        Spacer(1, 10 * mm),
        Paragraph(_escape(t("report.summary", lang)), styles.h3),
        _table(rows, [WIDTH * w for w in (0.38, 0.14, 0.14, 0.2, 0.14)], styles, right={2, 3}),
    ]


def _trend_figures(report: MonthReport, contract_id: str, lang: str) -> list[go.Figure]:
    """The dashboard's trend of the contract's missed targets (else its first targets), two at most."""
    mine = report.verdicts.filter(pl.col("contract_id") == contract_id).sort(pl.col("met").fill_null(True))
    figs = []
    for target in mine.head(2).iter_rows(named=True):
        rows = report.history.filter(
            (pl.col("contract_id") == contract_id)
            & (pl.col("channel") == target["channel"])
            & (pl.col("metric") == target["metric"])
            & pl.col("threshold_seconds").eq_missing(target["threshold_seconds"])
        )
        df = rows.select(
            pl.col("month").map_elements(parse_month, return_dtype=pl.Date).alias("period"), "value", "met"
        )
        fig = charts.metric_trend(df, target["metric"], target["target"], lang)
        # At print size the dashboard's axis titles outgrow the plot: the months need no "Month", a
        # smaller y title (which carries the unit) fits beside the plot instead of running over the title,
        # and the target's label moves to the right end, away from the y axis's tick labels it touched.
        fig.update_layout(
            title=target_label(target["channel"], target["metric"], target["threshold_seconds"], lang), margin_b=35
        )
        fig.update_xaxes(title=None).update_yaxes(title_font_size=10)
        fig.update_annotations(x=1, xanchor="right")
        figs.append(fig)
    return figs


def _scorecard(report: MonthReport, contract: dict, trends: list[bytes], lang: str, styles: Styles) -> list:
    """One contract's targets with value, target and verdict, then its trend charts (PNG)."""
    mine = report.verdicts.filter(pl.col("contract_id") == contract["contract_id"])
    head = [
        Paragraph(
            _escape(f"{t('report.scorecard', lang)} · {contract['vendor_id']} · {contract['vendor_name']}"), styles.h2
        ),
        Paragraph(
            _escape(f"{header('contract_id', lang)} {contract['contract_id']} · {month_name(report.month, lang)}"),
            styles.small,
        ),
        Spacer(1, 3 * mm),
    ]
    if mine.is_empty():
        return [*head, Paragraph(_escape(t("report.no_targets", lang)), styles.body)]
    rows = [
        [
            header("metric", lang),
            header("value", lang),
            header("target", lang),
            header("verdict", lang),
            header("credit_rate", lang),
        ]
    ]
    for r in mine.iter_rows(named=True):
        rows.append(
            [
                target_label(r["channel"], r["metric"], r["threshold_seconds"], lang),
                metric_value(r["metric"], r["value"], lang, 2),
                metric_value(r["metric"], r["target"], lang, 2),
                _verdict(r["met"], lang, styles),
                percent(r["credit_rate"]) if r["credit_rate"] else "",
            ]
        )
    images = [Image(io.BytesIO(png), width=CHART_W * 0.75, height=CHART_H * 0.75) for png in trends]
    found = [f for f in report.findings if f.contract_id == contract["contract_id"]]
    return [
        *head,
        _table(rows, [WIDTH * w for w in (0.44, 0.15, 0.15, 0.14, 0.12)], styles, right={1, 2, 4}),
        Paragraph(_escape(t("report.data_issues", lang)), styles.h3),
        _findings(found, lang, styles),
        Paragraph(_escape(t("report.trends", lang)), styles.h3),
        *images,
    ]


def _agents_below(report: MonthReport, lang: str, styles: Styles) -> list:
    """Per contract, the agents below a target this month (how many of its agents, and who with
    which targets missed): the list the contracts let the client have retrained or replaced."""
    out = [Paragraph(_escape(t("agents.below_list", lang)), styles.h2)]
    for contract in report.contracts.iter_rows(named=True):
        mine = report.agents.filter(pl.col("contract_id") == contract["contract_id"])
        below = mine.filter(pl.col("verdict") == "missed")
        out.append(
            Paragraph(
                _escape(
                    f"{contract['vendor_id']} · {contract['vendor_name']} · {contract['contract_id']}: "
                    + t("report.agents_below", lang, n=below["agent_id"].n_unique(), total=mine["agent_id"].n_unique())
                ),
                styles.h3,
            )
        )
        if mine.is_empty() or below.is_empty():
            out.append(
                Paragraph(_escape(t("report.agents_none" if mine.is_empty() else "report.none", lang)), styles.body)
            )
            continue
        rows = [[header("agent_id", lang), header("team", lang), header("missed_targets", lang)]]
        for (agent_id,), part in below.group_by("agent_id", maintain_order=True):
            name = part["name"][0]
            rows.append(
                [
                    f"{agent_id} · {name}" if name else agent_id,
                    part["team"][0] or "",
                    "; ".join(against_target(r, lang) for r in part.iter_rows(named=True)),
                ]
            )
        out.append(_table(rows, [WIDTH * w for w in (0.25, 0.15, 0.6)], styles))
    return out


def _findings(found: list[Finding], lang: str, styles: Styles) -> Table | Paragraph:
    """Data-quality findings, errors in orange: severity and the finding in words."""
    if not found:
        return Paragraph(_escape(t("report.none", lang)), styles.body)

    def cell(text: str, error: bool) -> Paragraph:
        return Paragraph(
            f'<font color="{MISSED.hexval()}">{_escape(text)}</font>' if error else _escape(text), styles.cell
        )

    rows = [[header("severity", lang), header("finding", lang)]] + [
        [cell(value_name("severity", f.severity, lang), f.is_error), cell(f.message(lang), f.is_error)] for f in found
    ]
    return _table(rows, [WIDTH * 0.14, WIDTH * 0.86], styles)


def invoice_flowables(invoice: Invoice, vendor_name: str, lang: str, styles: Styles) -> list:
    """One invoice: who is paid what, line by line, with credits and their cause, totals and due date."""
    facts = [
        [header(k, lang), v]
        for k, v in (
            ("vendor", f"{invoice.vendor_id} · {vendor_name}" if vendor_name else invoice.vendor_id),
            ("contract_id", invoice.contract_id),
            ("month", invoice.month.strftime("%Y-%m")),
            ("payee", invoice.payee),
            ("currency", invoice.currency),
            ("due_date", invoice.due_date.isoformat()),
            ("status", value_name("status", invoice.status, lang)),
        )
    ]
    rows = [[header("description", lang), header("quantity", lang), header("unit_price", lang), header("amount", lang)]]
    for line in invoice.lines:
        rows.append(
            [
                line.description,
                "" if line.quantity is None else number(line.quantity),
                "" if line.unit_price is None else _price(line.unit_price),
                money(line.amount),
            ]
        )
    credit_rows = [i + 1 for i, line in enumerate(invoice.lines) if line.type in CREDIT_LINES]
    totals = [[header(k, lang), money(getattr(invoice, k), invoice.currency)] for k in TOTALS]
    total_table = Table(
        [[Paragraph(_escape(a), styles.cell), Paragraph(_escape(b), styles.cell_right)] for a, b in totals],
        colWidths=[WIDTH * 0.25, WIDTH * 0.25],
        hAlign="RIGHT",
    )
    total_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles.font),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
                ("BACKGROUND", (0, -1), (-1, -1), BAND),
            ]
        )
    )
    accepted = []  # what a finalized invoice was finalized over
    if invoice.accepted_data_issues:
        accepted.append(
            Paragraph(_escape(t("report.accepted", lang, reason=invoice.accepted_data_issues)), styles.body)
        )
    if invoice.data_findings:
        accepted += [
            Paragraph(_escape(t("invoices.findings_then", lang)), styles.h3),
            _findings([Finding.from_dict(d) for d in invoice.data_findings], lang, styles),
        ]
    return [
        Paragraph(
            _escape(f"{t('report.invoice', lang)} · {invoice.contract_id} · {month_name(invoice.month, lang)}"),
            styles.h2,
        ),
        _table(
            facts,
            [WIDTH * 0.25, WIDTH * 0.75],
            styles,
            extra=[
                ("BACKGROUND", (0, 0), (0, -1), BAND),
                ("BACKGROUND", (0, 0), (-1, 0), colors.white),
                ("LINEBELOW", (0, 0), (-1, 0), 0.3, RULE),
            ],
        ),
        Spacer(1, 5 * mm),
        _table(
            rows,
            [WIDTH * w for w in (0.55, 0.14, 0.13, 0.18)],
            styles,
            right={1, 2, 3},
            extra=[("TEXTCOLOR", (0, r), (-1, r), MISSED) for r in credit_rows],
        ),
        Spacer(1, 4 * mm),
        KeepTogether(total_table),
        *accepted,
    ]


def _price(value: Decimal) -> str:
    """A unit price with at least the cents: 38 -> '38.00', 0.455 -> '0.455'."""
    return number(value, max(2, -value.normalize().as_tuple().exponent))


def _payments(report: MonthReport, lang: str, styles: Styles) -> list:
    """The payments page: the aging table per vendor, every issued invoice's payment status and the
    payments no finalized invoice takes, as of the month's last day. Amounts are plain numbers; the
    outstanding one carries the currency (each invoice's own)."""
    due = report.receivables
    # English headers wrap between words ("Days / overdue"), not inside one as CJK wrapping would.
    head = ParagraphStyle("head", styles.cell, wordWrap="CJK" if lang == "zh" else None)
    head_right = ParagraphStyle("head_right", head, alignment=TA_RIGHT)

    def section(title: str, names: list[str], rows: list[list], widths: tuple[float, ...], right: set[int]) -> list:
        if not rows:
            return [Paragraph(_escape(title), styles.h3), Paragraph(_escape(t("report.none", lang)), styles.body)]
        heads = [Paragraph(_escape(n), head_right if j in right else head) for j, n in enumerate(names)]
        tight = [("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
        return [
            Paragraph(_escape(title), styles.h3),
            _table([heads, *rows], [WIDTH * w for w in widths], styles, right, tight),
        ]

    aging = [
        [
            f"{r['vendor_id']} · {report.vendor_name(r['vendor_id'])}",
            *(money(r[b]) for b in BUCKETS),
            money(r["outstanding"], r["currency"]),
        ]
        for r in due.aging
    ]
    issued = [
        [
            s.contract_id,
            s.month.strftime("%Y-%m"),
            money(s.total),
            money(s.paid),
            money(s.outstanding, s.currency),
            value_name("payment", s.payment_status, lang),
            number(s.days_overdue),
            "" if s.damages is None else money(s.damages),
        ]
        for s in due.invoices
    ]
    unapplied = [
        [p["contract_id"], p["month"], p["paid_on"].isoformat(), money(p["amount"], p["currency"]), p["reference"]]
        for p in due.unapplied
    ]
    columns = ("contract_id", "month", "total", "paid", "outstanding", "payment_status", "days_overdue", "damages")
    return [
        Paragraph(_escape(t("report.payments", lang, date=due.as_of.isoformat())), styles.h2),
        *section(
            t("payments.aging", lang),
            [header("vendor", lang), *(value_name("aging", b, lang) for b in BUCKETS), header("outstanding", lang)],
            aging,
            (0.22, 0.12, 0.12, 0.12, 0.12, 0.12, 0.18),
            set(range(1, 7)),
        ),
        *section(
            t("payments.invoices", lang),
            [header(k, lang) for k in columns],
            issued,
            (0.1, 0.09, 0.13, 0.13, 0.16, 0.13, 0.11, 0.15),
            {2, 3, 4, 6, 7},
        ),
        *section(
            t("payments.unapplied", lang),
            [header(k, lang) for k in ("contract_id", "month", "paid_on", "amount", "reference")],
            unapplied,
            (0.15, 0.12, 0.15, 0.2, 0.38),
            {3},
        ),
    ]


def _data_quality(report: MonthReport, lang: str, styles: Styles) -> list:
    out = [
        Paragraph(_escape(t("report.data_quality", lang)), styles.h2),
        Paragraph(_escape(t("report.rejected", lang)), styles.h3),
    ]
    if report.rejected.is_empty():
        out.append(Paragraph(_escape(t("report.none", lang)), styles.body))
    else:
        rows = [[header("table", lang), header("reason", lang), header("rows", lang)]] + [
            [value_name("table", r["table_name"], lang), value_name("reason", r["reason"], lang), number(r["rows"])]
            for r in report.rejected.iter_rows(named=True)
        ]
        out.append(_table(rows, [WIDTH * w for w in (0.25, 0.6, 0.15)], styles, right={2}))
    out.append(Paragraph(_escape(t("report.out_of_contract", lang)), styles.h3))
    if report.out_of_contract.is_empty():
        out.append(Paragraph(_escape(t("report.none", lang)), styles.body))
    else:
        rows = [[header("vendor", lang), header("table", lang), header("rows", lang)]] + [
            [
                f"{r['vendor_id']} · {report.vendor_name(r['vendor_id'])}",
                value_name("table", r["table"], lang),
                number(r["rows"]),
            ]
            for r in report.out_of_contract.iter_rows(named=True)
        ]
        out.append(_table(rows, [WIDTH * w for w in (0.55, 0.3, 0.15)], styles, right={2}))
    return out


def _build(path: Path, story: list, title: str, lang: str) -> None:
    font = fonts.register()

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(font, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, f"vendorboard · {title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, t("report.page", lang, n=doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author="vendorboard",
        initialFontName=font,
    )  # else each page names Helvetica, a font not embedded
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def report_pdf(
    report: MonthReport, path: Path, lang: str = "en", progress: Callable[[str], None] | None = None
) -> None:
    """The monthly report: cover, a scorecard per contract, the agents below target, each invoice,
    payments, data quality."""
    styles = Styles()
    story = _cover(report, lang, styles)
    contracts = list(report.contracts.iter_rows(named=True))
    figs = [_trend_figures(report, c["contract_id"], lang) for c in contracts]
    drawn = iter(
        figures.pngs(
            [f for per_contract in figs for f in per_contract],
            CHART_W,
            CHART_H,
            progress and (lambda done, total: progress(f"chart {done} of {total}")),
        )
    )
    for contract, per_contract in zip(contracts, figs):
        story += [PageBreak(), *_scorecard(report, contract, [next(drawn) for _ in per_contract], lang, styles)]
    story += [PageBreak(), *_agents_below(report, lang, styles)]
    for invoice in report.invoices:
        story += [PageBreak(), *invoice_flowables(invoice, report.vendor_name(invoice.vendor_id), lang, styles)]
    story += [PageBreak(), *_payments(report, lang, styles)]
    story += [PageBreak(), *_data_quality(report, lang, styles)]
    _build(path, story, f"{t('report.title', lang)} · {month_name(report.month, lang)}", lang)


def invoice_pdf(invoice: Invoice, vendor_name: str, path: Path, lang: str = "en") -> None:
    """A single invoice as a one-document PDF."""
    styles = Styles()
    _build(
        path,
        invoice_flowables(invoice, vendor_name, lang, styles),
        f"{t('report.invoice', lang)} {invoice.contract_id} · {month_name(invoice.month, lang)}",
        lang,
    )
