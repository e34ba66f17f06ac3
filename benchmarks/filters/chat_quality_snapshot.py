"""Write tests/data/chat_quality_verdicts.json: ChatQuality's verdicts, frozen.

    .venv/bin/python benchmarks/filters/chat_quality_snapshot.py --demo /tmp/cq_demo

The snapshot was taken with ChatQuality as it was *before* it was optimised (one polars
expression per check, list.eval over the turns, n-gram repetition through explode/over);
tests/test_filters_chat_quality.py checks that the current filter still gives exactly these
verdicts. Do not regenerate it to make a failing test pass: a difference is a behaviour
change to explain first.

Rows, each keyed by its canonical id:

- fixtures: every chat row of the instruct fixtures (../shared/fixtures/instruct: Alpaca,
  LLaMA-Factory identity / glaive / v1 demos, FastChat), adapted the way the adapter tests
  do it (tests/adapter_rows.run_file). Their text is not copied: the snapshot holds the row
  count per file and the verdict of every dropped row (any other row is kept).
- demo: chat rows of a `curate demo` run (OUT/dedup/sources/*/data/*.parquet): every row
  ChatQuality drops and the first --demo-kept kept rows (by id) of each source, with their
  turns (role, content: all ChatQuality reads), since the demo generator may change.
- synthetic: edge cases near every threshold (made up here, seeded), with their turns.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "chat_quality_verdicts.json"
# (fixture file under shared/fixtures, adapter name)
FIXTURE_FILES = (
    ("instruct/llamafactory/alpaca_en_demo.json", "alpaca"),
    ("instruct/llamafactory/identity.json", "alpaca"),
    ("instruct/llamafactory/glaive_toolcall_en_demo.json", "sharegpt"),
    ("instruct/llamafactory/v1_sft_demo.jsonl", "openai_parts"),
    ("instruct/fastchat/dummy_conversation.json", "sharegpt"),
)


def fixture_tables() -> list[tuple[str, pa.Table]]:
    """(fixture file, canonical rows) for every instruct fixture, via the adapter tests' helper."""
    sys.path.insert(0, str(ROOT / "tests"))
    from adapter_rows import fixture, run_file

    from curation.adapters import get_adapter

    return [(rel, run_file(get_adapter(name), fixture(rel)).kept) for rel, name in FIXTURE_FILES]


def turns_table(rows: list[dict]) -> pa.Table:
    """Canonical rows from snapshot rows ({id, kind, turns: [[role, content], ...] | null})."""
    from curation.record import CANONICAL_SCHEMA

    meta = dict.fromkeys(("data_source", "domain", "language", "url", "path", "license", "extra"))
    out = []
    for r in rows:
        messages = None
        if r["turns"] is not None:
            messages = [
                {"role": a, "content": b, "reasoning": None, "tool_calls": None} for a, b in r["turns"]
            ]
        text = None if r["kind"] == "chat" else "a document"
        out.append(
            {
                "id": r["id"],
                "source": "s",
                "kind": r["kind"],
                "messages": messages,
                "text": text,
                "meta": meta,
            }
        )
    return pa.Table.from_pylist(out, schema=CANONICAL_SCHEMA)


def verdict_list(filt, table: pa.Table) -> list:
    got = filt(table)
    return [
        None if r is None else [r, d]
        for r, d in zip(got.reason.to_pylist(), got.detail.to_pylist(), strict=True)
    ]


def demo_rows(demo: Path, filt, kept_per_source: int) -> list[dict]:
    parts = sorted(glob.glob(str(demo / "dedup" / "sources" / "*" / "data" / "*.parquet")))
    table = pa.concat_tables([pq.read_table(p) for p in parts])
    table = table.filter(pc.equal(table.column("kind"), "chat"))
    verdicts = verdict_list(filt, table)
    out, kept = [], {}
    order = sorted(range(table.num_rows), key=lambda i: table.column("id")[i].as_py())
    ids, sources = table.column("id").to_pylist(), table.column("source").to_pylist()
    messages = table.column("messages").to_pylist()
    for i in order:
        if verdicts[i] is None:
            kept[sources[i]] = kept.get(sources[i], 0) + 1
            if kept[sources[i]] > kept_per_source:
                continue
        turns = [[t["role"], t["content"]] for t in messages[i]]
        out.append({"id": ids[i], "kind": "chat", "turns": turns, "verdict": verdicts[i]})
    return out


def synthetic_rows(seed: int = 11) -> list[dict]:
    """Edge cases near the thresholds of every check (repetition above all, the check rewritten)."""
    rng = random.Random(seed)
    words = [
        "alpha",
        "Beta",
        "GAMMA",
        "delta",
        "Straße",
        "İstanbul",
        "ΣΟΦΙΑ",
        "naïve",
        "x",
        "3.14",
        "—",
        "«é»",
    ]
    spaces = [" ", " ", " ", "  ", "\t", "\u00a0", "\u2003", " \u200b"]

    def sentence(n: int) -> str:
        return "".join(rng.choice(words) + rng.choice(spaces) for _ in range(n)).strip() + rng.choice(
            [".", "", ",", "!"]
        )

    cases: list[list] = []
    # duplicate lines around 0.5 with 4..8 content lines, symbol-only / blank / padded / CRLF lines
    for _ in range(120):
        distinct = [sentence(rng.randint(1, 6)) for _ in range(rng.randint(1, 5))]
        lines = [
            rng.choice(distinct) if rng.random() < 0.6 else sentence(rng.randint(1, 6))
            for _ in range(rng.randint(3, 9))
        ]
        for _ in range(rng.randint(0, 3)):
            lines.insert(
                rng.randrange(len(lines) + 1), rng.choice(["}", "```", "---", "", "   ", "* * *", "1."])
            )
        lines = [rng.choice(["", " ", "\t"]) + ln + rng.choice(["", " ", "\r"]) for ln in lines]
        cases.append(["user", "Write some lines for me please."] + ["assistant", "\n".join(lines)])
    # duplicate 10-grams around 0.4: a repeated span inside fresh words
    for _ in range(120):
        span = [rng.choice(words) for _ in range(rng.randint(8, 14))]
        text: list[str] = []
        for _ in range(rng.randint(1, 4)):
            text += [rng.choice(words) + str(rng.randint(0, 99)) for _ in range(rng.randint(0, 25))]
            text += span if rng.random() < 0.8 else span[: rng.randint(5, len(span))]
        text += [rng.choice(words) + str(rng.randint(0, 99)) for _ in range(rng.randint(0, 25))]
        body = "".join(w + rng.choice(spaces) for w in text)
        cases.append(["user", "Tell me a story."] + ["assistant", rng.choice(["", "  "]) + body])
    # mid-sentence endings around 200 chars / last line 60 chars, and exempt last lines
    for _ in range(60):
        head = " ".join(rng.choice(words) for _ in range(rng.randint(20, 40))) + ".\n"
        last = " ".join(rng.choice(words) for _ in range(rng.randint(6, 14)))
        last = (
            rng.choice(["", "- ", "1. ", "| ", "# ", "    ", "> "])
            + last
            + rng.choice(["", ",", " and", " https://x.org/a", " #tag", "."])
        )
        cases.append(["user", "Explain."] + ["assistant", head + last])
    # template tokens, think markup, refusals, boilerplate, fences in various turns
    specials = [
        "<|im_end|>",
        "<|foo_bar|>",
        "<s>",
        "</s>",
        "[INST]",
        "<think>",
        "</think>",
        "```",
        "As an AI, ",
        "I'm sorry, but I cannot do that",
        "Sorry, I can't help",
        "my knowledge cutoff",
        "<|>",
        "<s>x</s>",
    ]
    for _ in range(80):
        turns = []
        for role in rng.choice(
            [
                ["user", "assistant"],
                ["system", "user", "assistant"],
                ["user", "assistant", "user", "assistant"],
                ["user"],
                ["assistant"],
                ["system", "user"],
            ]
        ):
            text = sentence(rng.randint(0, 12))
            if rng.random() < 0.5:
                text = rng.choice([rng.choice(specials) + text, text + rng.choice(specials), text])
            turns += [role, text]
        cases.append(turns)
    rows = [
        {"id": f"synthetic:{i}", "kind": "chat", "turns": [c[k : k + 2] for k in range(0, len(c), 2)]}
        for i, c in enumerate(cases)
    ]
    rows.append({"id": "synthetic:empty_messages", "kind": "chat", "turns": []})
    rows.append({"id": "synthetic:null_messages", "kind": "chat", "turns": None})
    rows.append({"id": "synthetic:document", "kind": "text", "turns": None})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", type=Path, required=True, help="output folder of `curate demo --out`")
    ap.add_argument("--demo-kept", type=int, default=12, help="kept rows stored per demo source")
    args = ap.parse_args()
    from curation.filters.chat_quality import ChatQuality

    filt = ChatQuality()
    fixtures = {}
    for rel, table in fixture_tables():
        verdicts = verdict_list(filt, table)
        dropped = {
            i: v for i, v in zip(table.column("id").to_pylist(), verdicts, strict=True) if v is not None
        }
        fixtures[rel] = {"rows": table.num_rows, "dropped": dropped}
    demo = demo_rows(args.demo, filt, args.demo_kept)
    synthetic = synthetic_rows()
    for row, v in zip(synthetic, verdict_list(filt, turns_table(synthetic)), strict=True):
        row["verdict"] = v
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        f.write('{"fixtures": ' + json.dumps(fixtures, ensure_ascii=False) + ',\n"rows": [\n')
        f.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in demo + synthetic))
        f.write("\n]}\n")
    n_fix = sum(v["rows"] for v in fixtures.values())
    n_drop = sum(len(v["dropped"]) for v in fixtures.values())
    n_rows_drop = sum(r["verdict"] is not None for r in demo + synthetic)
    print(
        f"wrote {OUT}: {n_fix} fixture rows ({n_drop} dropped), {len(demo)} demo rows, "
        f"{len(synthetic)} synthetic rows ({n_rows_drop} dropped among demo + synthetic)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
