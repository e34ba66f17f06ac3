"""Exact dedup throughput (MB/s per core): ours vs a hashlib loop, on the same documents.

    .venv/bin/python benchmarks/dedup/exact_run.py --docs 200000

Each contender runs in a fresh process pinned to one core (taskset -c 0, one thread). Both
do the same work: NFC, collapse whitespace, SHA-256 of the key, keep the first row of each
hash (ours: the survivor rule), produce the list of dropped ids. Half of the documents
are copies (some with extra spaces) of the other half. Writes benchmarks/results/dedup_exact.md
and .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
WORDS = ["data", "curation", "pipeline", "model", "token", "budget", "mixture", "sample", "shard", "arrow", "parquet", "quality", "filter", "identity", "claim", "duplicate", "near", "exact", "hash", "signature", "band", "bucket", "cluster", "survivor", "report", "reason", "detail", "source", "stage", "manifest", "seed", "reproducible"]


def make(docs: int, seed: int = 0) -> Path:
    """Parquet of `docs` canonical text rows (id, source, kind, text): half unique, half copies."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = DATA / f"exact_{docs}_seed{seed}.parquet"
    if path.exists():
        return path
    rng = random.Random(seed)
    unique = [" ".join(rng.choices(WORDS, k=rng.randint(150, 450))) for _ in range(docs // 2)]
    texts = unique + [u.replace(" ", "  ", rng.randint(0, 3)) for u in rng.choices(unique, k=docs - len(unique))]
    rng.shuffle(texts)
    DATA.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table({"id": [f"d{i:08d}" for i in range(docs)], "source": ["bench"] * docs, "kind": ["text"] * docs,
                  "text": texts}),
        path,
    )
    return path


def ours(path: Path) -> tuple[float, int]:
    import polars as pl

    from curation.dedup.exact import ExactOptions, exact_decisions, exact_keys
    from curation.record import CANONICAL_SCHEMA

    messages_type = pl.from_arrow(CANONICAL_SCHEMA.empty_table()).schema["messages"]
    rows = pl.read_parquet(path).with_columns(pl.lit(None, dtype=messages_type).alias("messages"))
    start = time.perf_counter()
    dropped = exact_decisions(exact_keys(rows, ExactOptions(normalise=("nfc", "whitespace"))))
    return time.perf_counter() - start, dropped.height


def hashlib_loop(path: Path) -> tuple[float, int]:
    import hashlib
    import re
    import unicodedata

    import pyarrow.parquet as pq

    table = pq.read_table(path)
    ids, texts = table["id"].to_pylist(), table["text"].to_pylist()
    space = re.compile(r"\s+")
    start = time.perf_counter()
    seen: dict[bytes, str] = {}
    dropped = []
    for row_id, text in zip(ids, texts, strict=True):
        key = hashlib.sha256(space.sub(" ", unicodedata.normalize("NFC", text)).strip().encode()).digest()
        if key in seen:
            dropped.append(row_id)
        else:
            seen[key] = row_id
    return time.perf_counter() - start, len(dropped)


CONTENDERS = {"ours": ours, "hashlib_loop": hashlib_loop}


def child(name: str, path: Path) -> None:
    seconds, dropped = CONTENDERS[name](path)
    print(json.dumps({"seconds": seconds, "dropped": dropped}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, metavar=("CONTENDER", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    path = make(args.docs)
    import pyarrow.parquet as pq

    mb = sum(len(t.encode()) for t in pq.read_table(path, columns=["text"])["text"].to_pylist()) / 1e6
    env = {**os.environ, "POLARS_MAX_THREADS": "1", "OMP_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1"}
    runs: dict[str, list[dict]] = {name: [] for name in CONTENDERS}
    for i in range(args.repeat):
        for name in list(CONTENDERS)[i % 2 :] + list(CONTENDERS)[: i % 2]:
            out = subprocess.run(["taskset", "-c", "0", sys.executable, __file__, "--child", name, str(path)],
                                 env=env, capture_output=True, text=True, check=True)
            runs[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(name, runs[name][-1], flush=True)
    rows = []
    for name, rs in runs.items():
        sec = statistics.median(r["seconds"] for r in rs)
        rows.append({"contender": name, "seconds": sec, "mb_s": mb / sec, "dropped": rs[0]["dropped"],
                     "runs": [round(r["seconds"], 3) for r in rs]})
    base = next(r for r in rows if r["contender"] == "hashlib_loop")
    for r in rows:
        r["vs_hashlib"] = r["mb_s"] / base["mb_s"]
    doc = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "docs": args.docs, "mb": mb,
           "command": f".venv/bin/python benchmarks/dedup/exact_run.py --docs {args.docs} --repeat {args.repeat}",
           "rows": rows}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dedup_exact.json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        "# Exact dedup: ours vs a hashlib loop", "",
        f"Run {doc['date']}: `{doc['command']}`. {args.docs:,} documents, {mb:.1f} MB of text, half of them "
        "copies (some with doubled spaces). Both: NFC, whitespace collapse, SHA-256, one survivor per hash; "
        "each in a fresh process pinned to one core, one thread; median of the runs; timed after loading.", "",
        "| contender | MB/s per core | seconds | dropped | vs hashlib loop | runs (s) |", "|---|---|---|---|---|---|",
    ]
    lines += [f"| {r['contender']} | {r['mb_s']:.0f} | {r['seconds']:.2f} | {r['dropped']:,} | {r['vs_hashlib']:.2f}x "
              f"| {r['runs']} |" for r in rows]
    (RESULTS / "dedup_exact.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
