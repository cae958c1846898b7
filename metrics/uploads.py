"""Files people upload (data to load, vendors' invoices to reconcile) kept beside the database.

Each upload gets a folder of its own under `<db>.files/<kind>/` (named by the UTC time to the
microsecond), so what was uploaded stays next to the data it changed and the audit entry that
names it, not in a shared temporary folder. A folder whose write fails is removed again: a file
is only kept with its audit entry.

A vendor user sends its own invoice through the portal (`submit_invoice`): checked as
reconciliation reads it, of its own contracts only, kept and listed (`submissions`) with the audit
entry that says who sent it and when, for finance to reconcile on the Reconciliation page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from metrics import audit, store
from metrics.access import EVERY_VENDOR, Permission, Principal, Scope, acting
from metrics.errors import VendorboardError
from metrics.periods import month_label
from metrics.reconcile import billed_lines, vendors_of

KINDS = ("data", "reconciliation")


def root(db: Path) -> Path:
    """The database's own folder for uploaded files: `<db>.files` beside it."""
    db = Path(db).resolve()
    return db.with_name(db.name + ".files")


@contextlib.contextmanager
def folder(db: Path, kind: str) -> Iterator[Path]:
    """A new, empty folder for one upload; removed when the block fails (nothing was recorded)."""
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = root(db) / kind / stamp
    path.mkdir(parents=True, exist_ok=False)
    try:
        yield path
    except BaseException:
        shutil.rmtree(path, ignore_errors=True)
        raise


def kept(db: Path, path: Path) -> dict:
    """{"kept": path relative to the database's folder} for an uploaded file, {} for any other."""
    path = Path(path).resolve()
    return {"kept": str(path.relative_to(root(db).parent))} if path.is_relative_to(root(db)) else {}


def described(db: Path, path: Path, name: str | None = None) -> dict:
    """What the trail says of one file: its name, where it is kept, its size and SHA-256."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return {"file": name or path.name} | kept(db, path) | {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def vendor_invoice(db: Path, month: dt.date, name: str, body: bytes, *, by: Principal | None = None) -> Path:
    """Keep a vendor's invoice uploaded for reconciliation of `month` and record who sent it; the
    kept file is what `metrics.reconcile.reconcile` then reads. A file reconciliation cannot read
    is refused with its one-line message, and neither kept nor recorded."""
    actor = acting(by).require(Permission.RECONCILE)
    with folder(db, "reconciliation") as kept:
        path = kept / Path(name).name
        path.write_bytes(body)
        billed_contracts(path, month)
        with store.writer(db) as con:
            audit.record(
                con,
                actor,
                "reconciliation_upload",
                f"{Path(name).name} for {month_label(month)}",
                {"month": month_label(month)} | described(db, path, name),
            )
    return path


def submit_invoice(db: Path, month: dt.date, name: str, body: bytes, *, by: Principal | None = None) -> int:
    """Keep the invoice a vendor user sends for `month` and record it (its audit entry's number is
    returned): refused unless its role may send invoices, the file reads as reconciliation reads
    it (a one-line message naming the file, row and column), and every contract it bills is one of
    one vendor the user may see."""
    actor = acting(by).require(Permission.SUBMIT_INVOICE)
    shown = Path(name).name
    with folder(db, "reconciliation") as where:
        path = where / shown
        path.write_bytes(body)
        contracts = billed_contracts(path, month)
        with store.writer(db) as con:
            vendors = sorted(set(vendors_of(con, Path(shown), contracts, actor.scope).values()))
            if len(vendors) > 1:
                raise VendorboardError(f"{shown}: bills contracts of {', '.join(vendors)}; send one file per vendor")
            details = {"vendor_id": vendors[0], "month": month_label(month), "contracts": contracts}
            seq = audit.record(
                con,
                actor,
                "invoice_submission",
                f"{shown} of {vendors[0]} for {month_label(month)}",
                details | described(db, path, shown),
            )
            con.execute(
                "INSERT INTO invoice_submissions VALUES (?, ?, ?, ?, ?, ?)",
                [seq, vendors[0], month, shown, kept_path(db, path), contracts],
            )
    return seq


def billed_contracts(path: Path, month: dt.date) -> list[str]:
    """The contracts an invoice file bills, read as reconciliation reads it; a bad file's message
    names the file as it was sent, not the folder it is kept in."""
    try:
        contracts = sorted(billed_lines(path, month))
    except VendorboardError as exc:
        raise VendorboardError(str(exc).replace(f"{path.parent}/", "")) from None
    if not contracts:
        raise VendorboardError(f"{path.name}: no invoice lines")
    return contracts


def kept_path(db: Path, path: Path) -> str:
    """Where an uploaded file is kept, relative to the database's folder (as the trail names it)."""
    return kept(db, path)["kept"]


def kept_file(db: Path, relative: str) -> Path:
    """The kept file a submission or an audit entry names."""
    return Path(db).resolve().parent / relative


def submissions(
    con: duckdb.DuckDBPyConnection, month: dt.date | None = None, *, scope: Scope = EVERY_VENDOR
) -> pl.DataFrame:
    """The invoices vendors sent (of `month`, or all), newest first: audit_seq, vendor_id, month,
    file, contracts, sent_by, sent_at (UTC), origin, kept — who and when from the audit entry."""
    return con.sql(
        f"""SELECT s.audit_seq, s.vendor_id, strftime(s.month, '%Y-%m') AS month, s.file_name AS file,
                   array_to_string(s.contract_ids, ', ') AS contracts, a.actor AS sent_by,
                   timezone('UTC', a.recorded_at) AS sent_at, a.origin, s.kept
            FROM invoice_submissions s JOIN audit_log a ON a.seq = s.audit_seq
            WHERE ($month IS NULL OR s.month = $month) AND {scope.vendor_filter("s.vendor_id")}
            ORDER BY s.audit_seq DESC""",
        params={"month": month},
    ).pl()
