"""Where a split is written (SplitTarget), and shards from position buckets: rows whose final
positions are known (the packer's sequences, pack_partitioned.py) are written by their tasks
into buckets of BUCKET_ROWS consecutive positions, and one task per shard reads the buckets its
positions span. The same bytes as shards.write_split over the whole split in memory.

    map (the caller's): rows + their final positions -> WORK/b<bucket>/<tag>.arrow (write_buckets)
    the caller: shard boundaries from the rows' sizes (shards.ShardPlanner: the _SplitWriter rule)
    map over shards (write_planned_shards + write_shard): the buckets its positions fall in
        -> data-i-of-N.arrow, sha256

The mix's train and eval splits are written by range instead (split_ranges.py), since their
positions are not known before their rows are sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.executor import Executor
from curation.mix.shards import (
    WRITER_BATCH_ROWS,
    ShardInfo,
    sha256_file,
    write_split,
    write_split_metadata,
)
from curation.row_groups import row_groups

# Consecutive final positions per bucket file group: a shard task reads the few buckets its range
# spans.
BUCKET_ROWS = 20_000
POS = "__pos"


@dataclass(frozen=True)
class SplitTarget:
    """Where and how a split's shards are written: its directory (new or empty), its schema, the
    shard limits (rows; estimated Arrow bytes), the split's name and the prefix of ShardInfo.file."""

    split_dir: Path
    schema: pa.Schema
    max_shard_rows: int
    max_shard_bytes: int
    split: str
    file_prefix: str = ""

    def write_empty(self) -> list[ShardInfo]:
        """A split of no rows: one empty shard, as write_split writes it."""
        return write_split(
            [], self.split_dir, self.schema, self.max_shard_rows, self.max_shard_bytes, self.split, self.file_prefix
        )


def write_buckets(table: pa.Table, positions: np.ndarray, work: str, tag: str) -> None:
    """Rows of `table` (with their POS column) into WORK/b<bucket>/<tag>.arrow, a bucket being
    BUCKET_ROWS consecutive final positions: what write_shard reads back."""
    for b, members in row_groups(np.asarray(positions) // BUCKET_ROWS):
        out = Path(work) / f"b{b:06d}"
        out.mkdir(parents=True, exist_ok=True)
        rows = table.take(pa.array(members))
        with pa.OSFile(str(out / f"{tag}.arrow"), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as writer:
            writer.write_table(rows)


def write_shard(work: str, start: int, end: int, path: str, schema: pa.Schema) -> tuple[int, int, str]:
    """Rows [start, end) of the split from the buckets, in position order, as one Arrow IPC stream
    shard at `path` (record batches of WRITER_BATCH_ROWS from the shard's start, as shards.py
    writes them); returns (rows, bytes, sha256)."""
    pieces = []
    for b in range(start // BUCKET_ROWS, (end - 1) // BUCKET_ROWS + 1):
        for f in sorted((Path(work) / f"b{b:06d}").glob("*.arrow")):
            with pa.memory_map(str(f)) as source:
                t = pa.ipc.open_file(source).read_all()
            pos = t.column(POS).to_numpy()
            keep = np.flatnonzero((pos >= start) & (pos < end))
            if keep.size:
                pieces.append(t.take(pa.array(keep)))
    table = pa.concat_tables(pieces)
    table = table.take(pc.sort_indices(table.column(POS))).drop_columns([POS])
    if table.num_rows != end - start:
        raise RuntimeError(f"shard rows {start}-{end}: found {table.num_rows} rows in the buckets")
    return write_shard_table(table, path, schema)


def write_shard_table(table: pa.Table, path: str, schema: pa.Schema) -> tuple[int, int, str]:
    """`table` as one Arrow IPC stream shard at `path`, written beside it and renamed into place
    (record batches of WRITER_BATCH_ROWS from the shard's start, as shards.py writes them);
    returns (rows, bytes, sha256)."""
    options = pa.ipc.IpcWriteOptions(compression=None, use_threads=False)
    partial = Path(path).with_name(f".partial-{Path(path).name}")
    with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_stream(sink, schema, options=options) as writer:
        for lo in range(0, table.num_rows, WRITER_BATCH_ROWS):
            rows = np.arange(lo, min(lo + WRITER_BATCH_ROWS, table.num_rows), dtype=np.int64)
            writer.write_table(table.take(rows).combine_chunks())
    partial.replace(path)
    sha, size = sha256_file(Path(path))
    return table.num_rows, size, sha


def write_planned_shards(
    bounds: list[tuple[int, int]],
    target: SplitTarget,
    executor: Executor,
    task: Callable[..., tuple[int, int, str]],
    rows_of: Callable[[int, int], object],
) -> list[ShardInfo]:
    """One `task(rows_of(lo, hi), lo, hi, path, schema)` per shard (lo, hi) of `bounds`, each
    writing data-i-of-N.arrow and returning (rows, bytes, sha256); then state.json and
    dataset_info.json. rows_of: where the task finds the shard's rows."""
    target.split_dir.mkdir(parents=True, exist_ok=True)
    total = len(bounds)
    names = [f"data-{i:05d}-of-{total:05d}.arrow" for i in range(total)]
    items = [
        (rows_of(lo, hi), lo, hi, str(target.split_dir / name), target.schema)
        for (lo, hi), name in zip(bounds, names, strict=True)
    ]
    done = executor.map(task, items)
    shards = [
        ShardInfo(split=target.split, file=target.file_prefix + name, rows=r, bytes=size, sha256=sha)
        for name, (r, size, sha) in zip(names, done, strict=True)
    ]
    write_split_metadata(target.split_dir, target.schema, target.split, shards)
    return shards
