"""Reconciliation (SPEC §4): the vendor's own invoice against the invoice computed here.

The vendor file (CSV or Excel .xlsx) has the columns contract_id, month, channel, unit, quantity,
amount; a row with channel `total` gives the invoice total. Lines are compared per key:
- usage: (channel, unit); the tiers of one ladder add up, on both sides, so a vendor may bill a
  ladder as one line or tier by tier;
- every other line by its type alone, named in `unit` (fixed, minimum, adjustment; credit, which
  takes credit_cap too, because vendors bill the net credit); their channel is ignored (empty,
  `-` or a credit's channel) and their quantity is not compared: a fee has no quantity to check;
- `total` per contract.
Rows of one key add up. Every row must be of the month being reconciled. A key is `match` when
amounts (and usage quantities) differ by at most 0.01, else `mismatch`; `missing` when computed but
not billed; `unexpected` when billed but not computed.
difference = billed amount − computed amount (a missing side counts as 0).
The computed side is the invoice as it stands: the stored one for a finalized month. A caller who
sees some vendors only (a vendor user) may only reconcile their contracts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.billing import invoices
from metrics.billing.line import by_key
from metrics.domain import CHANNELS, LINE_TYPES, UNITS_BY_CHANNEL, USAGE
from metrics.errors import VendorboardError
from metrics.periods import month_label
from metrics.sql import sql_list

COLUMNS = ("contract_id", "month", "channel", "unit", "quantity", "amount")
TOLERANCE = Decimal("0.01")
OTHER_TYPES = tuple(t for t in LINE_TYPES if t != USAGE)
TOTAL = "total"

Key = tuple[str, str, str]  # contract_id, channel, unit
Figures = tuple[Decimal | None, Decimal]  # quantity (None: not compared), amount


@dataclass(frozen=True)
class _Cell:
    """Where a value came from, for error messages."""

    file: Path
    row: int
    column: str

    def error(self, problem: str) -> VendorboardError:
        return VendorboardError(f"{self.file}, row {self.row}, column {self.column}: {problem}")


def read_vendor_invoice(path: Path) -> pl.DataFrame:
    """The file's rows as text, columns named in lower case, with `_row` (header = row 1)."""
    if not path.is_file():
        raise VendorboardError(f"--vendor-invoice {path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False)
        elif suffix == ".xlsx":
            frame = pl.read_excel(path, engine="openpyxl", infer_schema_length=0)
        else:
            raise VendorboardError(f"--vendor-invoice {path}: expected a .csv or .xlsx file")
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise VendorboardError(f"{path}: cannot read the file: {str(exc).splitlines()[0]}") from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise VendorboardError(
            f"{path}: missing column {', '.join(repr(m) for m in missing)} (expected {', '.join(COLUMNS)})"
        )
    return frame.select(COLUMNS).with_row_index("_row", offset=2)


def _decimal(text: str | None, cell: _Cell, required: bool) -> Decimal | None:
    if text is None or not text.strip():
        if required:
            raise cell.error("empty, a number is required")
        return None
    try:
        value = Decimal(text.strip())  # no thousands separators: is '12,50' 12.50 or 1250?
    except InvalidOperation:
        raise cell.error(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise cell.error(f"'{text}' is not a number")
    return value


def _key(row: dict, at: Callable[[str], _Cell]) -> tuple[str, str]:
    """(channel, unit) of a vendor row under the keys of `Line.key`, or ('total', '')."""
    channel = (row["channel"] or "").strip().lower()
    unit = (row["unit"] or "").strip().lower()
    if channel == TOTAL:
        return TOTAL, ""
    if unit in OTHER_TYPES:
        return "-", "credit" if unit == "credit_cap" else unit
    if channel not in CHANNELS:
        raise at("channel").error(
            f"'{row['channel']}' is not a channel (expected {', '.join(CHANNELS)}, "
            f"{TOTAL}, or empty for fees, credits and adjustments)"
        )
    if channel not in UNITS_BY_CHANNEL.get(unit, ()):
        raise at("unit").error(
            f"'{row['unit']}' is not a unit of channel {channel} (expected "
            f"{', '.join(u for u, chs in UNITS_BY_CHANNEL.items() if channel in chs)}, "
            f"or one of {', '.join(OTHER_TYPES)})"
        )
    return channel, unit


def billed_lines(path: Path, month: dt.date) -> dict[Key, Figures]:
    """{(contract_id, channel, unit): (quantity, amount)} of the vendor file, rows of one key added."""
    billed: dict[Key, Figures] = {}
    for row in read_vendor_invoice(path).iter_rows(named=True):

        def at(column: str, row: dict = row) -> _Cell:
            return _Cell(path, row["_row"], column)

        contract = (row["contract_id"] or "").strip()
        if not contract:
            raise at("contract_id").error("empty, a contract_id is required")
        found = re.fullmatch(r"\s*(\d{4})-(\d{2})(-01([ T]00:00(:00)?)?)?\s*", row["month"] or "")
        if not found or found.group(0).strip()[:7] != month_label(month):
            raise at("month").error(f"'{row['month']}' is not the month being reconciled ({month_label(month)})")
        channel, unit = _key(row, at)
        usage = unit not in OTHER_TYPES and channel != TOTAL
        quantity = _decimal(row["quantity"], at("quantity"), required=usage)
        amount = _decimal(row["amount"], at("amount"), required=True)
        before_qty, before_amount = billed.get((contract, channel, unit), (None, Decimal(0)))
        billed[(contract, channel, unit)] = (
            (before_qty or Decimal(0)) + quantity if usage else None,
            before_amount + amount,
        )
    return billed


def _compare(
    contract_id: str, month: dt.date, key: tuple[str, str], computed: Figures | None, billed: Figures | None
) -> dict:
    (cq, ca), (bq, ba) = computed or (None, None), billed or (None, None)
    if computed is None:
        status = "unexpected"
    elif billed is None:
        status = "missing"
    else:
        off = abs(ba - ca) > TOLERANCE or (cq is not None and bq is not None and abs(bq - cq) > TOLERANCE)
        status = "mismatch" if off else "match"
    channel, unit = key
    return {
        "contract_id": contract_id,
        "month": month_label(month),
        "channel": None if channel == "-" else channel,
        "unit": unit or None,
        "status": status,
        "computed_quantity": cq,
        "billed_quantity": bq,
        "computed_amount": ca,
        "billed_amount": ba,
        "difference": (ba or Decimal("0.00")) - (ca or Decimal("0.00")),
    }


def vendors_of(con: duckdb.DuckDBPyConnection, path: Path, contracts: list[str], scope: Scope) -> dict[str, str]:
    """{contract_id: vendor_id} of the contracts a vendor file bills; refused, naming the file, when
    one is not a contract the scope sees (said alike whether it exists or not)."""
    found = dict(
        con.execute(
            f"SELECT contract_id, vendor_id FROM contracts WHERE contract_id IN {sql_list(contracts)} "
            f"AND {scope.vendor_filter()}"
        ).fetchall()
    )
    unknown = [c for c in contracts if c not in found]
    if unknown:
        whose = "no such contract" if scope.everything else "not one of your contracts"
        raise VendorboardError(f"{path}: contract_id '{unknown[0]}': {whose}")
    return found


def reconcile(
    con: duckdb.DuckDBPyConnection, month: dt.date, vendor_invoice: Path, *, scope: Scope = EVERY_VENDOR
) -> list[dict]:
    """One row per line key of each contract in the vendor file, then that contract's total."""
    billed = billed_lines(Path(vendor_invoice), month)
    if not scope.everything:
        vendors_of(con, Path(vendor_invoice), sorted({c for c, _, _ in billed}), scope)
    rows = []
    for contract_id in dict.fromkeys(c for c, _, _ in billed):
        found = invoices(con, month, contract_id, scope=scope)
        computed = by_key(list(found[0].lines)) if found else {}
        if found:
            computed[(TOTAL, "")] = (None, found[0].total)
        theirs = {(ch, u): figures for (c, ch, u), figures in billed.items() if c == contract_id}
        keys = [k for k in computed if k[0] != TOTAL] + [k for k in theirs if k not in computed and k[0] != TOTAL]
        rows += [
            _compare(contract_id, month, k, computed.get(k), theirs.get(k))
            for k in [*keys, (TOTAL, "")]
            if k in computed or k in theirs
        ]
    return rows
