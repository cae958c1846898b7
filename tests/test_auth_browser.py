"""Sign-in in a real browser against a real identity provider (docs/auth.md): `oidc-provider-mock`
serves OpenID Connect on a free local port, the Streamlit server reads it from a secrets file as
`st.login` expects, and headless Debian Chromium signs in through the provider's own form. Finance
sees and uses the finalize button (and the audit trail names who finalized from where), a manager
does not see it nor the Admin page, an identity no user is registered for gets no access, and the
local-password form refuses a wrong password and lets the right one in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import pytest
from test_dashboard_browser import _free_port, browser, no_exception, screenshot, settle, streamlit_server  # noqa: F401

from metrics import audit, store, users
from metrics.access import os_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery"
# Identities the provider knows (its "sub" and claims) and the users they are here.
IDENTITIES = {
    "kc-fay": {"email": "fay@example.com", "email_verified": True, "name": "Fay Finance"},
    "kc-max": {"email": "max@example.com", "email_verified": True, "name": "Max Manager"},
    "kc-eve": {"email": "eve@example.com", "email_verified": True, "name": "Eve Nobody"},
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on a free local port; its issuer URL."""
    claims = [oidc_provider_mock.User(sub=sub, claims=c) for sub, c in IDENTITIES.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=claims) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with finance and manager users known by e-mail (no password: OIDC only) and a
    local administrator with a password, so the sign-in page offers both."""
    path = tmp_path_factory.mktemp("auth-browser") / "dashboard.duckdb"
    shutil.copyfile(sample_db, path)
    users.add(path, "fay@example.com", "finance", by=os_user())
    users.add(path, "max@example.com", "manager", by=os_user())
    users.add(path, "ann", "admin", name="Ann Admin", password=PASSWORD, by=os_user())
    return path


@pytest.fixture(scope="module")
def server(db: Path, provider: str) -> Iterator[str]:
    """The dashboard with OpenID Connect configured as `st.login` reads it; the base URL on
    `localhost` (the redirect URI's host, so the identity cookie comes back)."""
    port = _free_port()
    secrets = db.parent / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-test-cookie-secret-0123456789"\n'
        'client_id = "vendorboard"\n'  # the mock accepts any client id and secret
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    with streamlit_server(db, "--secrets.files", str(secrets), port=port) as base:
        yield base.replace("127.0.0.1", "localhost")


@pytest.fixture
def page(browser) -> Iterator:  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")
    yield context.new_page()
    context.close()


def sign_in_with_provider(page, server: str, provider: str, sub: str) -> None:
    """From the sign-in page through the provider's authorization form and back."""
    page.goto(server)
    page.get_by_role("button", name="Sign in with your company account").click()
    page.wait_for_url(f"{provider}/oauth2/authorize**", timeout=30_000)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server}/**", timeout=30_000)
    settle(page)


def open_invoice(page, server: str, month: str) -> str:
    page.goto(f"{server}/invoices?month={month}&vendor=V-TEL&contract=C-TEL")
    settle(page)
    no_exception(page)
    return page.inner_text('[data-testid="stMain"]')


def test_finance_signs_in_with_openid_connect_and_finalizes(server, provider, db, page):
    sign_in_with_provider(page, server, provider, "kc-fay")
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    # registered without a name: the provider's name claim is shown
    assert "Fay Finance · finance" in page.inner_text('[data-testid="stSidebar"]')
    open_invoice(page, server, "2026-08")
    page.get_by_role("button", name="Finalize invoice").click()
    dialog = page.get_by_role("dialog")
    # C-TEL's August has data errors (the sample's planted bad e-mails and visits): a reason is asked for
    dialog.get_by_label("Reason for finalizing despite these errors").fill("vendor re-sends the bad rows")
    dialog.get_by_role("button", name="Yes, finalize").click()
    page.get_by_text("Invoice C-TEL 2026-08 finalized.").wait_for(timeout=60_000)
    screenshot(page, "auth-finance-finalized")
    con = store.connect_reader(db)
    try:
        [entry] = audit.entries(con, action="finalize")
    finally:
        con.close()
    assert (entry["actor"], entry["role"], entry["subject"]) == ("fay@example.com", "finance", "C-TEL 2026-08")
    assert entry["details"]["accepted_data_issues"] == "vendor re-sends the bad rows"
    assert entry["origin"] == "dashboard from this machine"  # the browser ran on this machine
    assert entry["recorded_at"].date() == dt.datetime.now(dt.UTC).date()


def test_a_manager_sees_no_finalize_button_and_no_admin_page(server, provider, page):
    sign_in_with_provider(page, server, provider, "kc-max")
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    # October, which no test finalizes: a draft, where finance would see the button
    text = open_invoice(page, server, "2026-10")
    assert "Invoice lines" in text and "✎ draft" in text  # reads the invoice
    assert page.get_by_role("button", name="Finalize invoice").count() == 0
    assert page.get_by_role("link", name="Admin").count() == 0
    screenshot(page, "auth-manager-invoice")


def test_an_identity_that_is_no_user_gets_no_access(server, provider, page):
    sign_in_with_provider(page, server, provider, "kc-eve")
    page.get_by_text("eve@example.com is signed in at the identity provider but has no access").wait_for()
    assert "V-TEL" not in page.inner_text("body")


def test_local_password_sign_in_and_a_wrong_password(server, page):
    page.goto(server)
    settle(page)
    assert "V-TEL" not in page.inner_text("body")  # nothing of the data before signing in
    page.get_by_label("Login (e-mail address or user name)").fill("ann")
    page.get_by_label("Password", exact=True).fill(PASSWORD + "x")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("Wrong login or password.").wait_for(timeout=30_000)
    screenshot(page, "auth-sign-in-wrong-password")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    settle(page)
    no_exception(page)
    assert "Ann Admin" in page.inner_text('[data-testid="stSidebar"]')
    page.get_by_role("link", name="Admin").click()
    settle(page)
    page.get_by_text("Audit trail").first.wait_for(timeout=30_000)
    screenshot(page, "auth-admin-page")
