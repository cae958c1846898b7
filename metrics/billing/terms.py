"""The contract terms an invoice is built from: who is paid, in what currency, and on how many days
of the month the contract was active (the pro-rating of the fixed fee and the minimum)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from metrics.access import EVERY_VENDOR, Scope
from metrics.periods import next_month


@dataclass(frozen=True)
class Terms:
    contract_id: str
    vendor_id: str
    month: dt.date
    currency: str
    payee: str
    tax_rate: Decimal
    payment_due_day: int
    monthly_fee: Decimal
    monthly_minimum: Decimal
    credit_cap_rate: Decimal
    active_days: int
    payee_bank: str | None = None

    @property
    def days_in_month(self) -> int:
        return calendar.monthrange(self.month.year, self.month.month)[1]

    def prorated(self, monthly: Decimal) -> Decimal:
        """An exact (unrounded) share of a monthly amount: monthly × active days ÷ days in month."""
        if self.active_days == self.days_in_month:
            return monthly
        return monthly * self.active_days / self.days_in_month

    @property
    def days(self) -> dict:
        """{'days': active, 'of_days': in the month} when pro-rated, else {}: a line's facts."""
        if self.active_days == self.days_in_month:
            return {}
        return {"days": self.active_days, "of_days": self.days_in_month}


def active_terms(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None = None, *, scope: Scope = EVERY_VENDOR
) -> list[Terms]:
    """Terms of every contract of the scope active on at least one day of `month` (or of the one
    contract)."""
    end = next_month(month)
    rows = con.execute(
        f"""SELECT c.contract_id, c.vendor_id, c.currency, coalesce(c.payee, v.name), c.tax_rate,
                  c.payment_due_day, c.monthly_fee, c.monthly_minimum, c.credit_cap_rate,
                  date_diff('day', greatest(c.start_date, $month),
                            least(coalesce(c.end_date + 1, $end), $end)) AS active_days, c.payee_bank
           FROM contracts c JOIN vendors v USING (vendor_id)
           WHERE c.start_date < $end AND (c.end_date IS NULL OR c.end_date >= $month)
             AND ($contract IS NULL OR c.contract_id = $contract) AND {scope.vendor_filter("c.vendor_id")}
           ORDER BY c.contract_id""",
        {"month": month, "end": end, "contract": contract_id},
    ).fetchall()
    return [Terms(r[0], r[1], month, *r[2:]) for r in rows]
