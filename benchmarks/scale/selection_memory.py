"""Memory of the mix caller: the range-partitioned writer (the caller holds counts per range,
shard and pool, no row) against the caller before it (the partitioned selection returning every
pick as integers, then the split's shuffle order) and the in-memory `select` over every row's id.

Each measurement is a fresh process: a synthetic rendered source of N parts of 250,000 rows
(`sha256:` ids, 50-2,000 tokens a row, a one-word text), half of its tokens picked. `ranges`
runs what `write_mix` runs for a split (plan_selection, pick_into_splits, tally,
write_split_ranges: the shards written); `picks` and `central` run the selection plus the
shuffle order. Peak RSS over the RSS at the start (VmHWM reset through /proc/self/clear_refs),
serial executor, so the peak includes one task (one part, one range of TASK_RANGE_ROWS, one
shard) -- the same at both sizes. The slope between two sizes is the caller's memory per picked row; the fixed part
(imports, numba, buffers, the task) cancels.

    .venv/bin/python benchmarks/scale/selection_memory.py   # -> benchmarks/results/selection_memory.md
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import probe  # noqa: E402  (benchmarks/scale/probe.py)

DATA = ROOT / "benchmarks" / "data" / "selection_memory"
RESULTS = ROOT / "benchmarks" / "results" / "selection_memory.md"
ROWS_PER_PART = 250_000
SIZES = (8, 16)  # parts: 2M and 4M rows
MODES = ("ranges", "picks", "central")
TASK_RANGE_ROWS = 250_000


def make_run(parts: int) -> Path:
    """A rendered run of one source, `web`, of `parts` parts of RENDERED_SCHEMA rows."""
    from curation.render.stage import RENDERED_SCHEMA

    run = DATA / f"rendered-{parts}"
    data = run / "sources" / "web" / "data"
    if data.exists():
        return run
    data.mkdir(parents=True)
    rng = np.random.default_rng(parts)
    spans = pa.array([[]] * ROWS_PER_PART, RENDERED_SCHEMA.field("spans").type)
    meta_type = RENDERED_SCHEMA.field("meta").type
    meta = pa.StructArray.from_arrays(
        [pa.nulls(ROWS_PER_PART, f.type) for f in meta_type], fields=list(meta_type)
    )
    for k in range(parts):
        ids = [f"sha256:{rng.bytes(32).hex()}" for _ in range(ROWS_PER_PART)]
        columns = {
            "id": pa.array(ids, pa.string()),
            "source": pa.array(["web"] * ROWS_PER_PART, pa.string()),
            "text": pa.array(["word"] * ROWS_PER_PART, pa.large_string()),
            "n_tokens": pa.array(rng.integers(50, 2000, ROWS_PER_PART), pa.int64()),
            "spans": spans,
            "token_spans": spans,
            "meta": meta,
        }
        pq.write_table(pa.table(columns, schema=RENDERED_SCHEMA), data / f"part-{k:05d}.parquet")
    return run


def measure(run: Path, mode: str) -> dict:
    """One measurement, in this process (run it in a fresh one)."""
    from curation.executor import parse_executor
    from curation.mix import split_ranges
    from curation.mix.build import MIX_SCHEMA
    from curation.mix.manifest_budget import MixPart
    from curation.mix.sample import shuffle_order
    from curation.mix.sample_hash import order_by_key
    from curation.mix.select import TRAIN, select, tally
    from curation.mix.select_partitioned import plan_selection, select_partitioned
    from curation.mix.split_ranges import pick_into_splits, write_split_ranges
    from curation.mix.split_writer import SplitTarget

    paths = sorted((run / "sources" / "web" / "data").glob("*.parquet"))
    total = int(sum(pq.read_table(p, columns=["n_tokens"]).column(0).to_numpy().sum() for p in paths))
    parts = [MixPart("mix", total // 2, {"web": 1.0})]
    serial = parse_executor(1)
    out = DATA / f"out-{len(paths)}"
    shutil.rmtree(out, ignore_errors=True)

    me = os.getpid()
    probe.reset_peak(me)
    start = probe.status_bytes(me, "VmRSS")
    if mode == "ranges":
        # Ranges of a fixed size, so the tasks (run in this process by the serial executor) hold
        # as much at both sizes and the slope is the caller's alone. With RANGE_ROWS (2M) one
        # range holds every pick here, and the slope is the sort task's bytes a row.
        split_ranges.RANGE_ROWS = TASK_RANGE_ROWS
        plan = plan_selection(run, ["web"], parts, 1, {"web": 1.0}, 0.0, serial)
        train, evals, counts = pick_into_splits(plan, {TRAIN: ["mix"]}, True, MIX_SCHEMA, serial, out / "work")
        tally(plan.stats, train, evals, plan.trained)
        target = SplitTarget(out / TRAIN, MIX_SCHEMA, 50_000, 256 * 2**20, TRAIN)
        write_split_ranges(counts.ranges[TRAIN], True, target, serial, out / "work" / TRAIN)
        picked = sum(t.rows for t in train)
    elif mode == "picks":
        train, _, _ = select_partitioned(run, ["web"], parts, 1, {"web": 1.0}, 0.0, serial)
        order_by_key(np.concatenate([p.shuffle_keys for p in train]), lambda rows: [], "row")
        picked = sum(p.rows for p in train)
    else:
        table = pa.concat_tables(pq.read_table(p, columns=["id", "n_tokens"]) for p in paths)
        pools = {"web": (table.column("id").combine_chunks(), table.column("n_tokens").to_numpy())}
        train, _, _ = select(pools, parts, 1, {"web": 1.0}, 0.0)
        shuffle_order(pools["web"][0].take(pa.array(train[0].indices)), "web", train[0].epochs, 1)
        picked = sum(p.rows for p in train)
    peak = probe.status_bytes(me, "VmHWM") - start
    shutil.rmtree(out, ignore_errors=True)
    return {"mode": mode, "rows": len(paths) * ROWS_PER_PART, "picked": int(picked), "peak_over_start": peak}


def main() -> None:
    results = []
    for mode in MODES:
        for parts in SIZES:
            run = make_run(parts)
            results.append(probe.run_child(__file__, run, mode))
    lines = [
        "# Mix caller memory: the range-partitioned writer, the picks it replaced, the in-memory `select`",
        "",
        f"`benchmarks/scale/selection_memory.py` (see its docstring). Rows of {ROWS_PER_PART:,} a part, half the "
        "tokens picked, peak RSS over the start of a fresh process. ranges: selection, picks written into "
        f"ranges of {TASK_RANGE_ROWS:,} rows, ranges sorted, shards written (what the mix caller runs now); picks: the partitioned "
        "selection returning every pick, plus the shuffle order (the caller before); central: `select` "
        "over every id plus the shuffle order.",
        "",
        "| caller | rendered rows | picked rows | peak over start MiB |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['mode']} | {r['rows']:,} | {r['picked']:,} | {r['peak_over_start'] / 2**20:.0f} |" for r in results
    ]
    lines.append("")
    lines += probe.slope_lines(results, MODES, "picked", "picked row")
    probe.write_results(RESULTS, lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(Path(sys.argv[2]), sys.argv[3])))
    else:
        main()
