"""Write a deterministic English corpus for the tokenizer benchmark: rows of real text.

    .venv/bin/python benchmarks/tokens/make_corpus.py --mb 64     # -> benchmarks/data/tokens_64mb_seed0.parquet

Paragraphs of the public fixtures (C4 and Wikipedia documents, alpaca instructions and
answers, Dolma / Data-Juicer web samples) are recombined into rows of 1-6 paragraphs, so the
text is real English (with its curly quotes, dashes and a little non-English) rather than
synthetic words, which BPE would split unrealistically. Same --mb and --seed, same bytes.
One column `text` (large_string), parquet (zstd).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data"
FIXTURES = ROOT.parent / "shared" / "fixtures"


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def paragraphs() -> list[str]:
    texts: list[str] = []
    ll = FIXTURES / "instruct" / "llamafactory"
    texts += [json.loads(line)["text"] for line in (ll / "c4_demo.jsonl").read_text().splitlines() if line]
    texts += (ll / "wiki_demo.txt").read_text().splitlines()
    for row in json.loads((ll / "alpaca_en_demo.json").read_text()):
        texts += [row["instruction"], row["output"]]
    for path in sorted((FIXTURES / "web").rglob("*.json*")):
        lines = path.read_text().splitlines() if path.suffix == ".jsonl" else [path.read_text()]
        for line in lines:
            try:
                texts += [s for s in _strings(json.loads(line)) if len(s) > 200]
            except json.JSONDecodeError:
                continue
    paras = [p.strip() for t in texts for p in t.split("\n\n")]
    return sorted({p for p in paras if len(p) >= 40})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=64, help="size of the text in MB (1e6 bytes of UTF-8)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    paras = paragraphs()
    rng = np.random.default_rng(args.seed)
    rows, total = [], 0
    while total < args.mb * 1_000_000:
        k = int(rng.integers(1, 7))
        row = "\n\n".join(paras[int(i)] for i in rng.integers(0, len(paras), size=k))
        rows.append(row)
        total += len(row.encode())
    DATA.mkdir(parents=True, exist_ok=True)
    out = DATA / f"tokens_{args.mb}mb_seed{args.seed}.parquet"
    pq.write_table(pa.table({"text": pa.array(rows, pa.large_string())}), out, compression="zstd")
    print(f"{out}: {len(rows):,} rows, {total / 1e6:.1f} MB of text from {len(paras):,} distinct paragraphs")


if __name__ == "__main__":
    main()
