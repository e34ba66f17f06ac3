"""The Jinja2 environment chat templates are rendered in, set up the way transformers'
``apply_chat_template`` sets it up, plus a recorder for ``{% generation %}`` blocks.

transformers compiles a chat template in ``jinja2.sandbox.ImmutableSandboxedEnvironment``
with ``trim_blocks=True, lstrip_blocks=True``, the ``loopcontrols`` extension, its own
``tojson`` filter (``json.dumps`` with ``ensure_ascii=False`` by default, unlike Jinja's
HTML-safe one) and the globals ``raise_exception`` and ``strftime_now``. Any difference
here changes bytes the model sees, so it is reproduced exactly, except ``strftime_now``:
it formats a fixed date (Llama 3.1's own fallback date) so that renders are deterministic.

``{% generation %}...{% endgeneration %}`` is transformers' tag for "the assistant writes
this" (``return_assistant_tokens_mask``); it renders its body unchanged. The project's
templates wrap every learned region in it, and ``{% proof %}...{% endproof %}`` the
derivation region of the proof format, so the character span of each learned region is
recorded while rendering, with no sentinel text and no re-rendering.
"""

from __future__ import annotations

import contextvars
import json
from dataclasses import dataclass, field
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Llama 3.1's template prints this date when strftime_now is missing; using it keeps shards
# byte-identical from run to run (datetime.now() would not).
FIXED_NOW = datetime(2024, 7, 26)

# Span kinds: "target" is learned text, "proof" the learned derivation region of the proof format.
TAG_KINDS = {"generation": "target", "proof": "proof"}


@dataclass
class Recorder:
    """Output of one render as it streams out, and the learned regions marked in it.

    marks: (start, end, kind, text), start/end in characters (code points) of the output.
    """

    length: int = 0
    chunks: list[str] = field(default_factory=list)
    marks: list[tuple[int, int, str, str]] = field(default_factory=list)

    def add(self, chunk: str) -> None:
        self.chunks.append(chunk)
        self.length += len(chunk)

    def mark(self, kind: str, text: str) -> None:
        # The body is rendered but not yet yielded, so everything before it is in `chunks`.
        self.marks.append((self.length, self.length + len(text), kind, text))


_RECORDER: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("render_recorder", default=None)


class SpanMarks(Extension):
    """``{% generation %}`` (kind "target") and ``{% proof %}`` (kind "proof") blocks."""

    tags = set(TAG_KINDS)

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        token = next(parser.stream)
        body = parser.parse_statements((f"name:end{token.value}",), drop_needle=True)
        call = self.call_method("_mark", [nodes.Const(TAG_KINDS[token.value])])
        return nodes.CallBlock(call, [], [], body).set_lineno(token.lineno)

    def _mark(self, kind: str, caller) -> str:
        text = caller()
        recorder = _RECORDER.get()
        if recorder is not None:
            recorder.mark(kind, text)
        return text


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False) -> str:
    """transformers' ``tojson``: plain ``json.dumps``, non-ASCII kept, keys in given order."""
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def raise_exception(message: str):
    raise jinja2.exceptions.TemplateError(message)


def strftime_now(fmt: str) -> str:
    return FIXED_NOW.strftime(fmt)


def make_environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[SpanMarks, "jinja2.ext.loopcontrols"]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


_ENV: ImmutableSandboxedEnvironment | None = None


def environment() -> ImmutableSandboxedEnvironment:
    """The process-wide environment (compiled templates are cached per template object)."""
    global _ENV
    if _ENV is None:
        _ENV = make_environment()
    return _ENV


def render_recorded(template: jinja2.Template, context: dict) -> tuple[str, list[tuple[int, int, str]]]:
    """(text, [(start, end, kind)]) for one render; spans in characters, end exclusive.

    Each mark is checked against the final text: a ``{% generation %}`` block inside a
    macro or a ``{% set %}`` block is rendered into a buffer, not the output, and would
    record a wrong offset; that raises rather than mislabel what a trainer learns.
    """
    recorder = Recorder()
    token = _RECORDER.set(recorder)
    try:
        for chunk in template.generate(**context):
            recorder.add(chunk)
    finally:
        _RECORDER.reset(token)
    text = "".join(recorder.chunks)
    for start, end, _, body in recorder.marks:
        if text[start:end] != body:
            raise jinja2.exceptions.TemplateError(
                "a {% generation %} block was rendered outside the output stream (inside a macro or "
                "{% set %} block?): its span cannot be located"
            )
    return text, [(s, e, k) for s, e, k, _ in recorder.marks if e > s]
