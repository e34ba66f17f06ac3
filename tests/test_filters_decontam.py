"""Decontamination: n-gram index, planted and reworded benchmark items flagged, look-alikes
kept, the short-item rule, min_matches, roles, loaders, parameter errors; and the real GSM8K
and HumanEval test sets from ../shared/fixtures when present."""

import gzip
import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from curation.filters.base import apply_verdicts
from curation.filters.decontam import BenchmarkSpec, Decontaminator, default_benchmarks
from curation.filters.ngram_index import NgramIndex, gram_hashes, normalize_words
from curation.record import CANONICAL_SCHEMA

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"

META = {"data_source": None, "domain": None, "language": None, "url": None, "path": None, "license": None, "extra": None}

# The project's own benchmark items (written for these tests).
OWN_ITEMS = [
    {"q": "A baker fills 14 trays with 9 rolls each and then gives away 23 rolls to the "
          "neighbours on the corner. How many rolls does the baker keep for the weekend market?",
     "a": "14 * 9 = 126 rolls, 126 - 23 = 103 rolls kept."},
    {"q": "Priya reads 12 pages of her history book every weekday and 30 pages on each day of "
          "the weekend. How many pages does she read in three weeks?",
     "a": None},
    {"q": "Name three rivers.", "a": None},  # shorter than n words
]


def turn(role, content, reasoning=None):
    return {"role": role, "content": content, "reasoning": reasoning, "tool_calls": None}


def chat(id, *turns):
    return {"id": id, "source": "s", "kind": "chat", "messages": list(turns), "text": None, "meta": META}


def doc(id, text):
    return {"id": id, "source": "s", "kind": "text", "messages": None, "text": text, "meta": META}


def table(rows):
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)


def verdicts(filt, rows):
    v = filt(table(rows))
    return dict(zip([r["id"] for r in rows], v.reason.to_pylist(), strict=True)), v.detail.to_pylist()


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "own.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in OWN_ITEMS))
    return BenchmarkSpec("own", path, ["q", "a"])


@pytest.fixture(scope="module")
def filt(own):
    return Decontaminator.from_specs([own])


# --- normalisation and the index --------------------------------------------------------------


def test_normalize_words_rules():
    got = normalize_words(pa.array(["Ｈｅｌｌｏ,  World!", "has_close_elements(3.5)", None, "Don't  ÉTÉ"]))
    assert got.to_pylist() == ["hello world", "has close elements 3 5", "", "don t été"]


def test_gram_hashes_windows_and_short_texts():
    words = normalize_words(pa.array(["a b c d", "a b", "", "x b c d"]))
    hashes, offsets = gram_hashes(words, 3)
    assert offsets.tolist() == [0, 2, 3, 3, 5]  # 2 windows, 1 short gram, none, 2 windows
    assert hashes[1] == hashes[4]  # "b c d" in both texts
    assert hashes[0] != hashes[3]
    assert hashes[2] not in (hashes[0], hashes[1])  # "a b" as a short gram is not a window


def test_index_dedups_and_credits_first_benchmark():
    idx = NgramIndex.build(2, {"one": pl.Series(["a b c"]), "two": pl.Series(["b c d"])})
    assert idx.sizes == (2, 2) and idx.hashes.size == 3
    hashes, _ = gram_hashes(normalize_words(pa.array(["b c"])), 2)
    pos, owner = idx.lookup(hashes)
    assert pos.tolist() == [0] and [idx.names[o] for o in owner] == ["one"]


# --- verdicts on the project's own benchmark ------------------------------------------------


def test_planted_items_flagged_in_every_place(filt):
    q0, q1 = OWN_ITEMS[0]["q"], OWN_ITEMS[1]["q"]
    rows = [
        chat("user", turn("system", "Be brief."), turn("user", "Solve this: " + q0), turn("assistant", "103")),
        chat("answer", turn("user", "Give me a word problem."), turn("assistant", "Sure! " + q1.upper())),
        chat("reasoning", turn("user", "Hi"), turn("assistant", "Hello", reasoning="maybe: " + q0)),
        doc("doc", "Practice sheet.\n\n1. " + q1.replace(" ", "\n")),
        chat("clean", turn("user", "How many pages are in a long novel?"), turn("assistant", "Often about 300.")),
    ]
    got, detail = verdicts(filt, rows)
    assert got == {"user": "contaminated:own", "answer": "contaminated:own", "reasoning": "contaminated:own",
                   "doc": "contaminated:own", "clean": None}
    assert 'first in messages[1].content (user): "a baker fills 14 trays with 9 rolls each and then gives away' in detail[0]
    assert "messages[1].content (assistant)" in detail[1]
    assert "messages[1].reasoning (assistant)" in detail[2]
    assert "first in text" in detail[3]
    assert detail[4] is None


def test_lightly_reworded_item_flagged(filt):
    # Three words changed near the start; the long tail survives.
    reworded = ("A cook fills 15 trays with 9 rolls each and then gives away 23 rolls to the "
                "neighbours on the corner. How many rolls does the baker keep for the weekend market?")
    got, detail = verdicts(filt, [chat("r", turn("user", reworded), turn("assistant", "ok"))])
    assert got == {"r": "contaminated:own"}
    assert '"with 9 rolls each' in detail[0] or '"9 rolls each' in detail[0] or '"trays with 9' in detail[0]


def test_look_alike_questions_kept(filt):
    # Same style and vocabulary, no 13-word stretch in common.
    rows = [
        chat("a", turn("user", "A baker fills 12 trays with 8 muffins each and sells 40 of them. How many are left?"),
             turn("assistant", "12 * 8 = 96, 96 - 40 = 56.")),
        chat("b", turn("user", "Priya reads 10 pages every weekday. How many pages does she read in two weeks?"),
             turn("assistant", "10 * 10 = 100 pages.")),
        doc("c", "Rolls to the neighbours on the corner were given away by the baker."),
    ]
    got, _ = verdicts(filt, rows)
    assert got == {"a": None, "b": None, "c": None}


def test_short_item_matches_only_whole_message(filt):
    rows = [
        chat("whole", turn("user", "name three RIVERS!"), turn("assistant", "Nile, Amazon, Danube.")),
        chat("inside", turn("user", "Name three rivers in Europe, please."), turn("assistant", "Rhine, Rhone, Po.")),
    ]
    got, detail = verdicts(filt, rows)
    assert got == {"whole": "contaminated:own", "inside": None}
    assert '"name three rivers"' in detail[0]


def test_min_matches_counts_distinct_grams(own):
    q0 = OWN_ITEMS[0]["q"]
    # 13 consecutive words of the item: exactly one 13-gram, repeated twice in the row.
    one_gram = " ".join(q0.split()[:13])
    strict = Decontaminator.from_specs([own], min_matches=2)
    rows = [chat("one", turn("user", one_gram), turn("assistant", one_gram)),
            chat("many", turn("user", q0), turn("assistant", "ok"))]
    got, detail = verdicts(strict, rows)
    assert got == {"one": None, "many": "contaminated:own"}
    assert "(min_matches=2)" in detail[1]
    got, _ = verdicts(Decontaminator.from_specs([own]), rows[:1])
    assert got == {"one": "contaminated:own"}


def test_roles_and_reasoning_switches(own):
    q0 = OWN_ITEMS[0]["q"]
    rows = [chat("sys", turn("system", q0), turn("user", "hi"), turn("assistant", "hello")),
            chat("think", turn("user", "hi"), turn("assistant", "hello", reasoning=q0))]
    got, _ = verdicts(Decontaminator.from_specs([own]), rows)
    assert got == {"sys": None, "think": "contaminated:own"}
    got, _ = verdicts(Decontaminator.from_specs([own], roles=("system", "user"), include_reasoning=False), rows)
    assert got == {"sys": "contaminated:own", "think": None}


def test_custom_n(own):
    nine = " ".join(OWN_ITEMS[1]["q"].split()[3:12])  # 9 words
    rows = [chat("x", turn("user", "so " + nine + " right"), turn("assistant", "ok"))]
    assert verdicts(Decontaminator.from_specs([own], n=8), rows)[0] == {"x": "contaminated:own"}
    assert verdicts(Decontaminator.from_specs([own], n=13), rows)[0] == {"x": None}


def test_apply_verdicts_reports_drops(filt):
    rows = [chat("bad", turn("user", OWN_ITEMS[0]["q"]), turn("assistant", "103")), doc("ok", "Nothing here.")]
    kept, report = apply_verdicts(table(rows), filt(table(rows)), "decontam")
    assert kept.column("id").to_pylist() == ["ok"]
    assert report.column("reason").to_pylist() == ["contaminated:own"]


def test_empty_and_rowless_batches(filt):
    assert filt(table([])).dropped == 0
    assert filt(table([chat("e", turn("user", ""), turn("assistant", ""))])).dropped == 0


# --- loaders ----------------------------------------------------------------------------------


def test_parquet_gzip_and_drop_pattern(tmp_path):
    pl.DataFrame({"body": [OWN_ITEMS[1]["q"]]}).write_parquet(tmp_path / "b.parquet")
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(b'{"t": "alpha <<1+1=2>> beta"}\n'))
    assert BenchmarkSpec("p", tmp_path / "b.parquet", ["body"]).load_texts().to_list() == [OWN_ITEMS[1]["q"]]
    spec = BenchmarkSpec("c", tmp_path / "c.jsonl.gz", "t", drop_pattern=r"<<[^>]*>>")
    assert normalize_words(spec.load_texts()).to_pylist() == ["alpha beta"]


# --- parameter errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "GSM 8K", "path": "x.jsonl"}, "name must match"),
        ({"name": "g", "path": "x.jsonl", "hub_id": "openai/gsm8k"}, "exactly one of path and hub_id"),
        ({"name": "g"}, "exactly one of path and hub_id"),
        ({"name": "g", "path": "x.jsonl", "fields": []}, "fields must be a non-empty list"),
    ],
)
def test_bad_spec(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BenchmarkSpec(**kwargs)


def test_spec_missing_file_or_field(own, tmp_path):
    with pytest.raises(ValueError, match="no file at"):
        BenchmarkSpec("g", tmp_path / "absent.jsonl").load_texts()
    with pytest.raises(ValueError, match=r"fields \['nope'\] not in columns"):
        BenchmarkSpec("g", own.path, ["nope"]).load_texts()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n must be a positive int"),
        ({"min_matches": 0}, "min_matches must be a positive int"),
        ({"roles": ("user", "robot")}, "roles must be a non-empty subset"),
        ({"include_reasoning": "yes"}, "include_reasoning must be a bool"),
    ],
)
def test_bad_filter_params(own, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Decontaminator.from_specs([own], **kwargs)


def test_duplicate_benchmark_names(own):
    with pytest.raises(ValueError, match="names must be distinct"):
        Decontaminator.from_specs([own, own])


# --- the real test sets -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    if not (FIXTURES / "benchmarks").is_dir():
        pytest.skip(f"{FIXTURES / 'benchmarks'} is absent (a fresh clone): real benchmark sets not available")
    return Decontaminator.from_specs(default_benchmarks(FIXTURES))


def _gsm8k_question(i):
    with open(FIXTURES / "benchmarks" / "gsm8k" / "test.jsonl") as f:
        return [json.loads(line)["question"] for line in f][i]


def test_real_gsm8k_planted_reworded_and_look_alikes(real):
    q = _gsm8k_question(1000)
    words = q.split()
    reworded = " ".join(["Imagine"] + words[1:3] + ["some"] + words[4:-4] + ["what", "is", "it?"])
    assert len(words) >= 25
    rows = [
        chat("planted", turn("user", "Q: " + q), turn("assistant", "Let me think.")),
        chat("reworded", turn("user", reworded), turn("assistant", "Let me think.")),
        chat("own1", turn("user", "Tom has 5 boxes with 12 pencils in each box. He gives 17 pencils to his "
                                 "sister. How many pencils does Tom have left?"), turn("assistant", "43")),
        chat("own2", turn("user", "A farmer plants 8 rows of 25 carrots and sells every carrot for $0.40 at "
                                 "the market on Saturday. How much money does he earn?"), turn("assistant", "$80")),
        chat("own3", turn("user", "Maria walks 3 miles each morning and twice that distance each evening. How "
                                 "many miles does she walk in a week?"), turn("assistant", "63 miles")),
    ]
    got, detail = verdicts(real, rows)
    assert got == {"planted": "contaminated:gsm8k", "reworded": "contaminated:gsm8k",
                   "own1": None, "own2": None, "own3": None}
    assert "messages[0].content (user)" in detail[0]


def test_real_humaneval_prompt_in_response(real):
    with gzip.open(FIXTURES / "benchmarks" / "humaneval" / "HumanEval.jsonl.gz", "rt") as f:
        prompt = json.loads(f.readline())["prompt"]
    rows = [
        chat("code", turn("user", "Write a function for me."), turn("assistant", "```python\n" + prompt + "    pass\n```")),
        chat("plain", turn("user", "Write a function."),
             turn("assistant", "```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```")),
    ]
    got, detail = verdicts(real, rows)
    assert got == {"code": "contaminated:humaneval", "plain": None}
    assert "messages[1].content (assistant)" in detail[0]
