"""The vocabulary and the layers (docs/architecture.md): domain.py and sql.py import nothing of the
project, no lower layer imports a higher one, and values are quoted into SQL one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from metrics.sql import sql_list, sql_name, sql_text

METRICS_DIR = Path(__file__).resolve().parent.parent / "metrics"


def project_imports(path: Path) -> set[str]:
    """The metrics.* modules a source file imports (at any depth, lazily or not)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("metrics"):
            found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("metrics")}
    return found


def imports_of(folder_or_file: str) -> dict[str, set[str]]:
    target = METRICS_DIR / folder_or_file
    files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return {str(f.relative_to(METRICS_DIR)): project_imports(f) for f in files}


def reaching(imports: dict[str, set[str]], *higher: str) -> dict[str, set[str]]:
    return {f: bad for f, found in imports.items() if (bad := {i for i in found if i.startswith(higher)})}


@pytest.mark.parametrize("module", ["domain.py", "sql.py"])
def test_the_vocabulary_and_the_quoting_import_nothing_of_the_project(module):
    assert imports_of(module) == {module: set()}


def test_no_lower_layer_imports_a_higher_one():
    # ingest stores rows: it knows the vocabulary, not the engines that measure or sum them.
    engines = ("metrics.sla", "metrics.billing", "metrics.rollup", "metrics.loading", "metrics.i18n")
    assert reaching(imports_of("ingest"), *engines) == {}
    # the engines measure stored rows: they do not load them, nor keep the rollups of them.
    for engine in ("sla", "agents", "billing"):
        assert reaching(imports_of(engine), "metrics.ingest", "metrics.rollup", "metrics.loading") == {}
    assert reaching(imports_of("rollup.py"), "metrics.ingest", "metrics.loading") == {}


@pytest.mark.parametrize(
    ("value", "literal"),
    [("C-TEL", "'C-TEL'"), ("O'Brien", "'O''Brien'"), ("'; DROP TABLE calls; --", "'''; DROP TABLE calls; --'")],
)
def test_a_value_is_one_string_literal(value, literal):
    assert sql_text(value) == literal


def test_an_in_list_quotes_each_value_and_an_empty_one_matches_nothing():
    assert sql_list(["a", "b'c"]) == "('a', 'b''c')"
    assert sql_list([]) == "(NULL)"


def test_a_name_is_one_quoted_identifier():
    # a column named as an export has it: spaces and a double quote stay part of the name
    assert sql_name("Agent Name") == '"Agent Name"'
    assert sql_name('say "hi"') == '"say ""hi"""'
