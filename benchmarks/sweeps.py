"""The scale sweeps of `make bench`: what the number of contracts and the size of the history cost an
ingest, and what a page's first render costs after a write (docs/benchmarks.md, "Scale sweeps").

    python benchmarks/sweeps.py [--quick] [--runs N]

- contracts: one month of the generator's traffic (3 M calls and its chats, e-mails, visits and agent
  sessions; --quick: 300 k) spread over 4, 50, 200 and 1,000 vendors with a contract each
  (benchmarks/spread.py), ingested whole into a database holding the reference tables. Time and
  peak RSS, each a ratio to the 4-contract run of the same round.
- history: a daily file (the month's 30th, a Friday: about 100 k calls; --quick: 10 k) ingested into
  databases holding 0, 10 M, 30 M and 100 M calls (--quick: 0, 1 M and 3 M): the month to date and
  earlier months made of the month's calls moved back a month at a time (new ids), stored by
  vendorboard; time and bytes written, next to a plain DuckDB INSERT of the same file into a
  table of the same rows.
- pages: every page's first render and reruns (benchmarks/page_times.py) on the 30 M-call database
  (--quick: 3 M) right after the daily write.

Rounds alternate the sizes, so each ratio compares runs made under the same load. Prints the tables
and writes them as the last section of benchmarks/RESULTS.md (replacing an earlier one).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import dataset
import duckdb
import run
from dataset import CACHE, FULL, MONTH, ROOT, VENDORBOARD, Volume
from run import GB, RESULTS, log, md_table, median, spawn, text_table, verdict, worker
from spread import spread

from metrics.domain import INTERACTIONS
from metrics.ingest import Source, sources_in_dir
from metrics.ingest.tables import REFERENCE
from metrics.loading import ingest

CONTRACTS = (4, 50, 200, 1000)
TARGETS = {"time": 1.5, "rss": 1.3, "first_ms": 1000.0, "rerun_ms": 150.0}
DAILY = "2026-10-30"  # the daily file's local day: a Friday
HEADING = "## Scale sweeps"
MONTHS_PER_RUN = 4  # history months stored per ingest run while building the history databases


@dataclass(frozen=True)
class Size:
    month: Volume  # the month the sweeps are made of
    history: tuple[int, ...]  # calls stored before the daily file
    pages_at: int  # the history the pages are measured on


FULL_SIZE = Size(FULL.scaled(3_000_000), (0, 10_000_000, 30_000_000, 100_000_000), 30_000_000)
QUICK = Size(FULL.scaled(300_000), (0, 1_000_000, 3_000_000), 3_000_000)


# ---- contracts -------------------------------------------------------------------------------


def spread_month(volume: Volume, n: int, work: Path) -> tuple[Path, Path]:
    """The month spread over `n` contracts: a database of its reference tables, and a directory of
    its interaction tables only (what the timed ingest reads)."""
    source = dataset.data_set(volume, log)
    folder = CACHE / f"spread-{volume.name}-{n}"
    stamp = {"data": dataset.data_stamp(volume), "contracts": n, "spread": dataset.code_hash("benchmarks/spread.py")}

    def make() -> None:
        log(f"contracts: spreading the {volume.name} month over {n} contracts")
        spread(source, folder, n)

    dataset.cached(folder, stamp, make)
    reference = CACHE / f"spread-{volume.name}-{n}.duckdb"
    dataset.cached(
        reference,
        {**dataset.db_stamp(volume, f"spread-{n}"), **stamp},
        lambda: ingest(reference, [s for s in sources_in_dir(folder) if s.kind in REFERENCE]),
    )
    month = work / f"month-{n}"
    month.mkdir(parents=True)
    for table in INTERACTIONS:
        (month / table).symlink_to(folder / table)
    return reference, month


def bench_contracts(size: Size, runs: int, work: Path) -> dict:
    sets = {n: spread_month(size.month, n, work) for n in CONTRACTS}
    found: dict[int, list[run.Run]] = {n: [] for n in CONTRACTS}
    stored = set()
    load = run.load_average()
    for i in range(runs):
        for n, (reference, month) in sets.items():
            log(f"contracts: round {i + 1}/{runs}, ingest of the month under {n} contracts")
            db = work / f"contracts-{n}.duckdb"
            shutil.copyfile(reference, db)
            found[n].append(spawn([VENDORBOARD, "--db", str(db), "ingest", str(month), "--format", "json"]))
            stored.add(sum(t["loaded"] for t in json.loads(found[n][-1].stdout)["tables"].values()))
            db.unlink()
    assert len(stored) == 1, f"the runs stored different numbers of rows: {stored}"
    return {"runs": found, "rows": stored.pop(), "load": load}


# ---- history ---------------------------------------------------------------------------------


def history_files(volume: Volume, months: int) -> Path:
    """The daily file (`daily.csv`), the month to date before it (`month.parquet`) and `months`
    earlier months (`back-001.parquet`, ...): the month's calls moved back, with new ids."""
    source = dataset.calls_files(dataset.data_set(volume, log))
    folder = CACHE / f"history-{volume.name}"

    def make() -> None:
        log(f"history: writing {months} months of {volume.name} calls")
        folder.mkdir()
        con = duckdb.connect()
        con.execute(f"CREATE VIEW month AS SELECT * FROM read_csv({[str(f) for f in source]})")
        con.execute(f"COPY (SELECT * FROM month WHERE offered_at::DATE = '{DAILY}') TO '{folder}/daily.csv'")
        con.execute(f"COPY (SELECT * FROM month WHERE offered_at < '{DAILY}') TO '{folder}/month.parquet'")
        for k in range(1, months + 1):
            moved = ", ".join(f"{c} - INTERVAL {k} MONTH AS {c}" for c in ("offered_at", "answered_at", "ended_at"))
            con.execute(
                f"COPY (SELECT * REPLACE ('H{k:03d}-' || call_id AS call_id, {moved}) FROM month) "
                f"TO '{folder}/back-{k:03d}.parquet'"
            )
        con.close()

    return dataset.cached(folder, {"data": dataset.data_stamp(volume), "months": months, "daily": DAILY}, make)


def stored_files(folder: Path, calls: int, per_month: int) -> list[Path]:
    """The history files holding about `calls` calls: the month to date, then earlier months."""
    if not calls:
        return []
    return [folder / "month.parquet"] + [
        folder / f"back-{k:03d}.parquet" for k in range(1, max(0, round(calls / per_month - 1)) + 1)
    ]


def history_dbs(size: Size, calls: int, smaller: Path | None) -> tuple[Path, Path]:
    """A vendorboard database holding about `calls` calls (and the month's reference tables), and a
    plain DuckDB database whose `calls` table holds the same rows as read from the files.
    `smaller`: the sweep's database of the next smaller history (its files a prefix of these),
    copied and grown instead of storing every month again."""
    volume = size.month
    folder = history_files(volume, max(0, round(max(size.history) / volume.calls - 1)))
    files = stored_files(folder, calls, volume.calls)
    stamp = {**dataset.db_stamp(volume, f"history-{calls}"), "files": [f.name for f in files]}
    mine = CACHE / f"history-{volume.name}-{calls}.duckdb"

    def make_mine() -> None:
        log(f"history: storing {calls / 1e6:g} M calls with vendorboard")
        stored: list[str] = []
        if smaller is None:
            shutil.copyfile(dataset.reference_db(volume, log), mine)
        else:
            shutil.copyfile(smaller, mine)
            stored = json.loads(smaller.with_name(smaller.name + ".stamp.json").read_text())["files"]
        rest = files[len(stored) :]
        for at in range(0, len(rest), MONTHS_PER_RUN):  # one ingest run per few months bounds its memory
            ingest(mine, [Source("calls", f) for f in rest[at : at + MONTHS_PER_RUN]])

    plain = CACHE / f"plain-{volume.name}-{calls}.duckdb"

    def make_plain() -> None:
        con = duckdb.connect(str(plain))
        daily = f"read_csv('{folder / 'daily.csv'}')"
        rows = f"read_parquet({[str(f) for f in files]})" if files else f"{daily} LIMIT 0"
        con.execute(f"CREATE TABLE calls AS SELECT * FROM {rows}")
        con.close()

    return dataset.cached(mine, stamp, make_mine), dataset.cached(plain, stamp, make_plain)


def bench_history(size: Size, runs: int, work: Path) -> dict:
    dbs: dict[int, tuple[Path, Path]] = {}
    for calls in size.history:  # smallest first: each grows the one before
        dbs[calls] = history_dbs(size, calls, dbs[max(dbs)][0] if dbs and max(dbs) else None)
    daily = CACHE / f"history-{size.month.name}" / "daily.csv"
    stored = {}
    for calls, (mine, _) in dbs.items():
        con = duckdb.connect(str(mine), read_only=True)
        stored[calls] = con.execute("SELECT count(*) FROM calls").fetchone()[0]
        con.close()
    found: dict[int, dict[str, list]] = {c: {"mine": [], "plain": [], "grown": []} for c in dbs}
    load = run.load_average()
    after = None
    for i in range(runs):
        for calls, (mine, plain) in dbs.items():
            log(f"history: round {i + 1}/{runs}, the daily file into {stored[calls]:,} calls")
            target = work / f"history-{calls}.duckdb"
            shutil.copyfile(mine, target)
            before = target.stat().st_size
            found[calls]["mine"].append(
                spawn([VENDORBOARD, "--db", str(target), "ingest", "--kind", "calls", str(daily), "--format", "json"])
            )
            found[calls]["grown"].append(target.stat().st_size - before)
            if calls == size.pages_at and i == runs - 1:
                after = target
            else:
                target.unlink()
            copy = work / "plain.duckdb"
            shutil.copyfile(plain, copy)
            found[calls]["plain"].append(spawn(worker("raw-insert", copy, daily)))
            copy.unlink()
    rows = json.loads(found[size.history[0]]["mine"][0].stdout)["tables"]["calls"]["loaded"]
    return {"runs": found, "stored": stored, "daily": rows, "after": after, "load": load}


# ---- the report ------------------------------------------------------------------------------


def _ratios(runs: list[run.Run], base: list[run.Run], field: str) -> list[float]:
    return [getattr(r, field) / getattr(b, field) for r, b in zip(runs, base)]  # same round: same load


def contracts_rows(found: dict) -> list[tuple]:
    base = found["runs"][CONTRACTS[0]]
    rows = []
    for n, runs in found["runs"].items():
        time_r, rss_r = median(_ratios(runs, base, "seconds")), median(_ratios(runs, base, "peak_rss"))
        last = n == CONTRACTS[-1]
        rows.append(
            (
                f"{n:,}",
                f"{median([r.seconds for r in runs]):.1f} s",
                run.spread([r.seconds for r in runs]),
                f"{time_r:.2f}" + (f" ({verdict(time_r <= TARGETS['time'])} ≤ {TARGETS['time']})" if last else ""),
                f"{max(r.peak_rss for r in runs) / GB:.2f} GB",
                f"{rss_r:.2f}" + (f" ({verdict(rss_r <= TARGETS['rss'])} ≤ {TARGETS['rss']})" if last else ""),
            )
        )
    return rows


def history_rows(found: dict) -> list[tuple]:
    rows = []
    for calls, runs in found["runs"].items():
        mine, plain = runs["mine"], runs["plain"]
        rows.append(
            (
                f"{found['stored'][calls]:,}",
                f"{median([r.seconds for r in mine]):.2f} s",
                f"{median([r.written for r in mine]) / 1e6:,.0f} MB",
                f"{median(runs['grown']) / 1e6:,.0f} MB",
                f"{median([r.seconds for r in plain]):.2f} s",
                f"{median([r.written for r in plain]) / 1e6:,.0f} MB",
                f"{median(_ratios(mine, plain, 'seconds')):.1f}",
            )
        )
    return rows


def pages_rows(pages: dict) -> list[tuple]:
    return [
        (
            p,
            f"{first:.0f}",
            verdict(first <= TARGETS["first_ms"]),
            f"{rerun:.0f}",
            verdict(rerun <= TARGETS["rerun_ms"]),
        )
        for p, (first, rerun) in pages["pages"].items()
    ]


CONTRACTS_HEAD = ("contracts", "ingest (median)", "runs", "time ÷ 4 contracts", "peak RSS", "RSS ÷ 4 contracts")
HISTORY_HEAD = (
    "calls stored",
    "vendorboard ingest",
    "written",
    "file grew",
    "DuckDB INSERT",
    "written",
    "time ratio",
)
PAGES_HEAD = ("page", "first (ms)", "≤ 1 s", "rerun (ms)", "≤ 150 ms")


def section(size: Size, quick: bool, runs: int, contracts: dict, history: dict, pages: dict, elapsed: float) -> str:
    m = size.month
    how = "python benchmarks/sweeps.py" + (" --quick" if quick else "")
    return "\n".join(
        [
            HEADING,
            "",
            f"`{how}` on {run.machine()['date']}, medians of {runs} rounds, {elapsed / 60:.1f} min"
            + (" (the quick sizes: the full run is `python benchmarks/sweeps.py`)." if quick else "."),
            "",
            "### Contracts",
            "",
            f"One month ({MONTH}: {m.calls:,} calls, {m.chats:,} chats, {m.emails:,} e-mails, {m.visits:,} visits "
            f"and their agent sessions, {contracts['rows']:,} rows in all) spread over N vendors with a contract "
            f"each, ingested into a database holding the reference tables; ratios per round against the 4-contract "
            f"run (load at the start {contracts['load']}).",
            "",
            md_table(CONTRACTS_HEAD, contracts_rows(contracts)),
            "",
            "### History",
            "",
            f"A daily file of {history['daily']:,} calls ({DAILY}) into databases holding the month to date and "
            f"earlier months, against a plain DuckDB `INSERT INTO calls SELECT * FROM read_csv(...)` of the same "
            f"file into a table of the same rows; `written` is what the process wrote to storage (load at the "
            f"start {history['load']}).",
            "",
            md_table(HISTORY_HEAD, history_rows(history)),
            "",
            "### Pages after a write",
            "",
            f"Every page's server-side run time (benchmarks/page_times.py) on the database of "
            f"{history['stored'][size.pages_at]:,} calls right after the daily file; `first` with every cache "
            f"empty, `rerun` the median of three reruns (load at the start {pages['load']}).",
            "",
            md_table(PAGES_HEAD, pages_rows(pages)),
            "",
        ]
    )


def write_section(text: str) -> None:
    """Replace the sweeps' section of RESULTS.md (always its last), or add it."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    kept = old.split(f"\n{HEADING}\n")[0].rstrip("\n")
    RESULTS.write_text((kept + "\n\n" if kept else "") + text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes (minutes on 2 cores)")
    parser.add_argument("--runs", type=int, default=3, help="rounds (median; at least 1)")
    args = parser.parse_args()
    size, runs = (QUICK if args.quick else FULL_SIZE), max(1, args.runs)
    started = time.perf_counter()
    work = CACHE / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    contracts = bench_contracts(size, runs, work)
    history = bench_history(size, runs, work)
    pages = run.bench_pages(history["after"], f"{history['stored'][size.pages_at]:,} calls after a daily file")
    shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    for head, rows in (
        (CONTRACTS_HEAD, contracts_rows(contracts)),
        (HISTORY_HEAD, history_rows(history)),
        (PAGES_HEAD, pages_rows(pages)),
    ):
        print()
        print(text_table(head, rows))
    write_section(section(size, args.quick, runs, contracts, history, pages, elapsed))
    log(f"wrote the sweeps into {RESULTS.relative_to(ROOT)} ({elapsed / 60:.1f} min)")


if __name__ == "__main__":
    main()
