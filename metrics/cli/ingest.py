"""`vendorboard ingest DIR` / `vendorboard ingest --kind KIND FILE...`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, to_csv, to_json, to_table
from metrics.errors import VendorboardError
from metrics.ingest import IngestReport, Source, sources_in_dir
from metrics.ingest.tables import LOAD_ORDER
from metrics.loading import ingest


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="a data directory, or files with --kind")],
    kind: Annotated[str | None, typer.Option(help=f"table of the files: {', '.join(LOAD_ORDER)}")] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Load data: every file under a data directory's known folders, or single files of one kind."""
    if kind is None:
        if len(paths) != 1:
            raise VendorboardError("give one data directory, or --kind KIND with one or more files")
        sources = sources_in_dir(paths[0])
    else:
        sources = [Source(kind, p) for p in paths]
    report = _run(ctx.obj, sources)
    if fmt is Format.json:
        emit(to_json(report.as_dict()), out)
    else:
        rows = _rows(report)
        emit(to_csv(rows) if fmt is Format.csv else to_table(rows, "ingest") + _out_of_contract(report), out)


def _run(db: Path, sources: list[Source]) -> IngestReport:
    if not sys.stderr.isatty():
        return ingest(db, sources)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    ) as bar:
        task = bar.add_task("ingest", total=len(sources))
        return ingest(db, sources, lambda msg, done, total: bar.update(task, description=msg, completed=done))


def _rows(report: IngestReport) -> list[dict]:
    return [
        {
            "table": t,
            "loaded": c.loaded,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "rejected": c.rejected,
            "rejected_by_reason": ", ".join(f"{r}: {n}" for r, n in sorted(c.rejected_by_reason.items())),
        }
        for t, c in report.tables.items()
    ]


def _out_of_contract(report: IngestReport) -> str:
    found = {t: n for t, n in report.out_of_contract.items() if n}
    if not found:
        return ""
    return "out of contract (not billed): " + ", ".join(f"{t} {n}" for t, n in found.items()) + "\n"
