"""What leaves vendorboard: the monthly report (one PDF, one Excel workbook, CSVs) and single
invoice documents. The dashboard's Reports and Invoices pages and `vendorboard report` /
`vendorboard invoice --format pdf|xlsx` call these."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from metrics.access import EVERY_VENDOR, Scope
from metrics.errors import VendorboardError
from metrics.export import pdf, xlsx
from metrics.export.content import MonthReport, gather
from metrics.export.csv import write_csvs
from metrics.export.pdf import invoice_pdf
from metrics.export.xlsx import invoice_xlsx

__all__ = ["MonthReport", "invoice_pdf", "invoice_xlsx", "report"]

Progress = Callable[[str, int, int], None]  # (step, steps done, steps in all), as ingest reports


def report(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    out_dir: Path,
    progress: Progress | None = None,
    vendor_invoices: tuple[Path, ...] = (),
    language: str = "en",
    *,
    scope: Scope = EVERY_VENDOR,
) -> list[Path]:
    """Write report-YYYY-MM.pdf, report-YYYY-MM.xlsx and the CSVs into `out_dir`, of the scope's
    vendors; returns the files.

    The content is gathered before anything is created (a month with no data leaves not even the
    folder), then built in a temporary folder inside `out_dir` and moved in only when complete, so a
    failure (an unwritable folder, a missing font, Chromium failing) leaves no partial files behind, nor
    the folder when this call created it.
    """
    out_dir = Path(out_dir)
    steps = 4
    step = (lambda text, n: progress(text, n, steps)) if progress else (lambda text, n: None)
    step("gathering SLA results and invoices", 0)
    content = gather(con, month, vendor_invoices, scope=scope)
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".report-", dir=out_dir))
    except OSError as exc:
        raise VendorboardError(f"--out {out_dir}: cannot write there ({exc.strerror})") from None
    written: list[Path] = []
    done = False
    try:
        name = f"report-{month:%Y-%m}"
        step("writing the PDF", 1)
        pdf.report_pdf(content, work / f"{name}.pdf", language, lambda text: step(f"writing the PDF: {text}", 1))
        step("writing the Excel workbook", 2)
        xlsx.report_xlsx(content, work / f"{name}.xlsx", language)
        step("writing the CSVs", 3)
        write_csvs(content, work)
        for f in sorted(work.iterdir()):
            target = out_dir / f.name
            f.replace(target)
            written.append(target)
        step("done", 4)
        done = True
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not done:
            for f in written:  # moved in before the failure: a half report is no report
                f.unlink(missing_ok=True)
            if created:
                with contextlib.suppress(OSError):
                    out_dir.rmdir()  # the folder this call made, empty again
