"""Near dedup's candidate texts, read back from the partitions' text files, and the exact-Jaccard
verification of candidate pairs spread over the executor.

Signature tasks write each partition's rows (dedup text `t`, id, source, length) to
`rows-PARTITION.arrow` in the work directory, and where each row's text lies in it to
`rows-PARTITION.arrow.tpos`; verification reads only the texts of the rows a chunk of candidate
pairs names (memory-mapped on a shared file system, by byte ranges through an object store). The Jaccard of a pair depends on its two texts alone, so splitting
the pairs into tasks gives the same floats in the same order as one call here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from curation.dedup.jaccard import ExactJaccard
from curation.dedup.shingle import Shingler
from curation.dedup.survivor_rank import read_rows, rows_file
from curation.executor import Executor
from curation.work_paths import RangedFile
from curation.work_store_task import in_store, read_ranges

# Candidate pairs per verification task: ~1-3 s of one core at 300-word documents.
PAIRS_PER_TASK = 50_000
MIN_PAIRS_PER_TASK = 2_000  # a small scope's pairs are cut to a task per local worker down to this


TEXT_COLUMN = "t"
_POSITION = np.dtype("<i8")  # (start, end) byte offsets of a row's text: two of these


def positions_file(rows_path: str | Path) -> str:
    """The file of where each row's text lies in the row file `rows_path` (write_text_positions)."""
    return f"{rows_path}.tpos"


def write_text_positions(rows_path: str | Path) -> None:
    """Beside a row file (an uncompressed Arrow IPC file), where each row's text lies in it: (start,
    end) byte offsets as little-endian int64 pairs, (-1, -1) for a null text. A verification task
    that reads the row files through an object store fetches the 16 bytes of each of its rows,
    then just their texts (fetch_texts), not the files."""
    source = pa.memory_map(str(rows_path), "r")
    base = source.read_buffer(1).address  # the mapping's first byte
    source.seek(0)
    reader = pa.ipc.open_file(source)
    pieces = []
    for i in range(reader.num_record_batches):
        column = reader.get_batch(i).column(TEXT_COLUMN)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            raise TypeError(f"{rows_path}: column {TEXT_COLUMN!r} is {column.type}, not a string of offsets")
        _, offsets, data = column.buffers()
        wide = np.int64 if pa.types.is_large_string(column.type) else np.int32
        at = np.frombuffer(offsets, wide)[column.offset : column.offset + len(column) + 1].astype(np.int64)
        first = (data.address - base) if data is not None else 0
        pair = np.stack([first + at[:-1], first + at[1:]], axis=1)
        pair[column.is_null().to_numpy(zero_copy_only=False)] = -1
        pieces.append(pair)
    both = np.concatenate(pieces) if pieces else np.empty((0, 2), np.int64)
    both.astype(_POSITION).tofile(positions_file(rows_path))


def fetch_texts(rows_paths: list[str], rows: np.ndarray) -> pa.Array:
    """The text of row `rows[i]` of the row file `rows_paths[i]` (objects of the running task's
    store), fetching only the bytes of their positions and of the texts (write_text_positions)."""
    rows = np.asarray(rows, dtype=np.int64)
    size = _POSITION.itemsize * 2
    raw = read_ranges([positions_file(p) for p in rows_paths], rows * size, rows * size + size)
    at = np.frombuffer(b"".join(raw), _POSITION).reshape(-1, 2) if raw else np.empty((0, 2), np.int64)
    valid = at[:, 0] >= 0
    texts = iter(read_ranges([p for p, ok in zip(rows_paths, valid, strict=True) if ok], at[valid, 0], at[valid, 1]))
    return pa.array([next(texts) if ok else None for ok in valid], pa.large_binary()).cast(pa.large_string())


class PartitionTexts:
    """The dedup texts of every row (partition order: a row's *global row*), read back by row
    from the partitions' row files (memory-mapped): only the rows asked for are ever read."""

    def __init__(self, work: Path | None, counts: list[int], paths: list[str | None] | None = None) -> None:
        """The row files of `work`, or `paths` (None for a partition never asked for)."""
        self.work, self.counts = work and Path(work), list(counts)
        self.paths = list(paths) if paths is not None else [rows_file(self.work, i) for i in range(len(counts))]
        self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def gather(self, rows: np.ndarray) -> pa.Array:
        """The dedup text of each global row (read by ranges from a store: fetch_texts)."""
        rows = np.asarray(rows, dtype=np.int64)
        part = np.searchsorted(self.starts, rows, side="right") - 1
        if rows.size and in_store(self.paths[part[0]]):
            return fetch_texts([self.paths[p] for p in part], rows - self.starts[part])
        return self.gather_columns(rows, [TEXT_COLUMN]).column(TEXT_COLUMN).combine_chunks()

    def gather_columns(self, rows: np.ndarray, columns: list[str]) -> pa.Table:
        """`columns` of each global row, in the order of `rows`."""
        rows = np.asarray(rows, dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        part = np.searchsorted(self.starts, rows[order], side="right") - 1
        pieces = [
            read_rows(self.paths[p], columns).take(pa.array(rows[order][part == p] - self.starts[p]))
            for p in np.unique(part)
        ]
        if not pieces:
            return read_rows(self.paths[0], columns).slice(0, 0) if self.paths else pa.table({})
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size)
        return pa.concat_tables(pieces).take(pa.array(inverse))


class GatheredTexts:
    """The texts of some global rows (sorted, unique), fetched at once: `gather` of any of them."""

    def __init__(self, rows: np.ndarray, texts: pa.Array) -> None:
        self.rows, self.texts = rows, texts

    def gather(self, rows: np.ndarray) -> pa.Array:
        return self.texts.take(pa.array(np.searchsorted(self.rows, rows)))


def verify_pairs(
    paths: list[str | None],
    positions: list[str | None],
    counts: list[int],
    shingler: Shingler,
    rows_a: np.ndarray,
    rows_b: np.ndarray,
) -> np.ndarray:
    """Exact Jaccard of each pair (rows_a[i], rows_b[i]) of the partitions' texts: an executor task.
    `paths`: the row files of the partitions the pairs' rows are in, None for the others (a task
    is handed the files it reads, not the scratch directory of every partition's), and
    `positions` their text positions (write_text_positions). Both are RangedFile: through an
    object store the task fetches its rows' texts at once, by byte ranges, not the files; on a
    disk it memory-maps the files (the positions unread)."""
    texts = PartitionTexts(None, counts, paths)
    if any(p is not None and in_store(p) for p in paths):
        rows = np.unique(np.concatenate([rows_a, rows_b]).astype(np.int64))
        texts = GatheredTexts(rows, texts.gather(rows))
    return ExactJaccard(texts, shingler)(rows_a, rows_b)


class ParallelJaccard:
    """`similarity(rows_a, rows_b)` for near_duplicates_streamed: ExactJaccard over the partitions'
    texts, up to PAIRS_PER_TASK consecutive pairs a task (the LSH edges come sorted by bucket
    leader, so a task's pairs share rows), fewer where that gives each local worker a task."""

    def __init__(self, texts: PartitionTexts, shingler: Shingler, executor: Executor) -> None:
        self.texts, self.shingler, self.executor = texts, shingler, executor

    def __call__(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        rows_a = np.asarray(rows_a, dtype=np.int64)
        rows_b = np.asarray(rows_b, dtype=np.int64)
        if rows_a.size == 0:
            return np.zeros(0, dtype=np.float64)
        # Always a map, one task of few pairs included: the executors run a single item here.
        per_task = self.executor.task_size(rows_a.size, PAIRS_PER_TASK, MIN_PAIRS_PER_TASK)
        items = []
        for lo in range(0, rows_a.size, per_task):
            a, b = rows_a[lo : lo + per_task], rows_b[lo : lo + per_task]
            touched = set((np.searchsorted(self.texts.starts, np.concatenate([a, b]), side="right") - 1).tolist())
            paths = [RangedFile(p) if i in touched else None for i, p in enumerate(self.texts.paths)]
            positions = [RangedFile(positions_file(p)) if p is not None else None for p in paths]
            items.append((paths, positions, self.texts.counts, self.shingler, a, b))
        return np.concatenate(self.executor.map(verify_pairs, items))
