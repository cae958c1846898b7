"""The embedded default: an empty or missing database is loaded with sample_data/ on first start."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.ingest import sources_in_dir
from metrics.loading import ingest


def ensure_loaded(db: Path) -> bool:
    """Load the sample data set when `db` holds no vendors; True when it did."""
    if not store.is_empty(db):
        return False
    # named from the data set's folder (sample_data/calls/part-0001.csv), not the server's path to it
    found = sources_in_dir(SAMPLE_DATA)
    ingest(db, [replace(s, name=f"{SAMPLE_DATA.name}/{s.path.relative_to(SAMPLE_DATA)}") for s in found])
    return True
