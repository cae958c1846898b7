"""Checks that span rows of a reference table, run on the stored result of an ingest.

A failure stops the whole run (nothing is written) with a message naming the rows' files and
lines: overlapping contracts or tiers would make an invoice ambiguous.
"""

from __future__ import annotations

import duckdb

from metrics.errors import VendorboardError

_FAR = "DATE '9999-12-31'"


def _at(alias: str, suffix: str = "") -> str:
    """SQL: the row's file and line, as the error's `file{suffix}` and `line{suffix}`."""
    return f"{alias}.source_file AS file{suffix}, {alias}.source_line AS line{suffix}"


def _overlaps(a: str, b: str) -> str:
    """Effective periods of two rows meet (NULL from = since ever, NULL to = open-ended)."""
    return (
        f"coalesce({a}.effective_from, DATE '0001-01-01') < coalesce({b}.effective_to, {_FAR}) "
        f"AND coalesce({b}.effective_from, DATE '0001-01-01') < coalesce({a}.effective_to, {_FAR})"
    )


# Per table: (the error's label, SQL selecting the facts it quotes for each offending row or pair).
CHECKS: dict[str, list[tuple[str, str]]] = {
    "contracts": [
        (
            "error.overlapping_contracts",
            f"""SELECT a.contract_id AS a, b.contract_id AS b, a.vendor_id AS vendor, {_at("a", "_a")}, {_at("b", "_b")}
            FROM contracts a JOIN contracts b ON a.vendor_id = b.vendor_id AND a.contract_id < b.contract_id
            WHERE a.start_date <= coalesce(b.end_date, {_FAR}) AND b.start_date <= coalesce(a.end_date, {_FAR})""",
        )
    ],
    "rates": [
        (
            "error.misaligned",
            f"""SELECT {_at("r")} FROM rates r WHERE day(r.effective_from) <> 1 OR day(r.effective_to) <> 1
                OR r.effective_to <= r.effective_from""",
        ),
        (
            "error.overlapping_tiers",
            f"""SELECT a.contract_id AS contract, a.channel, a.unit, {_at("a", "_a")}, {_at("b", "_b")}
             FROM rates a JOIN rates b ON a.contract_id = b.contract_id AND a.channel = b.channel
                  AND a.unit = b.unit AND (a.source_file, a.source_line) < (b.source_file, b.source_line)
             WHERE {_overlaps("a", "b")}
               AND coalesce(a.tier_from, 0) < coalesce(b.tier_to, 999999999999999)
               AND coalesce(b.tier_from, 0) < coalesce(a.tier_to, 999999999999999)""",
        ),
        (
            "error.mixed_tier_modes",
            f"""SELECT a.contract_id AS contract, a.channel, a.unit, {_at("a", "_a")}, {_at("b", "_b")}
             FROM rates a JOIN rates b ON a.contract_id = b.contract_id AND a.channel = b.channel
                  AND a.unit = b.unit AND a.tier_mode <> b.tier_mode
             WHERE {_overlaps("a", "b")}""",
        ),
    ],
    "sla_targets": [
        (
            "error.misaligned",
            f"""SELECT {_at("t")} FROM sla_targets t WHERE day(t.effective_from) <> 1 OR day(t.effective_to) <> 1
                OR t.effective_to <= t.effective_from""",
        ),
    ],
    "payments": [
        (  # amounts are in the invoice's currency (the contract's until it is finalized): no conversion
            "error.payment_currency",
            f"""SELECT {_at("p")}, p.reference, p.currency, p.contract_id AS contract,
                    strftime(p.month, '%Y-%m') AS month, coalesce(i.currency, c.currency) AS invoiced
             FROM payments p JOIN contracts c USING (contract_id)
             LEFT JOIN invoices i ON i.contract_id = p.contract_id AND i.month = p.month
             WHERE p.currency IS NOT NULL AND upper(p.currency) <> upper(coalesce(i.currency, c.currency))""",
        ),
    ],
}


def check(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for key, sql in CHECKS.get(table, []):
        cursor = con.execute(sql + " LIMIT 1")
        found = cursor.fetchone()
        if found:
            raise VendorboardError.of(key, **dict(zip((d[0] for d in cursor.description), found)))
