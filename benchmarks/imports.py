"""Import speed: `vendorboard ingest --from asterisk-queue-log` of a queue_log next to the plain
`vendorboard ingest --kind calls` of the same calls as vendorboard CSV, in one run (`make bench`
runs it after benchmarks/run.py; alone: `python benchmarks/imports.py --events 1000000`).

The calls come from the project's seeded generator (one month, bad rows off); the queue_log is
their rendering by metrics/generate/exports.py (ENTERQUEUE, CONNECT + COMPLETECALLER or ABANDON per
call, ADDMEMBER/REMOVEMEMBER per phone session), uncompressed as Asterisk writes it. Each run loads
into a fresh copy of a database holding only the reference tables, as its own process; the two
sides alternate and the median of --runs is reported, as rows per second of wall time.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDORBOARD = [sys.executable, "-m", "metrics.cli"]
EVENTS_PER_CALL = 2.75  # what the rendering writes on average (answered calls 3 lines, abandons 2)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="queue_log lines to aim for")
    parser.add_argument("--runs", type=int, default=3, help="runs per side (median)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from metrics.generate import generate
    from metrics.generate.exports import write_exports
    from metrics.ingest.tables import REFERENCE

    with tempfile.TemporaryDirectory(prefix="vb-imports-bench-") as folder:
        work = Path(folder)
        data = work / "data"
        calls = int(args.events / EVENTS_PER_CALL)
        print(f"generating {calls:,} calls ...", flush=True)
        generate(data, months=("2026-10",), calls=calls, chats=0, emails=0, visits=0, bad_rows=False)
        write_exports(data)
        queue_log = work / "queue_log"
        with (
            gzip.open(next((data / "imports" / "asterisk-queue-log").glob("*.gz")), "rb") as src,
            open(queue_log, "wb") as out,
        ):
            shutil.copyfileobj(src, out)
        events = sum(1 for _ in open(queue_log, "rb"))
        csv_files = sorted(str(p) for p in (data / "calls").glob("*.csv"))
        reference = work / "reference"
        for kind in REFERENCE:
            if (data / kind).is_dir():  # payments come with the vendor invoices, not made here
                shutil.copytree(data / kind, reference / kind)
        base = work / "base.duckdb"
        timed([*VENDORBOARD, "--db", str(base), "ingest", str(reference)])
        sides = {
            "queue_log import (--from asterisk-queue-log)": [
                "ingest",
                "--from",
                "asterisk-queue-log",
                "--vendor",
                "V-TEL",
                str(queue_log),
            ],
            "vendorboard CSV ingest (--kind calls)": ["ingest", "--kind", "calls", *csv_files],
        }
        times: dict[str, list[float]] = {name: [] for name in sides}
        for run in range(args.runs):
            for name, cmd in sides.items():
                db = work / f"run{run}.duckdb"
                shutil.copyfile(base, db)
                times[name].append(timed([*VENDORBOARD, "--db", str(db), *cmd]))
                db.unlink()
        print(f"\n{calls:,} calls = {events:,} queue_log lines; median of {args.runs} runs, wall time per process")
        print(f"{'':48} {'seconds':>8} {'lines/s':>12} {'calls/s':>12}")
        for name, seconds in times.items():
            s = statistics.median(seconds)
            lines = f"{events / s:>12,.0f}" if "queue_log" in name else f"{'':>12}"
            print(f"{name:48} {s:8.2f} {lines} {calls / s:>12,.0f}")


if __name__ == "__main__":
    main()
