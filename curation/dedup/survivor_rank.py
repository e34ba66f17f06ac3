"""The survivor order of a scope's rows as node numbers, sorted by tasks, not in one process.

Near dedup numbers the rows of its scope in survivor order (survivor.py; node 0 is the best
survivor) so that a band bucket's leader is its smallest node. Sorting every row's (priority,
length, id, source) in the caller holds ~150 B a row: hundreds of GB for a web scope of billions
of rows. Here the sort is a sample sort over the rows' files (`rows-<partition>.arrow`, written
by the signature tasks with columns id, source, length; a row's *global row* is its position
in partition order):

    map over blocks (runs of consecutive partitions, about BLOCK_ROWS rows):
        the block's keys sorted in survivor order -> RANK/block-<b>.arrow (with each global row)
        SAMPLES evenly spaced keys -> the caller
    here: the splitters, cut from the sorted samples so that a range holds about RANGE_ROWS rows
    map over ranges of survivor order:
        each block's rows between the range's splitters (a binary search: the block is sorted),
        sorted -> RANK/node-<r>.npy: the global row of each node of the range, in node order
               -> RANK/row-<r>.npy, RANK/pos-<r>.npy: the same, by global row
    a range's nodes are its offset (the rows of the ranges before it) + their position in it

`nodes_of_rows` (in a task) reads the nodes of a run of global rows from every range (a binary
search in row-<r>.npy); `SurvivorNodes.rows_of` (in the caller) the global rows of a few nodes.
The nodes are exactly the ranks a sort of every key at once gives (keys are unique: id and
source together are), whatever the blocks, ranges and samples: only the work per task changes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from curation.dedup.survivor import PRIORITY, order_exprs, priority_expr
from curation.executor import Executor

# Rows per block task: ~100-150 B a row of keys while it sorts (~300 MB).
BLOCK_ROWS = 2_000_000
# Rows per range task, about (the splitters come from samples): the same memory as a block.
RANGE_ROWS = 2_000_000
# Keys a block returns to the caller, which holds them all to cut the splitters: at 2 billion rows
# (1,000 blocks) ~1M keys, ~100 MB.
SAMPLES = 1024

KEY_COLUMNS = [PRIORITY, "length", "id", "source"]


def rows_file(work: Path, partition: int) -> Path:
    """The file of one partition's rows (id, source, length, and what else the stage keeps)."""
    return Path(work) / f"rows-{partition:06d}.arrow"


def read_rows(path: str | Path, columns: list[str]) -> pa.Table:
    # Memory-mapped and zero-copy: only the columns asked for are ever paged in.
    return pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all().select(columns)


def _sorted_keys(frame: pl.DataFrame, priorities: Mapping[str, int] | None) -> pl.DataFrame:
    _, descending = order_exprs(priorities)
    return frame.with_columns(priority_expr(priorities)).sort(KEY_COLUMNS, descending=descending)


def sort_block(
    paths: list[str], first_row: int, priorities: Mapping[str, int] | None, out: str, samples: int
) -> pl.DataFrame:
    """Task: the keys of one block's partitions (`paths`, its first global row `first_row`)
    sorted in survivor order into `out`; returns `samples` evenly spaced keys of them."""
    tables = [read_rows(p, ["id", "source", "length"]) for p in paths]
    frame = pl.from_arrow(pa.concat_tables(tables)) if tables else pl.DataFrame()
    frame = frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("row"))
    keys = _sorted_keys(frame, priorities).select(*KEY_COLUMNS, "row")
    _write(keys.to_arrow(), out)
    at = np.unique(np.linspace(0, keys.height, samples, endpoint=False).astype(np.int64))
    return keys.select(KEY_COLUMNS)[at.tolist()] if keys.height else keys.select(KEY_COLUMNS)


def _key_at(columns: list[pa.Array], i: int) -> tuple:
    # A key as a tuple that compares as survivor order: longer first, then id, then source.
    return (columns[0][i].as_py(), -columns[1][i].as_py(), columns[2][i].as_py(), columns[3][i].as_py())


def key_tuple(row: tuple) -> tuple:
    """(priority, length, id, source) -> the tuple `_key_at` compares."""
    priority, length, id_, source = row
    return (priority, -length, id_, source)


def _lower_bound(columns: list[pa.Array], n: int, key: tuple | None) -> int:
    """The first position whose key is >= `key` (None: past the end) in sorted `columns`."""
    if key is None:
        return n
    lo, hi = 0, n
    while lo < hi:
        mid = (lo + hi) // 2
        if _key_at(columns, mid) < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


def rank_range(
    blocks: list[str], low: tuple | None, high: tuple | None, priorities: Mapping[str, int] | None, rank: str, r: int
) -> int:
    """Task: the rows of every block with `low` <= key < `high` (key tuples; None: open end),
    in survivor order, as the range's node files; returns its row count."""
    pieces = []
    for path in blocks:
        table = read_rows(path, [*KEY_COLUMNS, "row"])
        columns = [table.column(c).combine_chunks() for c in KEY_COLUMNS]
        lo = 0 if low is None else _lower_bound(columns, table.num_rows, low)
        hi = _lower_bound(columns, table.num_rows, high)
        if hi > lo:
            pieces.append(table.slice(lo, hi - lo))
    _, descending = order_exprs(priorities)
    rows = (
        pl.from_arrow(pa.concat_tables(pieces)).sort(KEY_COLUMNS, descending=descending)["row"].to_numpy()
        if pieces
        else np.empty(0, np.int64)
    ).astype(np.int64)
    out = Path(rank)
    np.save(out / f"node-{r:06d}.npy", rows)
    by_row = np.argsort(rows, kind="stable")
    np.save(out / f"row-{r:06d}.npy", rows[by_row])
    np.save(out / f"pos-{r:06d}.npy", by_row.astype(np.int64))
    return int(rows.size)


def nodes_of_rows(rank: str, offsets: list[int], first: int, stop: int) -> np.ndarray:
    """Task side: the node of each global row first .. stop-1 (int64), from every range."""
    nodes = np.full(stop - first, -1, dtype=np.int64)
    for r, offset in enumerate(offsets):
        rows = np.load(Path(rank) / f"row-{r:06d}.npy", mmap_mode="r")
        lo, hi = np.searchsorted(rows, [first, stop])
        if hi > lo:
            pos = np.load(Path(rank) / f"pos-{r:06d}.npy", mmap_mode="r")
            nodes[np.asarray(rows[lo:hi]) - first] = offset + np.asarray(pos[lo:hi])
    if (nodes < 0).any():
        raise RuntimeError(f"rows {first}..{stop - 1}: {int((nodes < 0).sum())} have no node in {rank}")
    return nodes


@dataclass(frozen=True)
class Block:
    """Partitions first .. stop-1, global rows row_first .. row_stop-1."""

    first: int
    stop: int
    row_first: int
    row_stop: int


def plan_blocks(counts: list[int], block_rows: int) -> list[Block]:
    """Runs of consecutive partitions of about `block_rows` rows (a partition is never split)."""
    blocks, first, row_first, rows = [], 0, 0, 0
    for i, count in enumerate(counts):
        if rows and rows + count > block_rows:
            blocks.append(Block(first, i, row_first, row_first + rows))
            first, row_first, rows = i, row_first + rows, 0
        rows += count
    if first < len(counts) or not blocks:
        blocks.append(Block(first, len(counts), row_first, row_first + rows))
    return blocks


def splitters(samples: list[pl.DataFrame], n: int, range_rows: int, priorities) -> list[tuple]:
    """Key tuples cutting the survivor order into ranges of about `range_rows` of the n rows."""
    ranges = max(1, math.ceil(n / range_rows))
    if ranges == 1:
        return []
    _, descending = order_exprs(priorities)
    keys = pl.concat(samples).sort(KEY_COLUMNS, descending=descending)
    at = sorted({j * keys.height // ranges for j in range(1, ranges)} - {0})
    return [key_tuple(row) for row in keys[at].iter_rows()]


class SurvivorNodes:
    """The scope's nodes: sort with `rank` (the executor, the work directory's RANK files)
    and look up the global rows of nodes."""

    def __init__(self, rank: Path, offsets: list[int], n: int) -> None:
        self.rank, self.offsets, self.n = Path(rank), list(offsets), n

    @classmethod
    def rank(
        cls,
        work: Path,
        counts: list[int],
        priorities: Mapping[str, int] | None,
        executor: Executor,
        block_rows: int | None = None,
        range_rows: int | None = None,
        samples: int | None = None,
    ) -> tuple[SurvivorNodes, list[Block]]:
        """Nodes of the rows of partitions 0..len(counts)-1 (rows_file in `work`), and the blocks.
        The sizes default to the module's BLOCK_ROWS, RANGE_ROWS and SAMPLES."""
        block_rows, range_rows = block_rows or BLOCK_ROWS, range_rows or RANGE_ROWS
        samples = samples or SAMPLES
        rank = Path(work) / "rank"
        rank.mkdir(parents=True, exist_ok=True)
        blocks = plan_blocks(counts, block_rows)
        block_paths = [str(rank / f"block-{b:06d}.arrow") for b in range(len(blocks))]
        items = [
            ([str(rows_file(work, i)) for i in range(blk.first, blk.stop)], blk.row_first, priorities, out, samples)
            for blk, out in zip(blocks, block_paths, strict=True)
        ]
        found = executor.map(sort_block, items)
        n = sum(counts)
        cuts = [None, *splitters(found, n, range_rows, priorities), None]
        items = [(block_paths, cuts[r], cuts[r + 1], priorities, str(rank), r) for r in range(len(cuts) - 1)]
        sizes = executor.map(rank_range, items)
        if sum(sizes) != n:
            raise RuntimeError(f"the survivor ranges hold {sum(sizes)} rows, the scope {n}")
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64).tolist()
        return cls(rank, offsets, n), blocks

    def rows_of(self, nodes: np.ndarray) -> np.ndarray:
        """The global row of each node (int64)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        out = np.empty(nodes.size, dtype=np.int64)
        r_of = np.searchsorted(self.offsets, nodes, side="right") - 1
        for r in np.unique(r_of):
            mine = r_of == r
            rows = np.load(self.rank / f"node-{r:06d}.npy", mmap_mode="r")
            out[mine] = rows[nodes[mine] - self.offsets[r]]
        return out


def _write(table: pa.Table, path: str | Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
