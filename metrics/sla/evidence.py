"""Evidence: the rows behind one target, each with its own status (SPEC §3).

`hit` the row on its own meets the target (a call answered within the threshold, an e-mail
replied in time, a service hour fully covered); `miss` it counts against it; `not_counted` it is
outside the denominator (a short abandon, an unanswered call for ASA, a visit not completed).
Agent figures (metrics/agents/) use the same rows, filtered to one agent.
The result is a lazy DuckDB relation: page it with `.limit(n, offset)`, export it with `.pl()`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb

from metrics.access import EVERY_VENDOR, Scope
from metrics.errors import VendorboardError
from metrics.sla.definitions import Expr, render
from metrics.sla.definitions import metric as definition
from metrics.sla.facts import for_targets, source_of
from metrics.sla.targets import in_force


def evidence(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str,
    channel: str,
    metric: str,
    threshold_seconds: Decimal | float | None = None,
    clock: str | None = None,
    ordered: bool = True,
    *,
    scope: Scope = EVERY_VENDOR,
) -> duckdb.DuckDBPyRelation:
    """id, local_start, the measured quantities and status of every row the target is measured on,
    in time order (`ordered=False` skips the sort, for counts and bins over millions of rows).
    threshold_seconds and clock pick one target when a metric has several; a contract the scope
    does not see has none."""
    target = _one_target(con, month, contract_id, channel, metric, threshold_seconds, clock, scope)
    return rows(
        con, for_targets(con, source_of(target), month, [target]), definition(metric).expr(channel), target, ordered
    )


def rows(
    con: duckdb.DuckDBPyConnection,
    facts: str,
    e: Expr,
    terms: dict,
    ordered: bool = True,
    where: str = "true",
    judged: bool = True,
) -> duckdb.DuckDBPyRelation:
    """The evidence of definition `e` under `terms` over the facts relation `facts` (rows meeting the
    SQL condition `where`). Not `judged` (a figure without a target): counted rows are `counted`."""
    hit = f"WHEN coalesce({render(e.hit, terms)}, false) THEN 'hit' ELSE 'miss'" if judged else "ELSE 'counted'"
    return con.sql(f"""
        SELECT id, local_start, {render(e.measure, terms)},
               CASE WHEN NOT coalesce({render(e.counted, terms)}, false) THEN 'not_counted' {hit} END AS status
        FROM {facts} WHERE {where}
        {"ORDER BY local_start, id" if ordered else ""}""")


def _one_target(
    con: duckdb.DuckDBPyConnection,
    month: dt.date,
    contract_id: str,
    channel: str,
    name: str,
    threshold: Decimal | float | None,
    clock: str | None,
    scope: Scope,
) -> dict:
    definition(name)  # an unknown metric is an error of its own
    found = [
        t
        for t in in_force(con, month, contract_id, scope=scope)
        if t["channel"] == channel
        and t["metric"] == name
        and (threshold is None or t["threshold_seconds"] == Decimal(str(threshold)))
        and (clock is None or t["clock"] == clock)
    ]
    what = f"{contract_id} {channel} {name}"
    if not found:
        raise VendorboardError(f"no {what} target in force in {month:%Y-%m}")
    if len(found) > 1:
        raise VendorboardError(f"{what} has {len(found)} targets in force; give threshold_seconds and clock")
    return found[0]
