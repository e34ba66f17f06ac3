"""qwen3.jinja renders byte-identically to the official Qwen3 template (rendered as transformers does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from adapter_rows import fixture, run_file
from render_shapes import SHAPES, oracle_render

from curation.adapters import get_adapter
from curation.render.conversation import render
from curation.render.messages import hf_messages, tools_of
from curation.render.templates import load_template

OFFICIAL = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "fixtures"
    / "chat_template"
    / "qwen3-official.jinja"
)


@pytest.fixture(scope="module")
def official() -> str:
    if not OFFICIAL.exists():
        pytest.skip(f"official Qwen3 template not found at {OFFICIAL} (../shared is absent in a fresh clone)")
    return OFFICIAL.read_text(encoding="utf-8")


def _oracle(source, messages, tools, agp, thinking):
    context = {"messages": messages, "tools": tools, "add_generation_prompt": agp}
    if thinking is not None:
        context["enable_thinking"] = thinking
    return oracle_render(source, **context)


@pytest.mark.parametrize("shape", SHAPES, ids=[s[0] for s in SHAPES])
def test_shape_matches_official(official, shape):
    _, messages, tools, agp, thinking = shape
    ours, _ = render(
        load_template("qwen3"), messages, tools=tools, add_generation_prompt=agp, enable_thinking=thinking
    )
    assert ours == _oracle(official, messages, tools, agp, thinking)


def test_shapes_cover_the_issue():
    names = {s[0] for s in SHAPES}
    assert len(SHAPES) >= 30
    assert {"single", "system single", "reasoning last", "reasoning earlier only", "tool call"} <= names
    assert {"prompt thinking off", "prompt thinking on"} <= names


@pytest.mark.parametrize(
    ("path", "adapter"),
    [
        ("instruct/llamafactory/v1_sft_demo.jsonl", "openai_parts"),
        ("instruct/fastchat/dummy_conversation.json", "sharegpt"),
        ("instruct/llamafactory/glaive_toolcall_en_demo.json", "sharegpt"),
    ],
)
def test_fixture_conversations_match_official(official, path, adapter):
    rows = run_file(get_adapter(adapter), fixture(path)).kept.to_pylist()
    assert len(rows) > 100
    template = load_template("qwen3")
    with_tools = 0
    for row in rows:
        messages = hf_messages(row["messages"])
        tools = tools_of(row["meta"]["extra"])
        with_tools += tools is not None
        for agp, thinking, msgs in ((False, None, messages), (True, False, messages[:-1])):
            ours, _ = render(template, msgs, tools=tools, add_generation_prompt=agp, enable_thinking=thinking)
            assert ours == _oracle(official, msgs, tools, agp, thinking), row["id"]
    if "glaive" in path:
        assert with_tools > 100
