"""Loss spans: which characters (and tokens) of a rendered row a trainer learns.

Kinds:

- ``target``: text the model writes. For a chat turn that is its visible reasoning block (when
  rendered), its content, its tool calls and the end-of-turn token (``<|im_end|>`` for ChatML):
  the model must learn to stop. The role header (``<|im_start|>assistant\\n``) and the newline
  after ``<|im_end|>`` are prompt. The empty think block ``<think>\\n\\n</think>\\n\\n`` is prompt
  too: with thinking off the serving prompt already holds it, so the model never writes it.
  For the proof format: everything after ``Proof:\\n`` (derivation, ``Final Answer:`` line, answer).
  For a text row: the whole text.
- ``proof``: the derivation region of the proof format (between ``Proof:\\n`` and
  ``\\nFinal Answer:``), inside its ``target`` span, so proof-weighted losses can up-weight it.

Project templates mark these regions with ``{% generation %}`` / ``{% proof %}`` and the spans
come straight from the render. A foreign template (loaded by path) has no marks; its spans come
from the serving-prompt prefix trick: assistant turn j starts where
``render(messages[:j], add_generation_prompt=True)`` ends and ends where
``render(messages[:j+1])`` ends, less its trailing newlines. A turn whose prompt or render is
not a prefix of the whole rendering gets no span: it is context, not target. For Qwen3-style
templates that is every turn but the last (an earlier turn loses the think block it was served
with), so a foreign template learns fewer turns than the project's marked one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyarrow as pa

from curation.render.conversation import Span, render

SPAN_TYPE = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("kind", pa.string())])
SPANS_TYPE = pa.list_(SPAN_TYPE)


def prefix_spans(template, messages: list[dict], text: str, **context) -> list[Span]:
    """Target spans of each assistant turn of a foreign (unmarked) template, by prefix renders."""
    spans = []
    for j, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        prompt, _ = render(template, messages[:j], add_generation_prompt=True, **context)
        through, _ = render(template, messages[: j + 1], add_generation_prompt=False, **context)
        through = through.rstrip("\n")
        if text.startswith(prompt) and text.startswith(through) and len(through) > len(prompt):
            spans.append((len(prompt), len(through), "target"))
    return spans


def token_spans(
    text: str, spans: Sequence[Span], encode: Callable[[str], list[int]]
) -> tuple[list[Span], int]:
    """(token spans, token count of `text`): each char span mapped to [first token, end token).

    The text is encoded in pieces cut at every span boundary, so the mapping is exact when each
    boundary is a token boundary, which holds for ChatML targets (they start after the
    role-header newline and end on a special token). Linear in the text length.
    """
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    position = {0: 0}
    count = 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        count += len(encode(text[a:b]))
        position[b] = count
    return [(position[s], position[e], k) for s, e, k in spans], count
