"""Run the identity-claims filter over evals/identity/turns.jsonl and write the report.

Each case becomes a canonical chat row: a user turn (the case's ``user`` field, else a neutral
prompt) and the assistant turn under test. Writes benchmarks/results/identity_eval.md with
per-class precision/recall, the confusion counts and the misclassified ids.

    .venv/bin/python evals/identity/evaluate.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa

from curation.filters.identity import HUMAN, OTHER_MODEL, IdentityFilter
from curation.record import CANONICAL_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).with_name("turns.jsonl")
REPORT = ROOT / "benchmarks" / "results" / "identity_eval.md"
LABELS = ("human", "other_model", "none")
_CODE = {HUMAN: "human", OTHER_MODEL: "other_model"}
DEFAULT_USER = "Can you help me with this?"
# Kept by hand: how the held-out batch scored the first time it was run, before any fix.
HISTORY = (
    "History: batches 1-2 (499 cases) were written first and the patterns improved until they passed. "
    "Batch 3 (60 cases, note `held out`) was then written without looking at the patterns; its first run scored "
    'human recall 17/20, other_model recall 18/20 and 0/30 false positives. The 5 misses ("I\'ve got two kids", '
    '"I\'m as human as you are", "I live near the beach", "My name\'s Claude", "I\'m an AI model called '
    'ChatGPT") were then fixed in the patterns; no case was removed or relabelled. '
    'Batch 4 (9 cases) covers text-generation tasks ("Generate an excuse..."), added after the filter flagged such '
    "answers in real instruction data; human claims answering them are exempt, so `hu0567` (a genuine claim under "
    '"Generate three tips") is a known, accepted miss. '
    "Batch 5 (5 cases, optional `system` prompt) came from the demo: two human claims under OpenOrca's generic "
    'system prompt ("...complete the task...") and one other-model claim were missed (a task word in the system '
    'prompt exempted the first, "As a person with two dogs, my..." and "As ChatGPT, developed by OpenAI, I..." '
    "had no pattern); all three were fixed, with two hard negatives beside them."
)


def load_cases(path: Path = CASES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _turn(role: str, content: str) -> dict:
    return {"role": role, "content": content, "reasoning": None, "tool_calls": None}


def to_table(cases: list[dict]) -> pa.Table:
    rows = [
        {
            "id": c["id"],
            "source": "identity_eval",
            "kind": "chat",
            "messages": [
                *([_turn("system", c["system"])] if c.get("system") else []),
                _turn("user", c.get("user") or DEFAULT_USER),
                _turn("assistant", c["text"]),
            ],
            "text": None,
            "meta": {},
        }
        for c in cases
    ]
    return pa.Table.from_pylist(rows, CANONICAL_SCHEMA)


def evaluate(cases: list[dict], filt: IdentityFilter | None = None) -> dict:
    verdicts = (filt or IdentityFilter())(to_table(cases))
    predicted = [_CODE.get(r, "none") if r else "none" for r in verdicts.reason.to_pylist()]
    confusion = Counter((c["label"], p) for c, p in zip(cases, predicted, strict=True))
    scores = {}
    for label in ("human", "other_model"):
        tp = confusion[(label, label)]
        pred = sum(confusion[(g, label)] for g in LABELS)
        gold = sum(confusion[(label, p)] for p in LABELS)
        scores[label] = {"precision": tp / pred if pred else 1.0, "recall": tp / gold if gold else 1.0, "support": gold}
    wrong = [(c["id"], c["label"], p, c["text"]) for c, p in zip(cases, predicted, strict=True) if c["label"] != p]
    return {"scores": scores, "confusion": confusion, "wrong": wrong, "n": len(cases)}


def render(result: dict) -> str:
    lines = [
        "# Identity-claims filter: evaluation",
        "",
        f"`evals/identity/turns.jsonl`: {result['n']} hand-written assistant turns; filter `IdentityFilter(action='drop')`.",
        "Regenerate: `.venv/bin/python evals/identity/evaluate.py`. Targets: precision >= 0.98, recall >= 0.95 per class.",
        "",
        "| class | precision | recall | support |",
        "|---|---|---|---|",
    ]
    for label, s in result["scores"].items():
        lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['support']} |")
    lines += [
        "",
        "Confusion (rows: gold, columns: predicted)",
        "",
        "| gold \\ pred | " + " | ".join(LABELS) + " |",
        "|---|---|---|---|",
    ]
    for g in LABELS:
        lines.append(f"| {g} | " + " | ".join(str(result["confusion"][(g, p)]) for p in LABELS) + " |")
    lines += ["", HISTORY, "", f"Misclassified now: {len(result['wrong'])}", ""]
    lines += [f"- `{i}` gold={g} pred={p}: {json.dumps(t, ensure_ascii=False)}" for i, g, p, t in result["wrong"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    result = evaluate(load_cases())
    REPORT.write_text(render(result), encoding="utf-8")
    print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
