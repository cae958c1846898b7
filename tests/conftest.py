"""Shared fixtures: real DuckDB files in tmp dirs, data directories written from CSV text."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from metrics import store
from metrics.ingest import IngestReport, sources_in_dir
from metrics.loading import ingest
from metrics.sample import ensure_loaded

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
    """The committed sample data set, loaded once per test session as the dashboard loads it into an
    empty database (read-only for tests)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    assert ensure_loaded(path)
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


# ---- the browser tests: a real Streamlit server and headless Debian Chromium ---------------------

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser_db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the sample database (the finalize test writes to it)."""
    path = tmp_path_factory.mktemp("browser") / "dashboard.duckdb"
    shutil.copyfile(sample_db, path)
    return path


@pytest.fixture(scope="module")
def server(browser_db: Path) -> Iterator[str]:
    with streamlit_server(browser_db) as base:
        yield base


@contextlib.contextmanager
def streamlit_server(db: Path, *options: str, port: int | None = None) -> Iterator[str]:
    """`streamlit run dashboard/app.py` on `db` with `options` (e.g. `--secrets.files F`) on a free
    port; the base URL once it answers its health check."""
    port = port or free_port()
    log = (db.parent / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *options,
        ],
        cwd=ROOT,
        env={**os.environ, "VENDORBOARD_DB": str(db)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(db.parent / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (make test installs it)")
    from playwright.sync_api import sync_playwright  # imported here: only the browser tests need it

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")
    yield context.new_page()
    context.close()
