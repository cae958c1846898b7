"""Reading the vendors' own exports: import profiles for contact-centre platforms and column
mappings for everything else (docs/imports.md).

A profile is a mapping file shipped in `profiles/` (plus one SQL pivot where the source is a
stream of events); a new profile is a new file. `Import` reads an export through a mapping inside
an ingest run (`ingest(db, [], derived=[Import(...)])`), so imports keep every guarantee of the
native tables. Saved mappings (the Data page's) are kept per vendor in the database.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from metrics.errors import VendorboardError
from metrics.imports.derive import Import
from metrics.imports.mapping import Mapping, load, parse

PROFILES = Path(str(resources.files("metrics.imports").joinpath("profiles")))


def profiles() -> dict[str, Mapping]:
    """Every shipped profile by name, in name order."""
    found = (load(p) for p in sorted(PROFILES.glob("*.toml")))
    return {m.name: m for m in found}


def profile(name: str) -> Mapping:
    known = profiles()
    if name not in known:
        raise VendorboardError(f"unknown profile '{name}' (known: {', '.join(known)}; see `vendorboard profiles`)")
    return known[name]


__all__ = ["Import", "Mapping", "load", "parse", "profile", "profiles"]
