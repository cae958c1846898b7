"""`ingest` and `retry`: one run of loading data, as one atomic write of the rows and of the month
rollups they move, so a rollup is never older than its rows.

Ingest (metrics/ingest) stores rows and says which months and tables a run touched; the rollups
(metrics/rollup.py) are sums the SLA and billing engines compute from those rows. Both meet here,
above either, so no lower layer imports a higher one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from metrics import rollup
from metrics.access import Principal
from metrics.audit import Change
from metrics.ingest import Derivation, IngestReport, Progress, Source, Then, Touched, run
from metrics.ingest import retry as retry_rows
from metrics.ingest.tables import INTERACTIONS
from metrics.ingest.validate import Plausible


def ingest(
    db: Path,
    sources: Sequence[Source],
    progress: Progress | None = None,
    derived: Sequence[Derivation] = (),
    *,
    plausible: Plausible | None = None,
    max_rejected: float | None = None,
    by: Principal | None = None,
    audit_as: Change | None = None,
) -> IngestReport:
    """Load `sources` and the rows `derived` from platform exports (metrics/imports) into the
    database at `db` and refresh the rollups of the months they touch, in one transaction, recorded
    in the audit trail as `by`'s (metrics.ingest.run); nothing changes on error. `plausible`: the
    window every timestamp must fall in; `max_rejected`: a table with a larger share of rejected
    rows fails the run."""
    files = len(sources) + sum(len(d.files) for d in derived)
    return run(
        db,
        sources,
        _refresh(progress, files),
        progress,
        derived,
        plausible=plausible,
        max_rejected=max_rejected,
        by=by,
        audit_as=audit_as,
    )


def retry(
    db: Path, progress: Progress | None = None, *, plausible: Plausible | None = None, by: Principal | None = None
) -> IngestReport:
    """Load the quarantined rows that pass against the reference data stored now (metrics/ingest
    `retry`) and refresh the rollups of the months they touch, in one transaction, recorded in the
    audit trail as `by`'s."""
    return retry_rows(db, _refresh(progress, len(INTERACTIONS)), progress, plausible=plausible, by=by)


def _refresh(progress: Progress | None, total: int) -> Then:
    def refresh(con: duckdb.DuckDBPyConnection, touched: Touched) -> None:
        if progress and touched:
            progress(f"summing up {len(touched)} month(s)", total, total)
        rollup.refresh(con, touched)

    return refresh
