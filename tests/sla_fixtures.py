"""Helpers for the SLA tests: read verdicts, series and evidence off a real database file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from metrics import store
from metrics.sla import evidence, series, verdicts

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def verdict_rows(db: Path, month: dt.date, contract_id: str | None = None) -> list[dict]:
    con = store.connect_reader(db)
    try:
        return verdicts(con, month, contract_id).to_dicts()
    finally:
        con.close()


def verdict(
    db: Path, month: dt.date, contract_id: str, metric: str, threshold: str | None = None, channel: str | None = None
) -> dict:
    """The one verdict of `metric` (with that threshold, on that channel, when given)."""
    found = [
        r
        for r in verdict_rows(db, month, contract_id)
        if r["metric"] == metric
        and (threshold is None or r["threshold_seconds"] == Decimal(threshold))
        and (channel is None or r["channel"] == channel)
    ]
    assert len(found) == 1, found
    return found[0]


def fraction(row: dict) -> tuple[Decimal, Decimal]:
    return row["numerator"], row["denominator"]


def evidence_rows(db: Path, month: dt.date, contract_id: str, channel: str, metric: str, **kw) -> list[dict]:
    con = store.connect_reader(db)
    try:
        return evidence(con, month, contract_id, channel, metric, **kw).pl().to_dicts()
    finally:
        con.close()


def series_rows(db: Path, month: dt.date, contract_id: str, grain: str) -> list[dict]:
    con = store.connect_reader(db)
    try:
        return series(con, month, contract_id, grain).to_dicts()
    finally:
        con.close()
