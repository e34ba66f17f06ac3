"""The raw sources of the distill-mix benchmark: the 7 sources of
mixes/wind-edge-1.6-distill-12m.yaml in their real public schemas, >= 100M tokens in all.

    .venv/bin/python benchmarks/mix/make_sources.py [--scale 1.0] [--seed 0]

Writes benchmarks/data/mix/ at full size (scale 1, seed 0; what
benchmarks/mix/distill-12m-bench.yaml reads), else benchmarks/data/mix_s<scale>_seed<seed>/
(gitignored): one file per source and sources.json (rows, planted problems and qwen3
tokens of the raw text fields, per source). The same scale and seed give the same bytes.

Text: prose recombined from sentences of the shared fixtures (web, C4, Wikipedia, alpaca,
ShareGPT and OpenAI-messages demo sets), ~15% of its words swapped for words of the pool's
vocabulary so that no two rows share long runs by accident (the near-dedup sees distinct
documents); prompts from the fixtures' instructions and questions; math problems and code
tasks from the demo generator (curation/demo/mathgen.py, codegen.py) for the math and code
rows. Nothing of the fixtures is copied into the repository.

Planted, so the dedup and filters do real work (fractions of each source's rows): exact
copies of an earlier row 2% (a new id where the schema has one), near copies (1-4 words of
the answer substituted) 3%, identity claims (Claude / ChatGPT / a human) 0.5%, PII (an e-mail
address and a phone number) 0.5%, refusals 0.5%, truncated answers 0.5%, degenerate
repetition 0.3%, empty answers 0.2%, broken JSON lines 0.05% (JSONL sources); one
Sonnet row in 200 is a copy of an Opus row (cross-source duplicate); a quarter of the
OpenHermes answers open with the same scaffold (the pattern cap's case).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
DATA_DIR = ROOT / "benchmarks" / "data"
FIXTURES = ROOT.parent / "shared" / "fixtures"

# Target raw tokens per source at scale 1 (qwen3 tokens of the text fields, approximate: the
# generator stops at chars / CHARS_PER_TOKEN; sources.json has the exact count).
TARGETS = {
    "claude-opus-reasoning": 14_000_000,
    "claude-sonnet-orca": 20_000_000,
    "openorca": 20_000_000,
    "openhermes": 20_000_000,
    "platypus": 8_000_000,
    "opencoder": 10_000_000,
    "openmath": 12_000_000,
}
FILES = {
    "claude-opus-reasoning": "claude_opus_messages.jsonl",
    "claude-sonnet-orca": "sonnet_orca_sharegpt.jsonl",
    "openorca": "openorca.parquet",
    "openhermes": "openhermes.jsonl",
    "platypus": "platypus.jsonl",
    "opencoder": "opencoder_educational.jsonl",
    "openmath": "openmath2.jsonl",
}
CHARS_PER_TOKEN = 4.6
SWAP = 0.15

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+")


def data_dir(scale: float, seed: int) -> Path:
    """The full size (scale 1, seed 0) is what distill-12m-bench.yaml reads."""
    return DATA_DIR / ("mix" if (scale, seed) == (1.0, 0) else f"mix_s{scale:g}_seed{seed}")


# --- text pools -------------------------------------------------------------------------------


def _fixture_texts() -> tuple[list[str], list[str]]:
    """(prose texts, prompts) from the shared fixtures."""
    prose: list[str] = []
    prompts: list[str] = []
    ins = FIXTURES / "instruct"
    for f in sorted((FIXTURES / "web").rglob("*.jsonl")) + [ins / "llamafactory" / "c4_demo.jsonl"]:
        for line in f.read_text(encoding="utf-8").splitlines():
            try:
                text = json.loads(line).get("text")
            except (json.JSONDecodeError, AttributeError):
                continue
            if isinstance(text, str):
                prose.append(text)
    prose += (ins / "llamafactory" / "wiki_demo.txt").read_text(encoding="utf-8").splitlines()
    for r in json.loads((ins / "llamafactory" / "alpaca_en_demo.json").read_text(encoding="utf-8")):
        prose.append(r["output"])
        prompts.append((r["instruction"] + ("\n\n" + r["input"] if r["input"] else "")).strip())
    for line in (ins / "llamafactory" / "v1_sft_demo.jsonl").read_text(encoding="utf-8").splitlines():
        for m in json.loads(line)["messages"]:
            (prompts if m["role"] == "user" else prose).append(m["content"])
    for conv in json.loads((ins / "fastchat" / "dummy_conversation.json").read_text(encoding="utf-8")):
        for t in conv["conversations"]:
            (prompts if t["from"] == "human" else prose).append(t["value"])
    for line in (FIXTURES / "benchmarks" / "gsm8k" / "test.jsonl").read_text(encoding="utf-8").splitlines():
        prompts.append(json.loads(line)["question"])
    prompts = [p for p in prompts if isinstance(p, str) and 3 <= len(p.split()) <= 200]
    return [t for t in prose if isinstance(t, str)], prompts


@dataclass
class Pools:
    """Sentences as word-id runs over one vocabulary, and whole prompts."""

    vocab: np.ndarray  # object array of words
    letters: np.ndarray  # word ids that are plain lowercase words (the swap targets)
    flat: np.ndarray  # int32 word ids of every sentence, back to back
    starts: np.ndarray
    ends: np.ndarray
    prompts: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> Pools:
        prose, prompts = _fixture_texts()
        index: dict[str, int] = {}
        runs: list[list[int]] = []
        seen: set[str] = set()
        for text in prose:
            for sent in _SENT_SPLIT.split(text):
                words = sent.split()
                if not 5 <= len(words) <= 45 or sum(c.isalpha() for c in sent) < 0.7 * len(sent):
                    continue
                key = " ".join(words)
                if key in seen:
                    continue
                seen.add(key)
                runs.append([index.setdefault(w, len(index)) for w in words])
        vocab = np.empty(len(index), dtype=object)
        for w, i in index.items():
            vocab[i] = w
        letters = np.array([i for w, i in index.items() if w.isalpha() and w.islower()], dtype=np.int32)
        lengths = np.array([len(r) for r in runs])
        ends = np.cumsum(lengths)
        flat = np.fromiter((i for r in runs for i in r), dtype=np.int32, count=int(ends[-1]))
        return cls(vocab, letters, flat, ends - lengths, ends, sorted(set(prompts)))


class Writer:
    """Prose, prompts, math and code for one source, from its own seeded generators."""

    def __init__(self, pools: Pools, seed: str) -> None:
        self.p = pools
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "little"))

    def sentences(self, words: int) -> list[str]:
        """Sentences totalling about `words` words, each with ~SWAP of its words swapped."""
        p, g = self.p, self.np
        k = max(1, words // 17)
        picks = g.integers(0, len(p.starts), k)
        ids = np.concatenate([p.flat[p.starts[i] : p.ends[i]] for i in picks])
        swap = g.random(len(ids)) < SWAP
        ids[swap] = p.letters[g.integers(0, len(p.letters), int(swap.sum()))]
        cuts = np.cumsum(p.ends[picks] - p.starts[picks])[:-1]
        out = []
        for sent in np.split(p.vocab[ids], cuts):
            s = " ".join(sent)
            out.append(s if s[-1] in ".!?:" else s + ".")
        return out

    def paragraphs(self, words: int, n: int | None = None) -> str:
        sents = self.sentences(words)
        n = n or max(1, min(6, len(sents) // 4))
        size = -(-len(sents) // n)
        return "\n\n".join(" ".join(sents[i : i + size]) for i in range(0, len(sents), size))

    def prompt(self) -> str:
        base = self.rng.choice(self.p.prompts)
        if self.rng.random() < 0.5:
            return base + " " + " ".join(self.sentences(self.rng.randint(10, 40)))
        return " ".join(self.sentences(self.rng.randint(8, 30))) + "\n\n" + base

    def math(self) -> tuple[str, str, str]:
        """(question, steps, boxed solution) of a fresh demo math problem."""
        from curation.demo import mathgen

        p = mathgen.any_problem(self.rng)
        return p.question, "\n".join(p.steps), mathgen.boxed_solution(p, self.rng)

    def code(self, explained: bool) -> tuple[str, str, object]:
        from curation.demo import codegen

        t = codegen.code_task(self.rng)
        answer = codegen.explained_answer(t, self.rng) if explained else codegen.code_only_answer(t, self.rng)
        return t.instruction, answer, t


# --- one logical row, then its schema -----------------------------------------------------------

OPENERS = (
    "Let me work through this carefully.",
    "Okay, let me think about what is being asked.",
    "Let me break this down.",
    "First, let me restate the problem to myself.",
)
SYSTEMS = (
    "",
    "",
    "",
    "You are a helpful assistant.",
    "You are an AI assistant. Think step by step.",
    "You are a patient tutor. Explain your answer clearly.",
    "Answer concisely, then justify briefly.",
)
IDENTITY = (
    "I am Claude, an AI assistant made by Anthropic.",
    "As ChatGPT, a model trained by OpenAI, I can help.",
    "I'm Claude, created by Anthropic, and here is my answer.",
    "As a human expert who has done this for years, I can tell you the following.",
)
SCAFFOLD = "Sure! Here is a step-by-step explanation of the answer.\n\n"


@dataclass
class Row:
    """A conversation before it takes a source's schema: turns of (user, reasoning, answer)."""

    system: str
    turns: list[tuple[str, str, str]]
    extra: dict = field(default_factory=dict)


def reasoned_row(w: Writer) -> Row:
    """A distillation row: long reasoning, then the answer (math, code or general)."""
    r = w.rng.random()
    if r < 0.3:
        q, steps, solution = w.math()
        think = "\n".join([w.rng.choice(OPENERS), steps, w.paragraphs(w.rng.randint(150, 450))])
        return Row(
            w.rng.choice(SYSTEMS), [(q, think, solution + "\n\n" + w.paragraphs(w.rng.randint(40, 140), 1))]
        )
    if r < 0.55:
        q, answer, _ = w.code(explained=True)
        think = w.rng.choice(OPENERS) + " " + w.paragraphs(w.rng.randint(200, 500))
        return Row(
            w.rng.choice(SYSTEMS), [(q, think, answer + "\n\n" + w.paragraphs(w.rng.randint(40, 160), 1))]
        )
    think = w.rng.choice(OPENERS) + " " + w.paragraphs(w.rng.randint(200, 600))
    return Row(w.rng.choice(SYSTEMS), [(w.prompt(), think, w.paragraphs(w.rng.randint(120, 420)))])


def instruct_row(w: Writer, math: float = 0.2, code: float = 0.15, multi: float = 0.0) -> Row:
    turns = []
    for _ in range(2 if w.rng.random() < multi else 1):
        r = w.rng.random()
        if r < math:
            q, _, solution = w.math()
            turns.append((q, "", solution + "\n\n" + w.paragraphs(w.rng.randint(30, 160), 1)))
        elif r < math + code:
            q, answer, _ = w.code(explained=True)
            turns.append((q, "", answer + "\n\n" + w.paragraphs(w.rng.randint(30, 160), 1)))
        else:
            turns.append((w.prompt(), "", w.paragraphs(w.rng.randint(80, 380))))
    return Row(w.rng.choice(SYSTEMS), turns)


def code_row(w: Writer) -> Row:
    q, answer, task = w.code(explained=w.rng.random() < 0.5)
    row = Row("", [(q, "", answer + "\n\n" + w.paragraphs(w.rng.randint(60, 260)))])
    row.extra = {"code": task.code, "entry_point": task.entry_point, "testcase": list(task.tests)}
    return row


def math_row(w: Writer) -> Row:
    q, steps, solution = w.math()
    body = w.paragraphs(w.rng.randint(60, 240))
    row = Row("", [(q, "", f"{body}\n\n{solution}")])
    row.extra = {"expected_answer": solution.rsplit("boxed{", 1)[-1].split("}")[0]}
    return row


def _think(reasoning: str, answer: str) -> str:
    return f"<think>\n{reasoning}\n</think>\n\n{answer}" if reasoning else answer


def as_schema(name: str, row: Row, rng: random.Random, serial: int) -> dict:
    """The row in source `name`'s public schema."""
    if name == "claude-opus-reasoning":
        msgs = [{"role": "system", "content": row.system}] if row.system else []
        for u, r, a in row.turns:
            msgs += [{"role": "user", "content": u}, {"role": "assistant", "content": _think(r, a)}]
        return {"messages": msgs}
    if name == "claude-sonnet-orca":
        conv = [{"from": "system", "value": row.system}] if row.system else []
        for u, r, a in row.turns:
            conv += [{"from": "human", "value": u}, {"from": "gpt", "value": _think(r, a)}]
        return {"conversations": conv}
    if name == "openorca":
        u, _, a = row.turns[0]
        prefix = rng.choice(["flan", "flan", "niv", "t0", "cot"])
        return {"id": f"{prefix}.{serial}", "system_prompt": row.system, "question": u, "response": a}
    if name == "openhermes":
        conv = [{"from": "system", "value": row.system, "weight": None}] if row.system else []
        for u, _, a in row.turns:
            conv += [
                {"from": "human", "value": u, "weight": None},
                {"from": "gpt", "value": a, "weight": None},
            ]
        src = rng.choice(["airoboros2.2", "glaive-code-assist", "CamelAI", "EvolInstruct_70k", "metamath"])
        return {
            "conversations": conv,
            "source": src,
            "category": rng.choice([None, "general", "orca"]),
            "skip_prompt_formatting": rng.random() < 0.1,
        }
    if name == "platypus":
        u, _, a = row.turns[0]
        src = rng.choice(["MATH/PRM-800K", "theoremqa", "scibench", "leetcode_ne", "reclor", "airoboros"])
        return {"instruction": u, "input": "", "output": a, "data_source": src}
    if name == "opencoder":
        u, _, a = row.turns[0]
        return {"instruction": u, "output": a, **row.extra}
    if name == "openmath":
        u, _, a = row.turns[0]
        src = rng.choice(["augmented_gsm8k", "augmented_math", "gsm8k", "math"])
        return {"problem": u, "generated_solution": a, **row.extra, "problem_source": src}
    raise ValueError(name)


MAKERS = {
    "claude-opus-reasoning": reasoned_row,
    "claude-sonnet-orca": lambda w: reasoned_row(w) if w.rng.random() < 0.6 else instruct_row(w, multi=0.1),
    "openorca": lambda w: instruct_row(w, math=0.2, code=0.08),
    "openhermes": lambda w: instruct_row(w, math=0.15, code=0.15, multi=0.2),
    "platypus": lambda w: instruct_row(w, math=0.4, code=0.15),
    "opencoder": code_row,
    "openmath": math_row,
}


# --- planted problems ---------------------------------------------------------------------------


def _edit_answer(row: Row, fn) -> Row:
    u, r, a = row.turns[-1]
    return Row(row.system, [*row.turns[:-1], (u, r, fn(a))], dict(row.extra))


def near_copy(row: Row, w: Writer) -> Row:
    def edit(a: str) -> str:
        words = a.split(" ")
        for _ in range(w.rng.randint(1, 4)):
            i = w.rng.randrange(len(words))
            if words[i].isalpha():
                words[i] = str(w.p.vocab[w.p.letters[w.rng.randrange(len(w.p.letters))]])
        return " ".join(words)

    return _edit_answer(row, edit)


def plant(kind: str, row: Row, w: Writer) -> Row:
    from curation.demo import quality

    if kind == "identity":
        return _edit_answer(row, lambda a: w.rng.choice(IDENTITY) + " " + a)
    if kind == "pii":
        n = w.rng.randrange(10_000)
        return _edit_answer(
            row,
            lambda a: f"{a}\n\nFor questions, write to jordan.lee{n}@example.com or call +1 415-555-{n:04d}.",
        )
    if kind == "refusal":
        return _edit_answer(row, lambda a: quality.refusal(row.turns[-1][0], w.rng))
    if kind == "truncated":
        return _edit_answer(row, lambda a: quality.truncate(a, w.rng) or a[: len(a) // 2])
    if kind == "repetition":
        return _edit_answer(row, lambda a: quality.repetition(w.rng))
    if kind == "empty":
        return _edit_answer(row, lambda a: "")
    raise ValueError(kind)


PLANTS = (
    ("identity", 0.005),
    ("pii", 0.005),
    ("refusal", 0.005),
    ("truncated", 0.005),
    ("repetition", 0.003),
    ("empty", 0.002),
)
EXACT, NEAR, BAD_JSON, CROSS = 0.02, 0.03, 0.0005, 0.005


def _row_chars(row: Row) -> int:
    return len(row.system) + sum(len(u) + len(r) + len(a) for u, r, a in row.turns)


def build_source(
    name: str, pools: Pools, target_tokens: int, seed: int, shared: list[Row]
) -> tuple[list[dict | str], Counter]:
    """The rows (dicts, or a str for a broken JSON line) of one source, and what was planted."""
    w = Writer(pools, f"mix-bench:{seed}:{name}")
    make = MAKERS[name]
    rows: list[dict | str] = []
    logical: list[Row] = []
    planted: Counter = Counter()
    chars, budget = 0, target_tokens * CHARS_PER_TOKEN
    while chars < budget:
        r = w.rng.random()
        if logical and r < EXACT:
            row, kind = w.rng.choice(logical), "exact_duplicate"
        elif logical and r < EXACT + NEAR:
            row, kind = near_copy(w.rng.choice(logical), w), "near_duplicate"
        elif shared and name == "claude-sonnet-orca" and r < EXACT + NEAR + CROSS:
            row, kind = w.rng.choice(shared), "cross_source_duplicate"
        else:
            row, kind = make(w), None
            if name == "openhermes" and w.rng.random() < 0.25:
                row = _edit_answer(row, lambda a: SCAFFOLD + a)
            r2 = w.rng.random()
            for plant_kind, share in PLANTS:
                if r2 < share:
                    row, kind = plant(plant_kind, row, w), plant_kind
                    break
                r2 -= share
            logical.append(row)
        rec = as_schema(name, row, w.rng, len(rows) + 1)
        if FILES[name].endswith(".jsonl") and w.rng.random() < BAD_JSON:
            rows.append(json.dumps(rec, ensure_ascii=False)[:-7])
            kind = "malformed_json"
        else:
            rows.append(rec)
        if kind:
            planted[kind] += 1
        chars += _row_chars(row)
    if name == "claude-opus-reasoning":
        shared.extend(logical[:: max(1, len(logical) // 500)])
    return rows, planted


def raw_texts(rows: list[dict | str]) -> list[str]:
    """Every string value of the rows' text fields (for the raw token count)."""
    out: list[str] = []

    def walk(v) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                if k not in ("id", "from", "role", "source", "data_source", "problem_source", "category"):
                    walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for r in rows:
        walk(r)
    return out


def write_source(path: Path, rows: list[dict | str]) -> None:
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path, compression="zstd", row_group_size=20_000)
        return
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")


def build(scale: float, seed: int) -> Path:
    from curation.tokens import get_tokenizer

    out = data_dir(scale, seed)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    pools = Pools.load()
    tok = get_tokenizer("qwen3")
    shared: list[Row] = []
    listing = []
    for name in TARGETS:  # opus first: sonnet copies some of its rows
        rows, planted = build_source(name, pools, int(TARGETS[name] * scale), seed, shared)
        write_source(out / FILES[name], rows)
        tokens = int(tok.count_batch(raw_texts(rows)).sum())
        listing.append(
            {
                "name": name,
                "file": FILES[name],
                "rows": len(rows),
                "raw_tokens": tokens,
                "bytes": (out / FILES[name]).stat().st_size,
                "planted": dict(sorted(planted.items())),
            }
        )
        print(
            f"{name:24s} {len(rows):>8,} rows {tokens:>12,} tokens  ({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    total = sum(s["raw_tokens"] for s in listing)
    meta = {"scale": scale, "seed": seed, "raw_tokens": total, "sources": listing}
    (out / "sources.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"total {total:,} raw tokens in {out} ({time.perf_counter() - t0:.0f} s)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full size (~110M raw tokens, ~2.5 min)"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    build(args.scale, args.seed)


if __name__ == "__main__":
    main()
