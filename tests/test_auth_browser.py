"""Sign-in in a real browser against a real identity provider (docs/auth.md): `oidc-provider-mock`
serves OpenID Connect on a free local port, the Streamlit server reads it from a secrets file as
`st.login` expects, and headless Debian Chromium signs in through the provider's own form. Finance
sees and uses the finalize button (and the audit trail names who finalized from where), a manager
does not see it nor the Admin page, an identity no user is registered for gets no access, and the
local-password form refuses a wrong password and lets the right one in.

The vendor portal: two vendor users, of V-TEL and of V-PT, each see their own vendor only on every
page, also when the link asks for the other's vendor and contract (`?vendor=V-PT&contract=C-PT`);
the CSVs they download and the report they build hold nothing of any other vendor; they see no
finalize button; V-TEL's user sends its invoice, and finance sees it on the Reconciliation page with
who sent it and when, and the Admin page's audit trail shows the finalize and the sending.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import oidc_provider_mock
import openpyxl
import pytest
from browser_fixtures import no_exception, screenshot, settle
from conftest import free_port, streamlit_server
from dashboard_fixtures import PAGES, TITLES

from metrics import audit, billing, store, users
from metrics.access import os_user
from metrics.config import SAMPLE_DATA

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery"
# Identities the provider knows (its "sub" and claims) and the users they are here.
IDENTITIES = {
    "kc-fay": {"email": "fay@example.com", "email_verified": True, "name": "Fay Finance"},
    "kc-max": {"email": "max@example.com", "email_verified": True, "name": "Max Manager"},
    "kc-eve": {"email": "eve@example.com", "email_verified": True, "name": "Eve Nobody"},
    "kc-vic": {"email": "vic@tel.example", "email_verified": True, "name": "Vic of V-TEL"},
    "kc-pat": {"email": "pat@pt.example", "email_verified": True, "name": "Pat of V-PT"},
}
# The two vendor users: their vendor, contract, and the other vendor a link may ask for.
VENDOR_USERS = {"kc-vic": ("V-TEL", "C-TEL", "V-PT", "C-PT"), "kc-pat": ("V-PT", "C-PT", "V-TEL", "C-TEL")}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on a free local port; its issuer URL."""
    claims = [oidc_provider_mock.User(sub=sub, claims=c) for sub, c in IDENTITIES.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=claims) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with finance, manager and two vendor users known by e-mail (no password: OIDC
    only) and a local administrator with a password, so the sign-in page offers both; September of
    C-TEL and C-PT finalized (what the vendors' Invoices pages show)."""
    path = tmp_path_factory.mktemp("auth-browser") / "dashboard.duckdb"
    shutil.copyfile(sample_db, path)
    users.add(path, "fay@example.com", "finance", by=os_user())
    users.add(path, "max@example.com", "manager", by=os_user())
    users.add(path, "vic@tel.example", "vendor", ["V-TEL"], by=os_user())
    users.add(path, "pat@pt.example", "vendor", ["V-PT"], by=os_user())
    for contract_id in ("C-TEL", "C-PT"):
        billing.finalize(path, dt.date(2026, 9, 1), contract_id, "sample data: planted bad rows", by=os_user())
    users.add(path, "ann", "admin", name="Ann Admin", password=PASSWORD, by=os_user())
    return path


@pytest.fixture(scope="module")
def server(db: Path, provider: str) -> Iterator[str]:
    """The dashboard with OpenID Connect configured as `st.login` reads it; the base URL on
    `localhost` (the redirect URI's host, so the identity cookie comes back)."""
    port = free_port()
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
def page(browser) -> Iterator:
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
        [entry] = audit.entries(con, action="finalize", actor="fay@example.com")
    finally:
        con.close()
    assert (entry["actor"], entry["role"], entry["subject"]) == ("fay@example.com", "finance", "C-TEL 2026-08")
    assert entry["details"]["accepted_data_issues"] == "vendor re-sends the bad rows"
    assert entry["origin"] == "dashboard from this machine"  # the browser ran on this machine
    assert entry["recorded_at"].date() == dt.datetime.now(dt.UTC).date()
    # the audit trail on the Admin page (finance reads it) shows who finalized what
    page.get_by_role("link", name="Admin").click()
    settle(page)
    page.get_by_text("Audit trail").first.wait_for(timeout=30_000)
    trail = shown(page, once_a_table_holds="C-TEL 2026-08")
    assert "invoice finalized" in trail and "fay@example.com" in trail and "C-TEL 2026-08" in trail


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


# ---- the vendor portal -----------------------------------------------------------------------


def markers_of_others(db: Path, vendor_id: str) -> list[str]:
    """What names a vendor other than `vendor_id`: vendor ids and names, contract ids and payees, agent ids."""
    con = store.connect_reader(db)
    try:
        rows = con.execute(
            """SELECT vendor_id, name FROM vendors WHERE vendor_id <> $v
               UNION ALL SELECT contract_id, coalesce(payee, contract_id) FROM contracts WHERE vendor_id <> $v
               UNION ALL SELECT agent_id, agent_id FROM agents WHERE vendor_id <> $v""",
            {"v": vendor_id},
        ).fetchall()
    finally:
        con.close()
    return sorted({m for pair in rows for m in pair})


def leaks(text: str, markers: list[str]) -> list[str]:
    return [m for m in markers if m in text]


def shown(page, once_a_table_holds: str | None = None) -> str:
    """The page's text and its tables' cells (a table draws on a canvas; its accessible copy holds them).

    A page is drawn before its tables' cells are: given a text, wait (up to 30 s) until a table holds it.
    """
    if once_a_table_holds is not None:
        page.wait_for_function(
            "t => [...document.querySelectorAll('[data-testid=stDataFrame]')].some(d => d.textContent.includes(t))",
            arg=once_a_table_holds,
            timeout=30_000,
        )
    tables = page.evaluate("() => [...document.querySelectorAll('[data-testid=stDataFrame]')].map(d => d.textContent)")
    return "\n".join([page.inner_text("body"), *tables])


def download(page, button, folder: Path, name: str) -> Path:
    """Click a download button; the file the browser saved."""
    with page.expect_download(timeout=300_000) as got:
        button.click()
    path = folder / name
    got.value.save_as(path)
    return path


def report_text(path: Path) -> str:
    """Everything in a report file: a PDF's text, every cell of a workbook, a CSV."""
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        return "\n".join([*book.sheetnames, *(str(c.value) for ws in book for row in ws.iter_rows() for c in row)])
    return path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("sub", list(VENDOR_USERS))
def test_a_vendor_user_sees_its_own_vendor_only(server, provider, db, page, sub, tmp_path):
    vendor, contract, other_vendor, other_contract = VENDOR_USERS[sub]
    markers = markers_of_others(db, vendor)
    assert other_vendor in markers and other_contract in markers and "V-HOME" in markers
    sign_in_with_provider(page, server, provider, sub)
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    assert f"{IDENTITIES[sub]['name']} · vendor" in page.inner_text('[data-testid="stSidebar"]')
    assert page.get_by_role("link", name="Admin").count() == 0
    tag = vendor.lower()
    for name, title in zip(PAGES, TITLES["en"]):
        # a link asking for the other vendor's contract
        path = "" if name == "overview" else name
        page.goto(f"{server}/{path}?month=2026-10&vendor={other_vendor}&contract={other_contract}")
        settle(page)
        no_exception(page)
        assert page.locator("h1").first.inner_text() == title
        text = shown(page)
        assert leaks(text, markers) == [], name
        assert f"vendor={vendor}" in page.url and f"contract={contract}" in page.url  # the pickers fell back
        if name in ("overview", "compliance"):
            assert contract in page.inner_text('[data-testid="stMain"]'), name
        if name == "overview":
            screenshot(page, f"portal-{tag}-overview")
        if name == "compliance":
            assert "Interactions behind a target" in text
            screenshot(page, f"portal-{tag}-compliance")
            button = page.get_by_role("button", name=re.compile(rf"evidence-{contract}-.*\.csv \("))
            evidence = download(page, button.first, tmp_path, "evidence.csv")
            rows = evidence.read_text(encoding="utf-8-sig").splitlines()
            assert len(rows) > 1 and leaks("\n".join(rows), markers) == []
        if name == "invoices":  # October is a draft: nothing to show a vendor, and no finalize button
            assert f"No issued invoice of {contract} for 2026-10 yet" in text
            assert page.get_by_role("button", name="Finalize invoice").count() == 0

    # September, finalized by finance: the invoice as issued, its CSVs
    page.goto(f"{server}/invoices?month=2026-09&vendor={other_vendor}&contract={other_contract}")
    settle(page)
    no_exception(page)
    text = page.inner_text('[data-testid="stMain"]')
    assert "🔒 finalized" in text and contract in text and leaks(shown(page), markers) == []
    assert page.get_by_role("button", name="Finalize invoice").count() == 0
    screenshot(page, f"portal-{tag}-invoices")
    lines = download(page, page.get_by_role("button", name=re.compile(r"invoice-lines-")).first, tmp_path, "lines.csv")
    body = lines.read_text(encoding="utf-8-sig")
    assert body.count("\n") > 1 and leaks(body, markers) == []  # its lines, nothing of another

    # the Reports page: the month's CSVs for systems and the built report
    page.goto(f"{server}/reports?month=2026-09&vendor={other_vendor}&contract={other_contract}")
    settle(page)
    no_exception(page)
    for label in ("^SLA verdicts", "^Invoice lines", "invoice-totals-", "^Payment status"):  # totals: under its table
        button = page.get_by_role("button", name=re.compile(label)).first
        got = download(page, button, tmp_path, f"{label.strip('^-')}.csv")
        body = got.read_text(encoding="utf-8-sig")
        assert leaks(body, markers) == [], label
    assert contract in body or body.strip() == ""  # payments: the issued September invoice
    page.get_by_role("button", name="Build the monthly report").click()
    page.get_by_role("button", name="Download the report (ZIP)").wait_for(timeout=300_000)
    archive = download(page, page.get_by_role("button", name="Download the report (ZIP)"), tmp_path, "report.zip")
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as z:
        z.extractall(tmp_path / "report")
    files = sorted((tmp_path / "report").rglob("*.*"))
    assert {f.suffix for f in files} == {".pdf", ".xlsx", ".csv"}
    for f in files:
        assert leaks(report_text(f), markers) == [], f.name
    assert contract in report_text(next(f for f in files if f.suffix == ".pdf"))


def test_a_vendor_sends_its_invoice_and_finance_reconciles_it(server, provider, db, browser, tmp_path):
    """V-TEL's user sends its October invoice on the portal; finance sees it on Reconciliation with
    who sent it and when, reconciles it there, and the audit trail names the sender."""
    vendor_page = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US").new_page()
    sign_in_with_provider(vendor_page, server, provider, "kc-vic")
    vendor_page.goto(f"{server}/reconciliation?month=2026-10")
    settle(vendor_page)
    assert "Send your invoice for 2026-10" in vendor_page.inner_text('[data-testid="stMain"]')
    vendor_page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(SAMPLE_DATA / "vendor_invoices" / "C-TEL_2026-10.csv")
    )
    vendor_page.get_by_role("button", name="Send to finance").click()
    vendor_page.get_by_text("Sent: C-TEL_2026-10.csv for 2026-10.").wait_for(timeout=60_000)
    settle(vendor_page)
    no_exception(vendor_page)
    button = vendor_page.get_by_role("button", name=re.compile(r"invoices-sent-2026-10\.csv"))
    listed = download(vendor_page, button, tmp_path, "sent.csv").read_text(encoding="utf-8-sig")
    assert "C-TEL_2026-10.csv" in listed and "vic@tel.example" in listed  # its list of what it sent
    screenshot(vendor_page, "portal-v-tel-reconciliation-sent")
    vendor_page.context.close()

    con = store.connect_reader(db)
    try:
        [sent] = audit.entries(con, action="invoice_submission")
    finally:
        con.close()
    assert (sent["actor"], sent["role"], sent["subject"]) == (
        "vic@tel.example",
        "vendor",
        "C-TEL_2026-10.csv of V-TEL for 2026-10",
    )
    kept = db.parent / sent["details"]["kept"]
    assert kept.read_bytes() == (SAMPLE_DATA / "vendor_invoices" / "C-TEL_2026-10.csv").read_bytes()

    finance = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US").new_page()
    sign_in_with_provider(finance, server, provider, "kc-fay")
    finance.goto(f"{server}/reconciliation?month=2026-10&vendor=V-TEL&contract=C-TEL")  # the contract it bills
    settle(finance)
    no_exception(finance)
    text = finance.inner_text('[data-testid="stMain"]')
    when = f"{sent['recorded_at']:%Y-%m-%d %H:%M}"
    assert "Invoices vendors sent for 2026-10" in text
    # the table of what vendors sent: file, vendor, who, when
    listed = shown(finance, once_a_table_holds="C-TEL_2026-10.csv")
    assert "C-TEL_2026-10.csv" in listed and "vic@tel.example" in listed and when in listed
    # reconciled at once (the newest sent is picked): the sample's October invoice of C-TEL matches
    # 7 lines: two phone tiers, chat, e-mail, on-site, the credits, the tax (the total apart)
    assert "7 / 7 ✓" in text and "The vendor's invoice matches ours on every line." in text
    screenshot(finance, "portal-finance-reconciliation")
    finance.get_by_role("link", name="Admin").click()
    settle(finance)
    finance.get_by_text("Audit trail").first.wait_for(timeout=30_000)
    trail = shown(finance, once_a_table_holds="C-TEL_2026-10.csv of V-TEL")
    assert "vendor invoice sent" in trail and "vic@tel.example" in trail and "C-TEL_2026-10.csv of V-TEL" in trail
    finance.context.close()
