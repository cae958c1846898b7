"""`vendorboard ingest DIR` / `vendorboard ingest --kind KIND FILE...` / `vendorboard ingest --from PROFILE
--vendor V FILE...` / `vendorboard ingest --mapping FILE --vendor V FILE...`.

Exit codes a script can trust: 0 every row loaded; 3 loaded, some rows rejected (the counts on
stderr, the rows in `vendorboard quarantine`); 2 nothing changed (an error, one line on stderr).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, to_csv, to_json, to_table
from metrics.errors import VendorboardError
from metrics.ingest import Derivation, IngestReport, Source, sources_in_dir
from metrics.ingest.tables import LOAD_ORDER
from metrics.ingest.validate import Plausible
from metrics.loading import ingest

REJECTED_EXIT = 3

EarliestOption = Annotated[
    str, typer.Option("--earliest", help="timestamps before this date are implausible_time (YYYY-MM-DD)")
]
FutureOption = Annotated[
    float, typer.Option("--future-days", help="timestamps more than this many days after the run are implausible_time")
]


def plausible(earliest: str, future_days: float) -> Plausible:
    """The --earliest and --future-days options as the window every timestamp must fall in."""
    try:
        first = dt.date.fromisoformat(earliest)
    except ValueError:
        raise VendorboardError(f"--earliest must be a date as YYYY-MM-DD (got '{earliest}')") from None
    if not 0 <= future_days <= 3_650_000:
        raise VendorboardError(f"--future-days must be a number of days, 0 or more (got {future_days:g})")
    return Plausible(first, dt.timedelta(days=future_days))


def _rate(text: str | None) -> float | None:
    """--max-rejected as a fraction: '0.05' or '5%'."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", text)
    rate = float(m.group(1)) / (100 if m.group(2) else 1) if m else -1
    if not 0 <= rate <= 1:
        raise VendorboardError(f"--max-rejected must be a share of rows such as 0.05 or 5% (got '{text}')")
    return rate


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
    max_rejected: Annotated[
        str | None,
        typer.Option(
            "--max-rejected", help="fail (nothing changes) when a table's rejected rows exceed this share: 0.05 or 5%"
        ),
    ] = None,
    earliest: EarliestOption = "2000-01-01",
    future_days: FutureOption = 1.0,
    fmt: FormatOption = Format.table,
    out: OutOption = None,
) -> None:
    """Load data: every file under a data directory's known folders, single files of one kind, or a
    platform's export through an import profile or a column mapping. Exit code 0: all loaded; 3:
    loaded, some rows rejected; 2: nothing changed."""
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
    window, limit = plausible(earliest, future_days), _rate(max_rejected)
    report = with_progress(
        lambda progress: ingest(ctx.obj, sources, progress, derived, plausible=window, max_rejected=limit)
    )
    finish(report, fmt, out)


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


def with_progress(run: Callable) -> IngestReport:
    """`run(progress)` with a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return run(None)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    ) as bar:
        task = bar.add_task("ingest", total=None)
        return run(lambda msg, done, total: bar.update(task, description=msg, completed=done, total=total))


def finish(report: IngestReport, fmt: Format, out: Path | None) -> None:
    """Print what was loaded; skipped files and rejected rows on stderr, rejected rows as exit code 3."""
    if fmt is Format.json:
        emit(to_json(report.as_dict()), out)
    else:
        rows = _rows(report)
        text = to_table(rows, "ingest") + _out_of_contract(report) + _steps(report)
        emit(to_csv(rows) if fmt is Format.csv else text, out)
    for s in report.skipped:
        print(f"warning: skipped {s['file']}: {s['reason']}", file=sys.stderr)
    if report.retryable:
        print(
            f"note: {report.retryable:,} quarantined row(s) name vendors that are known now: "
            "`vendorboard quarantine retry` loads them",
            file=sys.stderr,
        )
    if report.rejected:
        per_table = "; ".join(
            f"{t} {c.rejected:,} (" + ", ".join(f"{r} {n:,}" for r, n in sorted(c.rejected_by_reason.items())) + ")"
            for t, c in report.tables.items()
            if c.rejected
        )
        print(
            f"rejected {report.rejected:,} row(s): {per_table}; see `vendorboard quarantine`",
            file=sys.stderr,
        )
        raise typer.Exit(REJECTED_EXIT)


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
