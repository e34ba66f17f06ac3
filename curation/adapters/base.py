"""The adapter contract and the driver that applies an adapter to a batch.

An adapter maps one public schema to the canonical record. It declares the input
fields it reads (`input_schema`, with required ones marked) and implements `map`, a
vectorised polars transform of a whole batch. The driver (`adapt`) does what every
adapter needs the same way: required-field checks, stable ids, chat-shape validation,
splitting rows into kept and dropped with a reason code each.
"""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np
import polars as pl
import polars_hash as plh
import pyarrow as pa

from curation.accounting import DROP_SCHEMA, StageResult, excerpt
from curation.readers.base import RawBatch, required_fields
from curation.record import CANONICAL_SCHEMA, META_FIELDS, ROLES

STAGE = "adapt"

# Columns an adapter's `map` may return; anything it leaves out is null.
MAP_COLUMNS = ("messages", "text", *META_FIELDS, "extra", "_reason", "_detail")


class Adapter:
    """Base class: subclasses set the class attributes and implement `map`."""

    name: ClassVar[str]
    kind: ClassVar[str]  # "chat" or "text"
    description: ClassVar[str]  # one line for the README's adapters table
    input_schema: ClassVar[pa.Schema]
    id_field: ClassVar[str | None] = None  # the source's own id column, if it has one

    def __init__(self, **options: object) -> None:
        unknown = set(options) - set(self.option_names())
        if unknown:
            raise ValueError(
                f"adapter {self.name!r} has no option(s) {sorted(unknown)}; "
                f"it takes {sorted(self.option_names()) or 'none'}"
            )
        self.options = options

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        """Options a manifest may pass (e.g. `domain` for STEM sets)."""
        return ()

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        """Map a batch (columns = input_schema) to canonical columns, same rows, same order.

        Return any of MAP_COLUMNS: `messages` (list of {role, content, reasoning,
        tool_calls}) for chat adapters or `text` for text adapters, the meta fields,
        `extra` (a JSON string), and `_reason` / `_detail` (null unless the row cannot be
        mapped; the reason must start with `malformed:`).
        """
        raise NotImplementedError


# --- helpers shared by adapters -------------------------------------------------------

def json_text(name: str, required: bool = False) -> pa.Field:
    """An input field whose value may be any JSON value (dolma's `metadata` object,
    RedPajama's `meta` that is an object in one dump and a JSON string in another, a
    `tools` list, an id that is a number): a reader hands a string over as it is and
    anything else as its compact JSON text with keys sorted, where a plain string field
    would refuse the row. Marked `coerce=json`, next to the readers' `coerce=string`."""
    metadata = {"coerce": "json", **({"required": "true"} if required else {})}
    return pa.field(name, pa.string(), metadata=metadata)


def is_json_text(field: pa.Field) -> bool:
    return bool(field.metadata) and field.metadata.get(b"coerce") == b"json"


def message(
    role: pl.Expr, content: pl.Expr, reasoning: pl.Expr | None = None, tool_calls: pl.Expr | None = None
) -> pl.Expr:
    """One canonical message struct (`tool_calls`: a JSON list of {name, arguments}, or null)."""
    return pl.struct(
        role.cast(pl.String).alias("role"),
        content.cast(pl.String).alias("content"),
        (reasoning if reasoning is not None else pl.lit(None)).cast(pl.String).alias("reasoning"),
        (tool_calls if tool_calls is not None else pl.lit(None)).cast(pl.String).alias("tool_calls"),
    )


def nonempty(text: pl.Expr) -> pl.Expr:
    """`text` where it holds more than whitespace, else null (an empty system prompt is no turn)."""
    return pl.when(text.str.strip_chars() != "").then(text)


def with_system(system: pl.Expr, messages: pl.Expr) -> pl.Expr:
    """`messages` with a system turn in front where `system` is non-empty (LLaMA-Factory's
    `system` column, OpenOrca's system_prompt); the turns themselves are left as they are."""
    turn = message(pl.lit("system"), system)
    keep = (system.str.strip_chars() != "").fill_null(False).cast(pl.Int64)
    return pl.concat_list(pl.concat_list(turn).list.head(keep), messages)


def join_nonempty(*parts: pl.Expr, sep: str = "\n\n") -> pl.Expr:
    """Join string columns with `sep`, skipping null and empty parts (alpaca's instruction + input)."""
    return pl.concat_str([nonempty(p) for p in parts], separator=sep, ignore_nulls=True)


Turn = tuple[str, pl.Expr, "pl.Expr | None"]  # (role, content, reasoning or None)


def conversation(df: pl.DataFrame, turns: list[Turn], system: pl.Expr | None = None) -> pl.Series:
    """The `messages` column of a schema with fixed turns per row (prompt, response, ...).

    `system`, when given, becomes a first turn only where it is non-empty. Built as one
    Arrow list array from offsets: pl.concat_list over message structs costs ~5 µs a row,
    which made it the largest cost of a whole ingest (benchmarks/results/ingest_profile.md).
    """
    if system is not None:
        turns = [("system", nonempty(system), None), *turns]
    n, k = df.height, len(turns)
    cols = df.select(
        *(content.cast(pl.String).alias(f"c{i}") for i, (_, content, _) in enumerate(turns)),
        *(
            (reasoning if reasoning is not None else pl.lit(None)).cast(pl.String).alias(f"r{i}")
            for i, (_, _, reasoning) in enumerate(turns)
        ),
    )
    present = np.ones((n, k), dtype=bool)
    if system is not None:
        present[:, 0] = cols["c0"].is_not_null().to_numpy()
    # Row-major positions into the turn-major concatenation of the k columns, present turns only.
    take = (np.arange(k)[None, :] * n + np.arange(n)[:, None])[present]
    contents = pl.concat([cols[f"c{i}"] for i in range(k)]).gather(take)
    reasonings = pl.concat([cols[f"r{i}"] for i in range(k)]).gather(take)
    roles = pl.Series([role for role, _, _ in turns]).gather(take // max(n, 1))
    values = pl.DataFrame(
        {
            "role": roles,
            "content": contents,
            "reasoning": reasonings,
            "tool_calls": pl.Series([None] * len(take), dtype=pl.String),
        }
    ).to_struct("item")
    offsets = np.concatenate([[0], np.cumsum(present.sum(axis=1))]).astype(np.int32)
    lists = pa.ListArray.from_arrays(pa.array(offsets), values.to_arrow())
    return pl.Series("messages", lists)


def json_quote(text: pl.Expr) -> pl.Expr:
    """The JSON literal of a column's values (a string becomes `"..."` with escapes; null becomes `null`)."""
    return pl.struct(text.alias("v")).struct.json_encode().str.strip_prefix('{"v":').str.strip_suffix("}")


def json_embed(text: pl.Expr) -> pl.Expr:
    """JSON text to splice into a larger JSON document: valid JSON is kept (objects and arrays
    compacted), anything else becomes a JSON string, so the result is always valid JSON."""
    compact = text.str.json_path_match("$")
    stripped = text.str.strip_chars()
    is_container = stripped.str.starts_with("{") | stripped.str.starts_with("[")
    return (
        pl.when(compact.is_not_null() & is_container)
        .then(compact)
        .when(compact.is_not_null())
        .then(stripped)
        .otherwise(json_quote(text))
    )


def extra_json(df: pl.DataFrame, names: list[str], json_names: tuple[str, ...] = ()) -> pl.Expr:
    """A JSON object (keys sorted) of the given original columns, for meta.extra.

    Null values are left out and a row with nothing to keep gets null, so sources whose
    optional columns are absent carry no `{"k": null}` noise. Columns in `json_names` hold
    JSON text (a tools list, a metadata object) and are embedded as JSON, not as a string.
    """
    present = sorted(n for n in names if n in df.columns)
    if not present:
        return pl.lit(None, dtype=pl.String)
    pairs = []
    for name in present:
        col = pl.col(name)
        value = json_embed(col.cast(pl.String)) if name in json_names else json_quote(col)
        pairs.append(pl.when(col.is_not_null()).then(pl.lit(f"{json_quote_str(name)}:") + value))
    # Joined as strings: a list of the pairs (concat_list, drop_nulls, join) cost as much as
    # encoding the values. A present pair is never empty, so an empty body means no pairs.
    body = pl.concat_str(pairs, separator=",", ignore_nulls=True)
    return pl.when(body != "").then(pl.lit("{") + body + pl.lit("}"))


def json_quote_str(name: str) -> str:
    """JSON literal of a Python string (for keys known when the expression is built)."""
    return json.dumps(name, ensure_ascii=False)


def split_think(messages: pl.Expr) -> pl.Expr:
    """Move `<think>...</think>` out of assistant contents into `reasoning`.

    Mirrors the official Qwen3 template's own split, so rendering the row again gives back
    the text it came from: reasoning = the part before the first `</think>`, after a
    leading `<think>`, with newlines trimmed; content = the part after it, left newlines
    trimmed. A turn that already has reasoning keeps it.
    """

    def one(m: pl.Expr) -> pl.Expr:
        content = m.struct.field("content")
        is_split = (m.struct.field("role") == "assistant") & content.str.contains("</think>", literal=True)
        parts = content.str.splitn("</think>", 2)
        before = parts.struct.field("field_0").str.strip_chars_end("\n")
        # Named once: list.eval does not share repeated subexpressions, and each strip copies
        # the whole reasoning text (split_think was the adapt step's largest cost).
        lead = before.str.strip_chars_start()
        thought = (
            pl.when(lead.str.starts_with("<think>"))
            .then(lead.str.strip_prefix("<think>"))
            .otherwise(before)
            .str.strip_chars_start("\n")
        )
        after = parts.struct.field("field_1").str.strip_chars_start("\n")
        reasoning = m.struct.field("reasoning")
        return m.struct.with_fields(
            pl.when(is_split).then(after).otherwise(content).alias("content"),
            pl.when(is_split).then(pl.coalesce(reasoning, thought)).otherwise(reasoning).alias("reasoning"),
        )

    return messages.list.eval(one(pl.element()))


# --- the driver ----------------------------------------------------------------------


def _first_problem(checks: list[tuple[pl.Expr, str, pl.Expr]]) -> tuple[pl.Expr, pl.Expr]:
    """(reason, detail) expressions: the first check (condition, reason, detail) that holds."""
    reason = pl.lit(None, dtype=pl.String)
    detail = pl.lit(None, dtype=pl.String)
    for cond, code, text in reversed(checks):
        reason = pl.when(cond).then(pl.lit(code)).otherwise(reason)
        detail = pl.when(cond).then(text).otherwise(detail)
    return reason, detail


def _chat_checks(messages: pl.Expr) -> list[tuple[pl.Expr, str, pl.Expr]]:
    roles = messages.list.eval(pl.element().struct.field("role"))
    contents = messages.list.eval(pl.element().struct.field("content"))
    bad_role = roles.list.eval(pl.element().is_null() | ~pl.element().is_in(list(ROLES)))
    assistant_contents = messages.list.eval(
        pl.element().filter(pl.element().struct.field("role") == "assistant").struct.field("content")
    )
    return [
        (messages.is_null() | (messages.list.len() == 0), "malformed:empty_conversation", pl.lit("the conversation has no turns")),
        (
            bad_role.list.any(),
            "malformed:unknown_role",
            pl.lit("unknown role(s) ")
            + roles.list.eval(pl.element().fill_null("<null>"))
            .list.eval(pl.element().filter(~pl.element().is_in(list(ROLES))))
            .list.unique(maintain_order=True)
            .list.join(", "),
        ),
        (contents.list.eval(pl.element().is_null()).list.any(), "malformed:missing_field", pl.lit("a turn has no content")),
        (~roles.list.contains("assistant"), "malformed:no_assistant_turn", pl.lit("no assistant turn to learn from")),
        (
            assistant_contents.list.eval(pl.element().str.contains("<think>|</think>")).list.any(),
            "malformed:think_markup",
            pl.lit("<think> markup left in an assistant turn (unclosed or repeated think block)"),
        ),
    ]


def _raw_json(df: pl.DataFrame) -> pl.Expr:
    return pl.struct(df.columns).struct.json_encode()


HASHED_ID_PREFIX = "sha256:"


def row_ids(df: pl.DataFrame, id_field: str | None) -> pl.Expr:
    """The source's own id when present and non-empty, else `sha256:` + the SHA-256 (hex) of
    the row's canonical JSON.

    The canonical JSON is the adapter's input fields, in input-schema order, as polars
    encodes them: the same row read from JSONL, Parquet or the hub gets the same id.
    """
    # The prefix tells a content id from a source's own id at a glance (and lets ingest
    # tell a repeated row from a repeated source id).
    hashed = pl.lit(HASHED_ID_PREFIX) + plh.col("_raw").chash.sha2_256()
    if id_field is None:
        return hashed
    own = pl.col(id_field).cast(pl.String)
    return pl.when(own.is_not_null() & (own.str.strip_chars() != "")).then(own).otherwise(hashed)


def adapt(adapter: Adapter, batch: RawBatch, source: str) -> StageResult:
    """Apply `adapter` to a batch: canonical rows kept, malformed rows dropped with reasons."""
    df = pl.from_arrow(batch.table)
    assert isinstance(df, pl.DataFrame)
    df = df.with_columns(_raw_json(df).alias("_raw"), pl.Series("_pos", batch.positions))
    df = df.with_columns(row_ids(df, adapter.id_field).alias("_id"))

    missing = [
        (pl.col(name).is_null(), "malformed:missing_field", pl.lit(f"required field {name!r} is missing or null"))
        for name in required_fields(adapter.input_schema)
    ]
    req_reason, req_detail = _first_problem(missing)
    df = df.with_columns(req_reason.alias("_req_reason"), req_detail.alias("_req_detail"))

    mapped = adapter.map(df.drop("_raw", "_pos", "_id", "_req_reason", "_req_detail"))
    if mapped.height != df.height:
        raise RuntimeError(f"adapter {adapter.name} returned {mapped.height} rows for {df.height}")
    cols = {
        name: mapped[name] if name in mapped.columns else pl.Series(name, [None] * df.height, pl.String)
        for name in MAP_COLUMNS
        if name != "messages"
    }
    out = df.select("_raw", "_pos", "_id", "_req_reason", "_req_detail").with_columns(**cols)
    if adapter.kind == "chat":
        out = out.with_columns(mapped["messages"].alias("messages"))
        out = out.with_columns(split_think(pl.col("messages")).alias("messages"))
        checks = _chat_checks(pl.col("messages"))
    else:
        checks = [
            (pl.col("text").is_null(), "malformed:missing_field", pl.lit("the document has no text")),
            (pl.col("text").str.strip_chars() == "", "malformed:empty_text", pl.lit("the document text is empty")),
        ]
    shape_reason, shape_detail = _first_problem(checks)
    out = out.with_columns(
        pl.coalesce("_req_reason", "_reason", shape_reason).alias("_why"),
        pl.when(pl.col("_req_reason").is_not_null())
        .then(pl.col("_req_detail"))
        .when(pl.col("_reason").is_not_null())
        .then(pl.col("_detail"))
        .otherwise(shape_detail)
        .alias("_what"),
    )

    good = out.filter(pl.col("_why").is_null())
    bad = out.filter(pl.col("_why").is_not_null())
    kept = _canonical(good, adapter, source)
    dropped = pa.table(
        {
            "source": [source] * bad.height,
            "stage": [STAGE] * bad.height,
            "reason": bad["_why"].to_list(),
            "detail": bad["_what"].to_list(),
            "id": bad["_id"].to_list(),
            "file": [batch.file] * bad.height,
            "line": bad["_pos"].to_list(),
            "duplicate_of": [None] * bad.height,
            "similarity": [None] * bad.height,
            "raw": [excerpt(r) for r in bad["_raw"].to_list()],
        },
        schema=DROP_SCHEMA,
    )
    return StageResult(kept=kept, dropped=dropped)


def _canonical(good: pl.DataFrame, adapter: Adapter, source: str) -> pa.Table:
    n = good.height
    meta = good.select(pl.struct([pl.col(f).cast(pl.String) for f in (*META_FIELDS, "extra")]).alias("meta"))["meta"]
    is_chat = adapter.kind == "chat"
    table = pa.table(
        {
            "id": good["_id"].to_arrow(),
            "source": pa.array([source] * n, pa.string()),
            "kind": pa.array([adapter.kind] * n, pa.string()),
            "messages": _compact(good["messages"].to_arrow()) if is_chat else pa.nulls(n),
            "text": pa.nulls(n, pa.string()) if is_chat else good["text"].cast(pl.String).to_arrow(),
            "meta": meta.to_arrow(),
        }
    )
    return table.cast(CANONICAL_SCHEMA)


def _compact(lists: pa.Array) -> pa.Array:
    """The list array with only the child values its rows reference.

    Polars filters a list column by slicing offsets and keeps the dropped rows' turns in
    the child array; the cast to the canonical schema checks non-nullable fields over the
    whole child, so a dropped row's null content would fail the kept rows' cast.
    A batch without drops references its whole child already: the take (a copy of every
    turn) is skipped then.
    """
    offsets = lists.offsets
    if lists.null_count == 0 and offsets[0].as_py() == 0 and offsets[-1].as_py() == len(lists.values):
        return lists
    return lists.take(pa.array(range(len(lists)), pa.int64()))
