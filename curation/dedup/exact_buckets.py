"""Exact dedup partitioned for a cluster: keys per partition, then decisions per hash bucket.

    map over partitions (partitions.py) of every source in the scope:
        rows -> exact keys (exact.py: id, source, SHA-256 of the key text, length)
             -> one file per hash bucket: WORK/b<bucket>/k<partition>.parquet
    map over buckets:
        the bucket's key files -> exact_decisions (groups, survivors) -> its drops

Rows with the same hash land in the same bucket (the bucket is a function of the hash's first
16 bits), so every duplicate group is decided inside one bucket and the union of the buckets'
decisions is exactly what exact_decisions over all keys at once gives: the result depends
neither on the bucket count nor on the executor. A bucket task holds only its keys (~150 bytes
a row): KEYS_PER_BUCKET rows by default, so memory per task stays bounded however big the scope.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from curation.dedup.exact import ExactOptions, exact_decisions, exact_keys
from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.partitions import Partition, plan_partitions
from curation.record import CANONICAL_SCHEMA
from curation.source_stages import source_parts

# Keys per bucket: ~600 MB of keys in a bucket task.
KEYS_PER_BUCKET = 4_000_000
# Rows per key partition: the partitions are read whole (a few hundred MB of text at most).
KEY_PARTITION_ROWS = 50_000
_PREFIX_VALUES = 1 << 16  # the first 4 hex digits of the hash


def bucket_count(rows: int, keys_per_bucket: int = KEYS_PER_BUCKET) -> int:
    return max(1, min(_PREFIX_VALUES, math.ceil(rows / keys_per_bucket)))


def bucket_keys(partition: Partition, index: int, options: ExactOptions, buckets: int, work: str) -> None:
    """Write the keys of one partition's rows (empty key texts left out: never duplicates) into
    one file per bucket that receives any."""
    frame = pl.from_arrow(partition.read(CANONICAL_SCHEMA))
    found = exact_keys(frame, options).filter(pl.col("hash").is_not_null()).collect()
    if found.height == 0:
        return
    bucket = (pl.col("hash").str.slice(0, 4).str.to_integer(base=16) * buckets // _PREFIX_VALUES).alias("bucket")
    for (b,), part in found.with_columns(bucket).partition_by("bucket", as_dict=True, maintain_order=True).items():
        out = Path(work) / f"b{b:05d}"
        out.mkdir(parents=True, exist_ok=True)
        part.drop("bucket").write_parquet(out / f"k{index:06d}.parquet", compression="zstd", compression_level=1)


def bucket_decisions(bucket_dir: str, scope: str, priorities: Mapping[str, int] | None) -> pl.DataFrame:
    """exact_decisions over the keys of one bucket."""
    files = sorted(Path(bucket_dir).glob("k*.parquet"))
    if not files:
        return _no_decisions()
    return exact_decisions(pl.scan_parquet(files), scope, priorities)


def partitioned_exact_decisions(
    run_dir: Path,
    names: list[str],
    options: ExactOptions,
    priorities: Mapping[str, int] | None,
    executor: Executor,
    work: Path,
    keys_per_bucket: int = KEYS_PER_BUCKET,
) -> pl.DataFrame:
    """The exact-dedup drops of the scope `names` (id, source, duplicate_of, duplicate_source;
    sorted by source and id), computed through hash buckets in `work` (removed afterwards)."""
    partitions = [p for n in names for p in plan_partitions(source_parts(run_dir, n), KEY_PARTITION_ROWS)]
    buckets = bucket_count(sum(p.rows for p in partitions), keys_per_bucket)
    with scratch_dir(work):
        executor.map(bucket_keys, [(p, i, options, buckets, str(work)) for i, p in enumerate(partitions)])
        dirs = [str(work / f"b{b:05d}") for b in range(buckets)]
        found = executor.map(bucket_decisions, [(d, options.scope, priorities) for d in dirs])
    return pl.concat([_no_decisions(), *found]).sort("source", "id")


def _no_decisions() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"id": pl.String, "source": pl.String, "duplicate_of": pl.String, "duplicate_source": pl.String}
    )
