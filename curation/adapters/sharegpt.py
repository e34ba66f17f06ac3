"""ShareGPT: {id?, conversations: [{from, value}]}, and LLaMA-Factory's variant with
top-level `system` and `tools` columns (glaive_toolcall_en_demo.json).

The one role map for every ShareGPT-shaped source (openhermes and distill_sharegpt reuse
`sharegpt_messages`). A `from` the map does not know is kept as written, so the driver
drops the row as `malformed:unknown_role` naming it, rather than guessing who spoke.
A `function_call` turn becomes an assistant turn with empty content and `tool_calls`;
`observation` (the tool's answer) becomes a tool turn.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, extra_json, json_text, message, with_system
from curation.adapters.tool_calls import calls_from_json
from curation.readers.base import opt, req

ROLE_MAP = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "function_call": "assistant",
    "observation": "tool",
    "tool": "tool",
    "function": "tool",
}

TURN = pa.struct([pa.field("from", pa.string()), pa.field("value", pa.string())])


def _turn(t: pl.Expr, with_calls: bool) -> pl.Expr:
    origin = t.struct.field("from")
    tag = origin.str.to_lowercase()
    role = pl.when(tag.is_in(list(ROLE_MAP))).then(tag.replace(ROLE_MAP)).otherwise(origin)
    value = t.struct.field("value")
    if not with_calls:
        return message(role, value)
    is_call = tag == "function_call"
    return message(
        role,
        pl.when(is_call).then(pl.lit("")).otherwise(value),
        # "" marks a call that is not JSON: the row is dropped, so the marker never leaves.
        tool_calls=pl.when(is_call).then(calls_from_json(pl.when(is_call).then(value)).fill_null("")),
    )


def sharegpt_messages(df: pl.DataFrame, column: str = "conversations") -> pl.DataFrame:
    """`messages`, `_reason`, `_detail` for a ShareGPT conversations column of `df`.

    Building tool calls takes a few dozen string expressions per turn and most batches have
    no function_call turn at all, so it is done only when the batch holds one (a per-batch
    check; the result is the same either way). `_reason` flags a function_call that is not
    a JSON call.
    """
    conversations = pl.col(column)
    is_call = pl.element().struct.field("from").str.to_lowercase() == "function_call"
    with_calls = bool(df.select(conversations.list.eval(is_call).list.any().any()).item())
    out = df.select(conversations.list.eval(_turn(pl.element(), with_calls)).alias("messages"))
    bad = pl.col("messages").list.eval(pl.element().struct.field("tool_calls") == "").list.any()
    return out.with_columns(
        pl.when(bad).then(pl.lit("malformed:tool_call")).alias("_reason"),
        pl.when(bad)
        .then(pl.lit("a function_call turn is not JSON {name, arguments} (or a list of them)"))
        .alias("_detail"),
    )


class ShareGPT(Adapter):
    name = "sharegpt"
    kind = "chat"
    description = (
        "ShareGPT / FastChat (dummy_conversation.json), LLaMA-Factory sharegpt with tools "
        "(glaive_toolcall_en_demo.json): id?, conversations [{from, value}], system?, tools?"
    )
    input_schema = pa.schema(
        [
            opt("id", pa.string()),
            req("conversations", pa.list_(TURN)),
            opt("system", pa.string()),
            json_text("tools"),
        ]
    )
    id_field = "id"

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.hstack(sharegpt_messages(df)).select(
            with_system(pl.col("system"), pl.col("messages")).alias("messages"),
            extra_json(df, ["tools"], json_names=("tools",)).alias("extra"),
            "_reason",
            "_detail",
        )
