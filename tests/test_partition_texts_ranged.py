"""Near dedup's verification through an object-store work directory: a task fetches the texts of
its rows by byte ranges (the positions beside each row file, then just those texts), not the row
files; the Jaccard values are the ones read from the files on a disk. Here the store is a local
directory and the task runs in this process (tests/test_work_store.py's way)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from curation import work_store_task
from curation.dedup.partition_texts import (
    PartitionTexts,
    fetch_texts,
    positions_file,
    verify_pairs,
    write_text_positions,
)
from curation.dedup.shingle import Shingler
from curation.work_paths import RangedFile
from curation.work_store import WorkStore
from curation.work_store_task import read_ranges, run_task

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi"]


def _texts(seed: int, n: int) -> list[str | None]:
    rng = np.random.default_rng(seed)
    out: list[str | None] = []
    for i in range(n):
        if i % 17 == 5:
            out.append(None)
        else:
            words = list(rng.choice(WORDS, 40 + i % 7))
            out.append(" ".join(words) + (" ﬁn ünï" if i % 3 else ""))  # a ligature, accents: bytes, not chars
    return out


def _row_files(root, counts: list[int]) -> list[str]:
    paths = []
    for p, n in enumerate(counts):
        table = pa.table({"t": pa.array(_texts(p, n), pa.large_string()), "id": [f"p{p}-{i}" for i in range(n)]})
        path = root / f"rows-{p:06d}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=23)  # several batches: positions across them
        write_text_positions(path)
        paths.append(str(path))
    return paths


def _run_here(calls):
    return [run_task(*call) for call in calls]


def gather_here(paths: list[str], counts: list[int], rows: np.ndarray, positions=None) -> pa.Array:
    """`positions`: named so that the store holds them (as verify_pairs names them)."""
    return PartitionTexts(None, counts, paths).gather(rows)


def test_a_task_fetches_its_rows_texts_by_byte_ranges_and_gets_the_files_texts(tmp_path, monkeypatch):
    monkeypatch.setattr(work_store_task, "MERGE_GAP", -1)  # every range its own request: counted exactly
    root = tmp_path / "work"
    root.mkdir()
    counts = [60, 0, 45, 80]
    paths = _row_files(root, counts)
    rows = np.array([0, 5, 22, 23, 24, 59, 60, 61, 104, 105, 184, 140], np.int64)  # nulls, batch edges, unsorted
    local = gather_here(paths, counts, rows)
    assert local.null_count == 2
    (tmp_path / "store").mkdir()
    store = WorkStore(f"file://{tmp_path / 'store'}", [root])
    ranged = [RangedFile(p) for p in paths]
    positions = [RangedFile(positions_file(p)) for p in paths]
    got = store.map(gather_here, [(ranged, counts, rows, positions)], _run_here)[0]
    assert got.to_pylist() == local.to_pylist()
    # the 16 bytes of each row's position and each text, not the files
    text_bytes = sum(len(t.encode()) for t in local.to_pylist() if t is not None)
    assert store.traffic["task_downloads"] == text_bytes + 16 * rows.size
    assert not list(tmp_path.glob("**/curation-task-*"))


@pytest.mark.parametrize("gap", [-1, 1 << 20])
def test_verification_through_the_store_gives_the_floats_read_from_disk(tmp_path, monkeypatch, gap):
    monkeypatch.setattr(work_store_task, "MERGE_GAP", gap)
    root = tmp_path / "work"
    root.mkdir()
    counts = [50, 70, 40]
    paths = _row_files(root, counts)
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 160, 40), rng.integers(0, 160, 40)
    shingler = Shingler(n=3)
    positions = [positions_file(p) for p in paths]
    on_disk = verify_pairs(paths, positions, counts, shingler, a, b)
    assert 0 < np.count_nonzero(on_disk) < a.size
    (tmp_path / "store").mkdir()
    store = WorkStore(f"file://{tmp_path / 'store'}", [root])
    item = ([RangedFile(p) for p in paths], [RangedFile(p) for p in positions], counts, shingler, a, b)
    through = store.map(verify_pairs, [item], _run_here)[0]
    assert through.tobytes() == on_disk.tobytes()
    touched = np.unique(np.concatenate([a, b]))
    texts = PartitionTexts(None, counts, paths).gather(touched).to_pylist()
    needed = sum(len(t.encode()) for t in texts if t) + 16 * touched.size
    if gap < 0:
        assert store.traffic["task_downloads"] == needed
    else:  # nearby ranges in one request: the spans from each file's first to last touched row
        assert needed < store.traffic["task_downloads"] <= sum(Path(p).stat().st_size + 16 * c for p, c in zip(paths, counts, strict=True))


def test_text_positions_need_a_string_column_of_offsets(tmp_path):
    path = tmp_path / "rows-000000.arrow"
    table = pa.table({"t": pa.array(["a", "b"], pa.string_view())})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with pytest.raises(TypeError, match="column 't' is string_view, not a string of offsets"):
        write_text_positions(path)


def test_no_rows_fetch_nothing():
    assert fetch_texts([], np.empty(0, np.int64)).to_pylist() == []


def ranges_here(paths: list[str], starts: list[int], ends: list[int]) -> list[bytes]:
    return read_ranges(paths, starts, ends)


@pytest.mark.parametrize("gap", [-1, 0, 7, 1 << 20])
def test_ranges_are_fetched_merged_where_close_and_cut_back_apart(tmp_path, monkeypatch, gap):
    """Overlapping, empty, unsorted ranges of several objects: each gets its own bytes, whatever
    the gap ranges are merged across; an empty range asks for nothing (S3 would send the object)."""
    monkeypatch.setattr(work_store_task, "MERGE_GAP", gap)
    root = tmp_path / "work"
    root.mkdir()
    blobs = {name: bytes(np.random.default_rng(i).integers(0, 256, 300, dtype=np.uint8)) for i, name in enumerate("abc")}
    for name, blob in blobs.items():
        (root / name).write_bytes(blob)
    rng = np.random.default_rng(gap + 2)
    names = list(rng.choice(list(blobs), 60))
    starts = rng.integers(0, 300, 60)
    ends = np.minimum(300, starts + rng.integers(0, 40, 60))
    ends[::9] = starts[::9]  # empty ones
    (tmp_path / "store").mkdir()
    store = WorkStore(f"file://{tmp_path / 'store'}", [root])
    calls = []
    from fsspec.implementations.local import LocalFileSystem

    real = LocalFileSystem.cat_ranges
    monkeypatch.setattr(LocalFileSystem, "cat_ranges", lambda self, p, *a, **k: calls.append(len(p)) or real(self, p, *a, **k))
    item = ([RangedFile(root / n) for n in names], starts.tolist(), ends.tolist())
    got = store.map(ranges_here, [item], _run_here)[0]
    assert got == [blobs[n][s:e] for n, s, e in zip(names, starts, ends, strict=True)]
    covered = {n: np.zeros(300, bool) for n in blobs}
    for n, s, e in zip(names, starts, ends, strict=True):
        covered[n][s:e] = True
    union = sum(int(c.sum()) for c in covered.values())
    spans = sum(int(np.flatnonzero(c)[-1] - np.flatnonzero(c)[0] + 1) for c in covered.values() if c.any())
    fetched = store.traffic["task_downloads"]
    assert len(calls) == 1
    if gap < 0:  # only overlapping ranges merge: every byte asked for, once
        assert fetched == union
    elif gap == 1 << 20:  # one request per object, first to last byte asked for
        assert calls == [3] and fetched == spans
    else:
        assert union <= fetched <= spans
