"""Helpers for the dashboard tests: the app under AppTest on a database of our choosing, and a
small hand-made data set whose every figure is worked out below.

The small set (`SMALL`), month 2026-10, vendors in Asia/Shanghai:
- C1 (V1): monthly fee 1000.00, tax 6 %, one target phone answer_rate ≥ 0.80 with a 10 % credit
  on the whole invoice. Four calls on 2026-10-05, one never answered (waited 30 s; no short
  abandons as short_abandon_seconds is 0): answer rate 3/4 = 75.00 % < 80 % → missed.
  Invoice: fixed 1000.00, credit −10 % × 1000.00 = −100.00, net 900.00, tax 54.00, total 954.00.
- C2 (V2): monthly fee 500.00, no rates, no targets, no interactions: total 500.00 + 30.00 = 530.00.
- Both together: 2 vendors, 1 of them meets every target (C2 has none to miss), 1 target of 1
  measured is missed, billed 954.00 + 530.00 = 1,484.00 CNY, credits −100.00 CNY.
- 2026-11 has no interactions: C1's target has nothing to measure (no credit), total 1,060.00.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.ingest import sources_in_dir
from metrics.loading import ingest

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGES = ("overview", "compliance", "agents", "invoices", "reconciliation", "data", "contracts", "reports")
TITLES = {
    "en": ("Overview", "Compliance", "Agents", "Invoices", "Reconciliation", "Data", "Contracts", "Reports"),
    "zh": ("总览", "服务水平", "坐席", "账单", "对账", "数据", "合同", "报告"),
}

SMALL = {
    "vendors": """
        vendor_id,name,timezone
        V1,华信通信客服有限公司,Asia/Shanghai
        V2,Gotham Contact LLC,Asia/Shanghai
    """,
    "contracts": """
        contract_id,vendor_id,start_date,end_date,monthly_fee
        C1,V1,2026-01-01,,1000
        C2,V2,2026-01-01,,500
    """,
    "sla_targets": """
        contract_id,channel,metric,target,credit_rate,credit_base
        C1,phone,answer_rate,0.8,0.1,invoice
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        K1,V1,2026-10-05 09:00:00,2026-10-05 09:00:04,2026-10-05 09:03:00
        K2,V1,2026-10-05 10:00:00,2026-10-05 10:00:02,2026-10-05 10:05:00
        K3,V1,2026-10-05 11:00:00,2026-10-05 11:00:08,2026-10-05 11:02:00
        K4,V1,2026-10-05 12:00:00,,2026-10-05 12:00:30
    """,
}


def open_app(db: Path, monkeypatch: pytest.MonkeyPatch, page: str = "overview", **query: str) -> AppTest:
    """The dashboard on `db`, run once on the home page (with `query` as the URL's query
    parameters), then on `page`."""
    monkeypatch.setenv("VENDORBOARD_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    return at


def visit(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"views/{page}.py").run()


def load_dir(db: Path, root: Path) -> Path:
    ingest(db, sources_in_dir(root))
    return db


def metrics_of(at: AppTest) -> dict[str, str]:
    """{label: value} of the page's st.metric headline figures."""
    return {m.label: m.value for m in at.metric}


def texts(at: AppTest) -> str:
    """Every message, caption and markdown text on the page, for 'is this said' checks."""
    parts = [e.value for kind in (at.info, at.warning, at.error, at.success, at.caption, at.markdown) for e in kind]
    return "\n".join(str(p) for p in parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
