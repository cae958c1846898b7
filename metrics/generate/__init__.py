"""Seeded sample data (SPEC section 8): four vendors under the four seed contracts, with calls,
chats, e-mails, visits and agent sessions following daily and weekly patterns, planted SLA
misses and a few bad rows per ingest reason code.

The same arguments give byte-identical files: every chunk draws from its own generator seeded
by (seed, table, vendor, chunk), so no chunk depends on another and memory stays bounded by the
chunk size whatever the volume.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import polars as pl

from metrics.domain import CHANNEL_OF_TABLE, DATED, SESSIONS

from .arrivals import Period
from .bad_rows import plant
from .contracts import (
    PART_TIME_VENDOR,
    SHARES,
    VENDOR,
    VENDORS,
    Vendor,
    miss_months,
    planted_misses,
    reference_tables,
)
from .interactions import MAKERS, Context, row_ids
from .sessions import agents_table, part_timers, roster, shift_sessions, weekly_sessions
from .writer import Writer

__all__ = ["generate"]

CHUNK_ROWS = 500_000
DEFAULT_PER_MONTH = {"calls": 8000, "chats": 3300, "emails": 1300, "visits": 330}
BAD_ROWS_STREAM = len(VENDORS)  # the generator key of the bad rows, after the vendors'


def _split(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Whole rows per vendor; the rounding remainder goes to the first (largest) vendor."""
    counts = {vendor: int(total * share) for vendor, share in shares.items()}
    counts[next(iter(shares))] += total - sum(counts.values())
    return counts


def generate(
    out_dir: Path,
    *,
    seed: int = 7,
    months: tuple[str, ...] = ("2026-08", "2026-09", "2026-10"),
    calls: int | None = None,
    chats: int | None = None,
    emails: int | None = None,
    visits: int | None = None,
    fmt: str = "csv",
    bad_rows: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Write a data directory (SPEC section 2 layout) into out_dir and return its manifest, also
    written as out_dir/MANIFEST.json.

    calls, chats, emails, visits: rows in total over all months and vendors; None is the small
    default of the committed sample_data. Bad rows are planted in CSV output only (Parquet is typed).
    progress(table, rows_done) is called after every chunk written.
    """
    period = Period.of(tuple(months))
    misses = planted_misses(period.months)
    requested = {"calls": calls, "chats": chats, "emails": emails, "visits": visits}
    for table, n in requested.items():
        if n is not None and (not isinstance(n, int) or n < 0):
            raise ValueError(f"{table} must be a non-negative number of rows, got {n!r}")
    volume = {
        (table, vendor): n
        for table, total in requested.items()
        for vendor, n in _split(
            DEFAULT_PER_MONTH[table] * len(period.months) if total is None else total, SHARES[table]
        ).items()
    }
    writer = Writer(out_dir, fmt, (*reference_tables(period.months), "agents", *DATED, SESSIONS))
    for table, frame in reference_tables(period.months).items():
        writer.write(table, frame)

    served = [(table, v) for v in VENDORS for table in DATED if v.vendor_id in SHARES[table]]
    rosters = {
        (v.vendor_id, table): roster(
            v.vendor_id,
            CHANNEL_OF_TABLE[table],
            volume[(table, v.vendor_id)],
            period,
            period.in_months(miss_months(misses, v.vendor_id, CHANNEL_OF_TABLE[table])),
        )
        for table, v in served
        if v.vendor_id != PART_TIME_VENDOR
    }
    pools = {(vendor, CHANNEL_OF_TABLE[table]): r.pool for (vendor, table), r in rosters.items()}
    pools[(PART_TIME_VENDOR, "chat")] = part_timers(volume[("chats", PART_TIME_VENDOR)], period)
    ctx = Context(period, misses, pools)
    staff = [agents_table(vendor, channel, n, period.months[0]) for (vendor, channel), n in pools.items()]
    writer.write("agents", pl.concat(staff).sort("vendor_id", "agent_id"))

    def interaction_chunks(t: int, table: str) -> Iterator[tuple[Vendor, pl.DataFrame, int]]:
        for v, vendor in enumerate(VENDORS):
            total = volume.get((table, vendor.vendor_id), 0)
            for c, first in enumerate(range(0, total, CHUNK_ROWS)):
                rng = np.random.default_rng([seed, t, v, c])
                yield vendor, MAKERS[table](rng, ctx, vendor, min(CHUNK_ROWS, total - first), first), total

    def session_chunks(t: int) -> Iterator[tuple[Vendor, pl.DataFrame, int]]:
        for v, vendor in enumerate(VENDORS):
            frames = []
            for c, table in enumerate(DATED):
                if (table, vendor) not in served:
                    continue
                rng = np.random.default_rng([seed, t, v, c])
                if vendor.vendor_id == PART_TIME_VENDOR:
                    miss = next((m.month for m in misses if "weekly_min_hours" in m.metrics), None)
                    frames.append(
                        weekly_sessions(rng, vendor.vendor_id, pools[(vendor.vendor_id, "chat")], period, miss)
                    )
                else:
                    frames.append(
                        shift_sessions(
                            rng, vendor.vendor_id, CHANNEL_OF_TABLE[table], period, rosters[(vendor.vendor_id, table)]
                        )
                    )
            sessions = pl.concat(frames).sort(["login_at", "agent_id"], maintain_order=True)
            sessions = sessions.select(row_ids(vendor, SESSIONS, 0, sessions.height).alias("session_id"), pl.all())
            for first in range(0, sessions.height, CHUNK_ROWS):
                yield vendor, sessions.slice(first, CHUNK_ROWS), sessions.height

    bad_counts: dict[str, dict[str, int]] = {}
    for t, table in enumerate((*DATED, SESSIONS)):
        chunks = session_chunks(t) if table == SESSIONS else interaction_chunks(t, table)
        for vendor, frame, vendor_rows in chunks:
            bad = None
            if bad_rows and fmt == "csv" and table not in bad_counts and frame.height:
                rng = np.random.default_rng([seed, t, BAD_ROWS_STREAM])
                bad, bad_counts[table] = plant(rng, table, frame, vendor, vendor_rows)
            writer.write(table, frame, bad)
            if progress:
                progress(table, writer.rows[table])

    manifest = {
        "seed": seed,
        "months": list(period.months),
        "rows": writer.rows,
        "bad_rows": bad_counts,
        "planted_misses": [
            {"contract_id": VENDOR[m.vendor_id].contract_id, "month": m.month, "channel": m.channel, "metric": metric}
            for m in misses
            for metric in m.metrics
        ],
    }
    (Path(out_dir) / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest
