"""Sign-in and role gates in the dashboard under AppTest (dashboard/auth.py, docs/auth.md): with no
sign-in the one local administrator is told so; with local passwords nothing of the data shows
before signing in, a wrong password is refused, and each role sees the writes it may make — the
finalize button for finance and not for a manager, the Admin page for an administrator."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dashboard_fixtures import no_exception, open_app, texts, visit
from streamlit.testing.v1 import AppTest

from metrics import users
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


def test_a_manager_may_not_upload_a_vendor_invoice_or_load_data(signed_db, monkeypatch):
    at = open_app(signed_db, monkeypatch, contract="C-TEL", month="2026-10")
    sign_in(at, "max", PASSWORD)
    visit(at, "reconciliation")
    no_exception(at)
    assert "Your role (manager) may not upload vendor invoices for reconciliation." in texts(at)
    visit(at, "data")
    no_exception(at)
    assert not [b for b in at.button if b.label == "Load"] and not at.radio  # no upload, no import


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


def test_a_vendor_user_sees_nothing_until_the_portal_scopes_every_read(signed_db, monkeypatch):
    users.add(signed_db, "vic", "vendor", ["V-TEL"], password=PASSWORD, by=os_user())
    at = open_app(signed_db, monkeypatch, contract="C-TEL", month="2026-10")
    sign_in(at, "vic", PASSWORD)
    no_exception(at)
    assert "the vendor portal, which shows a vendor its own figures only, is not available yet" in texts(at)
    assert not at.title and not at.metric and not at.dataframe and not at.selectbox
    assert "Signed in as **vic** · vendor" in texts(at)  # and may sign out
