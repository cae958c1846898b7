"""Server-side run time of every dashboard page, measured with Streamlit's AppTest.

    python benchmarks/page_times.py [--db FILE] [--month 2026-10] [--contract C-TEL] 2>/dev/null

(stderr carries Streamlit's warnings about running without a server; the table goes to stdout.)

Without --db the sample data set is loaded into a temporary database first. For each page:
`first` is a run with every cache empty (as after an ingest: new connection, every engine query
computed), `rerun` the same page run again (what a user waits for on a click that changes
nothing the engine needs). Reconciliation is measured with the sample vendor invoice of the
contract and month uploaded. Times are milliseconds of script run time, not browser rendering.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.config import SAMPLE_DATA
from metrics.ingest import sources_in_dir
from metrics.loading import ingest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "compliance", "agents", "invoices", "reconciliation", "data", "contracts", "reports")


def timed(run) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def measure(page: str, query: dict[str, str], reruns: int) -> tuple[float, float]:
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=600)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()  # a session exists and the pages are registered
    st.cache_data.clear()
    st.cache_resource.clear()
    first = timed(lambda: at.switch_page(f"views/{page}.py").run())
    invoice = SAMPLE_DATA / "vendor_invoices" / f"{query['contract']}_{query['month']}.csv"
    if page == "reconciliation" and invoice.exists():  # the page with the vendor's invoice uploaded
        uploader = at.file_uploader(key="vendor-invoice").upload(invoice.name, invoice.read_bytes(), "text/csv")
        first += timed(uploader.run)
    if at.exception:
        sys.exit(f"{page}: {at.exception[0].value}")
    again = statistics.median(timed(at.run) for _ in range(reruns))
    return first, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database to measure (default: the sample, loaded fresh)")
    parser.add_argument("--month", default="2026-10")
    parser.add_argument("--contract", default="C-TEL")
    parser.add_argument("--reruns", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or Path(folder) / "sample.duckdb"
        if args.db is None:
            ingest(db, sources_in_dir(SAMPLE_DATA))
        os.environ["VENDORBOARD_DB"] = str(db)
        query = {"month": args.month, "contract": args.contract}
        print(f"{'page':<16}{'first ms':>10}{'rerun ms':>10}")
        for page in PAGES:
            first, again = measure(page, query, args.reruns)
            print(f"{page:<16}{first:>10.0f}{again:>10.0f}")


if __name__ == "__main__":
    main()
