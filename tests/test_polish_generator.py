"""The Wind-Edge polish generator: every answer recomputed by verify_row, determinism, the domain
mix, distinct prompts, and JSONL that the openai_messages adapter ingests without a drop."""

import copy
import json
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pyarrow.parquet as pq
import pytest

from curation.filters.identity import IdentityFilter
from curation.generators.polish import (
    DEFAULT_WEIGHTS,
    PolishVerificationError,
    polish_rows,
    schedule,
    verify_jsonl,
    verify_row,
    write_polish_jsonl,
)
from curation.generators.polish_format import decimal_text, money_text
from curation.generators.polish_row import make_row, prompt_key, row_id
from curation.ingest import SourceSpec, ingest_source, source_dir
from curation.readers.location import Location

NAME, MAKER = "Wind-Edge-1.6", "arthu1"


@pytest.fixture(scope="module")
def rows():
    return polish_rows(2000, seed=0, name=NAME, maker=MAKER)


def _chat(question, answer):
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def _edited(row, turn, old, new):
    """The row with `old` replaced by `new` in one turn, its id recomputed (so only the checker can object)."""
    messages = copy.deepcopy(row["messages"])
    assert old in messages[turn]["content"]
    messages[turn]["content"] = messages[turn]["content"].replace(old, new, 1)
    return {"id": row_id(messages), "messages": messages, "meta": dict(row["meta"])}


def _first(rows, task):
    return next(r for r in rows if r["meta"]["task"] == task)


def test_two_thousand_rows_verify(rows):
    assert len(rows) == 2000
    for row in rows:
        verify_row(row)


def test_another_identity_verifies_and_is_stated():
    rows = polish_rows(400, seed=7, name="Pico", maker="Example Labs", weights={"identity": 1})
    for row in rows:
        verify_row(row)
        assert "Wind-Edge" not in json.dumps(row)
        assert all("Pico" in m["content"] for m in row["messages"] if m["role"] == "assistant")


def test_deterministic_and_prefix_stable(rows):
    assert polish_rows(2000, seed=0, name=NAME, maker=MAKER) == rows
    assert polish_rows(300, seed=0, name=NAME, maker=MAKER) == rows[:300]
    other = polish_rows(300, seed=1, name=NAME, maker=MAKER)
    assert (
        len({r["id"] for r in other} & {r["id"] for r in rows[:300]}) < 30
    )  # only a few tiny identity prompts repeat


def test_category_mix_within_one_row_of_the_weights(rows):
    counts = Counter(r["meta"]["domain"] for r in rows)
    assert counts == {d: round(w * 2000) for d, w in DEFAULT_WEIGHTS.items()}
    # every prefix of the schedule stays within one row of its share
    weights = {"identity": 1, "arithmetic": 2.5, "code": 0.5}
    seen = Counter()
    for i, domain in enumerate(schedule(997, weights), 1):
        seen[domain] += 1
        for d, w in weights.items():
            assert abs(seen[d] - Fraction(w) / 4 * i) < 1
    assert "sorting" not in seen
    # tasks within a domain vary (no single template dominates)
    tasks = Counter(r["meta"]["task"] for r in rows if r["meta"]["domain"] == "arithmetic")
    assert len(tasks) >= 15 and max(tasks.values()) < 0.15 * sum(tasks.values())


def test_no_two_identical_prompts_or_ids(rows):
    assert len({prompt_key(r["messages"]) for r in rows}) == len(rows)
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["id"] == row_id(r["messages"]) for r in rows)


def test_jsonl_ingests_without_drops_and_passes_the_identity_filter(tmp_path):
    path = tmp_path / "polish.jsonl"
    assert write_polish_jsonl(path, 600, seed=3, name=NAME, maker=MAKER) == 600
    assert verify_jsonl(path) == 600
    summary = ingest_source(
        SourceSpec("polish", "openai_messages", Location(path=str(path))), tmp_path / "run"
    )
    assert [(s.stage, s.input, s.kept, s.dropped) for s in summary.stages] == [
        ("read", 600, 600, 0),
        ("adapt", 600, 600, 0),
    ]
    table = pq.read_table(source_dir(tmp_path / "run", "polish") / "data")
    written = [json.loads(line) for line in path.read_text().splitlines()]
    assert table.column("id").to_pylist() == [w["id"] for w in written]
    assert {m["data_source"] for m in table.column("meta").to_pylist()} == {
        f"polish/{d}" for d in DEFAULT_WEIGHTS
    }
    first = table.column("messages")[0].as_py()
    assert [(m["role"], m["content"]) for m in first] == [
        (m["role"], m["content"]) for m in written[0]["messages"]
    ]
    # The mix's identity filter must find no human or other-model claim in any answer.
    verdicts = IdentityFilter(action="drop")(table)
    assert verdicts.reason.null_count == len(verdicts.reason)


def test_seed_report_sanity_prompts_verify():
    sort_ok = make_row(_chat("sort this list: [3, 1, 2]", "[1, 2, 3]"), "sorting/numbers_asc")
    verify_row(sort_ok)
    speed_ok = make_row(
        _chat(
            "60 miles in 1.5 hours. How fast is that?", "60 ÷ 1.5 = 40, so the average speed is **40 mph**."
        ),
        "arithmetic/speed",
    )
    verify_row(speed_ok)
    for bad in (
        make_row(_chat("sort this list: [3, 1, 2]", "[1, 3, 2]"), "sorting/numbers_asc"),
        make_row(_chat("sort this list: [3, 1, 2]", "[1, 2]"), "sorting/numbers_asc"),
        make_row(_chat("sort this list: [3, 1, 2]", "[3, 2, 1]"), "sorting/numbers_desc"),
        make_row(
            _chat("60 miles in 1.5 hours. How fast is that?", "60 ÷ 1.5 = 45, so **45 mph**."),
            "arithmetic/speed",
        ),
        make_row(
            _chat("60 miles in 1.5 hours. How fast is that?", "60 ÷ 1.5 = 40, so **40 km/h**."),
            "arithmetic/speed",
        ),
    ):
        with pytest.raises(PolishVerificationError):
            verify_row(bad)


def _bump_question_number(row):
    """The question's first number plus one: the stated answer no longer follows."""
    number = re.search(r"\d+(?:\.\d+)?", row["messages"][0]["content"]).group(0)
    return _edited(row, 0, number, str(Decimal(number) + 1))


def _swap_first_two(row):
    answer = row["messages"][1]["content"]
    body = answer.rsplit(": ", 1)[-1]
    items = body.split(", ")
    return _edited(row, 1, body, ", ".join([items[1], items[0], *items[2:]]))


MUTATIONS = {
    "wrong result": ("arithmetic/unit_price", lambda r: _edited(r, 1, "**$", "**$1")),
    "wrong intermediate": ("arithmetic/scaled_price", lambda r: _edited(r, 1, " = $", " = $1")),
    "question changed": ("arithmetic/total", _bump_question_number),
    "speed question changed": ("arithmetic/speed", _bump_question_number),
    "unsorted": ("sorting/words_asc", _swap_first_two),
    "wrong direction": (
        "sorting/numbers_desc",
        lambda r: {**r, "meta": {**r["meta"], "task": "sorting/numbers_asc"}},
    ),
    "wrong code": ("code/fibonacci", lambda r: _edited(r, 1, "a, b = 0, 1", "a, b = 1, 1")),
    "wrong stated output": ("code/gcd", lambda r: _edited(r, 1, "returns `", "returns `1")),
    "example not asked for": ("code/factorial", lambda r: _edited(r, 1, "factorial(", "factorial(1")),
    "no maker": ("identity/maker", lambda r: _edited(r, 1, MAKER, "someone")),
    "other model": ("identity/name", lambda r: _edited(r, 1, NAME, "Claude")),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_verify_row_catches_wrong_answers(rows, mutation):
    task, mutate = MUTATIONS[mutation]
    row = _first(rows, task)
    verify_row(row)
    bad = mutate(row)
    with pytest.raises(PolishVerificationError, match=bad["id"]):
        verify_row(bad)


def test_verify_row_catches_shape_and_id_problems(rows):
    row = rows[0]
    with pytest.raises(PolishVerificationError, match="SHA-256"):
        verify_row({**row, "id": "polish-0"})
    with pytest.raises(PolishVerificationError, match="user/assistant"):
        verify_row({**row, "messages": row["messages"][:1]})
    with pytest.raises(PolishVerificationError, match="domain"):
        verify_row({**row, "meta": {**row["meta"], "domain": "poetry"}})
    think = _edited(_first(rows, "arithmetic/speed"), 1, "**", "<think>x</think>**")
    with pytest.raises(PolishVerificationError, match="think"):
        verify_row(think)
    with pytest.raises(PolishVerificationError):
        verify_row("not a row")


def test_verify_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "p.jsonl"
    write_polish_jsonl(path, 20, seed=0, name=NAME, maker=MAKER)
    lines = path.read_text().splitlines()
    record = json.loads(lines[4])
    record["id"] = "polish-bad"
    lines[4] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PolishVerificationError, match="p.jsonl:5"):
        verify_jsonl(path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": -1}, "n must be"),
        ({"n": 2.0}, "n must be"),
        ({"seed": "0"}, "seed must be"),
        ({"name": ""}, "name must be"),
        ({"maker": " arthu1"}, "maker must be"),
        ({"weights": {"poetry": 1}}, "unknown domain"),
        ({"weights": {"code": -1}}, "weights\\['code'\\]"),
        ({"weights": {"code": 0}}, "all zero"),
    ],
)
def test_bad_parameters_are_named(kwargs, message):
    args = {"n": 10, "seed": 0, "name": NAME, "maker": MAKER, **kwargs}
    with pytest.raises(ValueError, match=message):
        polish_rows(**args)


def test_exact_number_text():
    assert decimal_text(Fraction(3, 2)) == "1.5"
    assert decimal_text(Fraction(-3, 4)) == "-0.75"
    assert decimal_text(40) == "40"
    assert money_text(Fraction(7, 10)) == "$0.70"
    with pytest.raises(ValueError, match="no exact decimal"):
        decimal_text(Fraction(1, 3))
    with pytest.raises(ValueError, match="cents"):
        money_text(Fraction(1, 1000))
