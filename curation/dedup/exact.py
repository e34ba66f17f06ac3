"""Exact dedup: rows whose normalised key text has the same SHA-256 are duplicates.

    canonical rows -> key text (keys.py) -> SHA-256 (polars-hash, equal to hashlib)
                   -> group by hash (and source, for scope "source") -> survivor (survivor.py)

Every other row of a group is dropped with reason `exact_duplicate` and `duplicate_of` set
to the survivor's id. A row whose key text is empty (after normalisation) is never a
duplicate: an empty key says nothing about the row, and hashing it would merge unrelated rows.
All of it is polars group/sort/window work over whole tables; the result does not depend
on the input order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl
import polars_hash as plh
import pyarrow as pa

from curation.dedup import keys
from curation.dedup.decisions import split_decided
from curation.dedup.survivor import survivor_of, survivor_source_of

STAGE = "dedup_exact"
REASON = "exact_duplicate"
SCOPES = ("source", "mix")


@dataclass(frozen=True)
class ExactOptions:
    """key: see keys.KEYS; normalise: keys.STEPS; scope: "source" (duplicates within one
    source) or "mix" (across all the sources deduplicated together)."""

    key: str = "auto"
    normalise: tuple[str, ...] = keys.DEFAULT_NORMALISE
    scope: str = "source"

    def __post_init__(self) -> None:
        keys.check_key(self.key)
        object.__setattr__(self, "normalise", keys.check_steps(tuple(self.normalise)))
        if self.scope not in SCOPES:
            raise ValueError(f"unknown dedup scope {self.scope!r}; choose from {', '.join(SCOPES)}")

    def describe(self) -> str:
        return keys.describe(self.key, self.normalise)


def exact_keys(rows: pl.DataFrame | pl.LazyFrame, options: ExactOptions) -> pl.LazyFrame:
    """id, source, hash (hex SHA-256 of the key text; null when the text is empty), length
    (characters of the key text) of canonical rows."""
    text = keys.dedup_text(options.key, options.normalise)
    return (
        rows.lazy()
        .select("id", "source", text)
        .select(
            "id",
            "source",
            pl.when(pl.col("dedup_text").str.len_bytes() > 0)
            .then(plh.col("dedup_text").chash.sha2_256())
            .alias("hash"),
            pl.col("dedup_text").str.len_chars().fill_null(0).alias("length"),
        )
    )


def exact_decisions(
    key_frame: pl.DataFrame | pl.LazyFrame,
    scope: str = "source",
    priorities: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """The dropped rows of `key_frame` (exact_keys output): id, source, duplicate_of,
    duplicate_source, sorted by source and id."""
    group = ["hash"] if scope == "mix" else ["source", "hash"]
    return (
        key_frame.lazy()
        .filter(pl.col("hash").is_not_null())
        .with_columns(
            survivor_of(group, priorities).alias("duplicate_of"),
            survivor_source_of(group, priorities).alias("duplicate_source"),
        )
        .filter((pl.col("duplicate_of") != pl.col("id")) | (pl.col("duplicate_source") != pl.col("source")))
        .select("id", "source", "duplicate_of", "duplicate_source")
        .sort("source", "id")
        .collect()
    )


def split_rows(
    table: pa.Table, decisions: pl.DataFrame, options: ExactOptions, stage: str = STAGE
) -> tuple[pa.Table, pa.Table]:
    """(kept rows of `table`, DROP_SCHEMA rows for those `decisions` drop). `table` holds
    canonical rows; decisions may name rows of other tables too (they are ignored)."""
    # Name the key each row was compared on: "auto" means conversation (chat) or text.
    steps = keys.describe(options.key, options.normalise).split(", ", 1)[1]
    key = pl.lit(options.key)
    if options.key == "auto":
        key = pl.col("kind").replace_strict(keys.AUTO_KEY, return_dtype=pl.String)
    detail = pl.concat_str(
        [pl.lit("same SHA-256 of the "), key, pl.lit(f" text ({steps}) as "), pl.col("duplicate_of"),
         pl.when(pl.col("duplicate_source") != pl.col("source"))
         .then(pl.concat_str([pl.lit(" of source "), pl.col("duplicate_source")]))
         .otherwise(pl.lit(""))]
    )
    return split_decided(table, decisions, stage, REASON, detail, pl.lit(None, pl.Float64))


def exact_duplicates(
    rows: pa.Table | pl.DataFrame,
    key: str = "auto",
    normalise: tuple[str, ...] | list[str] = keys.DEFAULT_NORMALISE,
    scope: str = "source",
    priorities: Mapping[str, int] | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Exact dedup of canonical rows held in memory: (kept rows, DROP_SCHEMA rows).

    Kept rows stay in their input order; dropped rows are sorted by source and id.
    """
    options = ExactOptions(key, tuple(normalise), scope)
    table = rows.to_arrow() if isinstance(rows, pl.DataFrame) else rows
    frame = pl.from_arrow(table)
    keys.check_key_for_kinds(options.key, set(frame["kind"].unique().to_list()))
    decisions = exact_decisions(exact_keys(frame, options), options.scope, priorities)
    return split_rows(table, decisions, options)
