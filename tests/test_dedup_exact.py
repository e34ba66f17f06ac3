"""Exact dedup: keys, normalisation, scope, the survivor rule, order independence, and the
14 duplicate instruction+input pairs of LLaMA-Factory's alpaca_en_demo."""

import hashlib
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.accounting import DROP_SCHEMA, excerpt
from curation.dedup.exact import ExactOptions, exact_duplicates, exact_keys
from curation.dedup.keys import dedup_text, normalise
from curation.dedup.survivor import survivor_of
from curation.ingest import SourceSpec, ingest_source
from curation.readers.location import Location
from curation.record import CANONICAL_SCHEMA

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
ALPACA_DEMO = FIXTURES / "instruct" / "llamafactory" / "alpaca_en_demo.json"

META = {"data_source": None, "domain": None, "language": None, "url": None, "path": None, "license": None, "extra": None}


def turn(role, content, reasoning=None):
    return {"role": role, "content": content, "reasoning": reasoning, "tool_calls": None}


def chat(id, user, answer, source="s", system=None, reasoning=None):
    messages = ([turn("system", system)] if system else []) + [turn("user", user), turn("assistant", answer, reasoning)]
    return {"id": id, "source": source, "kind": "chat", "messages": messages, "text": None, "meta": META}


def doc(id, text, source="s"):
    return {"id": id, "source": source, "kind": "text", "messages": None, "text": text, "meta": META}


def table(rows):
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)


def kept_ids(rows, **kw):
    kept, dropped = exact_duplicates(table(rows), **kw)
    return sorted(kept.column("id").to_pylist()), {r["id"]: r["duplicate_of"] for r in dropped.to_pylist()}


# --- the fixture -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def alpaca(tmp_path_factory):
    if not ALPACA_DEMO.is_file():
        pytest.skip(f"fixture {ALPACA_DEMO} is absent")
    run = tmp_path_factory.mktemp("alpaca")
    ingest_source(SourceSpec("alpaca", "alpaca", Location(path=str(ALPACA_DEMO))), run)
    return pq.read_table(run / "sources" / "alpaca" / "data", schema=CANONICAL_SCHEMA), json.loads(ALPACA_DEMO.read_text())


def test_alpaca_demo_has_14_duplicate_prompts_and_the_first_occurrence_is_kept(alpaca):
    rows, records = alpaca
    pairs = [(r["instruction"], r["input"]) for r in records]
    assert len(pairs) - len(set(pairs)) == 14  # the truth, counted from the raw file
    kept, dropped = exact_duplicates(rows, key="prompt")
    assert dropped.num_rows == 14 and kept.num_rows == rows.num_rows - 14
    assert dropped.schema == DROP_SCHEMA
    report = dropped.to_pylist()
    assert {r["reason"] for r in report} == {"exact_duplicate"}
    # ingest suffixes the k-th repeat of an id with #k: the survivors are the first occurrences
    assert all("#" not in r["duplicate_of"] and r["id"].startswith(r["duplicate_of"] + "#") for r in report)
    assert all("prompt" in r["detail"] and "nfc+whitespace" in r["detail"] for r in report)
    assert set(kept.column("id").to_pylist()).isdisjoint(r["id"] for r in report)


def test_raw_is_the_rows_json_cut_like_excerpt(alpaca):
    rows, _ = alpaca
    _, dropped = exact_duplicates(rows, key="prompt")
    for r in dropped.to_pylist():
        raw = json.loads(r["raw"])
        assert raw["messages"][0]["role"] == "user"
    long = "x" * 20000
    _, dropped = exact_duplicates(table([doc("a", long), doc("b", long)]))
    assert dropped.column("raw")[0].as_py() == excerpt(json.dumps({"text": long}, separators=(",", ":")))


# --- keys and normalisation ------------------------------------------------------------------------


def test_sha256_of_the_key_text_matches_hashlib():
    rows = table([doc("a", "  Hello   world "), doc("b", "naïve café")])
    got = exact_keys(pl.from_arrow(rows), ExactOptions()).collect()
    assert got["hash"].to_list() == [hashlib.sha256(t.encode()).hexdigest() for t in ("Hello world", "naïve café")]
    assert got["length"].to_list() == [11, 10]


def test_key_prompt_ignores_the_answer_and_response_ignores_the_prompt():
    rows = [chat("a", "Q", "A1"), chat("b", "Q", "A2"), chat("c", "Q2", "A1")]
    assert kept_ids(rows, key="prompt")[1] == {"b": "a"}
    assert kept_ids(rows, key="response")[1] == {"c": "a"}
    assert kept_ids(rows, key="conversation")[1] == {}


def test_conversation_key_includes_system_turn_and_reasoning():
    rows = [chat("a", "Q", "A"), chat("b", "Q", "A", system="Be brief."), chat("c", "Q", "A", reasoning="think")]
    assert kept_ids(rows, key="conversation")[1] == {}
    assert kept_ids(rows, key="prompt")[1] == {"c": "a"}  # b's system turn is part of the prompt


def test_field_boundaries_do_not_collide():
    rows = [chat("a", "ab", "c"), chat("b", "a", "bc")]
    assert kept_ids(rows)[1] == {}


@pytest.mark.parametrize(
    ("variant", "steps", "collapses"),
    [
        ("Hello  world\n", ("nfc", "whitespace"), True),
        ("Hello  world\n", ("nfc",), False),
        ("hello world", ("nfc", "whitespace"), False),
        ("hello world", ("whitespace", "lower"), True),
        ("Ｈｅｌｌｏ world", ("nfc", "whitespace"), False),
        ("Ｈｅｌｌｏ world", ("nfkc", "whitespace"), True),
        ("Hello\u00a0world", ("nfkc",), True),
        ("Hello\u00a0world", (), False),
    ],
)
def test_normalisation_collapses_variants_only_when_asked(variant, steps, collapses):
    rows = [doc("a", "Hello world"), doc("b", variant)]
    assert kept_ids(rows, normalise=steps)[1] == ({"b": "a"} if collapses else {})


def test_nfc_composes_combining_marks():
    rows = [doc("a", "caf\u00e9"), doc("b", "cafe\u0301")]
    assert kept_ids(rows, normalise=())[1] == {}
    assert kept_ids(rows, normalise=("nfc",))[1] == {"b": "a"}


def test_normalise_steps_apply_in_a_fixed_order():
    frame = pl.DataFrame({"s": ["  A\u00a0 B "]})
    one = frame.select(normalise(pl.col("s"), ("whitespace", "lower", "nfkc"))).item()
    two = frame.select(normalise(pl.col("s"), ("nfkc", "lower", "whitespace"))).item()
    assert one == two == "a b"


def test_empty_key_text_is_never_a_duplicate():
    rows = [doc("a", "   "), doc("b", ""), doc("c", " ")]
    assert kept_ids(rows)[0] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"key": "title"}, "unknown dedup key 'title'"),
        ({"normalise": ("nfc", "stem")}, "unknown normalisation 'stem'"),
        ({"normalise": ("nfc", "nfkc")}, "exclude each other"),
        ({"scope": "global"}, "unknown dedup scope 'global'"),
        ({"key": "text"}, "dedup key 'text' applies to text rows, but the input has chat rows"),
        ({"key": "prompt", "rows": [doc("a", "x")]}, "dedup key 'prompt' applies to chat rows, but the input has text rows"),
    ],
)
def test_bad_options_are_clear_errors(kw, message):
    rows = kw.pop("rows", [chat("a", "Q", "A")])
    with pytest.raises(ValueError, match=message):
        exact_duplicates(table(rows), **kw)


def test_auto_key_handles_chat_and_text_rows_together():
    rows = [chat("a", "Q", "A"), chat("b", "Q", "A"), doc("c", "T"), doc("d", "T")]
    assert kept_ids(rows)[1] == {"b": "a", "d": "c"}


# --- scope and survivors ---------------------------------------------------------------------------


def test_scope_source_keeps_cross_source_copies_and_mix_removes_them():
    rows = [doc("a", "T", "web"), doc("a", "T", "books"), doc("b", "T", "web")]
    kept, dropped = exact_duplicates(table(rows), scope="source")
    assert dropped.to_pylist()[0]["id"] == "b" and kept.num_rows == 2
    kept, dropped = exact_duplicates(table(rows), scope="mix")
    # equal priority and length, equal id "a": the source name breaks the tie (books < web)
    assert kept.to_pylist()[0]["source"] == "books" and kept.num_rows == 1
    report = dropped.to_pylist()
    assert {(r["source"], r["id"], r["duplicate_of"]) for r in report} == {("web", "a", "a"), ("web", "b", "a")}
    assert all("of source books" in r["detail"] for r in report)


def test_survivor_rule_priority_then_length_then_id():
    rows = [doc("b", "the text", "web"), doc("a", "the  text ", "web"), doc("c", "the text", "curated")]
    # whitespace collapsed: all three equal; equal length -> smallest id across the mix
    assert kept_ids(rows, scope="mix")[0] == ["a"]
    assert kept_ids(rows, scope="mix", priorities={"curated": -1})[0] == ["c"]
    assert kept_ids(rows, scope="mix", priorities={"web": 1})[0] == ["c"]
    # with no normalisation the texts differ; with lowercase only, the longest copy wins
    rows = [doc("a", "the text"), doc("b", "THE TEXT ")]
    assert kept_ids(rows, normalise=("lower",))[1] == {}
    rows = [doc("a", "x y"), doc("b", "x   y")]
    assert kept_ids(rows, normalise=())[1] == {}
    assert kept_ids(rows, normalise=("whitespace",))[1] == {"b": "a"}


def test_survivor_rule_on_groups_of_unequal_length_and_score():
    # exact duplicates have equal key lengths; near dedup (same rule) groups unequal ones
    frame = pl.DataFrame({
        "group": [1, 1, 1, 2, 2],
        "id": ["a", "b", "c#2", "d", "e"],
        "source": ["web", "web", "books", "web", "web"],
        "length": [10, 30, 30, 5, 5],
        "score": [0.9, 0.1, 0.5, 0.2, 0.2],
    })
    pick = lambda **kw: frame.select(survivor_of("group", **kw)).to_series().to_list()  # noqa: E731
    assert pick() == ["b", "b", "b", "d", "d"]  # longest, then smallest id
    assert pick(priorities={"books": -1}) == ["c#2", "c#2", "c#2", "d", "d"]  # priority first
    assert pick(score="score") == ["a", "a", "a", "d", "d"]  # a score replaces length
    shuffled = frame.reverse()
    assert shuffled.select(survivor_of("group")).to_series().to_list() == ["d", "d", "b", "b", "b"]


def test_result_does_not_depend_on_input_order(alpaca):
    rows, _ = alpaca
    extra = [chat(f"x{i}", "Q", "A", source="other") for i in range(5)]
    rows = pa.concat_tables([rows, table(extra)])
    results = []
    for seed in (0, 1, 2):
        shuffled = pl.from_arrow(rows).sample(fraction=1.0, shuffle=True, seed=seed).to_arrow().cast(CANONICAL_SCHEMA)
        kept, dropped = exact_duplicates(shuffled, key="prompt", scope="mix")
        results.append((sorted(kept.column("id").to_pylist()), dropped.sort_by([("source", "ascending"), ("id", "ascending")]).to_pylist()))
    assert results[0] == results[1] == results[2]
    assert len(results[0][1]) == 14 + 4


def test_key_texts_keep_roles_and_turn_boundaries():
    frame = pl.from_arrow(table([chat("a", " Q ", "A", system="S", reasoning="R"), doc("b", " T ")]))
    texts = {k: frame.select(dedup_text(k, ("whitespace",))).to_series().to_list() for k in ("auto", "prompt", "response")}
    assert texts["auto"] == ["system\x1fS\x1f\x1f\x1euser\x1fQ\x1f\x1f\x1eassistant\x1fA\x1fR\x1f", "T"]
    assert texts["prompt"] == ["system\x1fS\x1euser\x1fQ", None]
    assert texts["response"] == ["assistant\x1fA\x1fR\x1f", None]


def test_fast_normalise_equals_python_unicodedata_and_re():
    import random
    import re
    import unicodedata

    rng = random.Random(7)
    alphabet = "ab É\u0301ﬁＡ\t\n\r\x0b\x0c\u00a0\u2003\u3000\u0085"
    strings = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(5000)]
    frame = pl.DataFrame({"s": strings})
    for form, step in (("NFC", "nfc"), ("NFKC", "nfkc")):
        got = frame.select(normalise(pl.col("s"), (step, "lower", "whitespace"))).to_series().to_list()
        want = [re.sub(r"\s+", " ", unicodedata.normalize(form, s).lower()).strip() for s in strings]
        assert got == want, step
