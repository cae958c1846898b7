"""`vendorboard ingest DIR` / `vendorboard ingest --kind KIND FILE...` / `vendorboard ingest --from PROFILE
--vendor V FILE...` / `vendorboard ingest --mapping FILE --vendor V FILE...`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, to_csv, to_json, to_table
from metrics.errors import VendorboardError
from metrics.ingest import Derivation, IngestReport, Source, sources_in_dir
from metrics.ingest.tables import LOAD_ORDER
from metrics.loading import ingest


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="a data directory, or files with --kind")],
    kind: Annotated[str | None, typer.Option(help=f"table of the files: {', '.join(LOAD_ORDER)}")] = None,
    profile: Annotated[
        str | None, typer.Option("--from", help="read a platform's own export (see `vendorboard profiles`)")
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="read any export through a column mapping (TOML)")] = None,
    vendor: Annotated[str | None, typer.Option(help="the vendor whose export it is (with --from or --mapping)")] = None,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Load data: every file under a data directory's known folders, single files of one kind, or a
    platform's export through an import profile or a column mapping."""
    sources: list[Source] = []
    derived: list[Derivation] = []
    if profile or mapping:
        derived = [_import(profile, mapping, vendor, paths)]
    elif vendor:
        raise VendorboardError("--vendor goes with --from PROFILE or --mapping FILE")
    elif kind is None:
        if len(paths) != 1:
            raise VendorboardError("give one data directory, or --kind KIND with one or more files")
        sources = sources_in_dir(paths[0])
    else:
        sources = [Source(kind, p) for p in paths]
    report = _run(ctx.obj, sources, derived)
    if fmt is Format.json:
        emit(to_json(report.as_dict()), out)
    else:
        rows = _rows(report)
        text = to_table(rows, "ingest") + _out_of_contract(report) + _steps(report)
        emit(to_csv(rows) if fmt is Format.csv else text, out)


def _import(profile: str | None, mapping: Path | None, vendor: str | None, paths: list[Path]) -> Derivation:
    from metrics import imports
    from metrics.ingest.read import File

    if profile and mapping:
        raise VendorboardError("give --from PROFILE or --mapping FILE, not both")
    if not vendor:
        raise VendorboardError(f"--{'from' if profile else 'mapping'} needs --vendor VENDOR_ID: whose export is it?")
    chosen = imports.profile(profile) if profile else imports.load(mapping)
    return imports.Import(chosen, vendor, tuple(File(p, str(p)) for p in paths))


def _steps(report: IngestReport) -> str:
    """What each import's steps produced, one line each (the tables above say what was stored)."""
    return "".join(
        f"{i['source']} ({i['vendor_id']}): "
        + ", ".join(f"{step.replace('_', ' ')} {n:,}" for step, n in i["steps"].items())
        + "; derived "
        + ", ".join(f"{t} {n:,}" for t, n in i["derived"].items())
        + "\n"
        for i in report.imports
    )


def _run(db: Path, sources: list[Source], derived: list[Derivation]) -> IngestReport:
    if not sys.stderr.isatty():
        return ingest(db, sources, derived=derived)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    ) as bar:
        task = bar.add_task("ingest", total=len(sources) + sum(len(d.files) for d in derived))
        return ingest(db, sources, lambda msg, done, total: bar.update(task, description=msg, completed=done), derived)


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
