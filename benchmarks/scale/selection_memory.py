"""Memory of the mix caller's selection: the partitioned selection (thresholds from per-partition
histograms, picks as integers) against the in-memory `select` over every row's id it replaced.

Each measurement is a fresh process: a synthetic rendered source of N parts of 250,000 rows
(`sha256:` ids, 50-2,000 tokens a row), half of its tokens picked, then the split's shuffle order
(the rest of what the caller holds per picked row). Peak RSS over the RSS at the start (VmHWM
reset through /proc/self/clear_refs), serial executor. The slope between two sizes is the
memory per picked row; the fixed part (imports, numba, buffers) cancels.

    .venv/bin/python benchmarks/scale/selection_memory.py   # -> benchmarks/results/selection_memory.md
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data" / "selection_memory"
RESULTS = ROOT / "benchmarks" / "results" / "selection_memory.md"
ROWS_PER_PART = 250_000
SIZES = (8, 16)  # parts: 2M and 4M rows


def make_run(parts: int) -> Path:
    run = DATA / f"run-{parts}"
    data = run / "sources" / "web" / "data"
    if data.exists():
        return run
    data.mkdir(parents=True)
    rng = np.random.default_rng(parts)
    for k in range(parts):
        ids = [f"sha256:{rng.bytes(32).hex()}" for _ in range(ROWS_PER_PART)]
        tokens = pa.array(rng.integers(50, 2000, ROWS_PER_PART), pa.int64())
        pq.write_table(pa.table({"id": ids, "n_tokens": tokens}), data / f"part-{k:05d}.parquet")
    return run


def _status(field: str) -> int:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field))
    return int(line.split()[1]) * 1024


def measure(run: Path, mode: str) -> dict:
    """One measurement, in this process (run it in a fresh one)."""
    from curation.executor import parse_executor
    from curation.mix.manifest_budget import MixPart
    from curation.mix.sample import shuffle_order
    from curation.mix.sample_hash import order_by_key
    from curation.mix.select import select
    from curation.mix.select_partitioned import select_partitioned

    paths = sorted((run / "sources" / "web" / "data").glob("*.parquet"))
    total = int(sum(pq.read_table(p, columns=["n_tokens"]).column(0).to_numpy().sum() for p in paths))
    parts = [MixPart("mix", total // 2, {"web": 1.0})]
    Path("/proc/self/clear_refs").write_text("5")
    start = _status("VmRSS")
    if mode == "partitioned":
        train, _, _ = select_partitioned(run, ["web"], parts, 1, {"web": 1.0}, 0.0, parse_executor(1))
        order_by_key(np.concatenate([p.shuffle_keys for p in train]), lambda rows: [], "row")
    else:
        table = pa.concat_tables(pq.read_table(p, columns=["id", "n_tokens"]) for p in paths)
        pools = {"web": (table.column("id").combine_chunks(), table.column("n_tokens").to_numpy())}
        train, _, _ = select(pools, parts, 1, {"web": 1.0}, 0.0)
        shuffle_order(pools["web"][0].take(pa.array(train[0].indices)), "web", train[0].epochs, 1)
    return {
        "mode": mode,
        "rows": len(paths) * ROWS_PER_PART,
        "picked": int(sum(len(p.indices) for p in train)),
        "peak_over_start": _status("VmHWM") - start,
    }


def main() -> None:
    results = []
    for mode in ("partitioned", "central"):
        for parts in SIZES:
            run = make_run(parts)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(run), mode], check=True, capture_output=True, text=True
            )
            results.append(json.loads(out.stdout))
    lines = [
        "# Mix caller memory: partitioned selection vs the in-memory `select`",
        "",
        f"`benchmarks/scale/selection_memory.py` (see its docstring). Rows of {ROWS_PER_PART:,} a part, half the "
        "tokens picked, selection plus the shuffle order, peak RSS over the start of a fresh process.",
        "",
        "| selection | rendered rows | picked rows | peak over start MiB |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['mode']} | {r['rows']:,} | {r['picked']:,} | {r['peak_over_start'] / 2**20:.0f} |" for r in results
    ]
    lines.append("")
    for mode in ("partitioned", "central"):
        a, b = (r for r in results if r["mode"] == mode)
        slope = (b["peak_over_start"] - a["peak_over_start"]) / (b["picked"] - a["picked"])
        lines.append(f"- {mode}: **{slope:.0f} B per picked row** (slope between the two sizes)")
    RESULTS.write_text("\n".join(lines) + "\n")
    print(RESULTS.read_text())


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3])))
    else:
        main()
