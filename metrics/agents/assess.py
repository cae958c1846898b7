"""What is asked of the agents' figures: one agent's month-over-month trend, the agents below a
target N months running (the "retrain or replace" list the contracts speak of), and the rows
behind one agent's figure.

Months run across a vendor's contracts: a renewal (a new contract of the same vendor) does not
break an agent's trend or a run of misses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import duckdb
import polars as pl

from metrics import catalog
from metrics.access import EVERY_VENDOR, Scope
from metrics.agents.figures import figure
from metrics.agents.measure import empty, figures, terms
from metrics.errors import VendorboardError
from metrics.periods import month_label, previous_month
from metrics.sla import facts
from metrics.sla.evidence import rows as evidence_rows
from metrics.sla.targets import check_contract, in_force
from metrics.sql import sql_text

RUN_KEYS = ("vendor_id", "agent_id", "channel", "metric")  # a target an agent can keep missing


def _months(month: dt.date, n: int) -> list[dt.date]:
    """`month` and the n - 1 months before it, oldest first."""
    found = [month]
    while len(found) < n:
        found.append(previous_month(found[-1]))
    return found[::-1]


def _vendor(con: duckdb.DuckDBPyConnection, contract_id: str, scope: Scope) -> str:
    check_contract(con, contract_id, scope=scope)
    contracts = catalog.contracts(con, scope=scope)
    return contracts.filter(pl.col("contract_id") == contract_id)["vendor_id"][0]


def trend(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str,
    agent_id: str,
    months: int = 6,
    *,
    scope: Scope = EVERY_VENDOR,
) -> pl.DataFrame:
    """The agent's figures (agents.figures) in each of the `months` months up to `month`, under
    whichever of the contract's vendor's contracts was active then; months without rows are absent,
    and not measured: a month no stored row counts in (catalog.months_with_rows, from the rows
    per day) has no figures, and measuring one from the rows costs up to a second at 10 M calls."""
    vendor_id = _vendor(con, contract_id, scope)
    stored = catalog.months_with_rows(con)
    frames = [
        figures(con, m, vendor_id=vendor_id, agent_id=agent_id, scope=scope)
        for m in _months(month, months)
        if m in stored
    ]
    return pl.concat([empty(), *frames], how="vertical_relaxed")


def below_target(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    months: int,
    contract_id: str | None = None,
    *,
    scope: Scope = EVERY_VENDOR,
) -> pl.DataFrame:
    """The agents (of one contract's vendor, or of every vendor) who missed a target on the same
    channel and metric in each of the `months` months up to `month`: their rows of `month` with
    `missed_since`, the first month of the run."""
    if months < 1:
        raise VendorboardError(f"--below-target must be a number of months, at least 1 (got {months})")
    vendor_id = _vendor(con, contract_id, scope) if contract_id is not None else None
    span = _months(month, months)
    missed = [
        figures(con, m, contract_id if m == month else None, vendor_id, scope=scope).filter(
            pl.col("verdict") == "missed"
        )
        for m in span
    ]
    runs = (
        pl.concat(missed, how="vertical_relaxed")
        .group_by(RUN_KEYS)
        .agg(pl.col("month").n_unique().alias("months"))
        .filter(pl.col("months") == months)
    )
    return (
        missed[-1]
        .join(runs.select(RUN_KEYS), on=list(RUN_KEYS), how="semi", nulls_equal=True)
        .with_columns(missed_since=pl.lit(month_label(span[0])))
    )


@dataclass(frozen=True)
class AgentFigure:
    """One agent's figure in one month, to drill into like a target (metrics/drilldown.py): the rows
    of the agent the figure is measured on, each `hit` / `miss` / `not_counted` against the contract's
    target, or `counted` / `not_counted` where the figure is not judged (`judged` False)."""

    month: dt.date
    contract_id: str
    agent_id: str
    channel: str | None
    metric: str
    threshold_seconds: Decimal | None = None
    clock: str | None = None
    judged: bool = False

    @property
    def statuses(self) -> tuple[str, ...]:
        return ("hit", "miss", "not_counted") if self.judged else ("counted", "not_counted")

    def rows(self, con: duckdb.DuckDBPyConnection, ordered: bool, scope: Scope) -> duckdb.DuckDBPyRelation:
        check_contract(con, self.contract_id, scope=scope)
        f = figure(self.metric, self.channel)
        measured = terms(f.channel, self.threshold_seconds, self.clock)
        if self.judged:  # the target itself, which `hit` compares with
            measured = next(
                (
                    t
                    for t in in_force(con, self.month, self.contract_id, scope=scope)
                    if t["metric"] == f.metric
                    and t["channel"] == self.channel
                    and (not f.uses_threshold or t["threshold_seconds"] == self.threshold_seconds)
                    and (not f.uses_clock or t["clock"] == self.clock)
                ),
                None,
            )
            if measured is None:
                raise VendorboardError(f"no {self.contract_id} {self.channel} {self.metric} target in force")
        rows = facts.relation(con, f.source, self.month, [self.contract_id], self.clock == "business")
        where = f"agent_id = {sql_text(self.agent_id)}"
        return evidence_rows(con, rows, f.expr, measured, ordered, where, self.judged)
