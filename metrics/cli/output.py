"""Showing results as a table for people, JSON for programs or CSV for systems (`--format`)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from metrics import inert
from metrics.errors import VendorboardError


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


FormatOption = Annotated[Format, typer.Option("--format", help="table (for people), json or csv")]
OutOption = Annotated[Path | None, typer.Option("--out", help="write to this file instead of printing")]
MonthArgument = Annotated[str, typer.Option(help="month as YYYY-MM")]
ContractFilter = Annotated[str | None, typer.Option(help="one contract (default: all)")]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def to_json(data: Any) -> str:
    return json.dumps(data, default=_plain, ensure_ascii=False, indent=2)


def to_csv(rows: list[dict], columns: tuple[str, ...] = ()) -> str:
    """Rows as CSV with a header; with no rows, just the header of `columns` (if given). RFC 4180:
    CRLF line ends, so that a value holding a CR is quoted too. Inert (metrics/inert.py): every CSV
    the product writes comes from here or from `inert.frame`."""
    buf = io.StringIO()
    if rows or columns:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else list(columns), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else inert.cell(v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def to_table(rows: list[dict], title: str | None = None) -> str:
    table = Table(title=title, show_lines=False)
    for name in rows[0] if rows else []:
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r.values()))
    buf = io.StringIO()
    width = max(shutil.get_terminal_size((160, 24)).columns, 120)
    Console(file=buf, width=width, force_terminal=False).print(table)
    return buf.getvalue()


def emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise VendorboardError(f"--out {out}: cannot write ({exc.strerror})") from None


def show(rows: list[dict], fmt: Format, out: Path | None, title: str, for_people: list[dict] | None = None) -> None:
    """Rows as JSON or CSV exactly as given, or as a titled table (of `for_people` when given)."""
    if fmt is Format.json:
        emit(to_json(rows), out)
    elif fmt is Format.csv:
        emit(to_csv(rows), out)
    else:
        emit(to_table(rows if for_people is None else for_people, title), out)
