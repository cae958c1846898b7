"""`ingest`: one run of loading data, as one atomic write of the rows and of the month rollups they
move, so a rollup is never older than its rows.

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
from metrics.ingest import Derivation, IngestReport, Progress, Source, Touched, run


def ingest(
    db: Path,
    sources: Sequence[Source],
    progress: Progress | None = None,
    derived: Sequence[Derivation] = (),
    *,
    by: Principal | None = None,
    audit_as: Change | None = None,
) -> IngestReport:
    """Load `sources` and the rows `derived` from platform exports (metrics/imports) into the
    database at `db` and refresh the rollups of the months they touch, in one transaction, recorded
    in the audit trail as `by`'s (metrics.ingest.run); nothing changes on error."""
    files = len(sources) + sum(len(d.files) for d in derived)

    def refresh(con: duckdb.DuckDBPyConnection, touched: Touched) -> None:
        if progress and touched:
            progress(f"summing up {len(touched)} month(s)", files, files)
        rollup.refresh(con, touched)

    return run(db, sources, refresh, progress, derived, by=by, audit_as=audit_as)
