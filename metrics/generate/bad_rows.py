"""Deliberately bad rows, so the quarantine has something to show.

Each is a copy of a good row under a new id with exactly one fault, named by the reason code the
ingest reports for it. A fault either changes typed values before the row is written (times in
the wrong order) or replaces the written text (values no parser accepts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .contracts import Vendor
from .interactions import row_ids
from .writer import as_text

PER_REASON = (2, 3)  # a few of each, the count drawn per reason
START = {
    "calls": "offered_at",
    "chats": "started_at",
    "emails": "received_at",
    "visits": "arrived_at",
    "agent_sessions": "login_at",
}


@dataclass(frozen=True)
class Fault:
    reason: str
    typed: dict[str, pl.Expr | int | str | None] = field(default_factory=dict)
    text: dict[str, tuple[str | None, ...]] = field(default_factory=dict)  # cycled over the planted rows


def _plus(column: str, seconds: int) -> pl.Expr:
    return pl.col(column) + pl.duration(seconds=seconds)


SPECIFIC = {
    "calls": (
        Fault("bad_number", text={"hold_seconds": ("abc", "1O", "--")}),
        Fault("answered_before_offered", {"answered_at": _plus("offered_at", -30)}),
        Fault("ended_before_answered", {"answered_at": _plus("offered_at", 20), "ended_at": _plus("offered_at", 10)}),
        Fault(
            "ended_before_offered",
            {
                "answered_at": None,
                "agent_id": None,
                "hold_seconds": None,
                "wrap_seconds": None,
                "ended_at": _plus("offered_at", -3),
            },
        ),
    ),
    "chats": (
        Fault("bad_number", text={"csat": ("good", "abc", "4星")}),
        Fault("response_before_start", {"first_response_at": _plus("started_at", -5)}),
        Fault(
            "ended_before_start", {"first_response_at": None, "agent_id": None, "ended_at": _plus("started_at", -60)}
        ),
    ),
    "emails": (
        Fault("bad_number", text={"replies": ("x", "one", "2x")}),
        Fault("reply_before_received", {"first_reply_at": _plus("received_at", -3600), "replies": 1}),
        Fault("negative_replies", {"first_reply_at": _plus("received_at", 3600), "replies": -1}),
        Fault("replies_without_reply_time", {"first_reply_at": None, "replies": 2}),
    ),
    "visits": (
        Fault("bad_number", text={"questions_audited": ("ten", "abc", "12a")}),
        Fault("correct_exceeds_audited", {"status": "completed", "questions_audited": 10, "questions_correct": 11}),
        Fault("departed_before_arrived", {"departed_at": _plus("arrived_at", -1800)}),
        Fault("unknown_status", text={"status": ("done", "pending", "rescheduled")}),
    ),
    "agent_sessions": (
        # logout equal to login, then 1 h before it
        Fault("logout_not_after_login", {"logout_at": pl.col("login_at") - pl.duration(hours=pl.int_range(pl.len()))}),
        Fault("unknown_channel", text={"channel": ("fax", "sms", "wechat")}),
    ),
}


def faults(table: str) -> tuple[Fault, ...]:
    """The faults every table can have, then the table's own."""
    start = START[table]
    common = (
        Fault("missing_required", text={start: (None,)}),
        Fault("bad_timestamp", text={start: ("2026-09-31 10:15:00.000", "2026-10-01 25:61:00", "yesterday")}),
        Fault("unknown_vendor", text={"vendor_id": ("V-ACME", "V-NOPE", "V-999")}),
    )
    if table != "agent_sessions":  # the only table without a csat
        common += (Fault("csat_out_of_range", text={"csat": ("7", "0", "6")}),)
    return common + SPECIFIC[table]


def plant(rng: np.random.Generator, table: str, good: pl.DataFrame, vendor: Vendor, first: int):
    """Bad rows (as text) copied from rows of good, numbered from first, and the count per reason."""
    counts, planted = {}, []
    for fault in faults(table):
        n = int(rng.integers(PER_REASON[0], PER_REASON[1] + 1))
        rows = good[np.sort(rng.choice(good.height, n, replace=good.height < n))]
        rows = rows.with_columns(
            (value if isinstance(value, pl.Expr) else pl.lit(value)).cast(good.schema[column]).alias(column)
            for column, value in fault.typed.items()
        )
        text = as_text(rows).with_columns(
            pl.Series(column, [values[i % len(values)] for i in range(n)], dtype=pl.String)
            for column, values in fault.text.items()
        )
        counts[fault.reason] = n
        planted.append(text)
    bad = pl.concat(planted)
    return bad.with_columns(row_ids(vendor, table, first, bad.height).alias(good.columns[0])), counts
