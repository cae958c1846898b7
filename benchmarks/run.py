"""vendorboard at telecom scale: `make bench` (or `python benchmarks/run.py`).

One month of 10 M calls, 2 M chats, 1 M e-mails, 100 k visits and their agent sessions for four
vendors (the project's seeded generator, cached in bench_data/), measured in one run:

- ingest: `vendorboard ingest --kind calls` of the calls files into a database holding the reference
  tables, against DuckDB's own `CREATE TABLE AS SELECT * FROM read_csv(...)` of the same files;
- month compute: every SLA verdict and every invoice of the month, against the same figures in plain
  pandas (benchmarks/pandas_baseline.py), checked to be equal;
- pages: server-side run time of each dashboard page on the 10 M database (benchmarks/page_times.py);
- memory: peak RSS of the ingest and of the month compute, each in a process of its own;
- agent view: one contract's agents with every figure judged, and every contract's, from the agent
  rollup and measured from the rows;
- scaling: the month compute at 1 M, 3 M and 10 M calls.

Every timing is the median of --runs runs (at least 3), the two sides of each ratio alternating in
the same run. Prints a table and writes benchmarks/RESULTS.md. docs/benchmarks.md explains it all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dataset
import duckdb
from dataset import CACHE, FULL, MONTH, ROOT, VENDORBOARD

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
RESULTS = HERE / "RESULTS.md"
PAGE_TIMES = HERE / "page_times.py"
SCALES = (1_000_000, 3_000_000, FULL.calls)
GB = 1024**3
TARGETS = {"ratio": 2.0, "speedup": 20.0, "compute_s": 1.5, "page_ms": 300.0, "rss_gb": 4.0, "agents_s": 0.5}
AGENTS_CONTRACT = "C-TEL"  # the contract whose agents the agent view measures


@dataclass
class Run:
    seconds: float
    peak_rss: int  # bytes
    stdout: str
    written: int = 0  # bytes the process wrote to storage (wait4's ru_oublock)
    cpu: float = 0.0  # CPU seconds of every thread, user and system (wait4's ru_utime + ru_stime)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def spawn(cmd: list[str]) -> Run:
    """Run `cmd` to its end: wall seconds, the peak resident memory, the bytes written and the CPU
    seconds of that process alone."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            sys.exit(f"failed ({proc.returncode}): {' '.join(cmd[:4])} ...\n{err.read()[-3000:]}")
        return Run(seconds, usage.ru_maxrss * 1024, out.read(), usage.ru_oublock * 512, usage.ru_utime + usage.ru_stime)


def worker(*args: object) -> list[str]:
    return [PYTHON, str(HERE / "worker.py"), *map(str, args)]


def median(values) -> float:
    return statistics.median(values)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    ram = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    import pandas

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "ram_gb": round(int(ram.group(1)) / 1024**2, 1) if ram else None,
        "cpu": model.group(1).strip() if model else platform.processor(),
        "software": f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, pandas {pandas.__version__}",
    }


# ---- the measurements ------------------------------------------------------------------------


def bench_ingest(runs: int, work: Path) -> tuple[dict, Path]:
    """vendorboard ingest vs DuckDB read_csv, alternating; then one run timed per statement."""
    reference = dataset.reference_db(FULL, log)
    files = [str(f) for f in dataset.calls_files(dataset.data_set(FULL, log))]
    mine, raw = [], []
    load = load_average()
    for i in range(runs):
        target = work / f"ingest-{i}.duckdb"
        shutil.copyfile(reference, target)
        log(f"ingest run {i + 1}/{runs}: vendorboard ingest --kind calls ({len(files)} files)")
        run = spawn([VENDORBOARD, "--db", str(target), "ingest", "--kind", "calls", *files, "--format", "json"])
        loaded = json.loads(run.stdout)["tables"]["calls"]["loaded"]
        assert loaded == FULL.calls, f"vendorboard loaded {loaded} calls, expected {FULL.calls}"
        mine.append(run)
        if i:
            (work / f"ingest-{i - 1}.duckdb").unlink()
        log(f"ingest run {i + 1}/{runs}: DuckDB CREATE TABLE AS SELECT * FROM read_csv")
        raw_db = work / "raw.duckdb"
        raw_db.unlink(missing_ok=True)
        run = spawn(worker("raw-csv", raw_db, *files))
        assert json.loads(run.stdout)["rows"] == FULL.calls
        raw.append(run)
        raw_db.unlink()
    log("ingest: one more run with every SQL statement timed")
    traced_db, traced_out = work / "traced.duckdb", work / "traced.json"
    shutil.copyfile(reference, traced_db)
    spawn(worker("trace-ingest", traced_db, traced_out, *files))
    traced_db.unlink()
    result = {
        "files": len(files),
        "mine": [r.seconds for r in mine],
        "raw": [r.seconds for r in raw],
        "mine_cpu": [r.cpu for r in mine],
        "raw_cpu": [r.cpu for r in raw],
        "mine_rss": max(r.peak_rss for r in mine),
        "raw_rss": max(r.peak_rss for r in raw),
        "trace": json.loads(traced_out.read_text()),
        "load": load,
    }
    return result, work / f"ingest-{runs - 1}.duckdb"


def compute_runs(db: Path, runs: int, work: Path) -> tuple[list[dict], list[Run]]:
    found, procs = [], []
    for i in range(runs):
        out = work / f"compute-{i}.json"
        procs.append(spawn(worker("compute", db, MONTH, out)))
        found.append(json.loads(out.read_text()))
    return found, procs


def _parsed(figures: dict) -> tuple[dict, dict]:
    sla = {
        (c, ch, m, None if t is None else Decimal(t), clock): (Decimal(n), Decimal(d), v, met)
        for c, ch, m, t, clock, n, d, v, met in figures["sla"]
    }
    return sla, {tuple(q[:3]): q[3] for q in figures["quantities"]}


def same_figures(engine: dict, pandas: dict) -> list[str]:
    """Differences between the two sides' verdicts and usage quantities (empty when equal)."""
    (e_sla, e_q), (p_sla, p_q) = _parsed(engine), _parsed(pandas)
    problems = [f"target {k} only in {'vendorboard' if k in e_sla else 'pandas'}" for k in e_sla.keys() ^ p_sla.keys()]
    for key in e_sla.keys() & p_sla.keys():
        (en, ed, ev, em), (pn, pd_, pv, pm) = e_sla[key], p_sla[key]
        value_differs = (ev is None) != (pv is None) or (ev is not None and not math.isclose(ev, pv, rel_tol=1e-12))
        if (en, ed, em) != (pn, pd_, pm) or value_differs:
            problems.append(f"{key}: vendorboard {en}/{ed}={ev} met={em}, pandas {pn}/{pd_}={pv} met={pm}")
    problems += [
        f"quantity {k}: vendorboard {e_q.get(k)}, pandas {p_q.get(k)}"
        for k in e_q.keys() | p_q.keys()
        if e_q.get(k) != p_q.get(k)
    ]
    return problems


def bench_compute(db: Path, runs: int, work: Path) -> dict:
    """vendorboard's month compute and the pandas baseline, alternating, each run in its own process."""
    load = load_average()
    found, procs, pandas, pandas_procs = [], [], [], []
    for i in range(runs):
        log(f"month compute run {i + 1}/{runs}: vendorboard, then pandas (which first reads its tables)")
        [mine], [proc] = compute_runs(db, 1, work)
        found.append(mine)
        procs.append(proc)
        out = work / "pandas.json"
        pandas_procs.append(spawn(worker("pandas", db, MONTH, out)))
        pandas.append(json.loads(out.read_text()))
        problems = same_figures(mine, pandas[-1])
        if problems:
            sys.exit("pandas and vendorboard disagree:\n  " + "\n  ".join(problems))
    return {
        "seconds": [f["seconds"] for f in found],
        "verdicts": [f["verdicts_seconds"] for f in found],
        "invoices": [f["invoices_seconds"] for f in found],
        "rss": max(p.peak_rss for p in procs),
        "targets": found[0]["targets"],
        "contracts": found[0]["invoices"],
        "quantities": len(found[0]["quantities"]),
        "pandas": [p["seconds"] for p in pandas],
        "pandas_load": median(p["load_seconds"] for p in pandas),
        "pandas_rss": max(p.peak_rss for p in pandas_procs),
        "load": load,
    }


def without_rollups(db: Path, work: Path) -> Path:
    """A copy of `db` whose months have no rollups, so every figure is measured from the rows (what
    ingest's rollup refresh costs, and what a database from before rollups costs)."""
    copy = work / "from-rows.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM rollup_months; DELETE FROM agent_rollup_months")
    con.close()
    return copy


def bench_agents(db: Path, runs: int, work: Path) -> dict:
    """The agent view (worker.py agents) from the agent rollup, and measured from the rows."""
    load = load_average()
    found = {"rollup": [], "rows": []}
    from_rows = without_rollups(db, work)
    for i in range(runs):
        for kind, path in (("rollup", db), ("rows", from_rows)):
            log(f"agent view run {i + 1}/{runs}: {AGENTS_CONTRACT}'s agents, then every contract's ({kind})")
            out = work / "agents.json"
            spawn(worker("agents", path, MONTH, AGENTS_CONTRACT, out))
            found[kind].append(json.loads(out.read_text()))
    first = found["rollup"][0]
    return {
        "contract": [f["contract_seconds"] for f in found["rollup"]],
        "all": [f["all_seconds"] for f in found["rollup"]],
        "contract_from_rows": [f["contract_seconds"] for f in found["rows"]],
        "all_from_rows": [f["all_seconds"] for f in found["rows"]],
        **{k: first[k] for k in ("agents", "rows", "all_agents", "all_rows")},
        "load": load,
    }


def bench_scaling(full_seconds: list[float], runs: int, work: Path) -> list[dict]:
    rows = []
    for calls in SCALES:
        db = dataset.full_db(FULL.scaled(calls), log)
        if calls == FULL.calls:
            seconds = full_seconds
        else:
            log(f"scaling: month compute at {calls / 1e6:g} M calls")
            seconds = [f["seconds"] for f in compute_runs(db, runs, work)[0]]
        log(f"scaling: month compute at {calls / 1e6:g} M calls, measured from the rows")
        from_rows = [f["seconds"] for f in compute_runs(without_rollups(db, work), runs, work)[0]]
        rows.append({"calls": calls, "volume": FULL.scaled(calls), "seconds": seconds, "from_rows": from_rows})
    return rows


def bench_pages(db: Path, what: str = "the 10 M database") -> dict | None:
    if not PAGE_TIMES.exists():
        log("pages: benchmarks/page_times.py does not exist yet; skipped")
        return None
    log(f"pages: benchmarks/page_times.py on {what}")
    load = load_average()
    run = spawn([PYTHON, str(PAGE_TIMES), "--db", str(db), "--month", MONTH, "--contract", "C-TEL"])
    pages = {
        m[1]: (float(m[2]), float(m[3])) for m in re.finditer(r"^(\w+)\s+([\d.]+)\s+([\d.]+)\s*$", run.stdout, re.M)
    }
    if not pages:
        sys.exit(f"benchmarks/page_times.py printed no page timings:\n{run.stdout[-2000:]}")
    return {"pages": pages, "load": load}


# ---- the report ------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def spread(values: list[float], unit: str = " s") -> str:
    return " / ".join(f"{v:.2f}" for v in values) + unit


def summary(ing: dict, comp: dict, staff: dict, pages: dict | None) -> list[tuple[str, str, str, str]]:
    """(figure, measured, target, verdict) rows."""
    mine, raw = median(ing["mine"]), median(ing["raw"])
    ours, theirs = median(comp["seconds"]), median(comp["pandas"])
    ratios = [m / r for m, r in zip(ing["mine"], ing["raw"])]  # each pair ran back to back: same load
    mine_cpu, raw_cpu = median(ing["mine_cpu"]), median(ing["raw_cpu"])
    speedups = [p / c for p, c in zip(comp["pandas"], comp["seconds"])]
    rows = [
        (
            f"ingest {FULL.calls / 1e6:g} M calls: vendorboard ingest",
            f"{mine:.1f} s ({FULL.calls / mine / 1e3:,.0f} k rows/s; {mine_cpu:.1f} CPU s)",
            "",
            "",
        ),
        (
            "ingest: DuckDB CREATE TABLE AS read_csv, same files",
            f"{raw:.1f} s ({FULL.calls / raw / 1e3:,.0f} k rows/s; {raw_cpu:.1f} CPU s)",
            "",
            "",
        ),
        (
            "ingest ratio (vendorboard ÷ DuckDB, per pair)",
            f"{median(ratios):.2f} ({spread(ratios, '')})",
            f"≤ {TARGETS['ratio']}",
            verdict(median(ratios) <= TARGETS["ratio"]),
        ),
        ("ingest CPU ratio (the work done, whatever the load)", f"{mine_cpu / raw_cpu:.2f}", "", ""),
        (
            f"month compute: {comp['targets']} verdicts + {comp['contracts']} invoices",
            f"{ours:.2f} s",
            f"≤ {TARGETS['compute_s']} s",
            verdict(ours <= TARGETS["compute_s"]),
        ),
        ("pandas, same figures (data already in memory)", f"{theirs:.2f} s", "", ""),
        (
            "speed-up over pandas (per pair)",
            f"{median(speedups):.1f}× ({spread(speedups, '×')})",
            f"≥ {TARGETS['speedup']:g}×",
            verdict(median(speedups) >= TARGETS["speedup"]),
        ),
        (
            f"agent view: {AGENTS_CONTRACT}'s {staff['agents']:,} agents, {staff['rows']:,} figures",
            f"{median(staff['contract']):.3f} s",
            f"≤ {TARGETS['agents_s']} s",
            verdict(median(staff["contract"]) <= TARGETS["agents_s"]),
        ),
    ]
    if pages:
        worst = max(pages["pages"].items(), key=lambda p: p[1][1])
        rows.append(
            (
                "pages: slowest rerun after the first",
                f"{worst[1][1]:.0f} ms ({worst[0]})",
                f"≤ {TARGETS['page_ms']:g} ms",
                verdict(worst[1][1] <= TARGETS["page_ms"]),
            )
        )
    else:
        rows.append(("pages: rerun after the first", "not measured (no page_times.py)", "≤ 300 ms", ""))
    for what, rss in (("ingest", ing["mine_rss"]), ("month compute", comp["rss"])):
        rows.append(
            (
                f"peak RSS, {what}",
                f"{rss / GB:.2f} GB",
                f"≤ {TARGETS['rss_gb']:g} GB",
                verdict(rss <= TARGETS["rss_gb"] * GB),
            )
        )
    return rows


def text_table(header: tuple, rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, rows)])


def md_table(header: tuple, rows: list[tuple]) -> str:
    return "\n".join(
        [
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *("| " + " | ".join(str(c) for c in r) + " |" for r in rows),
        ]
    )


def report(
    info: dict,
    ing: dict,
    comp: dict,
    staff: dict,
    scaling: list[dict],
    pages: dict | None,
    runs: int,
    elapsed: float,
) -> str:
    head = ("figure", "measured (median)", "target", "")
    rows = summary(ing, comp, staff, pages)
    trace = ing["trace"]
    steps = sorted(trace["kinds"].items(), key=lambda kv: -kv[1][2])
    sections = [
        "# Benchmark results",
        "",
        f"Written by `make bench` on {info['date']}: {info['cores']} cores, {info['ram_gb']} GB RAM "
        f"({info['cpu']}); {info['software']}. Whole run {elapsed / 60:.1f} min. "
        f"Medians of {runs} runs; what each figure means: [docs/benchmarks.md](../docs/benchmarks.md).",
        "",
        f"Data: one month ({MONTH}), 4 vendors, {FULL.calls:,} calls, {FULL.chats:,} chats, "
        f"{FULL.emails:,} e-mails, {FULL.visits:,} visits and their agent sessions (seeded generator, CSV).",
        "",
        md_table(head, rows),
        "",
        "## Runs",
        "",
        md_table(
            ("figure", "each run", "load average (1, 5, 15 min) at the start"),
            [
                ("vendorboard ingest", spread(ing["mine"]), ing["load"]),
                ("DuckDB read_csv", spread(ing["raw"]), ing["load"]),
                ("month compute (verdicts part)", spread(comp["verdicts"]), comp["load"]),
                ("month compute (invoices part)", spread(comp["invoices"]), comp["load"]),
                ("month compute", spread(comp["seconds"]), comp["load"]),
                ("pandas", spread(comp["pandas"]), comp["load"]),
            ],
        ),
        "",
        f"pandas read its tables from the database in {comp['pandas_load']:.1f} s (not timed) and peaked at "
        f"{comp['pandas_rss'] / GB:.2f} GB; DuckDB's read_csv peaked at {ing['raw_rss'] / GB:.2f} GB. "
        f"The two sides gave the same {comp['targets']} verdicts (numerators, denominators, values, met) and "
        f"{comp['quantities']} usage quantities.",
        "",
        "## Where the ingest time goes",
        "",
        f"One more `ingest` of the {ing['files']} calls files with every SQL statement timed "
        f"({trace['seconds']:.1f} s and {trace['cpu']:.1f} CPU seconds in all, against "
        f"{median(ing['raw_cpu']):.1f} CPU seconds for DuckDB's own load):",
        "",
        md_table(
            ("step", "statements", "seconds", "CPU seconds", "share of the CPU"),
            [(k, n or "", f"{s:.1f}", f"{c:.1f}", f"{c / trace['cpu']:.0%}") for k, (n, s, c) in steps],
        ),
        "",
        "## Scaling: month compute",
        "",
        "The month compute as timed above (from the month's rollups), and the same figures measured from "
        "the rows, as for a database without rollups (about what ingest spends refreshing a month).",
        "",
        md_table(
            ("calls", "chats", "e-mails", "visits", "month compute (median)", "runs", "from the rows (median)", "runs"),
            [
                (
                    f"{r['volume'].calls:,}",
                    f"{r['volume'].chats:,}",
                    f"{r['volume'].emails:,}",
                    f"{r['volume'].visits:,}",
                    f"{median(r['seconds']):.2f} s",
                    spread(r["seconds"]),
                    f"{median(r['from_rows']):.2f} s",
                    spread(r["from_rows"]),
                )
                for r in scaling
            ],
        ),
        "",
        "## Agent view",
        "",
        f"`agents.figures` (docs/agents.md) for {AGENTS_CONTRACT} ({staff['agents']:,} agents, {staff['rows']:,} "
        f"figures) and for every contract ({staff['all_agents']:,} agents, {staff['all_rows']:,} figures), each "
        f"process timed after a warm-up; from the agent rollup and measured from the rows (load at the start "
        f"{staff['load']}):",
        "",
        md_table(
            ("what", "from the rollup (median)", "runs", "from the rows (median)", "runs"),
            [
                (
                    what,
                    f"{median(staff[key]):.3f} s",
                    spread(staff[key]),
                    f"{median(staff[key + '_from_rows']):.3f} s",
                    spread(staff[key + "_from_rows"]),
                )
                for what, key in ((AGENTS_CONTRACT, "contract"), ("every contract", "all"))
            ],
        ),
        "",
        "## Pages",
        "",
    ]
    if pages:
        sections += [
            f"Server-side run time of each page on the 10 M database (benchmarks/page_times.py, AppTest; "
            f"load at the start {pages['load']}): `first` with every cache empty, `rerun` the median of its reruns.",
            "",
            md_table(
                ("page", "first (ms)", "rerun (ms)", "target ≤ 300 ms"),
                [(p, f"{f:.0f}", f"{r:.0f}", verdict(r <= TARGETS["page_ms"])) for p, (f, r) in pages["pages"].items()],
            ),
        ]
    else:
        sections.append("Not measured: benchmarks/page_times.py does not exist yet.")
    return "\n".join(sections) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median; at least 3)")
    args = parser.parse_args()
    runs = max(3, args.runs)
    started = time.perf_counter()
    info = machine()
    log(f"{info['cores']} cores, {info['ram_gb']} GB RAM; load average {load_average()}")
    CACHE.mkdir(exist_ok=True)
    work = CACHE / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    for calls in SCALES[:-1]:  # the smaller data sets first, so the timed runs are not interrupted
        dataset.full_db(FULL.scaled(calls), log)
    ing, last_ingest = bench_ingest(runs, work)
    full = dataset.full_db(FULL, log, with_calls=last_ingest)
    comp = bench_compute(full, runs, work)
    staff = bench_agents(full, runs, work)
    scaling = bench_scaling(comp["seconds"], runs, work)
    pages = bench_pages(full)
    shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    print()
    print(text_table(("figure", "measured (median)", "target", ""), summary(ing, comp, staff, pages)))
    print()
    print(
        text_table(
            ("calls", "month compute", "from the rows"),
            [(f"{r['calls']:,}", f"{median(r['seconds']):.2f} s", f"{median(r['from_rows']):.2f} s") for r in scaling],
        )
    )
    if pages:
        print()
        print(
            text_table(
                ("page", "first ms", "rerun ms"), [(p, f"{f:.0f}", f"{r:.0f}") for p, (f, r) in pages["pages"].items()]
            )
        )
    RESULTS.write_text(report(info, ing, comp, staff, scaling, pages, runs, elapsed))
    log(f"wrote {RESULTS.relative_to(ROOT)} ({elapsed / 60:.1f} min)")


if __name__ == "__main__":
    main()
