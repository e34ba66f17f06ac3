"""The render stage over a batch of canonical rows: text + loss spans, train/serve checked.

Chat rows render through the mix's chat template; text rows (kind "text") are their text,
all of it a ``target`` span. With ``enable_thinking=False`` a template that renders thinking
(it prints ``<think>``) is given no reasoning: the no-thinking recipe trains on answers only,
as the server prompts with an empty think block. The proof format keeps the reasoning (it is
the derivation).

The consistency check (on by default) drops rows whose serving prompt is not a prefix of their
rendering (``template_mismatch``, :mod:`curation.render.consistency`); rows with no assistant
turn have nothing to learn and are dropped with ``no_target``. Jinja rendering is Python per
row by nature; everything else is column work.
"""

from __future__ import annotations

import pyarrow as pa

from curation.filters.base import Verdicts
from curation.render.consistency import MISMATCH, mismatch_detail, serving_prompt
from curation.render.conversation import TemplateError, last_assistant, render
from curation.render.messages import hf_messages, tools_of
from curation.render.spans import SPANS_TYPE, prefix_spans, token_spans
from curation.render.templates import ChatTemplate, load_template

NO_TARGET = "no_target"


def render_schema(with_tokens: bool = False) -> pa.Schema:
    fields = [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("spans", SPANS_TYPE, nullable=False),
    ]
    if with_tokens:
        fields += [pa.field("token_spans", SPANS_TYPE), pa.field("n_tokens", pa.int64())]
    return pa.schema(fields)


def render_batch(
    table: pa.Table,
    template: ChatTemplate | str,
    *,
    enable_thinking: bool,
    system_message: str | None,
    serving_template: ChatTemplate | str | None = None,
    check: bool = True,
    tokenizer=None,
) -> tuple[pa.Table, Verdicts]:
    """(rendered kept rows, verdicts for every input row).

    table: canonical rows. template / serving_template: ChatTemplate, a known name or a path;
    the serving template defaults to the mix's own. spans: character offsets into `text`, end
    exclusive, kinds "target" / "proof". tokenizer (optional, ``encode(text, allow_special=True)``):
    adds ``token_spans`` (token offsets) and ``n_tokens``. The verdicts are aligned with `table`
    (reason null = kept, and the kept rows are the rendered table's rows, in order).

    Raises ValueError naming the row id when a template raises or fails on a row.
    """
    template = load_template(template)
    serving = load_template(serving_template) if serving_template is not None else template
    keep_reasoning = enable_thinking or "<think>" not in template.source
    columns = table.select(["id", "source", "kind", "messages", "text", "meta"]).to_pydict()
    out = {"id": [], "source": [], "text": [], "spans": [], "token_spans": [], "n_tokens": []}
    reasons: list[str | None] = []
    details: list[str | None] = []
    for row_id, source, kind, messages, text, meta in zip(*columns.values(), strict=True):
        try:
            rendered = _render_row(
                kind,
                messages,
                text,
                meta,
                template,
                serving,
                keep_reasoning,
                enable_thinking,
                system_message,
                check,
            )
        except ValueError as e:
            raise ValueError(f"row {row_id!r}: {e}") from e
        if isinstance(rendered[0], tuple):  # (reason, detail)
            reasons.append(rendered[0][0])
            details.append(rendered[0][1])
            continue
        reasons.append(None)
        details.append(None)
        text_out, spans = rendered
        out["id"].append(row_id)
        out["source"].append(source)
        out["text"].append(text_out)
        out["spans"].append([{"start": s, "end": e, "kind": k} for s, e, k in spans])
        if tokenizer is not None:
            tspans, n = token_spans(text_out, spans, lambda t: tokenizer.encode(t, allow_special=True))
            out["token_spans"].append([{"start": s, "end": e, "kind": k} for s, e, k in tspans])
            out["n_tokens"].append(n)
    schema = render_schema(tokenizer is not None)
    result = pa.table({name: out[name] for name in schema.names}, schema=schema)
    return result, Verdicts(pa.array(reasons, pa.string()), pa.array(details, pa.string()))


def _named(template: ChatTemplate, error: TemplateError, role: str = "") -> ValueError:
    """A template's own error (raise_exception, a failing expression) as a ValueError naming it."""
    return ValueError(f"{role}chat template {template.name!r} failed: {error}")


def _render_row(
    kind, messages, text, meta, template, serving, keep_reasoning, enable_thinking, system_message, check
):
    """(text, spans) for a kept row, or ((reason, detail), None) for a dropped one."""
    if kind == "text":
        return text, [(0, len(text), "target")] if text else []
    hf = hf_messages(messages or [], with_reasoning=keep_reasoning)
    if last_assistant(hf) < 0:
        return (NO_TARGET, "conversation has no assistant turn: nothing to learn"), None
    tools = tools_of(meta["extra"] if meta else None)
    context = {"tools": tools, "enable_thinking": enable_thinking, "system_message": system_message}
    # try/except rather than the _naming context manager: this runs twice per row.
    try:
        rendered, spans = render(template, hf, add_generation_prompt=False, **context)
        if not template.marked:
            spans = prefix_spans(template, hf, rendered, **context)
    except TemplateError as e:
        raise _named(template, e) from e
    if check:
        try:
            prompt = serving_prompt(serving, hf, **context)
        except TemplateError as e:
            raise _named(serving, e, "serving ") from e
        if not rendered.startswith(prompt):
            return (MISMATCH, mismatch_detail(prompt, rendered)), None
    return rendered, spans
