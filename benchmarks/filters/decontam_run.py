"""Decontamination speed: index build over GSM8K + HumanEval + IFEval (../shared/fixtures),
then the filter over ~N MB of synthetic chat rows made from the fixtures' instruction samples
(LLaMA-Factory alpaca_en_demo, shuffled and repeated), one process, batches of --batch rows.

    POLARS_MAX_THREADS=1 .venv/bin/python benchmarks/filters/decontam_run.py --mb 50

Writes benchmarks/results/decontam.md. MB counts the UTF-8 bytes of message contents.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from curation.filters.decontam import Decontaminator, default_benchmarks
from curation.record import CANONICAL_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures"
META = dict.fromkeys(["data_source", "domain", "language", "url", "path", "license", "extra"])


def synthetic_rows(mb: float, seed: int) -> list[dict]:
    samples = json.loads((FIXTURES / "instruct" / "llamafactory" / "alpaca_en_demo.json").read_text())
    rng = np.random.default_rng(seed)
    rows, size, i = [], 0, 0
    while size < mb * 1e6:
        for k in rng.permutation(len(samples)):
            s = samples[k]
            user = (s["instruction"] + "\n" + s["input"]).strip()
            msgs = [{"role": "user", "content": user, "reasoning": None, "tool_calls": None},
                    {"role": "assistant", "content": s["output"], "reasoning": None, "tool_calls": None}]
            rows.append({"id": f"r{i}", "source": "synthetic", "kind": "chat", "messages": msgs, "text": None,
                         "meta": META})
            size += len(user.encode()) + len(s["output"].encode())
            i += 1
            if size >= mb * 1e6:
                break
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50.0)
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    specs = default_benchmarks(FIXTURES)
    Decontaminator.from_specs(specs)  # warm numba's cache so build time excludes compilation
    t0 = time.perf_counter()
    filt = Decontaminator.from_specs(specs)
    build_s = time.perf_counter() - t0

    rows = synthetic_rows(args.mb, args.seed)
    batches = [pa.Table.from_pylist(rows[i : i + args.batch], schema=CANONICAL_SCHEMA)
               for i in range(0, len(rows), args.batch)]
    content_bytes = sum(len(m["content"].encode()) for r in rows for m in r["messages"])
    filt(batches[0].slice(0, 100))  # warm
    t0 = time.perf_counter()
    dropped = sum(filt(b).dropped for b in batches)
    look_s = time.perf_counter() - t0

    idx = filt.index
    table = [
        ("benchmarks", ", ".join(f"{n} ({s:,} grams)" for n, s in zip(idx.names, idx.sizes, strict=True))),
        ("n", str(idx.n)),
        ("n-grams indexed (distinct)", f"{idx.hashes.size:,}"),
        ("index build (load + normalise + hash + sort)", f"{build_s:.2f} s"),
        ("rows looked up", f"{len(rows):,} chat rows, {content_bytes / 1e6:.1f} MB of content"),
        ("lookup time", f"{look_s:.2f} s"),
        ("lookup rate", f"{content_bytes / 1e6 / look_s:.1f} MB/s, {len(rows) / look_s:,.0f} rows/s"),
        ("rows flagged", f"{dropped:,}"),
    ]
    md = [
        "# Decontamination speed",
        "",
        f"`POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', '(unset)')} "
        f"benchmarks/filters/decontam_run.py --mb {args.mb:g} --batch {args.batch}`, one process, "
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}. Synthetic rows: "
        "alpaca_en_demo instructions and outputs shuffled and repeated (none hold benchmark text, so "
        "'rows flagged' is the false-positive count). The machine was shared with another benchmark "
        "while this ran: treat rates as lower bounds.",
        "",
        "| measure | value |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in table],
        "",
    ]
    out = ROOT / "benchmarks" / "results" / "decontam.md"
    out.write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
