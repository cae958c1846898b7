"""Reconciliation (SPEC §4): the vendor's own invoice against the invoice computed here.

The vendor file (CSV or Excel .xlsx) has the columns contract_id, month, channel, unit, quantity,
amount, and may add tier_from, tier_to and unit_price; a row with channel `total` gives the invoice
total, one with unit `tax` its tax. Lines are compared:
- usage tier by tier: each vendor row of a channel and unit is matched to one of our tier lines of
  that ladder, by its tier_from when given, else by its price (unit_price, or amount ÷ quantity)
  when exactly one of our tiers has that price, else in ladder order when the rows left and the
  tiers left are as many; one row left against several tiers is the ladder billed as one line and
  is compared with their sum. Both lines show (our tier and price beside the vendor's).
- every other line by its type alone, named in `unit` (fixed, minimum, adjustment; credit, which
  takes credit_cap too, because vendors bill the net credit); their channel is ignored (empty,
  `-` or a credit's channel) and their quantity is not compared: a fee has no quantity to check;
- the tax on its own row: the vendor's `tax` row, else what its total implies (total − its lines),
  so a line billed wrong shows once as that line and once as the tax on it, not hidden in the total;
- `total` per contract.
Rows of one key add up. Every row must be of the month being reconciled. A line is `match` when
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
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import polars as pl

from metrics.access import EVERY_VENDOR, Scope
from metrics.billing import Invoice, invoices
from metrics.billing.line import Line, by_key, trimmed
from metrics.domain import CHANNELS, LINE_TYPES, UNITS_BY_CHANNEL, USAGE
from metrics.errors import VendorboardError
from metrics.i18n import t, value_name
from metrics.ingest.read import unreadable
from metrics.periods import month_label
from metrics.render import price, tiers, usage_name
from metrics.sql import sql_list

COLUMNS = ("contract_id", "month", "channel", "unit", "quantity", "amount")
OPTIONAL = ("tier_from", "tier_to", "unit_price")  # a vendor may say which tier a row bills
TOLERANCE = Decimal("0.01")
OTHER_TYPES = tuple(t for t in LINE_TYPES if t != USAGE)
TOTAL, TAX = "total", "tax"
# The reconciliation row of SPEC §5, then the tier and both prices of a usage row.
FIELDS = (
    "contract_id",
    "month",
    "channel",
    "unit",
    "status",
    "computed_quantity",
    "billed_quantity",
    "computed_amount",
    "billed_amount",
    "difference",
    "tier_from",
    "tier_to",
    "computed_unit_price",
    "billed_unit_price",
)


@dataclass(frozen=True)
class Billed:
    """One row (or the rows of one key added up) of the vendor's invoice."""

    channel: str
    unit: str
    quantity: Decimal | None
    amount: Decimal
    tier_from: Decimal | None = None
    unit_price: Decimal | None = None

    @property
    def price(self) -> Decimal | None:
        """The price the row bills at: its unit_price, or amount ÷ quantity."""
        if self.unit_price is not None:
            return self.unit_price
        return self.amount / self.quantity if self.quantity else None


@dataclass(frozen=True)
class _Cell:
    """Where a value came from, for error messages."""

    file: Path
    row: int
    column: str

    def error(self, problem: str, **values: object) -> VendorboardError:
        """The cell's error: `problem` names the label `problem.<problem>` of what is wrong."""
        wrong = VendorboardError.of(f"problem.{problem}", **values)
        return VendorboardError.of("error.cell", file=str(self.file), row=self.row, column=self.column, problem=wrong)


def read_vendor_invoice(path: Path) -> pl.DataFrame:
    """The file's rows as text, columns named in lower case, with `_row` (header = row 1)."""
    if not path.is_file():
        raise VendorboardError.of("error.vendor_invoice_missing", file=str(path))
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False)
        elif suffix == ".xlsx":
            frame = pl.read_excel(path, engine="openpyxl", infer_schema_length=0)
        else:
            raise VendorboardError.of("error.vendor_invoice_type", file=str(path))
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        raise unreadable(str(path), path, exc) from None
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise VendorboardError.of(
            "error.vendor_invoice_columns",
            file=str(path),
            missing=", ".join(repr(m) for m in missing),
            columns=", ".join(COLUMNS),
        )
    extra = [c for c in OPTIONAL if c in frame.columns]
    return (
        frame.select(*COLUMNS, *extra)
        .with_columns(pl.lit(None, pl.String).alias(c) for c in OPTIONAL if c not in extra)
        .with_row_index("_row", offset=2)
    )


def _decimal(text: str | None, cell: _Cell, required: bool) -> Decimal | None:
    if text is None or not text.strip():
        if required:
            raise cell.error("number_required")
        return None
    try:
        value = Decimal(text.strip())  # no thousands separators: is '12,50' 12.50 or 1250?
    except InvalidOperation:
        raise cell.error("not_a_number", value=text) from None
    if not value.is_finite():
        raise cell.error("not_a_number", value=text)
    return value


def _key(row: dict, at: Callable[[str], _Cell]) -> tuple[str, str]:
    """(channel, unit) of a vendor row under the keys of `Line.key`, or ('total', '')."""
    channel = (row["channel"] or "").strip().lower()
    unit = (row["unit"] or "").strip().lower()
    if channel == TOTAL:
        return TOTAL, ""
    if unit == TAX:
        return "-", TAX
    if unit in OTHER_TYPES:
        return "-", "credit" if unit == "credit_cap" else unit
    if channel not in CHANNELS:
        raise at("channel").error("not_a_channel", value=row["channel"], channels=", ".join(CHANNELS))
    if channel not in UNITS_BY_CHANNEL.get(unit, ()):
        units = ", ".join(u for u, chs in UNITS_BY_CHANNEL.items() if channel in chs)
        raise at("unit").error(
            "not_a_unit", value=row["unit"], channel=channel, units=units, others=", ".join(OTHER_TYPES)
        )
    return channel, unit


def billed_lines(path: Path, month: dt.date) -> dict[str, list[Billed]]:
    """{contract_id: its rows}: usage rows one by one (each may bill one tier), every other key's
    rows added up into one."""
    found: dict[str, list[Billed]] = {}
    for row in read_vendor_invoice(path).iter_rows(named=True):

        def at(column: str, row: dict = row) -> _Cell:
            return _Cell(path, row["_row"], column)

        contract = (row["contract_id"] or "").strip()
        if not contract:
            raise at("contract_id").error("contract_required")
        matched = re.fullmatch(r"\s*(\d{4})-(\d{2})(-01([ T]00:00(:00)?)?)?\s*", row["month"] or "")
        if not matched or matched.group(0).strip()[:7] != month_label(month):
            raise at("month").error("other_month", value=row["month"], month=month_label(month))
        channel, unit = _key(row, at)
        usage = channel not in ("-", TOTAL)
        line = Billed(
            channel,
            unit,
            _decimal(row["quantity"], at("quantity"), required=usage) if usage else None,
            _decimal(row["amount"], at("amount"), required=True),
            _decimal(row["tier_from"], at("tier_from"), required=False) if usage else None,
            _decimal(row["unit_price"], at("unit_price"), required=False) if usage else None,
        )
        rows = found.setdefault(contract, [])
        same = next((i for i, b in enumerate(rows) if not usage and (b.channel, b.unit) == (channel, unit)), None)
        if same is None:
            rows.append(line)
        else:
            rows[same] = replace(rows[same], amount=rows[same].amount + line.amount)
    return found


def _pair(ours: list[Line], theirs: list[Billed]) -> list[tuple[list[Line], Billed | None]]:
    """Our tier lines of one ladder against the vendor's rows of it (see the module docstring):
    (our lines, their row) pairs; our lines empty for a row we did not compute, their row None for a
    tier not billed, several of our lines when the vendor billed them as one."""
    left, rows, pairs = list(ours), list(theirs), []

    def take(row: Billed, line: Line) -> None:
        pairs.append(([line], row))
        left.remove(line)
        rows.remove(row)

    for row in [r for r in rows if r.tier_from is not None]:
        line = next((ln for ln in left if (ln.tier_from or 0) == row.tier_from), None)
        if line:
            take(row, line)
    for row in list(rows):
        same = [
            ln
            for ln in left
            if row.price is not None and abs(row.price - ln.unit_price) * (row.quantity or 1) <= TOLERANCE
        ]
        if len(same) == 1:
            take(row, same[0])
    if rows and len(rows) == len(left):
        for row, line in zip(list(rows), list(left)):
            take(row, line)
    if len(rows) == 1 and left:
        pairs.append((list(left), rows.pop()))
        left.clear()
    pairs += [([ln], None) for ln in left] + [([], row) for row in rows]
    order = {id(ln): i for i, ln in enumerate(ours)}
    return sorted(pairs, key=lambda p: min((order[id(ln)] for ln in p[0]), default=len(ours)))


def _row(
    contract_id: str,
    month: dt.date,
    channel: str | None,
    unit: str | None,
    ours: list[Line] | None,
    theirs: Billed | None,
    computed: tuple | None = None,
) -> dict:
    """One reconciliation row from our lines (or `computed` (quantity, amount) for fees, tax and
    total) and the vendor's row."""
    if ours:
        cq = sum((ln.quantity for ln in ours), Decimal(0)) if ours[0].type == USAGE else None
        computed = (cq, sum((ln.amount for ln in ours), Decimal("0.00")))
    (cq, ca), (bq, ba) = computed or (None, None), (theirs.quantity, theirs.amount) if theirs else (None, None)
    if computed is None:
        status = "unexpected"
    elif theirs is None:
        status = "missing"
    else:
        off = abs(ba - ca) > TOLERANCE or (cq is not None and bq is not None and abs(bq - cq) > TOLERANCE)
        status = "mismatch" if off else "match"
    one = ours[0] if ours and len(ours) == 1 and ours[0].type == USAGE else None
    return dict(
        zip(
            FIELDS,
            (
                contract_id,
                month_label(month),
                channel,
                unit,
                status,
                cq,
                bq,
                ca,
                ba,
                (ba or Decimal("0.00")) - (ca or Decimal("0.00")),
                one.tier_from if one else theirs.tier_from if theirs else None,
                one.tier_to if one else None,
                one.unit_price if one else None,
                _price(theirs),
            ),
        )
    )


def _price(row: Billed | None) -> Decimal | None:
    """The vendor's price of a usage row, to 6 places (amount ÷ quantity may not divide evenly)."""
    if row is None or row.quantity is None or row.price is None:
        return None
    return trimmed(row.price.quantize(Decimal("0.000001")), 2)


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
    """Per contract in the vendor file: its usage tier by tier, its other lines by type, the tax,
    then the total (rows in the shape of FIELDS)."""
    billed = billed_lines(Path(vendor_invoice), month)
    if not scope.everything:
        vendors_of(con, Path(vendor_invoice), sorted(billed), scope)
    rows = []
    for contract_id, theirs in billed.items():
        found = invoices(con, month, contract_id, scope=scope)
        invoice = found[0] if found else None
        lines = list(invoice.lines) if invoice else []
        usage_keys = list(
            dict.fromkeys(
                [(ln.channel, ln.unit) for ln in lines if ln.type == USAGE]
                + [(b.channel, b.unit) for b in theirs if b.channel not in ("-", TOTAL)]
            )
        )
        for channel, unit in usage_keys:
            ours = [ln for ln in lines if ln.type == USAGE and (ln.channel, ln.unit) == (channel, unit)]
            mine = [b for b in theirs if (b.channel, b.unit) == (channel, unit)]
            rows += [_row(contract_id, month, channel, unit, o, b) for o, b in _pair(ours, mine)]
        others = {k: v for k, v in by_key([ln for ln in lines if ln.type != USAGE]).items()}
        billed_other = {b.unit: b for b in theirs if b.channel == "-"}
        for unit in [*(u for _, u in others), *(u for u in billed_other if ("-", u) not in others and u != TAX)]:
            rows.append(_row(contract_id, month, None, unit, None, billed_other.get(unit), others.get(("-", unit))))
        total = next((b for b in theirs if b.channel == TOTAL), None)
        tax = billed_other.get(TAX)
        if tax is None and total is not None:  # what the vendor's total implies
            lines_sum = sum((b.amount for b in theirs if b.channel != TOTAL), Decimal("0.00"))
            tax = Billed("-", TAX, None, total.amount - lines_sum)
        if invoice or tax:
            rows.append(_row(contract_id, month, None, TAX, None, tax, (None, invoice.tax) if invoice else None))
        rows.append(_row(contract_id, month, TOTAL, None, None, total, (None, invoice.total) if invoice else None))
    return rows


def differing(rows: list[dict]) -> list[dict]:
    """The lines that differ (the total left out: it differs whenever a line does)."""
    return [r for r in rows if r["status"] != "match" and r["channel"] != TOTAL]


def what(row: dict, lang: str) -> str:
    """The line a reconciliation row compares, in words: 'Phone talk time, 0–10,000 min at 0.45
    (billed at 0.47)', 'Monthly fee', 'Tax', 'Total'."""
    if row["channel"] == TOTAL:
        return t("col.total", lang)
    if row["channel"] is None:
        return t("col.tax", lang) if row["unit"] == TAX else value_name("line", row["unit"], lang)
    text = usage_name(row["channel"], row["unit"], lang)
    if span := tiers(row["unit"], row["tier_from"], row["tier_to"], lang):
        text += f"{t('render.comma', lang)}{span}"
    ours, theirs = row["computed_unit_price"], row["billed_unit_price"]
    if ours is not None and (theirs is None or row["status"] == "match"):
        text += t("recon.price", lang, ours=price(ours, lang))
    elif theirs is not None:
        shown = "–" if ours is None else price(ours, lang)
        text += t("recon.prices", lang, ours=shown, theirs=price(theirs, lang))
    return text


def template(invoice: Invoice | None, contract_id: str, month: dt.date) -> list[dict]:
    """The vendor invoice's layout filled with our own lines of `contract_id` (tiers named by
    tier_from and unit_price, the tax and the total): a template to send the vendor, and what a
    matching invoice looks like."""
    base = {"contract_id": contract_id, "month": month_label(month)}
    rows = []
    for line in invoice.lines if invoice else ():
        usage = line.type == USAGE
        rows.append(
            {
                **base,
                "channel": line.channel if usage else "",
                "unit": line.unit if usage else "credit" if line.type == "credit_cap" else line.type,
                "quantity": line.quantity if usage else None,
                "amount": line.amount,
                "tier_from": line.tier_from if usage else None,
                "unit_price": line.unit_price if usage else None,
            }
        )
    if invoice:
        rows.append(
            {
                **base,
                "channel": "",
                "unit": TAX,
                "quantity": None,
                "amount": invoice.tax,
                "tier_from": None,
                "unit_price": None,
            }
        )
        rows.append(
            {
                **base,
                "channel": TOTAL,
                "unit": "",
                "quantity": None,
                "amount": invoice.total,
                "tier_from": None,
                "unit_price": None,
            }
        )
    return rows or [{**base, **dict.fromkeys(("channel", "unit", "quantity", "amount", "tier_from", "unit_price"))}]
