"""Sign-in and role gates in the dashboard under AppTest (dashboard/auth.py, docs/auth.md): with no
sign-in the one local administrator is told so; with local passwords nothing of the data shows
before signing in, a wrong password is refused, and each role sees the writes it may make — the
finalize button for finance and not for a manager, the Admin page for an administrator."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from dashboard_fixtures import PAGES, TITLES, no_exception, open_app, texts, visit
from streamlit.testing.v1 import AppTest

from metrics import billing, users
from metrics.access import os_user

PASSWORD = "correct horse battery"


@pytest.fixture
def signed_db(sample_db: Path, tmp_path: Path) -> Path:
    """The sample with a finance, a manager and an admin user, each with a local password."""
    db = tmp_path / "signed.duckdb"
    shutil.copyfile(sample_db, db)
    for login, role in (("fay", "finance"), ("max", "manager"), ("ann", "admin")):
        users.add(db, login, role, name=login.title(), password=PASSWORD, by=os_user())
    return db


def sign_in(at: AppTest, login: str, password: str) -> AppTest:
    at.text_input(key="signin-login").input(login)
    at.text_input(key="signin-password").input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def test_without_sign_in_the_local_administrator_is_told_so(sample_db, monkeypatch):
    at = open_app(sample_db, monkeypatch, "invoices", contract="C-TEL", month="2026-10")
    no_exception(at)
    assert "No sign-in: you are the local administrator" in texts(at)
    assert at.button(key="finalize-C-TEL 2026-10")  # the local administrator may do everything


def test_nothing_shows_before_signing_in_and_a_wrong_password_is_refused(signed_db, monkeypatch):
    at = open_app(signed_db, monkeypatch, contract="C-TEL", month="2026-10")
    no_exception(at)
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.selectbox and not at.metric and not at.dataframe  # no pickers, no figures
    assert "V-TEL" not in texts(at)
    sign_in(at, "fay", PASSWORD + "!")
    assert [e.value for e in at.error] == ["Wrong login or password."]
    assert [t.value for t in at.title] == ["Sign in"]
    sign_in(at, "nobody", PASSWORD)
    assert [e.value for e in at.error] == ["Wrong login or password."]
    sign_in(at, "FAY", PASSWORD)  # logins ignore case
    no_exception(at)
    assert [t.value for t in at.title] == ["Overview"]
    assert "Signed in as **Fay** · finance" in texts(at)


@pytest.mark.parametrize(("login", "finalize", "payments"), [("fay", True, True), ("max", False, False)])
def test_finalize_and_payments_only_for_finance(signed_db, monkeypatch, login, finalize, payments):
    at = open_app(signed_db, monkeypatch, contract="C-TEL", month="2026-10")
    sign_in(at, login, PASSWORD)
    visit(at, "invoices")
    no_exception(at)
    assert at.title[0].value == "Invoices" and at.metric  # both read the invoice
    assert bool([b for b in at.button if b.key == "finalize-C-TEL 2026-10"]) is finalize
    assert bool([t for t in at.text_input if t.key == "payment-reference"]) is payments


def test_a_manager_may_not_upload_a_vendor_invoice_load_data_or_retry(signed_db, monkeypatch):
    at = open_app(signed_db, monkeypatch, contract="C-TEL", month="2026-10")
    sign_in(at, "max", PASSWORD)
    visit(at, "reconciliation")
    no_exception(at)
    assert "Your role (manager) may not upload vendor invoices for reconciliation." in texts(at)
    visit(at, "data")
    no_exception(at)
    assert not [b for b in at.button if b.label == "Load"] and not at.radio  # no upload, no import
    assert "Quarantine: rejected rows" in [h.value for h in at.subheader]
    assert not [b for b in at.button if b.key == "q-retry"]  # nor retries the quarantine
    admin = open_app(signed_db, monkeypatch, "data", contract="C-TEL", month="2026-10")
    sign_in(admin, "ann", PASSWORD)
    visit(admin, "data")
    assert [b for b in admin.button if b.key == "q-retry"]  # who loads data retries the quarantine


def test_the_admin_page_lists_users_and_the_trail(signed_db, monkeypatch):
    at = open_app(signed_db, monkeypatch)
    sign_in(at, "ann", PASSWORD)
    visit(at, "admin")
    no_exception(at)
    assert at.title[0].value == "Admin"
    shown = at.dataframe[0].value
    assert sorted(shown["Login"]) == ["ann", "fay", "max"]
    trail = at.dataframe[1].value
    # the sample load, then three users added from the OS user (newest first)
    assert list(trail["Action"]) == ["user added", "user added", "user added", "data loaded"]
    assert list(trail["What"])[:3] == ["user ann", "user max", "user fay"]


def everything_shown(at: AppTest) -> str:
    """Every text, figure, table cell and picker option on the page."""
    frames = [df.value.to_csv() for df in at.dataframe]  # pandas, as AppTest gives them
    options = [str(o) for box in at.selectbox for o in box.options]
    titles = [t.value for t in [*at.title, *at.subheader, *at.header]]
    figures = [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join([texts(at), *frames, *options, *titles, *figures])


def test_a_vendor_user_sees_its_own_vendor_on_every_page(signed_db, monkeypatch):
    # vic is V-TEL's; the link asks for V-PT's contract. Finance finalized C-TEL's October: the
    # Invoices page shows it, without a finalize button, and nothing of the other three vendors.
    users.add(signed_db, "vic", "vendor", ["V-TEL"], password=PASSWORD, by=os_user())
    billing.finalize(signed_db, dt.date(2026, 10, 1), "C-TEL", "sample data", by=os_user())
    others = ["V-PT", "C-PT", "V-HOME", "C-HOME", "V-AS", "C-AS", "杭州优品", "成都云居", "苏州安达", "成都蜂巢"]
    at = open_app(signed_db, monkeypatch, vendor="V-PT", contract="C-PT", month="2026-10")
    sign_in(at, "vic", PASSWORD)
    assert "Signed in as **vic** · vendor" in texts(at)
    assert at.selectbox(key="vendor").options == ["V-TEL · 华信通信客服有限公司"]  # no "All vendors"
    assert at.selectbox(key="contract").value == "C-TEL"  # the URL's C-PT is not an option
    for page, title in zip(PAGES, TITLES["en"]):
        visit(at, page)
        no_exception(at)
        assert at.title[0].value == title
        shown = everything_shown(at)
        assert [o for o in others if o in shown] == [], page
        if page in ("overview", "compliance", "invoices"):
            assert "C-TEL" in shown, page
    visit(at, "invoices")
    assert not [b for b in at.button if (b.key or "").startswith("finalize")]
    assert "Admin" not in [p for p in texts(at).splitlines()]
