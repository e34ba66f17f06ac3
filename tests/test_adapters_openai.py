"""openai_messages, distill_messages and openai_parts (content given as typed parts)."""

from __future__ import annotations

import json
from collections import Counter

from adapter_rows import dropped, fixture, load_rows, meta, msg, run, run_file

from curation.adapters import get_adapter

NOT_TEXT = "cannot be carried by a text record"
THINK_LEFT = "<think> markup left in an assistant turn (unclosed or repeated think block)"


def _call(name: str, arguments: str, call_id: str = "call_1") -> dict:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _qa(answer: dict) -> dict:
    """A row: a user question, then `answer` as the assistant turn."""
    return {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", **answer}]}


def _parts(*parts: tuple[str | None, str]) -> list[dict]:
    return [{"value": value} if kind is None else {"type": kind, "value": value} for kind, value in parts]


def _parts_row(user: list[dict], assistant: list[dict] | None) -> dict:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]}


def test_openai_messages_roles_reasoning_and_tool_calls():
    tools = [{"type": "function", "function": {"name": "weather", "parameters": {"type": "object"}}}]
    rows = [
        {
            "id": "tulu-1",
            "source": "ai2-adapt-dev/oasst1",
            "tools": tools,
            "messages": [
                {"role": "developer", "content": "Use tools."},
                {"role": "user", "content": "Weather in Oslo and Rome?"},
                {
                    "role": "assistant",
                    "content": None,
                    "reasoning_content": "Two cities, two calls.",
                    "tool_calls": [
                        _call("weather", '{"city": "Oslo"}'),
                        _call("weather", '{"city":"Rome"}', "c2"),
                    ],
                },
                {"role": "tool", "content": "5C", "tool_call_id": "call_1"},
                {"role": "function", "content": "20C"},
                {
                    "role": "assistant",
                    "content": "Oslo 5C, Rome 20C.",
                    "reasoning": "",
                    "thinking": "Report both.",
                },
            ],
        }
    ]
    kept = run(get_adapter("openai_messages"), rows).kept.to_pylist()
    assert kept == [
        {
            "id": "tulu-1",
            "source": "src",
            "kind": "chat",
            "messages": [
                msg("system", "Use tools."),
                msg("user", "Weather in Oslo and Rome?"),
                msg(
                    "assistant",
                    "",
                    reasoning="Two cities, two calls.",
                    tool_calls='[{"name":"weather","arguments":{"city":"Oslo"}},'
                    '{"name":"weather","arguments":{"city":"Rome"}}]',
                ),
                msg("tool", "5C"),
                msg("tool", "20C"),
                msg("assistant", "Oslo 5C, Rome 20C.", reasoning="Report both."),
            ],
            "text": None,
            "meta": meta(
                data_source="ai2-adapt-dev/oasst1",
                extra='{"tools":[{"function":{"name":"weather","parameters":{"type":"object"}},'
                '"type":"function"}]}',
            ),
        }
    ]


def test_openai_messages_reasoning_precedence_and_think_split():
    rows = [
        _qa({"content": "a", "reasoning_content": "first", "reasoning": "second"}),
        _qa({"content": "<think>\nhmm\n</think>\n\na"}),
    ]
    kept = run(get_adapter("openai_messages"), rows).kept.to_pylist()
    assert kept[0]["messages"][1] == msg("assistant", "a", reasoning="first")
    assert kept[1]["messages"][1] == msg("assistant", "a", reasoning="hmm")


def test_openai_messages_bad_rows():
    good = _qa({"content": "a"})
    rows = [
        good,
        {"messages": []},
        {"messages": [{"role": "user", "content": "q"}, {"role": "critic", "content": "a"}]},
        {"messages": [{"role": "user", "content": None}, {"role": "assistant", "content": "a"}]},
        {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]},
        _qa({"content": None, "tool_calls": [{"id": "c"}]}),
        _qa({"content": "a</think>b</think>c"}),
        {"id": "only-an-id"},
        good,
    ]
    result = run(get_adapter("openai_messages"), rows)
    assert result.kept.num_rows == 2
    assert dropped(result) == [
        (2, "malformed:empty_conversation", "the conversation has no turns"),
        (3, "malformed:unknown_role", "unknown role(s) critic"),
        (4, "malformed:missing_field", "a turn has no content"),
        (5, "malformed:no_assistant_turn", "no assistant turn to learn from"),
        (6, "malformed:tool_call", "a tool call has no function name"),
        (7, "malformed:think_markup", THINK_LEFT),
        (8, "malformed:missing_field", "required field 'messages' is missing or null"),
    ]


def test_distill_messages_is_openai_messages_under_its_own_name():
    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are Claude."},
                {"role": "user", "content": "Prove 1+1=2."},
                {"role": "assistant", "content": "<think>\nBy Peano axioms.\n</think>\n\nS(0)+S(0)=S(S(0))."},
            ]
        }
    ]
    kept = run(get_adapter("distill_messages"), rows).kept.to_pylist()
    assert kept[0]["messages"] == [
        msg("system", "You are Claude."),
        msg("user", "Prove 1+1=2."),
        msg("assistant", "S(0)+S(0)=S(S(0)).", reasoning="By Peano axioms."),
    ]
    same = run(get_adapter("openai_messages"), rows).kept.to_pylist()
    assert same == kept


def test_openai_parts_text_reasoning_tool_calls_and_tools():
    rows = [
        {
            "messages": [
                {"role": "system", "content": _parts(("tools", '[{"name": "add"}]')), "loss_weight": 0.0},
                {"role": "user", "content": _parts(("text", "2+3?")), "loss_weight": 0.0},
                {
                    "role": "assistant",
                    "content": _parts(
                        ("reasoning", "Use the tool."),
                        ("tool_call", '{"name": "add", "arguments": {"a": 2, "b": 3}}'),
                    ),
                    "loss_weight": 1.0,
                },
                {"role": "tool", "content": _parts(("text", "5"))},
                {"role": "assistant", "content": _parts(("text", "It is "), ("text", "5."))},
            ]
        },
        {
            "id": "oa-1",
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
            ],
        },
    ]
    kept = run(get_adapter("openai_parts"), rows).kept.to_pylist()
    call = '[{"name":"add","arguments":{"a":2,"b":3}}]'
    assert kept[0]["messages"] == [
        msg("user", "2+3?"),
        msg("assistant", "", reasoning="Use the tool.", tool_calls=call),
        msg("tool", "5"),
        msg("assistant", "It is 5."),
    ]
    assert kept[0]["meta"]["extra"] == '{"tools":[{"name":"add"}]}'
    assert kept[1]["id"] == "oa-1"
    assert kept[1]["messages"] == [msg("user", "hi"), msg("assistant", "hello")]


def test_openai_parts_bad_rows():
    question = _parts(("text", "q"))
    good = _parts_row(question, _parts(("text", "a")))
    rows = [
        good,
        _parts_row(_parts(("image_url", "http://x/cat.png"), ("text", "what?")), _parts(("text", "a cat"))),
        _parts_row(question, _parts(("tool_call", "add(2,3)"))),
        _parts_row(question, None),
        {"messages": []},
        _parts_row(_parts((None, "q")), _parts(("text", "a"))),
        good,
    ]
    result = run(get_adapter("openai_parts"), rows)
    assert result.kept.num_rows == 2
    assert dropped(result) == [
        (2, "malformed:non_text_content", f"content part type(s) image_url {NOT_TEXT}"),
        (3, "malformed:tool_call", "a tool_call part is not JSON {name, arguments} (or a list of them)"),
        (4, "malformed:missing_field", "a turn has no content"),
        (5, "malformed:empty_conversation", "the conversation has no turns"),
        (6, "malformed:non_text_content", f"content part type(s) <null> {NOT_TEXT}"),
    ]


def test_llamafactory_v1_sft_demo_fixture():
    rows = load_rows(fixture("instruct/llamafactory/v1_sft_demo.jsonl"))
    result = run_file(get_adapter("openai_parts"), fixture("instruct/llamafactory/v1_sft_demo.jsonl"))
    assert len(rows) == 500
    assert result.kept.num_rows == 500 and result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    assert Counter(m["role"] for r in kept for m in r["messages"]) == {"user": 500, "assistant": 500}
    first = rows[0]["messages"]
    assert kept[0]["messages"] == [
        msg("user", first[0]["content"][0]["value"]),
        msg("assistant", first[1]["content"][0]["value"]),
    ]
    distinct = {json.dumps(r, sort_keys=True) for r in rows}
    assert len({r["id"] for r in kept}) == len(distinct)
