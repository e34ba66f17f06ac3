"""Column-shaped instruction sets: openorca, platypus, opencoder_sft, openmath1/2, stem_cot,
distill_columns, and alpaca over the LLaMA-Factory demo file."""

from __future__ import annotations

import json

from adapter_rows import dropped, fixture, is_content_id, load_rows, meta, msg, run, run_file

from curation.adapters import get_adapter


def test_openorca_system_turn_only_when_non_empty():
    rows = [
        {"id": "niv.242684", "system_prompt": "Be helpful.", "question": "Q1", "response": "R1"},
        {"id": "flan.1", "system_prompt": "", "question": "Q2", "response": "R2"},
        {"id": "t0.7", "system_prompt": None, "question": "Q3", "response": "R3"},
    ]
    kept = run(get_adapter("openorca"), rows).kept.to_pylist()
    assert kept[0] == {
        "id": "niv.242684",
        "source": "src",
        "kind": "chat",
        "messages": [msg("system", "Be helpful."), msg("user", "Q1"), msg("assistant", "R1")],
        "text": None,
        "meta": meta(data_source="niv"),
    }
    assert kept[1]["messages"] == [msg("user", "Q2"), msg("assistant", "R2")]
    assert [r["meta"]["data_source"] for r in kept] == ["niv", "flan", "t0"]
    assert [r["id"] for r in kept] == ["niv.242684", "flan.1", "t0.7"]


def test_openorca_missing_fields():
    rows = [
        {"id": "cot.1", "question": "Q", "response": "R"},
        {"id": "cot.2", "question": "Q"},
        {"id": "cot.3", "response": "R"},
        {"question": "Q", "response": ""},
        {"id": "cot.4", "question": "Q", "response": "R"},
    ]
    result = run(get_adapter("openorca"), rows)
    assert result.kept["id"].to_pylist()[0] == "cot.1"
    assert is_content_id(result.kept["id"][1].as_py())  # no own id: the content hash
    assert dropped(result) == [
        (2, "malformed:missing_field", "required field 'response' is missing or null"),
        (3, "malformed:missing_field", "required field 'question' is missing or null"),
    ]


def test_platypus_keeps_data_source():
    rows = [
        {"instruction": "Solve x+1=2.", "input": "", "output": "x=1", "data_source": "MATH/PRM-800K"},
        {"instruction": "Translate", "input": "bonjour", "output": "hello", "data_source": "airoboros"},
        {"instruction": "No answer", "input": "", "data_source": "scienceqa"},
    ]
    result = run(get_adapter("platypus"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["messages"] == [msg("user", "Solve x+1=2."), msg("assistant", "x=1")]
    assert kept[0]["meta"] == meta(data_source="MATH/PRM-800K")
    assert kept[1]["messages"][0] == msg("user", "Translate\n\nbonjour")
    assert dropped(result) == [(3, "malformed:missing_field", "required field 'output' is missing or null")]


def test_opencoder_stage1_and_stage2_shapes():
    rows = [
        {"instruction": "Reverse a string in Python.", "output": "s[::-1]", "tag": "code"},
        {
            "instruction": "Write add(a, b).",
            "output": "def add(a, b):\n    return a + b",
            "code": "def add(a, b):\n    return a + b",
            "entry_point": "add",
            "testcase": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"],
        },
        {"instruction": "Explain", "output": None, "flags": {"refusal": True}},
    ]
    result = run(get_adapter("opencoder_sft"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["messages"] == [msg("user", "Reverse a string in Python."), msg("assistant", "s[::-1]")]
    assert kept[0]["meta"] == meta(domain="code", extra='{"tag":"code"}')
    assert kept[1]["meta"]["domain"] == "code"
    assert json.loads(kept[1]["meta"]["extra"]) == {
        "entry_point": "add",
        "testcase": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"],
    }
    assert dropped(result) == [(3, "malformed:missing_field", "required field 'output' is missing or null")]


def test_openmath1_keeps_wrong_solutions_with_their_verdict():
    rows = [
        {
            "question": "What is 2+2?",
            "generated_solution": "<llm-code>\nprint(2+2)\n</llm-code>\nSo \\boxed{4}.",
            "expected_answer": "4",
            "predicted_answer": "4",
            "error_message": "",
            "is_correct": True,
            "generation_type": "without_reference_solution",
            "dataset": "gsm8k",
        },
        {
            "question": "What is 3+3?",
            "generated_solution": "\\boxed{7}",
            "expected_answer": 6,
            "predicted_answer": "7",
            "is_correct": False,
            "dataset": "math",
        },
    ]
    result = run(get_adapter("openmath1"), rows)
    assert result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    solution = rows[0]["generated_solution"]
    assert kept[0]["messages"] == [msg("user", "What is 2+2?"), msg("assistant", solution)]
    assert kept[0]["meta"]["data_source"] == "gsm8k" and kept[0]["meta"]["domain"] == "math"
    assert json.loads(kept[0]["meta"]["extra"]) == {
        "error_message": "",
        "expected_answer": "4",
        "generation_type": "without_reference_solution",
        "is_correct": True,
        "predicted_answer": "4",
    }
    # A numeric expected_answer (some dumps) arrives as its JSON text.
    assert kept[1]["meta"] == meta(
        data_source="math",
        domain="math",
        extra='{"expected_answer":"6","is_correct":false,"predicted_answer":"7"}',
    )


def test_openmath2():
    rows = [
        {
            "problem": "Compute 1+1.",
            "generated_solution": "It is \\boxed{2}.",
            "expected_answer": "2",
            "problem_source": "augmented_math",
        },
        {"problem": "Compute 2+2.", "generated_solution": None, "problem_source": "gsm8k"},
    ]
    result = run(get_adapter("openmath2"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["messages"] == [msg("user", "Compute 1+1."), msg("assistant", "It is \\boxed{2}.")]
    assert kept[0]["meta"] == meta(
        data_source="augmented_math", domain="math", extra='{"expected_answer":"2"}'
    )
    assert dropped(result) == [
        (2, "malformed:missing_field", "required field 'generated_solution' is missing or null")
    ]


def test_stem_cot_reasoning_and_domain_option():
    rows = [
        {"question": "Differentiate x^2.", "CoT": "Power rule: n x^(n-1).", "response": "2x"},
        {"question": "Integrate 1.", "CoT": "", "response": "x + C"},
        {"question": "Nothing", "CoT": "thinking only"},
    ]
    result = run(get_adapter("stem_cot", domain="advanced-calculus"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["messages"] == [
        msg("user", "Differentiate x^2."),
        msg("assistant", "2x", reasoning="Power rule: n x^(n-1)."),
    ]
    assert kept[0]["meta"] == meta(domain="advanced-calculus")
    assert kept[1]["messages"][1] == msg("assistant", "x + C")  # an empty CoT is no reasoning
    assert dropped(result) == [(3, "malformed:missing_field", "required field 'response' is missing or null")]
    no_option = run(get_adapter("stem_cot"), rows[:1]).kept.to_pylist()
    assert no_option[0]["meta"]["domain"] is None
    assert no_option[0]["id"] == kept[0]["id"]  # options do not change ids


def test_distill_columns_reasoning_never_in_content():
    rows = [
        {"problem": "Is 7 prime?", "thinking": "Check 2, 3: no divisors.", "solution": "Yes."},
        {"system": "Be Claude.", "problem": "2+2?", "thinking": "<think>\nadd\n</think>", "solution": "4"},
        {"problem": "q", "thinking": None, "solution": "<think>inline</think>a"},
        {"problem": "q", "thinking": "t"},
    ]
    result = run(get_adapter("distill_columns"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["messages"] == [
        msg("user", "Is 7 prime?"),
        msg("assistant", "Yes.", reasoning="Check 2, 3: no divisors."),
    ]
    assert kept[1]["messages"] == [
        msg("system", "Be Claude."),
        msg("user", "2+2?"),
        msg("assistant", "4", reasoning="add"),
    ]
    assert kept[2]["messages"][1] == msg("assistant", "a", reasoning="inline")
    assert dropped(result) == [(4, "malformed:missing_field", "required field 'solution' is missing or null")]


def test_alpaca_en_demo_fixture():
    rows = load_rows(fixture("instruct/llamafactory/alpaca_en_demo.json"))
    result = run_file(get_adapter("alpaca"), fixture("instruct/llamafactory/alpaca_en_demo.json"))
    assert len(rows) == 999
    assert result.kept.num_rows == 999 and result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    assert all([m["role"] for m in r["messages"]] == ["user", "assistant"] for r in kept)
    with_input = next(i for i, r in enumerate(rows) if r["input"])
    row = rows[with_input]
    assert kept[with_input]["messages"][0]["content"] == row["instruction"] + "\n\n" + row["input"]
    # 14 exact duplicate rows in the file share their content id, every other id is distinct.
    distinct = {json.dumps(r, sort_keys=True) for r in rows}
    assert len({r["id"] for r in kept}) == len(distinct) == 985
