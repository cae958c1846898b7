"""Roles, users and the audit trail in the engine (metrics/access.py, users.py, audit.py, uploads.py;
docs/auth.md): what each role may do, the SQL a scope filters with, argon2 passwords, OpenID
Connect identities mapped to users, an audit entry for every write made in that write's own
transaction, uploads kept beside the database, and `serve` refusing a public address without
sign-in.

The data: conftest's V1/C1 and V2/C2 (fees 0), and in 2026-10 two calls of V1, one of which was
answered before it was offered and is rejected: 1 of 2 calls rejected (50 %) is a data-quality
error, so finalizing C1 needs a reason.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import write_data
from typer.testing import CliRunner

import metrics
import metrics.cli.access  # registers `users` and `audit`
from metrics import audit, payments, signin, store, uploads, users
from metrics.access import Forbidden, Permission, Principal, Role, Scope, is_loopback, os_user
from metrics.billing import finalize
from metrics.cli import app
from metrics.errors import VendorboardError
from metrics.imports import parse as parse_mapping
from metrics.imports import saved
from metrics.ingest import Source, sources_in_dir
from metrics.loading import ingest, retry

OCT = dt.date(2026, 10, 1)
CALLS = {
    "contracts": """
        contract_id,vendor_id,start_date,end_date,late_payment_rate
        C1,V1,2026-01-01,,0.001
        C2,V2,2026-01-01,,
    """,
    "calls": """
        call_id,vendor_id,offered_at,answered_at,ended_at
        1,V1,2026-10-05 10:00:00,2026-10-05 10:00:02,2026-10-05 10:03:00
        2,V1,2026-10-05 11:00:00,2026-10-05 10:59:00,2026-10-05 11:03:00
    """,
}
ADMIN = Principal("ann@example.com", Role.ADMIN, origin="dashboard from 10.0.0.7")
FINANCE = Principal("fay@example.com", Role.FINANCE, origin="dashboard from 10.0.0.8")
MANAGER = Principal("max@example.com", Role.MANAGER, origin="dashboard from 10.0.0.9")
VENDOR = Principal("vic@v1.example", Role.VENDOR, frozenset({"V1"}), origin="dashboard from 10.0.0.10")


def read(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = store.connect_reader(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def trail(db: Path) -> list[dict]:
    con = store.connect_reader(db)
    try:
        return audit.entries(con)
    finally:
        con.close()


# ---- roles and scopes --------------------------------------------------------------------------


def test_what_each_role_may_do():
    # The table of docs/auth.md, written out by hand.
    allowed = {
        Role.ADMIN: {"load", "reference", "manage_users", "audit"},
        Role.FINANCE: {"finalize", "reconcile", "adjust", "audit"},
        Role.MANAGER: set(),
        Role.VENDOR: {"submit_invoice"},
        Role.LOCAL: {"load", "reference", "finalize", "reconcile", "submit_invoice", "adjust", "manage_users", "audit"},
    }
    for role, expected in allowed.items():
        who = Principal("x", role)
        assert {str(p) for p in Permission if who.can(p)} == expected, role
    with pytest.raises(Forbidden, match=r"^max@example.com \(manager\) may not finalize invoices$"):
        MANAGER.require(Permission.FINALIZE)


def test_a_scope_filters_in_sql():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE vendors AS SELECT * FROM (VALUES ('V1'), ('V2'), ('O''Brien')) t(vendor_id);"
        "CREATE TABLE contracts AS SELECT * FROM (VALUES ('C1', 'V1'), ('C2', 'V2'), ('C3', 'O''Brien')) "
        "t(contract_id, vendor_id)"
    )

    def vendors(scope: Scope) -> list[str]:
        sql = f"SELECT vendor_id FROM vendors WHERE {scope.vendor_filter()} ORDER BY vendor_id"
        return [v for (v,) in con.execute(sql).fetchall()]

    def contracts(scope: Scope) -> list[str]:
        sql = f"SELECT contract_id FROM contracts WHERE {scope.contract_filter()} ORDER BY 1"
        return [c for (c,) in con.execute(sql).fetchall()]

    assert vendors(Scope()) == ["O'Brien", "V1", "V2"]
    assert vendors(Scope(frozenset({"V1", "O'Brien"}))) == ["O'Brien", "V1"]  # the quote is data, not SQL
    assert vendors(Scope(frozenset())) == []
    assert contracts(Scope(frozenset({"V2"}))) == ["C2"]
    assert contracts(Scope()) == ["C1", "C2", "C3"]
    assert VENDOR.scope == Scope(frozenset({"V1"}), drafts=False) and FINANCE.scope.everything
    assert MANAGER.scope == FINANCE.scope == Scope() and Scope().drafts  # every vendor, drafts too
    assert VENDOR.scope.allows("V1") and not VENDOR.scope.allows("V2")
    assert hash(VENDOR.scope) == hash(Scope(frozenset({"V1"}), drafts=False))  # a cache key


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        *[("localhost", True), ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("[::1]", True)],
        *[("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("dashboard.example.com", False)],
    ],
)
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


# ---- users -------------------------------------------------------------------------------------


def test_local_password_verified_with_argon2(load, db):
    load({})
    users.add(db, "Fay@Example.com", "finance", name="Fay", password="correct horse battery", by=ADMIN)
    [(stored,)] = read(db, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    con = store.connect_reader(db)
    try:
        user = users.verify(con, "  FAY@example.com ", "correct horse battery")  # logins ignore case and spaces
        assert (user.login, user.role, user.name, user.has_password) == ("fay@example.com", Role.FINANCE, "Fay", True)
        assert users.verify(con, "fay@example.com", "correct horse batterY") is None
        assert users.verify(con, "nobody", "correct horse battery") is None
        assert users.has_passwords(con)
    finally:
        con.close()
    with pytest.raises(VendorboardError, match="at least 10 characters"):
        users.add(db, "short", "manager", password="123456789", by=ADMIN)
    users.set_password(db, "fay@example.com", None, by=ADMIN)  # now OIDC only
    con = store.connect_reader(db)
    try:
        assert users.verify(con, "fay@example.com", "correct horse battery") is None
        assert not users.has_passwords(con)
    finally:
        con.close()


def test_an_oidc_identity_is_a_user_by_subject_or_verified_email(load, db):
    load({})
    users.add(db, "fay@example.com", "finance", by=ADMIN)
    users.add(db, "7f3c-subject", "vendor", ["V2"], by=ADMIN)
    con = store.connect_reader(db)
    try:
        by_email = users.from_identity(con, {"sub": "kc-123", "email": "Fay@Example.com", "email_verified": True})
        by_sub = users.from_identity(con, {"sub": "7F3C-subject", "email": "someone@v2.example"})
        unverified = users.from_identity(con, {"sub": "kc-999", "email": "fay@example.com", "email_verified": False})
        stranger = users.from_identity(con, {"sub": "kc-000", "email": "eve@example.com"})
    finally:
        con.close()
    assert by_email.login == "fay@example.com" and by_email.role is Role.FINANCE
    assert by_sub.principal("x").scope == Scope(frozenset({"V2"}), drafts=False)
    assert unverified is None and stranger is None  # signing in at the provider gives no access by itself


def test_roles_and_vendors_are_checked(load, db):
    load({})
    with pytest.raises(VendorboardError, match="a vendor user needs the vendor id"):
        users.add(db, "vic", "vendor", by=ADMIN)
    with pytest.raises(VendorboardError, match="unknown vendor 'V9'"):
        users.add(db, "vic", "vendor", ["V1", "V9"], by=ADMIN)
    with pytest.raises(VendorboardError, match="only a vendor user is bound to vendors"):
        users.add(db, "max", "manager", ["V1"], by=ADMIN)
    with pytest.raises(VendorboardError, match="unknown role 'owner'"):
        users.add(db, "max", "owner", by=ADMIN)
    with pytest.raises(VendorboardError, match="unknown role 'local'"):
        users.add(db, "max", "local", by=ADMIN)  # the machine's own role is no user's
    users.add(db, "vic", "vendor", ["V2", "V1"], by=ADMIN)
    with pytest.raises(VendorboardError, match="user 'vic' exists already"):
        users.add(db, "VIC", "manager", by=ADMIN)
    moved = users.set_role(db, "vic", "manager", by=ADMIN)
    assert (moved.role, moved.vendor_ids) == (Role.MANAGER, ())
    with pytest.raises(VendorboardError, match="you cannot remove yourself"):
        users.remove(db, "ANN@example.com", by=ADMIN)
    users.remove(db, "vic", by=ADMIN)
    with pytest.raises(VendorboardError, match="no user 'vic'"):
        users.set_role(db, "vic", "finance", by=ADMIN)
    assert read(db, "SELECT count(*) FROM users") == [(0,)]


@pytest.mark.parametrize("who", [FINANCE, MANAGER, VENDOR])
def test_only_who_manages_users_changes_them(load, db, who):
    load({})
    before = read(db, "SELECT count(*) FROM audit_log")
    with pytest.raises(Forbidden, match=r"may not manage users and roles"):
        users.add(db, "new", "manager", by=who)
    assert read(db, "SELECT count(*) FROM users") == [(0,)]
    assert read(db, "SELECT count(*) FROM audit_log") == before


# ---- every write refused for a role that may not make it --------------------------------------


def test_writes_refuse_roles_that_may_not(load, db, tmp_path):
    load(CALLS)
    calls = write_data(tmp_path / "more", {"calls": CALLS["calls"]})
    money = write_data(tmp_path / "money", {"payments": "contract_id,month,paid_on,amount,reference\n"})
    before = read(db, "SELECT count(*) FROM audit_log")
    refusals = [
        (lambda: finalize(db, OCT, "C2", by=MANAGER), "may not finalize invoices"),
        (lambda: finalize(db, OCT, "C2", by=ADMIN), "may not finalize invoices"),
        (lambda: ingest(db, sources_in_dir(calls), by=FINANCE), "may not load interaction data"),
        (lambda: ingest(db, sources_in_dir(calls), by=MANAGER), "may not load interaction data"),
        (lambda: ingest(db, sources_in_dir(money), by=ADMIN), "may not record adjustments, payments"),
        (
            lambda: ingest(db, [Source("vendors", calls / "calls" / "data.csv")], by=FINANCE),
            "may not change reference data",
        ),
        (
            lambda: payments.record(
                db, by=MANAGER, contract_id="C2", month="2026-10", paid_on="2026-11-01", amount="1", reference="R"
            ),
            "may not record adjustments, payments",
        ),
        (lambda: payments.carry_damages(db, "C1", OCT, OCT, OCT, by=VENDOR), "may not record adjustments"),
        (lambda: uploads.vendor_invoice(db, OCT, "inv.csv", b"x", by=MANAGER), "may not upload vendor invoices"),
        (lambda: saved.save(db, "V1", "m", None, by=FINANCE), "may not load interaction data or import mappings"),
    ]
    for write, message in refusals:
        with pytest.raises(Forbidden, match=message):
            write()
    assert read(db, "SELECT count(*) FROM audit_log") == before
    assert read(db, "SELECT count(*) FROM invoices") == [(0,)]
    assert not (uploads.root(db) / "reconciliation").exists()  # the refused upload kept nothing


# ---- the audit trail ---------------------------------------------------------------------------


def test_every_write_leaves_one_entry_with_who_what_and_where(load, db, tmp_path):
    load(CALLS)  # the OS user (conftest calls ingest without a principal)
    [first] = trail(db)
    assert (first["actor"], first["role"], first["action"]) == (os_user().login, "local", "ingest")
    assert first["origin"].endswith(f" on {os.uname().nodename}")
    # conftest wrote contracts, vendors and calls: 3 files; V1's 2 calls: 1 loaded, 1 rejected
    assert first["subject"] == "3 files" and len(first["details"]["files"]) == 3
    assert first["details"]["counts"]["calls"] == {"loaded": 1, "updated": 0, "unchanged": 0, "rejected": 1}

    # finalize with the data-quality error accepted, by finance
    finalize(db, OCT, "C1", accept_data_issues="vendor re-sends the bad call", by=FINANCE)
    # a payment against C2 by finance
    payments.record(
        db, by=FINANCE, contract_id="C2", month="2026-10", paid_on="2026-11-03", amount="10.00", reference="TX-9"
    )
    # the vendor's invoice uploaded for reconciliation; its name starts like a formula
    body = b"contract_id,month,channel,unit,quantity,amount\nC1,2026-10,total,,,0.00\n"
    kept = uploads.vendor_invoice(db, OCT, "=C1 invoice.csv", body, by=FINANCE)
    # an import mapping saved, and a user added, by the admin
    mapping = parse_mapping(
        {"table": "calls", "fields": {"call_id": "id", "offered_at": "start", "ended_at": "end"}}, "pbx.toml"
    )
    saved.save(db, "V1", "pbx", mapping, by=ADMIN)
    users.add(db, "max@example.com", "manager", by=ADMIN)
    users.set_role(db, "max@example.com", "vendor", ["V1"], by=ADMIN)
    users.set_password(db, "max@example.com", "a long enough secret", by=ADMIN)
    users.remove(db, "max@example.com", by=ADMIN)

    entries = trail(db)  # newest first
    assert [e["seq"] for e in entries] == list(range(9, 0, -1))
    assert [(e["action"], e["actor"], e["role"]) for e in reversed(entries[:-1])] == [
        ("finalize", "fay@example.com", "finance"),
        ("payment", "fay@example.com", "finance"),
        ("reconciliation_upload", "fay@example.com", "finance"),
        ("mapping_save", "ann@example.com", "admin"),
        ("user_add", "ann@example.com", "admin"),
        ("user_role", "ann@example.com", "admin"),
        ("user_password", "ann@example.com", "admin"),
        ("user_remove", "ann@example.com", "admin"),
    ]
    by_action = {e["action"]: e for e in entries}
    done = by_action["finalize"]
    assert done["subject"] == "C1 2026-10" and done["origin"] == "dashboard from 10.0.0.8"
    assert done["details"]["accepted_data_issues"] == "vendor re-sends the bad call"
    assert done["details"]["total"] == "0.00" and len(done["details"]["errors"]) == 1
    assert "calls rejected: 1" in done["details"]["errors"][0]
    paid = by_action["payment"]
    assert paid["subject"] == "C2 2026-10 TX-9"
    assert paid["details"]["amount"] == "10.00" and paid["details"]["counts"]["payments"]["loaded"] == 1
    upload = by_action["reconciliation_upload"]
    assert upload["subject"] == "=C1 invoice.csv for 2026-10"
    # kept beside the database, not in a temporary folder, with the digest of what was sent
    assert kept.read_bytes() == body and kept.is_relative_to(db.parent / f"{db.name}.files" / "reconciliation")
    assert upload["details"]["kept"] == str(kept.relative_to(db.parent))
    assert upload["details"]["sha256"] == hashlib.sha256(body).hexdigest() and upload["details"]["bytes"] == len(body)
    assert by_action["user_role"]["details"] == {
        "from": "manager",
        "to": "vendor",
        "vendor_ids_from": [],
        "vendor_ids": ["V1"],
    }
    assert by_action["user_password"]["details"] == {"password": True}  # that it changed, never the password
    assert "a long enough secret" not in json.dumps(entries, default=str)

    # exported: JSON in full, CSV inert (the upload's name does not become a formula)
    as_json = CliRunner().invoke(app, ["--db", str(db), "audit", "--format", "json", "--action", "finalize"])
    assert as_json.exit_code == 0 and [e["subject"] for e in json.loads(as_json.stdout)] == ["C1 2026-10"]
    as_csv = CliRunner().invoke(app, ["--db", str(db), "audit", "--format", "csv", "--actor", "FAY@example.com"])
    lines = as_csv.stdout.splitlines()
    assert lines[0] == "seq,recorded_at,actor,role,origin,action,subject,details" and len(lines) == 4
    assert ",'=C1 invoice.csv for 2026-10," in lines[1]
    table = CliRunner().invoke(app, ["--db", str(db), "audit"]).stdout
    assert "C1 2026-10" in table and "mapping_save" in table and "user_remove" in table


def test_a_quarantine_retry_is_the_loaders_and_recorded(load, db):
    """`quarantine retry` (metrics/loading.retry) loads rows: only a role that may load interaction
    data runs it, and it leaves one entry with its run's counts."""
    # V3's call arrives before V3 does: rejected as an unknown vendor; then V3 and its contract come
    load({"calls": CALLS["calls"] + "3,V3,2026-10-06 09:00:00,2026-10-06 09:00:05,2026-10-06 09:02:00\n"})
    load(
        {
            "vendors": "vendor_id,name,timezone\nV3,Third,UTC\n",
            "contracts": "contract_id,vendor_id,start_date\nC3,V3,2026-01-01\n",
        },
        reference=False,
    )
    before = trail(db)
    for who in (FINANCE, MANAGER, VENDOR):
        with pytest.raises(Forbidden, match="may not load interaction data"):
            retry(db, by=who)
    assert trail(db) == before and read(db, "SELECT count(*) FROM calls") == [(1,)]
    report = retry(db, by=ADMIN)
    # the waiting rows: V3's call (now loads) and V1's call answered before offered (still rejected)
    assert (report.tables["calls"].loaded, report.rejected) == (1, 1)
    entry = trail(db)[0]
    assert (entry["action"], entry["actor"], entry["subject"]) == (
        "quarantine_retry",
        ADMIN.login,
        "2 quarantined rows",
    )
    assert entry["details"]["counts"]["calls"] == {"loaded": 1, "updated": 0, "unchanged": 0, "rejected": 1}


def test_every_write_records_its_entry():
    """Every function of the engine that opens a write (store.writer) appends its audit entry in
    it, so a new write cannot forget the trail (read from the source: the writes are few)."""
    root = Path(metrics.__file__).parent
    writers = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                calls = {ast.unparse(c.func) for c in ast.walk(node) if isinstance(c, ast.Call)}
                if "store.writer" in calls:
                    writers[f"{path.relative_to(root)}:{node.name}"] = "audit.record" in calls
    assert len(writers) >= 9 and "ingest/__init__.py:_run" in writers  # users 4, uploads 2, finalize, ...
    assert [name for name, records in writers.items() if not records] == []


def test_a_failed_write_leaves_no_entry(load, db, tmp_path):
    load(CALLS)
    before = trail(db)
    with pytest.raises(VendorboardError, match="refusing to finalize C1 2026-10"):
        finalize(db, OCT, "C1", by=FINANCE)  # the data error, no reason
    bad = write_data(tmp_path / "bad", {"rates": "contract_id,channel,unit,unit_price\nC1,phone,parsec,1\n"})
    with pytest.raises(VendorboardError, match="parsec"):
        ingest(db, sources_in_dir(bad), by=ADMIN)  # a bad reference row stops the whole run
    with pytest.raises(VendorboardError, match="no user 'ghost'"):
        users.set_role(db, "ghost", "manager", by=ADMIN)
    with pytest.raises(VendorboardError, match=r"^notes\.csv: missing column 'contract_id'"):
        uploads.vendor_invoice(db, OCT, "notes.csv", b"hello,world\n1,2\n", by=FINANCE)  # not an invoice
    assert trail(db) == before
    assert not list((uploads.root(db) / "reconciliation").iterdir())  # and not kept


def test_the_entry_is_in_the_same_transaction_as_the_change(load, db):
    # An entry that cannot be written (no actor) takes the finalize down with it: nothing is stored.
    load(CALLS)
    nobody = Principal(None, Role.FINANCE)  # type: ignore[arg-type]
    with pytest.raises(duckdb.ConstraintException):
        finalize(db, OCT, "C2", by=nobody)
    assert read(db, "SELECT count(*) FROM invoices") == [(0,)]
    assert len(trail(db)) == 1  # the load's


def test_an_upload_whose_load_fails_is_not_kept(load, db, tmp_path):
    load({})
    with pytest.raises(VendorboardError), uploads.folder(db, "data") as folder:
        (folder / "calls.csv").write_text("call_id,vendor_id\n1,V1\n")  # no offered_at: the run fails
        ingest(db, [Source("calls", folder / "calls.csv", "calls.csv")], by=ADMIN)
    assert list((uploads.root(db) / "data").iterdir()) == []
    with uploads.folder(db, "data") as folder:
        (folder / "calls.csv").write_text(
            "call_id,vendor_id,offered_at,ended_at\n1,V1,2026-10-05 10:00:00,2026-10-05 10:01:00\n"
        )
        ingest(db, [Source("calls", folder / "calls.csv", "calls.csv")], by=ADMIN)
    [entry] = [e for e in trail(db) if e["actor"] == ADMIN.login]
    [file] = entry["details"]["files"]
    assert file == {"table": "calls", "file": "calls.csv", "kept": str((folder / "calls.csv").relative_to(db.parent))}


def test_a_vendor_sends_its_own_invoice_only(load, db):
    """The portal's write (uploads.submit_invoice): only the role that may, only its own contracts
    and one vendor per file, a bad file named by its own name, row and column; a sent file is kept
    beside the database with the audit entry that lists it for finance."""
    load(CALLS)
    head = "contract_id,month,channel,unit,quantity,amount\n"
    mine, theirs = head + "C1,2026-10,total,,,954.00\n", head + "C2,2026-10,total,,,1.00\n"
    refusals = [
        (FINANCE, "mine.csv", mine, Forbidden, "may not send its own invoices"),
        (MANAGER, "mine.csv", mine, Forbidden, "may not send its own invoices"),
        (VENDOR, "theirs.csv", theirs, VendorboardError, "^theirs.csv: contract_id 'C2': not one of your contracts$"),
        (VENDOR, "nope.csv", head + "C9,2026-10,total,,,1.00\n", VendorboardError, "'C9': not one of your"),
        (VENDOR, "bad.csv", head + "C1,2026-09,total,,,1.00\n", VendorboardError, r"^bad.csv, row 2, column month: "),
        (VENDOR, "empty.csv", head, VendorboardError, "^empty.csv: no invoice lines$"),
    ]
    for who, name, body, error, message in refusals:
        with pytest.raises(error, match=message):
            uploads.submit_invoice(db, OCT, name, body.encode(), by=who)
    both = os_user()  # the machine's user sees every vendor, but a file is one vendor's
    with pytest.raises(VendorboardError, match="bills contracts of V1, V2; send one file per vendor"):
        uploads.submit_invoice(db, OCT, "both.csv", (mine + theirs.removeprefix(head)).encode(), by=both)
    assert not list((uploads.root(db) / "reconciliation").iterdir())  # nothing refused is kept
    assert read(db, "SELECT count(*) FROM invoice_submissions") == [(0,)]

    seq = uploads.submit_invoice(db, OCT, "mine.csv", mine.encode(), by=VENDOR)
    [entry] = [e for e in trail(db) if e["action"] == "invoice_submission"]
    assert (entry["seq"], entry["actor"], entry["role"], entry["subject"]) == (
        seq,
        "vic@v1.example",
        "vendor",
        "mine.csv of V1 for 2026-10",
    )
    con = store.connect_reader(db)
    try:
        [sent] = uploads.submissions(con, OCT).to_dicts()
        assert uploads.submissions(con, OCT, scope=Scope(frozenset({"V2"}), drafts=False)).is_empty()
    finally:
        con.close()
    assert (sent["vendor_id"], sent["file"], sent["contracts"], sent["sent_by"]) == (
        "V1",
        "mine.csv",
        "C1",
        VENDOR.login,
    )
    assert sent["sent_at"] == entry["recorded_at"].replace(tzinfo=None) and sent["kept"] == entry["details"]["kept"]
    assert uploads.kept_file(db, sent["kept"]).read_text() == mine


# ---- sign-in configuration and `serve` ---------------------------------------------------------


def secrets(tmp_path: Path, text: str) -> list[Path]:
    """A secrets file of its own holding `text`."""
    path = tmp_path / f"secrets-{hashlib.sha256(text.encode()).hexdigest()[:8]}.toml"
    path.write_text(text)
    return [path]


OIDC = """
[auth]
redirect_uri = "https://vendorboard.example.com/oauth2callback"
cookie_secret = "0123456789abcdef0123456789abcdef"
client_id = "vendorboard"
client_secret = "s3cret"
server_metadata_url = "https://sso.example.com/realms/acme/.well-known/openid-configuration"
"""


def test_sign_in_methods_from_secrets_and_users(load, db, tmp_path):
    load({})
    none = secrets(tmp_path, "")
    assert signin.methods(db, none) == []
    assert signin.methods(db, secrets(tmp_path, OIDC)) == ["oidc:default"]
    named = OIDC.replace("client_id", "[auth.keycloak]\nclient_id", 1)
    assert signin.methods(db, secrets(tmp_path, named)) == ["oidc:keycloak"]
    with pytest.raises(VendorboardError, match=r"\[auth\]: missing cookie_secret"):
        signin.methods(db, secrets(tmp_path, OIDC.replace("cookie_secret", "# cookie_secret")))
    with pytest.raises(VendorboardError, match=r"\[auth\]: missing client_secret"):
        signin.methods(db, secrets(tmp_path, OIDC.replace("client_secret", "# client_secret")))
    users.add(db, "ann", "admin", password="a long enough secret", by=os_user())
    assert signin.methods(db, none) == ["password"]
    assert signin.check_address("0.0.0.0", db, none) == ["password"]
    with pytest.raises(VendorboardError, match="refusing to serve beyond this machine without sign-in"):
        signin.check_address("0.0.0.0", tmp_path / "other.duckdb", none)
    assert signin.check_address("localhost", tmp_path / "other.duckdb", none) == []


@pytest.mark.slow
def test_serve_on_a_public_address_without_sign_in_is_refused(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    run = subprocess.run(  # noqa: PLW1510  (the exit code is asserted)
        [sys.executable, "-m", "metrics.cli", "--db", str(tmp_path / "x.duckdb"), "serve", "--address", "0.0.0.0"],
        cwd=tmp_path,  # no .streamlit/secrets.toml here, none in HOME
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith("error: --address 0.0.0.0: refusing to serve beyond this machine without sign-in;")
    assert "docs/auth.md" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.duckdb").exists()  # refused before loading anything
