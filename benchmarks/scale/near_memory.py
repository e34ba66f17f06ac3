"""Memory of near dedup's caller: survivor order sorted by tasks (now) against the caller before
it (commit 2d6eb0f), which held every row's (id, source, length), its rank and node, and arrays
of n for the connected components.

Each measurement is a fresh process running `near_decisions_partitioned` on a synthetic ingested
source of N text rows (40 words of a 5,000-word vocabulary; one row in 10 a copy of another with
one word changed, so there are edges to verify), its tasks on 2 worker processes: the peak RSS of
the process (VmHWM over its start, reset through /proc/self/clear_refs) is the caller's, plus
the maps of a single item, which run in the caller (the same at both sizes). Survivor blocks and
ranges are BLOCK_ROWS rows here, so there are several at both sizes. The slope between the two
sizes is the caller's memory per row of the scope; the fixed part cancels.

    .venv/bin/python benchmarks/scale/near_memory.py   # -> benchmarks/results/near_memory.md

"before" needs a checkout of 2d6eb0f at BEFORE (made with `git worktree add` when missing).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe  # noqa: E402  (benchmarks/scale/probe.py)

DATA = ROOT / "benchmarks" / "data" / "near_memory"
RESULTS = ROOT / "benchmarks" / "results" / "near_memory.md"
BEFORE_COMMIT = "2d6eb0f"
BEFORE = DATA / f"checkout-{BEFORE_COMMIT}"
SIZES = (1_000_000, 2_000_000)
BLOCK_ROWS = 250_000
PART_ROWS = 250_000


def make_run(rows: int) -> Path:
    """An ingested run of one source, `web`, of `rows` text rows in parts of PART_ROWS."""
    sys.path.insert(0, str(ROOT))
    from curation.record import CANONICAL_SCHEMA

    run = DATA / f"run-{rows}"
    data = run / "sources" / "web" / "data"
    if data.exists():
        return run
    data.mkdir(parents=True)
    rng = np.random.default_rng(rows)
    vocabulary = np.array([f"w{k}" for k in range(5000)])
    words = rng.integers(0, vocabulary.size, (rows, 40))
    copies = rng.random(rows) < 0.1
    words[copies] = words[rng.integers(0, rows, int(copies.sum()))]
    words[copies, rng.integers(0, 40)] = 0  # one word changed
    texts = [" ".join(vocabulary[w]) for w in words]
    meta_type = CANONICAL_SCHEMA.field("meta").type
    for k, lo in enumerate(range(0, rows, PART_ROWS)):
        n = min(PART_ROWS, rows - lo)
        columns = {
            "id": pa.array([f"doc-{i:09d}" for i in range(lo, lo + n)]),
            "source": pa.array(["web"] * n),
            "kind": pa.array(["text"] * n),
            "messages": pa.nulls(n, CANONICAL_SCHEMA.field("messages").type),
            "text": pa.array(texts[lo : lo + n]),
            "meta": pa.StructArray.from_arrays([pa.nulls(n, f.type) for f in meta_type], fields=list(meta_type)),
        }
        pq.write_table(pa.table(columns, schema=CANONICAL_SCHEMA), data / f"part-{k:05d}.parquet", row_group_size=10_000)
    return run


def measure(run: Path, mode: str) -> dict:
    """One measurement, in this process (run it in a fresh one, with the code of `mode` first on sys.path)."""
    sys.path.insert(0, str(BEFORE if mode == "before" else ROOT))
    from curation.dedup.near_partitioned import near_decisions_partitioned
    from curation.dedup.near_stage import NearOptions
    from curation.executor import Processes

    if mode == "now":
        from curation.dedup import survivor_rank

        survivor_rank.BLOCK_ROWS = survivor_rank.RANGE_ROWS = BLOCK_ROWS
    executor = Processes(2)
    executor.map(abs, [(1,), (2,)])  # start the pool before the measurement
    me = os.getpid()
    work = DATA / f"work-{mode}"
    probe.reset_peak(me)
    start = probe.status_bytes(me, "VmRSS")
    found = near_decisions_partitioned(run, ["web"], None, NearOptions(), None, executor, work)
    peak = probe.status_bytes(me, "VmHWM") - start
    shutil.rmtree(work, ignore_errors=True)
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in (run / "sources" / "web" / "data").glob("*.parquet"))
    digest = hashlib.sha256(found.select("id", "duplicate_of", "similarity").write_csv().encode()).hexdigest()
    return {"mode": mode, "rows": rows, "removed": found.height, "decisions": digest, "peak_over_start": peak}


def main() -> None:
    if not BEFORE.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-f", str(BEFORE), BEFORE_COMMIT], check=True)
    results = []
    for mode in ("now", "before"):
        for rows in SIZES:
            run = make_run(rows)
            results.append(probe.run_child(__file__, run, mode))
    lines = [
        "# Near dedup caller memory: survivor order sorted by tasks, against the caller before it",
        "",
        "`benchmarks/scale/near_memory.py` (see its docstring): `near_decisions_partitioned` over one source of "
        "40-word text rows, one in 10 a near copy, tasks on 2 worker processes; peak RSS of the caller's process "
        f"over its start. now: survivor blocks and ranges of {BLOCK_ROWS:,} rows; before: commit {BEFORE_COMMIT}.",
        "",
        "| caller | rows | removed | peak over start MiB |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['mode']} | {r['rows']:,} | {r['removed']:,} | {r['peak_over_start'] / 2**20:.0f} |" for r in results
    ]
    lines.append("")
    lines += probe.slope_lines(results, ("now", "before"), "rows", "row of the scope")
    same = {r["rows"]: r["decisions"] for r in results if r["mode"] == "now"} == {
        r["rows"]: r["decisions"] for r in results if r["mode"] == "before"
    }
    lines.append(f"- the same decisions (rows, survivors, similarities) at both sizes: {'yes' if same else 'NO'}")
    probe.write_results(RESULTS, lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3])))
    else:
        main()
