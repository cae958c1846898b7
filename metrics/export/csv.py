"""The monthly report as CSV for downstream systems: the SPEC §5 field names, money as plain
decimal strings, one row per SLA target, per invoice line, per reconciliation line."""

from __future__ import annotations

from pathlib import Path

from metrics.agents.measure import FIELDS as AGENT_FIELDS
from metrics.cli.output import to_csv
from metrics.export.content import MonthReport
from metrics.payments.status import FIELDS


def write_csvs(report: MonthReport, out_dir: Path) -> list[Path]:
    """sla.csv, invoice_lines.csv, payments.csv (each issued invoice's payment status as of the
    month's last day), agents.csv (every agent's figures, as `vendorboard agents --format csv`) and,
    when vendor invoices were given, reconciliation.csv."""
    sla = out_dir / "sla.csv"
    sla.write_text(to_csv(report.verdicts.drop("credit_base").to_dicts()), encoding="utf-8")
    lines = out_dir / "invoice_lines.csv"
    lines.write_text(to_csv([row for i in report.invoices for row in i.line_rows()]), encoding="utf-8")
    paid = out_dir / "payments.csv"
    paid.write_text(to_csv([s.as_dict() for s in report.receivables.invoices], FIELDS), encoding="utf-8")
    staff = out_dir / "agents.csv"
    staff.write_text(to_csv(report.agents.select(AGENT_FIELDS).to_dicts(), AGENT_FIELDS), encoding="utf-8")
    written = [sla, lines, paid, staff]
    if report.reconciliation:
        recon = out_dir / "reconciliation.csv"
        recon.write_text(to_csv(report.reconciliation), encoding="utf-8")
        written.append(recon)
    return written
