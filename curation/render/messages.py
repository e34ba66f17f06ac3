"""Canonical rows -> the message dicts a Hugging Face chat template reads.

A canonical turn is {role, content, reasoning, tool_calls (JSON text of [{name, arguments}])}.
Chat templates read the transformers / OpenAI shape instead: ``reasoning_content`` for the
thinking (Qwen3's template reads exactly that key, and falls back to splitting ``</think>``
out of ``content`` when it is absent) and ``tool_calls`` as
``[{"type": "function", "function": {"name", "arguments"}}]``. ``arguments`` stays what the
canonical JSON holds: an object (the template prints it with ``tojson``) or, for a call whose
arguments were not JSON, a string (printed as is).

Tools a conversation may call live in ``meta.extra`` under ``"tools"`` (the ShareGPT adapter
keeps them there). A bare function spec ({name, description, parameters}) is wrapped as
``{"type": "function", "function": spec}``: that is the form an OpenAI-compatible server
(vLLM, transformers' ``get_json_schema``) hands the template when serving, so training sees
the tool block the model will see.

Rendering a Jinja template is Python per row by nature; this conversion is the cheap part of it.
"""

from __future__ import annotations

import json


def hf_messages(messages: list[dict], *, with_reasoning: bool = True) -> list[dict]:
    """HF message dicts for one canonical conversation.

    with_reasoning=False leaves ``reasoning_content`` out (a no-thinking mix never shows it).
    Raises ValueError when a turn's tool_calls is not a JSON list of {name, arguments}.
    """
    out = []
    for m in messages:
        turn = {"role": m["role"], "content": m.get("content") or ""}
        reasoning = m.get("reasoning")
        if with_reasoning and reasoning is not None:
            turn["reasoning_content"] = reasoning
        calls = m.get("tool_calls")
        if calls:
            turn["tool_calls"] = _calls(calls)
        out.append(turn)
    return out


def _calls(text: str) -> list[dict]:
    try:
        calls = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"tool_calls is not JSON: {e}: {text[:200]!r}") from e
    if not isinstance(calls, list) or not all(isinstance(c, dict) and "name" in c for c in calls):
        raise ValueError(f"tool_calls is not a list of {{name, arguments}}: {text[:200]!r}")
    return [
        {"type": "function", "function": {"name": c["name"], "arguments": c.get("arguments", {})}}
        for c in calls
    ]


def tools_of(extra: str | None) -> list[dict] | None:
    """The tool specs in a row's ``meta.extra`` JSON (key "tools"), or None when there are none."""
    if not extra:
        return None
    try:
        tools = json.loads(extra).get("tools")
    except (json.JSONDecodeError, AttributeError):
        return None
    if isinstance(tools, str):  # kept as JSON text by some adapters
        try:
            tools = json.loads(tools)
        except json.JSONDecodeError:
            return None
    if not isinstance(tools, list) or not tools:
        return None
    return [
        {"type": "function", "function": t} if isinstance(t, dict) and "type" not in t else t for t in tools
    ]
