"""The adapter registry and the class attributes every adapter must set."""

from __future__ import annotations

import pytest
from adapter_rows import dropped, run

from curation.adapters import ADAPTERS, domain_from_dataset_name, get_adapter
from curation.readers.base import required_fields
from curation.record import CANONICAL_SCHEMA, KINDS


def test_unknown_adapter_is_named_with_the_known_ones():
    with pytest.raises(ValueError) as err:
        get_adapter("nope")
    text = str(err.value)
    assert "'nope'" in text
    for name in ("alpaca", "sharegpt", "documents", "stem_cot"):
        assert name in text


def test_unknown_option_is_named():
    with pytest.raises(ValueError, match=r"colour.*takes \['domain'\]"):
        get_adapter("stem_cot", colour="red")
    with pytest.raises(ValueError, match="none"):
        get_adapter("openorca", domain="x")


def test_get_adapter_passes_options():
    assert get_adapter("stem_cot", domain="physics").options == {"domain": "physics"}


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_adapter_declares_its_contract(name):
    cls = ADAPTERS[name]
    assert cls.name == name
    assert cls.kind in KINDS
    assert cls.description and "\n" not in cls.description
    assert required_fields(cls.input_schema) or cls.kind == "text"
    if cls.id_field is not None:
        assert cls.id_field in cls.input_schema.names


def test_documents_domain_is_validated():
    with pytest.raises(ValueError, match=r"'blogs'.*web, code, books, math, wikipedia, papers, multilingual"):
        get_adapter("documents", domain="blogs")
    assert get_adapter("documents", domain="papers", language="en").options["domain"] == "papers"


@pytest.mark.parametrize(
    ("dataset", "domain"),
    [
        ("0xZee/dataset-CoT-Advanced-Calculus-268", "advanced-calculus"),
        ("0xZee/dataset-CoT-Physics-2254", "physics"),
        ("dataset-CoT-Linear-Algebra-667", "linear-algebra"),
        ("0xZee/dataset-CoT-Molecular_Biology-71", "molecular-biology"),
    ],
)
def test_domain_from_dataset_name(dataset, domain):
    assert domain_from_dataset_name(dataset) == domain


def test_domain_from_an_empty_name_is_an_error():
    with pytest.raises(ValueError, match="0xZee/dataset-CoT-12"):
        domain_from_dataset_name("0xZee/dataset-CoT-12")


_QA = [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]
_MESSAGES = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
_PARTS = [
    {"role": "user", "content": [{"type": "text", "value": "q"}]},
    {"role": "assistant", "content": [{"type": "text", "value": "a"}]},
]
SAMPLES: dict[str, dict] = {
    "alpaca": {"instruction": "q", "output": "a"},
    "openorca": {"question": "q", "response": "a"},
    "openhermes": {"conversations": _QA},
    "sharegpt": {"conversations": _QA},
    "openai_messages": {"messages": _MESSAGES},
    "openai_parts": {"messages": _PARTS},
    "platypus": {"instruction": "q", "output": "a"},
    "opencoder_sft": {"instruction": "q", "output": "a"},
    "openmath1": {"question": "q", "generated_solution": "a"},
    "openmath2": {"problem": "q", "generated_solution": "a"},
    "stem_cot": {"question": "q", "CoT": "c", "response": "a"},
    "distill_messages": {"messages": _MESSAGES},
    "distill_columns": {"problem": "q", "thinking": "t", "solution": "a"},
    "distill_sharegpt": {"conversations": _QA},
    "documents": {"text": "a document"},
    "code_files": {"content": "print(1)"},
}


def test_every_adapter_has_a_sample():
    assert set(SAMPLES) == set(ADAPTERS)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_output_does_not_depend_on_batching(name):
    """Ids and rows are the same whether rows come in one batch or several, in any order."""
    rows = [_vary(name, SAMPLES[name], i) for i in range(3)]
    adapter = get_adapter(name)
    whole = run(adapter, rows)
    assert whole.kept.schema == CANONICAL_SCHEMA
    assert whole.kept.num_rows == 3, dropped(whole)
    parts = [run(adapter, rows[2:], first_line=3), run(adapter, rows[:2])]
    pieces = [row for part in parts for row in part.kept.to_pylist()]
    assert sorted(pieces, key=lambda r: r["id"]) == sorted(whole.kept.to_pylist(), key=lambda r: r["id"])
    assert len(set(whole.kept["id"].to_pylist())) == 3


def _vary(name: str, sample: dict, i: int) -> dict:
    """A copy of a sample whose first text ends with ` i`, so the rows differ."""
    row = dict(sample)
    for key in ("instruction", "question", "problem", "text", "content"):
        if key in row:
            row[key] = f"{row[key]} {i}"
            return row
    if "conversations" in row:
        row["conversations"] = [{**row["conversations"][0], "value": f"q {i}"}, *row["conversations"][1:]]
    elif name == "openai_parts":
        first = {**row["messages"][0], "content": [{"type": "text", "value": f"q {i}"}]}
        row["messages"] = [first, *row["messages"][1:]]
    else:
        row["messages"] = [{**row["messages"][0], "content": f"q {i}"}, *row["messages"][1:]]
    return row
