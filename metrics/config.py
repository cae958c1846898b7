"""Where the embedded database lives: `--db`, else `VENDORBOARD_DB`, else `./vendorboard.duckdb`."""

import os
from pathlib import Path

DEFAULT_DB = "vendorboard.duckdb"
SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    return Path(explicit or os.environ.get("VENDORBOARD_DB") or DEFAULT_DB)
