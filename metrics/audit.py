"""The audit trail: every write with who made it, when, what and from where (docs/auth.md).

An entry is appended inside the write's own transaction (`record(con, ...)` on the writer's
connection), so a write that fails leaves no entry and a committed write always has one. Nothing
in vendorboard updates or deletes an entry. `entries` reads the trail for the admin page and
`vendorboard audit`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb

from metrics.access import EVERY_VENDOR, Principal, Scope

if TYPE_CHECKING:
    from metrics.ingest import IngestReport

# What a write is called in the trail, and what the pages and `vendorboard audit --action` accept.
ACTIONS = (
    "ingest",
    "quarantine_retry",
    "finalize",
    "reconciliation_upload",
    "invoice_submission",
    "payment",
    "damages_carry",
    "mapping_save",
    "user_add",
    "user_remove",
    "user_role",
    "user_password",
)
FIELDS = ("seq", "recorded_at", "actor", "role", "origin", "action", "subject", "details")


@dataclass(frozen=True)
class Change:
    """A write as the trail names it: the action, what it touched in a few words, and the rest."""

    action: str
    subject: str
    details: dict

    def with_counts(self, report: IngestReport) -> Change:
        """The change with what its ingest loaded, updated, left unchanged and rejected per table."""
        counts = {
            table: {k: v for k, v in vars(c).items() if k != "rejected_by_reason"} for table, c in report.tables.items()
        }
        return replace(self, details=self.details | {"counts": counts})


def _plain(value: object) -> str:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    raise TypeError(f"not JSON serialisable: {value!r}")


def record(con: duckdb.DuckDBPyConnection, by: Principal, action: str, subject: str, details: dict) -> int:
    """Append one entry on the write's connection (inside its transaction); returns its number."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    [(seq,)] = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit_log").fetchall()
    con.execute(
        "INSERT INTO audit_log VALUES (?, now(), ?, ?, ?, ?, ?, ?)",
        [seq, by.login, str(by.role), by.origin, action, subject, json.dumps(details, default=_plain)],
    )
    return seq


def entries(
    con: duckdb.DuckDBPyConnection,
    since: dt.date | None = None,
    until: dt.date | None = None,
    action: str | None = None,
    actor: str | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> list[dict]:
    """The trail, newest first: entries on or after `since` and before `until` (UTC days), of one
    action or one actor (case-insensitive) when given. `details` is a dict, `recorded_at` an aware UTC
    time. None for a scope of some vendors: the trail is every vendor's."""
    rows = con.execute(
        f"SELECT {', '.join(FIELDS[:-1])}, details::VARCHAR FROM audit_log "
        "WHERE ($since IS NULL OR recorded_at >= $since::TIMESTAMP AT TIME ZONE 'UTC') "
        "AND ($until IS NULL OR recorded_at < $until::TIMESTAMP AT TIME ZONE 'UTC') "
        "AND ($action IS NULL OR action = $action) AND ($actor IS NULL OR lower(actor) = lower($actor)) "
        f"AND {scope.shared_filter()} "
        "ORDER BY seq DESC",
        {"since": since, "until": until, "action": action, "actor": actor},
    ).fetchall()
    return [dict(zip(FIELDS, (*r[:-1], json.loads(r[-1])))) for r in rows]


def flat(entry: dict) -> dict:
    """An entry for a CSV file: the time in ISO form, `details` as JSON text."""
    return entry | {
        "recorded_at": entry["recorded_at"].isoformat(),
        "details": json.dumps(entry["details"], ensure_ascii=False, default=_plain),
    }


def summary(details: dict) -> str:
    """`details` in one line for people: files counted, per-table counts summed, lists joined."""
    bits = []
    for key, value in details.items():
        if key == "files":
            bits.append(f"{len(value)} files" if len(value) > 1 else f"file {value[0]['file']}" if value else "")
        elif key == "counts":
            sums = {k: sum(c[k] for c in value.values()) for k in ("loaded", "updated", "unchanged", "rejected")}
            bits.append(", ".join(f"{k} {n:,}" for k, n in sums.items() if n))
        elif key == "mapping" or value in (None, [], ""):
            continue
        else:
            bits.append(f"{key} {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return "; ".join(b for b in bits if b)
