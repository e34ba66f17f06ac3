"""The survivor order sorted by block and range tasks (survivor_rank.py) against one sort."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from curation.dedup import survivor_rank
from curation.dedup.survivor import order_exprs
from curation.dedup.survivor_rank import SurvivorNodes, nodes_of_rows, plan_blocks, rows_file
from curation.executor import SERIAL, Processes

PRIORITIES = {"curated": -1, "web": 2}


def _scope(rng: np.random.Generator, n: int) -> pl.DataFrame:
    # Few distinct lengths and ids sharing prefixes (and a non-ASCII one): the tie-breaks decide.
    ids = [f"{p}{k}" for p, k in zip(rng.choice(["a", "ab", "b", "é", "Z"], n), rng.integers(0, n, n), strict=True)]
    frame = pl.DataFrame(
        {
            "id": ids,
            "source": rng.choice(["curated", "web", "books"], n).tolist(),
            "length": pl.Series(rng.integers(0, 4, n), dtype=pl.UInt32),
        }
    )
    return frame.unique(["id", "source"], keep="first", maintain_order=True)


def _write(work, frame: pl.DataFrame, counts: list[int]) -> None:
    lo = 0
    for i, count in enumerate(counts):
        table = frame.slice(lo, count).to_arrow()
        with pa.OSFile(str(rows_file(work, i)), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        lo += count


def _expected_nodes(frame: pl.DataFrame) -> np.ndarray:
    by, descending = order_exprs(PRIORITIES)
    row_of_node = frame.with_row_index("row").sort(by, descending=descending)["row"].to_numpy()
    nodes = np.empty(frame.height, dtype=np.int64)
    nodes[row_of_node] = np.arange(frame.height)
    return nodes


@pytest.mark.parametrize(
    "executor, block_rows, range_rows, samples",
    [(SERIAL, 10**6, 10**6, 1024), (SERIAL, 23, 17, 3), (SERIAL, 7, 5, 1), (SERIAL, 50, 9, 16), (Processes(2), 40, 31, 4)],
)
def test_nodes_are_the_ranks_of_one_sort(tmp_path, executor, block_rows, range_rows, samples):
    frame = _scope(np.random.default_rng(5), 300)
    counts = [40, 0, 13, frame.height - 40 - 13 - 90, 90, 0]  # empty partitions among them
    _write(tmp_path, frame, counts)
    nodes, blocks = SurvivorNodes.rank(tmp_path, counts, PRIORITIES, executor, block_rows, range_rows, samples)
    expected = _expected_nodes(frame)
    got = np.concatenate([nodes_of_rows(str(nodes.rank), nodes.offsets, b.row_first, b.row_stop) for b in blocks])
    assert np.array_equal(got, expected)
    assert np.array_equal(nodes.rows_of(expected), np.arange(frame.height))
    if range_rows < 100:
        assert len(nodes.offsets) > 3  # the test really cut several ranges


def test_blocks_never_split_a_partition():
    blocks = plan_blocks([5, 0, 9, 2, 30, 1], 10)
    assert [(b.first, b.stop) for b in blocks] == [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6)]
    assert [(b.row_first, b.row_stop) for b in blocks] == [(0, 5), (5, 14), (14, 16), (16, 46), (46, 47)]
    # a partition of no rows after a full block still belongs to one (its files are read)
    assert [(b.first, b.stop) for b in plan_blocks([10, 0], 5)] == [(0, 1), (1, 2)]


def test_a_row_missing_from_every_range_is_an_error(tmp_path):
    frame = _scope(np.random.default_rng(1), 50)
    _write(tmp_path, frame, [frame.height])
    nodes, _ = SurvivorNodes.rank(tmp_path, [frame.height], None, SERIAL, range_rows=10)
    np.save(nodes.rank / "row-000000.npy", np.load(nodes.rank / "row-000000.npy")[1:])
    np.save(nodes.rank / "pos-000000.npy", np.load(nodes.rank / "pos-000000.npy")[1:])
    with pytest.raises(RuntimeError, match="have no node"):
        nodes_of_rows(str(nodes.rank), nodes.offsets, 0, frame.height)


def test_defaults_are_read_when_called(tmp_path, monkeypatch):
    frame = _scope(np.random.default_rng(2), 60)
    _write(tmp_path, frame, [frame.height])
    monkeypatch.setattr(survivor_rank, "RANGE_ROWS", 10)
    nodes, _ = SurvivorNodes.rank(tmp_path, [frame.height], None, SERIAL)
    assert len(nodes.offsets) > 1
