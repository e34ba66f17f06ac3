"""The demo corpora generator: deterministic files in the real schemas, with exactly the
planted problems it reports and no accidental ones.

The checks parse the files with their own small schema table (not the project's readers),
so a reader bug cannot hide a generator bug or the other way round.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard

from curation.demo import DemoSource, generate_demo, identity, load_sources, quality
from curation.demo.corpora_instruct import build_openorca
from curation.demo.corpus import Context

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"

# --- the schemas, as this test reads them --------------------------------------------------
# fields: required {name: type}; turns: (list field, role key, text key, allowed roles, assistant role)
FIELDS = {
    "openorca": {"question": str, "response": str},
    "platypus": {"instruction": str, "output": str},
    "alpaca_cleaned": {"instruction": str, "output": str},
    "opencoder_stage1": {"instruction": str, "output": str},
    "opencoder_stage2": {"instruction": str, "output": str},
    "openmath1": {"question": str, "generated_solution": str},
    "openmath2": {"problem": str, "generated_solution": str},
    "stem_cot_calculus": {"question": str, "response": str},
    "stem_cot_physics": {"question": str, "response": str},
    "distill_columns": {"problem": str, "solution": str},
    "web": {"text": str},
    "books": {"text": str},
    "math_web": {"text": str},
    "wiki": {"text": str},
    "code": {"content": str},
    "stepwise_math": {"instruction": str, "output": str},
}
TURNS = {
    "openhermes": ("conversations", "from", "value", {"system", "human", "gpt"}, "gpt"),
    "sharegpt": ("conversations", "from", "value", {"human", "gpt"}, "gpt"),
    "distill_messages": ("messages", "role", "content", {"system", "user", "assistant"}, "assistant"),
}
# (user fields, answer field) of the field-shaped chat corpora; the rest are documents.
CHAT_FIELDS = {
    "openorca": (("system_prompt", "question"), "response"),
    "platypus": (("instruction", "input"), "output"),
    "alpaca_cleaned": (("instruction", "input"), "output"),
    "opencoder_stage1": (("instruction",), "output"),
    "opencoder_stage2": (("instruction",), "output"),
    "openmath1": (("question",), "generated_solution"),
    "openmath2": (("problem",), "generated_solution"),
    "stem_cot_calculus": (("question", "CoT"), "response"),
    "stem_cot_physics": (("question", "CoT"), "response"),
    "distill_columns": (("problem", "thinking"), "solution"),
    "stepwise_math": (("instruction", "input"), "output"),
}
TEXT_FIELD = {"web": "text", "books": "text", "math_web": "text", "wiki": "text", "code": "content"}
DOC_DOMAINS = {"web": "web", "books": "books", "math_web": "math", "wiki": "wikipedia"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[DemoSource]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(out, seed=0)


def _digests(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.iterdir())}


# --- reading the files back -------------------------------------------------------------------


def raw_records(src: DemoSource) -> list[bytes | dict]:
    """Each record: the raw line bytes for JSONL files, the parsed dict for JSON arrays and Parquet."""
    path = src.path
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    data = path.read_bytes()
    if path.name.endswith(".json"):
        return json.loads(data)
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().decompress(data)
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n")


def _think_problem(text: str) -> bool:
    """True for an unclosed or repeated think block."""
    if "</think>" in text:
        before, after = text.split("</think>", 1)
        return "<think>" in after or "</think>" in after or before.count("<think>") > 1
    return "<think>" in text


def problems(name: str, rec: bytes | dict) -> tuple[list[str], dict | None]:
    """(malformed codes, the parsed row) for one record, by this test's reading of the schema."""
    if isinstance(rec, bytes):
        try:
            text = rec.decode("utf-8")
        except UnicodeDecodeError:
            return ["malformed:utf8"], None
        try:
            row = json.loads(text)
        except ValueError:
            return ["malformed:json"], None
    else:
        row = rec
    if not isinstance(row, dict):
        return ["malformed:type"], None
    found = []
    if name in TURNS:
        field, role_key, text_key, roles, assistant = TURNS[name]
        turns = row.get(field)
        if turns is None:
            return ["malformed:missing_field"], row
        if not isinstance(turns, list) or not all(isinstance(t, dict) for t in turns):
            return ["malformed:type"], row
        if not turns:
            return ["malformed:empty_conversation"], row
        if any(t.get(role_key) not in roles for t in turns):
            found.append("malformed:unknown_role")
        if any(t.get(text_key) is None for t in turns):
            found.append("malformed:missing_field")
        elif any(not isinstance(t.get(text_key), str) for t in turns):
            found.append("malformed:type")
        elif not any(t[role_key] == assistant for t in turns):
            found.append("malformed:no_assistant_turn")
        elif any(_think_problem(t[text_key]) for t in turns if t[role_key] == assistant):
            found.append("malformed:think_markup")
        return found, row
    for field, kind in FIELDS[name].items():
        if row.get(field) is None:
            found.append("malformed:missing_field")
        elif not isinstance(row[field], kind):
            found.append("malformed:type")
    if found:
        return found, row
    if name in CHAT_FIELDS and _think_problem(row[CHAT_FIELDS[name][1]]):
        found.append("malformed:think_markup")
    if name in TEXT_FIELD and not row[TEXT_FIELD[name]].strip():
        found.append("malformed:empty_text")
    return found, row


def valid_rows(src: DemoSource) -> list[dict]:
    return [row for found, row in (problems(src.name, r) for r in raw_records(src)) if not found]


def turns_of(name: str, row: dict) -> list[tuple[str, str]]:
    """(role, text) pairs with roles user / assistant / system / doc."""
    if name in TURNS:
        field, role_key, text_key, _, assistant = TURNS[name]
        def role(t: dict) -> str:
            if t[role_key] == assistant:
                return "assistant"
            return "system" if t[role_key] == "system" else "user"

        return [(role(t), t[text_key]) for t in row[field]]
    if name in CHAT_FIELDS:
        users, answer = CHAT_FIELDS[name]
        return [*(("user", row[f]) for f in users if row.get(f)), ("assistant", row[answer])]
    return [("doc", row[TEXT_FIELD[name]])]


def final_answer(name: str, row: dict) -> str:
    """The last assistant turn without its think block."""
    text = [t for role, t in turns_of(name, row) if role == "assistant"][-1]
    return text.split("</think>", 1)[1] if "</think>" in text else text


def full_text(name: str, row: dict) -> str:
    return "\n".join(t for _, t in turns_of(name, row) if t)


# --- similarity, written independently of curation.demo.similarity --------------------------


def shingle_set(text: str) -> frozenset:
    toks = re.findall(r"\w+", text.lower())
    if len(toks) < 5:
        return frozenset([tuple(toks)])
    return frozenset(zip(toks, toks[1:], toks[2:], toks[3:], toks[4:], strict=False))


# --- tests ----------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(demo, tmp_path):
    root, _ = demo
    generate_demo(tmp_path / "again", seed=0)
    assert _digests(tmp_path / "again") == _digests(root)


def test_output_does_not_depend_on_the_process(demo, tmp_path):
    """Another interpreter, with another str-hash seed, writes the same bytes."""
    root, _ = demo
    code = ("import sys; from pathlib import Path; from curation.demo import generate_demo; "
            "generate_demo(Path(sys.argv[1]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "other")], check=True, env=env)
    assert _digests(tmp_path / "other") == _digests(root)


def test_the_seed_changes_the_data():
    rows = [build_openorca(Context(seed)).rows() for seed in (0, 1, 0)]
    assert rows[0] == rows[2] and rows[0] != rows[1]


def test_sources_json_lists_every_corpus(demo):
    root, sources = demo
    assert [s.name for s in load_sources(root)] == [s.name for s in sources]
    listing = json.loads((root / "sources.json").read_text())
    for entry, src in zip(listing, sources, strict=True):
        assert entry["path"] == src.path.name and src.path.is_file()
        assert entry["adapter"] == src.adapter and entry["planted"] == src.planted
    by_name = {s.name: s for s in sources}
    alpaca = by_name["alpaca_cleaned"]
    assert alpaca.path.name == "alpaca_cleaned.json" and alpaca.adapter == "alpaca"
    assert by_name["distill_columns"].path.suffix == ".parquet"
    assert by_name["stem_cot_calculus"].options == {"domain": "advanced-calculus"}
    assert {n: by_name[n].options["domain"] for n in DOC_DOMAINS} == DOC_DOMAINS
    assert by_name["code"].adapter == "code_files"
    assert {s.name for s in sources} == set(FIELDS) | set(TURNS)
    assert not list(root.glob(".*.tmp"))


def test_every_corpus_has_a_few_hundred_rows(demo):
    _, sources = demo
    for src in sources:
        assert 200 <= len(raw_records(src)) <= 400, src.name


def test_planted_malformed_rows_are_exact(demo):
    """Each malformed row has exactly one problem, and the counts are the ones reported."""
    _, sources = demo
    for src in sources:
        counts: Counter = Counter()
        for rec in raw_records(src):
            found, _ = problems(src.name, rec)
            assert len(found) <= 1, (src.name, found, rec)
            counts.update(found)
        planted = {k: v for k, v in src.planted.items() if k.startswith("malformed:")}
        assert dict(counts) == planted, src.name
        assert "malformed:no_assistant_turn" not in counts


def test_duplicates_are_exactly_the_planted_ones(demo):
    """Exact copies, cross-source copies and near copies (word 5-gram Jaccard >= 0.8) are the
    planted ones, and no other pair of rows anywhere comes close (Jaccard 0.6 to 0.8).

    A `duplicate_row` is the very same row again (the ingest keeps it as `<id>#2`); an `exact_duplicate`
    has the same content under another id, subset or URL (the dedup stage must find it).
    """
    _, sources = demo
    index: dict = {}
    sizes: list[int] = []
    owner: list[str] = []
    seen_text: dict[str, str] = {}
    seen_rows: set[str] = set()
    found: Counter = Counter()
    for src in sources:
        for row in valid_rows(src):
            text = full_text(src.name, row)
            if text in seen_text:
                if seen_text[text] != src.name:
                    found[(src.name, "exact_duplicate:cross_source")] += 1
                else:
                    same_row = json.dumps(row, sort_keys=True) in seen_rows
                    found[(src.name, "duplicate_row" if same_row else "exact_duplicate")] += 1
                continue
            seen_text[text] = src.name
            seen_rows.add(json.dumps(row, sort_keys=True))
            sh = shingle_set(text)
            shared: Counter = Counter(i for s in sh for i in index.get(s, ()))
            scores = ((inter / (len(sh) + sizes[i] - inter), i) for i, inter in shared.items())
            best = max(scores, default=(0.0, -1))
            assert not 0.6 <= best[0] < 0.8, (src.name, best[0], owner[best[1]], text[:200])
            if best[0] >= 0.8:
                assert owner[best[1]] == src.name, "near duplicates are planted within a corpus"
                found[(src.name, "near_duplicate")] += 1
            for s in sh:
                index.setdefault(s, []).append(len(sizes))
            sizes.append(len(sh))
            owner.append(src.name)
    for src in sources:
        for key in ("duplicate_row", "exact_duplicate", "exact_duplicate:cross_source", "near_duplicate"):
            assert found[(src.name, key)] == src.planted.get(key, 0), (src.name, key)
        assert src.planted.get("duplicate_row", 0) + src.planted.get("exact_duplicate", 0) > 0, src.name


def test_planted_chat_problems_are_present(demo):
    """Identity claims, hard negatives, refusals and empty answers: the reported counts, and
    <think> markup only in the distillation sets."""
    _, sources = demo
    claims = {
        "identity_claim:human": {a for _, a in identity.HUMAN_CLAIMS},
        "identity_claim:other_model": {a for _, a in identity.OTHER_MODEL_CLAIMS},
        "identity_hard_negative": {a for _, a in identity.HARD_NEGATIVES},
    }
    refusal_heads = tuple(t.split("{topic}")[0] for t in quality.REFUSALS)
    for src in sources:
        if src.name in TEXT_FIELD:
            continue
        counts: Counter = Counter()
        for row in valid_rows(src):
            answer = final_answer(src.name, row).strip()
            for key, texts in claims.items():
                counts[key] += answer in texts
            counts["quality:refusal"] += answer.startswith(refusal_heads)
            counts["quality:empty_response"] += answer == ""
            has_think = any("<think>" in t for _, t in turns_of(src.name, row))
            assert has_think == (src.name == "distill_messages"), src.name
        for key, n in counts.items():
            assert n == src.planted.get(key, 0), (src.name, key)


def test_opencoder_stage2_testcases_pass(demo):
    _, sources = demo
    (src,) = [s for s in sources if s.name == "opencoder_stage2"]
    checked = 0
    for row in valid_rows(src):
        if row["output"] == "" or "```" not in row["output"].split("```python", 1)[-1]:
            continue  # the planted empty and truncated answers
        namespace: dict = {}
        exec(row["code"], namespace)  # noqa: S102 - generated by the project
        assert row["entry_point"] in namespace and row["testcase"]
        for case in row["testcase"]:
            exec(case, namespace)  # noqa: S102
        checked += 1
    assert checked >= 180


def test_openmath1_correctness_flags_match_answers(demo):
    _, sources = demo
    (src,) = [s for s in sources if s.name == "openmath1"]
    rows = valid_rows(src)
    assert sum(not r["is_correct"] for r in rows) == src.planted["incorrect_solution"]
    for r in rows:
        assert (r["predicted_answer"] == r["expected_answer"]) == r["is_correct"], r
        if r["is_correct"] and "\\boxed{" in r["generated_solution"]:
            assert r["dataset"] in ("gsm8k", "math")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [s for v in items for s in _strings(v)]


def _word_windows(text: str, n: int = 12) -> set[int]:
    toks = re.findall(r"\w+", text.lower())
    return {hash(tuple(toks[i:i + n])) for i in range(len(toks) - n + 1)}


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="../shared/fixtures is absent (a fresh clone): nothing to "
                                                  "compare with")
def test_no_text_is_copied_from_the_reference_fixtures(demo):
    """No 12-word window of any instruct, web or GSM8K fixture appears in the demo data, but for
    the two GSM8K test questions planted on purpose (for decontamination to catch)."""
    from curation.demo import corpora_steps
    from curation.demo.gsm8k_sample import GSM8K_TEST_SAMPLE

    _, sources = demo
    demo_windows: set[int] = set()
    for src in sources:
        for row in valid_rows(src):
            for text in _strings(row):  # windows inside one field: keys and field joins are not text
                demo_windows |= _word_windows(text)
    for planted in (corpora_steps.verbatim_row(GSM8K_TEST_SAMPLE[0]), corpora_steps.REWORDED):
        for text in _strings(planted):
            demo_windows -= _word_windows(text)
    files = [p for d in ("instruct", "web", "benchmarks/gsm8k") for p in (FIXTURES / d).rglob("*")
             if p.is_file() and p.suffix in (".json", ".jsonl", ".txt")]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\\n", " ")
        copied = _word_windows(text) & demo_windows
        assert not copied, f"demo text shares a 12-word window with {path}"
