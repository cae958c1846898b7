"""The dashboard in a real browser: `streamlit run` on a free port against a copy of the sample
database, driven by headless Debian Chromium through Playwright. Every page in both languages
renders without an exception element and shows the figures the engine computes; the Overview's
button leads to the failing contract; a vendor invoice is uploaded and reconciled; an invoice is
finalized through its confirmation dialog. A screenshot of every page lands in
test-output/screenshots/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from browser_fixtures import QUERY, no_exception, open_page, screenshot, settle
from dashboard_fixtures import PAGES, TITLES

from metrics import agents, billing, data_health, drilldown, store
from metrics.config import SAMPLE_DATA
from metrics.i18n import money
from metrics.sla import verdicts

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OCT = dt.date(2026, 10, 1)


def expected_figures(db: Path) -> dict[str, list[str]]:
    """Key figures per page as the engine computes them for C-TEL in 2026-10 (outside tables:
    st.dataframe draws its cells on a canvas, so they are not page text)."""
    con = store.connect_reader(db)
    try:
        invoices = billing.invoices(con, OCT)
        tel = next(inv for inv in invoices if inv.contract_id == "C-TEL")
        rows = {r["metric"]: r for r in verdicts(con, OCT, "C-TEL").iter_rows(named=True)}
        rejected = data_health.quarantine_count(con)
        sl = rows["service_level"]
        behind = drilldown.counts(
            con, drilldown.Target(OCT, "C-TEL", "phone", "service_level", sl["threshold_seconds"], sl["clock"])
        )
        staff = agents.figures(con, OCT, "C-TEL")
    finally:
        con.close()
    met, missed = (sum(r["met"] is v for r in rows.values()) for v in (True, False))
    return {
        # the vendor picker shows V-TEL only; its targets counted, no data apart
        "overview": [money(tel.total), f"{met} · {missed} · {len(rows) - met - missed}"],
        # the missed service level is the target picked first; its rows by status are text
        "compliance": [f"miss {behind['miss']:,}", f"hit {behind['hit']:,}"],
        # agents below a target of those with figures
        "agents": [f"{staff.filter(verdict='missed')['agent_id'].n_unique()} / {staff['agent_id'].n_unique()}"],
        "invoices": [money(tel.total), money(tel.credits)],
        "reconciliation": ["Vendor invoice"],
        "data": [f"of {rejected}", "Freshness"],
        "contracts": ["C-TEL · 华信通信客服有限公司", "Rate card", "Service hours"],
        "reports": ["SLA verdicts of the month"],
    }


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_with_its_key_figures(server: str, browser_db: Path, page, name: str, language: str) -> None:
    open_page(page, server, name, f"{QUERY}&lang={language}")
    main = page.locator('[data-testid="stMain"]')
    main.locator("h1", has_text=TITLES[language][PAGES.index(name)]).wait_for(timeout=20_000)
    if language == "en":
        for figure in expected_figures(browser_db)[name]:
            main.get_by_text(figure).first.wait_for(timeout=20_000)  # raises naming the figure if absent
    no_exception(page)


def test_the_failing_vendor_is_two_clicks_from_why_and_one_from_its_export(
    server: str, browser_db: Path, page, tmp_path: Path
) -> None:
    open_page(page, server, "overview", "month=2026-10")
    page.get_by_role("button", name="Why? Open C-TEL in Compliance").click()
    page.wait_for_url("**/compliance?*")
    settle(page)
    no_exception(page)
    assert "contract=C-TEL" in page.url
    assert "target(s) missed" in page.inner_text('[data-testid="stMain"]')
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 3  # daily trend, distribution, heat map
    # The missed service level is picked first; one click exports every call that missed it.
    con = store.connect_reader(browser_db)
    try:
        sl = verdicts(con, OCT, "C-TEL").filter(pl.col("metric") == "service_level").row(0, named=True)
        missed = drilldown.counts(
            con, drilldown.Target(OCT, "C-TEL", "phone", "service_level", sl["threshold_seconds"], sl["clock"])
        )["miss"]
    finally:
        con.close()
    with page.expect_download() as download:
        page.get_by_role("button", name=f"evidence-C-TEL-2026-10-phone-service_level.csv ({missed:,})").click()
    saved = tmp_path / "evidence.csv"
    download.value.save_as(saved)
    rows = saved.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "ID,Local start,Wait (s),Answered,Counts as" and len(rows) == missed + 1
    assert {r.rsplit(",", 1)[1] for r in rows[1:]} == {"miss"}


def test_language_switch_relabels_the_page_and_the_url(server: str, page) -> None:
    open_page(page, server, "invoices")
    page.get_by_text("简体中文").click()
    settle(page)
    assert page.locator("h1").first.inner_text() == "账单"
    assert "lang=zh" in page.url
    assert "付款截止日" in page.inner_text('[data-testid="stMain"]')


def test_upload_a_vendor_invoice_and_see_the_discrepancy(server: str, page) -> None:
    # discrepancies.json: C-TEL 2026-09 bills phone minutes 4500.00 as 4725.00 (+225.00; total +238.50 with tax).
    open_page(page, server, "reconciliation", "month=2026-09&contract=C-TEL")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(SAMPLE_DATA / "vendor_invoices" / "C-TEL_2026-09.csv")
    )
    page.get_by_text("Discrepancies").first.wait_for(timeout=60_000)
    settle(page)
    no_exception(page)
    text = page.inner_text('[data-testid="stMain"]')
    assert "238.50" in text and "2 line(s) differ" in text
    screenshot(page, "reconciliation-uploaded-en")


def test_finalize_through_the_confirmation_dialog(server: str, page) -> None:
    open_page(page, server, "invoices", "month=2026-08&contract=C-PT")
    page.get_by_role("button", name="Finalize invoice").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("A finalized invoice never changes").wait_for()
    screenshot(page, "invoices-finalize-dialog-en")
    dialog.get_by_role("button", name="Yes, finalize").click()
    page.get_by_text("Invoice C-PT 2026-08 finalized.").wait_for(timeout=60_000)
    settle(page)
    no_exception(page)
    assert "🔒 finalized" in page.inner_text('[data-testid="stMain"]')


def test_import_an_export_through_a_saved_mapping(server: str, browser_db: Path, page, tmp_path: Path) -> None:
    # A mapping saved for V-TEL (the vendor picked in the sidebar), then an export imported with it:
    # E1 offered 09:00:00 local, answered 4 s later, ended 4 + 60 s later; E2 abandoned after 30 s.
    from metrics import imports
    from metrics.imports import saved

    mapping = imports.parse(
        {
            "table": "calls",
            "fields": {
                "call_id": "编号",
                "offered_at": {"column": "开始", "format": "%d/%m/%Y %H:%M:%S"},
                "answered_at": {"from": "offered_at", "plus": "等待"},
                "ended_at": {"from": "offered_at", "plus": ["等待", "通话"]},
                "answered": {"column": "结果", "map": {"接通": "answered", "放弃": "abandoned"}},
            },
        },
        "browser test",
    )
    saved.save(browser_db, "V-TEL", "monthly export", mapping)
    export = tmp_path / "export-2026-10.csv"
    export.write_bytes(
        "编号,开始,等待,通话,结果\nE1,06/10/2026 09:00:00,4,60,接通\nE2,06/10/2026 09:10:00,30,0,放弃\n".encode("gbk")
    )
    open_page(page, server, "data")
    page.get_by_text("by mapping its columns").click()
    settle(page)
    page.get_by_role("combobox", name="Mapping").click()
    page.get_by_role("option", name="monthly export").click()
    settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(1).set_input_files(str(export))
    page.get_by_text("What would be loaded").wait_for(timeout=60_000)
    settle(page)
    no_exception(page)
    screenshot(page, "data-import-mapped-en")
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Loaded: the pages now show the new data.").wait_for(timeout=60_000)
    settle(page)
    no_exception(page)
    screenshot(page, "data-import-result-en")
    con = store.connect_reader(browser_db)
    try:
        rows = con.execute(
            "SELECT call_id, epoch(answered_at - offered_at), epoch(ended_at - offered_at) FROM calls "
            "WHERE vendor_id = 'V-TEL' AND call_id LIKE 'E_' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("E1", 4.0, 64.0), ("E2", None, 30.0)]
