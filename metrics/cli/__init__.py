"""The `vendorboard` command line (SPEC §5): one module per command, all over the same engine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from metrics.config import db_path
from metrics.errors import VendorboardError

app = typer.Typer(
    help="vendorboard: customer-service vendor performance, billing and reconciliation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # plain help: flags show no "<bool>" type
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        Path | None, typer.Option(help="DuckDB file (default $VENDORBOARD_DB or ./vendorboard.duckdb)")
    ] = None,
) -> None:
    ctx.obj = db_path(db)


def main() -> None:
    """Entry point: bad input is a one-line message on stderr and exit code 2, never a traceback."""
    from metrics.cli import (  # noqa: F401  (register the commands)
        access,
        agents,
        check,
        generate,
        ingest,
        invoice,
        payments,
        profiles,
        quarantine,
        reconcile,
        report,
        serve,
        sla,
    )

    try:
        app()
    except VendorboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
