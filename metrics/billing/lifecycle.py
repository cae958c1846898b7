"""Draft and finalized invoices (SPEC §4 "Invoice lifecycle").

Finalizing stores the invoice exactly as issued (tables `invoices` and `invoice_lines`); from then
on data that arrives or is corrected later does not move it. Showing a finalized month shows the
stored invoice, and `drift` compares it with a fresh computation, line key by line key (the same
keys reconciliation uses) and on the total, so the difference can be settled with an adjustment in
a later month.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb

from metrics import audit, store
from metrics.access import EVERY_VENDOR, Permission, Principal, Scope, acting
from metrics.billing.invoice import Invoice, compute
from metrics.billing.line import STORED, Line, by_key, facts_to_json
from metrics.domain import TOTALS
from metrics.errors import VendorboardError
from metrics.periods import month_label


@dataclass(frozen=True)
class Drift:
    """How a fresh computation differs from the stored invoice on one line key (or `total`)."""

    channel: str
    unit: str
    stored_quantity: Decimal | None
    fresh_quantity: Decimal | None
    stored_amount: Decimal
    fresh_amount: Decimal

    @property
    def difference(self) -> Decimal:
        return self.fresh_amount - self.stored_amount

    def as_dict(self) -> dict:
        return {
            "channel": None if self.channel == "-" else self.channel,
            "unit": self.unit or None,
            "stored_quantity": self.stored_quantity,
            "fresh_quantity": self.fresh_quantity,
            "stored_amount": self.stored_amount,
            "fresh_amount": self.fresh_amount,
            "difference": self.difference,
        }


def stored_invoices(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> list[Invoice]:
    """The finalized invoices of `month` (or of the one contract) of the scope's vendors, as issued."""
    where = f"month = $month AND ($contract IS NULL OR contract_id = $contract) AND {scope.contract_filter()}"
    params = {"month": month, "contract": contract_id}
    lines: dict[str, list[Line]] = {}
    for row in con.execute(
        f"SELECT contract_id, {', '.join(STORED)} FROM invoice_lines WHERE {where} ORDER BY contract_id, line_no",
        params,
    ).fetchall():
        lines.setdefault(row[0], []).append(Line(**dict(zip(STORED, row[1:]))))
    headers = con.execute(
        f"SELECT contract_id, vendor_id, currency, payee, due_date, {', '.join(TOTALS)}, "
        f"finalized_at::TIMESTAMP, accepted_data_issues, data_findings, tax_rate, payee_bank "
        f"FROM invoices WHERE {where} ORDER BY contract_id",
        params,
    ).fetchall()
    return [
        Invoice(
            contract_id=r[0],
            vendor_id=r[1],
            month=month,
            currency=r[2],
            payee=r[3],
            status="finalized",
            due_date=r[4],
            lines=tuple(lines.get(r[0], [])),
            **dict(zip(TOTALS, r[5:11])),
            finalized_at=r[11].replace(tzinfo=dt.UTC),  # stored in UTC
            accepted_data_issues=r[12],
            data_findings=tuple(json.loads(r[13] or "[]")),
            tax_rate=r[14],
            payee_bank=r[15],
        )
        for r in headers
    ]


def drift(stored: Invoice, fresh: Invoice | None) -> list[Drift]:
    """Every line key whose quantity or amount moved since finalizing, then the total; [] when none."""
    before, after = by_key(list(stored.lines)), by_key(list(fresh.lines) if fresh else [])
    none = (None, Decimal("0.00"))
    moved = [
        Drift(
            *key, before.get(key, none)[0], after.get(key, none)[0], before.get(key, none)[1], after.get(key, none)[1]
        )
        for key in [*before, *(k for k in after if k not in before)]
        if before.get(key, none) != after.get(key, none)
    ]
    fresh_total = fresh.total if fresh else Decimal("0.00")
    if moved or fresh_total != stored.total:
        moved.append(Drift("total", "", None, None, stored.total, fresh_total))
    return moved


def with_drift(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> list[tuple[Invoice, list[Drift]]]:
    """Each invoice of the month as it stands (stored if finalized, else a fresh draft) with its
    drift (always [] for drafts), in contract order. A scope without drafts (a vendor's) gets the
    finalized invoices only, as issued, with no drift: a fresh computation is a draft too."""
    stored = {inv.contract_id: inv for inv in stored_invoices(con, month, contract_id, scope=scope)}
    if not scope.drafts:
        return [(stored[c], []) for c in sorted(stored)]
    fresh = {inv.contract_id: inv for inv in compute(con, month, contract_id, scope=scope)}
    return [
        (stored[c], drift(stored[c], fresh.get(c))) if c in stored else (fresh[c], [])
        for c in sorted(fresh.keys() | stored.keys())
    ]


def invoices(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> list[Invoice]:
    """The invoices of `month`: the stored one for finalized contracts, else a fresh draft (none
    for a scope without drafts)."""
    return [inv for inv, _ in with_drift(con, month, contract_id, scope=scope)]


def require_contract(con: duckdb.DuckDBPyConnection, contract_id: str) -> None:
    """Refuse a contract id that is not in the contracts table (a typo, not an inactive month)."""
    if not con.execute("SELECT count(*) FROM contracts WHERE contract_id = ?", [contract_id]).fetchone()[0]:
        raise VendorboardError.of("error.unknown_contract", contract=contract_id)


def finalize(
    db_path: Path,
    month: dt.date,
    contract_id: str,
    accept_data_issues: str | None = None,
    *,
    by: Principal | None = None,
) -> Invoice:
    """Store the invoice of `contract_id` for `month` as issued, in the audit trail as `by`'s;
    refused for a role that may not finalize, when it is finalized already, when the contract has
    no invoice that month, or while the month's data has `error` findings (metrics/quality.py) and
    no reason is given to accept them. The reason and the findings at this moment are stored with
    the invoice. A month with no data finalizes (fees only; its `no_data` finding is a warning)."""
    from metrics import quality  # not above: quality reads invoices (its drift check) from this package

    actor = acting(by).require(Permission.FINALIZE)
    label = f"{contract_id} {month_label(month)}"
    reason = (accept_data_issues or "").strip() or None
    with store.writer(db_path, "finalize") as con:
        done = con.execute(
            "SELECT finalized_at::TIMESTAMP FROM invoices WHERE contract_id = ? AND month = ?", [contract_id, month]
        ).fetchone()
        if done:
            raise VendorboardError.of("error.finalized_already", invoice=label, at=f"{done[0]:%Y-%m-%d %H:%M}")
        require_contract(con, contract_id)
        found = compute(con, month, contract_id)
        if not found:
            raise VendorboardError.of("error.not_active", contract=contract_id, month=month_label(month))
        checked = quality.findings(con, month, contract_id, invoices=[])  # not finalized: no drift yet
        failing = quality.errors(checked)
        if failing and reason is None:
            raise VendorboardError(
                f"refusing to finalize {label}: its data has {len(failing)} error(s): "
                + "; ".join(f.message() for f in failing)
                + f" (see vendorboard check --month {month_label(month)} --contract {contract_id}); "
                'to finalize anyway, give the reason: --accept-data-issues "REASON"'
            )
        invoice = replace(
            found[0],
            status="finalized",
            finalized_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            accepted_data_issues=reason,
            data_findings=tuple(json.loads(quality.to_json(checked))),
        )
        con.execute(
            f"INSERT INTO invoices (contract_id, month, vendor_id, currency, payee, due_date, {', '.join(TOTALS)}, "
            f"finalized_at, accepted_data_issues, data_findings, tax_rate, payee_bank) "
            f"VALUES ({', '.join('?' * (len(TOTALS) + 11))})",
            [
                invoice.contract_id,
                month,
                invoice.vendor_id,
                invoice.currency,
                invoice.payee,
                invoice.due_date,
                *(getattr(invoice, t) for t in TOTALS),
                invoice.finalized_at,
                reason,
                json.dumps(list(invoice.data_findings)),
                invoice.tax_rate,
                invoice.payee_bank,
            ],
        )
        if invoice.lines:  # a contract without fees or usage that month has an invoice of no lines
            con.executemany(
                f"INSERT INTO invoice_lines (contract_id, month, line_no, {', '.join(STORED)}) "
                f"VALUES (?, ?, ?, {', '.join('?' * len(STORED))})",
                [
                    [contract_id, month, n, *(getattr(line, c) for c in STORED[:-1]), facts_to_json(line.facts)]
                    for n, line in enumerate(invoice.lines, start=1)
                ],
            )
        audit.record(
            con,
            actor,
            "finalize",
            label,
            {
                "contract_id": contract_id,
                "month": month_label(month),
                "total": invoice.total,
                "currency": invoice.currency,
                "accepted_data_issues": reason,
                "errors": [f.message() for f in failing],
            },
        )
    return invoice
