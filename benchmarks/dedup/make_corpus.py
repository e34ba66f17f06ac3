"""A deterministic corpus of ~300-word documents with planted near-duplicates at known Jaccard.

    .venv/bin/python benchmarks/dedup/make_corpus.py --docs 100000 [--seed 0]

Writes benchmarks/data/dedup_<docs>_seed<seed>.parquet (gitignored), one row per document:

    row       int64   position in the corpus (the order every contender processes)
    id        string  "d<row>"
    text      string  the document
    group     int64   the row of the original this document was made from (itself for a base doc)
    kind      string  "base", "exact" (identical), "format" (case/whitespace/punctuation only),
                      "edit" (word substitutions/insertions/deletions), "shuffle" (paragraphs
                      reordered), "edit+shuffle"
    j_orig    float64 exact word 5-gram Jaccard to the group's original (1.0 for the original)
    dup_of    int64   the earliest EARLIER row of the same group with exact Jaccard >= 0.8, or -1
    j_dup     float64 that Jaccard (NaN when dup_of is -1)

Exact Jaccard is computed on the shingles of ``curation.dedup.shingle.Shingler().shingles``
(the same normalised word 5-grams every contender uses), as sets, for every pair inside a
group (an original and its 1-3 copies). The truth at threshold 0.8 is the set of rows with
``dup_of >= 0``: documents that have an exact-Jaccard >= 0.8 near duplicate earlier in the
corpus.

Base documents: 4-6 paragraphs of 3-5 sentences drawn at random from a sentence pool split
out of the seed texts (../shared/fixtures/web/**/*.jsonl and
../shared/fixtures/instruct/llamafactory/c4_demo.jsonl), each sentence with ~15% of its
words replaced by words drawn from the pool's vocabulary (so no two base documents share
long runs by accident), trimmed/extended to 260-340 words. Nothing of the seed text is
copied into the repository: the corpus is generated into benchmarks/data/.

Copies (~20% of the rows): each copy's edit strength is drawn so that its Jaccard to the
original spreads over ~0.45-1.0 (a word edit touches up to 5 shingles). Copies are placed at
a random later position than their original (the corpus order is a random permutation with
every original before its copies).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA_DIR = ROOT / "benchmarks" / "data"
FIXTURES = ROOT.parent / "shared" / "fixtures"
THRESHOLD = 0.8
COPY_FRACTION = 0.2

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+")


def corpus_path(docs: int, seed: int) -> Path:
    return DATA_DIR / f"dedup_{docs}_seed{seed}.parquet"


def seed_sentences() -> list[list[str]]:
    """Sentences (as word lists) of 6-40 words from the fixture texts, mostly letters."""
    files = sorted((FIXTURES / "web").rglob("*.jsonl"))
    c4 = FIXTURES / "instruct" / "llamafactory" / "c4_demo.jsonl"
    if c4.exists():
        files.append(c4)
    if not files:
        raise SystemExit(f"no seed text under {FIXTURES}")
    out: list[list[str]] = []
    seen: set[str] = set()
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                try:
                    text = json.loads(line).get("text")
                except (json.JSONDecodeError, AttributeError):
                    continue
                if not isinstance(text, str):
                    continue
                for sent in _SENT_SPLIT.split(text):
                    words = sent.split()
                    if not 6 <= len(words) <= 40:
                        continue
                    letters = sum(ch.isalpha() for ch in sent)
                    if letters < 0.7 * len(sent):
                        continue
                    key = " ".join(words)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(words)
    return out


def make_base(rng: random.Random, sentences: list[list[str]], vocab: list[str]) -> list[list[str]]:
    """Paragraphs (word lists) of one ~300-word base document."""
    target = rng.randint(260, 340)
    n_par = rng.randint(4, 6)
    paras: list[list[str]] = [[] for _ in range(n_par)]
    total = 0
    i = 0
    while total < target:
        words = list(rng.choice(sentences))
        for k in range(len(words)):
            if rng.random() < 0.15:
                words[k] = rng.choice(vocab)
        paras[i % n_par].extend(words)
        total += len(words)
        i += 1
    # trim the overshoot from the last paragraph touched
    over = total - target
    last = (i - 1) % n_par
    if over > 0 and len(paras[last]) > over:
        del paras[last][-over:]
    return [p for p in paras if p]


def render(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras)


def edit_copy(rng: random.Random, paras: list[list[str]], vocab: list[str], kind: str, n_ops: int) -> str:
    paras = [list(p) for p in paras]
    if kind == "exact":
        return render(paras)
    if kind == "format":
        # case, whitespace and punctuation changes only: identical after normalisation
        text = render(paras)
        text = text.upper() if rng.random() < 0.5 else text.title()
        text = text.replace(" ", "  ", rng.randint(1, 20)).replace("\n\n", "\n \n")
        return "  " + text.replace(". ", " ... ", 3) + " !"
    if "edit" in kind:
        for _ in range(n_ops):
            p = paras[rng.randrange(len(paras))]
            op = rng.random()
            pos = rng.randrange(len(p))
            if op < 0.5 or len(p) < 8:
                p[pos] = rng.choice(vocab)  # substitution
            elif op < 0.75:
                p.insert(pos, rng.choice(vocab))  # insertion
            else:
                del p[pos]  # deletion
    if "shuffle" in kind:
        order = list(range(len(paras)))
        while len(order) > 1 and order == sorted(order):
            rng.shuffle(order)
        paras = [paras[k] for k in order]
    return render(paras)


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def build(docs: int, seed: int) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curation.dedup.shingle import Shingler

    t0 = time.perf_counter()
    rng = random.Random(seed)
    sentences = seed_sentences()
    vocab = sorted({w for s in sentences for w in s if w.isalpha()})
    n_copies = int(docs * COPY_FRACTION)
    n_base = docs - n_copies
    # groups: each original gets 1-3 copies until n_copies are placed
    base_paras = [make_base(rng, sentences, vocab) for _ in range(n_base)]
    copies: list[tuple[int, str]] = []  # (base index, text)
    kinds: list[str] = []
    originals = rng.sample(range(n_base), k=min(n_base, n_copies))
    oi = 0
    while len(copies) < n_copies:
        b = originals[oi % len(originals)]
        oi += 1
        for _ in range(min(rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3)), n_copies - len(copies))):
            r = rng.random()
            if r < 0.05:
                kind, n_ops = "exact", 0
            elif r < 0.10:
                kind, n_ops = "format", 0
            elif r < 0.20:
                kind, n_ops = "shuffle", 0
            elif r < 0.40:
                kind, n_ops = "edit+shuffle", rng.randint(1, 14)
            else:
                kind, n_ops = "edit", rng.randint(1, 18)
            copies.append((b, edit_copy(rng, base_paras[b], vocab, kind, n_ops)))
            kinds.append(kind)
    # order: a random permutation with every original before its copies
    texts = [render(p) for p in base_paras] + [t for _, t in copies]
    group_of = list(range(n_base)) + [b for b, _ in copies]
    kind_of = ["base"] * n_base + kinds
    perm = list(range(len(texts)))
    rng.shuffle(perm)
    # stable fix-up: put each group's members at its sorted positions, original first
    positions: dict[int, list[int]] = {}
    members: dict[int, list[int]] = {}
    for pos, item in enumerate(perm):
        g = group_of[item]
        positions.setdefault(g, []).append(pos)
        members.setdefault(g, []).append(item)
    order = [0] * len(texts)
    for g, pos_list in positions.items():
        mem = sorted(members[g])  # the base doc (index g < n_base) sorts first, copies in creation order
        for pos, item in zip(pos_list, mem, strict=True):
            order[pos] = item
    row_of = {item: pos for pos, item in enumerate(order)}

    shingler = Shingler()
    n = len(texts)
    group_row = [row_of[group_of[item]] for item in order]
    j_orig = [1.0] * n
    dup_of = [-1] * n
    j_dup = [float("nan")] * n
    for g, mem in members.items():
        if len(mem) == 1:
            continue
        rows = sorted(row_of[m] for m in mem)
        sh = {r: set(shingler.shingles(texts[order[r]])) for r in rows}
        orig_row = row_of[g]
        for k, r in enumerate(rows):
            if r != orig_row:
                j_orig[r] = jaccard(sh[r], sh[orig_row])
            best, best_j = -1, float("nan")
            for e in rows[:k]:
                j = jaccard(sh[r], sh[e])
                if j >= THRESHOLD:
                    best, best_j = e, j
                    break
            dup_of[r], j_dup[r] = best, best_j
    table = pa.table(
        {
            "row": pa.array(range(n), pa.int64()),
            "id": pa.array([f"d{i}" for i in range(n)], pa.string()),
            "text": pa.array([texts[i] for i in order], pa.string()),
            "group": pa.array(group_row, pa.int64()),
            "kind": pa.array([kind_of[i] for i in order], pa.string()),
            "j_orig": pa.array(j_orig, pa.float64()),
            "dup_of": pa.array(dup_of, pa.int64()),
            "j_dup": pa.array(j_dup, pa.float64()),
        }
    )
    out = corpus_path(docs, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd")
    words = sum(len(t.split()) for t in texts) / n
    jo = [j_orig[r] for r in range(n) if kind_of[order[r]] != "base"]
    stats = {
        "path": str(out),
        "docs": n,
        "base": n_base,
        "copies": n_copies,
        "truth_dups": sum(d >= 0 for d in dup_of),
        "copies_below_threshold": sum(j < THRESHOLD for j in jo),
        "mean_words": round(words, 1),
        "sentence_pool": len(sentences),
        "vocab": len(vocab),
        "text_mib": round(sum(len(t.encode()) for t in texts) / 2**20, 1),
        "j_orig_hist": {f"{lo / 10:.1f}": sum(lo / 10 <= j < (lo + 1) / 10 or (lo == 9 and j == 1.0) for j in jo) for lo in range(0, 10)},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    Path(str(out) + ".json").write_text(json.dumps(stats, indent=1))
    return stats


def ensure(docs: int, seed: int) -> Path:
    path = corpus_path(docs, seed)
    if not path.exists():
        print(json.dumps(build(docs, seed)), file=sys.stderr)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(json.dumps(build(args.docs, args.seed), indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
