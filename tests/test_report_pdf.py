"""The monthly report's PDF on the sample data (issue 6): every vendor, every target verdict and every
invoice total as the engine computes them, one page per part, Chinese text, rendered by poppler."""

from __future__ import annotations

import shutil
import subprocess

import pypdf
import pytest

from metrics import agents, billing, catalog, data_health, quality, sla, store
from metrics.export import invoice_pdf, report
from metrics.i18n import against_target, metric_value, money, t, target_label, value_name
from metrics.periods import parse_month

MONTH = parse_month("2026-10")
MARKS = {True: "✔", False: "✘", None: "–"}  # as pdf._verdict writes them
VERDICT = {True: "verdict.met", False: "verdict.missed", None: "verdict.no_data"}


@pytest.fixture(scope="module")
def engine(sample_db):
    """What the engine computes for the month: contracts, verdicts, invoices, rejected rows."""
    con = store.connect_reader(sample_db)
    try:
        yield {
            "contracts": catalog.contracts(con, MONTH).to_dicts(),
            "verdicts": sla.verdicts(con, MONTH),
            "invoices": billing.invoices(con, MONTH),
            "rejected": data_health.quarantine_summary(con).to_dicts(),
            "findings": quality.findings(con, MONTH),
            "agents": agents.figures(con, MONTH),
        }
    finally:
        con.close()


def _build(sample_db, out, language):
    con = store.connect_reader(sample_db)
    try:
        written = report(con, MONTH, out, language=language)
    finally:
        con.close()
    pdf = out / "report-2026-10.pdf"
    assert pdf in written
    return pdf, [[line.strip() for line in page.extract_text().splitlines()] for page in pypdf.PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def english(sample_db, tmp_path_factory):
    """(path, lines of each page) of the English report, built once for the module."""
    return _build(sample_db, tmp_path_factory.mktemp("report-en"), "en")


@pytest.fixture(scope="module")
def chinese(sample_db, tmp_path_factory):
    return _build(sample_db, tmp_path_factory.mktemp("report-zh"), "zh")


def _after(lines: list[str], label: str, n: int) -> list[str]:
    """The n lines that follow `label` on a page (a table row reads cell by cell)."""
    assert label in lines, f"{label!r} not on the page: {lines}"
    i = lines.index(label)
    return lines[i + 1 : i + 1 + n]


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_one_page_per_part(english, engine):
    _, pages = english
    contracts, invoices = engine["contracts"], engine["invoices"]
    # 1 cover + 4 scorecards + 1 agents page + 4 invoices + 1 payments page + 1 data-quality page = 12.
    # No part overflows on the sample: the longest scorecard (C-TEL, 6 targets and two 250 pt charts)
    # and the longest invoice (C-TEL, 8 lines) fit on an A4 page, and the 36 rejected-row reasons fit
    # on the data-quality page. A bigger month would add overflow pages, and this count would tell.
    assert (len(contracts), len(invoices)) == (4, 4)
    assert len(pages) == 1 + len(contracts) + 1 + len(invoices) + 1 + 1 == 12
    assert pages[0][2:4] == ["Vendor performance report", "Service levels and invoices, Oct 2026"]
    for i, c in enumerate(contracts):
        assert f"Scorecard · {c['vendor_id']} · {c['vendor_name']}" in pages[1 + i]
    assert "Below target: retrain or replace" in pages[1 + len(contracts)]
    for i, inv in enumerate(invoices):
        assert f"Invoice · {inv.contract_id} · Oct 2026" in pages[2 + len(contracts) + i]
    assert "Payments as of 2026-10-31" in pages[-2]
    assert "Data quality" in pages[-1]
    # every page carries the footer with its number
    assert [p[1] for p in pages] == [f"Page {n}" for n in range(1, 13)]


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_every_vendor_with_its_chinese_name(english, engine):
    _, pages = english
    text = "\n".join("\n".join(p) for p in pages)
    names = {c["vendor_id"]: c["vendor_name"] for c in engine["contracts"]}
    assert names["V-TEL"] == "华信通信客服有限公司"  # from sample_data/vendors
    for vendor_id, name in names.items():
        assert f"{vendor_id} · {name}" in pages[0]  # the cover's summary row
        assert text.count(name) >= 3  # cover, scorecard, invoice


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_every_target_verdict_on_its_contract_scorecard(english, engine):
    _, pages = english
    contracts = [c["contract_id"] for c in engine["contracts"]]
    verdicts = engine["verdicts"].to_dicts()
    assert len(verdicts) == 11
    for r in verdicts:
        page = pages[1 + contracts.index(r["contract_id"])]
        label = target_label(r["channel"], r["metric"], r["threshold_seconds"], "en")
        assert _after(page, label, 3) == [
            metric_value(r["metric"], r["value"], "en", 2),
            metric_value(r["metric"], r["target"], "en", 2),
            f"{MARKS[r['met']]} {t(VERDICT[r['met']], 'en')}",
        ]
    # By hand, V-TEL's phone: 6503 of 7808 calls answered = 83.29 % < 95 %, missed (the ✘ must print:
    # the font has no ✗); ASA 67974.723 s / 6503 = 10.45 s > 5 s, missed.
    tel = pages[1 + contracts.index("C-TEL")]
    assert _after(tel, "Phone · Answer rate", 3) == ["83.29%", "95.00%", "✘ missed"]
    assert _after(tel, "Phone · Average speed of answer", 3) == ["10.45 s", "5.00 s", "✘ missed"]
    # The cover counts them: 3 of the 11 targets missed, all V-TEL's, so 3 of 4 vendors meet every target;
    # none is without data (the tile wraps after "missed").
    assert _after(pages[0], "SLA credits", 5) == [
        "3 / 4",
        "8 met · 3 missed",
        "· 0 no data",
        "CNY 143,641.98",
        "CNY -1,278.94",
    ]


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_every_invoice_total_as_the_engine_computes_it(english, engine):
    _, pages = english
    first_invoice = 2 + len(engine["contracts"])
    for i, inv in enumerate(engine["invoices"]):
        page = pages[first_invoice + i]
        for name in ("subtotal", "credits", "adjustments", "net", "tax", "total"):
            assert _after(page, name.capitalize(), 1) == [money(getattr(inv, name), inv.currency)]
        assert _after(page, "Payee", 1) == [inv.payee]
        assert _after(page, "Due date", 1) == [inv.due_date.isoformat()]
        assert _after(page, "Status", 1) == [value_name("status", inv.status, "en")]
        assert money(inv.total, inv.currency) in pages[0]  # and on the cover
    # By hand, C-TEL: usage 4500.00 + 7126.80 + 12010.53 + 2372.50 + 8880.00 = 34889.83; credits
    # -(581.34 + 348.80 + 348.80) = -1278.94; net 33610.89; tax 6 % = 2016.6534 -> 2016.65; total 35627.54.
    tel = pages[first_invoice + [inv.contract_id for inv in engine["invoices"]].index("C-TEL")]
    assert _after(tel, "Total", 1) == ["CNY 35,627.54"]


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_agents_below_target_per_vendor(english, engine):
    _, pages = english
    page = pages[1 + len(engine["contracts"])]
    figs = engine["agents"]
    for c in engine["contracts"]:
        mine = figs.filter(contract_id=c["contract_id"])
        below = mine.filter(verdict="missed")
        heading = f"{c['vendor_id']} · {c['vendor_name']} · {c['contract_id']}: Agents below target: "
        assert heading + f"{below['agent_id'].n_unique()} of {mine['agent_id'].n_unique()}" in page
        for r in below.iter_rows(named=True):  # each agent below with the target missed, value / target
            agent = f"{r['agent_id']} · {r['name']}" if r["name"] else r["agent_id"]
            assert against_target(r, "en") in _after(page, agent, 2)
    # The sample plants C-PT part-timers short of 20 h: 5 of its 20 agents met the minimum in 4 of
    # their 5 October weeks (80 % < 90 %); PT-C00020 has no name in the agents table.
    assert "V-PT · 杭州优品电商服务有限公司 · C-PT: Agents below target: 5 of 20" in page
    assert _after(page, "PT-C00020", 1) == ["Chat · Weekly minimum hours met (≥ 20 h) 80.0% / 90.0%"]


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_data_quality_page_lists_every_rejection_reason(english, engine):
    _, pages = english
    dq = pages[-1]
    rows = [
        [value_name("table", r["table_name"], "en"), value_name("reason", r["reason"], "en"), str(r["rows"])]
        for r in engine["rejected"]
    ]
    assert len(rows) == 36
    flat = [line for line in dq if line]
    for row in rows:
        assert any(flat[i : i + 3] == row for i in range(len(flat))), row
    # the sample's contracts cover every interaction of October
    assert _after(dq, "Interactions no contract covers (not billed)", 1) == ["None."]


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_each_scorecard_lists_its_contracts_data_quality_findings(english, engine):
    _, pages = english
    contracts = [c["contract_id"] for c in engine["contracts"]]
    for contract_id in contracts:
        page = " ".join(pages[1 + contracts.index(contract_id)])
        found = [f for f in engine["findings"] if f.contract_id == contract_id]
        assert "Data quality this month" in page
        for f in found:
            assert f.message()[:40] in page, (contract_id, f.message())
        if not found:
            assert "None." in page
    # By hand, the sample's planted bad visits of C-TEL in October: 6 rejected of 118 + 6 = 4.84 %, an
    # error (at least 0.5 %).
    tel = " ".join(pages[1 + contracts.index("C-TEL")])
    assert "error visits rejected: 6" in tel and "4.84% of the month's visits" in tel


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_the_one_font_is_embedded_on_every_page(english):
    # A reader without the font must still show the Chinese names: every font the pages use is the
    # embedded CJK TrueType subset (ReportLab would otherwise name Helvetica on each page and table,
    # unembedded).
    pdf, _ = english
    used = {}
    for page in pypdf.PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            used[font["/BaseFont"]] = "/FontFile2" in font["/FontDescriptor"]
    assert len(used) == 1 and all(used.values()), used


@pytest.mark.slow  # builds the whole report: its charts are drawn by Chromium, a subprocess
def test_chinese_report_has_chinese_headings_and_names(chinese, engine):
    _, pages = chinese
    text = "\n".join("\n".join(p) for p in pages)
    assert len(pages) == 12
    assert "供应商绩效月报" in pages[0] and "2026年10月服务水平与账单" in pages[0]
    assert text.count("服务水平记分卡") == len(engine["contracts"])
    for c in engine["contracts"]:
        assert f"{c['vendor_id']} · {c['vendor_name']}" in text
    # 83.29 % against 95 %: 未达标 (missed), with its mark
    tel = pages[1 + [c["contract_id"] for c in engine["contracts"]].index("C-TEL")]
    assert _after(tel, "电话 · 接通率", 3) == ["83.29%", "95.00%", "✘ 未达标"]
    assert "截至 2026-10-31 的付款情况" in pages[-2]
    assert "第 12 页" in pages[-1]
    assert "V-PT · 杭州优品电商服务有限公司 · C-PT: 未达标坐席：20 人中 5 人" in pages[1 + len(engine["contracts"])]


def test_single_invoice_without_a_vendor_name_shows_the_vendor_id(engine, tmp_path):
    # the dashboard's Invoices page passes no vendor name: the row reads "V-AS", not "V-AS · "
    (inv,) = [i for i in engine["invoices"] if i.contract_id == "C-AS"]
    invoice_pdf(inv, tmp_path / "zh.pdf", language="zh")
    (page,) = pypdf.PdfReader(tmp_path / "zh.pdf").pages
    lines = [line.strip() for line in page.extract_text().splitlines()]
    assert "账单 · C-AS · 2026年10月" in lines
    assert _after(lines, "供应商", 1) == ["V-AS"]
    assert _after(lines, "总额", 1) == [money(inv.total, inv.currency)] == ["CNY 21,200.00"]


@pytest.mark.slow
@pytest.mark.parametrize("which", ["english", "chinese"])
def test_poppler_renders_every_page(which, request, tmp_path):
    assert shutil.which("pdftoppm"), "pdftoppm missing: install the Debian package poppler-utils (make test does)"
    pdf, pages = request.getfixturevalue(which)
    run = subprocess.run(  # noqa: PLW1510  (the exit code is asserted)
        ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], capture_output=True, text=True, timeout=120
    )
    assert (run.returncode, run.stderr) == (0, "")
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(pages)
    assert all(p.stat().st_size > 1000 for p in images)
