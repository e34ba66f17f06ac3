"""OpenAI-style chat: {id?, messages: [{role, content, reasoning_content?, reasoning?,
thinking?, tool_calls?}], source?, tools?} (Tulu 3, smoltalk, most distillation dumps).

`developer` (OpenAI's newer name for system) becomes system and the legacy `function`
role becomes tool. Reasoning comes from whichever of reasoning_content (DeepSeek/vLLM),
reasoning (OpenRouter) or thinking is set; `<think>` inside content is split off by the
driver. An assistant turn that only calls tools has null content in the API; it gets "".
Content must be a string: for content given as a list of typed parts (multimodal OpenAI,
LLaMA-Factory v1) use the `openai_parts` adapter.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, extra_json, json_text, message, nonempty
from curation.adapters.tool_calls import call_json
from curation.readers.base import opt, req

ROLE_ALIASES = {"developer": "system", "function": "tool"}
# Where reasoning is found, first match wins: DeepSeek/vLLM, OpenRouter, other dumps.
REASONING_FIELDS = ("reasoning_content", "reasoning", "thinking")

TOOL_CALL = pa.struct(
    [
        pa.field("id", pa.string()),
        pa.field("type", pa.string()),
        pa.field("function", pa.struct([pa.field("name", pa.string()), pa.field("arguments", pa.string())])),
    ]
)
MESSAGE = pa.struct(
    [
        pa.field("role", pa.string()),
        pa.field("content", pa.string()),
        pa.field("reasoning_content", pa.string()),
        pa.field("reasoning", pa.string()),
        pa.field("thinking", pa.string()),
        pa.field("tool_calls", pa.list_(TOOL_CALL)),
    ]
)


def canonical_role(role: pl.Expr) -> pl.Expr:
    return role.replace(ROLE_ALIASES)


def _calls(calls: pl.Expr) -> pl.Expr:
    """A message's tool_calls list as the canonical JSON list (null when empty)."""
    fn = pl.element().struct.field("function")
    each = calls.list.eval(call_json(fn.struct.field("name"), fn.struct.field("arguments")))
    return pl.when(each.list.len() > 0).then(pl.lit("[") + each.list.join(",") + pl.lit("]"))


def _turn(m: pl.Expr) -> pl.Expr:
    field = m.struct.field
    calls = _calls(field("tool_calls"))
    reasoning = pl.coalesce([nonempty(field(name)) for name in REASONING_FIELDS])
    only_calls = field("content").is_null() & calls.is_not_null()
    content = pl.when(only_calls).then(pl.lit("")).otherwise(field("content"))
    return message(canonical_role(field("role")), content, reasoning=reasoning, tool_calls=calls)


def bad_calls(messages: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(_reason, _detail) for rows with a tool call that names no function."""
    unnamed = messages.list.eval(
        pl.element()
        .struct.field("tool_calls")
        .list.eval(pl.element().struct.field("function").struct.field("name").is_null())
        .list.any()
    ).list.any()
    return (
        pl.when(unnamed).then(pl.lit("malformed:tool_call")),
        pl.when(unnamed).then(pl.lit("a tool call has no function name")),
    )


class OpenAIMessages(Adapter):
    name = "openai_messages"
    kind = "chat"
    description = (
        "OpenAI-style chat (Tulu 3, smoltalk, ...): id?, messages [{role, content, "
        "reasoning_content|reasoning|thinking?, tool_calls?}], source?, tools?"
    )
    input_schema = pa.schema(
        [
            opt("id", pa.string()),
            req("messages", pa.list_(MESSAGE)),
            opt("source", pa.string()),
            json_text("tools"),
        ]
    )
    id_field = "id"

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        reason, detail = bad_calls(pl.col("messages"))
        return df.select(
            pl.col("messages").list.eval(_turn(pl.element())).alias("messages"),
            pl.col("source").alias("data_source"),
            extra_json(df, ["tools"], json_names=("tools",)).alias("extra"),
            reason.alias("_reason"),
            detail.alias("_detail"),
        )
