"""Dedup decisions filed by partition, so that applying them never loads a scope's decisions.

Exact dedup's bucket tasks and near dedup's caller write each dropped row's decision into the
directory of the dedup partition holding the row (DIR/p<partition>/*.parquet, the partitions of
`scope_partitions`). Writing the deduplicated sources maps over other partitions (up to
ROWS_PER_PART rows of a part); `PartitionDecisions.for_partition` finds, from an index of the
dedup partitions' row groups, the decision files of the row groups it reads and loads only
those. Before, every writing task was handed the whole source's decisions: at web scale, a
third of a billion rows, pickled to each task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from curation.partitions import Partition


def decision_dir(directory: Path, partition: int) -> Path:
    return Path(directory) / f"p{partition:06d}"


def part_key(path: str) -> str:
    """A part's name within its run (sources/NAME/data/part-N.parquet): where the run lies changes
    nothing (a task off a shared file system sees the run under a directory of its own)."""
    return "/".join(Path(path).parts[-4:])


def write_index(partitions: list[Partition], path: Path) -> None:
    """One row per row group of the dedup partitions: (part, row_group, partition); part: part_key."""
    rows = [(part_key(p.path), g, i) for i, p in enumerate(partitions) for g in p.row_groups]
    table = pa.table(
        {
            "path": pa.array([r[0] for r in rows], pa.string()),
            "row_group": pa.array([r[1] for r in rows], pa.int32()),
            "partition": pa.array([r[2] for r in rows], pa.int32()),
        }
    )
    pq.write_table(table, path)


@dataclass(frozen=True)
class PartitionDecisions:
    """A dedup stage (run_partition calls `for_partition`): `split(table, decisions=...)` with
    the decisions filed for the dedup partitions the partition's row groups belong to (`empty`:
    the decisions frame with no row, for partitions without any)."""

    index: str
    directory: str
    split: Callable
    empty: pl.DataFrame

    def for_partition(self, partition: Partition) -> Callable:
        index = pq.read_table(self.index, filters=[("path", "==", part_key(partition.path))])
        groups = set(partition.row_groups)
        mine = sorted({p for g, p in zip(index["row_group"].to_pylist(), index["partition"].to_pylist(), strict=True) if g in groups})
        files = [f for p in mine for f in sorted(decision_dir(Path(self.directory), p).glob("*.parquet"))]
        decisions = pl.concat([self.empty, *(pl.read_parquet(f).select(self.empty.columns) for f in files)])
        return partial(self.split, decisions=decisions)
