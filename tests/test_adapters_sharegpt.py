"""sharegpt, openhermes and distill_sharegpt: ShareGPT conversations to canonical messages."""

from __future__ import annotations

import json
from collections import Counter

from adapter_rows import dropped, fixture, is_content_id, load_rows, meta, msg, run, run_file

from curation.adapters import get_adapter

TWO_CALLS = [{"name": "a", "arguments": {}}, {"name": "b"}]
ARGS_AS_STRING = '{"a": 2, "b": 3}'


def _turns(*turns: tuple[str | None, str | None]) -> list[dict]:
    return [{"from": who, "value": value} for who, value in turns]


def test_sharegpt_maps_every_known_role():
    rows = [
        {
            "id": "conv-1",
            "conversations": [
                {"from": "system", "value": "Be brief."},
                {"from": "human", "value": "Weather in Paris?"},
                {"from": "function_call", "value": '{"name": "weather", "arguments": {"city": "Paris"}}'},
                {"from": "observation", "value": '{"temp": 21}'},
                {"from": "gpt", "value": "21 degrees."},
                {"from": "user", "value": "Thanks"},
                {"from": "ChatGPT", "value": "You're welcome."},
            ],
        }
    ]
    result = run(get_adapter("sharegpt"), rows)
    assert result.kept.to_pylist() == [
        {
            "id": "conv-1",
            "source": "src",
            "kind": "chat",
            "messages": [
                msg("system", "Be brief."),
                msg("user", "Weather in Paris?"),
                msg("assistant", "", tool_calls='[{"name":"weather","arguments":{"city":"Paris"}}]'),
                msg("tool", '{"temp": 21}'),
                msg("assistant", "21 degrees."),
                msg("user", "Thanks"),
                msg("assistant", "You're welcome."),
            ],
            "text": None,
            "meta": meta(),
        }
    ]


def test_sharegpt_assistant_aliases_and_tool_aliases():
    rows = [
        {"conversations": [{"from": "user", "value": "q"}, {"from": who, "value": "a"}]}
        for who in ("bard", "bing", "model", "assistant")
    ] + [
        {
            "conversations": [
                {"from": "human", "value": "q"},
                {"from": who, "value": "result"},
                {"from": "gpt", "value": "a"},
            ]
        }
        for who in ("tool", "function")
    ]
    result = run(get_adapter("sharegpt"), rows)
    roles = [[m["role"] for m in r["messages"]] for r in result.kept.to_pylist()]
    assert roles == [["user", "assistant"]] * 4 + [["user", "tool", "assistant"]] * 2


def test_sharegpt_llamafactory_system_and_tools_columns():
    tools = '[{"name": "add", "description": "Add two numbers", "parameters": {"type": "object"}}]'
    rows = [
        {
            "system": "You can call tools.",
            "tools": tools,
            "conversations": [
                {"from": "human", "value": "2+3?"},
                # arguments as a JSON string, the way OpenAI sends them
                {"from": "function_call", "value": json.dumps({"name": "add", "arguments": ARGS_AS_STRING})},
                {"from": "observation", "value": "5"},
                {"from": "gpt", "value": "5"},
            ],
        },
        {"system": "  ", "conversations": _turns(("human", "hi"), ("gpt", "hello"))},
    ]
    kept = run(get_adapter("sharegpt"), rows).kept.to_pylist()
    # A string-encoded arguments object and an object give the same canonical call.
    assert kept[0]["messages"] == [
        msg("system", "You can call tools."),
        msg("user", "2+3?"),
        msg("assistant", "", tool_calls='[{"name":"add","arguments":{"a":2,"b":3}}]'),
        msg("tool", "5"),
        msg("assistant", "5"),
    ]
    assert json.loads(kept[0]["meta"]["extra"]) == {"tools": json.loads(tools)}
    # A blank system column adds no turn.
    assert kept[1]["messages"] == [msg("user", "hi"), msg("assistant", "hello")]
    assert kept[1]["meta"]["extra"] is None


def test_sharegpt_list_of_calls_is_kept_as_a_list():
    rows = [
        {
            "conversations": [
                {"from": "human", "value": "q"},
                {"from": "function_call", "value": json.dumps(TWO_CALLS)},
                {"from": "gpt", "value": "done"},
            ]
        }
    ]
    kept = run(get_adapter("sharegpt"), rows).kept.to_pylist()
    assert kept[0]["messages"][1]["tool_calls"] == '[{"name":"a","arguments":{}},{"name":"b"}]'


def test_sharegpt_bad_rows_are_dropped_with_reasons_and_neighbours_kept():
    good = {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]}
    rows = [
        good,
        {"conversations": []},
        {"conversations": _turns(("human", "q"), ("Narrator", "x"), ("gpt", "a"))},
        {"conversations": [{"from": "human", "value": "q"}, {"from": None, "value": "a"}]},
        {"conversations": None},
        {"id": "x"},
        {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": None}]},
        {"conversations": [{"from": "human", "value": "q"}]},
        {"conversations": _turns(("human", "q"), ("function_call", "call add(2, 3)"), ("gpt", "5"))},
        good,
    ]
    result = run(get_adapter("sharegpt"), rows)
    assert result.kept.num_rows == 2
    assert dropped(result) == [
        (2, "malformed:empty_conversation", "the conversation has no turns"),
        (3, "malformed:unknown_role", "unknown role(s) Narrator"),
        (4, "malformed:unknown_role", "unknown role(s) <null>"),
        (5, "malformed:missing_field", "required field 'conversations' is missing or null"),
        (6, "malformed:missing_field", "required field 'conversations' is missing or null"),
        (7, "malformed:missing_field", "a turn has no content"),
        (8, "malformed:no_assistant_turn", "no assistant turn to learn from"),
        (9, "malformed:tool_call", "a function_call turn is not JSON {name, arguments} (or a list of them)"),
    ]
    assert set(result.dropped["stage"].to_pylist()) == {"adapt"}
    assert result.dropped["raw"][0].as_py() == '{"id":null,"conversations":[],"system":null,"tools":null}'


def test_sharegpt_ids_are_stable_and_own_ids_win():
    rows = [
        {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]},
        {"id": "", "conversations": [{"from": "human", "value": "q2"}, {"from": "gpt", "value": "a"}]},
        {"id": "mine", "conversations": [{"from": "human", "value": "q3"}, {"from": "gpt", "value": "a"}]},
    ]
    first = run(get_adapter("sharegpt"), rows).kept["id"].to_pylist()
    again = run(get_adapter("sharegpt"), rows[::-1]).kept["id"].to_pylist()[::-1]
    assert first == again
    assert is_content_id(first[0]) and is_content_id(first[1]) and first[0] != first[1]
    assert first[2] == "mine"


def test_openhermes_meta_and_shared_role_map():
    rows = [
        {
            "conversations": [
                {"from": "system", "value": "You are an AI assistant.", "weight": None},
                {"from": "human", "value": "Write a haiku.", "weight": 0.0},
                {"from": "gpt", "value": "Leaves fall...", "weight": 1.0},
            ],
            "source": "airoboros2.2",
            "category": "writing",
            "skip_prompt_formatting": False,
            "model": None,
            "views": 12,
            "hash": [1, 2],
        },
        {
            "id": "hermes-7",
            "conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}],
            "source": "glaive-code-assist",
            "category": None,
            "language": "Python",
        },
        {"conversations": [{"from": "human", "value": "q"}, {"from": "gtp", "value": "a"}], "source": "x"},
    ]
    result = run(get_adapter("openhermes"), rows)
    kept = result.kept.to_pylist()
    assert kept[0]["messages"] == [
        msg("system", "You are an AI assistant."),
        msg("user", "Write a haiku."),
        msg("assistant", "Leaves fall..."),
    ]
    assert kept[0]["meta"] == meta(
        data_source="airoboros2.2", domain="writing", extra='{"skip_prompt_formatting":false}'
    )
    assert is_content_id(kept[0]["id"])
    assert kept[1]["id"] == "hermes-7"
    assert kept[1]["meta"] == meta(data_source="glaive-code-assist", extra='{"language":"Python"}')
    assert dropped(result) == [(3, "malformed:unknown_role", "unknown role(s) gtp")]


def test_distill_sharegpt_moves_think_blocks_to_reasoning():
    rows = [
        {
            "conversations": [
                {"from": "human", "value": "2+2?"},
                {"from": "gpt", "value": "<think>\nTwo and two.\n</think>\n\n4"},
            ]
        },
        {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "<think>unclosed"}]},
    ]
    result = run(get_adapter("distill_sharegpt"), rows)
    assert result.kept.to_pylist()[0]["messages"] == [
        msg("user", "2+2?"),
        msg("assistant", "4", reasoning="Two and two."),
    ]
    assert [(line, reason) for line, reason, _ in dropped(result)] == [(2, "malformed:think_markup")]


def test_fastchat_dummy_conversations_fixture():
    rows = load_rows(fixture("instruct/fastchat/dummy_conversation.json"))
    result = run_file(get_adapter("sharegpt"), fixture("instruct/fastchat/dummy_conversation.json"))
    assert len(rows) == 500
    assert result.kept.num_rows == 500 and result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    assert [r["id"] for r in kept] == [r["id"] for r in rows]
    assert Counter(m["role"] for r in kept for m in r["messages"]) == {"user": 1000, "assistant": 1000}
    assert kept[0]["messages"][0] == msg("user", rows[0]["conversations"][0]["value"])


def test_glaive_toolcall_fixture():
    rows = load_rows(fixture("instruct/llamafactory/glaive_toolcall_en_demo.json"))
    result = run_file(get_adapter("sharegpt"), fixture("instruct/llamafactory/glaive_toolcall_en_demo.json"))
    assert len(rows) == 300
    assert result.kept.num_rows == 300 and result.dropped.num_rows == 0
    kept = result.kept.to_pylist()
    calls = [m["tool_calls"] for r in kept for m in r["messages"] if m["tool_calls"] is not None]
    assert len(calls) == 211
    for call in calls:
        parsed = json.loads(call)
        assert isinstance(parsed, list) and set(parsed[0]) == {"name", "arguments"}
    roles = Counter(m["role"] for r in kept for m in r["messages"])
    assert roles == {"user": 746, "assistant": 746 + 211, "tool": 211}
    assert all(isinstance(json.loads(r["meta"]["extra"])["tools"], list) for r in kept)
    # The demo file repeats 35 rows verbatim: identical rows get the identical content id
    # (exact duplicates are the dedup stage's to drop, not the adapter's).
    distinct = {json.dumps(r, sort_keys=True) for r in rows}
    assert len({r["id"] for r in kept}) == len(distinct) == 265
