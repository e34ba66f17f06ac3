"""Applying dedup decisions to canonical rows: kept rows plus one report row per drop.

A decisions frame names the dropped rows by (source, id) with their duplicate_of; exact and
near dedup differ only in the reason, the detail and the similarity they report.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.accounting import DROP_SCHEMA, RAW_EXCERPT_CHARS


def raw_json() -> pl.Expr:
    """The row's content as JSON ({"messages": [...]} or {"text": ...}), cut like
    accounting.excerpt (characters)."""
    raw = (
        pl.when(pl.col("kind") == "chat")
        .then(pl.struct("messages").struct.json_encode())
        .otherwise(pl.struct("text").struct.json_encode())
    )
    n = raw.str.len_chars()
    cut = pl.concat_str(
        [raw.str.slice(0, RAW_EXCERPT_CHARS), pl.lit("…[truncated "), (n - RAW_EXCERPT_CHARS).cast(pl.String),
         pl.lit(" of "), n.cast(pl.String), pl.lit(" chars]")]
    )
    return pl.when(n > RAW_EXCERPT_CHARS).then(cut).otherwise(raw).alias("raw")


def split_decided(
    table: pa.Table,
    decisions: pl.DataFrame,
    stage: str,
    reason: str,
    detail: pl.Expr,
    similarity: pl.Expr,
) -> tuple[pa.Table, pa.Table]:
    """(kept rows of `table`, DROP_SCHEMA rows for the rows `decisions` drop).

    `detail` and `similarity` are evaluated over the dropped rows joined with their
    decision columns; decisions may name rows of other tables too (they are ignored).
    """
    frame = pl.from_arrow(table).select("id", "source", "kind", "messages", "text")
    joined = frame.join(decisions, on=["source", "id"], how="left", maintain_order="left")
    hit = joined["duplicate_of"].is_not_null()
    kept = table.filter(pa.array(~hit.to_numpy(), pa.bool_()))
    report = joined.filter(hit).sort("source", "id").select(
        "source",
        pl.lit(stage).alias("stage"),
        pl.lit(reason).alias("reason"),
        detail.alias("detail"),
        "id",
        pl.lit(None, pl.String).alias("file"),
        pl.lit(None, pl.Int64).alias("line"),
        "duplicate_of",
        similarity.cast(pl.Float64).alias("similarity"),
        raw_json(),
    )
    return kept, report.to_arrow().cast(DROP_SCHEMA)
