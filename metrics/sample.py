"""The embedded default: an empty or missing database is loaded with sample_data/ on first start."""

from __future__ import annotations

from pathlib import Path

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.ingest import sources_in_dir
from metrics.loading import ingest


def ensure_loaded(db: Path) -> bool:
    """Load the sample data set when `db` holds no vendors; True when it did."""
    if not store.is_empty(db):
        return False
    ingest(db, sources_in_dir(SAMPLE_DATA))
    return True
