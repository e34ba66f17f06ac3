"""Render one conversation through a chat template, the way ``apply_chat_template`` does.

The context is what transformers passes: ``messages``, ``tools`` (None when there are none),
``add_generation_prompt`` and ``enable_thinking``. One addition: the mix's system message.
Project templates read it as ``default_system_message`` (qwen3-nothink needs it: it is the
model's identity); for a template that does not know that name, a conversation without a
system turn gets the message as its first turn, which is what a serving stack configured
with a default system prompt sends.

No ``bos_token`` / ``eos_token`` are passed: Qwen templates do not read them. A foreign
template that prints ``bos_token`` renders it as empty text (the trainer's tokenizer adds BOS).
"""

from __future__ import annotations

import jinja2

from curation.render.environment import render_recorded
from curation.render.fastpath import fast_renderer
from curation.render.templates import ChatTemplate

Span = tuple[int, int, str]


def with_system(template: ChatTemplate, messages: list[dict], system_message: str | None) -> list[dict]:
    """`messages` with the mix's system message first when the template cannot take it itself."""
    if not system_message or "default_system_message" in template.source:
        return messages
    if messages and messages[0]["role"] == "system":
        return messages
    return [{"role": "system", "content": system_message}, *messages]


def render(
    template: ChatTemplate,
    messages: list[dict],
    *,
    tools: list[dict] | None = None,
    add_generation_prompt: bool = False,
    enable_thinking: bool | None = True,
    system_message: str | None = None,
    fast: bool = True,
) -> tuple[str, list[Span]]:
    """(text, [(start, end, kind)]) for HF message dicts; spans in characters, end exclusive,
    from the template's ``{% generation %}`` / ``{% proof %}`` marks (empty for a foreign template).

    fast: render the project's Qwen3 templates without Jinja (curation.render.fastpath: the same
    bytes and spans, no Jinja overhead); False renders through Jinja always.

    Raises jinja2.TemplateError when the template raises (raise_exception) or fails.
    """
    context = {
        "messages": with_system(template, messages, system_message),
        "tools": tools,
        "add_generation_prompt": add_generation_prompt,
    }
    if enable_thinking is not None:  # transformers passes it only when the caller gives it
        context["enable_thinking"] = enable_thinking
    if system_message:
        context["default_system_message"] = system_message
    renderer = fast_renderer(template.source) if fast else None
    if renderer is not None:
        done = renderer(context["messages"], tools, add_generation_prompt, context)
        if done is not None:
            return done
    return render_recorded(template.compiled, context)


def last_assistant(messages: list[dict]) -> int:
    """Index of the last assistant turn, -1 when there is none."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i]["role"] == "assistant":
            return i
    return -1


TemplateError = jinja2.TemplateError
