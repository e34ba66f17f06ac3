"""Near dedup's candidate texts, read back from the partitions' text files, and the exact-Jaccard
verification of candidate pairs spread over the executor.

Signature tasks write each partition's rows (dedup text `t`, id, source, length) to
`rows-PARTITION.arrow` in the work directory (on the file system every worker sees);
verification reads only the texts of the rows a chunk of candidate pairs names. The Jaccard of a pair depends on its two texts alone, so splitting
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

# Candidate pairs per verification task: ~1-3 s of one core at 300-word documents.
PAIRS_PER_TASK = 50_000
MIN_PAIRS_PER_TASK = 2_000  # a small scope's pairs are cut to a task per local worker down to this


class PartitionTexts:
    """The dedup texts of every row (partition order: a row's *global row*), read back by row
    from the partitions' row files (memory-mapped): only the rows asked for are ever read."""

    def __init__(self, work: Path | None, counts: list[int], paths: list[str | None] | None = None) -> None:
        """The row files of `work`, or `paths` (None for a partition never asked for)."""
        self.work, self.counts = work and Path(work), list(counts)
        self.paths = list(paths) if paths is not None else [rows_file(self.work, i) for i in range(len(counts))]
        self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def gather(self, rows: np.ndarray) -> pa.Array:
        """The dedup text of each global row."""
        return self.gather_columns(rows, ["t"]).column("t").combine_chunks()

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


def verify_pairs(
    paths: list[str | None], counts: list[int], shingler: Shingler, rows_a: np.ndarray, rows_b: np.ndarray
) -> np.ndarray:
    """Exact Jaccard of each pair (rows_a[i], rows_b[i]) of the partitions' texts: an executor task.
    `paths`: the row files of the partitions the pairs' rows are in, None for the others (a task
    is handed the files it reads, not the scratch directory of every partition's)."""
    return ExactJaccard(PartitionTexts(None, counts, paths), shingler)(rows_a, rows_b)


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
            paths = [str(p) if i in touched else None for i, p in enumerate(self.texts.paths)]
            items.append((paths, self.texts.counts, self.shingler, a, b))
        return np.concatenate(self.executor.map(verify_pairs, items))
