"""Files people upload (data to load, vendors' invoices to reconcile) kept beside the database.

Each upload gets a folder of its own under `<db>.files/<kind>/` (named by the UTC time to the
microsecond), so what was uploaded stays next to the data it changed and the audit entry that
names it, not in a shared temporary folder. A folder whose write fails is removed again: a file
is only kept with its audit entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from metrics import audit, store
from metrics.access import Permission, Principal, acting
from metrics.periods import month_label

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
    kept file is what `metrics.reconcile.reconcile` then reads."""
    actor = acting(by).require(Permission.RECONCILE)
    with folder(db, "reconciliation") as kept:
        path = kept / Path(name).name
        path.write_bytes(body)
        with store.writer(db) as con:
            audit.record(
                con,
                actor,
                "reconciliation_upload",
                f"{Path(name).name} for {month_label(month)}",
                {"month": month_label(month)} | described(db, path, name),
            )
    return path
