"""Jinja-free renderers for the project's Qwen3 templates, bound to their exact source bytes.

Rendering through Jinja costs ~0.1 ms per conversation in sandbox attribute checks and
context setup, and the render stage pays it twice per row (the training text and the serving
prompt of the consistency check). ``qwen3.jinja`` and ``qwen3-nothink.jinja`` only concatenate
strings (every tag strips the whitespace around it), so the same text is a few Python string
operations. Each renderer here is a line-for-line transcription of one template and is used
only for the template whose source has the SHA-256 it was written for: an edited template
falls back to Jinja until this file is brought in line (tests/test_render_fastpath.py compares
both paths on many conversation shapes and fails on any drift).

Renderers take only the inputs whose Jinja behaviour they reproduce exactly: message dicts
with string ``role`` and ``content``, string ``reasoning_content`` when present, tool calls in
the ``{"type": "function", "function": {"name": str, "arguments": ...}}`` shape. Anything else
(a None content, a tool call with no name, an extra key Jinja would read) returns None and the
caller renders through Jinja, so odd input keeps Jinja's exact behaviour, errors included.
"""

from __future__ import annotations

import functools
import hashlib

from curation.render.environment import tojson

Span = tuple[int, int, str]

_TOOLS_HEAD = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
_TOOLS_TAIL = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": '
    "<args-json-object>}\n</tool_call><|im_end|>\n"
)
_EMPTY_THINK = "<think>\n\n</think>\n\n"


def _plain(messages: list[dict]) -> bool:
    """Whether every turn has the shape whose Jinja rendering the renderers reproduce."""
    for m in messages:
        if type(m) is not dict or type(m.get("role")) is not str or type(m.get("content")) is not str:
            return False
        reasoning = m.get("reasoning_content")
        if reasoning is not None and type(reasoning) is not str:
            return False
        calls = m.get("tool_calls")
        if calls is None:
            continue
        if type(calls) is not list:
            return False
        for tc in calls:
            fn = tc.get("function") if type(tc) is dict else None
            if type(fn) is not dict or not fn or type(fn.get("name")) is not str or "arguments" not in fn:
                return False
    return True


def _calls_text(answer: str, calls: list[dict] | None) -> str:
    """The tool-call block after an answer (both templates print it the same way)."""
    if not calls:
        return ""
    out = []
    for k, tc in enumerate(calls):
        if answer or k:
            out.append("\n")
        fn = tc["function"]
        args = fn["arguments"]
        out.append('<tool_call>\n{"name": "' + fn["name"] + '", "arguments": ')
        out.append(args if isinstance(args, str) else tojson(args))
        out.append("}\n</tool_call>")
    return "".join(out)


def _system_block(system_text: str | None, tools: list | None) -> str:
    if tools:
        head = (
            "<|im_start|>system\n" + (system_text + "\n\n" if system_text is not None else "") + _TOOLS_HEAD
        )
        return head + "".join("\n" + tojson(t) for t in tools) + _TOOLS_TAIL
    return "" if system_text is None else "<|im_start|>system\n" + system_text + "<|im_end|>\n"


def _query(messages: list[dict]) -> int:
    """Index of the last user turn that is not a tool result (the templates' ``ns.query``)."""
    query = len(messages) - 1
    for i, m in enumerate(messages):
        c = m["content"]
        if m["role"] == "user" and not (c.startswith("<tool_response>") and c.endswith("</tool_response>")):
            query = i
    return query


def _render(messages, tools, system_text, assistant, generation_prompt) -> tuple[str, list[Span]]:
    """Shared turn loop: `assistant(i, m, last, query)` -> (prompt part, learned part) of a turn."""
    parts = [_system_block(system_text, tools)]
    pos = len(parts[0])
    spans: list[Span] = []
    query = _query(messages)
    last = len(messages) - 1
    for i, m in enumerate(messages):
        role = m["role"]
        if role == "user" or (role == "system" and i):
            piece = "<|im_start|>" + role + "\n" + m["content"] + "<|im_end|>\n"
        elif role == "assistant":
            head, body = assistant(i, m, i == last, query)
            start = pos + len(head)
            spans.append((start, start + len(body), "target"))  # body ends in <|im_end|>: never empty
            piece = head + body + "\n"
        elif role == "tool":
            piece = "" if i and messages[i - 1]["role"] == "tool" else "<|im_start|>user"
            piece += "\n<tool_response>\n" + m["content"] + "\n</tool_response>"
            if i == last or messages[i + 1]["role"] != "tool":
                piece += "<|im_end|>\n"
        else:
            continue
        parts.append(piece)
        pos += len(piece)
    if generation_prompt:
        parts.append(generation_prompt)
    return "".join(parts), spans


def render_qwen3_nothink(messages, tools, add_generation_prompt, context) -> tuple[str, list[Span]] | None:
    """qwen3-nothink.jinja; None when Jinja must render (it raises without a system message)."""
    default = context.get("default_system_message")
    if type(default) is not str or not default or not _plain(messages):
        return None
    system_text = messages[0]["content"] if messages and messages[0]["role"] == "system" else default

    def assistant(i, m, is_last, query):
        content = m["content"]
        answer = content.split("</think>")[-1].lstrip("\n") if "</think>" in content else content
        final = is_last and i > query
        head = "<|im_start|>assistant\n" + (_EMPTY_THINK if final else "")
        body = (
            (answer.lstrip("\n") if final else answer)
            + _calls_text(answer, m.get("tool_calls"))
            + "<|im_end|>"
        )
        return head, body

    prompt = "<|im_start|>assistant\n" + _EMPTY_THINK if add_generation_prompt else ""
    return _render(messages, tools, system_text, assistant, prompt)


def render_qwen3(messages, tools, add_generation_prompt, context) -> tuple[str, list[Span]] | None:
    """qwen3.jinja (hybrid thinking); None when Jinja must render."""
    default = context.get("default_system_message")
    if default is not None and type(default) is not str or not _plain(messages):
        return None
    if messages and messages[0]["role"] == "system":
        system_text = messages[0]["content"]
    else:
        system_text = default or None

    def assistant(i, m, is_last, query):
        answer = m["content"]
        thought = ""
        if m.get("reasoning_content") is not None:
            thought = m["reasoning_content"]
        elif "</think>" in answer:
            thought = answer.split("</think>")[0].rstrip("\n").split("<think>")[-1].lstrip("\n")
            answer = answer.split("</think>")[-1].lstrip("\n")
        think = i > query and (is_last or bool(thought))
        thought = thought.strip("\n")
        head = "<|im_start|>assistant\n" + (_EMPTY_THINK if think and not thought else "")
        body = "<think>\n" + thought + "\n</think>\n\n" if think and thought else ""
        body += (
            (answer.lstrip("\n") if think else answer)
            + _calls_text(answer, m.get("tool_calls"))
            + "<|im_end|>"
        )
        return head, body

    prompt = ""
    if add_generation_prompt:
        prompt = "<|im_start|>assistant\n" + (
            _EMPTY_THINK if context.get("enable_thinking", None) is False else ""
        )
    return _render(messages, tools, system_text, assistant, prompt)


# sha256 of the template source each renderer transcribes (see the module docstring).
RENDERERS = {
    "2a0deac256d4c38127748c47452caf240df3e0cd0c684ca6c5c2f43567371986": render_qwen3_nothink,
    "98dae63ffe4a23d9fab359ad1ad9139b12187a6a217cb0f275444d7c25a2bf97": render_qwen3,
}


def source_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


@functools.cache  # keyed by the source text, whose str hash Python caches: a dict lookup per render
def fast_renderer(source: str):
    """The Jinja-free renderer of a template source, or None (render through Jinja)."""
    return RENDERERS.get(source_digest(source))
