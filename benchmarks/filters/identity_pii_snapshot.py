"""Write tests/data/identity_pii_verdicts.json: IdentityFilter's and PiiFilter's outputs, frozen.

    .venv/bin/python benchmarks/filters/identity_pii_snapshot.py --demo /tmp/ip_demo

The snapshot was taken with both filters as they were *before* they were optimised (a polars
frame of every turn with forward fills for the identity context; every PII regex over every
string); tests/test_filters_identity.py and tests/test_filters_pii.py check that the current
filters still give exactly these outputs. Do not regenerate it to make a failing test pass: a
difference is a behaviour change to explain first.

Every group of rows runs under every configuration of CONFIGS. An *outcome* is recorded per
row wherever the filter did something: reason/detail (drop), rewritten, rewrite_reason /
rewrite_detail, and the row as the returned table holds it when that differs from the input
(``after``: [[content, reasoning], ...] and text). Per group and configuration: which optional
Verdicts fields were returned, the identity rewrite report and the PII counts.

Groups:

- rows: stored with their text (the generators may change): chat and text rows of a `curate
  demo` run (OUT/dedup/sources/*/data/*.parquet; every row some configuration acts on, and the
  first --demo-kept others per source), then synthetic rows made here (seeded): multi-turn
  identity cases around the role-play / writing / persona exemptions, claims in reasoning,
  rewrites followed by drops, and PII-heavy rows (every type, valid and invalid, adjacent,
  in content, reasoning and text).
- fixtures: the chat rows of the instruct fixtures (../shared/fixtures/instruct), adapted the
  way the adapter tests do it (tests/adapter_rows.run_file), LLaMA-Factory's identity.json
  with its placeholders filled as ChatGPT/OpenAI, and GSM8K's test split as text rows; not
  copied: the row count and the outcomes by row id.
- eval: evals/identity/turns.jsonl as evals/identity/evaluate.py builds it (to_table); the
  outcomes by case id.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "identity_pii_verdicts.json"
FIXTURE_FILES = (
    ("instruct/llamafactory/alpaca_en_demo.json", "alpaca"),
    ("instruct/llamafactory/identity.json", "alpaca"),
    ("instruct/llamafactory/glaive_toolcall_en_demo.json", "sharegpt"),
    ("instruct/llamafactory/v1_sft_demo.jsonl", "openai_parts"),
    ("instruct/fastchat/dummy_conversation.json", "sharegpt"),
)
GSM8K = "benchmarks/gsm8k/test.jsonl"
FILLED_FROM = "instruct/llamafactory/identity.json"
FILLED = FILLED_FROM + " (filled: ChatGPT/OpenAI)"
_PII = ("email", "phone", "ip_address", "credit_card", "address")
# name -> (filter class, constructor arguments)
CONFIGS = {
    "identity_drop": ("identity", {}),
    "identity_rewrite": (
        "identity",
        {"action": "rewrite", "name": "Wind-Edge-1.6", "maker": "Wind-Edge Labs"},
    ),
    "pii_default": ("pii", {}),
    "pii_drop_all": ("pii", {**dict.fromkeys(_PII, "drop"), "keep_private_ips": False}),
    "pii_mixed": (
        "pii",
        {
            "email": "drop",
            "phone": "redact",
            "ip_address": "keep",
            "credit_card": "redact",
            "address": "drop",
        },
    ),
}
META = dict.fromkeys(("data_source", "domain", "language", "url", "path", "license", "extra"))


def make_filter(config: str):
    from curation.filters.identity import IdentityFilter
    from curation.filters.pii import PiiFilter

    kind, kwargs = CONFIGS[config]
    return IdentityFilter(**kwargs) if kind == "identity" else PiiFilter(**kwargs)


def rows_table(rows: list[dict]) -> pa.Table:
    """Canonical rows from snapshot rows ({id, kind, messages: [[role, content, reasoning], ...] | null, text})."""
    from curation.record import CANONICAL_SCHEMA

    out = []
    for r in rows:
        messages = None
        if r["messages"] is not None:
            messages = [
                {"role": a, "content": b, "reasoning": c, "tool_calls": None} for a, b, c in r["messages"]
            ]
        out.append(
            {
                "id": r["id"],
                "source": "s",
                "kind": r["kind"],
                "messages": messages,
                "text": r["text"],
                "meta": META,
            }
        )
    return pa.Table.from_pylist(out, schema=CANONICAL_SCHEMA)


def _row_texts(table: pa.Table) -> list[tuple]:
    """Per row: ([[content, reasoning], ...] | None, text): everything either filter may rewrite."""
    messages = table.column("messages").to_pylist()
    texts = table.column("text").to_pylist()
    return [
        (None if m is None else [[t["content"], t["reasoning"]] for t in m], x)
        for m, x in zip(messages, texts, strict=True)
    ]


def outcomes(config: str, table: pa.Table) -> tuple[list[dict | None], dict]:
    """(per row: what the filter did or None, per group: the optional outputs)."""
    filt = make_filter(config)
    if CONFIGS[config][0] == "pii":
        scan = filt.scan(table)
        v, group = scan.verdicts, {"counts": scan.counts}
    else:
        v, report = filt.scan(table)
        group = {"report": report.to_pylist()}
    for name in ("table", "rewritten", "rewrite_reason", "rewrite_detail"):
        group[name] = getattr(v, name) is not None
    n = table.num_rows
    none = [None] * n
    cols = {
        "reason": v.reason.to_pylist(),
        "detail": v.detail.to_pylist(),
        "rewritten": v.rewritten.to_pylist() if v.rewritten is not None else none,
        "rewrite_reason": v.rewrite_reason.to_pylist() if v.rewrite_reason is not None else none,
        "rewrite_detail": v.rewrite_detail.to_pylist() if v.rewrite_detail is not None else none,
    }
    before = _row_texts(table)
    after = _row_texts(v.table) if v.table is not None else before
    rows: list[dict | None] = []
    for i in range(n):
        o = {k: c[i] for k, c in cols.items() if c[i] is not None and c[i] is not False}
        if after[i] != before[i]:
            o["after"] = list(after[i])
        rows.append(o or None)
    return rows, group


def run_all(table: pa.Table) -> tuple[list[dict], dict]:
    """Per row {config: outcome} (configs that did nothing left out), per config the group outputs."""
    per_row: list[dict] = [{} for _ in range(table.num_rows)]
    groups = {}
    for config in CONFIGS:
        rows, groups[config] = outcomes(config, table)
        for r, o in zip(per_row, rows, strict=True):
            if o is not None:
                r[config] = o
    return per_row, groups


def by_id(table: pa.Table, per_row: list[dict]) -> dict:
    return {i: o for i, o in zip(table.column("id").to_pylist(), per_row, strict=True) if o}


def _stored(table: pa.Table) -> list[dict]:
    kinds, texts = table.column("kind").to_pylist(), table.column("text").to_pylist()
    messages = table.column("messages").to_pylist()
    return [
        {
            "id": i,
            "kind": k,
            "messages": None if m is None else [[t["role"], t["content"], t["reasoning"]] for t in m],
            "text": x,
        }
        for i, k, m, x in zip(table.column("id").to_pylist(), kinds, messages, texts, strict=True)
    ]


def demo_rows(demo: Path, kept_per_source: int) -> list[dict]:
    parts = sorted(glob.glob(str(demo / "dedup" / "sources" / "*" / "data" / "*.parquet")))
    if not parts:
        raise ValueError(
            f"no parquet under {demo}/dedup/sources/*/data: run `curate demo --out {demo}` first"
        )
    table = pa.concat_tables([pq.read_table(p) for p in parts])
    per_row, _ = run_all(table)
    ids, sources, kinds = (table.column(c).to_pylist() for c in ("id", "source", "kind"))
    order = sorted(range(table.num_rows), key=lambda i: (ids[i], sources[i]))
    keep, seen = [], {}
    for i in order:
        if not per_row[i]:
            key = (sources[i], kinds[i])
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > kept_per_source:
                continue
        keep.append(i)
    stored = _stored(table.take(pa.array(keep)))
    for s, i in zip(stored, keep, strict=True):
        s["id"] = f"demo:{s['id']}"
        s["source_row"] = per_row[i]  # outcome on the whole demo batch: must equal the stored one
    return stored


# ----------------------------------------------------------------------------- synthetic rows

_CLAIMS = [
    "I am a human.",
    "Honestly, I'm a real person, not a bot.",
    "My wife and I tried this last week.",
    "When I was a kid we had no internet.",
    "I'm Claude, made by Anthropic.",
    "I am ChatGPT, a large language model trained by OpenAI.",
    "I'm Claude, an AI assistant made by Anthropic. How can I help?",
    "My name is Gemini.",
    "Hi, this is Gemini. Let me look.",
    "As an AI language model developed by OpenAI, I cannot do that.",
    "I'm based on GPT-4.",
    "我是通义千问，由阿里云开发。",
    "I'm an AI model called ChatGPT.",
    "I'm Claude. Unlike ChatGPT, I am careful.",
    "I'm not ChatGPT.",
    "ChatGPT is a model by OpenAI.",
    "Claude Monet painted water lilies.",
    "As a human, you might feel overwhelmed.",
    'The android whispers "I am human" in the last scene.',
    "I'm ChatGPT! And I'm a human too.",
    "I am a large language model trained by Google.",
    "Google and Meta both publish models; my answer follows.",
    "I have two kids, so I get it.",
    "I'M CHATGPT, MADE BY OPENAI.",
    "I'm a perſon who likes tea.",  # long s: a Unicode case fold of "s"
    "My ＷＩＦＥ and I: no, just kidding.",
    "",
]
_FILLER = [
    "Paris is the capital of France.",
    "Here is the code:\n```python\nprint('I am human')\n```",
    "The derivative of x^2 is 2x.",
    "Sure, here you go.",
    "Photosynthesis turns light into chemical energy.",
]
_USERS = [
    "Who are you?",
    "Write a story where the narrator is human.",
    "Draft an email to my son's teacher.",
    "Let's roleplay: you are a pirate.",
    "Translate this into French.",
    "Generate an excuse for missing work.",
    "What is 2 + 2?",
    "Are you ChatGPT?",
    "You are Jake, a friendly barista. Say hi.",
]
_SYSTEMS = [
    "You are ChatGPT. Act as a helpful assistant.",
    "You are Jake, a friendly barista.",
    "Your goal is to complete the task faithfully.",
    "Pretend you are a medieval knight.",
    "You are a helpful assistant.",
]


def identity_rows(rng: random.Random) -> list[dict]:
    """Multi-turn chats: claims and fillers in content and reasoning under every context."""
    rows = []
    for k in range(240):
        msgs: list[list] = []
        if rng.random() < 0.35:
            msgs.append(["system", rng.choice(_SYSTEMS), None])
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.85:  # sometimes an assistant turn follows another, or opens the row
                msgs.append(["user", rng.choice(_USERS + _CLAIMS), None])
            content = rng.choice(_CLAIMS if rng.random() < 0.5 else _FILLER)
            if rng.random() < 0.3:
                content = rng.choice(_FILLER) + " " + content
            reasoning = None
            if rng.random() < 0.25:
                reasoning = rng.choice(_CLAIMS + _FILLER)
            msgs.append(["assistant", content, reasoning])
            if rng.random() < 0.1:
                msgs.append(["tool", rng.choice(_CLAIMS), None])
        rows.append({"id": f"synthetic:identity:{k}", "kind": "chat", "messages": msgs, "text": None})
    return rows


def _card(rng: random.Random, valid: bool) -> str:
    digits = [rng.choice("3456")] + [str(rng.randint(0, 9)) for _ in range(14)]
    total = 0
    for i, ch in enumerate(reversed(digits)):  # check digit for the 15 digits + 1 to come
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    check = (10 - total % 10) % 10
    digits.append(str(check if valid else (check + 1) % 10))
    s = "".join(digits)
    sep = rng.choice(["", " ", "-"])
    return s if not sep else sep.join(s[i : i + 4] for i in range(0, 16, 4))


def _pii_piece(rng: random.Random) -> str:
    kind = rng.randrange(12)
    if kind == 0:
        user = rng.choice(["john.doe", "a", "x_y+tag", "Jane-Roe", "info"])
        return f"{user}@{rng.choice(['gmail.com', 'example.com', 'mail.co.uk', 'a.b', 'uni-x.edu'])}"
    if kind == 1:
        return rng.choice(
            ["(650) 253-0000", "650-253-0000", "650.253.0000", "+1 650 253 0000", "1-800-555-1234"]
        )
    if kind == 2:
        return rng.choice(
            ["+44 20 7946 0958", "+33 1 23 45 67 89", "+49 30 1234567", "+8613800138000", "+10 20 30"]
        )
    if kind == 3:
        ip = ".".join(str(rng.choice([rng.randint(0, 255), 10, 192, 8, 300])) for _ in range(4))
        return rng.choice(
            [ip, f"version {ip}", f"v{ip}", f"{ip}.5", "2a00:1450:4001:830::200e", "fe80::1", "::1"]
        )
    if kind == 4:
        return _card(rng, rng.random() < 0.6)
    if kind == 5:
        return rng.choice(
            [
                "1600 Amphitheatre Parkway, Mountain View, CA 94043",
                "221 N. Baker Street, Apt 2B",
                "350 5th Ave",
                "12 Main St",
                "in 1999 Smith won",
                "3 Court Cases",
            ]
        )
    if kind == 6:
        return rng.choice(
            ["2023-04-15", "$1,299.99", "3.14159265358979", "ISBN 978-0-306-40615-7", "12:30:45"]
        )
    if kind == 7:
        return rng.choice(["<EMAIL>", "<PHONE>", "a @ b", "std::vector", "a[1::2]", "@property"])
    if kind == 8:  # glued neighbours
        return _card(rng, True) + rng.choice([",", "", " "]) + "650-253-0000"
    if kind == 9:
        return "a,555-123-4567,555-123-4568"
    if kind == 10:
        return "".join(rng.choice("0123456789 .-+()@:") for _ in range(rng.randint(5, 25)))
    return rng.choice(["Ünïcödé ✓ text", "名前はメール", "\n", "  "])


def _pii_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 6)):
        parts.append(_pii_piece(rng) if rng.random() < 0.7 else rng.choice(_FILLER))
    return rng.choice([" ", "\n", ", ", ""]).join(parts)


def pii_rows(rng: random.Random) -> list[dict]:
    rows = []
    for k in range(240):
        if rng.random() < 0.3:
            rows.append(
                {"id": f"synthetic:pii:{k}", "kind": "text", "messages": None, "text": _pii_text(rng)}
            )
            continue
        msgs = []
        for role in rng.choice(
            [["user", "assistant"], ["system", "user", "assistant"], ["user", "assistant"] * 2]
        ):
            reasoning = _pii_text(rng) if role == "assistant" and rng.random() < 0.3 else None
            msgs.append([role, _pii_text(rng), reasoning])
        rows.append({"id": f"synthetic:pii:{k}", "kind": "chat", "messages": msgs, "text": None})
    return rows


def synthetic_rows(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows = identity_rows(rng) + pii_rows(rng)
    rows.append({"id": "synthetic:empty_messages", "kind": "chat", "messages": [], "text": None})
    rows.append({"id": "synthetic:null_messages", "kind": "chat", "messages": None, "text": None})
    rows.append(
        {"id": "synthetic:document", "kind": "text", "messages": None, "text": "I am a human. mail a@b.org"}
    )
    return rows


# ----------------------------------------------------------------------------- fixtures and eval


def fixture_tables() -> list[tuple[str, pa.Table]]:
    """(fixture file, canonical rows) for every instruct fixture and GSM8K (text rows)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from adapter_rows import fixture, run_file

    from curation.adapters import get_adapter

    out = [(rel, run_file(get_adapter(name), fixture(rel)).kept) for rel, name in FIXTURE_FILES]
    return [*out, (FILLED, filled_identity_table(fixture(FILLED_FROM))), (GSM8K, gsm8k_table(fixture(GSM8K)))]


def filled_identity_table(path: Path) -> pa.Table:
    """LLaMA-Factory's identity.json with its {{name}}/{{author}} placeholders filled as
    ChatGPT/OpenAI: 91 real identity answers, most of them claims (and rewrites)."""
    from curation.record import CANONICAL_SCHEMA

    rows = []
    for i, r in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        answer = r["output"].replace("{{name}}", "ChatGPT").replace("{{author}}", "OpenAI")
        msgs = [
            {"role": "user", "content": r["instruction"], "reasoning": None, "tool_calls": None},
            {"role": "assistant", "content": answer, "reasoning": None, "tool_calls": None},
        ]
        rows.append(
            {"id": f"filled:{i}", "source": "s", "kind": "chat", "messages": msgs, "text": None, "meta": META}
        )
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)


def gsm8k_table(path: Path) -> pa.Table:
    from curation.record import CANONICAL_SCHEMA

    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [
        {
            "id": f"gsm8k:{i}",
            "source": "s",
            "kind": "text",
            "messages": None,
            "text": r["question"] + "\n" + r["answer"],
            "meta": META,
        }
        for i, r in enumerate(map(json.loads, lines))
    ]
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)


def eval_table() -> pa.Table:
    sys.path.insert(0, str(ROOT / "evals" / "identity"))
    from evaluate import load_cases, to_table

    return to_table(load_cases())


def _comparable(outcome: dict) -> dict:
    return {
        c: {k: v for k, v in o.items() if not (k == "after" and "reason" in o)} for c, o in outcome.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", type=Path, required=True, help="output folder of `curate demo --out`")
    ap.add_argument("--demo-kept", type=int, default=6, help="untouched rows stored per demo source and kind")
    args = ap.parse_args()
    rows = demo_rows(args.demo, args.demo_kept) + synthetic_rows()
    per_row, groups = run_all(rows_table(rows))
    for r, o in zip(rows, per_row, strict=True):
        whole = r.pop("source_row", o)
        # A dropped row's text in the returned table depends on whether the batch returned one.
        if _comparable(whole) != _comparable(o):
            raise AssertionError(
                f"{r['id']}: outcome differs between the whole demo and the stored rows: {whole} vs {o}"
            )
        r["outcome"] = o
    fixtures = {}
    for rel, table in fixture_tables():
        got, fixture_groups = run_all(table)
        fixtures[rel] = {"rows": table.num_rows, "outcomes": by_id(table, got), "groups": fixture_groups}
    table = eval_table()
    got, eval_groups = run_all(table)
    snapshot = {
        "configs": CONFIGS,
        "fixtures": fixtures,
        "eval": {"rows": table.num_rows, "outcomes": by_id(table, got), "groups": eval_groups},
        "groups": groups,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        f.write(json.dumps(snapshot, ensure_ascii=False)[:-1] + ',\n"rows": [\n')
        f.write(",\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
        f.write("\n]}\n")
    acted = {c: sum(c in r["outcome"] for r in rows) for c in CONFIGS}
    print(f"wrote {OUT}: {len(rows)} rows, acted on per config {acted}", file=sys.stderr)
    for rel, f in fixtures.items():
        print(f"  {rel}: {f['rows']} rows, {len(f['outcomes'])} acted on", file=sys.stderr)
    print(f"  eval: {table.num_rows} cases, {len(snapshot['eval']['outcomes'])} acted on", file=sys.stderr)


if __name__ == "__main__":
    main()
