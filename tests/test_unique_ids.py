"""Repeated ids are renamed `id#k` in read order, the same through any number of hash buckets
and on any executor; only the parts holding a repeat are rewritten, row groups kept."""

from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation import unique_ids
from curation.executor import parse_executor
from curation.record import CANONICAL_SCHEMA
from curation.unique_ids import make_ids_unique, make_ids_unique_all


def _parts(data: Path, rng) -> list[list[str]]:
    """Parts of canonical rows whose ids repeat within and across parts (row groups of 4)."""
    data.mkdir(parents=True)
    pool = [f"id-{i}" for i in range(30)]
    parts = []
    for k in range(5):
        ids = [pool[i] for i in rng.integers(0, len(pool), size=int(rng.integers(0, 25)))]
        rows = {f.name: [None] * len(ids) for f in CANONICAL_SCHEMA}
        rows["id"] = ids
        rows["source"] = ["s"] * len(ids)
        rows["kind"] = ["text"] * len(ids)
        rows["text"] = [f"text {i}" for i in range(len(ids))]
        table = pa.Table.from_pydict(rows, schema=CANONICAL_SCHEMA)
        pq.write_table(table, data / f"part-{k:05d}.parquet", row_group_size=4)
        parts.append(ids)
    return parts


def _expected(parts: list[list[str]]) -> list[list[str]]:
    seen: Counter = Counter()
    out = []
    for ids in parts:
        renamed = []
        for i in ids:
            seen[i] += 1
            renamed.append(i if seen[i] == 1 else f"{i}#{seen[i]}")
        out.append(renamed)
    return out


@pytest.mark.parametrize(("per_bucket", "executor"), [(10**9, 1), (3, 1), (7, "processes:2")])
def test_repeats_are_numbered_in_read_order_through_any_buckets(tmp_path, monkeypatch, per_bucket, executor):
    monkeypatch.setattr(unique_ids, "IDS_PER_BUCKET", per_bucket)
    data = tmp_path / "src" / "data"
    parts = _parts(data, np.random.default_rng(5))
    groups_before = [pq.ParquetFile(p).metadata.num_row_groups for p in sorted(data.glob("*.parquet"))]
    renamed = make_ids_unique(data, "zstd", parse_executor(executor))
    got = [pq.read_table(p).column("id").to_pylist() for p in sorted(data.glob("part-*.parquet"))]
    assert got == _expected(parts)
    assert renamed == sum(len(p) for p in parts) - len({i for p in parts for i in p})
    assert [pq.ParquetFile(p).metadata.num_row_groups for p in sorted(data.glob("part-*.parquet"))] == groups_before
    assert sorted(q.name for q in data.parent.iterdir()) == ["data"]  # the scratch buckets are gone


def test_parts_without_repeats_are_not_rewritten(tmp_path):
    data = tmp_path / "src" / "data"
    parts = _parts(data, np.random.default_rng(2))
    first = sorted(data.glob("part-*.parquet"))[0]
    # make the first part's ids unique to the whole source: it must keep its file
    table = pq.read_table(first)
    table = table.set_column(0, CANONICAL_SCHEMA.field("id"), pa.array([f"only-{i}" for i in range(table.num_rows)]))
    pq.write_table(table, first, row_group_size=4)
    before = first.stat()
    make_ids_unique(data, "zstd")
    after = first.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert len(parts[0]) and make_ids_unique(tmp_path / "none", "zstd") == 0


@pytest.mark.parametrize(("per_bucket", "executor"), [(10**9, 1), (3, "processes:2")])
def test_several_sources_in_one_map_keep_their_ids_apart(tmp_path, monkeypatch, per_bucket, executor):
    """Three sources (one without parts) share the same id pool: each is numbered alone."""
    monkeypatch.setattr(unique_ids, "IDS_PER_BUCKET", per_bucket)
    dirs = [tmp_path / name / "data" for name in ("a", "b", "empty")]
    parts = [_parts(dirs[0], np.random.default_rng(5)), _parts(dirs[1], np.random.default_rng(6))]
    dirs[2].mkdir(parents=True)
    renamed = make_ids_unique_all(dirs, "zstd", parse_executor(executor))
    for data, source in zip(dirs, parts, strict=False):
        assert [pq.read_table(p).column("id").to_pylist() for p in sorted(data.glob("part-*.parquet"))] == _expected(source)
    assert renamed == [sum(len(p) for p in s) - len({i for p in s for i in p}) for s in parts] + [0]
    assert all(sorted(q.name for q in d.parent.iterdir()) == ["data"] for d in dirs)


def test_a_small_source_still_gives_each_worker_an_id_bucket(tmp_path, monkeypatch):
    from executor_support import Recording

    monkeypatch.setattr(unique_ids, "MIN_IDS_PER_BUCKET", 10)
    data = tmp_path / "src" / "data"
    parts = _parts(data, np.random.default_rng(5))
    rows = sum(len(p) for p in parts)
    assert rows > 30
    executor = Recording(workers=3)
    make_ids_unique(data, "zstd", executor)
    assert executor.items("bucket_repeats") == [3]  # rows / 3 workers > 10 ids a bucket
    assert [pq.read_table(p).column("id").to_pylist() for p in sorted(data.glob("part-*.parquet"))] == _expected(parts)
    executor = Recording(workers=3)
    monkeypatch.setattr(unique_ids, "MIN_IDS_PER_BUCKET", rows)  # too few ids to cut: one bucket
    make_ids_unique(data, "zstd", executor)
    assert executor.items("bucket_repeats") == [1]


def test_renaming_a_part_twice_writes_the_same_copy_and_leaves_the_part(tmp_path):
    """A Ray task run again after its worker was lost (executor.SYSTEM_RETRIES) must not rename
    the ids twice: the task writes a renamed copy and the caller swaps it in afterwards."""
    from curation.unique_ids import rename_repeats, renamed_path

    data = tmp_path / "src" / "data"
    parts = _parts(data, np.random.default_rng(5))
    part = sorted(data.glob("part-*.parquet"))[next(k for k, ids in enumerate(parts) if len(ids) >= 3)]
    before = part.read_bytes()
    rename_repeats(str(part), [0, 2], [2, 3], "zstd")
    first = renamed_path(str(part)).read_bytes()
    rename_repeats(str(part), [0, 2], [2, 3], "zstd")
    assert renamed_path(str(part)).read_bytes() == first and part.read_bytes() == before
    ids = pq.read_table(renamed_path(str(part))).column("id").to_pylist()
    original = pq.read_table(part).column("id").to_pylist()
    assert ids[0] == f"{original[0]}#2" and ids[2] == f"{original[2]}#3" and ids[1] == original[1]
