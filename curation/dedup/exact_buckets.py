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
from curation.dedup.partition_decisions import decision_dir
from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.partitions import Partition, plan_partitions
from curation.record import CANONICAL_SCHEMA
from curation.source_stages import source_parts
from curation.work_paths import OutputDir

# Keys per bucket: ~600 MB of keys in a bucket task.
KEYS_PER_BUCKET = 4_000_000
# Fewer keys than that still make a bucket per worker, down to this many a bucket: one bucket task
# alone was a serial step of ~3% of the scale bench's exact dedup, one worker idle.
MIN_KEYS_PER_BUCKET = 50_000
# Rows per partition of both dedup stages (the same plan, so exact dedup can hand each near-dedup
# task the drops of its own rows): 10 MB of MinHash signatures at 128 permutations.
DEDUP_PARTITION_ROWS = 20_000
_PREFIX_VALUES = 1 << 16  # the first 4 hex digits of the hash


def bucket_count(rows: int, keys_per_bucket: int = KEYS_PER_BUCKET) -> int:
    return max(1, min(_PREFIX_VALUES, math.ceil(rows / keys_per_bucket)))


def bucket_keys(partition: Partition, index: int, options: ExactOptions, buckets: int, work: str) -> None:
    """Write the keys of one partition's rows (empty key texts left out: never duplicates), with
    the partition's number, into one file per bucket that receives any."""
    frame = pl.from_arrow(partition.read(CANONICAL_SCHEMA))
    found = (
        exact_keys(frame, options)
        .filter(pl.col("hash").is_not_null())
        .with_columns(pl.lit(index, pl.UInt32).alias("part"))
        .collect()
    )
    if found.height == 0:
        return
    bucket = (pl.col("hash").str.slice(0, 4).str.to_integer(base=16) * buckets // _PREFIX_VALUES).alias("bucket")
    for (b,), part in found.with_columns(bucket).partition_by("bucket", as_dict=True, maintain_order=True).items():
        out = Path(work) / f"b{b:05d}"
        out.mkdir(parents=True, exist_ok=True)
        part.drop("bucket").write_parquet(out / f"k{index:06d}.parquet", compression="zstd", compression_level=1)


def bucket_decisions(
    bucket_dir: str, scope: str, priorities: Mapping[str, int] | None, drops_dir: str | None, collect: bool = True
) -> pl.DataFrame | int:
    """exact_decisions over the keys of one bucket (collect=False: only their count). With
    `drops_dir`, the decisions also go to DROPS/p<partition>/<bucket>.parquet, so a later
    per-partition task (near dedup's, the writer's: partition_decisions.py) reads only those
    of its own rows."""
    files = sorted(Path(bucket_dir).glob("k*.parquet"))
    if not files:
        return no_exact_decisions() if collect else 0
    keys = pl.scan_parquet(files)
    found = exact_decisions(keys, scope, priorities)
    if drops_dir is not None and found.height:
        located = found.join(keys.select("source", "id", "part").collect(), on=["source", "id"], maintain_order="left")
        for (part,), rows in located.partition_by("part", as_dict=True, maintain_order=True).items():
            out = decision_dir(Path(drops_dir), part)
            out.mkdir(parents=True, exist_ok=True)
            rows.drop("part").write_parquet(out / f"{Path(bucket_dir).name}.parquet")
    return found if collect else found.height


def partitioned_exact_decisions(
    run_dir: Path,
    names: list[str],
    options: ExactOptions,
    priorities: Mapping[str, int] | None,
    executor: Executor,
    work: Path,
    keys_per_bucket: int = KEYS_PER_BUCKET,
    partition_rows: int = DEDUP_PARTITION_ROWS,
    drops_dir: Path | None = None,
    collect: bool = True,
) -> pl.DataFrame | int:
    """The exact-dedup drops of the scope `names` (id, source, duplicate_of, duplicate_source;
    sorted by source and id), computed through hash buckets in `work` (removed afterwards).
    With `drops_dir`, also each partition's drops there (bucket_decisions), the partitions
    numbered as scope_partitions numbers them; then collect=False returns only their count,
    so the caller never holds them."""
    partitions = scope_partitions(run_dir, names, partition_rows)
    rows = sum(p.rows for p in partitions)
    buckets = bucket_count(rows, executor.task_size(rows, keys_per_bucket, MIN_KEYS_PER_BUCKET))
    drops = str(drops_dir) if drops_dir is not None else None
    collect = collect or drops_dir is None
    with scratch_dir(work):
        executor.map(bucket_keys, [(p, i, options, buckets, OutputDir(work)) for i, p in enumerate(partitions)])
        dirs = [str(work / f"b{b:05d}") for b in range(buckets)]
        found = executor.map(bucket_decisions, [(d, options.scope, priorities, drops, collect) for d in dirs])
    return pl.concat([no_exact_decisions(), *found]).sort("source", "id") if collect else sum(found)


def scope_partitions(run_dir: Path, names: list[str], partition_rows: int = DEDUP_PARTITION_ROWS) -> list[Partition]:
    """The dedup partitions of a scope, numbered in this order by both dedup stages."""
    return [p for n in names for p in plan_partitions(source_parts(run_dir, n), partition_rows)]


def no_exact_decisions() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"id": pl.String, "source": pl.String, "duplicate_of": pl.String, "duplicate_source": pl.String}
    )
