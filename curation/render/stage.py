"""The render stage over a run: canonical rows -> rendered text, loss spans and token counts.

Per batch: rows whose message content holds special-token text (a user writing
``<|im_end|>``) are dropped as ``injection:special_token`` or escaped (``special_text``), so
the chat template's markup is the only source of control tokens; the rest are rendered
(``render_batch``: ``template_mismatch`` and ``no_target`` drops) and counted in one batched
token count (token_counts.py). The output run has the layout of any run (summary, dropped
rows, counts) with parts of RENDERED_SCHEMA instead of canonical rows: it is what the mix
sampler reads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from curation.executor import Executor, parse_executor
from curation.filters.base import Verdicts, apply_verdicts
from curation.ingest import ROWS_PER_PART, write_summary
from curation.record import META_TYPE
from curation.render.batch import render_batch
from curation.render.consistency import check_mix_template
from curation.render.identity import identity_system_message
from curation.render.spans import SPANS_TYPE
from curation.render.templates import load_template
from curation.render.token_counts import count_tokens_and_spans
from curation.source_stages import BatchStage, check_run_dirs, run_source_stages, run_sources_stages
from curation.summary import RunSummary
from curation.tokens import INJECTION_REASON, get_tokenizer

STAGE = "render"
SPECIAL_TEXT_ACTIONS = ("drop", "escape")

RENDERED_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("n_tokens", pa.int64(), nullable=False),
        pa.field("spans", SPANS_TYPE, nullable=False),
        pa.field("token_spans", SPANS_TYPE, nullable=False),
        pa.field("meta", META_TYPE, nullable=False),
    ],
    metadata={"title": "curation rendered row", "version": "1"},
)


@dataclass(frozen=True)
class RenderOptions:
    """template / serving_template: names (qwen3, qwen3-nothink, qwen2.5, proof) or paths; the
    serving template defaults to the template. identity_name / identity_maker: the default
    system message ("You are {name}, a helpful assistant created by {maker}.") for templates
    that insert one. special_text: "drop" rows whose content holds special-token text, or
    "escape" it (U+200B after its first character). check: the train/serve prefix check."""

    template: str = "qwen3-nothink"
    serving_template: str | None = None
    enable_thinking: bool = False
    identity_name: str | None = None
    identity_maker: str | None = None
    tokenizer: str = "qwen3"
    special_text: str = "drop"
    check: bool = True

    def __post_init__(self) -> None:
        if self.special_text not in SPECIAL_TEXT_ACTIONS:
            raise ValueError(f"special_text must be one of {SPECIAL_TEXT_ACTIONS}, got {self.special_text!r}")
        if (self.identity_name is None) != (self.identity_maker is None):
            raise ValueError("give both identity_name and identity_maker, or neither")
        if self.template == "qwen3-nothink" and self.identity_name is None:
            raise ValueError("template qwen3-nothink inserts an identity system message: give identity_name and identity_maker")
        # Fail before any row: unknown names, missing files, a mix template the server does not use.
        load_template(self.template)
        if self.serving_template is not None:
            check_mix_template(load_template(self.template), load_template(self.serving_template))
        get_tokenizer(self.tokenizer)

    @property
    def system_message(self) -> str | None:
        if self.identity_name is None:
            return None
        return identity_system_message(self.identity_name, self.identity_maker or "")


def render_table(table: pa.Table, options: RenderOptions) -> tuple[pa.Table, Verdicts]:
    """(RENDERED_SCHEMA rows of the kept rows, verdicts for every row of `table`)."""
    tok = get_tokenizer(options.tokenizer)
    n = table.num_rows
    table, injected = _screen_special_text(table, tok, options.special_text)
    rendered, verdicts = render_batch(
        table.filter(pa.array(~injected)) if injected.any() else table,
        options.template,
        enable_thinking=options.enable_thinking,
        system_message=options.system_message,
        serving_template=options.serving_template,
        check=options.check,
    )
    texts = rendered.column("text").to_pylist()
    n_tokens, token_spans = count_tokens_and_spans(texts, rendered.column("spans").to_pylist(), tok)
    kept_ids = pl.Series(rendered.column("id"), dtype=pl.String)
    meta = pl.from_arrow(table.select(["id", "meta"])).filter(pl.col("id").is_in(kept_ids.implode()))
    out = pa.table(
        {
            "id": rendered.column("id"),
            "source": rendered.column("source"),
            "text": rendered.column("text").cast(pa.large_string()),
            "n_tokens": pa.array(n_tokens, pa.int64()),
            "spans": rendered.column("spans"),
            "token_spans": pa.array(token_spans, SPANS_TYPE),
            "meta": meta["meta"].to_arrow().cast(META_TYPE),
        },
        schema=RENDERED_SCHEMA,
    )
    reason = np.full(n, None, dtype=object)
    detail = np.full(n, None, dtype=object)
    reason[injected] = INJECTION_REASON
    detail[injected] = "message content holds special-token text (special_text=drop)"
    rest = np.flatnonzero(~injected)
    reason[rest] = verdicts.reason.to_numpy(zero_copy_only=False)
    detail[rest] = verdicts.detail.to_numpy(zero_copy_only=False)
    return out, Verdicts(pa.array(reason, pa.string()), pa.array(detail, pa.string()))


def render_run(
    in_run_dir: Path,
    out_run_dir: Path,
    options: RenderOptions,
    rows_per_part: int = ROWS_PER_PART,
    workers: Executor | int | str | None = None,
    lead: Mapping[str, tuple[str, BatchStage]] | None = None,
    only: Collection[str] | None = None,
) -> RunSummary:
    """Render every source of IN_RUN into OUT_RUN (parts of RENDERED_SCHEMA); return its summary.

    `workers`: the executor of the partitions or its spec (executor.py: N processes, "ray"; Jinja
    is Python per row, so threads would not help); the files are the same bytes for any.
    `lead`: per source, a stage run before rendering in the same pass (the mix build's sampling
    frontier, mix/frontier.py). `only`: render these sources alone (each replaces its earlier
    rendering in OUT_RUN; the summary is over every source there)."""
    names = [n for n in check_run_dirs(in_run_dir, out_run_dir) if only is None or n in only]
    lead = lead or {}
    stages = {
        name: [*([lead[name]] if name in lead else []), (STAGE, partial(render_split, options=options))]
        for name in names
    }
    run_sources_stages(in_run_dir, out_run_dir, stages, rows_per_part, RENDERED_SCHEMA, parse_executor(workers))
    return write_summary(out_run_dir)


def render_source(in_run_dir: Path, name: str, out_run_dir: Path, options: RenderOptions, rows_per_part: int) -> None:
    """Render source `name` of IN_RUN into OUT_RUN (no summary: render_run writes it)."""
    run_source_stages(
        in_run_dir, out_run_dir, name, [(STAGE, partial(render_split, options=options))], rows_per_part,
        out_schema=RENDERED_SCHEMA,
    )


def render_split(table: pa.Table, options: RenderOptions) -> tuple[pa.Table, pa.Table]:
    """(rendered rows, DROP_SCHEMA rows of the dropped ones) of one batch."""
    out, verdicts = render_table(table, options)
    _, dropped = apply_verdicts(table, verdicts, STAGE)
    return out, dropped


def _screen_special_text(table: pa.Table, tok, action: str) -> tuple[pa.Table, np.ndarray]:
    """(table, injected rows): rows whose message content or reasoning holds special-token text
    are flagged (drop) or get it escaped and are not flagged (escape)."""
    msgs = table.column("messages").combine_chunks()
    flat = msgs.flatten()
    n = table.num_rows
    if len(flat) == 0:
        return table, np.zeros(n, dtype=bool)
    lengths = msgs.value_lengths().fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    parents = np.repeat(np.arange(n), lengths)
    content, reasoning = flat.field("content"), flat.field("reasoning")
    hit = tok.find_special_text(content) | tok.find_special_text(reasoning)
    rows = np.zeros(n, dtype=bool)
    rows[parents[hit]] = True
    if action == "drop" or not hit.any():
        return table, rows if action == "drop" else np.zeros(n, dtype=bool)
    escaped = {
        "content": tok.escape_special_text(content).cast(content.type),
        "reasoning": tok.escape_special_text(reasoning).cast(reasoning.type),
    }
    fields = [escaped.get(f.name, flat.field(i)) for i, f in enumerate(flat.type)]
    items = pa.StructArray.from_arrays(fields, fields=list(flat.type))
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))  # flatten() dropped any slice offset
    lists = pa.ListArray.from_arrays(offsets, items, type=msgs.type, mask=msgs.is_null())
    index = table.schema.get_field_index("messages")
    return table.set_column(index, table.schema.field("messages"), lists), np.zeros(n, dtype=bool)
