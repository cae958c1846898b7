"""The sample data set's platform exports (sample_data/imports/: V-TEL's October written in each
profile's format from the stored native rows) load with one command each and give back the same
contacts, at each platform's precision, as the native files do."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.ingest import sources_in_dir
from metrics.ingest.tables import REFERENCE
from metrics.loading import ingest

OCTOBER = "vendor_id = 'V-TEL' AND strftime(timezone('Asia/Shanghai', {}), '%Y-%m') = '2026-10'"
SECONDS = "date_trunc('second', {0}) AS {0}"


@pytest.fixture(scope="module")
def reference_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("reference")
    for kind in REFERENCE:
        shutil.copytree(SAMPLE_DATA / kind, root / "data" / kind)
    db = root / "reference.duckdb"
    ingest(db, sources_in_dir(root / "data"))
    return db


def rows(db: Path, sql: str) -> set[tuple]:
    con = store.connect_reader(db)
    try:
        return set(con.execute(sql).fetchall())
    finally:
        con.close()


def imported(reference_db: Path, tmp_path: Path, profile: str) -> Path:
    """`vendorboard ingest --from PROFILE --vendor V-TEL <the sample export>`, as a user runs it."""
    db = tmp_path / f"{profile}.duckdb"
    shutil.copyfile(reference_db, db)
    [export] = sorted((SAMPLE_DATA / "imports" / profile).glob("*.gz"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "metrics.cli",
            "--db",
            str(db),
            "ingest",
            "--from",
            profile,
            "--vendor",
            "V-TEL",
            str(export),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return db


CALL_TIMES = ", ".join(SECONDS.format(c) for c in ("offered_at", "answered_at", "ended_at"))


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["asterisk-queue-log", "asterisk-cdr", "amazon-connect-ctr", "cisco-ucce-tcd"])
def test_each_call_export_gives_back_the_native_calls(sample_db, reference_db, tmp_path, profile):
    db = imported(reference_db, tmp_path, profile)
    native = rows(sample_db, f"SELECT call_id, {CALL_TIMES} FROM calls WHERE {OCTOBER.format('offered_at')}")
    assert len(native) > 8000
    assert rows(db, f"SELECT call_id, {CALL_TIMES} FROM calls") == native


@pytest.mark.slow
def test_connect_export_keeps_hold_wrap_and_agents(sample_db, reference_db, tmp_path):
    db = imported(reference_db, tmp_path, "amazon-connect-ctr")
    query = "SELECT call_id, agent_id, hold_seconds, wrap_seconds FROM calls WHERE answered_at IS NOT NULL"
    assert rows(db, query) == rows(sample_db, f"{query} AND {OCTOBER.format('offered_at')}")
    chats = "SELECT chat_id, date_trunc('millisecond', first_response_at) FROM chats"
    assert rows(db, chats) == rows(sample_db, f"{chats} WHERE {OCTOBER.format('started_at')} AND ended_at IS NOT NULL")


@pytest.mark.slow
def test_queue_log_export_gives_back_the_phone_sessions(sample_db, reference_db, tmp_path):
    db = imported(reference_db, tmp_path, "asterisk-queue-log")
    # sessions of one agent never overlap in the sample, so each ADDMEMBER...REMOVEMEMBER is one session
    native = rows(
        sample_db,
        "SELECT 'SIP/' || agent_id, date_trunc('second', login_at), date_trunc('second', logout_at) "
        "FROM agent_sessions "
        f"WHERE channel = 'phone' AND {OCTOBER.format('login_at')}",
    )
    assert rows(db, "SELECT agent_id, login_at, logout_at FROM agent_sessions") == native


@pytest.mark.slow
def test_zendesk_export_gives_back_the_emails_to_the_minute(sample_db, reference_db, tmp_path):
    db = imported(reference_db, tmp_path, "zendesk-ticket-metrics")
    minutes = "floor(epoch(first_reply_at - received_at) / 60)"  # Zendesk counts whole minutes
    native = rows(
        sample_db,
        f"SELECT email_id, date_trunc('second', received_at), {minutes}, replies FROM emails "
        f"WHERE {OCTOBER.format('received_at')}",
    )
    assert rows(db, f"SELECT email_id, received_at, {minutes}, replies FROM emails") == native
