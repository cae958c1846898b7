"""Mappings saved per vendor (the Data page's "save this mapping"), kept as the TOML `--mapping` reads,
and a dry run of a mapping on an export for the page's preview."""

from __future__ import annotations

import datetime as dt
import tempfile
import tomllib
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import tomli_w

from metrics import audit, store
from metrics.access import EVERY_VENDOR, Permission, Principal, Scope, acting
from metrics.errors import VendorboardError
from metrics.imports.derive import Import
from metrics.imports.mapping import Mapping, parse
from metrics.ingest.read import File, line_by_line_on_failure
from metrics.sql import sql_text


def save(db: Path, vendor_id: str, name: str, mapping: Mapping, *, by: Principal | None = None) -> None:
    """Store `mapping` under `name` for the vendor (replacing one of the same name), atomically and
    in the audit trail as `by`'s (a role that may not load data is refused)."""
    actor = acting(by).require(Permission.LOAD)
    name = name.strip()
    if not name:
        raise VendorboardError("give the mapping a name")
    text = tomli_w.dumps(mapping.document)
    with store.writer(db) as con:
        con.execute("DELETE FROM saved_mappings WHERE vendor_id = ? AND name = ?", [vendor_id, name])
        con.execute("INSERT INTO saved_mappings VALUES (?, ?, ?, ?)", [vendor_id, name, text, dt.datetime.now(dt.UTC)])
        audit.record(con, actor, "mapping_save", f"{vendor_id} {name}", {"vendor_id": vendor_id, "mapping": text})


def saved(con: duckdb.DuckDBPyConnection, vendor_id: str, *, scope: Scope = EVERY_VENDOR) -> dict[str, str]:
    """The vendor's saved mappings: name -> TOML, in name order."""
    rows = con.execute(
        f"SELECT name, mapping FROM saved_mappings WHERE vendor_id = ? AND {scope.vendor_filter()} ORDER BY name",
        [vendor_id],
    ).fetchall()
    return dict(rows)


def from_toml(text: str, name: str) -> Mapping:
    return parse(tomllib.loads(text), f"saved mapping {name}")


def preview(mapping: Mapping, vendor_id: str, zone: str, files: list[File], rows: int = 20) -> pl.DataFrame:
    """The first rows an import of `files` through `mapping` would hand to the ingest (instants in
    UTC as text, rejections with their reason), computed in a scratch database: nothing is stored."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE TABLE vendors AS SELECT ? AS vendor_id, ? AS timezone", [vendor_id, zone])
        with tempfile.TemporaryDirectory(prefix="vendorboard-preview-") as scratch:
            scans = line_by_line_on_failure(
                lambda by_line: Import(mapping, vendor_id, tuple(files)).derive(con, Path(scratch), by_line)
            )
            frames = [
                con.sql(
                    f"SELECT _line AS line, _reject AS rejected, * EXCLUDE (_file, _line, _blank, _raw, _reject, "
                    f"_reject_detail, vendor_id) FROM {scan.sql} LIMIT {rows}"
                ).pl()
                for scan in scans.values()
            ]
        return frames[0] if frames else pl.DataFrame()
    finally:
        con.close()


def sample(file: File, scratch: Path, rows: int = 10) -> pl.DataFrame:
    """The first rows of a CSV or Excel upload as text, every column, for picking columns."""
    from metrics.imports.source import EXCEL
    from metrics.ingest import encoding

    if file.path.name.lower().endswith(EXCEL):
        try:
            return pl.from_arrow(
                fastexcel.read_excel(str(file.path)).load_sheet(0, n_rows=rows, dtypes="string").to_arrow()
            )
        except Exception as exc:  # fastexcel raises its own error types for unreadable workbooks
            raise VendorboardError(f"{file.shown}: cannot read the workbook: {str(exc).splitlines()[0]}") from None
    [readable] = encoding.as_utf8([file], scratch)
    try:
        return duckdb.sql(
            f"SELECT * FROM read_csv({sql_text(str(readable.path))}, all_varchar = true) LIMIT {rows}"
        ).pl()
    except duckdb.Error as exc:
        raise VendorboardError(f"{file.shown}: cannot read the file: {str(exc).splitlines()[0]}") from None
