"""A partition passes through its stages one input row group at a time (source_stages.run_partition),
writing its part through row_group_file.RowGroupFile: the stages never see more than a row group,
and the part, the reports and the counts are those of the partition passed through whole. A mix
pick task reads its rows of a part a row group at a time too (partitions.read_rows)."""

import json
import random
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from curation.accounting import DROP_SCHEMA
from curation.ingest import SourceSpec, ingest_source
from curation.partitions import ROW_GROUP_ROWS, Partition, plan_partitions, read_rows
from curation.parts import WORK_COMPRESSION, parquet_options
from curation.readers import Location
from curation.record import CANONICAL_SCHEMA
from curation.row_group_file import RowGroupFile
from curation.source_stages import PIECES, run_partition, source_parts

OPTIONS = parquet_options(WORK_COMPRESSION)


def _table(n: int, seed: int = 0) -> pa.Table:
    rng = random.Random(seed)
    return pa.table(
        {
            "id": [f"r{i}" for i in range(n)],
            "n": pa.array(np.arange(n) * 7 % 13, pa.int64()),
            "text": ["".join(rng.choice("abc \u00e9\U0001f600") for _ in range(rng.randrange(0, 40))) for _ in range(n)],
        }
    )


@pytest.mark.parametrize("group", [1, 7, 1000, 2500])
def test_written_in_batches_it_is_the_file_written_whole(tmp_path, group):
    table = _table(2345)
    pq.write_table(table, tmp_path / "whole.parquet", row_group_size=group, **OPTIONS)
    rng = random.Random(group)
    with RowGroupFile(tmp_path / "batches.parquet", group, **OPTIONS) as out:
        at = 0
        while at < table.num_rows:
            n = rng.choice([0, 1, 3, 50, 999, 1200])
            out.write(table.slice(at, n))
            at += n
    assert pq.ParquetFile(tmp_path / "batches.parquet").metadata.num_rows == table.num_rows
    assert (tmp_path / "batches.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()


def test_a_failure_half_way_leaves_no_file(tmp_path):
    table = _table(300)
    with pytest.raises(RuntimeError, match="stage failed"), RowGroupFile(tmp_path / "f.parquet", 100, **OPTIONS) as out:
        out.write(table)  # three row groups written
        assert (tmp_path / "f.parquet").exists()
        raise RuntimeError("stage failed")
    assert not (tmp_path / "f.parquet").exists()


def test_no_rows_no_file_and_a_bad_group_size(tmp_path):
    with RowGroupFile(tmp_path / "none.parquet", 10) as out:
        out.write(_table(0))
    assert not (tmp_path / "none.parquet").exists()
    with pytest.raises(ValueError, match="rows_per_group must be 1 or more, got 0"):
        RowGroupFile(tmp_path / "x.parquet", 0)


def _stage_drop(seen: list[int], every: int, name: str, table: pa.Table):
    """Drops rows whose text has a word count divisible by `every`; records the rows it was handed."""
    seen.append(table.num_rows)
    words = pc.list_value_length(pc.split_pattern(table.column("text"), " "))
    gone = pa.array([w % every == 0 for w in words.to_pylist()])
    n = int(pc.sum(gone).as_py() or 0)
    report = pa.table(
        {
            "source": table.column("source").filter(gone),
            "stage": pa.repeat(pa.scalar(name), n),
            "reason": pa.repeat(pa.scalar("count"), n),
            "detail": pa.repeat(pa.scalar(""), n),
            "id": table.column("id").filter(gone),
            **{f: pa.nulls(n, DROP_SCHEMA.field(f).type) for f in DROP_SCHEMA.names[5:]},
        }
    ).cast(DROP_SCHEMA)
    return table.filter(pc.invert(gone)), report


def _canonical_file(tmp_path, n: int) -> Partition:
    """An ingested part of `n` documents in row groups of ROW_GROUP_ROWS / 4 rows, as one partition."""
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{i}", "text": f"document {i} " + "word " * (i % 9)}) + "\n" for i in range(n)))
    run = tmp_path / "ingest"
    ingest_source(SourceSpec("web", "documents", Location(path=str(path))), run, batch_rows=ROW_GROUP_ROWS // 4)
    (partition,) = plan_partitions(source_parts(run, "web"), 10 * n)
    return partition


def test_a_partition_passes_one_row_group_at_a_time_into_the_bytes_of_a_whole_pass(tmp_path):
    n = 3 * ROW_GROUP_ROWS + 123  # 13 input row groups of 2,500 rows
    partition = _canonical_file(tmp_path, n)
    seen_a, seen_b = [], []
    stages = [("a", partial(_stage_drop, seen_a, 4, "a")), ("b", partial(_stage_drop, seen_b, 3, "b"))]
    out = tmp_path / "out"
    (out / "data").mkdir(parents=True)
    (out / PIECES).mkdir()
    counts = run_partition(partition, 0, str(out), stages, CANONICAL_SCHEMA, "web")
    assert max(seen_a) == ROW_GROUP_ROWS // 4 and sum(seen_a) == n  # never more than a row group
    assert len(seen_a) == len(seen_b) == 13

    # the same stages over the partition whole, written at once
    whole = partition.read(CANONICAL_SCHEMA)
    kept_a, drop_a = _stage_drop([], 4, "a", whole)
    kept_b, drop_b = _stage_drop([], 3, "b", kept_a)
    # what run_partition wrote before it took a row group at a time
    pq.write_table(kept_b.cast(CANONICAL_SCHEMA).combine_chunks(), tmp_path / "whole.parquet", row_group_size=ROW_GROUP_ROWS, **OPTIONS)
    part = out / "data" / "part-00000.parquet"
    assert part.read_bytes() == (tmp_path / "whole.parquet").read_bytes()
    assert pq.ParquetFile(part).metadata.num_row_groups == -(-kept_b.num_rows // ROW_GROUP_ROWS)
    dropped = pq.read_table(out / PIECES / "dropped-00000.parquet")
    assert dropped.column("id").to_pylist() == drop_a.column("id").to_pylist() + drop_b.column("id").to_pylist()
    assert [(c.input, c.kept, c.dropped) for c in counts] == [
        (n, kept_a.num_rows, drop_a.num_rows),
        (kept_a.num_rows, kept_b.num_rows, drop_b.num_rows),
    ]


def test_read_rows_takes_rows_a_row_group_at_a_time(tmp_path):
    table = _table(95)
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=10)
    for rows in ([], [0], [94], [3, 9, 10, 11, 40, 41, 94], list(range(95)), [20, 21, 22]):
        got = read_rows(path, np.array(rows, np.int64))
        assert got.equals(table.take(pa.array(rows, pa.int64()))), rows
    with pytest.raises(IndexError, match=r"t.parquet: rows 5..95 asked of 95 rows"):
        read_rows(path, np.array([5, 95]))
