"""Near dedup as a stage over canonical rows: key text -> MinHash -> LSH -> verified clusters.

    rows of one scope (one source, or all sources for scope "mix"), minus exact duplicates
      -> dedup text (keys.dedup_text) -> signatures (minhash.MinHasher)
      -> survivor rank (survivor.order_exprs) -> near.near_duplicates (banding, verify, clusters)
      -> decisions: id, source, duplicate_of, duplicate_source, similarity, detail

Memory: the scope's dedup texts (the input), the signatures of one batch at a time (they
become band keys in files), one band's keys (8 bytes a row) and the shingle sets of the
rows in candidate pairs. `verify="signature"` holds every signature instead (512 bytes a
row at 128 permutations).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from curation.dedup import keys
from curation.dedup.decisions import split_decided
from curation.dedup.jaccard import ExactJaccard
from curation.dedup.minhash import MinHasher
from curation.dedup.near import STAGE, near_duplicates, near_duplicates_streamed
from curation.dedup.params import LshParams
from curation.dedup.shingle import Shingler
from curation.dedup.survivor import order_exprs

REASON = "near_duplicate"
VERIFY = ("exact", "signature", "none")
# Documents per signature batch: bounds the signatures held at once (5 MB at 128
# permutations) before they become band keys on disk.
SIGNATURE_BATCH = 10_000


@dataclass(frozen=True)
class NearOptions:
    """threshold: estimated Jaccard at or above which two rows are near duplicates (0, 1];
    num_perm: MinHash permutations; ngram: word n-gram size of shingles; bands / rows: the
    LSH banding (None: LshParams.for_threshold, banded for ~99% recall at the threshold,
    candidates then verified); verify: how a candidate pair is confirmed before a row is
    removed -- "exact" (Jaccard of the two shingle sets, jaccard.py; the default),
    "signature" (the MinHash estimate) or "none" (every LSH candidate); key / normalise: the text compared (keys.KEYS, keys.STEPS;
    shingling itself applies NFKC and lowercase); seed: of the permutations."""

    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    bands: int | None = None
    rows: int | None = None
    verify: str = "exact"
    key: str = "auto"
    normalise: tuple[str, ...] = ()
    seed: int = 1
    workers: int = 1

    def __post_init__(self) -> None:
        keys.check_key(self.key)
        object.__setattr__(self, "normalise", keys.check_steps(tuple(self.normalise)))
        self.lsh()  # validates threshold, num_perm and the banding now, before any work
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.verify not in VERIFY:
            raise ValueError(f"unknown verify {self.verify!r}; choose from {', '.join(VERIFY)}")

    def lsh(self) -> LshParams:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both bands and rows, or neither")
        if self.bands is None:
            return LshParams.for_threshold(self.threshold, self.num_perm)
        return LshParams(self.threshold, self.num_perm, self.bands, self.rows)

    def describe(self) -> str:
        p = self.lsh()
        return (
            f"word {self.ngram}-grams, {self.num_perm} permutations, LSH {p.bands}x{p.rows}, "
            f"threshold {self.threshold}, verified: {self.verify}"
        )


def near_decisions(
    rows: pl.LazyFrame,
    options: NearOptions,
    priorities: Mapping[str, int] | None = None,
    work_dir: Path | None = None,
) -> pl.DataFrame:
    """The rows of `rows` (canonical, one scope) that near dedup drops: id, source,
    duplicate_of, duplicate_source, similarity, detail."""
    text = keys.dedup_text(options.key, options.normalise)
    by, descending = order_exprs(priorities)
    frame = (
        rows.select("id", "source", text)
        .with_columns(pl.col("dedup_text").str.len_chars().fill_null(0).alias("length"))
        # Rows in survivor order: the rank is the row number, so it is a total order.
        .sort(by, descending=descending)
        .collect()
    )
    n = frame.height
    if n == 0:
        return no_decisions()
    shingler = Shingler(n=options.ngram)
    hasher = MinHasher(options.num_perm, options.seed, shingler)
    texts = frame["dedup_text"]
    batches = (
        hasher.signatures(texts.slice(lo, SIGNATURE_BATCH).to_arrow()) for lo in range(0, n, SIGNATURE_BATCH)
    )
    lsh = options.lsh()
    # near_duplicates needs ids unique in the scope: source and id together are.
    scoped_ids = (frame["source"] + "\x1f" + frame["id"]).to_arrow()
    rank = np.arange(n, dtype=np.int64)
    common = {"workers": options.workers, "work_dir": work_dir}
    if options.verify == "signature":
        # The estimate needs every signature at hand: 512 bytes a row at 128 permutations.
        sigs = np.concatenate(list(batches))
        result = near_duplicates(scoped_ids, sigs, rank, lsh.bands, lsh.rows, options.threshold, **common)
    else:
        # Signatures are streamed into band keys and let go; candidates are verified (and
        # similarities reported) by the exact Jaccard of the two texts' shingle sets.
        result = near_duplicates_streamed(
            scoped_ids, rank, batches, lsh.bands, lsh.rows, options.threshold,
            ExactJaccard(texts, shingler), verify=options.verify == "exact", **common,
        )
    return decisions_of(frame[result.removed], frame[result.duplicate_of_row], result.similarity, options)


def decisions_of(
    removed: pl.DataFrame, survivors: pl.DataFrame, similarity: np.ndarray, options: NearOptions
) -> pl.DataFrame:
    """The decisions frame from the removed rows, their survivors (id, source; row for row) and
    the similarity of each pair, sorted by source and id."""
    return pl.DataFrame(
        {
            "id": removed["id"],
            "source": removed["source"],
            "duplicate_of": survivors["id"],
            "duplicate_source": survivors["source"],
            "similarity": similarity,
        }
    ).with_columns(
        pl.format(
            "near duplicate of {}{} (Jaccard {} {} {}; {})",
            "duplicate_of",
            pl.when(pl.col("duplicate_source") != pl.col("source"))
            .then(pl.format(" of source {}", "duplicate_source"))
            .otherwise(pl.lit("")),
            pl.col("similarity").round(4),
            # unverified candidates may lie below the threshold: say so, not ">="
            pl.lit(">=" if options.verify != "none" else "vs threshold"),
            pl.lit(options.threshold),
            pl.lit(options.describe()),
        ).alias("detail")
    ).sort("source", "id")


def no_decisions() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "id": pl.String,
            "source": pl.String,
            "duplicate_of": pl.String,
            "duplicate_source": pl.String,
            "similarity": pl.Float64,
            "detail": pl.String,
        }
    )


def split_near(table: pa.Table, decisions: pl.DataFrame) -> tuple[pa.Table, pa.Table]:
    """(kept rows of `table`, DROP_SCHEMA rows of those `decisions` drop)."""
    return split_decided(table, decisions, STAGE, REASON, pl.col("detail"), pl.col("similarity"))
