"""Writing a mix split partitioned: the picked rows shuffled into place through bucket files, then
one task per shard; the same bytes as shards.write_split over the whole split in memory.

    here:  the split's rows in their final order as (source, row, epoch, part) -- no text
    map over the rendered parts that hold picked rows:
        the picked rows as MIX_SCHEMA rows + their final position -> WORK/b<bucket>/p<part>.arrow
        (a bucket = BUCKET_ROWS consecutive positions); returns each row's estimated bytes
    here:  shard boundaries from the rows' sizes (shards.plan_shards: the _SplitWriter rule)
    map over shards:
        the buckets its positions fall in -> rows in position order -> data-i-of-N.arrow, sha256

Memory: here, a few integers a row (no text); a task, one rendered part or one shard (plus the
buckets it reads). The shuffle volume is the split itself, written once more into the buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.mix.shards import (
    WRITER_BATCH_ROWS,
    ShardInfo,
    check_split_name,
    plan_shards,
    sha256_file,
    table_row_nbytes,
    write_split,
    write_split_metadata,
)
from curation.partitions import part_starts

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


@dataclass(frozen=True)
class SplitRows:
    """A split's rows in their final order: per row its source's index into `sources`, its row
    in the concatenation of that source's rendered parts, its epoch and its part (stage/phase)."""

    sources: list[str]
    source: np.ndarray  # int32
    row: np.ndarray  # int64
    epoch: np.ndarray  # int32
    parts: list[str]
    part: np.ndarray  # int32


def bucket_rows(
    path: str,
    source: str,
    local_rows: np.ndarray,
    positions: np.ndarray,
    epochs: np.ndarray,
    part_names: list[str],
    schema: pa.Schema,
    work: str,
    tag: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The picked rows of one rendered part as `schema` rows, written into the buckets of their
    positions; returns (positions, estimated bytes per row)."""
    src = pq.read_table(path).take(pa.array(local_rows))
    table = pa.table(
        {
            "id": src.column("id"),
            "source": src.column("source"),
            "part": pa.array(part_names, pa.string()),
            "epoch": pa.array(epochs, pa.int32()),
            "text": src.column("text"),
            "n_tokens": src.column("n_tokens"),
            "spans": src.column("spans"),
            "token_spans": src.column("token_spans"),
            "domain": pc.struct_field(src.column("meta"), "domain"),
        },
        schema=schema,
    )
    sizes = table_row_nbytes(table)
    write_buckets(table.append_column(POS, pa.array(positions, pa.int64())), positions, work, tag)
    return np.asarray(positions, dtype=np.int64), sizes


def write_buckets(table: pa.Table, positions: np.ndarray, work: str, tag: str) -> None:
    """Rows of `table` (with their POS column) into WORK/b<bucket>/<tag>.arrow, a bucket being
    BUCKET_ROWS consecutive final positions: what write_shard reads back."""
    buckets = np.asarray(positions) // BUCKET_ROWS
    for b in np.unique(buckets):
        out = Path(work) / f"b{int(b):06d}"
        out.mkdir(parents=True, exist_ok=True)
        rows = table.take(pa.array(np.flatnonzero(buckets == b)))
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
    options = pa.ipc.IpcWriteOptions(compression=None, use_threads=False)
    partial = Path(path).with_name(f".partial-{Path(path).name}")
    with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_stream(sink, schema, options=options) as writer:
        for lo in range(0, table.num_rows, WRITER_BATCH_ROWS):
            rows = np.arange(lo, min(lo + WRITER_BATCH_ROWS, table.num_rows), dtype=np.int64)
            writer.write_table(table.take(rows).combine_chunks())
    partial.replace(path)
    sha, size = sha256_file(Path(path))
    return table.num_rows, size, sha


def write_split_partitioned(
    rows: SplitRows, run_parts: dict[str, list[Path]], target: SplitTarget, executor: Executor, work: Path
) -> list[ShardInfo]:
    """Write the split `rows` (read from the rendered parts `run_parts`: source -> parts in order)
    as `target`, the bytes shards.write_split writes, partitioned on `executor`; scratch in `work`."""
    check_split_name(target.split)
    n = len(rows.row)
    if n == 0:
        return target.write_empty()
    with scratch_dir(work):
        items = []
        for s, name in enumerate(rows.sources):
            mine = np.flatnonzero(rows.source == s)
            if not mine.size:
                continue
            parts = run_parts[name]
            starts = part_starts(parts)
            which = np.searchsorted(starts, rows.row[mine], side="right") - 1
            for k in np.unique(which):
                sel = mine[which == k]
                part_names = [rows.parts[i] for i in rows.part[sel]]
                items.append(
                    (str(parts[k]), name, rows.row[sel] - starts[k], sel, rows.epoch[sel], part_names, target.schema,
                     str(work), f"s{s:04d}-p{int(k):06d}")
                )
        sizes = np.zeros(n, dtype=np.int64)
        for positions, row_sizes in executor.map(bucket_rows, items):
            sizes[positions] = row_sizes
        return write_bucketed_shards(sizes, target, executor, work)


def write_bucketed_shards(sizes: np.ndarray, target: SplitTarget, executor: Executor, work: Path) -> list[ShardInfo]:
    """The split whose rows (estimated `sizes`, in position order) are in the buckets of `work`,
    written as `target`: shards cut as write_split cuts them, one task per shard, then state.json
    and dataset_info.json."""
    bounds = plan_shards(sizes, target.max_shard_rows, target.max_shard_bytes)
    target.split_dir.mkdir(parents=True, exist_ok=True)
    total = len(bounds)
    names = [f"data-{i:05d}-of-{total:05d}.arrow" for i in range(total)]
    items = [(str(work), lo, hi, str(target.split_dir / name), target.schema) for (lo, hi), name in zip(bounds, names, strict=True)]
    done = executor.map(write_shard, items)
    shards = [
        ShardInfo(split=target.split, file=target.file_prefix + name, rows=r, bytes=size, sha256=sha)
        for name, (r, size, sha) in zip(names, done, strict=True)
    ]
    write_split_metadata(target.split_dir, target.schema, target.split, shards)
    return shards
