"""A deterministic corpus of web-like documents for the document quality chain benchmark.

    .venv/bin/python benchmarks/filters/make_docs.py --mb 64 [--seed 0]

Writes benchmarks/data/filters_docs_<mb>mb_seed<seed>.parquet (gitignored), one row per
document: ``id`` ("w<row>"), ``text``, ``make`` (how the document was made, below).

Sizes follow extracted Common Crawl text: a log-normal number of paragraphs (see the
printed summary: median ~2 KB, mean ~4 KB, a long tail). Kinds, with their share of documents:

    web       (72%) paragraphs = runs of 1-6 consecutive lines of a real web document
              (../shared/fixtures/web/**, c4_demo.jsonl, wiki_demo.txt), ~10% of each line's
              words swapped for words from the pool's vocabulary, paragraphs separated by
              "\\n" or "\\n\\n" per document: real line shapes (menus, short lines, code,
              citations, prose), recombined so that no two documents are alike
    article   (14%) 1-4 demo articles (curation.demo.docs_web.web_page) one after another
    boiler    (4%)  navigation / cookie / footer pages (curation.demo.docs_planted)
    repeat    (3%)  a web document with a block of repeated lines or n-grams spliced in
    short     (3%)  a one-line page or a short menu
    lorem     (1%)  a lorem-ipsum placeholder page
    list      (3%)  a title and a long list of short items

Nothing of the fixtures is copied into the repository: the corpus is generated into
benchmarks/data/.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "benchmarks" / "data"
FIXTURES = ROOT.parent / "shared" / "fixtures"
KINDS = (("web", 72), ("article", 14), ("boiler", 4), ("repeat", 3), ("short", 3), ("lorem", 1), ("list", 3))


def corpus_path(mb: int, seed: int) -> Path:
    return DATA_DIR / f"filters_docs_{mb}mb_seed{seed}.parquet"


def seed_docs() -> list[list[str]]:
    """The fixture web documents, each as its list of lines."""
    files = sorted((FIXTURES / "web").rglob("*.jsonl")) + [
        FIXTURES / "instruct" / "llamafactory" / "c4_demo.jsonl"
    ]
    docs = []
    for f in files:
        if f.exists():
            docs += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines()]
    wiki = FIXTURES / "instruct" / "llamafactory" / "wiki_demo.txt"
    if wiki.exists():
        docs += wiki.read_text(encoding="utf-8").splitlines()
    if not docs:
        raise SystemExit(f"no seed documents under {FIXTURES}")
    return [d.split("\n") for d in docs if isinstance(d, str) and d.strip()]


class Maker:
    def __init__(self, seed: int) -> None:
        from curation.demo import docs_planted, docs_web

        self.rng = random.Random(seed)
        self.docs = seed_docs()
        self.vocab = sorted(
            {w for d in self.docs for ln in d for w in ln.split() if w.isalpha() and len(w) < 14}
        )
        self.web, self.planted = docs_web, docs_planted

    def line(self, text: str) -> str:
        if len(text) > 1200:  # a whole article on one line (wiki_demo): take a window of it
            start = self.rng.randrange(0, len(text) - 600)
            cut = text.find(". ", start)
            text = text[cut + 2 if 0 <= cut < start + 600 else start :][: self.rng.randint(200, 1200)]
        words = text.split(" ")
        for i in range(len(words)):
            if words[i].isalpha() and self.rng.random() < 0.10:
                words[i] = self.rng.choice(self.vocab)
        return " ".join(words)

    def web_doc(self) -> str:
        rng = self.rng
        n_paras = max(1, min(200, int(math.exp(rng.gauss(1.5, 1.0)))))
        sep = "\n\n" if rng.random() < 0.5 else "\n"
        paras = []
        for _ in range(n_paras):
            doc = rng.choice(self.docs)
            start = rng.randrange(len(doc))
            run = doc[start : start + rng.randint(1, 6)]
            paras.append("\n".join(self.line(ln) for ln in run if ln.strip()) or self.line(doc[start]))
        return sep.join(paras)

    def make(self, kind: str) -> str:
        rng = self.rng
        if kind == "web":
            return self.web_doc()
        if kind == "article":
            return "\n\n".join(self.web.web_page(rng)[1] for _ in range(rng.randint(1, 4)))
        if kind == "boiler":
            return self.planted.boilerplate_page(rng)
        if kind == "repeat":
            base = self.web_doc().split("\n")
            if rng.random() < 0.5:
                block = [self.planted.repeated_lines_page(rng)]
            else:
                phrase = " ".join(rng.choice(self.vocab) for _ in range(rng.randint(2, 6)))
                block = [" ".join([phrase] * rng.randint(5, 40))]
            at = rng.randrange(len(base) + 1)
            return "\n".join(base[:at] + block + base[at:])
        if kind == "short":
            return rng.choice(self.planted.SHORT_PAGES)
        if kind == "lorem":
            return self.planted.lorem_page(rng)
        if kind == "list":
            items = [
                " ".join(rng.choice(self.vocab) for _ in range(rng.randint(1, 4)))
                for _ in range(rng.randint(20, 120))
            ]
            return (
                rng.choice(self.vocab).capitalize()
                + "\n\n"
                + "\n".join(("- " if rng.random() < 0.5 else "") + i for i in items)
            )
        raise ValueError(kind)


def make_corpus(mb: int, seed: int) -> Path:
    path = corpus_path(mb, seed)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    maker = Maker(seed)
    names = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    texts, makes, size = [], [], 0
    t0 = time.perf_counter()
    while size < mb * 1_000_000:
        kind = maker.rng.choices(names, weights)[0]
        text = maker.make(kind)
        texts.append(text)
        makes.append(kind)
        size += len(text.encode("utf-8"))
    table = pa.table(
        {
            "id": [f"w{i}" for i in range(len(texts))],
            "text": pa.array(texts, pa.large_string()),
            "make": makes,
        }
    )
    pq.write_table(table, path, compression="zstd")
    meta = {
        "docs": len(texts),
        "text_bytes": size,
        "seed": seed,
        "mb": mb,
        "seconds": time.perf_counter() - t0,
    }
    Path(str(path) + ".json").write_text(json.dumps(meta) + "\n")
    print(
        f"wrote {path}: {len(texts)} docs, {size / 1e6:.1f} MB of text in {meta['seconds']:.1f} s",
        file=sys.stderr,
    )
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=64, help="MB (10^6 bytes) of UTF-8 text")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    make_corpus(args.mb, args.seed)


if __name__ == "__main__":
    main()
