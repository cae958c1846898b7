"""The files of the data directory: one file per chunk under each table's folder.

CSV carries times as vendors' systems export them: naive local time with milliseconds, and one
row in a hundred with an explicit offset (UTC "Z" or "+08:00") for the same instant. Parquet keeps
the types (timestamps as naive local time), so it cannot carry the bad rows' unparseable values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from .contracts import TIMEZONE

NAIVE = "%Y-%m-%d %H:%M:%S%.3f"
OFFSET_EVERY = 200
OFFSET_STYLES = ((37, "UTC", "%Y-%m-%dT%H:%M:%S%.3fZ"), (137, TIMEZONE, "%Y-%m-%dT%H:%M:%S%.3f%:z"))
FORMATS = ("csv", "parquet")


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as the text that goes into the CSV (null stays null and is written empty)."""
    columns = []
    for name, dtype in frame.schema.items():
        series = frame[name]
        if dtype != pl.Datetime("ms"):
            columns.append(series.cast(pl.String))
            continue
        text = series.dt.strftime(NAIVE)
        for first, zone, style in OFFSET_STYLES:
            rows = np.arange(first, frame.height, OFFSET_EVERY)
            local = series.gather(rows).dt.replace_time_zone(TIMEZONE)
            text = text.scatter(rows, local.dt.convert_time_zone(zone).dt.strftime(style))
        columns.append(text)
    return pl.DataFrame(columns)


def _interleave(text: pl.DataFrame, bad: pl.DataFrame) -> pl.DataFrame:
    """Spread the bad rows evenly through the file, as they would turn up in a real export."""
    after = np.linspace(0, text.height, bad.height + 2)[1:-1].astype(np.int64)
    order = pl.Series("_order", np.concatenate([np.arange(text.height) * 2, after * 2 - 1]))
    return pl.concat([text, bad]).with_columns(order).sort("_order", maintain_order=True).drop("_order")


class Writer:
    """Numbers the parts of each table (part-0001, ...) and counts the rows written."""

    def __init__(self, out_dir: Path, fmt: str, tables: tuple[str, ...]):
        if fmt not in FORMATS:
            raise ValueError(f"fmt must be one of {FORMATS}, got {fmt!r}")
        self.out_dir, self.fmt = Path(out_dir), fmt
        self.rows = dict.fromkeys(tables, 0)
        self._parts = dict.fromkeys(tables, 0)
        for table in tables:  # a smaller rerun must not leave parts of a bigger one behind
            folder = self.out_dir / table
            folder.mkdir(parents=True, exist_ok=True)
            for stale in sorted(folder.glob("part-*")):
                if stale.suffix in (".csv", ".parquet"):
                    stale.unlink()

    def write(self, table: str, frame: pl.DataFrame, bad: pl.DataFrame | None = None) -> None:
        """bad: rows already as text (CSV only), mixed into this part."""
        self._parts[table] += 1
        path = self.out_dir / table / f"part-{self._parts[table]:04d}.{self.fmt}"
        if self.fmt == "parquet":
            frame.write_parquet(path)
        else:
            frame = as_text(frame) if bad is None else _interleave(as_text(frame), bad)
            frame.write_csv(path)
        self.rows[table] += frame.height
