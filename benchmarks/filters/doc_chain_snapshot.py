"""Write tests/data/doc_chain_verdicts.json: the document quality chain's verdicts, frozen.

    .venv/bin/python benchmarks/filters/doc_chain_snapshot.py [--module-root DIR]

The snapshot was taken with the filters as they were *before* the chain was optimised
(polars explode/group_by statistics, one filter at a time); tests/test_filters_doc_quality.py
checks that the current filters still give exactly these verdicts. Do not regenerate it to
make a failing test pass: a difference is a behaviour change to explain first.

Documents: the web fixtures (../shared/fixtures/web/**, c4_demo.jsonl, wiki_demo.txt; keyed
by file and line, their text is not copied) and synthetic edge cases written here (their text
is stored in the JSON). For each document: every filter's standalone verdict (reason, detail)
and the chain's (GopherQuality -> GopherRepetition -> C4 -> FineWeb, each on the rows the
previous kept, C4's rewrite feeding FineWeb) with a SHA-256 of the final text of kept rows.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import sys
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT.parent / "shared" / "fixtures"
OUT = ROOT / "tests" / "data" / "doc_chain_verdicts.json"
FIXTURE_FILES = (
    "web/dolma/cc_en_head-0091.jsonl",
    "web/dolma/cc_en_head-0174.jsonl",
    "web/datajuicer/arxiv.jsonl",
    "web/datajuicer/demo-dataset-deduplication.jsonl",
    "web/datajuicer/redpajama-cc-2023-06-refined.jsonl",
    "web/datajuicer/redpajama-pile-stackexchange-refined.jsonl",
    "web/datajuicer/stack_exchange.jsonl",
    "instruct/llamafactory/c4_demo.jsonl",
    "instruct/llamafactory/wiki_demo.txt",
)


def fixture_docs(fixtures: Path = FIXTURES) -> list[tuple[str, str]]:
    """(key "file:line", text) for every fixture document, in a fixed order."""
    out = []
    for rel in FIXTURE_FILES:
        for i, line in enumerate((fixtures / rel).read_text(encoding="utf-8").splitlines()):
            text = line if rel.endswith(".txt") else json.loads(line)["text"]
            out.append((f"{rel}:{i}", text))
    return out


def synthetic_docs(seed: int = 7) -> list[str]:
    """Edge cases and near misses for every rule, made up here (no fixture text)."""
    rng = random.Random(seed)
    syl = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "pel", "din", "qua", "bre", "sto"]
    vocab = [a + b for a in syl for b in syl]

    def sentence(k: int = 9) -> str:
        w = [rng.choice(vocab) for _ in range(k)]
        return f"The {w[0]} {w[1]} went to {w[2]} and {' '.join(w[3:])} with the {rng.choice(vocab)}."

    def para(n: int) -> str:
        return "\n".join(sentence() for _ in range(n))

    docs = ["", " ", "\n", "\n\n\n", "word", "The and of the to be.", "…", "..." * 40]
    for _ in range(6):
        docs.append(para(rng.randint(3, 14)))
    docs.append(para(8).replace("\n", "\r\n"))
    docs.append(para(8).replace("\n", "\r"))
    docs.append(para(6) + "\n\n" + para(6) + "\n\n" + para(6))
    docs.append("\n\n".join([para(3)] * 4))
    docs.append("\n".join([sentence()] * 12))
    docs.append(para(10) + "\n" + "\n".join(["Click here to subscribe."] * 3))
    docs.append("\n".join("• " + sentence() for _ in range(12)))
    docs.append("\n".join("  - " + sentence() for _ in range(12)))
    docs.append(para(6) + "\n" + "\n".join(sentence()[:-1] + "..." for _ in range(5)))
    docs.append(para(6) + "\n" + "\n".join(sentence()[:-1] + " …  " for _ in range(5)))
    docs.append(para(6) + "\n" + " ".join(f"#{rng.choice(vocab)}" for _ in range(40)))
    docs.append(para(6) + "\nLorem ipsum dolor sit amet, consectetur.\n" + para(2))
    docs.append(para(6) + "\nvar x = function() { return 1; };\n" + para(2))
    docs.append(para(6) + "\nPlease enable JavaScript in your browser now.\n" + para(2))
    docs.append(para(6) + "\nRead our Privacy Policy and Terms of Use here.\n" + para(2))
    docs.append(para(6) + "\nA claim with citations.[1][2] And [edit] more text here.[citation needed]")
    docs.append(para(6) + "\n" + "x" * 1200 + " is a long word here.")
    docs.append(" ".join(str(rng.randint(0, 9999)) for _ in range(80)))
    docs.append(" ".join(rng.choice(vocab) for _ in range(120)))
    docs.append(para(5) + "\n" + "buy cheap deals now " * 30)
    docs.append(para(12) + "\n" + " ".join(sentence() for _ in range(3)) * 2)
    docs.append("Title\n\n" + "\n".join(f"Item {i}" for i in range(40)) + "\n" + para(4))
    docs.append(para(7) + "\n\n\n\n\n\n\n\n" + para(7))
    docs.append("\t" + para(8).replace(" ", "\t") + "\n")
    docs.append("Ünïcödé wörds “quoted” — dashes’ and don’t well-known. " * 20)
    docs.append(para(9) + "\nIt's done!\"\nReally?'\nYes.)")
    docs.append(para(9) + "\n\n")
    docs.append("\n\n" + para(9))
    return docs


def verdicts(mod_root: str, texts: list[str]) -> dict:
    """Standalone and chain verdicts for `texts`, with the filter modules under `mod_root`."""
    from curation.record import CANONICAL_SCHEMA

    gopher = importlib.import_module(f"{mod_root}.gopher")
    c4 = importlib.import_module(f"{mod_root}.c4")
    fineweb = importlib.import_module(f"{mod_root}.fineweb")
    chain = [
        ("gopher_quality", gopher.GopherQualityFilter()),
        ("gopher_repetition", gopher.GopherRepetitionFilter()),
        ("c4", c4.C4QualityFilter()),
        ("fineweb", fineweb.FineWebQualityFilter()),
    ]
    rows = [
        {"id": str(i), "source": "s", "kind": "text", "messages": None, "text": t, "meta": {}}
        for i, t in enumerate(texts)
    ]
    table = pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)
    standalone = {}
    for name, filt in chain:
        got = filt(table)
        standalone[name] = list(zip(got.reason.to_pylist(), got.detail.to_pylist(), strict=True))
    final: list = [None] * len(texts)
    current = table
    for name, filt in chain:
        got = filt(current)
        ids = current.column("id").to_pylist()
        for i, r, d in zip(ids, got.reason.to_pylist(), got.detail.to_pylist(), strict=True):
            if r is not None:
                final[int(i)] = [name, r, d]
        source = got.table if got.table is not None else current
        current = source.filter(pa.array([r is None for r in got.reason.to_pylist()]))
    for i, t in zip(current.column("id").to_pylist(), current.column("text").to_pylist(), strict=True):
        final[int(i)] = ["kept", None, hashlib.sha256(t.encode()).hexdigest()[:16]]
    return {"standalone": standalone, "chain": final}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module-root", default="curation.filters", help="package holding gopher/c4/fineweb")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    fixture = fixture_docs()
    synthetic = synthetic_docs()
    texts = [t for _, t in fixture] + synthetic
    got = verdicts(args.module_root, texts)
    n = len(fixture)
    docs = [
        {
            "key": key,
            "text": text,
            # only the filters that drop it (a missing name means: kept standalone)
            "standalone": {name: list(v[i]) for name, v in got["standalone"].items() if v[i][0] is not None},
            "chain": got["chain"][i],
        }
        for i, (key, text) in enumerate(
            [(k, None) for k, _ in fixture] + [(f"synthetic:{j}", t) for j, t in enumerate(synthetic)]
        )
    ]
    assert len(docs) == n + len(synthetic)
    body = ",\n".join(json.dumps(d, ensure_ascii=False) for d in docs)
    args.out.write_text('{"documents": [\n' + body + "\n]}\n", encoding="utf-8")
    kept = sum(d["chain"][0] == "kept" for d in docs)
    print(
        f"wrote {args.out}: {len(docs)} documents ({n} fixture, {len(synthetic)} synthetic), {kept} kept by the chain"
    )


if __name__ == "__main__":
    main()
