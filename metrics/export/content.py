"""Everything the monthly report shows, gathered once from the engine so the PDF, the workbook and
the CSVs of one run cannot disagree; of the caller's scope only (a vendor's report is its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from metrics import agents, billing, catalog, data_health, payments, quality, sla
from metrics.access import EVERY_VENDOR, Scope
from metrics.billing import Invoice
from metrics.errors import VendorboardError
from metrics.payments import Receivables
from metrics.periods import last_day, month_label
from metrics.quality import Finding
from metrics.reconcile import reconcile


@dataclass(frozen=True)
class MonthReport:
    month: dt.date
    contracts: pl.DataFrame  # catalog.contracts of the month: terms, vendor_name, payee
    verdicts: pl.DataFrame  # sla.verdicts of the month
    history: pl.DataFrame  # sla.history: the verdicts of the last months, this one included
    invoices: list[Invoice]
    findings: list[Finding]  # quality.findings of the month, every contract
    rejected: pl.DataFrame  # data_health.quarantine_summary
    out_of_contract: pl.DataFrame  # data_health.out_of_contract, this month
    reconciliation: list[dict]  # reconcile() rows of the vendor invoices given, if any
    receivables: Receivables  # payments.receivables as of the month's last day (docs/payments.md)
    agents: pl.DataFrame  # agents.figures of the month: every agent's figures (docs/agents.md)
    drift: dict[str, list] = field(default_factory=dict)  # contract_id -> billing.Drift of a finalized invoice

    def vendor_name(self, vendor_id: str) -> str:
        names = dict(zip(self.contracts["vendor_id"], self.contracts["vendor_name"]))
        return names.get(vendor_id, vendor_id)

    def invoice(self, contract_id: str) -> Invoice | None:
        return next((i for i in self.invoices if i.contract_id == contract_id), None)

    def findings_of(self, contract_id: str) -> list[Finding]:
        return [f for f in self.findings if f.contract_id == contract_id]


def gather(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    vendor_invoices: tuple[Path, ...] = (),
    *,
    scope: Scope = EVERY_VENDOR,
) -> MonthReport:
    """The report's content for `month`; a month without interactions is an error (nothing to report)."""
    with_data = catalog.months_with_data(con, scope=scope)
    if month not in with_data:
        raise VendorboardError(f"no data for {month_label(month)}: no interaction of that month has been ingested")
    history = sla.history(con, month, scope=scope)
    invoices = billing.with_drift(con, month, scope=scope)
    return MonthReport(
        month=month,
        contracts=catalog.contracts(con, month, scope=scope),
        verdicts=history.filter(pl.col("month") == month_label(month)),
        history=history,
        invoices=[invoice for invoice, _ in invoices],
        findings=quality.findings(con, month, invoices=invoices, scope=scope),
        rejected=data_health.quarantine_summary(con, scope=scope),
        out_of_contract=data_health.out_of_contract(con, scope=scope).filter(pl.col("month") == month_label(month)),
        reconciliation=[row for path in vendor_invoices for row in reconcile(con, month, path, scope=scope)],
        receivables=payments.receivables(con, last_day(month), scope=scope),
        agents=agents.figures(con, month, scope=scope),
        drift={invoice.contract_id: moved for invoice, moved in invoices if moved},
    )
