"""Making a source's ids unique after ingest, over hash buckets of its ids, so no process holds
every id of a big source.

    map over the source's parts:    (id, part, row) -> one file per hash bucket of the id
    map over buckets:               every occurrence of an id is in one bucket: in read order
                                    (part, row), the k-th occurrence (k >= 2) is a repeat
                                    -> (part, row, k) of the repeats only
    map over parts with repeats:    rewrite the part, repeat ids renamed `id#k`

The renaming is a function of read order alone (part order, then row order), so it is the same
for any bucket count or executor. A bucket task holds its ids only (~IDS_PER_BUCKET rows).
"""

from __future__ import annotations

import math
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curation.executor import SERIAL, Executor
from curation.fileio import scratch_dir
from curation.mix.sample_hash import row_keys
from curation.parts import parquet_options
from curation.record import CANONICAL_SCHEMA
from curation.work_paths import OutputDir

# Separates a repeated id from its occurrence number: `abc#2` is the second row with id abc.
REPEAT_SEPARATOR = "#"
IDS_PER_BUCKET = 5_000_000  # ~0.5 GB of ids in a bucket task
# Fewer ids than that still make a bucket per worker, down to this many a bucket: one bucket task
# alone was a serial step of ~3% of the scale bench's ingest, one worker idle.
MIN_IDS_PER_BUCKET = 50_000
_NO_REPEATS = pl.DataFrame(schema={"part": pl.UInt32, "row": pl.UInt32, "k": pl.UInt32})


def bucket_ids(path: str, part: int, buckets: int, work: str) -> None:
    """One part's (id, part, row) into WORK/b<bucket>/p<part>.parquet, by a hash of the id."""
    ids = pl.read_parquet(path, columns=["id"]).with_row_index("row").with_columns(pl.lit(part, pl.UInt32).alias("part"))
    # The bucket only decides which task sees an id, never the result, but every worker must put
    # an id in the same bucket: a keyed SipHash of the id, the same on every machine and version
    # (polars' hash may differ between releases).
    keys = row_keys(ids["id"].to_arrow(), 0, "", 0, purpose="unique-ids")
    ids = ids.with_columns(pl.Series("bucket", keys % np.uint64(buckets)))
    for (b,), rows in ids.partition_by("bucket", as_dict=True, maintain_order=True).items():
        out = Path(work) / f"b{b:05d}"
        out.mkdir(parents=True, exist_ok=True)
        rows.drop("bucket").write_parquet(out / f"p{part:06d}.parquet", compression="zstd", compression_level=1)


def bucket_repeats(bucket_dir: str) -> pl.DataFrame:
    """(part, row, k) of every k-th occurrence (k >= 2, in read order) of an id in the bucket."""
    files = sorted(Path(bucket_dir).glob("p*.parquet"))
    if not files:
        return _NO_REPEATS
    return (
        pl.scan_parquet(files)
        .sort("part", "row")
        .with_columns(pl.col("id").cum_count().over("id").cast(pl.UInt32).alias("k"))
        .filter(pl.col("k") > 1)
        .select("part", "row", "k")
        .collect()
    )


def renamed_path(path: str) -> Path:
    """Where rename_repeats writes the renamed copy of the part at `path`."""
    return Path(path).with_name(f".renamed-{Path(path).name}")


def rename_repeats(path: str, rows: list[int], ks: list[int], compression: str) -> None:
    """Write a copy of one part with ids[rows[i]] renamed `id#ks[i]`, keeping its row groups (so
    the partitions planned from them stay the same), at renamed_path(path); the caller puts it in
    place once every part is written. The part itself is left as it is, so a task run again (a Ray
    worker lost after writing: Executor retries) reads the same rows and writes the same copy,
    where a rewrite in place would have renamed its ids twice (`id#2#2`)."""
    file = pq.ParquetFile(path)
    groups = [file.metadata.row_group(g).num_rows for g in range(file.metadata.num_row_groups)]
    table = file.read()
    suffix = pl.Series("k", [None] * table.num_rows, pl.UInt32).scatter(rows, ks)
    new_ids = (
        pl.DataFrame({"id": pl.from_arrow(table.column("id")), "k": suffix})
        .select(
            pl.when(pl.col("k").is_not_null())
            .then(pl.format("{}" + REPEAT_SEPARATOR + "{}", "id", "k"))
            .otherwise(pl.col("id"))
        )
        .to_series()
    )
    table = table.set_column(0, CANONICAL_SCHEMA.field("id"), new_ids.to_arrow().cast(pa.string()))
    out = renamed_path(path)
    tmp = out.with_name(f".tmp{out.name}")
    with pq.ParquetWriter(tmp, CANONICAL_SCHEMA, **parquet_options(compression)) as writer:
        offset = 0
        for n in groups:
            writer.write_table(table.slice(offset, n))
            offset += n
    tmp.replace(out)


def make_ids_unique(data_dir: Path, compression: str, executor: Executor = SERIAL) -> int:
    """Give every repeated id of the source's parts the suffix `#k` for its k-th occurrence, in
    read order (part order, then row order); return how many rows were renamed.

    Later stages key everything on ids (dedup survivors, sampling). A row whose id an earlier
    row already has (the very same row again when the id is a content hash; or a source that
    reuses its ids) is renamed, not dropped: no valid row is lost, and exact dedup then reports
    the identical copies with `duplicate_of`. Only the parts holding a repeat are rewritten.
    Scratch files go to DATA_DIR/../.ids (removed afterwards)."""
    return make_ids_unique_all([data_dir], compression, executor)[0]


def make_ids_unique_all(data_dirs: list[Path], compression: str, executor: Executor = SERIAL) -> list[int]:
    """`make_ids_unique` for several sources (one data directory each) with one map per step over
    all of them, so that sources of one part each still run side by side; the renamed rows of
    each source. Every source's ids stay apart: its own buckets, its own repeats."""
    sources = []
    for data_dir in data_dirs:
        paths = sorted(Path(data_dir).glob("part-*.parquet"))
        rows = sum(pq.read_metadata(p).num_rows for p in paths)
        per_bucket = executor.task_size(rows, IDS_PER_BUCKET, MIN_IDS_PER_BUCKET)
        sources.append((paths, max(1, math.ceil(rows / per_bucket)), Path(data_dir).parent / ".ids"))
    with ExitStack() as scratch:
        for paths, _, work in sources:
            if paths:
                scratch.enter_context(scratch_dir(work))
        executor.map(
            bucket_ids,
            [(str(p), i, buckets, OutputDir(work)) for paths, buckets, work in sources for i, p in enumerate(paths)],
        )
        found = executor.map(
            bucket_repeats,
            [(str(work / f"b{b:05d}"),) for paths, buckets, work in sources if paths for b in range(buckets)],
        )
    items, renamed = [], []
    for paths, buckets, _ in sources:
        if not paths:
            renamed.append(0)
            continue
        mine, found = found[:buckets], found[buckets:]
        repeats = pl.concat([_NO_REPEATS, *mine]).sort("part", "row")
        items += [
            (str(paths[part]), group["row"].to_list(), group["k"].to_list(), compression)
            for (part,), group in repeats.partition_by("part", as_dict=True, maintain_order=True).items()
        ]
        renamed.append(repeats.height)
    executor.map(rename_repeats, items)
    for path, *_ in items:  # every copy written: only now is a part replaced
        renamed_path(path).replace(path)
    return renamed
