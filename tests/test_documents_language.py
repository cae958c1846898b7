"""Issue 15: a Chinese invoice PDF and workbook carry no English word but the codes and names the
user typed; the invoice number is stable across reruns; the evidence "why" of hand-built rows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import openpyxl
import pypdf
import pytest

from metrics import billing, store
from metrics.export import invoice_pdf, invoice_xlsx
from metrics.render import not_counted, why

OCT = dt.date(2026, 10, 1)
# Words a Chinese document may carry: ids and currency codes typed in the data, the product's name.
ALLOWED = {"vendorboard", "CNY", "TEL", "PT", "AS", "HOME", "C", "V"}


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED}


@pytest.fixture(scope="module")
def tel(sample_db):
    con = store.connect_reader(sample_db)
    try:
        return billing.with_drift(con, OCT, "C-TEL")[0]
    finally:
        con.close()


def test_a_chinese_invoice_pdf_and_workbook_have_no_english_words(tel, tmp_path):
    invoice, moved = tel
    invoice_pdf(invoice, tmp_path / "zh.pdf", "zh", "华信通信客服有限公司", moved)
    invoice_xlsx(invoice, tmp_path / "zh.xlsx", "zh", "华信通信客服有限公司", moved)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "zh.pdf").pages)
    assert english_words(text) == set(), english_words(text)
    assert "电话通话时长，0–10,000 分钟，每分钟 CNY 0.45" in text and "账单编号" in text
    cells = [
        str(v)
        for ws in openpyxl.load_workbook(tmp_path / "zh.xlsx")
        for row in ws.iter_rows(values_only=True)
        for v in row
        if isinstance(v, str)
    ]
    assert english_words("\n".join(cells)) == set()
    assert "服务水平扣减：电话 · 接通率 实际 83.3%，低于目标 95%；按电话用量 CNY 11,626.80 的 5%" in cells
    # the English one for contrast: the detector is not blind
    invoice_pdf(invoice, tmp_path / "en.pdf", "en")
    assert "Phone" in english_words("\n".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "en.pdf").pages))


def test_the_invoice_number_is_stable_across_reruns_and_finalizing(load, db):
    calls = "call_id,vendor_id,offered_at,answered_at,ended_at\n1,V1,2026-10-05 10:00,2026-10-05 10:00,2026-10-05 10:10"
    load({"rates": "contract_id,channel,unit,unit_price\nC1,phone,minute,1.00", "calls": calls})
    con = store.connect_reader(db)
    try:
        first = billing.invoices(con, OCT, "C1")[0].number
        again = billing.invoices(con, OCT, "C1")[0].number
    finally:
        con.close()
    finalized = billing.finalize(db, OCT, "C1", "one call: a test month")  # its empty days are an error
    con = store.connect_reader(db)
    try:
        stored = billing.invoices(con, OCT, "C1")[0]
    finally:
        con.close()
    assert first == again == finalized.number == stored.number == "C1-202610"
    assert stored.issued_on == finalized.finalized_at.date() and stored.tax_rate == D("0.06")


TERMS = {"short_abandon_seconds": D(5), "sl_abandons": "exclude_short"}


@pytest.mark.parametrize(
    "metric, channel, clock, row, en, zh",
    [
        # each by hand from the row: the reason it is a hit, a miss or not counted
        (
            "service_level",
            "phone",
            "calendar",
            {"wait_seconds": D("31.2"), "answered": False, "status": "miss"},
            "abandoned after 31.2 s",
            "等待 31.2 秒后放弃",
        ),
        (
            "service_level",
            "phone",
            "calendar",
            {"wait_seconds": D("24"), "answered": True, "status": "miss"},
            "answered after 24 s",
            "等待 24 秒后接通",
        ),
        (
            "answer_rate",
            "phone",
            "calendar",
            {"wait_seconds": D("3"), "answered": False, "status": "not_counted"},
            "abandoned after 3 s: a short abandon, under 5 s",
            "等待 3 秒后放弃：短时放弃（不足 5 秒）",
        ),
        (
            "asa_seconds",
            "phone",
            "calendar",
            {"wait_seconds": D("40"), "answered": False, "status": "not_counted"},
            "abandoned after 40 s: only answered calls count",
            "等待 40 秒后放弃：只计已接通的来电",
        ),
        (
            "aht_seconds",
            "phone",
            "calendar",
            {"handle_seconds": D("365"), "status": "hit"},
            "handled in 6 min 5 s",
            "处理用时 6 分钟 5 秒",
        ),
        ("reply_within_rate", "email", "calendar", {"reply_seconds": None, "status": "miss"}, "no reply", "未回复"),
        # 25 h 31 min 10 s of business time reads rounded up: 25 h 32 min
        (
            "reply_within_rate",
            "email",
            "business",
            {"reply_seconds": D(91870), "status": "miss"},
            "replied after 25 h 32 min of business time",
            "91870",
        ),
        (
            "first_response_seconds",
            "chat",
            "calendar",
            {"response_seconds": None, "status": "not_counted"},
            "no response",
            "未响应",
        ),
        (
            "accuracy",
            "onsite",
            "calendar",
            {"questions_correct": 9, "questions_audited": 10, "visit_status": "completed", "status": "miss"},
            "9 of 10 questions correct",
            "抽查 10 题，正确 9 题",
        ),
        (
            "accuracy",
            "onsite",
            "calendar",
            {"questions_correct": 0, "questions_audited": 0, "visit_status": "cancelled", "status": "not_counted"},
            "visit cancelled",
            "出场已取消",
        ),
        ("csat", "chat", "calendar", {"csat": 3, "status": "miss"}, "scored 3", "评分 3"),
        (
            "coverage_rate",
            "chat",
            "calendar",
            {"covered_seconds": D(2700), "service_seconds": D(3600), "status": "miss"},
            "covered 45 min of 1 h",
            "1 小时 中覆盖 45 分钟",
        ),
        (
            "weekly_min_hours",
            "chat",
            "calendar",
            {"agent_id": "A1", "logged_seconds": D(66600), "status": "miss"},
            "logged 18 h 30 min in the week",
            "本周登录 18 小时 30 分钟",
        ),
    ],
)
def test_the_why_of_each_metric_on_hand_built_rows(metric, channel, clock, row, en, zh):
    assert why(metric, channel, clock, TERMS, "en")(row) == en
    if not zh.isdigit():
        assert why(metric, channel, clock, TERMS, "zh")(row) == zh


def test_not_counted_is_explained_per_metric():
    assert not_counted("answer_rate", "phone", TERMS, "en") == "short abandons, under 5 s"
    assert not_counted("service_level", "phone", {"sl_abandons": "exclude_all"}, "en").startswith("abandoned calls")
    assert not_counted("asa_seconds", "phone", TERMS, "zh") == "未接通的来电"
    assert not_counted("reply_within_rate", "email", TERMS, "en") == ""  # every e-mail counts
