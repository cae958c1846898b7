"""Checks that span rows of a reference table, run on the stored result of an ingest.

A failure stops the whole run (nothing is written) with a message naming the rows' files and
lines: overlapping contracts or tiers would make an invoice ambiguous.
"""

from __future__ import annotations

import duckdb

from metrics.errors import VendorboardError

_FAR = "DATE '9999-12-31'"


def _where(alias: str) -> str:
    return f"{alias}.source_file || ', line ' || {alias}.source_line"


def _overlaps(a: str, b: str) -> str:
    """Effective periods of two rows meet (NULL from = since ever, NULL to = open-ended)."""
    return (
        f"coalesce({a}.effective_from, DATE '0001-01-01') < coalesce({b}.effective_to, {_FAR}) "
        f"AND coalesce({b}.effective_from, DATE '0001-01-01') < coalesce({a}.effective_to, {_FAR})"
    )


CHECKS: dict[str, list[tuple[str, str]]] = {
    "contracts": [
        (
            f"""SELECT 'contracts ' || a.contract_id || ' and ' || b.contract_id || ' of vendor ' || a.vendor_id
                   || ' overlap in time (' || {_where("a")} || '; ' || {_where("b")} || ')'
            FROM contracts a JOIN contracts b ON a.vendor_id = b.vendor_id AND a.contract_id < b.contract_id
            WHERE a.start_date <= coalesce(b.end_date, {_FAR}) AND b.start_date <= coalesce(a.end_date, {_FAR})""",
            "overlapping contracts",
        )
    ],
    "rates": [
        (
            f"""SELECT {_where("r")} || ': effective dates must be month starts, effective_from before effective_to'
             FROM rates r WHERE day(r.effective_from) <> 1 OR day(r.effective_to) <> 1
                OR r.effective_to <= r.effective_from""",
            "misaligned rate",
        ),
        (
            f"""SELECT 'rates of ' || a.contract_id || ' ' || a.channel || ' ' || a.unit
                    || ' have overlapping tiers in force in the same month (' || {_where("a")} || '; '
                    || {_where("b")} || ')'
             FROM rates a JOIN rates b ON a.contract_id = b.contract_id AND a.channel = b.channel
                  AND a.unit = b.unit AND (a.source_file, a.source_line) < (b.source_file, b.source_line)
             WHERE {_overlaps("a", "b")}
               AND coalesce(a.tier_from, 0) < coalesce(b.tier_to, 999999999999999)
               AND coalesce(b.tier_from, 0) < coalesce(a.tier_to, 999999999999999)""",
            "overlapping tiers",
        ),
        (
            f"""SELECT 'rates of ' || a.contract_id || ' ' || a.channel || ' ' || a.unit
                    || ' mix tier modes in one ladder (' || {_where("a")} || '; ' || {_where("b")} || ')'
             FROM rates a JOIN rates b ON a.contract_id = b.contract_id AND a.channel = b.channel
                  AND a.unit = b.unit AND a.tier_mode <> b.tier_mode
             WHERE {_overlaps("a", "b")}""",
            "mixed tier modes",
        ),
    ],
    "sla_targets": [
        (
            f"""SELECT {_where("t")} || ': effective dates must be month starts, effective_from before effective_to'
             FROM sla_targets t WHERE day(t.effective_from) <> 1 OR day(t.effective_to) <> 1
                OR t.effective_to <= t.effective_from""",
            "misaligned target",
        ),
    ],
    "payments": [
        (  # amounts are in the invoice's currency (the contract's until it is finalized): no conversion
            f"""SELECT {_where("p")} || ': payment ' || p.reference || ' is in ' || p.currency
                    || ' but the invoice of ' || p.contract_id || ' ' || strftime(p.month, '%Y-%m') || ' is in '
                    || coalesce(i.currency, c.currency) || '; record the amount received in '
                    || coalesce(i.currency, c.currency)
             FROM payments p JOIN contracts c USING (contract_id)
             LEFT JOIN invoices i ON i.contract_id = p.contract_id AND i.month = p.month
             WHERE p.currency IS NOT NULL AND upper(p.currency) <> upper(coalesce(i.currency, c.currency))""",
            "payment in another currency",
        ),
    ],
}


def check(con: duckdb.DuckDBPyConnection, table: str) -> None:
    for sql, _ in CHECKS.get(table, []):
        found = con.execute(sql + " LIMIT 1").fetchone()
        if found:
            raise VendorboardError(found[0])
