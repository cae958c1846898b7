"""The seeded sample-data generator: layout, determinism, manifest, bad rows and planted misses."""

import json
from pathlib import Path

import polars as pl
import pytest

import metrics.generate as gen
from metrics.generate import generate

SIZES = {"calls": 6000, "chats": 3000, "emails": 1000, "visits": 200}

COLUMNS = {  # SPEC section 2, in order
    "vendors": ["vendor_id", "name", "timezone"],
    "agents": ["vendor_id", "agent_id", "name", "team", "start_date"],
    "contracts": [
        "contract_id",
        "vendor_id",
        "start_date",
        "end_date",
        "currency",
        "tax_rate",
        "payment_due_day",
        "monthly_fee",
        "monthly_minimum",
        "credit_cap_rate",
        "short_abandon_seconds",
        "sl_abandons",
        "payee",
        "late_payment_rate",
    ],
    "rates": [
        "contract_id",
        "channel",
        "unit",
        "unit_price",
        "increment_seconds",
        "tier_from",
        "tier_to",
        "tier_mode",
        "tier_flat_fee",
        "effective_from",
        "effective_to",
    ],
    "sla_targets": [
        "contract_id",
        "channel",
        "metric",
        "target",
        "threshold_seconds",
        "clock",
        "credit_rate",
        "credit_base",
        "effective_from",
        "effective_to",
    ],
    "service_hours": ["contract_id", "channel", "days", "open", "close"],
    "holidays": ["vendor_id", "date", "kind", "name"],
    "adjustments": ["contract_id", "month", "description", "amount"],
    "calls": [
        "call_id",
        "vendor_id",
        "offered_at",
        "answered_at",
        "ended_at",
        "agent_id",
        "queue",
        "hold_seconds",
        "wrap_seconds",
        "csat",
    ],
    "chats": ["chat_id", "vendor_id", "started_at", "first_response_at", "ended_at", "agent_id", "csat"],
    "emails": ["email_id", "vendor_id", "received_at", "first_reply_at", "replies", "agent_id", "csat"],
    "visits": [
        "visit_id",
        "vendor_id",
        "arrived_at",
        "departed_at",
        "status",
        "questions_audited",
        "questions_correct",
        "site",
        "agent_id",
        "csat",
    ],
    "agent_sessions": ["session_id", "vendor_id", "agent_id", "channel", "login_at", "logout_at"],
}
REASONS = {
    "calls": {
        "missing_required",
        "bad_timestamp",
        "unknown_vendor",
        "csat_out_of_range",
        "bad_number",
        "answered_before_offered",
        "ended_before_answered",
        "ended_before_offered",
    },
    "chats": {
        "missing_required",
        "bad_timestamp",
        "unknown_vendor",
        "csat_out_of_range",
        "bad_number",
        "response_before_start",
        "ended_before_start",
    },
    "emails": {
        "missing_required",
        "bad_timestamp",
        "unknown_vendor",
        "csat_out_of_range",
        "bad_number",
        "reply_before_received",
        "negative_replies",
        "replies_without_reply_time",
    },
    "visits": {
        "missing_required",
        "bad_timestamp",
        "unknown_vendor",
        "csat_out_of_range",
        "bad_number",
        "correct_exceeds_audited",
        "departed_before_arrived",
        "unknown_status",
    },
    "agent_sessions": {
        "missing_required",
        "bad_timestamp",
        "unknown_vendor",
        "logout_not_after_login",
        "unknown_channel",
    },
}
VENDORS = ["V-TEL", "V-PT", "V-HOME", "V-AS"]
NAIVE = "%Y-%m-%d %H:%M:%S%.3f"


def read(root: Path, table: str) -> pl.DataFrame:
    return pl.read_csv(sorted((root / table).glob("*.csv")), infer_schema=False)


def local_time(column: str) -> pl.Expr:
    """Naive local text as is; offset text converted to Shanghai wall-clock time."""
    text = pl.col(column)
    instant = pl.coalesce(
        text.str.strptime(pl.Datetime("ms", "UTC"), "%Y-%m-%dT%H:%M:%S%.3fZ", strict=False),
        text.str.strptime(pl.Datetime("ms", "UTC"), "%Y-%m-%dT%H:%M:%S%.3f%:z", strict=False),
    )
    return pl.coalesce(
        text.str.strptime(pl.Datetime("ms"), NAIVE, strict=False),
        instant.dt.convert_time_zone("Asia/Shanghai").dt.replace_time_zone(None),
    ).alias(column)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen")
    return root, generate(root, **SIZES)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(sample, tmp_path):
    root, _ = sample
    generate(tmp_path / "again", **SIZES)
    generate(tmp_path / "other", seed=8, **SIZES)
    assert files(tmp_path / "again") == files(root)
    other = files(tmp_path / "other")
    assert other.keys() == files(root).keys()
    assert other["calls/part-0001.csv"] != files(root)["calls/part-0001.csv"]
    assert other["vendors/part-0001.csv"] == files(root)["vendors/part-0001.csv"]  # reference data is fixed


def test_layout_and_columns(sample):
    root, manifest = sample
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == sorted(COLUMNS)
    for table, columns in COLUMNS.items():
        assert read(root, table).columns == columns, table
    assert json.loads((root / "MANIFEST.json").read_text()) == manifest


def test_manifest_counts_the_rows_written(sample):
    root, manifest = sample
    assert manifest["seed"] == 7 and manifest["months"] == ["2026-08", "2026-09", "2026-10"]
    for table in COLUMNS:
        assert manifest["rows"][table] == read(root, table).height, table
    for table, n in SIZES.items():  # requested good rows plus the planted bad ones
        assert manifest["rows"][table] == n + sum(manifest["bad_rows"][table].values())
    assert manifest["rows"]["vendors"] == 4 and manifest["rows"]["sla_targets"] == 11


def test_volume_split_by_vendor(sample):
    root, manifest = sample
    by_vendor = dict(read(root, "chats").group_by("vendor_id").len().iter_rows())
    bad = manifest["bad_rows"]["chats"]
    assert by_vendor["V-PT"] == 900 and by_vendor["V-HOME"] == 600  # 30 % and 20 % of 3000
    # half of 3000, plus the bad rows, which are copies of V-TEL rows except those given an unknown vendor
    assert by_vendor["V-TEL"] == 1500 + sum(bad.values()) - bad["unknown_vendor"]


@pytest.mark.parametrize("table", sorted(REASONS))
def test_bad_rows_per_reason(sample, table):
    root, manifest = sample
    counts = manifest["bad_rows"][table]
    assert set(counts) == REASONS[table]
    assert all(2 <= n <= 3 for n in counts.values())
    rows = read(root, table)
    start = COLUMNS[table][2] if table != "agent_sessions" else "login_at"
    assert rows.filter(~pl.col("vendor_id").is_in(VENDORS)).height == counts["unknown_vendor"]
    assert rows.filter(pl.col(start).is_null()).height == counts["missing_required"]
    assert rows[COLUMNS[table][0]].n_unique() == rows.height  # ids stay unique
    if table != "agent_sessions":
        assert rows.filter(pl.col("csat").is_in(["0", "6", "7"])).height == counts["csat_out_of_range"]


def test_bad_call_orders(sample):
    root, manifest = sample
    calls = read(root, "calls").with_columns(local_time(c) for c in ("offered_at", "answered_at", "ended_at"))
    counts = manifest["bad_rows"]["calls"]
    assert calls.filter(pl.col("answered_at") < pl.col("offered_at")).height == counts["answered_before_offered"]
    assert calls.filter(pl.col("ended_at") < pl.col("answered_at")).height == counts["ended_before_answered"]
    abandoned_early = calls.filter(pl.col("answered_at").is_null() & (pl.col("ended_at") < pl.col("offered_at")))
    assert abandoned_early.height == counts["ended_before_offered"]
    assert (
        calls.filter(
            pl.col("hold_seconds").cast(pl.Int64, strict=False).is_null() & pl.col("hold_seconds").is_not_null()
        ).height
        == counts["bad_number"]
    )


def test_timestamps_naive_with_a_few_offsets(sample):
    root, _ = sample
    offered = read(root, "calls")["offered_at"].drop_nulls()
    naive = offered.str.contains(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$").sum()
    utc = offered.str.contains(r"T.*\.\d{3}Z$").sum()
    plus8 = offered.str.contains(r"T.*\.\d{3}\+08:00$").sum()
    assert naive > 0.97 * offered.len()
    assert utc == plus8 == 30  # one row in 200 each, over 6000 rows in one part


def test_reference_terms(sample):
    root, _ = sample
    contracts = read(root, "contracts")
    home = contracts.filter(pl.col("contract_id") == "C-HOME").row(0, named=True)
    assert home["start_date"] == "2026-08-10" and home["monthly_fee"] == "30000.00" and home["payee"] != ""
    assert contracts.filter(pl.col("contract_id") == "C-AS")["monthly_fee"].item() == "20000.00"
    assert read(root, "adjustments")["amount"].item() == "-12000.00"  # 5 % of 240000.00
    names = read(root, "vendors")["name"]
    assert all("\u4e00" <= name[0] <= "\u9fff" for name in names)
    home_chats = read(root, "chats").filter(pl.col("vendor_id") == "V-HOME").with_columns(local_time("started_at"))
    early = home_chats.filter(pl.col("started_at") < pl.datetime(2026, 8, 10)).height
    assert 0 < early < 20  # a few out of contract


def test_planted_misses_miss_and_other_months_meet(sample):
    root, manifest = sample
    assert {(m["contract_id"], m["month"], m["metric"]) for m in manifest["planted_misses"]} == {
        ("C-PT", "2026-08", "weekly_min_hours"),
        ("C-HOME", "2026-09", "response_rate"),
        ("C-TEL", "2026-10", "answer_rate"),
        ("C-TEL", "2026-10", "service_level"),
        ("C-TEL", "2026-10", "asa_seconds"),
    }
    calls = (
        read(root, "calls")
        .filter(pl.col("vendor_id") == "V-TEL")
        .with_columns(local_time(c) for c in ("offered_at", "answered_at", "ended_at"))
        .drop_nulls("offered_at")
        .with_columns(
            month=pl.col("offered_at").dt.strftime("%Y-%m"),
            wait=(pl.coalesce("answered_at", "ended_at") - pl.col("offered_at")).dt.total_seconds(),
        )
    )
    short = pl.col("answered_at").is_null() & (pl.col("wait") < 5)
    answer_rate = dict(
        calls.group_by("month").agg(pl.col("answered_at").is_not_null().sum() / (pl.len() - short.sum())).iter_rows()
    )
    assert answer_rate["2026-10"] < 0.95 <= min(answer_rate["2026-08"], answer_rate["2026-09"])

    chats = (
        read(root, "chats")
        .filter(pl.col("vendor_id") == "V-HOME")
        .with_columns(local_time("started_at"))
        .filter(pl.col("started_at") >= pl.datetime(2026, 8, 10))
    )
    response = dict(
        chats.group_by(pl.col("started_at").dt.strftime("%Y-%m"))
        .agg(pl.col("first_response_at").is_not_null().mean())
        .iter_rows()
    )
    assert response["2026-09"] < 0.90 <= min(response["2026-08"], response["2026-10"])

    sessions = (
        read(root, "agent_sessions")
        .filter(pl.col("vendor_id") == "V-PT")
        .with_columns(local_time("login_at"), local_time("logout_at"))
    )
    weeks = (
        sessions.group_by("agent_id", week=pl.col("login_at").dt.truncate("1w"))
        .agg(seconds=(pl.col("logout_at") - pl.col("login_at")).dt.total_seconds().sum())
        .group_by(month=(pl.col("week") + pl.duration(days=3)).dt.strftime("%Y-%m"))
        .agg(pl.len(), met=(pl.col("seconds") >= 72000).mean())
    )
    met = dict(zip(weeks["month"], weeks["met"]))
    assert met["2026-08"] < 0.90 <= min(met["2026-09"], met["2026-10"])
    assert dict(zip(weeks["month"], weeks["len"]))["2026-08"] == 20 * 4  # 20 agents, 4 weeks with an August Thursday


def test_chunks_and_progress(tmp_path, monkeypatch):
    monkeypatch.setattr(gen, "CHUNK_ROWS", 1000)
    seen = []
    manifest = generate(
        tmp_path,
        months=("2026-10",),
        calls=2500,
        chats=100,
        emails=0,
        visits=0,
        bad_rows=False,
        progress=lambda table, done: seen.append((table, done)),
    )
    assert sorted(p.name for p in (tmp_path / "calls").iterdir()) == ["part-0001.csv", "part-0002.csv", "part-0003.csv"]
    assert [d for t, d in seen if t == "calls"] == [1000, 2000, 2500]
    assert manifest["rows"]["emails"] == 0 and manifest["bad_rows"] == {}
    assert not list((tmp_path / "emails").iterdir())


def test_parquet_is_typed_without_bad_rows(tmp_path):
    manifest = generate(tmp_path, fmt="parquet", **SIZES)
    calls = pl.read_parquet(tmp_path / "calls" / "*.parquet")
    assert manifest["bad_rows"] == {} and calls.height == manifest["rows"]["calls"] == 6000
    assert calls.schema["offered_at"] == pl.Datetime("ms") and calls.columns == COLUMNS["calls"]


def test_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, months=("2026-13",))
    with pytest.raises(ValueError, match="calls"):
        generate(tmp_path, calls=-1)
    with pytest.raises(ValueError, match="fmt"):
        generate(tmp_path, fmt="xlsx")


def test_agents_name_the_agent_ids_the_logs_carry(sample):
    # Every tenth agent of a pool is left out of the agents table: names are optional.
    root, _ = sample
    agents = read(root, "agents")
    named, logged = set(agents["agent_id"]), set(read(root, "agent_sessions")["agent_id"].drop_nulls())
    assert named < logged and len(logged - named) < len(logged) / 5
    assert agents["name"].null_count() == 0 and agents["team"].str.ends_with("组").all()
