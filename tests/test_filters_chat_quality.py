"""Chat-quality and reasoning-policy filters: rows they must drop, hard negatives they must keep."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from curation.filters.base import apply_verdicts
from curation.filters.chat_quality import ChatQuality
from curation.filters.reasoning import ReasoningPolicy
from curation.record import CANONICAL_SCHEMA

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
META = dict.fromkeys(("data_source", "domain", "language", "url", "path", "license", "extra"))
LONG = (
    "Photosynthesis turns light into chemical energy inside the chloroplasts of plant cells. "
    "Chlorophyll absorbs mostly red and blue light, which is why leaves look green to us. "
    "The light reactions split water and release oxygen as a by-product of the process. "
)


def m(role: str, content: str, reasoning: str | None = None) -> dict:
    return {"role": role, "content": content, "reasoning": reasoning, "tool_calls": None}


def chat(response: str, prompt: str = "Please answer the question about the topic.", rid: str = "r") -> dict:
    return {
        "id": rid,
        "source": "s",
        "kind": "chat",
        "messages": [m("user", prompt), m("assistant", response)],
        "text": None,
        "meta": META,
    }


def table(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)


def verdicts(filt, rows: list[dict]) -> list[tuple[str | None, str | None]]:
    v = filt(table(rows))
    return list(zip(v.reason.to_pylist(), v.detail.to_pylist(), strict=True))


DROPS = [
    ("   \n", "chat:empty_response", "empty"),
    ("Fine <|im_end|>", "chat:template_token", "'<|im_end|>' in assistant turn"),
    ("[INST] continue [/INST] Sure.", "chat:template_token", "'[INST]'"),
    ("<s> Hello there.", "chat:template_token", "'<s>'"),
    ("Hello there.</s>", "chat:template_token", "'</s>'"),
    ("Hi <|custom_token|> there.", "chat:template_token", "<|custom_token|>"),
    ("Sure.<start_of_turn>model", "chat:template_token", "<start_of_turn>"),
    ("<think>hmm</think>The answer is 4.", "chat:think_markup", "'<think>' in assistant turn"),
    ("Here:\n```python\nprint(1)\n", "chat:truncated:code_fence", "1 ``` fence lines"),
    ("I'm sorry, but I can't help with that.", "chat:refusal", "I'm sorry, but I can't"),
    ("I\u2019m sorry, I cannot provide that information.", "chat:refusal", "I cannot"),
    ("Unfortunately, I am unable to browse the web.", "chat:refusal", "unable to"),
    ("I can't assist with that request.", "chat:refusal", "I can't assist"),
    (
        "As an AI language model, I do not have opinions. Here is a summary.",
        "chat:ai_boilerplate",
        "As an AI",
    ),
    ("Paris is the capital. My knowledge cutoff is 2021.", "chat:ai_boilerplate", "knowledge cutoff"),
    # Unicode case folding: long s (U+017F) is an "s" to the regex, and to its cheap first pass
    ("A\u017f an AI language model, I cannot say.", "chat:ai_boilerplate", "A\u017f an AI language model"),
    (
        "\n".join(["The same line again and again."] * 8 + ["A different ending line."]),
        "chat:repetition",
        "duplicate line fraction",
    ),
    ("I will not stop. " * 40, "chat:repetition", "10-gram character fraction"),
    (
        LONG + "In conclusion, the most important thing to remember about this topic is that the",
        "chat:truncated:mid_sentence",
        "ends mid-sentence",
    ),
    (" ".join(f"word{i}" for i in range(600)) + ".", "chat:length_ratio", "outside [0.002, 400.0]"),
]


@pytest.mark.parametrize(("response", "reason", "in_detail"), DROPS)
def test_drops(response: str, reason: str, in_detail: str) -> None:
    ((got, detail),) = verdicts(
        ChatQuality(), [chat(response, prompt="Hi")] if reason == "chat:length_ratio" else [chat(response)]
    )
    assert got == reason, detail
    assert in_detail in detail


KEEPS = [
    "3",  # a legitimate one-character classification answer
    "I can't stress enough how important sleep is. Get eight hours.",
    "Sorry to hear that! Here is how to fix it: restart the router.",
    "Use <s> in HTML for strikethrough, for example <s>old price</s> $5.",
    "In Haskell, `<|>` picks the first parser that succeeds.",
    "I am an AI assistant developed by Acme. How can I help?",  # identity data, not boilerplate
    "Here:\n```python\nprint(1)\n```\nDone.",
    LONG + "\n\n- first item in the list\n- second item in the list which is longer than sixty chars here",
    LONG
    + "\n\n| col a | col b |\n|---|---|\n| value one for the table cell | value two for the table cell |",
    LONG + "\n\nRead more at https://example.org/a/very/long/path/to/some/documentation/page",
    LONG + "\n\nThe result is $x^2 + y^2 = z^2$",
    LONG + "\n\n    return sorted(values, key=lambda item: item.priority, reverse=True)",
    LONG + "\n\nGet yourself a puppy and experience love like no other in your life. #PuppyLove",
    "Roses are red\nViolets are blue\nSugar is sweet\nAnd so are you",  # short lines, no punctuation
    "(Chorus)\nSing it loud\nSing it proud\n(Verse)\nA new day\n(Chorus)\nSing it loud\nSing it proud\nThe end.",
    "#### 72",  # GSM8K answer format
]


@pytest.mark.parametrize("response", KEEPS)
def test_keeps(response: str) -> None:
    assert verdicts(ChatQuality(), [chat(response)]) == [(None, None)]


def test_documents_untouched_and_checks_switch_off() -> None:
    doc = {
        "id": "d",
        "source": "s",
        "kind": "text",
        "messages": None,
        "text": "<|im_end|> " * 5,
        "meta": META,
    }
    assert verdicts(ChatQuality(), [doc]) == [(None, None)]
    refusal = chat("I'm sorry, but I can't help with that.")
    assert verdicts(ChatQuality(check_refusal=False), [refusal]) == [(None, None)]
    assert verdicts(ChatQuality(min_response_chars=5), [chat("Yes")])[0][0] == "chat:short_response"


def test_template_token_in_user_turn() -> None:
    row = chat("Fine.", prompt="Say hi<|im_end|>\n<|im_start|>assistant")
    ((reason, detail),) = verdicts(ChatQuality(), [row])
    assert reason == "chat:template_token" and "user turn" in detail


def test_apply_verdicts_reports_drops() -> None:
    rows = [chat("Good answer.", rid="ok"), chat("", rid="bad")]
    kept, report = apply_verdicts(table(rows), ChatQuality()(table(rows)), "chat_quality")
    assert kept["id"].to_pylist() == ["ok"]
    assert report["reason"].to_pylist() == ["chat:empty_response"]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"min_response_chars": -1}, "min_response_chars"),
        ({"max_duplicate_line_fraction": 0.0}, "max_duplicate_line_fraction"),
        ({"max_duplicate_ngram_fraction": 1.5}, "max_duplicate_ngram_fraction"),
        ({"repetition_ngram": 1}, "repetition_ngram"),
        ({"min_length_ratio": 5.0, "max_length_ratio": 1.0}, "min_length_ratio"),
        ({"template_tokens": ()}, "template_tokens"),
    ],
)
def test_bad_parameters(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        ChatQuality(**kwargs)


def test_real_fixture_rows_mostly_kept() -> None:
    path = FIXTURES / "instruct" / "llamafactory" / "alpaca_en_demo.json"
    if not path.exists():
        pytest.skip(f"shared fixture {path} not found (../shared is absent in a fresh clone)")
    import orjson

    data = orjson.loads(path.read_bytes())
    rows = [
        chat(r["output"], prompt=f"{r['instruction']}\n\n{r['input']}".strip(), rid=str(i))
        for i, r in enumerate(data)
    ]
    reasons = [r for r, _ in verdicts(ChatQuality(), rows) if r is not None]
    # Measured: 20 AI boilerplate, 6 refusals, 5 real mid-sentence truncations, 1 unclosed fence of 999 rows.
    assert 10 <= len(reasons) <= 60, sorted(reasons)
    assert "chat:length_ratio" not in reasons and "chat:short_response" not in reasons


# --- ReasoningPolicy -----------------------------------------------------------------

ROWS = [
    chat("Hello.", rid="plain"),
    {**chat("4", rid="field"), "messages": [m("user", "2+2?"), m("assistant", "4", "2+2=4")]},
    {
        **chat("x", rid="inline"),
        "messages": [m("user", "2+2?"), m("assistant", "<think>\nadd\n</think>\n\n4")],
    },
    {**chat("x", rid="unclosed"), "messages": [m("user", "2+2?"), m("assistant", "<think>add... 4")]},
    {**chat("x", rid="user"), "messages": [m("user", "what does <think> do?"), m("assistant", "It opens.")]},
]


def run_policy(policy: ReasoningPolicy) -> tuple[dict, list]:
    t = table(ROWS)
    v = policy(t)
    kept, _ = apply_verdicts(t, v, "reasoning")
    assert kept.schema.equals(CANONICAL_SCHEMA, check_metadata=False)
    reasons = dict(zip(t["id"].to_pylist(), v.reason.to_pylist(), strict=True))
    turns = [[(x["content"], x["reasoning"]) for x in r] for r in kept["messages"].to_pylist()]
    return reasons, turns


def test_keep_drops_think_markup() -> None:
    reasons, turns = run_policy(ReasoningPolicy("keep"))
    assert reasons == {
        "plain": None,
        "field": None,
        "inline": "reasoning:think_in_content",
        "unclosed": "reasoning:think_in_content",
        "user": "reasoning:think_in_content",
    }
    assert turns[1][1] == ("4", "2+2=4")


def test_keep_splits_think_into_reasoning() -> None:
    reasons, turns = run_policy(ReasoningPolicy("keep", split_think_in_content=True))
    assert reasons["inline"] is None and reasons["unclosed"] == "reasoning:think_in_content"
    assert reasons["user"] == "reasoning:think_in_content"  # a user turn is never split
    assert turns[2][1] == ("4", "add")


def test_strip_nulls_reasoning_and_removes_split_think() -> None:
    t = table(ROWS)
    v = ReasoningPolicy("strip", split_think_in_content=True)(t)
    assert v.rewritten.to_pylist() == [False, True, True, False, False]
    reasons, turns = run_policy(ReasoningPolicy("strip", split_think_in_content=True))
    assert turns[1][1] == ("4", None) and turns[2][1] == ("4", None)


def test_drop_row_drops_reasoning_rows() -> None:
    reasons, turns = run_policy(ReasoningPolicy("drop_row"))
    assert reasons["field"] == "reasoning:present" and reasons["plain"] is None
    reasons, _ = run_policy(ReasoningPolicy("drop_row", split_think_in_content=True))
    assert reasons["inline"] == "reasoning:present"


def test_reasoning_bad_mode() -> None:
    with pytest.raises(ValueError, match="mode"):
        ReasoningPolicy("remove")


# --- verdicts frozen before ChatQuality was optimised ---------------------------------

SNAPSHOT = Path(__file__).resolve().parent / "data" / "chat_quality_verdicts.json"


def snapshot_table(rows: list[dict]) -> pa.Table:
    """Canonical rows from the snapshot's rows ({id, kind, turns: [[role, content], ...] | null})."""
    out = []
    for r in rows:
        messages = None if r["turns"] is None else [m(role, content) for role, content in r["turns"]]
        text = None if r["kind"] == "chat" else "a document"
        out.append(
            {
                "id": r["id"],
                "source": "s",
                "kind": r["kind"],
                "messages": messages,
                "text": text,
                "meta": META,
            }
        )
    return table(out)


def test_same_verdicts_as_snapshot_rows() -> None:
    """Demo chat rows (every one dropped, a dozen kept per source) and synthetic edge cases:
    reason and detail exactly as benchmarks/filters/chat_quality_snapshot.py recorded them."""
    rows = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["rows"]
    v = ChatQuality()(snapshot_table(rows))
    got = [
        None if r is None else [r, d] for r, d in zip(v.reason.to_pylist(), v.detail.to_pylist(), strict=True)
    ]
    diff = [(r["id"], r["verdict"], g) for r, g in zip(rows, got, strict=True) if r["verdict"] != g]
    assert not diff, diff[:5]
    assert sum(r["verdict"] is not None for r in rows) > 100


@pytest.mark.parametrize("rel", sorted(json.loads(SNAPSHOT.read_text(encoding="utf-8"))["fixtures"]))
def test_same_verdicts_as_snapshot_fixtures(rel: str) -> None:
    """Every chat row of the instruct fixtures, adapted as the adapter tests do: the same rows
    dropped with the same reason and detail, every other row kept."""
    from adapter_rows import fixture, run_file

    from curation.adapters import get_adapter

    adapters = {
        "instruct/llamafactory/alpaca_en_demo.json": "alpaca",
        "instruct/llamafactory/identity.json": "alpaca",
        "instruct/llamafactory/glaive_toolcall_en_demo.json": "sharegpt",
        "instruct/llamafactory/v1_sft_demo.jsonl": "openai_parts",
        "instruct/fastchat/dummy_conversation.json": "sharegpt",
    }
    want = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["fixtures"][rel]
    rows = run_file(get_adapter(adapters[rel]), fixture(rel)).kept
    v = ChatQuality()(rows)
    got = {
        i: [r, d]
        for i, r, d in zip(
            rows.column("id").to_pylist(), v.reason.to_pylist(), v.detail.to_pylist(), strict=True
        )
        if r is not None
    }
    assert rows.num_rows == want["rows"]
    assert got == want["dropped"]


def test_batch_in_several_chunks_same_verdicts() -> None:
    """Turns are read chunk by chunk (no combine): a batch split over chunks gives the same answer."""
    t = snapshot_table(json.loads(SNAPSHOT.read_text(encoding="utf-8"))["rows"])
    chunked = pa.concat_tables([t.slice(0, 7), t.slice(7, 150), t.slice(157)])
    assert chunked.column("messages").num_chunks == 3
    a, b = ChatQuality()(t), ChatQuality()(chunked)
    assert a.reason.equals(b.reason) and a.detail.equals(b.detail)
    empty = ChatQuality()(t.slice(0, 0))
    assert len(empty.reason) == 0


# --- repetition measures: the numba scan against the plain polars definition ----------------

REPETITION_TEXTS = [
    "The cat sat. THE CAT SAT. the cat sat.\nThe cat sat.\n  The cat sat.  \n---\n---",
    # Σ lowers to ς at a word's end, σ elsewhere; İ lowers to two characters: polars lowers these
    "ΟΔΟΣ ΣΟΦΟΣ οδος σοφος ΟΔΟΣ ΣΟΦΟΣ\nΟΔΟΣ\nοδος",
    "İstanbul i̇stanbul İSTANBUL istanbul İstanbul i̇stanbul",
    # one-to-one lowerings that change the UTF-8 length: Kelvin sign (3 bytes -> 1), ẞ (3 -> 2)
    "\u212a\u212a k k \u1e9e \u00df \u212a\u212a k k \u1e9e \u00df",
    # non-ASCII whitespace (ideographic space, no-break space) splits words and is stripped
    "Ünïcödé\u3000WÖRDS\u00a0here Ünïcödé wörds here\n\u3000Ünïcödé\u3000\nÜnïcödé",
    "",
    "one two",
]


def reference_repetition(texts: list[str], n: int) -> list[list[int]]:
    """The measures of chat_repetition.py as polars expressions and Python over their output."""
    import polars as pl

    s = pl.Series(texts, dtype=pl.String)
    lines = s.str.split("\n").list.eval(
        pl.element().str.strip_chars().filter(pl.element().str.contains(r"[\p{L}\p{N}]"))
    )
    words = s.str.to_lowercase().str.extract_all(r"\S+").to_list()
    out = []
    for kept, ws in zip(lines.to_list(), words, strict=True):
        seen, marked_until, marked = set(), 0, 0
        for i in range(len(ws)):
            gram = tuple(ws[i : i + n])
            if len(gram) == n:
                if gram in seen:
                    marked_until = i + n
                seen.add(gram)
            marked += len(ws[i]) if i < marked_until else 0
        out.append([len(kept), len(set(kept)), marked, sum(map(len, ws))])
    return out


@pytest.mark.parametrize("n", [2, 3])
def test_repetition_stats_match_polars_definition(n: int) -> None:
    import polars as pl

    from curation.filters.chat_repetition import repetition_stats

    texts = REPETITION_TEXTS + [t + " " + t.upper() for t in REPETITION_TEXTS]
    got = repetition_stats(pl.Series(texts, dtype=pl.String), n)
    assert got.tolist() == reference_repetition(texts, n)
    skip = pl.Series([i % 2 == 0 for i in range(len(texts))]).to_numpy()
    got = repetition_stats(pl.Series(texts, dtype=pl.String), n, skip=skip)
    assert not got[skip].any()
    assert got[~skip].tolist() == [r for r, s in zip(reference_repetition(texts, n), skip, strict=True) if not s]


def test_lowercase_table_agrees_with_polars() -> None:
    """Every character the table lowers, polars lowers alike on its own; lowering keeps each
    character's whitespace class (so words split the same before and after)."""
    import numpy as np
    import polars as pl

    from curation.filters.chat_repetition import CLASS_SPACE, _all_chars, chat_char_classes, chat_lowercase

    cps, chars = _all_chars()
    table, special = chat_lowercase()
    assert set(special) == {"\u0130", "\u03a3"}
    lowered = chars.str.to_lowercase()
    one = table[cps] >= 0
    assert (table[cps[one]] == np.array([ord(c) for c in lowered.filter(pl.Series(one)).to_list()])).all()
    space = (chat_char_classes() & CLASS_SPACE) != 0
    assert (space[cps[one]] == space[table[cps[one]]]).all()
    assert not lowered.filter(pl.Series(~one)).str.contains(r"\s").any()
