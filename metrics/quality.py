"""Data-quality checks per contract and month: is the data behind a month's figures complete enough
to sign? Each check is defined once here; `vendorboard check`, the warnings of `sla`, `invoice` and
`report`, the pages, the PDF and the finalize gate all call `findings` (docs/quality.md).

- `quarantined`: rows rejected at ingest and dated in the month (data_health.dated_quarantine_sql),
  per table and reason, with their share of the month's rows of that table (stored + rejected);
  an `error` when a table's rejected share reaches `quarantined_error_share`.
- `undated_quarantine`: rejected rows of the contract's vendor (or of no known vendor) whose raw
  row has no readable date: they may belong to this month.
- `empty_days`: days inside a channel's service hours without any interaction of the channel, for
  channels with an interaction target or a usage rate; an `error` at `empty_days_error_share`.
- `no_sessions`: a channel billed by the hour or with a coverage target but no agent session on it
  in the month (a weekly-hours target: no session at all).
- `out_of_contract`: interactions of the contract's vendor in the month that no contract covers
  (not billed); an `error` at `out_of_contract_error_share` of the vendor's rows.
- `no_data`: no interaction and no agent session at all: the invoice bills fees only and every
  target is no data. It stands in for `empty_days` and `no_sessions`, which it explains.
- `drift`: the finalized invoice differs from a fresh computation (rows loaded or corrected after
  finalizing), given the invoices with their drift (billing.with_drift).

Severity: `error` blocks finalizing (unless finance accepts the findings with a reason), `warning`
does not. The thresholds are `Thresholds`, overridden by the TOML file `$VENDORBOARD_QUALITY` names.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb

from metrics import catalog, store
from metrics.access import EVERY_VENDOR, Scope
from metrics.billing import Drift, Invoice, with_drift
from metrics.billing.rates import IN_FORCE
from metrics.data_health import dated_quarantine_sql, month_rows_sql
from metrics.domain import CHANNEL, CHANNEL_OF_TABLE, DATED, SESSIONS
from metrics.errors import VendorboardError
from metrics.i18n import money, percent, t, value_name
from metrics.periods import month_label, next_month, parse_month
from metrics.service_hours import windows_sql
from metrics.sla.definitions import METRICS
from metrics.sla.targets import check_contract, targets_sql

CHECKS = ("quarantined", "undated_quarantine", "empty_days", "no_sessions", "out_of_contract", "no_data", "drift")
SEVERITIES = ("error", "warning")
CONFIG_ENV = "VENDORBOARD_QUALITY"
SESSION_SOURCES = {m.name: m.source for m in METRICS.values() if m.source}  # coverage_rate, weekly_min_hours


@dataclass(frozen=True)
class Thresholds:
    """When a finding is an `error` rather than a `warning` (docs/quality.md lists them)."""

    quarantined_error_share: Decimal = Decimal("0.005")  # 0.5 % of a table's rows of the month rejected
    empty_days_error_share: Decimal = Decimal("0.5")  # half a channel's service days without interactions
    out_of_contract_error_share: Decimal = Decimal("0.005")  # 0.5 % of the vendor's rows outside every contract
    undated_quarantine: str = "warning"
    no_sessions: str = "error"
    no_data: str = "warning"
    drift: str = "warning"


def thresholds(path: str | os.PathLike | None = None) -> Thresholds:
    """The defaults, with the settings of the TOML file `path` (default: `$VENDORBOARD_QUALITY`)."""
    path = path or os.environ.get(CONFIG_ENV)
    if not path:
        return Thresholds()
    try:
        settings = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise VendorboardError(f"{CONFIG_ENV} {path}: cannot read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise VendorboardError(f"{CONFIG_ENV} {path}: not a TOML file ({exc})") from None
    known = {f.name: f for f in fields(Thresholds)}
    chosen: dict[str, Any] = {}
    for key, value in settings.items():
        if key not in known:
            raise VendorboardError(f"{path}: unknown setting '{key}' (expected one of {', '.join(known)})")
        if key.endswith("_share"):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise VendorboardError(f"{path}: {key} must be a share from 0 to 1 (got {value!r})")
            chosen[key] = Decimal(str(value))
        elif value not in SEVERITIES:
            raise VendorboardError(f"{path}: {key} must be 'error' or 'warning' (got {value!r})")
        else:
            chosen[key] = value
    return Thresholds(**chosen)


@dataclass(frozen=True)
class Finding:
    """One data-quality finding of a contract (None: rows of no known vendor) in a month.

    `rows` counts what the check found (rejected rows, empty days, out-of-contract rows, drifted
    lines) of `of` (the month's rows of the table, or the service days) where a share applies;
    `detail` is the days (empty_days), the needs (no_sessions: codes such as `rate:hour`) or the
    total's change (drift)."""

    check: str
    severity: str
    contract_id: str | None
    vendor_id: str | None
    month: dt.date
    channel: str | None = None
    table: str | None = None
    reason: str | None = None
    rows: int = 0
    of: int | None = None
    detail: str | None = None

    @property
    def share(self) -> Decimal | None:
        if not self.of:
            return None
        return (Decimal(self.rows) / Decimal(self.of)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self, lang: str = "en") -> str:
        """One line in `lang` saying what was found."""
        table = value_name("table", self.table, lang)
        detail = self.detail or ""
        if self.check == "no_sessions":
            detail = ", ".join(t(f"quality.needs.{need}", lang) for need in detail.split(","))
        elif self.check in ("quarantined", "undated_quarantine"):  # counts by reason, or by table
            names = "reason" if self.check == "quarantined" else "table"
            detail = t("render.semicolon", lang).join(
                f"{value_name(names, name, lang)}{t('render.colon', lang)}{int(n):,}"
                for name, n in (p.split(":") for p in detail.split(","))
            )
        return t(
            f"quality.{self.check}",
            lang,
            rows=f"{self.rows:,}",
            of=f"{self.of or 0:,}",
            share=percent(self.share, 2) if self.share is not None else "",
            table=table,
            reason=value_name("reason", self.reason, lang),
            channel=value_name("channel", self.channel or "any", lang),
            vendor=self.vendor_id or "",
            detail=detail,
        )

    def as_dict(self) -> dict:
        """The JSON object of `vendorboard check` (the message in English)."""
        found = asdict(self)
        found["month"] = month_label(self.month)
        return {**found, "share": self.share, "message": self.message()}

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        """A finding as `as_dict` wrote it (stored with a finalized invoice)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names} | {"month": parse_month(data["month"])})


def to_json(found: Sequence[Finding]) -> str:
    return json.dumps([{**f.as_dict(), "share": None if f.share is None else str(f.share)} for f in found])


def errors(found: Iterable[Finding]) -> list[Finding]:
    return [f for f in found if f.is_error]


def touches(finding: Finding, channel: str, metric: str) -> bool:
    """Whether `finding` makes the figure of a target (its channel and metric) doubtful: rows of the
    channel's interactions for interaction metrics, agent sessions for the session metrics (on the
    channel, or any for weekly hours), undated rejections and a month without data for every one."""
    if finding.check in ("undated_quarantine", "no_data"):
        return True
    if finding.check == "drift":
        return False
    on_sessions = metric in SESSION_SOURCES
    if finding.table == SESSIONS:
        return on_sessions and finding.channel in (None, channel)
    return not on_sessions and finding.channel == channel


def findings(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str | None = None,
    limits: Thresholds | None = None,
    invoices: Sequence[tuple[Invoice, Sequence[Drift]]] | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> list[Finding]:
    """Every finding of the contracts of the scope active in `month` (or of the one contract),
    errors first; rejected rows of no known vendor only for a scope of every vendor. `invoices`:
    billing.with_drift's (invoice, drift) pairs of the month for the drift check, when the caller
    has them (else they are computed)."""
    if contract_id is not None:
        check_contract(con, contract_id, scope=scope)
    limits = limits or thresholds()
    active = catalog.contracts(con, month, scope=scope)
    if contract_id is not None:
        active = active.filter(active["contract_id"] == contract_id)
    vendor_of = dict(zip(active["contract_id"], active["vendor_id"]))
    if not vendor_of:
        return []
    params = {"m": month, "e": next_month(month), "c": contract_id}
    rows = _month_rows(con, month, contract_id, scope)
    found = _quarantined(con, month, vendor_of, rows, limits, params, contract_id is None, scope)
    found += _out_of_contract(month, vendor_of, rows, limits)
    sessions = _sessions(con, params, scope)
    empty = {c for c in vendor_of if not any(k[1] == c for k in rows) and not sessions.get(vendor_of[c])}
    found += [Finding("no_data", limits.no_data, c, vendor_of[c], month) for c in sorted(empty)]
    found += _coverage(con, month, sorted(set(vendor_of) - empty), vendor_of, rows, sessions, limits, params)
    if invoices is None:
        invoices = with_drift(con, month, contract_id, scope=scope)
    found += _drift(month, invoices, limits, set(vendor_of))
    order = {c: i for i, c in enumerate(CHECKS)}
    return sorted(
        found,
        key=lambda f: (not f.is_error, f.contract_id or "", order[f.check], f.table or "", f.channel or "", -f.rows),
    )


# ---- the checks --------------------------------------------------------------------------------


def _month_rows(
    con: duckdb.DuckDBPyConnection, month: dt.date, contract_id: str | None, scope: Scope
) -> dict[tuple, int]:
    """{(table, contract_id or None, vendor_id, local day): rows} of the month's interactions and
    agent sessions (data_health.month_rows_sql) of the vendors in scope: from the month's rollup
    when it has one, else counted from the rows."""
    rows = "row_rollup" if store.rolled_up(con, month) else month_rows_sql(month)
    found = con.execute(
        f"""SELECT table_name, contract_id, vendor_id, day, sum(rows)::BIGINT FROM {rows}
            WHERE {"month = $m AND " if rows == "row_rollup" else ""}
                  vendor_id IN (SELECT vendor_id FROM contracts WHERE $c IS NULL OR contract_id = $c)
                  AND {scope.vendor_filter()}
            GROUP BY ALL""",
        {"c": contract_id, **({"m": month} if rows == "row_rollup" else {})},
    ).fetchall()
    return {tuple(r[:4]): r[4] for r in found}


def _sessions(con: duckdb.DuckDBPyConnection, params: dict, scope: Scope) -> dict[str, set[str]]:
    """{vendor_id: channels with an agent session overlapping the vendor's local month}."""
    found: dict[str, set[str]] = defaultdict(set)
    for vendor, channel in con.execute(
        f"""SELECT DISTINCT s.vendor_id, s.channel FROM {SESSIONS} s JOIN vendors v USING (vendor_id)
           WHERE s.vendor_id IN (SELECT vendor_id FROM contracts WHERE $c IS NULL OR contract_id = $c)
             AND {scope.vendor_filter("s.vendor_id")}
             AND s.login_at < timezone(v.timezone, $e::TIMESTAMP)
             AND s.logout_at > timezone(v.timezone, $m::TIMESTAMP)""",
        {k: params[k] for k in ("m", "e", "c")},
    ).fetchall():
        found[vendor].add(channel)
    return found


def _share_error(rows: int, of: int, share: Decimal) -> str:
    return "error" if of and Decimal(rows) >= share * Decimal(of) else "warning"


def _quarantined(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    vendor_of: dict[str, str],
    rows: dict[tuple, int],
    limits: Thresholds,
    params: dict,
    every_contract: bool,
    scope: Scope,
) -> list[Finding]:
    """Rejected rows dated in the month, per contract, table and reason; and the undated ones (of
    no known vendor too, when every contract of every vendor is asked for)."""
    everything = every_contract and scope.everything
    rejected = con.execute(
        f"""SELECT table_name, reason, CASE WHEN vendor_known THEN vendor_id END, contract_id,
                   local_start IS NOT NULL, count(*)
            FROM {dated_quarantine_sql()}
            WHERE (local_start IS NULL OR (local_start >= $m AND local_start < $e))
              AND ({scope.vendor_filter()} OR (vendor_id IS NULL AND {scope.shared_filter()}))
            GROUP BY ALL ORDER BY ALL""",
        {k: params[k] for k in ("m", "e")},
    ).fetchall()
    stored: dict[tuple[str, str], int] = defaultdict(int)
    for (table, contract, _, _), n in rows.items():
        stored[table, contract] += n
    dated: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    undated: dict[str | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # vendor -> table -> rows
    for table, reason, vendor, contract, is_dated, n in rejected:
        if not is_dated:
            undated[vendor][table] += n
        elif contract in vendor_of:
            dated[contract, table].append((reason, n))
    found = [
        Finding(
            "undated_quarantine",
            limits.undated_quarantine,
            contract,
            vendor,
            month,
            rows=sum(tables.values()),
            detail=",".join(f"{table}:{n}" for table, n in tables.items()),
        )
        for vendor, tables in undated.items()
        for contract in ([c for c, v in vendor_of.items() if v == vendor] if vendor else [None] if everything else [])
    ]
    for (contract, table), reasons in dated.items():
        total = sum(n for _, n in reasons)
        of = stored[table, contract] + total
        reasons.sort(key=lambda r: (-r[1], r[0]))
        found.append(
            Finding(
                "quarantined",
                _share_error(total, of, limits.quarantined_error_share),
                contract,
                vendor_of[contract],
                month,
                CHANNEL_OF_TABLE.get(table),
                table,
                reasons[0][0] if len(reasons) == 1 else None,
                total,
                of,
                ",".join(f"{reason}:{n}" for reason, n in reasons),
            )
        )
    return found


def _out_of_contract(
    month: dt.date, vendor_of: dict[str, str], rows: dict[tuple, int], limits: Thresholds
) -> list[Finding]:
    """The vendor's interactions of the month that no contract covers, on each of its contracts."""
    outside: dict[tuple[str, str], int] = defaultdict(int)
    every: dict[tuple[str, str], int] = defaultdict(int)
    for (table, contract, vendor, _), n in rows.items():
        if table not in DATED:
            continue  # sessions belong to the vendor, not to a contract
        every[vendor, table] += n
        if contract is None:
            outside[vendor, table] += n
    return [
        Finding(
            "out_of_contract",
            _share_error(n, every[vendor, table], limits.out_of_contract_error_share),
            contract,
            vendor,
            month,
            CHANNEL_OF_TABLE[table],
            table,
            rows=n,
            of=every[vendor, table],
        )
        for (vendor, table), n in sorted(outside.items())
        for contract, v in vendor_of.items()
        if v == vendor
    ]


def _coverage(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_ids: list[str],
    vendor_of: dict[str, str],
    rows: dict[tuple, int],
    sessions: dict[str, set[str]],
    limits: Thresholds,
    params: dict,
) -> list[Finding]:
    """empty_days and no_sessions for the channels the contracts' targets and rates need data on."""
    if not contract_ids:
        return []
    needs = con.execute(
        f"""SELECT contract_id, channel, 'target:' || metric FROM ({targets_sql(month, None)})
            WHERE contract_id IN (SELECT unnest($ids))
            UNION SELECT r.contract_id, r.channel, 'rate:' || r.unit FROM rates r
            WHERE r.contract_id IN (SELECT unnest($ids)) AND {IN_FORCE}
            ORDER BY ALL""",
        {"ids": contract_ids, "month": params["m"]},
    ).fetchall()
    interactions: dict[str, set[str]] = defaultdict(set)  # contract -> channels needing interactions
    staffed: dict[tuple[str, str | None], list[str]] = defaultdict(list)  # (contract, channel or any) -> needs
    for contract, channel, need in needs:
        kind, name = need.split(":")
        source = SESSION_SOURCES.get(name) if kind == "target" else ("coverage" if name == "hour" else None)
        if source is None:
            interactions[contract].add(channel)
        else:
            staffed[contract, channel if source == "coverage" else None].append(need)
    found = [
        Finding(
            "no_sessions",
            limits.no_sessions,
            contract,
            vendor_of[contract],
            month,
            channel,
            SESSIONS,
            detail=",".join(sorted(set(why))),
        )
        for (contract, channel), why in staffed.items()
        if not (
            sessions.get(vendor_of[contract], set())
            if channel is None
            else {channel} & sessions.get(vendor_of[contract], set())
        )
    ]
    served = con.execute(
        f"""SELECT contract_id, channel, list(DISTINCT local_date ORDER BY local_date)
            FROM ({windows_sql(month, next_month(month), contract_ids)}) WHERE end_at > start_at GROUP BY ALL""",
    ).fetchall()
    for contract, channel, days in served:
        if channel not in interactions[contract]:
            continue
        table = CHANNEL[channel].table
        missing = [d for d in days if (table, contract, vendor_of[contract], d) not in rows]
        if missing:
            severity = _share_error(len(missing), len(days), limits.empty_days_error_share)
            found.append(
                Finding(
                    "empty_days",
                    severity,
                    contract,
                    vendor_of[contract],
                    month,
                    channel,
                    table,
                    rows=len(missing),
                    of=len(days),
                    detail=_days(missing),
                )
            )
    return found


def _days(days: list[dt.date]) -> str:
    """Dates as runs: '10-01–10-03, 10-07'."""
    runs: list[list[dt.date]] = []
    for d in days:
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(f"{r[0]:%m-%d}" + (f"–{r[-1]:%m-%d}" if len(r) > 1 else "") for r in runs)


def _drift(
    month: dt.date, invoices: Sequence[tuple[Invoice, Sequence[Drift]]], limits: Thresholds, contracts: set[str]
) -> list[Finding]:
    found = []
    for invoice, moved in invoices:
        if moved and invoice.contract_id in contracts:
            change = moved[-1].difference
            found.append(
                Finding(
                    "drift",
                    limits.drift,
                    invoice.contract_id,
                    invoice.vendor_id,
                    month,
                    rows=len(moved) - 1,
                    detail=f"{'+' if change > 0 else ''}{money(change, invoice.currency)}",
                )
            )
    return found
