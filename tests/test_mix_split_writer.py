"""The partitioned split writer writes the bytes the in-memory writer writes: shard cuts planned
from row sizes alone, rows shuffled into place through buckets, one task per shard."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.executor import parse_executor
from curation.mix import split_ranges, split_writer
from curation.mix.build import EVAL, MIX_SCHEMA, TRAIN, build_mix
from curation.mix.demo_inputs import demo_manifest
from curation.mix.manifest import load_manifest
from curation.mix.sample import shuffle_order
from curation.mix.select import select
from curation.mix.shards import plan_shards, write_hf_dataset_dict, write_split
from curation.partitions import part_starts, take_rows
from curation.source_stages import source_parts

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("seed", range(4))
def test_plan_shards_cuts_where_the_writer_cuts(tmp_path, seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 400, size=500)
    sizes[rng.integers(0, 500, size=5)] = 5000  # rows over the byte limit get shards of their own
    text = pa.array(["x" * (int(s) - 4) if s > 4 else "" for s in sizes], pa.string())
    table = pa.table({"t": text})
    chunks = [table.slice(lo, 37) for lo in range(0, 500, 37)]  # the writer sees chunks
    shards = write_split(chunks, tmp_path / "s", table.schema, max_shard_rows=60, max_shard_bytes=3000)
    real = np.array([4 + len(v) for v in text.to_pylist()])
    bounds = plan_shards(real, 60, 3000)
    assert [hi - lo for lo, hi in bounds] == [s.rows for s in shards]
    assert bounds[0][0] == 0 and bounds[-1][1] == 500
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))


def _pools(run: Path, names: list[str]) -> dict[str, tuple[pa.Array, np.ndarray]]:
    """source -> (ids, n_tokens) of its rendered rows, in part order: what `select` samples."""
    pools = {}
    for name in names:
        table = pa.concat_tables(pq.read_table(p, columns=["id", "n_tokens"]) for p in source_parts(run, name))
        pools[name] = (table.column("id").combine_chunks(), table.column("n_tokens").to_numpy().astype(np.int64))
    return pools


def _rows(run: Path, picks, manifest, ordered_parts: list[str]) -> pa.Table:
    """The in-memory writer's rows: the picked rows of every source as MIX_SCHEMA, parts in
    order, each part shuffled by shuffle_order."""
    by_part: dict[str, list[pa.Table]] = {p: [] for p in ordered_parts}
    for pick in sorted(picks, key=lambda p: (p.part, p.source)):
        if len(pick.indices) == 0:
            continue
        parts = source_parts(run, pick.source)
        src = take_rows(parts, part_starts(parts), pick.indices)
        columns = {name: src.column(name) for name in ("id", "source", "text", "n_tokens", "spans", "token_spans")}
        columns["part"] = pa.array([pick.part] * src.num_rows, pa.string())
        columns["epoch"] = pa.array(pick.epochs, pa.int32())
        columns["domain"] = pa.compute.struct_field(src.column("meta"), "domain")
        by_part[pick.part].append(pa.table({f.name: columns[f.name] for f in MIX_SCHEMA}, schema=MIX_SCHEMA))
    out = []
    for part in ordered_parts:
        if not by_part[part]:
            continue
        table = pa.concat_tables(by_part[part]).combine_chunks()
        order = np.arange(table.num_rows)
        if manifest.output.shuffle:
            order = shuffle_order(table.column("id"), table.column("source"), table.column("epoch").to_numpy(), manifest.seed)
        out.append(table.take(pa.array(order)))
    return pa.concat_tables(out) if out else MIX_SCHEMA.empty_table()


def _in_memory_shards(manifest, run: Path, out: Path) -> dict[str, str]:
    """The shards of the old writer: the in-memory selection, the whole split in memory, write_hf_dataset_dict."""
    pools = _pools(run, [s.name for s in manifest.sources])
    max_epochs = {s.name: s.max_epochs for s in manifest.sources}
    train, evals, _ = select(pools, manifest.parts(), manifest.seed, max_epochs, manifest.split.eval_fraction)
    splits = {TRAIN: [_rows(run, train, manifest, [p.name for p in manifest.parts()])]}
    if manifest.split.eval_fraction > 0:
        splits[EVAL] = [_rows(run, evals, manifest, [EVAL])]
    shards = write_hf_dataset_dict(
        splits, out, MIX_SCHEMA, manifest.output.max_shard_rows, manifest.output.max_shard_bytes
    )
    return {s.file: s.sha256 for s in shards}


@pytest.mark.parametrize(
    ("executor", "range_rows", "min_range_rows", "bits"),
    [(1, 7, 1, None), ("processes:2", split_ranges.RANGE_ROWS, split_ranges.MIN_RANGE_ROWS, 0), ("processes:2", split_ranges.RANGE_ROWS, 1, 1)],
    ids=["7-row ranges", "2 workers, one range", "2 workers, a range each"],
)
def test_partitioned_shards_equal_the_in_memory_writer(tmp_path, monkeypatch, executor, range_rows, min_range_rows, bits):
    monkeypatch.setattr(split_ranges, "RANGE_ROWS", range_rows)  # many ranges per shard, shards across ranges
    monkeypatch.setattr(split_ranges, "MIN_RANGE_ROWS", min_range_rows)
    if executor == 1:  # sorted files of several batches, shards starting and ending inside them (this process only)
        monkeypatch.setattr(split_ranges, "SORT_BATCH_ROWS", 3)
    planned = []
    real = split_ranges.range_bits
    monkeypatch.setattr(split_ranges, "range_bits", lambda *a: planned.append(real(*a)) or planned[-1])
    manifest = demo_manifest(load_manifest(REPO / "mixes" / "stem-proof-distill.yaml", check_files=False), tmp_path / "in")
    manifest = manifest.model_copy(
        update={"output": manifest.output.model_copy(update={"max_shard_rows": 41, "max_shard_bytes": 60_000})}
    )
    lock = build_mix(manifest, tmp_path / "mix", tmp_path / "work", workers=executor)
    got = {s.file: s.sha256 for s in lock.shards}
    assert len([f for f in got if f.startswith("train/")]) > 5 and any(f.startswith("eval/") for f in got)
    assert got == _in_memory_shards(manifest, tmp_path / "work" / "render", tmp_path / "old")
    assert not list((tmp_path / "mix").glob(".shuffle-*"))
    assert bits is None or planned == [bits]  # the demo mix is small: a range per worker only when allowed


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("recipe", ["curriculum-sft-kd", "wind-edge-1.6-pretrain-1.2t"])
def test_parts_and_unshuffled_order_equal_the_in_memory_writer(tmp_path, monkeypatch, recipe, shuffle):
    """Curriculum stages and pretraining phases (one of them sampling its own pool of long
    documents), shuffled or in pick order, cut into ranges of a few rows each."""
    monkeypatch.setattr(split_ranges, "RANGE_ROWS", 5)
    manifest = demo_manifest(load_manifest(REPO / "mixes" / f"{recipe}.yaml", check_files=False), tmp_path / "in")
    output = {"max_shard_rows": 29, "shuffle": shuffle, "pack": False}
    manifest = manifest.model_copy(update={"output": manifest.output.model_copy(update=output)})
    lock = build_mix(manifest, tmp_path / "mix", tmp_path / "work", workers=1)
    got = {s.file: s.sha256 for s in lock.shards}
    assert len(got) > 3
    assert got == _in_memory_shards(manifest, tmp_path / "work" / "render", tmp_path / "old")


def test_a_range_holds_the_rows_it_was_planned_for(tmp_path):
    """A range whose rows went missing (a partition's file lost) fails the build, naming it."""
    (tmp_path / "k00000-r0").mkdir(parents=True)
    table = MIX_SCHEMA.empty_table().append_column(split_ranges.KEY, pa.array([], pa.uint64()))
    with pa.OSFile(str(tmp_path / "k00000-r0" / "s0-p0.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
        w.write_table(table)
    target = split_writer.SplitTarget(tmp_path / "out", MIX_SCHEMA, 10, 10_000, "train")
    with pytest.raises(RuntimeError, match="range k00000-r0: 0 rows sorted, 3 picked"):
        split_ranges.write_split_ranges({"k00000-r0": 3}, True, target, parse_executor(1), tmp_path)


def test_equal_shuffle_keys_are_ordered_as_the_in_memory_writer_orders_them(tmp_path, monkeypatch):
    """Keys of 3 bits: most picks tie on their sampling and shuffle keys, so the ids (read back
    from the rendered parts) decide the selection and the final order."""
    from curation.mix import sample, sample_order, select_tasks
    from curation.mix.sample_hash import row_keys

    def coarse(ids, seed, source, epoch, *, purpose="sample"):
        keys = row_keys(ids, seed, source, epoch, purpose=purpose)
        return keys if purpose == "eval" else keys >> np.uint64(61)  # the eval split stays as it is

    for module in (sample, sample_order, select_tasks):
        monkeypatch.setattr(module, "row_keys", coarse)
    manifest = demo_manifest(load_manifest(REPO / "mixes" / "stem-proof-distill.yaml", check_files=False), tmp_path / "in")
    lock = build_mix(manifest, tmp_path / "mix", tmp_path / "work", workers=1)
    assert {s.file: s.sha256 for s in lock.shards} == _in_memory_shards(manifest, tmp_path / "work" / "render", tmp_path / "old")


def test_a_sorted_file_is_read_by_the_batches_that_hold_the_rows(tmp_path, monkeypatch):
    """read_sorted_rows: any row range (clipped to the file) reads only its batches, and a file whose
    batches are not SORT_BATCH_ROWS long fails by name rather than giving other rows."""
    monkeypatch.setattr(split_ranges, "SORT_BATCH_ROWS", 4)
    table = pa.table({"x": pa.array(range(18), pa.int64())})
    path = tmp_path / "sorted.arrow"
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=4)  # 4, 4, 4, 4, 2
    for lo in range(-2, 21):
        for hi in range(lo, 22):
            got = split_ranges.read_sorted_rows(str(path), lo, hi)
            assert got.column("x").to_pylist() == list(range(max(lo, 0), min(hi, 18))), (lo, hi)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=5)
    with pytest.raises(RuntimeError, match="batch 1 holds 5 rows, not 4"):
        split_ranges.read_sorted_rows(str(path), 6, 8)
