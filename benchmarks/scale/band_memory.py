"""Memory and time of one near-dedup band task (lsh.band_edges_partition) as the scope grows:
grouped at once over a dense array of every node's key, or slice by slice (SLICE_NODES).

Each measurement is a fresh process: one band of N nodes (random 64-bit keys, 5% of the rows
sharing a key with another row, nodes a random permutation, key shards of 2**20 rows as
near_duplicates_streamed writes them), peak RSS over the RSS at the start (VmHWM reset through
/proc/self/clear_refs) and wall seconds of the call. The dense way grows with the nodes; the
sliced way holds one slice (about SLICE_NODES nodes) whatever the scope.

    .venv/bin/python benchmarks/scale/band_memory.py   # -> benchmarks/results/band_memory.md
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe  # noqa: E402  (benchmarks/scale/probe.py)

DATA = ROOT / "benchmarks" / "data" / "band_memory"
RESULTS = ROOT / "benchmarks" / "results" / "band_memory.md"
NODES = (1 << 23, 1 << 24, 1 << 25)  # 8M, 16M, 32M
SHARD_ROWS = 1 << 20


def make_shards(n: int) -> list[str]:
    from curation.dedup import lsh

    out = DATA / f"nodes-{n}"
    if not out.exists():
        out.mkdir(parents=True)
        rng = np.random.default_rng(0)
        nodes = rng.permutation(n).astype(np.int64)
        keys = rng.integers(0, 2**64 - 1, n, dtype=np.uint64)
        keys[rng.integers(0, n, n // 20)] = keys[rng.integers(0, n, n // 20)]  # planted buckets
        for i, lo in enumerate(range(0, n, SHARD_ROWS)):
            table = pa.table({"node": nodes[lo : lo + SHARD_ROWS], "k0": keys[lo : lo + SHARD_ROWS]})
            lsh._write_arrow(table, out / f"keys-{i:05d}.arrow")
    return sorted(str(p) for p in out.glob("keys-*.arrow"))


def measure(n: int, mode: str) -> dict:
    from curation.dedup import lsh

    paths = make_shards(n)
    if mode == "dense":
        lsh.SLICE_NODES = n  # the dense way at any size
    out = DATA / f"edges-{n}-{mode}.arrow"

    me = os.getpid()
    probe.reset_peak(me)
    start = probe.status_bytes(me, "VmRSS")
    t0 = time.perf_counter()
    lsh.band_edges_partition(paths, 0, 1, n, str(out))
    seconds = time.perf_counter() - t0
    edges = pa.ipc.open_file(pa.memory_map(str(out))).read_all().num_rows
    out.unlink()
    peak = probe.status_bytes(me, "VmHWM") - start
    return {"nodes": n, "mode": mode, "peak_over_start": peak, "seconds": seconds, "edges": edges}


def main() -> None:
    from curation.dedup.lsh import SLICE_NODES

    results = []
    for n in NODES:
        for mode in ("dense", "sliced"):
            results.append(probe.run_child(__file__, n, mode))
    lines = [
        "# One near-dedup band task: dense vs slice by slice",
        "",
        "`benchmarks/scale/band_memory.py` (see its docstring): one band of N nodes, peak RSS over the start "
        f"of a fresh process and wall seconds of `band_edges_partition`; SLICE_NODES = {SLICE_NODES:,}.",
        "",
        "| nodes | grouping | peak over start MiB | seconds | edges |",
        "|---:|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['nodes']:,} | {r['mode']} | {r['peak_over_start'] / 2**20:.0f} | {r['seconds']:.2f} | {r['edges']:,} |"
        for r in results
    ]
    same = all(
        a["edges"] == b["edges"] for a, b in zip(results[::2], results[1::2], strict=True)
    )
    lines += ["", f"Same edge count dense and sliced at every size: {'yes' if same else 'NO'}."]
    probe.write_results(RESULTS, lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]), sys.argv[3])))
    else:
        main()
