"""A pretraining-like input for the scale benchmark: web-like documents with planted exact and
near duplicates, as JSONL files (the raw form ingest reads), made from the corpora the other
benchmarks generate (nothing is copied into the repository):

    benchmarks/filters/make_docs.py   web-like documents: menus, boilerplate, repeated blocks,
                                      lorem ipsum, lists, real line shapes (the filters' work)
    benchmarks/dedup/make_corpus.py   ~300-word documents, 20% planted copies: exact,
                                      case/space-only, word edits, shuffled paragraphs (dedup's)

Rows of the first up to FILTER_SHARE of `mb` (all 64 MB of it for 200 MB), then rows of the second in their order (every original before its copies)
until the text reaches `mb` MB less the planted exact copies: EXACT_COPIES of the rows, drawn
at random, again under a new id (the same page crawled twice); the rows are interleaved by a seeded shuffle and written to
`files` JSONL files of {id, url, text}: ingest maps over those files.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "dedup"))
sys.path.insert(0, str(ROOT / "benchmarks" / "filters"))

import make_corpus as dedup_corpus  # noqa: E402
import make_docs as filters_docs  # noqa: E402

DEDUP_DOCS = 100_000
FILTER_MB = 64
EXACT_COPIES = 0.05
FILTER_SHARE = 0.32  # of the text: 64 MB of 200


def corpus_dir(work: Path, mb: int, seed: int, files: int) -> Path:
    return work / f"corpus_{mb}mb_seed{seed}_{files}files"


def ensure_corpus(work: Path, mb: int, seed: int = 0, files: int = 8) -> tuple[Path, dict]:
    """The corpus directory (built when missing) and its stats (docs, text bytes, makes)."""
    out = corpus_dir(work, mb, seed, files)
    stats_path = out.with_name(out.name + ".json")
    if stats_path.is_file():
        return out, json.loads(stats_path.read_text())
    web_path = filters_docs.corpus_path(FILTER_MB, seed)
    if not web_path.exists():
        filters_docs.make_corpus(FILTER_MB, seed)
    # 100,000 documents (~2.2 KB each, two thirds of them used) fill 200 MB with the 64 of web rows;
    # more MB need more (a corpus of their own, so the corpora earlier runs measured stay the same)
    docs = DEDUP_DOCS if mb <= 200 else -(-DEDUP_DOCS * (mb - FILTER_MB) // (200 - FILTER_MB))
    dup_path = dedup_corpus.ensure(docs, seed)
    rows: list[tuple[str, str, str]] = []
    size = 0
    for i, r in enumerate(pq.read_table(web_path, columns=["text", "make"]).to_pylist()):
        if size >= min(FILTER_MB, mb * FILTER_SHARE) * 1_000_000:
            break
        rows.append((f"w{i}", r["text"], r["make"]))
        size += len(r["text"].encode())
    dups = pq.read_table(dup_path, columns=["id", "text", "kind"]).to_pylist()
    for r in dups:
        if size >= mb * 1_000_000 / (1 + EXACT_COPIES):
            break
        rows.append((r["id"], r["text"], f"dedup:{r['kind']}"))
        size += len(r["text"].encode())
    rng = random.Random(seed)
    for n, i in enumerate(rng.sample(range(len(rows)), int(len(rows) * EXACT_COPIES))):
        rows.append((f"x{n}", rows[i][1], "exact_copy"))
        size += len(rows[i][1].encode())
    order = list(range(len(rows)))
    rng.shuffle(order)
    out.mkdir(parents=True, exist_ok=True)
    per_file = -(-len(rows) // files)
    makes: dict[str, int] = {}
    for f in range(files):
        with (out / f"part-{f:03d}.jsonl").open("w", encoding="utf-8") as fh:
            for i in order[f * per_file : (f + 1) * per_file]:
                doc_id, text, make = rows[i]
                makes[make] = makes.get(make, 0) + 1
                fh.write(
                    json.dumps({"id": doc_id, "url": f"https://example.org/{doc_id}", "text": text}) + "\n"
                )
    stats = {
        "docs": len(rows),
        "text_bytes": size,
        "files": files,
        "makes": dict(sorted(makes.items())),
        "jsonl_bytes": sum(p.stat().st_size for p in out.glob("*.jsonl")),
        "from": [str(web_path.relative_to(ROOT)), str(dup_path.relative_to(ROOT))],
    }
    if size < 0.95 * mb * 1_000_000:
        print(f"corpus: {size / 1e6:.0f} MB of text, short of the {mb} MB asked for", file=sys.stderr)
    stats_path.write_text(json.dumps(stats, indent=1))
    return out, stats
