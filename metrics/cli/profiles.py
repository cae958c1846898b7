"""`vendorboard profiles`: the import profiles `ingest --from` knows, one line each."""

from __future__ import annotations

from metrics.cli import app
from metrics.cli.output import Format, FormatOption, OutOption, emit, to_csv, to_json, to_table


@app.command("profiles")
def profiles_command(fmt: FormatOption = Format.table, out: OutOption = None) -> None:
    """List the import profiles: platform exports `vendorboard ingest --from PROFILE` reads."""
    from metrics.imports import profiles

    rows = [{"profile": m.name, "reads": m.description} for m in profiles().values()]
    emit(
        to_json(rows) if fmt is Format.json else to_csv(rows) if fmt is Format.csv else to_table(rows, "profiles"), out
    )
