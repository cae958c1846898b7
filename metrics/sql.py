"""Writing values into SQL text: the one quoting rule of the engine.

Most values reach DuckDB as bound parameters; these are for the few places where a value must be
part of the statement itself (a CASE branch per contract, an IN list a plan can prune on).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def sql_text(value: str) -> str:
    """A SQL string literal: O'Brien -> 'O''Brien'."""
    return "'" + value.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """A quoted SQL identifier (a column named as its file has it): a"b -> "a""b"."""
    return '"' + name.replace('"', '""') + '"'


def sql_list(values: Iterable[str]) -> str:
    """A parenthesised list of string literals for IN: ('a', 'b'); (NULL) when empty, which
    matches nothing."""
    return "(" + (", ".join(map(sql_text, values)) or "NULL") + ")"


class Query(str):
    """SQL text of a query with one column, standing for the set of its values where a list of
    values would do (`sql_in`): a set whose size grows with the data (every contract with a target
    in force) is a join, never a list written into the statement."""


def sql_in(values: Sequence[str] | Query) -> str:
    """The right-hand side of IN for a list of values or a Query."""
    return f"({values})" if isinstance(values, Query) else sql_list(values)


Contracts = Sequence[str] | Query  # the contracts whose rows are measured: a list, or a query of their ids
