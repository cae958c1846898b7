"""Exports are inert: nothing a user typed becomes a formula in the spreadsheet that opens them.

A CSV cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
Excel and LibreOffice (CSV injection, OWASP), so every CSV the product writes prefixes such text
with `'`. Only text is touched: numbers stay numbers, so a negative amount is still -12.50.
Workbooks are written with XlsxWriter's string-to-formula conversion off (WORKBOOK_OPTIONS).
"""

from __future__ import annotations

import re

import polars as pl

PATTERN = r"^[=+\-@\t\r]"  # the first characters that make a cell a formula
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def cell(value: object) -> object:
    """A value for a CSV cell: text that a spreadsheet would run is prefixed with `'`."""
    return "'" + value if isinstance(value, str) and re.match(PATTERN, value) else value


def frame(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with `cell` applied to every text column (a vectorised expression; numbers untouched)."""
    return df.with_columns(
        pl.when(pl.col(name).str.contains(PATTERN)).then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name, dtype in df.schema.items()
        if dtype == pl.String
    )
