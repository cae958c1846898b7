"""A property-style fuzz test of `ingest`: a few hundred mutated files, generated here (seeded) from
the sample data, each ingested into a copy of a database holding the sample's reference data.

For every case: no exception but a VendorboardError (which the CLI prints as one line, exit 2);
exit 0 or 3 ⇒ every row of an unmutated line is stored with the values it has when the unmutated
files are loaded, and every mutated line is stored, quarantined or blank; exit 2 ⇒ the database
file is byte for byte unchanged and the message names the mutated file. A few cases also go
through the real command line, to check that its exit code agrees and that it prints no traceback.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import random
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from metrics import store
from metrics.config import SAMPLE_DATA
from metrics.errors import VendorboardError
from metrics.ingest import sources_in_dir
from metrics.ingest.tables import INTERACTIONS, REFERENCE, TABLES
from metrics.loading import ingest

pytestmark = pytest.mark.slow

SEED = 20261130
CASES = 300
ROWS_PER_FILE = 40  # lines taken, evenly spaced, from each interaction file of the sample
CLI_CASES = 8  # of the cases, also run through `vendorboard ingest` in a subprocess
SHARDS = 2  # the test classes below


@dataclass
class Mutated:
    """One case: the data directory's files as bytes, what was done, and which original data lines
    (0-based, of the named file) it touched (their rows are not checked)."""

    files: dict[str, bytes]
    target: str  # the mutated file, as named in `files`
    source: str  # the base file it was made from
    what: str
    touched: set[int] = field(default_factory=set)
    whole_file: bool = False  # every row of the target is touched (skipped, corrupt, ...)


# ---- the base data ---------------------------------------------------------------------------


def base_files() -> dict[str, bytes]:
    """The sample's vendors (four time zones), holidays, adjustments and contracts (ending with 2026,
    which keeps each case's time-zone lookups small), but no rates or targets (the month rollups they
    would need are not what is tested here, and cost seconds a case); each interaction file cut to
    ROWS_PER_FILE lines spread over the file, so that every vendor appears."""
    files = {}
    for kind in ("vendors", "contracts", "holidays", "adjustments", *INTERACTIONS):
        for path in sorted((SAMPLE_DATA / kind).glob("*.csv")):
            lines = path.read_bytes().splitlines(keepends=True)
            if kind in INTERACTIONS:
                step = max(1, (len(lines) - 1) // ROWS_PER_FILE)
                lines = [lines[0], *lines[1::step][:ROWS_PER_FILE]]
            if kind == "contracts":
                lines = [lines[0], *(line.replace(b"2026-01-01,,", b"2026-01-01,2026-12-31,") for line in lines[1:])]
            files[f"{kind}/{path.name}"] = b"".join(lines)
    return files


def without_rejected_lines(files: dict[str, bytes], db: Path, root: Path) -> dict[str, bytes]:
    """The files without the lines their first load rejected (the sample's deliberately bad rows),
    so that a harmless mutation must give exit code 0."""
    con = store.connect_reader(db)
    try:
        rejected = con.execute("SELECT source_file, line FROM quarantine").fetchall()
    finally:
        con.close()
    clean = dict(files)
    for name in {Path(f).relative_to(root).as_posix() for f, _ in rejected}:
        lines = clean[name].splitlines(keepends=True)
        bad = {line - 1 for f, line in rejected if Path(f).relative_to(root).as_posix() == name}
        clean[name] = b"".join(text for k, text in enumerate(lines) if k not in bad)
    return clean


def split(content: bytes) -> tuple[bytes, list[bytes]]:
    header, *data = content.splitlines(keepends=True)
    return header, data


# ---- mutations: each returns the new content and the data lines it touched --------------------

LineMutation = tuple[bytes, set[int]]


def _one(rng: random.Random, data: list[bytes]) -> int:
    return rng.randrange(len(data))


def stray_quote(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    where = rng.choice(("start", "end", "field"))
    line = data[i].rstrip(b"\r\n")
    if where == "start":
        line = b'"' + line
    elif where == "end":
        line = line + b'"'
    else:
        cut = rng.randrange(len(line) + 1)
        line = line[:cut] + b'"' + line[cut:]
    data[i] = line + b"\n"
    return header + b"".join(data), {i}


def crlf_line(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    data[i] = data[i].rstrip(b"\r\n") + b"\r\n"
    return header + b"".join(data), set()  # the same row, another line end


def lone_cr(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    cut = rng.randrange(len(data[i]))
    data[i] = data[i][:cut] + b"\r" + data[i][cut:]
    return header + b"".join(data), {i}


def extra_field(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    data[i] = data[i].rstrip(b"\r\n") + b"," * rng.randint(1, 3) + b"surplus\n"
    return header + b"".join(data), {i}


def fewer_fields(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    commas = [k for k, ch in enumerate(data[i]) if ch == ord(",")]
    data[i] = data[i][: rng.choice(commas)] + b"\n"
    return header + b"".join(data), {i}


def long_field(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    size = rng.choice((2_100_000, 3_000_000, 10_000_000))
    commas = [k for k, ch in enumerate(data[i]) if ch == ord(",")]
    cut = rng.choice(commas)
    data[i] = data[i][:cut] + b"," + b"x" * size + data[i][cut + 1 :]
    return header + b"".join(data), {i}


def insert_empty(rng, header, data) -> LineMutation:
    """An empty line, spaces, or only commas (too few, or as many as Excel's empty rows) between two rows."""
    i = rng.randrange(len(data) + 1)
    filler = rng.choice((b"\n", b"   \n", b",,,,\n", b"," * header.count(b",") + b"\n", b" , ,\t,\n"))
    return header + b"".join(data[:i]) + filler + b"".join(data[i:]), set()


def insert_garbage(rng, header, data) -> LineMutation:
    """A line of garbage between two rows (no row is touched; the line must be quarantined)."""
    i = rng.randrange(len(data) + 1)
    filler = rng.choice((b"\x00\x01garbage;;\n", b'"\n', b"\xff\xfe\n", b"#comment\n", b"<html><body>\n"))
    return header + b"".join(data[:i]) + filler + b"".join(data[i:]), set()


def nul_or_bad_bytes(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    cut = rng.randrange(len(data[i]) - 1)
    data[i] = data[i][:cut] + rng.choice((b"\x00", b"\xff", b"\xc3\x28", b"\xe2\x82")) + data[i][cut:]
    return header + b"".join(data), {i}


def flip_byte(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    cut = rng.randrange(len(data[i]) - 1)
    data[i] = data[i][:cut] + bytes([rng.randrange(256)]) + data[i][cut + 1 :]
    return header + b"".join(data), {i}


def bad_time(rng, header, data) -> LineMutation:
    """A timestamp replaced by one no vendor can have served (or a broken one)."""
    i = _one(rng, data)
    fields = next(csv.reader([data[i].decode()]))
    stamps = [k for k, v in enumerate(fields) if v[:2] == "20" and len(v) >= 16]
    k = rng.choice(stamps)
    fields[k] = rng.choice(
        (
            "1970-01-01 00:00:00",
            "9999-12-31 23:59:59",
            "2226-05-01 10:00:00",
            "0001-01-01 00:00:00",
            "infinity",
            "2026-02-30 10:00:00",
            "2026-10-01 24:00:01",
        )
    )
    data[i] = (",".join(fields) + "\n").encode()
    return header + b"".join(data), {i}


def join_lines(rng, header, data) -> LineMutation:
    i = rng.randrange(len(data) - 1)
    data[i] = data[i].rstrip(b"\r\n")
    return header + b"".join(data), {i, i + 1}


def quote_across(rng, header, data) -> LineMutation:
    """A quote opened at one line's start and closed at a later line's end."""
    i = rng.randrange(len(data) - 1)
    j = min(len(data) - 1, i + rng.randint(1, 3))
    data[i] = b'"' + data[i]
    data[j] = data[j].rstrip(b"\r\n") + b'"\n'
    return header + b"".join(data), set(range(i, j + 1))


def duplicate_line(rng, header, data) -> LineMutation:
    i = _one(rng, data)
    return header + b"".join([*data, data[i]]), set()


def shuffle(rng, header, data) -> LineMutation:
    rng.shuffle(data)
    return header + b"".join(data), set()


def truncate_last(rng, header, data) -> LineMutation:
    last = data[-1]
    data[-1] = last[: rng.randrange(1, len(last) - 1)]
    return header + b"".join(data), {len(data) - 1}


LINE_MUTATIONS = {
    "stray_quote": (stray_quote, 12),
    "crlf_line": (crlf_line, 6),
    "lone_cr": (lone_cr, 4),
    "extra_field": (extra_field, 6),
    "fewer_fields": (fewer_fields, 6),
    "long_field": (long_field, 1),
    "insert_empty": (insert_empty, 5),
    "insert_garbage": (insert_garbage, 4),
    "nul_or_bad_bytes": (nul_or_bad_bytes, 5),
    "flip_byte": (flip_byte, 10),
    "bad_time": (bad_time, 6),
    "join_lines": (join_lines, 4),
    "quote_across": (quote_across, 5),
    "duplicate_line": (duplicate_line, 3),
    "shuffle": (shuffle, 2),
    "truncate_last": (truncate_last, 3),
}


# ---- file-level mutations --------------------------------------------------------------------


def as_excel(rng, content: bytes) -> tuple[bytes, bool]:
    """What Excel writes: a `sep=,` line, CRLF, a BOM, trailing empty rows (no row touched)."""
    header, data = split(content)
    width = header.count(b",")
    text = b"".join([header, *data, *[b"," * width + b"\n"] * rng.randint(1, 4)])
    if rng.random() < 0.5:
        text = b"sep=,\n" + text
    if rng.random() < 0.5:
        text = text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if rng.random() < 0.5:
        text = b"\xef\xbb\xbf" + text
    return text, False


def emptied(rng, content: bytes) -> tuple[bytes, bool]:
    header, _ = split(content)
    return rng.choice((b"", header, header + b"\n\n", b"\n")), True


FILE_MUTATIONS = {"as_excel": (as_excel, 5), "emptied": (emptied, 3)}


def as_parquet(rng: random.Random, content: bytes) -> bytes:
    """The rows as pandas would write them: numbers typed (float64 where a value is missing, the gap
    null or NaN), timestamps typed (naive, as the file wrote them), text as text."""
    table = pacsv.read_csv(io.BytesIO(content), convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    columns = [
        column.cast(pa.float64()) if pa.types.is_integer(column.type) and column.null_count else column
        for column in table.columns
    ]
    if rng.random() < 0.5:
        columns = [pc.fill_null(c, float("nan")) if pa.types.is_floating(c.type) else c for c in columns]
    out = io.BytesIO()
    pq.write_table(pa.table(columns, names=table.column_names), out)
    return out.getvalue()


def corrupt_gzip(rng, packed: bytes) -> bytes:
    if rng.random() < 0.5:
        return packed[: rng.randrange(10, len(packed) - 1)]  # truncated
    at = rng.randrange(10, len(packed) - 8)  # a flipped bit in the deflate stream or its CRC
    return packed[:at] + bytes([packed[at] ^ (1 << rng.randrange(8))]) + packed[at + 1 :]


def mutate(rng: random.Random, base: dict[str, bytes]) -> Mutated:
    files = dict(base)
    interactions = [p for p in files if p.split("/")[0] in INTERACTIONS]
    roll = rng.random()
    if roll < 0.06:  # a reference file: a malformed or blank line
        target = rng.choice([p for p in files if p.split("/")[0] in REFERENCE and files[p].count(b"\n") > 2])
        header, data = split(files[target])
        what = rng.choice(("stray_quote", "extra_field", "insert_empty", "insert_garbage"))
        files[target], touched = LINE_MUTATIONS[what][0](rng, header, data)
        return Mutated(files, target, target, f"reference {what}", touched)
    target = rng.choice(interactions)
    if roll < 0.14:
        what = rng.choice(("gzip", "gzip_corrupt", "parquet"))
        if what == "parquet":
            files[target.removesuffix(".csv") + ".parquet"] = as_parquet(rng, files.pop(target))
            return Mutated(files, target.removesuffix(".csv") + ".parquet", target, what)
        packed = gzip.compress(files.pop(target))
        corrupt = what == "gzip_corrupt"
        files[target + ".gz"] = corrupt_gzip(rng, packed) if corrupt else packed
        return Mutated(files, target + ".gz", target, what, whole_file=corrupt)
    if roll < 0.22:
        what = rng.choices(list(FILE_MUTATIONS), [w for _, w in FILE_MUTATIONS.values()])[0]
        files[target], whole = FILE_MUTATIONS[what][0](rng, files[target])
        return Mutated(files, target, target, what, whole_file=whole)
    what = rng.choices(list(LINE_MUTATIONS), [w for _, w in LINE_MUTATIONS.values()])[0]
    header, data = split(files[target])
    files[target], touched = LINE_MUTATIONS[what][0](rng, header, data)
    return Mutated(files, target, target, what, touched)


# ---- running and checking --------------------------------------------------------------------


HARMLESS = {"crlf_line", "duplicate_line", "shuffle", "as_excel", "gzip", "parquet", "emptied", "insert_empty"}


def write_dir(root: Path, files: dict[str, bytes]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
    return root


def stored(db: Path) -> dict[str, dict[tuple, tuple]]:
    """Every interaction row, by (vendor_id, id): all its stored columns."""
    con = store.connect_reader(db)
    try:
        return {
            t: {(r[0], r[1]): r for r in con.execute(f"SELECT vendor_id, {TABLES[t].key[-1]}, * FROM {t}").fetchall()}
            for t in INTERACTIONS
        }
    finally:
        con.close()


def fields_of(text: str) -> list[str]:
    """A line's fields as Python's csv module splits it (or at commas, when it cannot)."""
    try:
        return next(csv.reader([text]), [])
    except csv.Error:
        return text.split(",")


def keys_of(content: bytes, lines: set[int], kind: str) -> set[tuple]:
    """The (vendor_id, id) of the original data lines `lines` of a CSV file."""
    header, data = split(content)
    names = next(csv.reader([header.decode("utf-8-sig")]))
    vi, ii = names.index("vendor_id"), names.index(TABLES[kind].key[-1])
    found = set()
    for i in lines:
        fields = fields_of(data[i].decode("utf-8", "replace"))
        if len(fields) > max(vi, ii):
            found.add((fields[vi].strip(), fields[ii].strip()))
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    """The base files, a database with the sample's reference data, and what loading the unmutated
    interaction files into it stores."""
    root = tmp_path_factory.mktemp("fuzz")
    base = base_files()
    reference_db = root / "reference.duckdb"
    ingest(reference_db, [s for s in sources_in_dir(write_dir(root / "ref", base)) if s.kind in REFERENCE])
    first_db = root / "first.duckdb"
    shutil.copyfile(reference_db, first_db)
    ingest(first_db, [s for s in sources_in_dir(write_dir(root / "first", base)) if s.kind in INTERACTIONS])
    base = without_rejected_lines(base, first_db, root / "first")
    expected_db = root / "expected.duckdb"
    shutil.copyfile(reference_db, expected_db)
    report = ingest(expected_db, [s for s in sources_in_dir(write_dir(root / "base", base)) if s.kind in INTERACTIONS])
    assert report.rejected == 0 and sum(c.loaded for c in report.tables.values()) > 300  # 9 files of 40 rows
    return root, base, reference_db, stored(expected_db)


def run_case(n: int, world) -> tuple[Mutated, int]:
    """Case `n`: mutate, ingest in-process, check the properties; returns the case and the exit
    code the CLI would give."""
    root, base, reference_db, expected = world
    rng = random.Random(SEED * 1000 + n)
    case = mutate(rng, base)
    data = write_dir(root / "case", case.files)
    db = root / "case.duckdb"
    shutil.copyfile(reference_db, db)
    before = digest(db)
    # reference files are loaded only when mutated: the database holds them already
    sources = [s for s in sources_in_dir(data) if s.kind in INTERACTIONS or s.path == data / case.target]
    label = f"case {n} ({case.what} in {case.target})"
    try:
        report = ingest(db, sources)
    except VendorboardError as exc:
        assert digest(db) == before, f"{label}: exit 2 changed the database"
        assert not list(root.glob("case.duckdb.tmp-*")), f"{label}: a snapshot was left behind"
        assert case.target.split("/")[-1] in str(exc), f"{label}: the message does not name the file: {exc}"
        return case, 2
    except Exception as exc:  # anything else would be a traceback on the command line
        pytest.fail(f"{label}: {type(exc).__name__}: {exc}")
    kind = case.target.split("/")[0]
    mutated_keys = set()
    if kind in INTERACTIONS:
        original = base[case.source]
        touched = set(range(len(split(original)[1]))) if case.whole_file else case.touched
        mutated_keys = keys_of(original, touched, kind)
    now = stored(db)
    for table, rows in expected.items():
        for key, row in rows.items():
            if table == kind and key in mutated_keys:
                continue
            assert now[table].get(key) == row, f"{label}: {table} {key} lost or changed: {now[table].get(key)}"
    accounted(db, data, case, kind, now, label)
    if case.what in HARMLESS:
        assert not report.rejected, f"{label}: a harmless change rejected rows: {report.as_dict()['tables']}"
    return case, 3 if report.rejected else 0


def accounted(db: Path, data: Path, case: Mutated, kind: str, now: dict, label: str) -> None:
    """No silent loss of a mutated line either: each data line of the mutated CSV file is stored
    (its id is), quarantined at its line, or empty (every value empty)."""
    if kind not in INTERACTIONS or not case.target.endswith(".csv") or case.whole_file:
        return
    con = store.connect_reader(db)
    try:
        query = "SELECT line FROM quarantine WHERE source_file = ?"
        quarantined = {line for (line,) in con.execute(query, [str(data / case.target)]).fetchall()}
    finally:
        con.close()
    physical = (data / case.target).read_bytes().split(b"\n")
    at = 1 if physical[0].removeprefix(b"\xef\xbb\xbf").lower().startswith(b"sep=") else 0  # the header
    names = [n.strip().lower() for n in next(csv.reader([physical[at].decode("utf-8-sig", "replace")]))]
    vi, ii = names.index("vendor_id"), names.index(TABLES[kind].key[-1])
    keys = set(now[kind])
    for k in range(at + 1, len(physical)):
        text = physical[k].decode("utf-8", "replace").rstrip("\r")
        if not text.strip(" ,\t") or k + 1 in quarantined:
            continue
        fields = fields_of(text)
        if len(fields) > max(vi, ii) and (fields[vi].strip(" "), fields[ii].strip(" ")) in keys:
            continue
        pytest.fail(f"{label}: line {k + 1} of {case.target} is neither stored nor quarantined: {text[:120]!r}")


OUTCOMES: dict[int, tuple[str, int]] = {}  # case number: its mutation and exit code, as the cases ran


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "n" in metafunc.fixturenames:  # a shard's cases
        metafunc.parametrize("n", range(metafunc.cls.first, CASES, SHARDS))


class Shard:
    """Every SHARDS-th case from `first`, a test each: the cases split into classes, so `make test`
    (a module or class per core, the largest first: `--dist loadscope`) starts the shards side by
    side. The last test reads what the shard's cases found."""

    first = 0

    def test_fuzzed_file_never_loses_a_row_silently_nor_changes_a_database_it_fails_on(self, world, n) -> None:
        case, code = run_case(n, world)
        OUTCOMES[n] = (case.what, code)
        if n % (CASES // CLI_CASES) == 0:
            _cli_agrees(world, n, case, code)

    def test_the_mutations_reach_every_outcome(self) -> None:
        cases = range(self.first, CASES, SHARDS)
        ran = [OUTCOMES[n] for n in cases if n in OUTCOMES]
        assert len(ran) == len(cases), "run the whole class: this test reads what its cases found"
        codes = Counter(code for _, code in ran)
        print(f"cases {self.first}::{SHARDS}: exit codes {dict(codes)}; mutations {dict(Counter(w for w, _ in ran))}")
        assert min(codes[c] for c in (0, 2, 3)) >= 5  # each shard reaches every outcome


class TestShardEven(Shard):
    first = 0


class TestShardOdd(Shard):
    first = 1


def _cli_agrees(world, n: int, case: Mutated, code: int) -> None:
    """The same case through `vendorboard ingest`: same exit code, no traceback, one line on error."""
    root, _, reference_db, _ = world
    data = write_dir(root / "cli", case.files)
    for kind in REFERENCE:  # the database holds them already; a mutated one is loaded again
        if kind != case.target.split("/")[0]:
            shutil.rmtree(data / kind, ignore_errors=True)
    db = root / "cli.duckdb"
    shutil.copyfile(reference_db, db)
    proc = subprocess.run(
        [sys.executable, "-m", "metrics.cli", "--db", str(db), "ingest", str(data)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in proc.stderr, f"case {n}: {proc.stderr}"
    assert proc.returncode == code, f"case {n} ({case.what}): CLI exit {proc.returncode}, in-process {code}"
    if code == 2:
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
