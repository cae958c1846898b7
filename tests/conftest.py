"""Shared fixtures: real DuckDB files in tmp dirs, data directories written from CSV text."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.ingest import IngestReport, sources_in_dir
from metrics.loading import ingest

# The smallest valid reference data: one vendor per zone of interest, one open contract each.
BASE_REFERENCE = {
    "vendors": """
        vendor_id,name,timezone
        V1,华信通信客服有限公司,Asia/Shanghai
        V2,Gotham Contact LLC,America/New_York
    """,
    "contracts": """
        contract_id,vendor_id,start_date,end_date
        C1,V1,2026-01-01,
        C2,V2,2026-01-01,
    """,
}


def write_data(root: Path, tables: dict[str, str]) -> Path:
    """Write `{kind: csv text}` (dedented) as `root/kind/data.csv`; returns root."""
    for kind, text in tables.items():
        (root / kind).mkdir(parents=True, exist_ok=True)
        (root / kind / "data.csv").write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
    return root


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "vendorboard.duckdb"


@pytest.fixture
def load(tmp_path: Path, db: Path) -> Callable[..., IngestReport]:
    """load({kind: csv}) ingests the tables into `db` (each call is one ingest run)."""
    runs = iter(range(1, 1000))

    def _load(tables: dict[str, str], reference: bool = True) -> IngestReport:
        root = write_data(tmp_path / f"data{next(runs)}", ({**BASE_REFERENCE, **tables} if reference else tables))
        return ingest(db, sources_in_dir(root))

    return _load


@pytest.fixture
def query(db: Path) -> Callable[..., list[tuple]]:
    def _query(sql: str, params: list | None = None) -> list[tuple]:
        con = store.connect_reader(db)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return _query


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed sample data set, ingested once per test session (read-only for tests)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    ingest(path, sources_in_dir(SAMPLE_DATA))
    return path


def table_fingerprints(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every data table (not the run log and the audit trail)."""
    con = store.connect_reader(path)
    try:
        names = [
            n
            for (n,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                "AND table_name NOT IN ('ingest_runs', 'audit_log') ORDER BY table_name"
            ).fetchall()
        ]
        return {
            n: con.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)), '') FROM {n} t"
            ).fetchone()
            for n in names
        }
    finally:
        con.close()
