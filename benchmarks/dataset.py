"""The benchmark's data sets and databases, generated once and cached in `bench_data/` (git-ignored).

A data set is the project's seeded generator run for one month at a given volume; it is made again
when the generator's parameters or its code change. A database is that data set ingested by
vendorboard; it is made again when the data set, the ingest code or the schema change. Each cached
item has a stamp file beside it saying what it was made from.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from metrics.ingest import sources_in_dir
from metrics.ingest.tables import REFERENCE
from metrics.loading import ingest

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench_data"
VENDORBOARD = str(Path(sys.executable).parent / "vendorboard")
MONTH = "2026-10"
SEED = 7


@dataclass(frozen=True)
class Volume:
    """Rows of each interaction table for one month (agent sessions follow from the generator)."""

    calls: int
    chats: int
    emails: int
    visits: int

    @property
    def name(self) -> str:
        return f"{self.calls / 1e6:g}M"

    def scaled(self, calls: int) -> Volume:
        """The same mix with `calls` calls."""
        f = calls / self.calls
        return Volume(calls, round(self.chats * f), round(self.emails * f), round(self.visits * f))


FULL = Volume(calls=10_000_000, chats=2_000_000, emails=1_000_000, visits=100_000)


def code_hash(*patterns: str) -> str:
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached(target: Path, stamp: dict, make: Callable[[], None]) -> Path:
    """`target`, made by `make()` unless its stamp file says it was made from `stamp` already."""
    stamp_file = target.with_name(target.name + ".stamp.json")
    if target.exists() and stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return target
    stamp_file.unlink(missing_ok=True)
    if target.is_dir():
        shutil.rmtree(target)
    target.unlink(missing_ok=True)
    make()
    stamp_file.write_text(json.dumps(stamp, indent=1) + "\n")
    return target


def data_stamp(volume: Volume) -> dict:
    # No bad rows: DuckDB's own CSV reader (the ingest baseline) stops at the first one.
    return {
        **asdict(volume),
        "month": MONTH,
        "seed": SEED,
        "format": "csv",
        "bad_rows": False,
        "generator": code_hash("metrics/generate/*.py"),
    }


def data_set(volume: Volume, log: Callable[[str], None]) -> Path:
    """The generated data directory of `volume`."""
    target = CACHE / f"data-{volume.name}"

    def make() -> None:
        log(f"generating {volume.name} calls data set (cached in {target.relative_to(ROOT)})")
        subprocess.run(
            [
                VENDORBOARD,
                "generate",
                str(target),
                "--seed",
                str(SEED),
                "--months",
                MONTH,
                "--calls",
                str(volume.calls),
                "--chats",
                str(volume.chats),
                "--emails",
                str(volume.emails),
                "--visits",
                str(volume.visits),
                "--format",
                "csv",
                "--no-bad-rows",
                "--no-vendor-invoices",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    return cached(target, data_stamp(volume), make)


def db_stamp(volume: Volume, what: str) -> dict:
    return {
        "data": data_stamp(volume),
        "what": what,
        "ingest": code_hash(
            "metrics/ingest/*.py",
            "metrics/domain.py",
            "metrics/loading.py",
            "metrics/sql.py",
            "metrics/schema/*.sql",
            "metrics/store.py",
            # what ingest's rollups are computed with
            "metrics/rollup.py",
            "metrics/agents/*.py",
            "metrics/sla/*.py",
            "metrics/billing/*.py",
            "metrics/service_hours.py",
        ),
    }


def calls_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "calls").glob("*.csv"))


def reference_db(volume: Volume, log: Callable[[str], None]) -> Path:
    """A database holding only the data set's reference tables (vendors, contracts, rates, ...)."""
    data = data_set(volume, log)
    target = CACHE / f"reference-{volume.name}.duckdb"
    return cached(
        target,
        db_stamp(volume, "reference"),
        lambda: ingest(target, [s for s in sources_in_dir(data) if s.kind in REFERENCE]),
    )


def full_db(volume: Volume, log: Callable[[str], None], with_calls: Path | None = None) -> Path:
    """The whole data set ingested. `with_calls`: a database holding its reference tables and
    calls already (an ingest benchmark run's result), finished instead of starting afresh."""
    data = data_set(volume, log)
    target = CACHE / f"full-{volume.name}.duckdb"

    def make() -> None:
        log(f"ingesting the {volume.name} calls data set (cached in {target.relative_to(ROOT)})")
        sources = sources_in_dir(data)
        if with_calls is not None:
            shutil.copyfile(with_calls, target)
            sources = [s for s in sources if s.kind not in (*REFERENCE, "calls")]
        ingest(target, sources)

    return cached(target, db_stamp(volume, "full"), make)


def is_cached(volume: Volume) -> bool:
    stamp = CACHE / f"full-{volume.name}.duckdb.stamp.json"
    return stamp.exists() and json.loads(stamp.read_text()) == db_stamp(volume, "full")


__all__ = [
    "CACHE",
    "FULL",
    "MONTH",
    "VENDORBOARD",
    "Volume",
    "calls_files",
    "data_set",
    "full_db",
    "is_cached",
    "reference_db",
]
