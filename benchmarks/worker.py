"""One measured task in a process of its own (so its peak RSS is its own), called by run.py:

    worker.py compute DB MONTH OUT.json         vendorboard's month compute, timed, and its figures
    worker.py agents DB MONTH CONTRACT OUT.json the agent view: one contract's agents, then all
    worker.py pandas DB MONTH OUT.json          the pandas baseline, timed, and its figures
    worker.py raw-csv DB FILE...                DuckDB's own CREATE TABLE AS SELECT * FROM read_csv
    worker.py raw-insert DB FILE                DuckDB's own INSERT INTO calls SELECT * FROM read_csv
    worker.py trace-ingest DB OUT.json FILE...  vendorboard's ingest of calls, timed per SQL statement

Figures are written as JSON with decimals as strings, so run.py can check the two sides exactly.
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb

from metrics import agents, store
from metrics.billing import compute
from metrics.billing.quantities import usage_quantities
from metrics.billing.rates import ladders
from metrics.periods import parse_month
from metrics.sla import verdicts


def _json(value):
    return str(value) if isinstance(value, Decimal) else value


def _figures(sla: dict, quantities: dict) -> dict:
    """{"sla": [[key..., numerator, denominator, value, met]], "quantities": [[key..., base]]} for JSON
    (decimals as text, so run.py compares them exactly)."""
    return {
        "sla": [[*map(_json, key), *map(_json, row)] for key, row in sorted(sla.items(), key=str)],
        "quantities": [[*key, int(q)] for key, q in sorted(quantities.items())],
    }


def month_compute(db: str, month: str, out: str) -> None:
    """The month as a page or a report needs it: every target's verdict and every contract's invoice
    (the invoices take their credits from those verdicts). Timed on a fresh read connection after
    one untimed warm-up on another, as the pandas side is."""
    m = parse_month(month)
    path = Path(db)
    warm = store.connect_reader(path)
    compute(warm, m, verdicts=verdicts(warm, m))
    warm.close()
    start = time.perf_counter()
    con = store.connect_reader(path)
    found = verdicts(con, m)
    middle = time.perf_counter()
    invoices = compute(con, m, verdicts=found)
    end = time.perf_counter()
    sla = {
        (r["contract_id"], r["channel"], r["metric"], r["threshold_seconds"], r["clock"]): (
            r["numerator"],
            r["denominator"],
            r["value"],
            r["met"],
        )
        for r in found.iter_rows(named=True)
    }
    quantities = usage_quantities(con, m, ladders(con, m, [i.contract_id for i in invoices]))
    Path(out).write_text(
        json.dumps(
            {
                "seconds": end - start,
                "verdicts_seconds": middle - start,
                "invoices_seconds": end - middle,
                "targets": found.height,
                "invoices": len(invoices),
                **_figures(sla, quantities),
            }
        )
    )


def agent_view(db: str, month: str, contract: str, out: str) -> None:
    """What the Agents page asks the engine for: one contract's agents with every figure judged, then
    every contract's (the monthly report's). Timed on a fresh read connection after one untimed
    warm-up on another."""
    m = parse_month(month)
    path = Path(db)
    warm = store.connect_reader(path)
    agents.figures(warm, m, contract)
    warm.close()
    con = store.connect_reader(path)
    start = time.perf_counter()
    one = agents.figures(con, m, contract)
    middle = time.perf_counter()
    every = agents.figures(con, m)
    end = time.perf_counter()
    con.close()
    Path(out).write_text(
        json.dumps(
            {
                "contract_seconds": middle - start,
                "all_seconds": end - middle,
                "agents": one["agent_id"].n_unique(),
                "rows": one.height,
                "all_agents": every.select("contract_id", "agent_id").n_unique(),
                "all_rows": every.height,
            }
        )
    )


def pandas_baseline(db: str, month: str, out: str) -> None:
    """The pandas figures: tables read into memory (not timed), one untimed warm-up, one timed run."""
    import pandas_baseline as baseline

    m = parse_month(month)
    con = store.connect_reader(Path(db))
    start = time.perf_counter()
    tables = baseline.load(con)
    loaded = time.perf_counter() - start
    con.close()
    baseline.month_figures(tables, m)
    start = time.perf_counter()
    sla, quantities = baseline.month_figures(tables, m)
    seconds = time.perf_counter() - start
    Path(out).write_text(json.dumps({"seconds": seconds, "load_seconds": loaded, **_figures(sla, quantities)}))


def raw_csv(db: str, files: list[str]) -> None:
    con = duckdb.connect(db)
    con.execute("CREATE TABLE calls AS SELECT * FROM read_csv(?)", [files])
    print(json.dumps({"rows": con.execute("SELECT count(*) FROM calls").fetchone()[0]}))
    con.close()


def raw_insert(db: str, file: str) -> None:
    """A plain DuckDB INSERT of a calls file into the `calls` table of `db` (the history sweep's baseline)."""
    con = duckdb.connect(db)
    con.execute("INSERT INTO calls SELECT * FROM read_csv(?)", [file])
    print(json.dumps({"rows": con.execute("SELECT count(*) FROM calls").fetchone()[0]}))
    con.close()


# What each ingest statement does, by its first words (in order: the first match names it).
STATEMENT_KINDS = (
    ("stage: read, type and check each file", r"^(CREATE TEMP TABLE staged|INSERT INTO staged)"),
    ("read the file header", r"^DESCRIBE SELECT"),
    ("quarantine and rejection counts", r"(quarantine|csv_rejects|vb_rejects|vb_malformed|_reason, count|_check > 0)"),
    ("lines: each file's lines add up, rejected rows' lines", r"^(UPDATE staged SET _line|SELECT _seq, count)"),
    ("de-duplication check (keys repeated or stored)", r"count\(DISTINCT"),
    ("store: insert the typed rows into calls", r"^INSERT INTO calls"),
    ("agent rollup: each agent's figures per day", r"agent_rollup"),
    ("month rollups: the targets' and ladders' sums per day", r"(_rollup|rollup_months)"),
    ("commit and checkpoint", r"^(COMMIT|CHECKPOINT)"),
)


def cpu_seconds() -> float:
    """The CPU time this process has used so far, every thread's (DuckDB's too), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Traced:
    """A connection that times every statement it executes: wall and CPU seconds."""

    def __init__(self, con: duckdb.DuckDBPyConnection, log: list):
        self._con, self._log = con, log

    def _timed(self, method, sql, *args):
        start, cpu = time.perf_counter(), cpu_seconds()
        result = method(sql, *args)
        self._log.append((time.perf_counter() - start, cpu_seconds() - cpu, sql))
        return result

    def execute(self, sql, *args):
        return self._timed(self._con.execute, sql, *args)

    def executemany(self, sql, *args):
        return self._timed(self._con.executemany, sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def trace_ingest(db: str, out: str, files: list[str]) -> None:
    """`ingest` of the calls files with each statement timed (the writer's connection is wrapped)."""
    from metrics.ingest import Source
    from metrics.loading import ingest

    log: list = []
    configure = store._configure
    store._configure = lambda con: _Traced(configure(con), log)
    start, cpu = time.perf_counter(), cpu_seconds()
    ingest(Path(db), [Source("calls", Path(f)) for f in files])
    total, total_cpu = time.perf_counter() - start, cpu_seconds() - cpu
    kinds: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])  # statements, seconds, CPU seconds
    for seconds, used, sql in log:
        text = " ".join(sql.split())
        kind = next((k for k, pattern in STATEMENT_KINDS if re.search(pattern, text)), "other statements")
        kinds[kind][0] += 1
        kinds[kind][1] += seconds
        kinds[kind][2] += used
    kinds["outside SQL (Python: the snapshot copy, each file's survey)"] = [
        0,
        total - sum(s for s, _, _ in log),
        total_cpu - sum(u for _, u, _ in log),
    ]
    Path(out).write_text(json.dumps({"seconds": total, "cpu": total_cpu, "kinds": kinds}))


if __name__ == "__main__":
    task, *rest = sys.argv[1:]
    if task == "compute":
        month_compute(*rest)
    elif task == "agents":
        agent_view(*rest)
    elif task == "pandas":
        pandas_baseline(*rest)
    elif task == "raw-csv":
        raw_csv(rest[0], rest[1:])
    elif task == "raw-insert":
        raw_insert(*rest)
    elif task == "trace-ingest":
        trace_ingest(rest[0], rest[1], rest[2:])
    else:
        sys.exit(f"unknown task {task}")
