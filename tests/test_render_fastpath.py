"""The Jinja-free renderers (curation.render.fastpath) give the bytes and spans Jinja gives."""

from __future__ import annotations

import random

import pytest
from adapter_rows import fixture, run_file
from render_shapes import SHAPES, WEATHER, a, s, t, u

from curation.adapters import get_adapter
from curation.render.conversation import last_assistant, render
from curation.render.fastpath import RENDERERS, fast_renderer, source_digest
from curation.render.identity import identity_system_message
from curation.render.messages import hf_messages, tools_of
from curation.render.templates import TEMPLATE_DIR, load_template

IDENTITY = identity_system_message("Wind-Edge-1.6", "arthu1")
FAST = ("qwen3", "qwen3-nothink")


def _both(name, messages, tools=None, agp=False, thinking=None, system=None):
    """(fast result or its exception type, Jinja result or its exception type)."""
    out = []
    for fast in (True, False):
        try:
            out.append(
                render(
                    load_template(name),
                    messages,
                    tools=tools,
                    add_generation_prompt=agp,
                    enable_thinking=thinking,
                    system_message=system,
                    fast=fast,
                )
            )
        except Exception as e:  # both paths must fail alike on input Jinja refuses
            out.append(type(e))
    return out


def _same(name, messages, tools=None, agp=False, thinking=None, system=None):
    fast, jinja = _both(name, messages, tools, agp, thinking, system)
    assert fast == jinja


@pytest.mark.parametrize("name", FAST)
def test_project_templates_have_a_fast_renderer(name):
    # An edited template falls back to Jinja; this fails so that fastpath.py is brought in line.
    source = (TEMPLATE_DIR / f"{name}.jinja").read_text(encoding="utf-8")
    assert fast_renderer(source) is not None, f"{name}.jinja changed: update curation/render/fastpath.py"
    assert fast_renderer(source + " ") is None
    assert len(RENDERERS) == len(FAST)
    assert source_digest(source) in RENDERERS


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("shape", SHAPES, ids=[x[0] for x in SHAPES])
def test_shapes_match_jinja(name, shape):
    _, messages, tools, agp, thinking = shape
    for system in (None, IDENTITY):
        for agp_, thinking_ in ((agp, thinking), (True, False), (True, True), (False, None)):
            _same(name, messages, tools, agp_, thinking_, system)


EDGE = [
    [],
    [a("Hi")],
    [a("Hi"), u("Bye")],
    [t("x"), t("y"), a("ok")],
    [u("q"), t("r"), u("s"), a("ok")],
    [s("sys"), s("sys2"), u("q"), a("ok")],
    [u("q"), {"role": "function", "content": "f"}, a("ok")],
    [u("q"), a("\n\n<think>\nx\n</think>\n\nans\n")],
    [u("q"), a("a</think>b</think>\nc"), u("r"), a("</think>")],
    [u("<tool_response>x</tool_response>"), a("ok")],
    [u("q"), a("ok", reasoning=None)],
    [u("q"), a("\n", calls=[("f", {"k": [1, "é"]}), ("g", "raw args")])],
    [u("q"), a("", calls=[("f", None)]), t("1"), t("2"), a("done")],
    [u("q"), {"role": "assistant", "content": "x", "tool_calls": []}],
    [u("q"), {"role": "assistant", "content": "x", "tool_calls": None}],
    # Shapes the fast path leaves to Jinja (same result or same failure).
    [u("q"), {"role": "assistant", "content": None}],
    [u("q"), {"role": "assistant", "content": 3}],
    [{"role": "user"}, a("x")],
    [u("q"), {"role": "assistant", "content": "x", "tool_calls": [{"name": "f", "arguments": {}}]}],
    [u("q"), {"role": "assistant", "content": "x", "tool_calls": [{"function": {"name": "f"}}]}],
    [u("q"), {"role": "assistant", "content": "x", "tool_calls": "call"}],
    [u("q"), {"role": "assistant", "content": "x", "reasoning_content": 5}],
]


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("messages", EDGE, ids=range(len(EDGE)))
def test_edge_shapes_match_jinja(name, messages):
    for tools in (None, [WEATHER]):
        for agp, thinking in ((False, None), (True, False), (True, True)):
            for system in (None, "", IDENTITY):
                _same(name, messages, tools, agp, thinking, system)


def test_nothink_without_identity_fails_like_jinja():
    fast, jinja = _both("qwen3-nothink", [u("q"), a("x")])
    assert fast is jinja
    assert issubclass(fast, Exception)


PIECES = [
    "a",
    "b c",
    "\n",
    "\n\n",
    " ",
    "<think>",
    "</think>",
    "<tool_response>",
    "</tool_response>",
    "é",
    "ﬁ",
    "😀",
]


def _random_conversation(rng: random.Random) -> list[dict]:
    def text():
        return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5)))

    out = []
    for _ in range(rng.randint(0, 7)):
        role = rng.choice(["user", "assistant", "assistant", "tool", "system"])
        m = {"role": role, "content": text()}
        if role == "assistant" and rng.random() < 0.5:
            m["reasoning_content"] = rng.choice([None, text()])
        if role == "assistant" and rng.random() < 0.3:
            calls = [
                (rng.choice(["f", "g"]), rng.choice([{}, {"x": text()}, text()]))
                for _ in range(rng.randint(0, 2))
            ]
            m["tool_calls"] = a("", calls=calls)["tool_calls"]
        out.append(m)
    return out


@pytest.mark.parametrize("name", FAST)
def test_random_conversations_match_jinja(name):
    rng = random.Random(7)
    for _ in range(600):
        messages = _random_conversation(rng)
        tools = rng.choice([None, [WEATHER]])
        agp, thinking = rng.choice([(False, None), (True, False), (True, True), (False, False)])
        _same(name, messages, tools, agp, thinking, rng.choice([None, IDENTITY]))


@pytest.mark.parametrize(
    ("path", "adapter"),
    [
        ("instruct/llamafactory/v1_sft_demo.jsonl", "openai_parts"),
        ("instruct/fastchat/dummy_conversation.json", "sharegpt"),
        ("instruct/llamafactory/glaive_toolcall_en_demo.json", "sharegpt"),
    ],
)
def test_fixture_conversations_and_serving_prompts_match_jinja(path, adapter):
    rows = run_file(get_adapter(adapter), fixture(path)).kept.to_pylist()
    assert len(rows) > 100
    for row in rows:
        tools = tools_of(row["meta"]["extra"])
        for with_reasoning in (True, False):
            messages = hf_messages(row["messages"], with_reasoning=with_reasoning)
            i = last_assistant(messages)
            for name in FAST:
                _same(name, messages, tools, False, False, IDENTITY)
                _same(name, messages[: max(i, 0)], tools, True, False, IDENTITY)


@pytest.mark.parametrize("name", FAST)
def test_plain_shapes_take_the_fast_path(name):
    # The comparisons above would pass vacuously if every call fell back to Jinja.
    renderer = fast_renderer(load_template(name).source)
    context = {"default_system_message": IDENTITY, "enable_thinking": False}
    for _, messages, tools, agp, _ in SHAPES:
        assert renderer(messages, tools, agp, context) is not None
    assert renderer([u("q"), {"role": "assistant", "content": None}], None, False, context) is None
