"""The monthly report and single invoices as Excel workbooks, for finance to work in: Excel tables
with real numbers (money with its currency, rates as %), and native Excel charts (XlsxWriter through
Polars' write_excel, then add_chart), not pictures. Every header, sheet name and title is in the
report's language; values that are words (channels, verdicts, statuses) are too, through the same
renderer as the PDF (metrics/render.py). Text stays text: nothing typed becomes a formula."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

from metrics import inert, render
from metrics.billing import Invoice
from metrics.domain import TOTALS
from metrics.export.content import MonthReport
from metrics.export.invoice import invoice_text
from metrics.i18n import header, metric_kind, t, target_label, value_name
from metrics.payments import BUCKETS

STYLE = "Table Style Medium 2"
RATE = "0.0%"


def kind_format(kind: str, lang: str, exact: bool = False) -> str:
    """A metric's value in its own unit ('0.00 "s"', '0.0%'); `exact`: durations to the millisecond
    (an agent's figures)."""
    unit = t(f"unit.{'s' if kind == 'seconds' else 'h'}", lang)
    return {
        "rate": RATE,
        "seconds": f'0.{"000" if exact else "00"} "{unit}"',
        "score": "0.00",
        "count": "#,##0",
        "hours": f'#,##0.0 "{unit}"',
    }[kind]


def _money(currency: str, decimals: str = "0.00") -> str:
    """Money with its currency; unit prices pass "0.00####" to show up to 6 decimals (0.455, not 0.46)."""
    return f'#,##{decimals} "{currency}";-#,##{decimals} "{currency}"'


def _chars(value: object, fmt: str | None = None) -> int:
    """Columns a cell needs as shown: numbers with separators, cents and the format's quoted unit or %,
    Chinese characters twice as wide. XlsxWriter's autofit measures the raw number (20000.0 for
    "20,000.00 CNY": Excel shows ###) and would widen column A to fit the sheet's titles."""
    if isinstance(value, bool):
        text = "FALSE"
    elif isinstance(value, (int, float, Decimal)):
        percent = bool(fmt) and fmt.endswith("%")
        text = f"{Decimal(str(value)) * (100 if percent else 1):,.2f}{'%' if percent else ''}"
        text += "".join(re.findall(r'"([^"]*)"', (fmt or "").split(";")[0]))
    else:
        text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Book:
    """A workbook in one language and the few formats every sheet shares; column widths fitted to
    the tables."""

    def __init__(self, path: Path, lang: str) -> None:
        self.wb = xlsxwriter.Workbook(str(path), inert.WORKBOOK_OPTIONS)  # no text becomes a formula or link
        self.lang = lang
        self.title = self.wb.add_format({"bold": True, "font_size": 14, "font_color": "#1b2430"})
        self.label = self.wb.add_format({"bold": True, "bg_color": "#f2f5f9"})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})
        self.formats: dict[str, xlsxwriter.format.Format] = {}
        self.widths: dict[str, dict[int, int]] = {}  # sheet -> column -> characters

    def table(self, df: pl.DataFrame, sheet: str, row: int, name: str, formats: dict[str, str] | None = None) -> int:
        """Write `df` as an Excel table at `row` (0-based); returns the next free row."""
        formats = formats or {}
        df.write_excel(
            workbook=self.wb,
            worksheet=sheet,
            position=(row, 0),
            table_name=name,
            table_style=STYLE,
            column_formats=formats,
            float_precision=6,
        )
        widths = self.widths.setdefault(sheet, {})
        for col, series in enumerate(df.iter_columns()):  # + 3 for the header's filter button
            needed = max([_chars(series.name) + 3, *(_chars(v, formats.get(series.name)) for v in series)])
            widths[col] = max(widths.get(col, 0), needed)
        return row + df.height + 3

    def in_units(
        self, metrics: list[str], values: list[tuple], sheet: str, row: int, cols: tuple[int, ...], exact: bool = False
    ) -> None:
        """Rewrite the cells in `cols` of a table's data rows from `row` (0-based) in each row's
        metric's own unit: `values` gives each row's numbers for those columns; `exact`: durations
        to the millisecond."""
        ws = self.sheet(sheet)
        for i, (metric, numbers) in enumerate(zip(metrics, values)):
            fmt = self.number_format(metric_kind(metric), exact)
            for col, value in zip(cols, numbers):
                if value is not None:
                    ws.write_number(row + i, col, float(value), fmt)

    def number_format(self, kind: str, exact: bool = False) -> xlsxwriter.format.Format:
        num_format = kind_format(kind, self.lang, exact)
        if num_format not in self.formats:
            self.formats[num_format] = self.wb.add_format({"num_format": num_format})
        return self.formats[num_format]

    def pairs(self, sheet: str, row: int, pairs: list[tuple[str, str]]) -> int:
        """Label and value rows (an invoice's head); returns the next free row."""
        ws = self.sheet(sheet)
        for i, (label, value) in enumerate(pairs):
            ws.write_string(row + i, 0, label, self.label)
            ws.write_string(row + i, 1, value)
        return row + len(pairs) + 1

    def sheet(self, name: str) -> xlsxwriter.workbook.Worksheet:
        return self.wb.get_worksheet_by_name(name) or self.wb.add_worksheet(name)

    def close(self) -> None:
        for sheet, widths in self.widths.items():
            for col, width in widths.items():
                self.sheet(sheet).set_column(col, col, min(width + 2, 60), self.wrap if width > 60 else None)
        for ws in self.wb.worksheets():  # printed: A4 landscape, each sheet one page wide
            ws.set_paper(9)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
        self.wb.close()


def _frame(columns: list[str], rows: list[tuple], money: set[int] = frozenset()) -> pl.DataFrame:
    """Rows under localized headers; money columns as exact decimals, other values as they come."""
    return pl.DataFrame(
        [dict(zip(columns, row)) for row in rows],
        schema_overrides={name: pl.Decimal(18, 2) for i, name in enumerate(columns) if i in money},
        infer_schema_length=None,
    ).select(columns)


def _invoice(
    book: _Book,
    sheet: str,
    row: int,
    invoice: Invoice,
    vendor_name: str,
    tag: str,
    drift: Sequence = (),
    findings: Sequence = (),
) -> int:
    """One invoice as the PDF shows it (export.invoice.invoice_text): head, lines, totals, credits, drift,
    notes. Numbers are numbers with their formats; returns the next free row."""
    lang, cur = book.lang, invoice.currency
    doc = invoice_text(invoice, vendor_name, lang, drift, findings)
    ws = book.sheet(sheet)
    ws.write_string(row, 0, doc.title, book.title)
    row = book.pairs(sheet, row + 1, doc.head)
    money, price = _money(cur), _money(cur, "0.00####")
    lines = pl.DataFrame(
        [dict(zip(doc.line_columns, line)) for line in doc.lines],
        schema={
            doc.line_columns[0]: pl.String,
            doc.line_columns[1]: pl.Decimal(18, 4),
            doc.line_columns[2]: pl.String,
            doc.line_columns[3]: pl.Decimal(18, 6),
            doc.line_columns[4]: pl.Decimal(18, 2),
        },
    )
    row = book.table(lines, sheet, row, f"lines_{tag}", {doc.line_columns[3]: price, doc.line_columns[4]: money})
    totals = pl.DataFrame(
        [{label: amount for label, amount in doc.totals}],
        schema=dict.fromkeys((label for label, _ in doc.totals), pl.Decimal(18, 2)),
    )
    row = book.table(totals, sheet, row - 1, f"totals_{tag}", dict.fromkeys(totals.columns, money))
    if doc.credits:
        ws.write_string(row, 0, t("invoices.credits", lang), book.title)
        credits = _frame(doc.credit_columns, doc.credits, money={3})
        row = book.table(
            credits.with_columns(pl.col(doc.credit_columns[1]).cast(pl.Float64)),
            sheet,
            row + 1,
            f"credits_{tag}",
            {doc.credit_columns[1]: "0.##%", doc.credit_columns[3]: money},
        )
    if doc.drift:
        ws.write_string(row, 0, t("invoices.drift", lang), book.title)
        ws.write_string(row + 1, 0, t("msg.drift", lang))
        row = book.table(
            _frame(doc.drift_columns, doc.drift, money={1, 2, 3}),
            sheet,
            row + 2,
            f"drift_{tag}",
            dict.fromkeys(doc.drift_columns[1:], money),
        )
    if doc.notes:
        ws.write_string(row, 0, t("report.data_issues", lang), book.title)
        for i, note in enumerate(doc.notes, start=1):
            ws.write_string(row + i, 0, note)
        row += len(doc.notes) + 2
    return row


def _sla_table(book: _Book, sheet: str, row: int, verdicts: pl.DataFrame, tag: str) -> int:
    """Every target of the vendor: the target in words, value and target in the metric's own unit,
    the verdict, numerator and denominator with their units, the credit rate."""
    lang = book.lang
    columns = [header(k, lang) for k in ("contract_id", "sla_target", "value", "target", "verdict")]
    extra = [header(k, lang) for k in ("clock", "numerator", "denominator", "credit_rate")]
    rows = [
        {
            columns[0]: r["contract_id"],
            columns[1]: target_label(r["channel"], r["metric"], r["threshold_seconds"], lang),
            columns[2]: None if r["value"] is None else float(r["value"]),
            columns[3]: float(r["target"]),
            columns[4]: render.verdict(r["met"], lang),
            extra[0]: value_name("clock", r["clock"], lang),
            extra[1]: render.quantity(r["metric"], r["channel"], "numerator", r["numerator"], lang),
            extra[2]: render.quantity(r["metric"], r["channel"], "denominator", r["denominator"], lang),
            extra[3]: None if r["credit_rate"] is None else float(r["credit_rate"]),
        }
        for r in verdicts.iter_rows(named=True)
    ]
    df = pl.DataFrame(
        rows,
        schema={
            **dict.fromkeys(columns + extra, pl.String),
            **dict.fromkeys((columns[2], columns[3], extra[3]), pl.Float64),
        },
    )
    book.sheet(sheet).write_string(row, 0, t("contracts.targets", lang), book.title)
    end = book.table(df, sheet, row + 1, f"sla_{tag}", {extra[3]: RATE})
    book.in_units(verdicts["metric"].to_list(), verdicts.select("value", "target").rows(), sheet, row + 2, (2, 3))
    return end


def _trend_chart(book: _Book, sheet: str, row: int, report: MonthReport, contract_id: str, tag: str) -> int:
    """The contract's headline target (a missed one first) over the last months, as a native line chart."""
    lang = book.lang
    mine = report.verdicts.filter(pl.col("contract_id") == contract_id).sort(pl.col("met").fill_null(True))
    if mine.is_empty():
        return row
    first = mine.row(0, named=True)
    value_col, target_col = header("value", lang), header("target", lang)
    df = report.history.filter(
        (pl.col("contract_id") == contract_id)
        & (pl.col("channel") == first["channel"])
        & (pl.col("metric") == first["metric"])
        & pl.col("threshold_seconds").eq_missing(first["threshold_seconds"])
    ).select(
        pl.col("month").alias(header("month", lang)),
        pl.col("value").alias(value_col),
        pl.col("target").cast(pl.Float64).alias(target_col),
    )
    name = target_label(first["channel"], first["metric"], first["threshold_seconds"], lang)
    book.sheet(sheet).write_string(row, 0, f"{t('report.trends', lang)}{t('render.colon', lang)}{name}", book.title)
    kind = metric_kind(first["metric"])
    unit = kind_format(kind, lang)
    end = book.table(df, sheet, row + 1, f"trend_{tag}", {value_col: unit, target_col: unit})
    chart = book.wb.add_chart({"type": "line"})
    for col, label, dash in ((1, value_col, None), (2, target_col, "dash")):
        chart.add_series(
            {
                "name": label,
                "categories": [sheet, row + 2, 0, row + 1 + df.height, 0],
                "values": [sheet, row + 2, col, row + 1 + df.height, col],
                "marker": {"type": "circle"} if dash is None else {"type": "none"},
                "line": {"dash_type": dash} if dash else {},
            }
        )
    chart.set_title({"name": name})
    chart.set_y_axis({"num_format": "0%" if kind == "rate" else "0.0"})
    chart.set_size({"width": 640, "height": 300})
    book.sheet(sheet).insert_chart(row + 1, 5, chart)
    return max(end, row + 18)


AGENT_VERDICTS = {"met": True, "missed": False, "no_data": None}


def _agents_sheet(book: _Book, report: MonthReport, vendor_id: str, sheet: str, tag: str) -> None:
    """Every agent of the vendor, every figure: value, the contract's target and the verdict, with
    the numerator, denominator and rows counted (what `vendorboard agents` prints)."""
    lang = book.lang
    ws = book.sheet(sheet)
    title = f"{vendor_id} · {report.vendor_name(vendor_id)} · {t('page.agents', lang)} {report.month:%Y-%m}"
    ws.write_string(0, 0, title, book.title)
    mine = report.agents.filter(pl.col("vendor_id") == vendor_id)
    if mine.is_empty():
        ws.write_string(2, 0, t("report.agents_none", lang))
        return
    keys = (
        "contract_id",
        "agent_id",
        "name",
        "team",
        "value",
        "target",
        "verdict",
        "count",
        "numerator",
        "denominator",
    )
    names = {k: header(k, lang) for k in keys} | {"figure": t("agents.pick_figure", lang)}
    rows = [
        {
            **{names[k]: r[k] for k in ("contract_id", "agent_id", "name", "team")},
            names["figure"]: target_label(r["channel"], r["metric"], r["threshold_seconds"], lang),
            names["value"]: None if r["value"] is None else float(r["value"]),
            names["target"]: None if r["target"] is None else float(r["target"]),
            names["verdict"]: "" if r["verdict"] is None else render.verdict(AGENT_VERDICTS[r["verdict"]], lang),
            names["count"]: r["count"],
            names["numerator"]: None if r["numerator"] is None else float(r["numerator"]),
            names["denominator"]: None if r["denominator"] is None else float(r["denominator"]),
        }
        for r in mine.iter_rows(named=True)
    ]
    numbers = ("value", "target", "numerator", "denominator")
    df = pl.DataFrame(rows, schema_overrides={names[k]: pl.Float64 for k in numbers}, infer_schema_length=None)
    book.table(df, sheet, 2, f"agents_{tag}")
    book.in_units(mine["metric"].to_list(), mine.select("value", "target").rows(), sheet, 3, (5, 6), exact=True)


PAYMENT_WORDS = {"payment_status": "payment", "aging": "aging"}  # columns whose values are words


def _payments_sheet(book: _Book, report: MonthReport) -> None:
    """The receivables as of the month's last day: aging per vendor, each issued invoice's payment
    status, and the payments no finalized invoice takes; "None." where a table would be empty."""
    lang = book.lang
    due, sheet = report.receivables, t("payments.title", lang)
    ws = book.sheet(sheet)
    ws.write_string(0, 0, t("report.payments", lang, date=due.as_of.isoformat()), book.title)
    currency = next((s.currency for s in due.invoices), report.invoices[0].currency if report.invoices else "CNY")
    money = _money(currency)
    row = 2
    for title, name, rows, schema in (
        ("payments.aging", "aging", due.aging, dict.fromkeys((*BUCKETS, "outstanding", "overdue"), pl.Decimal(18, 2))),
        (
            "payments.invoices",
            "payment_status",
            [s.as_dict() for s in due.invoices],
            {
                **dict.fromkeys(("total", "paid", "outstanding", "damages", "damages_carried"), pl.Decimal(18, 2)),
                "late_payment_rate": pl.Decimal(12, 8),
            },
        ),
        ("payments.unapplied", "unapplied", due.unapplied, {"amount": pl.Decimal(18, 2)}),
    ):
        ws.write_string(row, 0, t(title, lang), book.title)
        if not rows:
            ws.write_string(row + 1, 0, t("report.none", lang))
            row += 4
            continue
        df = pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None).with_columns(
            pl.col(c).map_elements(lambda v, ns=ns: value_name(ns, v, lang), return_dtype=pl.String)
            for c, ns in PAYMENT_WORDS.items()
            if c in rows[0]
        )
        names = {c: value_name("aging", c, lang) if c in BUCKETS else header(c, lang) for c in df.columns}
        formats = {names[c]: money for c, dtype in schema.items() if dtype == pl.Decimal(18, 2)}
        row = book.table(df.rename(names), sheet, row + 1, name, formats)


def _summary(book: _Book, report: MonthReport) -> None:
    """One row per contract: parties, status, targets met of measured and set, the totals; a chart."""
    lang = book.lang
    sheet = t("report.summary", lang)
    counts = report.verdicts.group_by("contract_id").agg(
        pl.col("met").eq(True).sum().alias("targets_met"),
        pl.col("met").is_not_null().sum().alias("targets_measured"),
        pl.len().alias("targets_set"),
    )
    measured = dict(zip(counts["contract_id"], counts.select("targets_met", "targets_measured", "targets_set").rows()))
    columns = {
        "invoice_number": header("invoice_number", lang),
        "contract_id": header("contract_id", lang),
        "vendor_id": header("vendor_id", lang),
        "payee": header("payee", lang),
        "status": header("status", lang),
        "due_date": header("due_date", lang),
        "targets_met": header("targets_met", lang),
        "targets_measured": t("xlsx.targets_measured", lang),
        "targets_set": t("xlsx.targets_set", lang),
        **{k: f"{header(k, lang)}" for k in TOTALS},
    }
    rows = [
        {
            columns["invoice_number"]: i.number,
            columns["contract_id"]: i.contract_id,
            columns["vendor_id"]: i.vendor_id,
            columns["payee"]: i.payee,
            columns["status"]: value_name("status", i.status, lang),
            columns["due_date"]: i.due_date,
            **dict(
                zip(
                    (columns[k] for k in ("targets_met", "targets_measured", "targets_set")),
                    measured.get(i.contract_id, (0, 0, 0)),
                )
            ),
            **{columns[k]: getattr(i, k) for k in TOTALS},
        }
        for i in report.invoices
    ]
    df = pl.DataFrame(
        rows, schema_overrides={columns[k]: pl.Decimal(18, 2) for k in TOTALS}, infer_schema_length=None
    ).select(list(columns.values()))
    ws = book.sheet(sheet)
    ws.write_string(0, 0, f"{t('report.title', lang)} {report.month:%Y-%m}", book.title)
    currency = report.invoices[0].currency if report.invoices else "CNY"
    end = book.table(df, sheet, 2, "summary", {columns[k]: _money(currency) for k in TOTALS})
    chart = book.wb.add_chart({"type": "column"})
    total_col = df.columns.index(columns["total"])
    chart.add_series(
        {
            "name": columns["total"],
            "categories": [sheet, 3, 1, 2 + df.height, 1],
            "values": [sheet, 3, total_col, 2 + df.height, total_col],
            "fill": {"color": "#1f5fa8"},
        }
    )
    chart.set_title({"name": t("xlsx.totals_chart", lang)})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"none": True})
    ws.insert_chart(end, 0, chart)


def report_xlsx(report: MonthReport, path: Path, lang: str = "en") -> None:
    """Summary sheet (one row per contract, a chart of the totals), one sheet per vendor (its
    targets, trend, invoices) and one of its agents, and the payments sheet, in `lang`."""
    book = _Book(path, lang)
    _summary(book, report)
    sheets, tags = {t("report.summary", lang).lower(), t("payments.title", lang).lower()}, set()
    for vendor_id in report.contracts["vendor_id"].unique(maintain_order=True).to_list():
        sheet = _sheet_name(vendor_id, sheets)
        book.sheet(sheet).write_string(0, 0, f"{vendor_id} · {report.vendor_name(vendor_id)}", book.title)
        tag = _tag(vendor_id, tags)
        row = _sla_table(book, sheet, 2, report.verdicts.filter(pl.col("vendor_id") == vendor_id), tag)
        for contract_id in report.contracts.filter(pl.col("vendor_id") == vendor_id)["contract_id"].to_list():
            row = _trend_chart(book, sheet, row, report, contract_id, _tag(f"{tag}_{contract_id}", tags))
        for n, invoice in enumerate(i for i in report.invoices if i.vendor_id == vendor_id):
            row = _invoice(
                book,
                sheet,
                row,
                invoice,
                report.vendor_name(vendor_id),
                f"{tag}_{n}",
                report.drift.get(invoice.contract_id, ()),
                report.findings_of(invoice.contract_id),
            )
        agents_sheet = _sheet_name(f"{vendor_id[:24]} {t('page.agents', lang)}", sheets)
        _agents_sheet(book, report, vendor_id, agents_sheet, tag)
    _payments_sheet(book, report)
    book.close()


def _tag(text: str, taken: set[str]) -> str:
    """An id as part of Excel table names: letters, digits and _ only, unique in the workbook."""
    return _unique(re.sub(r"\W", "_", text, flags=re.ASCII), taken)


def _sheet_name(vendor_id: str, taken: set[str]) -> str:
    """The vendor's worksheet name: Excel forbids []:*?/\\, a quote at either end and more than 31
    characters."""
    return _unique(re.sub(r"[\[\]:*?/\\]", "_", vendor_id).strip("'") or "vendor", taken, 31, "~")


def _unique(name: str, taken: set[str], width: int = 255, sep: str = "_") -> str:
    """`name` (at most `width` characters), numbered when a name equal but for case is taken: Excel
    compares names so."""
    unique, n = name[:width], 1
    while unique.lower() in taken:
        n += 1
        unique = f"{name[: width - len(sep) - len(str(n))]}{sep}{n}"
    taken.add(unique.lower())
    return unique


def invoice_xlsx(
    invoice: Invoice,
    path: Path,
    language: str = "en",
    vendor_name: str = "",
    drift: Sequence = (),
    findings: Sequence = (),
) -> None:
    """A single invoice on one sheet, as its PDF: head, lines, totals, credits, drift and notes,
    numbers as numbers."""
    book = _Book(Path(path), language)
    _invoice(book, t("report.invoice", language), 0, invoice, vendor_name, "invoice", drift, findings)
    book.close()
