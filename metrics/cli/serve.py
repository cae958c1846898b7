"""`vendorboard serve`: the Streamlit dashboard on the database."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from metrics.cli import app

APP = Path(__file__).resolve().parent.parent.parent / "dashboard" / "app.py"


@app.command("serve")
def serve_command(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="port to listen on")] = 8501,
    address: Annotated[str, typer.Option(help="address to bind")] = "localhost",
) -> None:
    """Start the dashboard (loads sample_data/ into an empty database first). Any address beyond
    localhost needs sign-in configured (docs/auth.md); without it the one local user is admin."""
    from metrics.sample import ensure_loaded
    from metrics.signin import check_address

    db = Path(ctx.obj).resolve()
    if not check_address(address, db):
        print(
            "no sign-in configured: the dashboard serves this machine only, as its local administrator", file=sys.stderr
        )
    if ensure_loaded(db):  # before the server answers, so its first page is already populated
        print(f"loaded the sample data set into {db}", file=sys.stderr)
    os.environ["VENDORBOARD_DB"] = str(db)
    os.execv(
        sys.executable,
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address", address],
    )
