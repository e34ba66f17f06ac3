"""render_batch: spans, the no-thinking serving template, the consistency check, the proof format."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from curation.record import CANONICAL_SCHEMA
from curation.render import check_mix_template, identity_system_message, load_template, render_batch

IDENTITY = identity_system_message("Wind-Edge-1.6", "arthu1")
META = dict.fromkeys(("data_source", "domain", "language", "url", "path", "license", "extra"))


def m(role, content, reasoning=None, tool_calls=None):
    return {"role": role, "content": content, "reasoning": reasoning, "tool_calls": tool_calls}


def chat(row_id, *messages, extra=None):
    return {
        "id": row_id,
        "source": "s",
        "kind": "chat",
        "messages": list(messages),
        "text": None,
        "meta": {**META, "extra": extra},
    }


def table(*rows):
    return pa.Table.from_pylist(list(rows), schema=CANONICAL_SCHEMA)


THREE_TURNS = chat(
    "c3",
    m("user", "Who are you?"),
    m("assistant", "I am Wind-Edge-1.6.", "They ask my name."),
    m("user", "Sort [3, 1, 2]"),
    m("assistant", "[1, 2, 3]"),
    m("user", "60 miles in 1.5 hours?"),
    m("assistant", "40 mph.", "60 / 1.5 = 40."),
)


def spans_text(text, spans, kind="target"):
    return [text[s["start"] : s["end"]] for s in spans if s["kind"] == kind]


def test_nothink_three_turns_identity_and_final_empty_think():
    out, verdicts = render_batch(
        table(THREE_TURNS), "qwen3-nothink", enable_thinking=False, system_message=IDENTITY
    )
    assert verdicts.dropped == 0
    text = out["text"][0].as_py()
    assert text.startswith(f"<|im_start|>system\n{IDENTITY}<|im_end|>\n")
    assert IDENTITY == "You are Wind-Edge-1.6, a helpful assistant created by arthu1."
    assert text.count("<think>\n\n</think>\n\n") == 1
    assert text.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n40 mph.<|im_end|>\n")
    assert "They ask my name" not in text and "60 / 1.5" not in text  # no reasoning with thinking off
    # targets: each assistant answer + <|im_end|>; the empty think block is prompt
    assert spans_text(text, out["spans"][0].as_py()) == [
        "I am Wind-Edge-1.6.<|im_end|>",
        "[1, 2, 3]<|im_end|>",
        "40 mph.<|im_end|>",
    ]


def test_thinking_template_against_nothink_server_is_caught():
    # The Wind-Edge mistake: rows rendered with Qwen's thinking template, served with thinking off.
    out, verdicts = render_batch(
        table(THREE_TURNS),
        "qwen3",
        enable_thinking=True,
        system_message=IDENTITY,
        serving_template="qwen3-nothink",
    )
    assert out.num_rows == 0
    assert verdicts.reason.to_pylist() == ["template_mismatch"]
    assert "differ at char" in verdicts.detail[0].as_py()
    with pytest.raises(ValueError, match="differs from the serving template"):
        check_mix_template(load_template("qwen3"), load_template("qwen3-nothink"))
    check_mix_template(load_template("qwen3-nothink"), load_template("qwen3-nothink"))


def test_missing_identity_message_is_caught():
    # qwen3-nothink cannot serve without its identity message: the template says so
    with pytest.raises(
        ValueError, match="row 'c3': serving chat template 'qwen3-nothink' failed.*default_system"
    ):
        render_batch(
            table(THREE_TURNS),
            "qwen3",
            enable_thinking=False,
            system_message=None,
            serving_template="qwen3-nothink",
        )
    # thinking off, identity given to the server but the training render lacks it (foreign template)
    out, verdicts = render_batch(
        table(THREE_TURNS), "qwen3", enable_thinking=False, system_message=None, serving_template="qwen2.5"
    )
    assert verdicts.reason.to_pylist() == ["template_mismatch"]
    with pytest.raises(ValueError, match="row 'c3'.*default_system_message"):
        render_batch(table(THREE_TURNS), "qwen3-nothink", enable_thinking=False, system_message=None)


def test_qwen3_thinking_off_passes_and_targets():
    out, verdicts = render_batch(table(THREE_TURNS), "qwen3", enable_thinking=False, system_message=None)
    assert verdicts.dropped == 0
    text = out["text"][0].as_py()
    assert text.startswith("<|im_start|>user\nWho are you?")
    assert text.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n40 mph.<|im_end|>\n")


def test_qwen3_thinking_on_reasoning_is_target():
    out, verdicts = render_batch(table(THREE_TURNS), "qwen3", enable_thinking=True, system_message=None)
    assert verdicts.dropped == 0
    text = out["text"][0].as_py()
    assert (
        spans_text(text, out["spans"][0].as_py())[-1]
        == "<think>\n60 / 1.5 = 40.\n</think>\n\n40 mph.<|im_end|>"
    )


def test_foreign_template_prefix_spans_agree_with_marks(tmp_path):
    # The project's qwen3.jinja loaded by path as a tokenizer_config.json with its marks removed:
    # spans then come from the prefix trick. Qwen3 renders an earlier turn differently from how it
    # was served (no empty think block), so only turns whose served prompt is a prefix are learned:
    # the final one, equal to the marked span; the others are a subset of the marked ones.
    source = load_template("qwen3").source
    for tag in ("{%- generation %}", "{%- endgeneration %}"):
        source = source.replace(tag, "")
    config = tmp_path / "tokenizer_config.json"
    config.write_text(json.dumps({"chat_template": source}))
    rows = table(
        THREE_TURNS,
        chat(
            "t",
            m("user", "Paris?"),
            m("assistant", "", None, '[{"name":"w","arguments":{"c":"P"}}]'),
            m("tool", "20"),
            m("assistant", "20 degrees"),
        ),
    )
    marked, _ = render_batch(rows, "qwen3", enable_thinking=False, system_message=None)
    foreign, _ = render_batch(rows, str(config), enable_thinking=False, system_message=None)
    assert not load_template(str(config)).marked
    assert foreign["text"].to_pylist() == marked["text"].to_pylist()
    for f, k in zip(foreign["spans"].to_pylist(), marked["spans"].to_pylist(), strict=True):
        assert f[-1] == k[-1]
        assert all(span in k for span in f)


def test_qwen25_default_system_and_tool_call():
    row = chat(
        "t",
        m("user", "Paris?"),
        m("assistant", "", None, '[{"name":"w","arguments":{"c":"P"}}]'),
        m("tool", "20"),
        m("assistant", "20 degrees"),
        extra='{"tools":[{"name":"w","parameters":{}}]}',
    )
    out, verdicts = render_batch(table(row), "qwen2.5", enable_thinking=False, system_message=None)
    assert verdicts.dropped == 0
    text = out["text"][0].as_py()
    assert text.startswith(
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.\n\n# Tools"
    )
    assert '{"type": "function", "function": {"name": "w", "parameters": {}}}' in text
    assert spans_text(text, out["spans"][0].as_py()) == [
        '<tool_call>\n{"name": "w", "arguments": {"c": "P"}}\n</tool_call><|im_end|>',
        "20 degrees<|im_end|>",
    ]


def test_proof_format_spans():
    row = chat(
        "p",
        m("user", "Find the eigenvalues of [[3, 1], [0, 3]]."),
        m("assistant", "3 (twice)", "The matrix is triangular, so the eigenvalues are its diagonal."),
    )
    out, verdicts = render_batch(table(row), "proof", enable_thinking=False, system_message=None)
    assert verdicts.dropped == 0
    text = out["text"][0].as_py()
    assert text == (
        "Solve the following problem carefully and show a rigorous derivation.\nProblem:\n"
        "Find the eigenvalues of [[3, 1], [0, 3]].\nProof:\n"
        "The matrix is triangular, so the eigenvalues are its diagonal.\nFinal Answer:\n3 (twice)"
    )
    spans = out["spans"][0].as_py()
    assert spans_text(text, spans, "proof") == [
        "The matrix is triangular, so the eigenvalues are its diagonal."
    ]
    assert spans_text(text, spans) == [text.split("Proof:\n", 1)[1]]
    with pytest.raises(ValueError, match="row 'q'.*reasoning"):
        render_batch(
            table(chat("q", m("user", "x"), m("assistant", "y"))),
            "proof",
            enable_thinking=False,
            system_message=None,
        )


def test_text_rows_and_no_target():
    rows = table(
        {"id": "d", "source": "s", "kind": "text", "messages": None, "text": "A web page.", "meta": META},
        chat("u", m("user", "only a question")),
    )
    out, verdicts = render_batch(rows, "qwen3", enable_thinking=False, system_message=None)
    assert out["text"].to_pylist() == ["A web page."]
    assert out["spans"].to_pylist() == [[{"start": 0, "end": 11, "kind": "target"}]]
    assert verdicts.reason.to_pylist() == [None, "no_target"]


def test_check_off_keeps_mismatched_rows():
    out, verdicts = render_batch(
        table(THREE_TURNS),
        "qwen3",
        enable_thinking=True,
        system_message=IDENTITY,
        serving_template="qwen3-nothink",
        check=False,
    )
    assert out.num_rows == 1 and verdicts.dropped == 0


def test_template_errors(tmp_path):
    with pytest.raises(
        ValueError, match="unknown chat template 'qwen4'.*qwen3, qwen3-nothink, qwen2.5, proof"
    ):
        load_template("qwen4")
    with pytest.raises(ValueError, match="not found"):
        load_template(str(tmp_path / "missing.jinja"))
    (tmp_path / "tokenizer_config.json").write_text('{"bos_token": null}')
    with pytest.raises(ValueError, match="no chat_template"):
        load_template(str(tmp_path / "tokenizer_config.json"))
    (tmp_path / "bad.jinja").write_text("{% if %}")
    with pytest.raises(ValueError, match="does not compile"):
        load_template(str(tmp_path / "bad.jinja"))
    (tmp_path / "named.json").write_text(
        json.dumps({"chat_template": [{"name": "default", "template": "{{ 1 }}"}]})
    )
    assert load_template(str(tmp_path / "named.json")).source == "{{ 1 }}"
    assert load_template("qwen3") is load_template("qwen3")  # compiled once
    with pytest.raises(ValueError, match="identity system message needs"):
        identity_system_message("", "x")
