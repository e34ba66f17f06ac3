"""Chat whose message content is a list of typed parts: LLaMA-Factory v1
(v1_sft_demo.jsonl: {messages: [{role, content: [{type, value}], loss_weight}]}) and
multimodal-style OpenAI ({messages: [{role, content: [{type, text}]}]}).

Part types (LLaMA-Factory v1's set): `text` parts joined make the content, `reasoning`
parts the reasoning, `tool_call`/`tool_calls` parts (JSON of a call, or a list) the
canonical tool_calls, `tools` parts (tool declarations) go to meta.extra, and a turn holding only those is
dropped rather than becoming an empty system turn. Any other part
(image_url, audio, ...) cannot be carried by a text record, so the row is dropped as
`malformed:non_text_content` naming the part type rather than silently losing the image.
`loss_weight` is not read: which turns are trained on is decided at render time.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, extra_json, json_text, message
from curation.adapters.openai_messages import canonical_role
from curation.adapters.tool_calls import calls_from_json, join_calls
from curation.readers.base import opt, req

PART = pa.struct([pa.field(name, pa.string()) for name in ("type", "value", "text")])
MESSAGE = pa.struct([pa.field("role", pa.string()), pa.field("content", pa.list_(PART))])
KNOWN_PARTS = ("text", "reasoning", "tool_call", "tool_calls", "tools")


def _part_text(p: pl.Expr) -> pl.Expr:
    return pl.coalesce(p.struct.field("value"), p.struct.field("text"))


def _parts_of(parts: pl.Expr, *types: str) -> pl.Expr:
    """The texts of the parts of the given types, in order."""
    el = pl.element()
    return parts.list.eval(_part_text(el).filter(el.struct.field("type").is_in(list(types))))


def _turn(m: pl.Expr) -> pl.Expr:
    parts = m.struct.field("content")
    texts = _parts_of(parts, "text")
    reasoning = _parts_of(parts, "reasoning")
    calls = join_calls(_parts_of(parts, "tool_call", "tool_calls").list.eval(calls_from_json(pl.element())))
    content = pl.when(parts.is_not_null()).then(texts.list.join(""))
    return message(
        canonical_role(m.struct.field("role")),
        content,
        reasoning=pl.when(reasoning.list.len() > 0).then(reasoning.list.join("")),
        tool_calls=calls,
    )


def _declares_tools_only(m: pl.Expr) -> pl.Expr:
    """A turn whose parts are all `tools` declarations: it carries no text, so it is no turn."""
    types = m.struct.field("content").list.eval(pl.element().struct.field("type") == "tools")
    return (types.list.len() > 0) & types.list.all()


def _problems(messages: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    el = pl.element()
    # A part without a type is named <null>; a turn without content is the driver's
    # missing_field, so its (null) entry is skipped here.
    types = messages.list.eval(
        el.struct.field("content").list.eval(el.struct.field("type").fill_null("<null>"))
    ).list.eval(el.explode())
    other = types.list.eval(el.filter(el.is_not_null() & ~el.is_in(list(KNOWN_PARTS)))).list.unique(
        maintain_order=True
    )
    call_texts = messages.list.eval(_parts_of(el.struct.field("content"), "tool_call", "tool_calls"))
    call_texts = call_texts.list.eval(el.explode())
    bad_call = call_texts.list.eval(el.is_not_null() & calls_from_json(el).is_null()).list.any()
    has_other = other.list.len() > 0
    reason = pl.when(has_other).then(pl.lit("malformed:non_text_content")).when(bad_call).then(
        pl.lit("malformed:tool_call")
    )
    detail = (
        pl.when(has_other)
        .then(pl.format("content part type(s) {} cannot be carried by a text record", other.list.join(", ")))
        .when(bad_call)
        .then(pl.lit("a tool_call part is not JSON {name, arguments} (or a list of them)"))
    )
    return reason, detail


def _tools(messages: pl.Expr) -> pl.Expr:
    """Tool declarations from `tools` parts (first one wins: a conversation declares them once)."""
    el = pl.element()
    declared = messages.list.eval(_parts_of(el.struct.field("content"), "tools"))
    return declared.list.eval(el.explode()).list.first()


class OpenAIParts(Adapter):
    name = "openai_parts"
    kind = "chat"
    description = (
        "content-parts chat: LLaMA-Factory v1 (v1_sft_demo.jsonl), multimodal-style OpenAI: "
        "id?, messages [{role, content [{type, value|text}]}], tools?"
    )
    input_schema = pa.schema([opt("id", pa.string()), req("messages", pa.list_(MESSAGE)), json_text("tools")])
    id_field = "id"

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        reason, detail = _problems(pl.col("messages"))
        frame = df.with_columns(pl.coalesce(pl.col("tools"), _tools(pl.col("messages"))).alias("tools"))
        return frame.select(
            pl.col("messages")
            .list.eval(pl.element().filter(~_declares_tools_only(pl.element()).fill_null(False)))
            .list.eval(_turn(pl.element()))
            .alias("messages"),
            extra_json(frame, ["tools"], json_names=("tools",)).alias("extra"),
            reason.alias("_reason"),
            detail.alias("_detail"),
        )
