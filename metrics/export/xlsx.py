"""The monthly report and single invoices as Excel workbooks, for finance to work in: Excel tables
with real numbers (money with its currency, rates as %), and native Excel charts (XlsxWriter through
Polars' write_excel, then add_chart), not pictures."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import polars as pl
import xlsxwriter

from metrics import inert
from metrics.billing import Invoice
from metrics.domain import TOTALS
from metrics.export.content import MonthReport
from metrics.i18n import metric_kind, target_label
from metrics.payments.status import AGING_FIELDS

STYLE = "Table Style Medium 2"
KIND_FORMATS = {  # a metric's value in its own unit
    "rate": "0.0%",
    "seconds": '0.00 "s"',
    "score": "0.00",
    "count": "#,##0",
    "hours": '#,##0.0 "h"',
}
EXACT_SECONDS = '0.000 "s"'  # durations to the millisecond (an agent's figures)


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
    """A workbook and the few formats every sheet shares; column widths fitted to the tables."""

    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(str(path), inert.WORKBOOK_OPTIONS)  # no text becomes a formula or link
        self.title = self.wb.add_format({"bold": True, "font_size": 14, "font_color": "#1b2430"})
        self.kinds = {kind: self.wb.add_format({"num_format": f}) for kind, f in KIND_FORMATS.items()}
        self.exact_seconds = self.wb.add_format({"num_format": EXACT_SECONDS})
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

    def in_units(self, df: pl.DataFrame, sheet: str, row: int, exact: bool = False) -> None:
        """Rewrite the `value` and `target` cells of a table written at data row `row` (0-based) in
        each row's metric's own unit; `exact`: durations to the millisecond."""
        ws = self.sheet(sheet)
        cols = df.columns.index("value"), df.columns.index("target")
        for i, r in enumerate(df.iter_rows(named=True)):
            kind = metric_kind(r["metric"])
            fmt = self.exact_seconds if exact and kind == "seconds" else self.kinds[kind]
            for col, value in zip(cols, (r["value"], r["target"])):
                if value is not None:
                    ws.write_number(row + i, col, value, fmt)

    def sheet(self, name: str) -> xlsxwriter.workbook.Worksheet:
        return self.wb.get_worksheet_by_name(name) or self.wb.add_worksheet(name)

    def close(self) -> None:
        for sheet, widths in self.widths.items():
            for col, width in widths.items():
                self.sheet(sheet).set_column(col, col, min(width + 2, 60))
        for ws in self.wb.worksheets():  # printed: A4 landscape, each sheet one page wide
            ws.set_paper(9)
            ws.set_landscape()
            ws.fit_to_pages(1, 0)
        self.wb.close()


def _lines(invoice: Invoice) -> pl.DataFrame:
    return pl.DataFrame(
        [{"contract_id": invoice.contract_id, **line.as_dict()} for line in invoice.lines],
        schema={
            "contract_id": pl.String,
            "type": pl.String,
            "channel": pl.String,
            "unit": pl.String,
            "tier_from": pl.Decimal(18, 3),
            "tier_to": pl.Decimal(18, 3),
            "quantity": pl.Decimal(18, 4),
            "unit_price": pl.Decimal(18, 6),
            "amount": pl.Decimal(18, 2),
            "description": pl.String,
        },
    )


def _totals(invoices: list[Invoice]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "contract_id": i.contract_id,
                "vendor_id": i.vendor_id,
                "payee": i.payee,
                "currency": i.currency,
                "status": i.status,
                "due_date": i.due_date,
                **{k: getattr(i, k) for k in TOTALS},
            }
            for i in invoices
        ],
        schema_overrides={k: pl.Decimal(18, 2) for k in TOTALS},
    )


def _invoice_tables(book: _Book, sheet: str, row: int, invoices: list[Invoice], tag: str) -> int:
    currency = invoices[0].currency if invoices else "CNY"
    money = {**{c: _money(currency) for c in ("amount", *TOTALS)}, "unit_price": _money(currency, "0.00####")}
    for n, invoice in enumerate(invoices):
        book.sheet(sheet).write(
            row,
            0,
            f"Invoice {invoice.contract_id} {invoice.month:%Y-%m} "
            f"({invoice.status}, due {invoice.due_date}, payee {invoice.payee})"
            + (
                f"; finalized despite data errors, because: {invoice.accepted_data_issues}"
                if invoice.accepted_data_issues
                else ""
            ),
            book.title,
        )
        row = book.table(_lines(invoice).drop("contract_id"), sheet, row + 1, f"lines_{tag}_{n}", money)
        row = book.table(_totals([invoice]).select(TOTALS), sheet, row - 1, f"totals_{tag}_{n}", money)  # 1 row gap
    return row


def _sla_table(book: _Book, sheet: str, row: int, verdicts: pl.DataFrame, tag: str) -> int:
    df = verdicts.select(
        "contract_id",
        pl.struct("channel", "metric", "threshold_seconds")
        .map_elements(
            lambda r: target_label(r["channel"], r["metric"], r["threshold_seconds"], "en"), return_dtype=pl.String
        )
        .alias("target_name"),
        "channel",
        "metric",
        "threshold_seconds",
        "clock",
        "value",
        pl.col("target").cast(pl.Float64),
        "met",
        "numerator",
        "denominator",
        "credit_rate",
    )
    book.sheet(sheet).write(row, 0, "SLA targets", book.title)
    end = book.table(df, sheet, row + 1, f"sla_{tag}", {"credit_rate": KIND_FORMATS["rate"]})
    book.in_units(df, sheet, row + 2)
    return end


def _trend_chart(book: _Book, sheet: str, row: int, report: MonthReport, contract_id: str, tag: str) -> int:
    """The contract's headline target (a missed one first) over the last months, as a native line chart."""
    mine = report.verdicts.filter(pl.col("contract_id") == contract_id).sort(pl.col("met").fill_null(True))
    if mine.is_empty():
        return row
    first = mine.row(0, named=True)
    df = report.history.filter(
        (pl.col("contract_id") == contract_id)
        & (pl.col("channel") == first["channel"])
        & (pl.col("metric") == first["metric"])
        & pl.col("threshold_seconds").eq_missing(first["threshold_seconds"])
    ).select("month", "value", pl.col("target").cast(pl.Float64))
    name = target_label(first["channel"], first["metric"], first["threshold_seconds"], "en")
    book.sheet(sheet).write(row, 0, f"Trend: {name}", book.title)
    unit = KIND_FORMATS[metric_kind(first["metric"])]
    end = book.table(df, sheet, row + 1, f"trend_{tag}", {"value": unit, "target": unit})
    chart = book.wb.add_chart({"type": "line"})
    for col, label, dash in ((1, "value", None), (2, "target", "dash")):
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
    chart.set_y_axis({"num_format": "0%" if metric_kind(first["metric"]) == "rate" else "0.0"})
    chart.set_size({"width": 640, "height": 300})
    book.sheet(sheet).insert_chart(row + 1, 5, chart)
    return max(end, row + 18)


def _agents_sheet(book: _Book, report: MonthReport, vendor_id: str, sheet: str, tag: str) -> None:
    """Every agent of the vendor, every figure: value, the contract's target and the verdict, with
    the numerator, denominator and rows counted (what `vendorboard agents` prints)."""
    ws = book.sheet(sheet)
    ws.write(0, 0, f"{vendor_id} · {report.vendor_name(vendor_id)} · agents {report.month:%Y-%m}", book.title)
    mine = report.agents.filter(pl.col("vendor_id") == vendor_id)
    if mine.is_empty():
        ws.write(2, 0, "No agent figures this month.")
        return
    df = mine.select(
        "contract_id",
        "agent_id",
        "name",
        "team",
        "channel",
        "metric",
        "threshold_seconds",
        "clock",
        "value",
        pl.col("target").cast(pl.Float64),
        "verdict",
        "count",
        "numerator",
        "denominator",
    )
    book.table(df, sheet, 2, f"agents_{tag}")
    book.in_units(df, sheet, 3, exact=True)


def _payments_sheet(book: _Book, report: MonthReport) -> None:
    """The receivables as of the month's last day: aging per vendor, each issued invoice's payment
    status, and the payments no finalized invoice takes; "None." where a table would be empty."""
    due, sheet = report.receivables, "Payments"
    ws = book.sheet(sheet)
    ws.write(0, 0, f"Payments as of {due.as_of.isoformat()}", book.title)
    currency = next((s.currency for s in due.invoices), report.invoices[0].currency if report.invoices else "CNY")
    money = _money(currency)
    row = 2
    for title, name, rows, schema in (
        ("Aging per vendor", "aging", due.aging, dict.fromkeys(AGING_FIELDS[2:], pl.Decimal(18, 2))),
        (
            "Issued invoices",
            "payment_status",
            [s.as_dict() for s in due.invoices],
            {
                **dict.fromkeys(("total", "paid", "outstanding", "damages", "damages_carried"), pl.Decimal(18, 2)),
                "late_payment_rate": pl.Decimal(12, 8),
            },
        ),
        ("Unapplied payments", "unapplied", due.unapplied, {"amount": pl.Decimal(18, 2)}),
    ):
        ws.write(row, 0, title, book.title)
        if not rows:
            ws.write(row + 1, 0, "None.")
            row += 4
            continue
        df = pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None)
        formats = {c: money for c, dtype in schema.items() if dtype == pl.Decimal(18, 2)}
        row = book.table(df, sheet, row + 1, name, formats)


def report_xlsx(report: MonthReport, path: Path) -> None:
    """Summary sheet (one row per contract, a chart of the totals), one sheet per vendor and one of
    its agents, and the payments sheet."""
    book = _Book(path)
    summary = _totals(report.invoices).join(
        report.verdicts.group_by("contract_id").agg(
            pl.col("met").eq(True).sum().alias("targets_met"),
            pl.col("met").is_not_null().sum().alias("targets_measured"),
            pl.len().alias("targets_set"),
        ),
        on="contract_id",
        how="left",
    )
    ws = book.sheet("Summary")
    ws.write(0, 0, f"Vendor performance report {report.month:%Y-%m}", book.title)
    currency = report.invoices[0].currency if report.invoices else "CNY"
    end = book.table(summary, "Summary", 2, "summary", {k: _money(currency) for k in TOTALS})
    chart = book.wb.add_chart({"type": "column"})
    total_col = summary.columns.index("total")
    chart.add_series(
        {
            "name": "total",
            "categories": ["Summary", 3, 0, 2 + summary.height, 0],
            "values": ["Summary", 3, total_col, 2 + summary.height, total_col],
            "fill": {"color": "#1f5fa8"},
        }
    )
    chart.set_title({"name": "Billed total per contract"})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_legend({"none": True})
    ws.insert_chart(end, 0, chart)
    sheets, tags = {"summary", "payments"}, set()
    for vendor_id in report.contracts["vendor_id"].unique(maintain_order=True).to_list():
        sheet = _sheet_name(vendor_id, sheets)
        book.sheet(sheet).write(0, 0, f"{vendor_id} · {report.vendor_name(vendor_id)}", book.title)
        tag = _tag(vendor_id, tags)
        row = _sla_table(book, sheet, 2, report.verdicts.filter(pl.col("vendor_id") == vendor_id), tag)
        for contract_id in report.contracts.filter(pl.col("vendor_id") == vendor_id)["contract_id"].to_list():
            row = _trend_chart(book, sheet, row, report, contract_id, _tag(f"{tag}_{contract_id}", tags))
        _invoice_tables(book, sheet, row, [i for i in report.invoices if i.vendor_id == vendor_id], tag)
        _agents_sheet(book, report, vendor_id, _sheet_name(f"{vendor_id[:24]} agents", sheets), tag)
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


def invoice_xlsx(invoice: Invoice, path: Path) -> None:
    """A single invoice: its lines and totals as Excel tables on one sheet."""
    book = _Book(path)
    _invoice_tables(book, "Invoice", 0, [invoice], "invoice")
    book.close()
