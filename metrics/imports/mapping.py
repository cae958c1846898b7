"""A column mapping: how one platform's export becomes vendorboard's tables (docs/imports.md).

A mapping is a small TOML document a finance analyst can write by copying an example: how to read
the file (`[source]`), which column or derivation gives each field (`[fields]`), the source's time
zone and a clock-skew tolerance. The shipped profiles are such documents (metrics/imports/profiles/),
plus one SQL pivot each where the source is a stream of events rather than one row per contact.
Parsing checks the document and names what is wrong; the SQL is built elsewhere (fields.py).
"""

from __future__ import annotations

import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from metrics.domain import INTERACTIONS
from metrics.errors import VendorboardError
from metrics.ingest.tables import TABLES

FORMATS = ("auto", "csv", "lines", "json", "excel")
TIME_FORMATS = ("iso", "auto", "epoch", "epoch_ms", "excel")  # or a strptime pattern with %
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "ms": 0.001}
OUTCOMES = ("answered", "abandoned", "ignore")  # what the pseudo-field `answered` maps a value to
KEYS = {"column", "date", "time", "format", "from", "plus", "minus", "unit", "map", "default", "value", "required"}


@dataclass(frozen=True)
class Field:
    """Where one field's value comes from. `columns`: source columns, the first non-empty wins;
    `date` + `time`: two columns read as one timestamp; `start` + `plus` − `minus`: a timestamp
    derived from another field and durations (used where the columns give nothing)."""

    name: str
    columns: tuple[str, ...] = ()
    date: str | None = None
    time: str | None = None
    format: str | None = None  # set for timestamps
    start: str | None = None
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()
    unit: str = "seconds"
    values: dict[str, str] | None = None  # value map (keys compared trimmed, case-insensitive)
    default: str | None = None  # for values the map does not name (else such a row is rejected)
    constant: str | None = None
    required: bool = False

    @property
    def is_time(self) -> bool:
        return self.format is not None

    def sources(self) -> tuple[str, ...]:
        """Every source column the field reads."""
        return (*self.columns, *(c for c in (self.date, self.time) if c), *self.plus, *self.minus)


@dataclass(frozen=True)
class Source:
    format: str = "auto"  # by the file's extension when auto
    header: bool | str = True  # csv: True, False (columns by position) or "auto"
    columns: tuple[str, ...] = ()  # names of the fields by position, for files without a header
    delimiter: str | None = None
    sheet: str | int = 0  # excel
    records: str | None = None  # json: the key holding the array of records (e.g. "ticket_metrics")


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str
    table: str  # the table one row becomes, or where a pivot's rejected input rows are quarantined
    source: Source
    fields: tuple[Field, ...]
    timezone: str | None = None  # the zone of the source's local times (default: the vendor's)
    skew_seconds: float = 0
    pivot: str | None = None  # SQL text of the pivot, for event streams
    origin: str = ""  # where the mapping came from, for messages
    document: dict = field(default_factory=dict, compare=False)  # as written (to save it again)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _names(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise VendorboardError(f"{where}: expected a column name or a list of column names")


def _field(name: str, spec: object, table: str | None, where: str) -> Field:
    """One `[fields]` entry: a column name, a list of names, or a table of keys (KEYS)."""
    target = TABLES[table].columns if table else ()
    kind = next((c.kind for c in target if c.name == name), None)
    if isinstance(spec, str | list):
        spec = {"column": spec}
    if not isinstance(spec, dict):
        raise VendorboardError(f"{where}: expected a column name, a list or a table")
    unknown = set(spec) - KEYS
    if unknown:
        raise VendorboardError(
            f"{where}: unknown key {sorted(unknown)[0]!r} (expected one of {', '.join(sorted(KEYS))})"
        )
    is_time = kind == "timestamp" or any(k in spec for k in ("format", "date", "from"))
    fmt = spec.get("format", "iso") if is_time else None
    if fmt is not None and fmt not in TIME_FORMATS and "%" not in fmt:
        raise VendorboardError(
            f"{where}: format {fmt!r} is not one of {', '.join(TIME_FORMATS)} or a pattern like %d/%m/%Y %H:%M"
        )
    if ("date" in spec) != ("time" in spec):
        raise VendorboardError(f"{where}: give both date and time, or neither")
    if "from" in spec and "plus" not in spec and "minus" not in spec:
        raise VendorboardError(f"{where}: 'from' needs 'plus' or 'minus' (columns of durations)")
    unit = spec.get("unit", "seconds")
    if unit not in UNITS:
        raise VendorboardError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
    values = spec.get("map")
    if values is not None:
        if not isinstance(values, dict) or not all(isinstance(v, str | bool) for v in values.values()):
            raise VendorboardError(f"{where}: map must be a table of source value = field value")
        values = {str(k).strip().lower(): str(v).lower() if isinstance(v, bool) else v for k, v in values.items()}
        if name == "answered" and not set(values.values()) <= set(OUTCOMES):
            raise VendorboardError(f"{where}: answered maps values to {', '.join(OUTCOMES)}")
    sources = [k for k in ("column", "date", "from", "value") if k in spec]
    if not sources:
        raise VendorboardError(f"{where}: say where the value comes from (column, date + time, from + plus, value)")
    default = spec.get("default")
    return Field(
        name=name,
        columns=_names(spec["column"], where) if "column" in spec else (),
        date=spec.get("date"),
        time=spec.get("time"),
        format=fmt,
        start=spec.get("from"),
        plus=_names(spec["plus"], where) if "plus" in spec else (),
        minus=_names(spec["minus"], where) if "minus" in spec else (),
        unit=unit,
        values=values,
        default=None if default is None else str(default),
        constant=None if spec.get("value") is None else str(spec["value"]),
        required=bool(spec.get("required", False)),
    )


def parse(document: dict, origin: str, folder: Path | None = None) -> Mapping:
    """A mapping from its parsed TOML; `folder` resolves a pivot file named in it."""
    name = str(document.get("name") or Path(origin).stem)
    table = document.get("table")
    pivot = document.get("pivot")
    if table not in INTERACTIONS:
        raise VendorboardError(f"{origin}: table must be one of {', '.join(INTERACTIONS)}, got {table!r}")
    src = document.get("source", {})
    if not isinstance(src, dict):
        raise VendorboardError(f"{origin}: [source] must be a table")
    fmt = src.get("format", "auto")
    if fmt not in FORMATS:
        raise VendorboardError(f"{origin}: source format {fmt!r} is not one of {', '.join(FORMATS)}")
    header = src.get("header", True)
    columns = tuple(src.get("columns", ()))
    if (header is False or fmt == "lines") and not columns:
        raise VendorboardError(f"{origin}: a source without a header needs columns = [names by position]")
    source = Source(fmt, header, columns, src.get("delimiter"), src.get("sheet", 0), src.get("records"))
    spec = document.get("fields")
    if not isinstance(spec, dict) or not spec:
        raise VendorboardError(f"{origin}: [fields] is missing: say which column gives each field")
    fields = tuple(
        _field(n, s, None if pivot else table, f"{origin}: fields.{n}") for n, s in spec.items() if n != "vendor_id"
    )
    if not pivot:
        known = {c.name for c in TABLES[table].columns} | {"answered"}
        stray = [f.name for f in fields if f.name not in known]
        if stray:
            raise VendorboardError(f"{origin}: fields.{stray[0]} is not a column of {table}")
        if "answered" in spec and (table != "calls" or "answered_at" not in spec):
            raise VendorboardError(f"{origin}: fields.answered says which calls were answered: it needs answered_at")
        missing = [c for c in TABLES[table].required if c != "vendor_id" and c not in spec]
        if missing:
            raise VendorboardError(f"{origin}: fields.{missing[0]} is required for {table}")
    names = {f.name for f in fields}
    for f in fields:
        if f.start and f.start not in names:
            raise VendorboardError(f"{origin}: fields.{f.name}: from = {f.start!r} names no field")
    tz = document.get("timezone") or None
    if tz is not None:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise VendorboardError(f"{origin}: timezone {tz!r} is not an IANA time zone") from None
    skew = document.get("skew_seconds", 0)
    if not isinstance(skew, int | float) or skew < 0:
        raise VendorboardError(f"{origin}: skew_seconds must be a number of seconds, not negative")
    pivot_sql = None
    if pivot:
        path = (folder or Path(".")) / pivot
        if not path.is_file():
            raise VendorboardError(f"{origin}: pivot file {pivot} not found")
        pivot_sql = path.read_text(encoding="utf-8")
    return Mapping(
        name=name,
        description=str(document.get("description", "")),
        table=table,
        source=source,
        fields=fields,
        timezone=tz,
        skew_seconds=skew,
        pivot=pivot_sql,
        origin=origin,
        document=document,
    )


def load(path: Path) -> Mapping:
    """A mapping file (TOML); a bad one is one message naming the file and the key."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise VendorboardError(f"{path}: no such mapping file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VendorboardError(f"{path}: not a TOML mapping: {exc}") from None
    return parse(document, str(path), path.parent)
