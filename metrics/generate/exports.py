"""The sample data set's platform exports: one vendor month written in each shipped import profile's
own format (SPEC §8), from the rows the ingest stored for the generated data set, so the demo and
the tests can load them with `vendorboard ingest --from PROFILE --vendor V-TEL`. They are the same
contacts as the native files (ids kept), at each platform's precision: queue_log, CDR and UCCE times
are whole seconds, Zendesk reply times whole minutes; the phone sessions become the queue_log's
ADDMEMBER/REMOVEMEMBER pairs. Written gzip-compressed (a fixed header: the same data gives the same
bytes) into `imports/<profile>/`, which the native ingest of the data directory does not read.
"""

from __future__ import annotations

import gzip
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from metrics import store
from metrics.ingest import sources_in_dir
from metrics.ingest.tables import TABLES
from metrics.loading import ingest

from .contracts import TIMEZONE

FOLDER = "imports"
VENDOR = "V-TEL"
MONTH = "2026-10"
UTC_ISO = "%Y-%m-%dT%H:%M:%S%.3fZ"


def _read(con: duckdb.DuckDBPyConnection, table: str, times: tuple[str, ...]) -> pl.DataFrame:
    """The vendor's stored rows of the month (as the ingest kept them: planted bad rows are not
    among them), times as instants in the vendor's zone."""
    start = times[0]
    frame = con.sql(
        f"SELECT * FROM {table} WHERE vendor_id = $1 AND strftime(timezone($2, {start}), '%Y-%m') = $3 "
        f"ORDER BY {start}, {TABLES[table].key[-1]}",
        params=[VENDOR, TIMEZONE, MONTH],
    ).pl()
    return frame.with_columns(pl.col(t).dt.convert_time_zone(TIMEZONE) for t in times)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(text.encode("utf-8"))


def _epoch(col: str) -> pl.Expr:
    return pl.col(col).dt.epoch("s").cast(pl.String)


def _local(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y-%m-%d %H:%M:%S")


def queue_log(calls: pl.DataFrame, sessions: pl.DataFrame) -> str:
    """ENTERQUEUE, then CONNECT and COMPLETECALLER or ABANDON, per call; ADDMEMBER/REMOVEMEMBER per
    phone session; in time order, as Asterisk writes them."""
    answered = pl.col("answered_at").is_not_null()
    wait = (pl.col("answered_at") - pl.col("offered_at")).dt.total_seconds().cast(pl.String)
    talk = (pl.col("ended_at") - pl.col("answered_at")).dt.total_seconds().cast(pl.String)
    waited = (pl.col("ended_at") - pl.col("offered_at")).dt.total_seconds().cast(pl.String)

    def line(at: str, agent: pl.Expr, event: str, data: pl.Expr) -> pl.Expr:
        text = [_epoch(at), pl.col("call_id"), pl.col("queue"), agent, pl.lit(event), data]
        return pl.concat_str(text, separator="|").alias("text")

    agent = pl.lit("SIP/") + pl.col("agent_id")
    events = pl.concat(
        [
            calls.select(
                pl.col("offered_at").alias("at"), line("offered_at", pl.lit("NONE"), "ENTERQUEUE", pl.lit("|1"))
            ),
            calls.filter(answered).select(
                pl.col("answered_at").alias("at"),
                line("answered_at", agent, "CONNECT", wait + "|" + pl.col("call_id") + "|1"),
            ),
            calls.filter(answered).select(
                pl.col("ended_at").alias("at"), line("ended_at", agent, "COMPLETECALLER", wait + "|" + talk + "|1")
            ),
            calls.filter(~answered).select(
                pl.col("ended_at").alias("at"), line("ended_at", pl.lit("NONE"), "ABANDON", "1|1|" + waited)
            ),
        ]
    )
    member = pl.lit("SIP/") + pl.col("agent_id")
    marks = pl.concat(
        [
            sessions.select(
                pl.col("login_at").alias("at"),
                pl.concat_str(
                    [_epoch("login_at"), pl.lit("NONE|support"), member, pl.lit("ADDMEMBER|")], separator="|"
                ).alias("text"),
            ),
            sessions.select(
                pl.col("logout_at").alias("at"),
                pl.concat_str(
                    [_epoch("logout_at"), pl.lit("NONE|support"), member, pl.lit("REMOVEMEMBER|")], separator="|"
                ).alias("text"),
            ),
        ]
    )
    return "\n".join(pl.concat([events, marks]).sort("at", maintain_order=True)["text"]) + "\n"


def master_csv(calls: pl.DataFrame) -> str:
    """cdr-csv's Master.csv: no header, quoted strings, uniqueid and userfield logged."""
    answered = pl.col("answered_at").is_not_null()
    q = lambda e: pl.lit('"') + e + pl.lit('"')  # noqa: E731
    rows = calls.select(
        pl.concat_str(
            [
                q(pl.lit("")),
                q(pl.lit("13800000000")),
                q(pl.col("queue")),
                q(pl.lit("from-trunk")),
                q(pl.lit("")),
                q(pl.lit("SIP/trunk-") + pl.col("call_id")),
                q(pl.when(answered).then(pl.lit("SIP/") + pl.col("agent_id") + "-00000001").otherwise(pl.lit(""))),
                q(pl.lit("Queue")),
                q(pl.col("queue")),
                q(_local("offered_at")),
                q(pl.when(answered).then(_local("answered_at")).otherwise(pl.lit(""))),
                q(_local("ended_at")),
                (pl.col("ended_at").dt.epoch("s") - pl.col("offered_at").dt.epoch("s")).cast(pl.String),
                pl.when(answered)
                .then(pl.col("ended_at").dt.epoch("s") - pl.col("answered_at").dt.epoch("s"))
                .otherwise(0)
                .cast(pl.String),
                q(pl.when(answered).then(pl.lit("ANSWERED")).otherwise(pl.lit("NO ANSWER"))),
                q(pl.lit("DOCUMENTATION")),
                q(pl.col("call_id")),
                q(pl.lit("")),
            ],
            separator=",",
        ).alias("line")
    )
    return "\n".join(rows["line"]) + "\n"


def contact_records(calls: pl.DataFrame, chats: pl.DataFrame) -> str:
    """Amazon Connect contact records, one JSON object a line (instants in UTC)."""

    def utc(col: str) -> pl.Expr:
        return pl.col(col).dt.convert_time_zone("UTC").dt.strftime(UTC_ISO)

    voice = calls.select(
        ContactId=pl.col("call_id"),
        Channel=pl.lit("VOICE"),
        InitiationMethod=pl.lit("INBOUND"),
        Queue=pl.struct(Name=pl.col("queue"), EnqueueTimestamp=utc("offered_at")),
        Agent=pl.when(pl.col("answered_at").is_not_null()).then(
            pl.struct(
                Username=pl.col("agent_id"),
                ConnectedToAgentTimestamp=utc("answered_at"),
                CustomerHoldDuration=pl.col("hold_seconds").cast(pl.Float64, strict=False).cast(pl.Int64),
                AfterContactWorkDuration=pl.col("wrap_seconds").cast(pl.Float64, strict=False).cast(pl.Int64),
            )
        ),
        DisconnectTimestamp=utc("ended_at"),
        LastUpdateTimestamp=utc("ended_at"),
    )
    chat = chats.filter(pl.col("ended_at").is_not_null()).select(
        ContactId=pl.col("chat_id"),
        Channel=pl.lit("CHAT"),
        InitiationMethod=pl.lit("API"),
        Queue=pl.struct(Name=pl.lit("chat"), EnqueueTimestamp=utc("started_at")),
        Agent=pl.struct(Username=pl.col("agent_id")),
        ChatMetrics=pl.struct(ChatContactMetrics=pl.struct(AgentFirstResponseTimestamp=utc("first_response_at"))),
        DisconnectTimestamp=utc("ended_at"),
        LastUpdateTimestamp=utc("ended_at"),
    )
    return voice.write_ndjson() + chat.write_ndjson()


def ticket_metrics(emails: pl.DataFrame) -> str:
    """Zendesk's Ticket Metrics API pages of 100, one page a line."""
    minutes = (pl.col("first_reply_at") - pl.col("received_at")).dt.total_seconds() // 60  # whole minutes elapsed
    records = emails.select(
        ticket_id=pl.col("email_id"),
        created_at=pl.col("received_at").dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        reply_time_in_minutes=pl.struct(calendar=minutes),
        replies=pl.col("replies").cast(pl.Int64, strict=False),
    ).with_row_index("_n")
    pages = records.group_by((pl.col("_n") // 100).alias("page"), maintain_order=True).agg(
        ticket_metrics=pl.struct(pl.exclude("_n", "page"))
    )
    return pages.select("ticket_metrics").write_ndjson()


def termination_call_detail(calls: pl.DataFrame) -> str:
    """Cisco UCCE Termination_Call_Detail rows: start time plus each phase's whole seconds."""
    answered = pl.col("answered_at").is_not_null()
    seconds = lambda a, b: pl.col(b).dt.epoch("s") - pl.col(a).dt.epoch("s")  # noqa: E731
    hold = pl.col("hold_seconds").cast(pl.Float64, strict=False).fill_null(0).cast(pl.Int64)
    wrap = pl.col("wrap_seconds").cast(pl.Float64, strict=False).fill_null(0).cast(pl.Int64)
    queued = pl.when(answered).then(seconds("offered_at", "answered_at")).otherwise(seconds("offered_at", "ended_at"))
    talk = pl.when(answered).then(seconds("answered_at", "ended_at") - hold).otherwise(0)
    rows = calls.select(
        RecoveryKey=pl.col("call_id"),
        DateTime=(pl.col("ended_at") + pl.duration(seconds=wrap)).dt.strftime("%Y-%m-%d %H:%M:%S"),
        StartDateTime=_local("offered_at"),
        DelayTime=pl.lit(0),
        LocalQTime=queued,
        RingTime=pl.lit(0),
        TalkTime=talk,
        HoldTime=pl.when(answered).then(hold).otherwise(0),
        WorkTime=pl.when(answered).then(wrap).otherwise(0),
        Duration=queued + talk + pl.when(answered).then(hold + wrap).otherwise(0),
        CallDisposition=pl.when(answered).then(13).otherwise(2),
        AgentPeripheralNumber=pl.col("agent_id"),
        SkillGroupSkillTargetID=pl.col("queue"),
    )
    return rows.write_csv()


def write_exports(out_dir: Path) -> dict[str, list[str]]:
    """Write one vendor month in each profile's format under out_dir/imports (from the data set
    ingested into a throw-away database); returns the files written."""
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "exports.duckdb"
        ingest(db, sources_in_dir(out_dir))
        con = store.connect_reader(db)
        try:
            calls = _read(con, "calls", ("offered_at", "answered_at", "ended_at"))
            chats = _read(con, "chats", ("started_at", "first_response_at", "ended_at"))
            emails = _read(con, "emails", ("received_at", "first_reply_at"))
            sessions = _read(con, "agent_sessions", ("login_at", "logout_at")).filter(pl.col("channel") == "phone")
        finally:
            con.close()
    calls = calls.with_columns(pl.col(c).dt.truncate("1s") for c in ("offered_at", "answered_at", "ended_at"))
    files = {
        "asterisk-queue-log": ("queue_log.gz", queue_log(calls, sessions)),
        "asterisk-cdr": ("Master.csv.gz", master_csv(calls)),
        "amazon-connect-ctr": ("contact-records.json.gz", contact_records(calls, chats)),
        "zendesk-ticket-metrics": ("ticket-metrics.json.gz", ticket_metrics(emails)),
        "cisco-ucce-tcd": ("termination-call-detail.csv.gz", termination_call_detail(calls)),
    }
    written = {}
    for profile, (name, text) in files.items():
        path = f"{FOLDER}/{profile}/{VENDOR}_{MONTH}_{name}"
        _write(out_dir / path, text)
        written[profile] = [path]
    return written
