"""What is wrong with a rejected row, as facts rather than words.

A rejection's detail (the quarantine's `detail`, a refused reference row's message) is stored as a
JSON object naming its sentence (`say`) and the values the sentence quotes: the column, the value
as written, the table it should be in, ... `metrics.render.said` turns it into words in either
language (the labels `said.<say>`), so a Chinese Data page reads "login_at 为空" where an English one
reads "login_at is empty", from the same stored row.
"""

from __future__ import annotations

from metrics.sql import sql_text


def said(say: str, **values: str) -> str:
    """SQL: the JSON text of a rejection's facts. `values` are SQL expressions (quote a literal with
    `text`); each is kept as text, exactly as the row wrote it."""
    pairs = "".join(f", {sql_text(k)}, CAST({v} AS VARCHAR)" for k, v in values.items())
    return f"json_object('say', {sql_text(say)}{pairs})::VARCHAR"


def text(value: str) -> str:
    """SQL: a literal for `said`."""
    return sql_text(value)
