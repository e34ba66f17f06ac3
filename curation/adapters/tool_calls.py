"""Tool calls in the canonical form: a JSON list of {"name": ..., "arguments": ...}.

Sources spell a call three ways: ShareGPT's `function_call` turn holds the JSON of one call
(or a list), OpenAI messages carry `tool_calls` [{function: {name, arguments}}] with the
arguments as a JSON *string*, LLaMA-Factory v1 has `tool_call` content parts. All become
the same JSON, built with string expressions (no per-row Python): `arguments` is embedded
as a JSON object when it is JSON (so `"{\"a\": 1}"` and `{"a": 1}` give the same call) and
as a JSON string otherwise.
"""

from __future__ import annotations

import polars as pl

from curation.adapters.base import json_embed, json_quote


def call_json(name: pl.Expr, arguments: pl.Expr) -> pl.Expr:
    """`{"name":...,"arguments":...}` for one call; null where `name` is null (not a call)."""
    args = pl.when(arguments.is_null()).then(pl.lit("{}")).otherwise(json_embed(arguments))
    return pl.when(name.is_not_null()).then(
        pl.lit('{"name":') + json_quote(name) + pl.lit(',"arguments":') + args + pl.lit("}")
    )


def calls_from_json(text: pl.Expr) -> pl.Expr:
    """The canonical list for JSON text holding one call or a list of calls; null if it is neither.

    A list is kept as it is (compacted) when its first element names a function: rare
    enough in ShareGPT data that re-normalising each element is not worth a decode.
    """
    one = call_json(text.str.json_path_match("$.name"), text.str.json_path_match("$.arguments"))
    compact = text.str.json_path_match("$")
    is_list = compact.str.starts_with("[") & text.str.json_path_match("$[0].name").is_not_null()
    return pl.when(is_list).then(compact).when(one.is_not_null()).then(pl.lit("[") + one + pl.lit("]"))


def join_calls(calls: pl.Expr) -> pl.Expr:
    """Join a list of canonical call lists (`[...]` texts) into one list; null when there is none."""
    inner = calls.list.drop_nulls().list.eval(pl.element().str.strip_prefix("[").str.strip_suffix("]"))
    inner = inner.list.eval(pl.element().filter(pl.element() != ""))
    return pl.when(inner.list.len() > 0).then(pl.lit("[") + inner.list.join(",") + pl.lit("]"))
