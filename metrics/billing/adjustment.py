"""One-off charges (+) and deductions (−) from the adjustments table, one line each, as given."""

from __future__ import annotations

import datetime as dt

import duckdb

from metrics.billing.line import Line, cents


def adjustment_lines(con: duckdb.DuckDBPyConnection, month: dt.date, contract_ids: list[str]) -> dict[str, list[Line]]:
    """{contract_id: its adjustment lines for `month`}, in description order."""
    found: dict[str, list[Line]] = {}
    for contract_id, description, amount in con.execute(
        """SELECT contract_id, description, amount FROM adjustments
           WHERE month = $month AND contract_id IN (SELECT unnest($ids))
           ORDER BY contract_id, description""",
        {"month": month, "ids": contract_ids},
    ).fetchall():
        found.setdefault(contract_id, []).append(Line(type="adjustment", amount=cents(amount), description=description))
    return found
