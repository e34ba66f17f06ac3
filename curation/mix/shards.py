"""Sharded Arrow output in the Hugging Face `save_to_disk` layout, byte-reproducible and atomic.

A split directory holds `data-0000i-of-0000N.arrow` (Arrow IPC *stream* files), `state.json`
and `dataset_info.json`, exactly what `datasets.load_from_disk` opens; train + eval add
`dataset_dict.json` with one such directory per split.

Reproducible bytes: the shard boundaries depend only on the rows (their count and their
estimated Arrow bytes), never on how the input was chunked; every shard is written in
record batches of WRITER_BATCH_ROWS rows counted from the shard's start; no timestamps; the
`_fingerprint` is derived from the shard sha256s. The shards carry the schema as given and
no `huggingface` schema metadata, so their bytes do not depend on the installed datasets
version (the features live in dataset_info.json).

Atomic: everything is written into `.tmp-<name>` beside the output directory and renamed
onto it when complete (curation.fileio); shards get their final names only once all are
written, so a crash never leaves a directory or shard that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.fileio import commit_dir, fresh_tmp_dir
from curation.mix.features import features_dict

# Rows per record batch inside a shard: datasets' own writer default (DEFAULT_MAX_BATCH_SIZE).
WRITER_BATCH_ROWS = 1000
DEFAULT_MAX_SHARD_ROWS = 50_000
DEFAULT_MAX_SHARD_BYTES = 256 * 2**20
STATE_FILE = "state.json"
INFO_FILE = "dataset_info.json"
DICT_FILE = "dataset_dict.json"
# Files that mark a directory as one of ours, which staged_output may therefore replace.
OUTPUT_MARKERS = (STATE_FILE, DICT_FILE, "mix.lock.json")
# datasets' rule for split names (datasets.splits); it also keeps split names path-safe.
_SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")
_HASH_CHUNK = 1 << 20  # bytes read at a time when hashing a file

Batch = pa.RecordBatch | pa.Table


@dataclass(frozen=True)
class ShardInfo:
    """One written shard: `file` is the posix path relative to the output directory."""

    split: str
    file: str
    rows: int
    bytes: int
    sha256: str


def sha256_file(path: Path) -> tuple[str, int]:
    """(hex sha256, size in bytes) of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# -- row sizes -----------------------------------------------------------------------------


def row_nbytes(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Estimated Arrow buffer bytes of each row (int64): values, offsets, children; validity
    bits are left out. Depends only on the values, never on chunking or slicing."""
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks == 0:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([row_nbytes(c) for c in array.chunks])
    n = len(array)
    t = array.type
    if pa.types.is_struct(t):
        out = np.zeros(n, dtype=np.int64)
        for i in range(t.num_fields):
            out += row_nbytes(array.field(i))  # field() applies the struct's own slice offset
        return out
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_map(t):
        offsets = array.offsets.to_numpy().astype(np.int64)
        start = offsets[0] if n else 0
        child = array.values.slice(start, (offsets[-1] - start) if n else 0)
        sizes = np.concatenate([[0], np.cumsum(row_nbytes(child))])
        rel = offsets - start
        return (sizes[rel[1:]] - sizes[rel[:-1]]) + (8 if pa.types.is_large_list(t) else 4)
    if pa.types.is_fixed_size_list(t):
        k = t.list_size
        child = array.values.slice(array.offset * k, n * k)
        return row_nbytes(child).reshape(n, k).sum(axis=1) if k else np.zeros(n, dtype=np.int64)
    if (
        pa.types.is_string(t)
        or pa.types.is_binary(t)
        or pa.types.is_large_string(t)
        or pa.types.is_large_binary(t)
    ):
        lengths = pc.binary_length(array).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        return lengths + (8 if pa.types.is_large_string(t) or pa.types.is_large_binary(t) else 4)
    if pa.types.is_dictionary(t):
        return np.full(n, t.index_type.bit_width // 8, dtype=np.int64)
    try:
        width = max(t.bit_width // 8, 1)
    except ValueError:
        raise ValueError(
            f"cannot size Arrow type {t} for sharding; cast it to a list, string or number type"
        ) from None
    return np.full(n, width, dtype=np.int64)


def table_row_nbytes(table: pa.Table) -> np.ndarray:
    """Estimated bytes of each row of a table (sum over columns), int64."""
    out = np.zeros(table.num_rows, dtype=np.int64)
    for column in table.columns:
        out += row_nbytes(column)
    return out


# -- input checks ----------------------------------------------------------------------------


def check_split_name(split: str) -> str:
    if not isinstance(split, str) or not _SPLIT_NAME.match(split):
        raise ValueError(f"split name {split!r} is invalid: use letters, digits, '_' (and '.' between words)")
    return split


def conform(batch: Batch, schema: pa.Schema) -> pa.Table:
    """The batch as a table of exactly `schema` (columns selected in schema order and cast);
    ValueError naming missing / extra columns, failed casts and nulls in non-nullable fields."""
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    if not isinstance(table, pa.Table):
        raise ValueError(f"expected a pyarrow RecordBatch or Table, got {type(batch).__name__}")
    names = table.column_names
    missing = [n for n in schema.names if n not in names]
    extra = [n for n in names if n not in schema.names]
    if missing or extra:
        raise ValueError(
            f"batch columns do not match the output schema: missing {missing}, unexpected {extra}"
        )
    table = table.select(schema.names)
    try:
        table = table.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        got = {f.name: str(f.type) for f in table.schema if schema.field(f.name).type != f.type}
        raise ValueError(f"batch cannot be cast to the output schema (columns {got}): {exc}") from None
    for field in schema:
        if not field.nullable and table.column(field.name).null_count:
            raise ValueError(
                f"column {field.name!r} is non-nullable but has {table.column(field.name).null_count} nulls"
            )
    return table


# -- split writer ----------------------------------------------------------------------------


class _SplitWriter:
    """Cuts a stream of conformed tables into shards of at most max_shard_rows rows and
    max_shard_bytes estimated bytes (a single larger row gets a shard of its own)."""

    def __init__(
        self, split_dir: Path, schema: pa.Schema, max_shard_rows: int, max_shard_bytes: int, split: str
    ):
        self.dir = split_dir
        self.schema = schema
        self.max_rows = max_shard_rows
        self.max_bytes = max_shard_bytes
        self.split = split
        self.partials: list[tuple[Path, int]] = []  # (partial file, rows) per finished shard
        self._writer: pa.ipc.RecordBatchStreamWriter | None = None
        self._sink: pa.NativeFile | None = None
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._rows = 0  # rows in the open shard
        self._bytes = 0  # estimated bytes in the open shard

    def write(self, table: pa.Table) -> None:
        sizes = table_row_nbytes(table)
        pos = 0
        while pos < table.num_rows:
            if self._writer is not None and (self._rows >= self.max_rows or self._bytes >= self.max_bytes):
                self._close_shard()
            cum = np.cumsum(sizes[pos : pos + self.max_rows - self._rows])  # only what this shard can take
            room = int(np.searchsorted(cum, self.max_bytes - self._bytes, side="right"))
            take = min(room, self.max_rows - self._rows, table.num_rows - pos)
            if take == 0:
                if self._rows:  # the next row does not fit: start a fresh shard
                    self._close_shard()
                    continue
                take = 1  # one row over the byte limit: it gets a shard of its own
            self._append(table.slice(pos, take), int(cum[take - 1]))
            pos += take

    def _append(self, part: pa.Table, nbytes: int) -> None:
        if self._writer is None:
            path = self.dir / f".partial-{len(self.partials):05d}.arrow"
            self._sink = pa.OSFile(str(path), "wb")
            options = pa.ipc.IpcWriteOptions(compression=None, use_threads=False)
            self._writer = pa.ipc.new_stream(self._sink, self.schema, options=options)
            self.partials.append((path, 0))
        self._pending.append(part)
        self._pending_rows += part.num_rows
        self._rows += part.num_rows
        self._bytes += nbytes
        if self._pending_rows >= WRITER_BATCH_ROWS:
            self._flush(final=False)

    def _flush(self, final: bool) -> None:
        """Write the pending rows as record batches of WRITER_BATCH_ROWS rows, keeping a
        partial batch back unless `final`."""
        if not self._pending_rows:
            return
        table = pa.concat_tables(self._pending)
        full = (table.num_rows // WRITER_BATCH_ROWS) * WRITER_BATCH_ROWS
        end = table.num_rows if final else full
        for start in range(0, end, WRITER_BATCH_ROWS):
            # take() copies the rows into fresh zero-offset buffers: the IPC writer serialises a
            # sliced array (nested children especially) differently, so without the copy the
            # bytes would depend on how the input was chunked.
            rows = np.arange(start, min(start + WRITER_BATCH_ROWS, end), dtype=np.int64)
            self._writer.write_table(table.take(rows).combine_chunks())
        rest = table.slice(end)
        self._pending = [rest] if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def _close_shard(self) -> None:
        self._flush(final=True)
        self._writer.close()
        self._sink.flush()
        os.fsync(self._sink.fileno())
        self._sink.close()
        path, _ = self.partials[-1]
        self.partials[-1] = (path, self._rows)
        self._writer = self._sink = None
        self._rows = self._bytes = 0

    def abort(self) -> None:
        """Close the open shard's file without finishing it (its `.partial-` name stays)."""
        if self._sink is not None:
            self._sink.close()
            self._writer = self._sink = None

    def close(self, file_prefix: str) -> list[ShardInfo]:
        if self._writer is not None:
            self._close_shard()
        if not self.partials:  # an empty split is still a loadable dataset: one shard, no rows
            # one empty record batch: a stream without batches loads as a table without chunks,
            # which datasets cannot cast
            self._append(self.schema.empty_table(), 0)
            empty = [pa.array([], type=f.type) for f in self.schema]
            self._writer.write_batch(pa.RecordBatch.from_arrays(empty, schema=self.schema))
            self._close_shard()
        total = len(self.partials)
        shards = []
        for i, (partial, rows) in enumerate(self.partials):
            name = f"data-{i:05d}-of-{total:05d}.arrow"
            os.replace(partial, self.dir / name)
            sha, size = sha256_file(self.dir / name)
            shards.append(
                ShardInfo(split=self.split, file=file_prefix + name, rows=rows, bytes=size, sha256=sha)
            )
        return shards


def _dump_json(path: Path, obj: object, **kwargs) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, **kwargs)


def write_split(
    batches: Iterable[Batch],
    split_dir: Path,
    schema: pa.Schema,
    max_shard_rows: int = DEFAULT_MAX_SHARD_ROWS,
    max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
    split: str = "train",
    file_prefix: str = "",
) -> list[ShardInfo]:
    """Write one split (a `datasets.Dataset` directory) into `split_dir`, which must be new or
    empty; not atomic by itself (use it inside staged_output). max_shard_rows in rows,
    max_shard_bytes in estimated Arrow bytes (row_nbytes); the file adds IPC framing, padding
    and validity bitmaps on top (measured: 64 MiB limit -> 64.03 MiB files). `file_prefix`
    is prepended to ShardInfo.file."""
    check_split_name(split)
    if not isinstance(max_shard_rows, int) or max_shard_rows < 1:
        raise ValueError(f"max_shard_rows must be a positive integer (rows), got {max_shard_rows!r}")
    if not isinstance(max_shard_bytes, int) or max_shard_bytes < 1:
        raise ValueError(f"max_shard_bytes must be a positive integer (bytes), got {max_shard_bytes!r}")
    if split_dir.exists() and any(split_dir.iterdir()):
        raise ValueError(f"{split_dir} is not empty: a split is written into a new directory")
    split_dir.mkdir(parents=True, exist_ok=True)
    features = features_dict(schema)  # fails early, before any row is written, on unsupported types
    writer = _SplitWriter(split_dir, schema, max_shard_rows, max_shard_bytes, split)
    try:
        for batch in batches:
            table = conform(batch, schema)
            if table.num_rows:
                writer.write(table)
    except BaseException:
        writer.abort()
        raise
    shards = writer.close(file_prefix)
    write_split_metadata(split_dir, schema, split, shards, features)
    return shards


def write_split_metadata(
    split_dir: Path, schema: pa.Schema, split: str, shards: list[ShardInfo], features: dict | None = None
) -> None:
    """state.json and dataset_info.json of a split whose shards are written."""
    features = features if features is not None else features_dict(schema)
    fingerprint = hashlib.sha256(json.dumps([split, [s.sha256 for s in shards]]).encode()).hexdigest()[:16]
    state = {
        "_data_files": [{"filename": s.file.rsplit("/", 1)[-1]} for s in shards],
        "_fingerprint": fingerprint,
        "_format_columns": None,
        "_format_kwargs": {},
        "_format_type": None,
        "_output_all_columns": False,
        "_split": split,
    }
    # The same json.dump calls as Dataset.save_to_disk, so the files read the same.
    _dump_json(split_dir / STATE_FILE, state, indent=2, sort_keys=True)
    info = {"citation": "", "description": "", "features": features, "homepage": "", "license": ""}
    _dump_json(split_dir / INFO_FILE, info, indent=2)


def write_dataset_dict_file(root: Path, splits: list[str]) -> None:
    """dataset_dict.json: the splits of a DatasetDict directory, in order."""
    _dump_json(root / DICT_FILE, {"splits": splits})


def plan_shards(sizes: np.ndarray, max_shard_rows: int, max_shard_bytes: int) -> list[tuple[int, int]]:
    """The (start, end) rows of each shard write_split would cut a split of rows with these
    estimated sizes into (the _SplitWriter rule, without the rows at hand)."""
    return plan_shard_pieces([sizes], max_shard_rows, max_shard_bytes)


def plan_shard_pieces(pieces: Iterable[np.ndarray], max_shard_rows: int, max_shard_bytes: int) -> list[tuple[int, int]]:
    """plan_shards over the row sizes given as consecutive pieces (e.g. loaded one file at a
    time by a generator, so a caller never holds a split's sizes whole)."""
    planner = ShardPlanner(max_shard_rows, max_shard_bytes)
    bounds = []
    for sizes in pieces:
        bounds += planner.feed(sizes)
    return bounds + planner.finish()


class ShardPlanner:
    """plan_shards over a split's row sizes fed in consecutive pieces, so a caller can plan a
    split it never holds whole: `feed` returns the shards each piece completes, `finish` the last.
    The cut depends only on the rows already in the open shard and the next row, so the pieces
    give the bounds one array gives."""

    def __init__(self, max_shard_rows: int, max_shard_bytes: int):
        self.max_rows, self.max_bytes = max_shard_rows, max_shard_bytes
        self.pos = self.rows = self.nbytes = 0
        self.start: int | None = None

    def _cut(self, bounds: list[tuple[int, int]]) -> None:
        bounds.append((self.start, self.pos))
        self.start, self.rows, self.nbytes = None, 0, 0

    def feed(self, sizes: np.ndarray) -> list[tuple[int, int]]:
        bounds: list[tuple[int, int]] = []
        at, n = 0, len(sizes)
        while at < n:
            if self.start is not None and (self.rows >= self.max_rows or self.nbytes >= self.max_bytes):
                self._cut(bounds)
            # Only the rows this shard can still take: a cumsum over the whole rest made the plan
            # quadratic in the split's rows.
            cum = np.cumsum(sizes[at : at + self.max_rows - self.rows])
            room = int(np.searchsorted(cum, self.max_bytes - self.nbytes, side="right"))
            take = min(room, self.max_rows - self.rows, n - at)
            if take == 0:
                if self.rows:  # the next row does not fit: start a fresh shard
                    self._cut(bounds)
                    continue
                take = 1  # one row over the byte limit: it gets a shard of its own
            if self.start is None:
                self.start = self.pos
            self.rows += take
            self.nbytes += int(cum[take - 1])
            self.pos += take
            at += take
        return bounds

    def finish(self) -> list[tuple[int, int]]:
        bounds: list[tuple[int, int]] = []
        if self.start is not None:
            self._cut(bounds)
        return bounds


def check_output_dir(out_dir: Path) -> None:
    """ValueError unless an output may be written at `out_dir`: absent, empty, or a previous
    dataset/mix output (never a directory of something else)."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ValueError(f"output {out_dir} exists and is not a directory")
        if any(out_dir.iterdir()) and not any((out_dir / m).exists() for m in OUTPUT_MARKERS):
            raise ValueError(
                f"refusing to replace {out_dir}: it is not empty and holds none of {', '.join(OUTPUT_MARKERS)}"
            )


@contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield a fresh temporary directory beside `out_dir` (a stale one from a crashed run is
    removed); on success it replaces `out_dir`, on an exception it is removed. Refuses to
    replace an existing non-empty directory that is not a dataset/mix output."""
    out_dir = Path(out_dir)
    check_output_dir(out_dir)
    tmp = fresh_tmp_dir(out_dir)
    try:
        yield tmp
    except BaseException:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
        raise
    commit_dir(tmp, out_dir)


def write_hf_dataset(
    batches: Iterable[Batch],
    out_dir: Path,
    schema: pa.Schema,
    max_shard_rows: int = DEFAULT_MAX_SHARD_ROWS,
    max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
    split: str = "train",
    atomic: bool = True,
) -> list[ShardInfo]:
    """Write a single split that `datasets.load_from_disk(out_dir)` opens as a Dataset.

    atomic=True stages it beside out_dir and renames it into place; atomic=False writes into
    out_dir directly (new or empty; for a caller that stages the whole output itself)."""
    if not atomic:
        return write_split(batches, Path(out_dir), schema, max_shard_rows, max_shard_bytes, split)
    with staged_output(Path(out_dir)) as tmp:
        return write_split(batches, tmp, schema, max_shard_rows, max_shard_bytes, split)


def write_hf_dataset_dict(
    splits: Mapping[str, Iterable[Batch]],
    out_dir: Path,
    schema: pa.Schema,
    max_shard_rows: int = DEFAULT_MAX_SHARD_ROWS,
    max_shard_bytes: int = DEFAULT_MAX_SHARD_BYTES,
    atomic: bool = True,
) -> list[ShardInfo]:
    """Write several splits (e.g. train + eval) that `datasets.load_from_disk(out_dir)` opens
    as a DatasetDict: dataset_dict.json + one Dataset directory per split, in mapping order.
    ShardInfo.file is `<split>/data-...arrow`. atomic as in write_hf_dataset."""
    if not splits:
        raise ValueError("write_hf_dataset_dict needs at least one split")
    for name in splits:
        check_split_name(name)

    def write(root: Path) -> list[ShardInfo]:
        root.mkdir(parents=True, exist_ok=True)
        shards: list[ShardInfo] = []
        for name, batches in splits.items():
            shards += write_split(
                batches, root / name, schema, max_shard_rows, max_shard_bytes, name, f"{name}/"
            )
        write_dataset_dict_file(root, list(splits))
        return shards

    if not atomic:
        return write(Path(out_dir))
    with staged_output(Path(out_dir)) as tmp:
        return write(tmp)
