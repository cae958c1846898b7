"""One import: a platform's export read through a mapping (and its pivot) into rows of the native
tables, handed to the ingest as scans (metrics/ingest: `Derivation`). The rows then take the very
path a native file's rows take — typing, checks, quarantine with file and line, upsert, rollups —
so every guarantee of SPEC §2 holds for imports by construction.

Steps, all SQL in the run's transaction: read the files (source.py), compute the mapping's fields
(fields.py), for an event stream run the profile's pivot, correct clock skew within the
tolerance, and write each table's columns as text with the instants in UTC.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from metrics.domain import INTERACTIONS
from metrics.errors import VendorboardError
from metrics.imports import fields, source
from metrics.imports.mapping import Mapping
from metrics.ingest.lookups import MACROS
from metrics.ingest.read import File, Scan
from metrics.ingest.tables import TABLES
from metrics.sql import sql_name, sql_text

UTC_TEXT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Times that may run up to the skew tolerance ahead of the time they must not precede: (later,
# earlier ones, the first present counts), in order: a correction is seen by the pairs after it.
SKEW = {
    "calls": (("answered_at", ("offered_at",)), ("ended_at", ("answered_at", "offered_at"))),
    "chats": (("first_response_at", ("started_at",)), ("ended_at", ("started_at",))),
    "emails": (("first_reply_at", ("received_at",)),),
    "visits": (("departed_at", ("arrived_at",)),),
}
PROVENANCE = ("_file", "_line", "_raw", "_reject", "_reject_detail")
_tags = itertools.count()


@dataclass
class Import:
    """A platform's export (`files`, read as one) for one vendor through `mapping`."""

    mapping: Mapping
    vendor_id: str
    files: tuple[File, ...]
    counts: dict[str, int] = field(default_factory=dict)  # step -> rows
    derived: dict[str, int] = field(default_factory=dict)  # table -> rows handed to the ingest

    def steps(self) -> dict:
        return {
            "source": self.mapping.name,
            "vendor_id": self.vendor_id,
            "files": [f.shown for f in self.files],
            "steps": dict(self.counts),
            "derived": dict(self.derived),
        }

    def derive(
        self, con: duckdb.DuckDBPyConnection, scratch: Path, by_line: frozenset[str] = frozenset()
    ) -> dict[str, Scan]:
        found = con.execute("SELECT timezone FROM vendors WHERE vendor_id = ?", [self.vendor_id]).fetchall()
        if not found:
            raise VendorboardError(f"vendor {self.vendor_id} is not in vendors: load it first (or in the same run)")
        zones = fields.Zones(self.mapping.timezone or found[0][0], found[0][0])
        con.execute(MACROS)
        tag = f"imp{next(_tags)}"
        read = source.read_files(con, self.mapping, list(self.files), scratch, f"{tag}_src", by_line)
        fields.check_columns(self.mapping, read, self.files[0].shown)
        con.execute(f"CREATE TEMP TABLE {tag}_mapped AS {fields.mapped_sql(self.mapping, read, zones)}")
        con.execute(f"DROP TABLE {read.table}")
        self._count(con, f"{tag}_mapped", "rows_read", "true")
        self._count(con, f"{tag}_mapped", "malformed_lines", "_reject = 'malformed_line'")
        self._count(con, f"{tag}_mapped", "unmapped_values", "_reject = 'unmapped_value'")
        outputs = self._pivot(con, tag) if self.mapping.pivot else self._rows(con, tag)
        scans = {}
        for table, relation in outputs.items():
            text = f"{tag}_{table}"
            con.execute(f"CREATE TEMP TABLE {text} AS {self._as_text(con, table, relation)}")
            self.derived[table] = con.execute(f"SELECT count(*) FROM {text}").fetchall()[0][0]
            scans[table] = Scan(f"(SELECT *, false AS _blank FROM {text})", "rows", self.files, derived=True)
        return scans

    def _count(self, con: duckdb.DuckDBPyConnection, relation: str, step: str, where: str) -> None:
        n = con.execute(f"SELECT count(*) FROM {relation} WHERE {where}").fetchall()[0][0]
        if n or step == "rows_read":
            self.counts[step] = self.counts.get(step, 0) + n

    def _values(self) -> str:
        return ", ".join(f"{sql_name('v:' + f.name)} AS {sql_name(f.name)}" for f in self.mapping.fields)

    def _rows(self, con: duckdb.DuckDBPyConnection, tag: str) -> dict[str, str]:
        """One row per source row; `answered` (a value map) keeps answered_at or makes the call
        abandoned, or leaves the row out (not an offered call)."""
        table, mapped = self.mapping.table, f"{tag}_mapped"
        notes = ", ".join(f"{sql_name('t:' + f.name)}" for f in self.mapping.fields if f.is_time)
        select = f"SELECT {', '.join(PROVENANCE)}, {self._values()}{', ' + notes if notes else ''} FROM {mapped}"
        if self.mapping.field("answered") is None:
            return {table: f"({select})"}
        self._count(con, mapped, "not_offered", "_reject IS NULL AND \"v:answered\" = 'ignore'")
        return {
            table: f"""(SELECT * REPLACE (CASE WHEN answered = 'abandoned' THEN NULL ELSE answered_at END
                                         AS answered_at)
                       FROM ({select}) WHERE answered IS DISTINCT FROM 'ignore' OR _reject IS NOT NULL)"""
        }

    def _pivot(self, con: duckdb.DuckDBPyConnection, tag: str) -> dict[str, str]:
        """Run the profile's pivot over the mapped rows that read (view `mapped`): it creates
        `pivot_<table>` for each table it fills and may count its steps in `pivot_steps`. Rows
        that did not read are quarantined in the mapping's table."""
        mapped = f"{tag}_mapped"
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'pivot\\_%' ESCAPE '\\'"
        ).fetchall():
            con.execute(f"DROP TABLE {name}")
        required = [f for f in self.mapping.fields if f.required]
        if required:  # an event or record whose required field does not read is quarantined
            unread = f"_reject IS NULL AND ({' OR '.join(sql_name('v:' + f.name) + ' IS NULL' for f in required)})"
            reasons, details = [], []
            for f in required:
                empty = f"{sql_name('v:' + f.name)} IS NULL" + (
                    f" AND {sql_name('t:' + f.name)} IS NULL" if f.is_time else ""
                )
                reasons.append(f"WHEN {empty} THEN 'missing_required'")
                details.append(f"WHEN {empty} THEN {sql_text(f.name + ' is empty')}")
                if f.is_time:
                    reasons.append(f"WHEN {sql_name('v:' + f.name)} IS NULL THEN 'bad_timestamp'")
                    text = f"{sql_text(f.name + ' ')} || {sql_name('t:' + f.name)} || ' is not a valid timestamp'"
                    details.append(f"WHEN {sql_name('v:' + f.name)} IS NULL THEN {text}")
            self._count(con, mapped, "unreadable_rows", unread)
            con.execute(
                f"UPDATE {mapped} SET _reject = CASE {' '.join(reasons)} END, "
                f"_reject_detail = CASE {' '.join(details)} END WHERE {unread}"
            )
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW mapped AS SELECT _file, _line, _raw, {self._values()} "
            f"FROM {mapped} WHERE _reject IS NULL"
        )
        try:
            con.execute(self.mapping.pivot)
        except duckdb.Error as exc:
            raise VendorboardError(f"{self.mapping.origin}: the pivot failed: {str(exc).splitlines()[0]}") from None
        con.execute("DROP VIEW mapped")
        outputs = {}
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE 'pivot\\_%' ESCAPE '\\' "
            "ORDER BY table_name"
        ).fetchall():
            if name == "pivot_steps":
                for step, n in con.execute(
                    "SELECT step, sum(n) FROM pivot_steps GROUP BY step ORDER BY min(rowid)"
                ).fetchall():
                    if n:
                        self.counts[step] = self.counts.get(step, 0) + int(n)
                con.execute("DROP TABLE pivot_steps")
                continue
            table = name.removeprefix("pivot_")
            if table not in INTERACTIONS:
                raise VendorboardError(
                    f"{self.mapping.origin}: the pivot made {name}, which is no table of vendorboard"
                )
            con.execute(f"ALTER TABLE {name} RENAME TO {tag}_pivot_{table}")
            outputs[table] = f"{tag}_pivot_{table}"
        rejected = f"(SELECT {', '.join(PROVENANCE)} FROM {mapped} WHERE _reject IS NOT NULL)"
        main = self.mapping.table
        outputs[main] = (
            f"(SELECT * FROM {outputs[main]} UNION ALL BY NAME SELECT * FROM {rejected})"
            if main in outputs
            else rejected
        )
        return outputs

    def _as_text(self, con: duckdb.DuckDBPyConnection, table: str, relation: str) -> str:
        """SELECT of `relation`'s rows as the native table's columns in text: instants in UTC,
        times up to the skew tolerance early moved to the time they must not precede (counted)."""
        have = {name for name, *_ in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
        columns = TABLES[table].columns
        times = {c.name for c in columns if c.kind == "timestamp" and c.name in have}
        skewed = []
        body = f"SELECT * FROM {relation}"
        if self.mapping.skew_seconds:
            limit = f"INTERVAL {int(self.mapping.skew_seconds * 1_000_000)} MICROSECOND"
            for later, before in SKEW.get(table, ()):
                present = [b for b in before if b in times]
                if later not in times or not present:
                    continue
                earlier = present[0] if len(present) == 1 else f"coalesce({', '.join(present)})"
                moved = f"({later} < {earlier} AND {earlier} - {later} <= {limit}) IS TRUE"
                body = (
                    f"SELECT * REPLACE (CASE WHEN {moved} THEN {earlier} ELSE {later} END AS {later}), "
                    f"{moved} AS _skew_{later} FROM ({body})"
                )
                skewed.append(f"_skew_{later}")
        if skewed:
            self._count(con, f"({body})", "clock_skew_corrected", " OR ".join(skewed))
        provenance = ", ".join(p if p in have else f"CAST(NULL AS VARCHAR) AS {p}" for p in PROVENANCE)
        values = []
        for c in columns:
            if c.name == "vendor_id":
                values.append(f"{sql_text(self.vendor_id)} AS vendor_id")
            elif c.name not in have:
                values.append(f"CAST(NULL AS VARCHAR) AS {c.name}")
            elif c.name in times:
                note = f'"t:{c.name}"' if f"t:{c.name}" in have else "NULL"
                values.append(f"coalesce(strftime(timezone('UTC', {c.name}), '{UTC_TEXT}'), {note}) AS {c.name}")
            else:
                values.append(f"nullif(trim(CAST({c.name} AS VARCHAR)), '') AS {c.name}")
        return f"SELECT {provenance}, {', '.join(values)} FROM ({body}) ORDER BY _file, _line"
