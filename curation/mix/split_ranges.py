"""Writing a mix's splits so that no process holds every picked row: the partitions write their
own picks into ranges of the final order, each range is sorted by its own task, and the shard
plan is streamed range by range. The same bytes as select + shuffle_order + write_split over
the whole split in memory (tests/test_mix_split_writer.py).

The final order of a split is a sort: parts (stages / phases) in order, then

- shuffled (output.shuffle): by the row's shuffle key, equal keys by (source, id, epoch);
- not shuffled: by source name, then the pick order of its pool (epoch, sample key, id).

Both are cut into ranges by the top bits of the key (as many as make ranges of about
RANGE_ROWS rows), so a range is a contiguous piece of the final order:

    map over rendered parts (pick_into_ranges): the part's picks (select_tasks.pick_rows) as mix
        rows with their order key, into WORK/<split>/<range>/<tag>.arrow; returns counts
        (rows and tokens per pool and part, rows per range) and the taken rows' length counts
    map over ranges (sort_range): one range's rows in final order -> sorted.arrow (written a
        batch at a time from the memory-mapped files), each row's estimated bytes -> sizes.npy
    here: shard bounds, range by range (shards.plan_shard_pieces), one range's sizes at a time
    map over shards (write_range_shard): the sorted ranges it spans -> data-i-of-N.arrow, sha256

Memory: here, a few numbers per range, shard and pool (no row); a task, one rendered part, one
range's keys, ids and sizes (about RANGE_ROWS rows; its text memory-mapped, read a batch at a
time), or one shard. Files: every partition writes one file into each range its picks fall in;
a sort task opens them all once, a shard task only the one or two sorted ranges it spans. The
text is written into the ranges, once more sorted, and into the shards.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.executor import Executor
from curation.mix.sample_hash import order_by_key
from curation.mix.select import EVAL, TRAIN, PickTotal
from curation.mix.select_partitioned import SelectionPlan, plans_by_source
from curation.mix.select_tasks import pick_rows
from curation.mix.shards import ShardInfo, plan_shard_pieces, table_row_nbytes
from curation.mix.split_writer import SplitTarget, write_planned_shards, write_shard_table
from curation.partitions import read_rows
from curation.row_groups import row_groups
from curation.work_paths import OutputDir, RangedFile
from curation.work_store_task import open_ranged

# Rows a range is sized for. A sort task holds a range's keys, ids and sizes (tens of bytes a
# row; the text stays memory-mapped), so ranges can be large, which keeps the files the
# partitions write (one per partition and range it picks into) few.
RANGE_ROWS = 2_000_000
MIN_RANGE_ROWS = 10_000  # fewer rows a range: not worth a task of its own
KEY = "__key"  # the order key column of the range files
SORTED, SIZES = "sorted.arrow", "sizes.npy"
SORT_BATCH_ROWS = 10_000  # rows a sort task gathers and writes at a time


@dataclass(frozen=True)
class Route:
    """Where one pool's picks go: its split, and per part of the pool (the plan's cuts) the
    part's index among the split's parts and its name."""

    split: str
    parts: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class RangeLayout:
    """How a build's picks are cut into ranges: shuffled or not, the key bits naming a range,
    and the sources in name order (a source's index orders unshuffled parts)."""

    shuffle: bool
    bits: int
    sources: tuple[str, ...]

    def range_codes(self, epoch: np.ndarray, key: np.ndarray) -> np.ndarray:
        """Each row's range within its part and source: the key's top `bits`, and, unshuffled,
        its epoch before them (a source's epochs follow each other)."""
        top = (key >> np.uint64(64 - self.bits)).astype(np.int64) if self.bits else np.zeros(len(key), np.int64)
        return top if self.shuffle else (epoch.astype(np.int64) << self.bits) | top

    def range_name(self, part: int, source: int, code: int) -> str:
        """A range's directory name; names sort in final order. Shuffled, a part's ranges mix
        its sources; unshuffled, each source's picks follow the previous source's."""
        if self.shuffle:
            return f"k{part:05d}-r{code:016x}"
        return f"k{part:05d}-s{source:05d}-r{code:016x}"


@dataclass
class RangeCounts:
    """What the partitions' picks add up to: rows and tokens per (pool, part), rows per range of
    each split, and per source the token lengths of its taken train rows (value -> rows)."""

    picks: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    ranges: dict[str, dict[str, int]] = field(default_factory=dict)
    lengths: dict[str, dict[int, int]] = field(default_factory=dict)

    def add(self, other: RangeCounts) -> None:
        for k, (rows, tokens) in other.picks.items():
            have = self.picks.get(k, (0, 0))
            self.picks[k] = (have[0] + rows, have[1] + tokens)
        for split, ranges in other.ranges.items():
            mine = self.ranges.setdefault(split, {})
            for name, rows in ranges.items():
                mine[name] = mine.get(name, 0) + rows
        for source, counts in other.lengths.items():
            mine = self.lengths.setdefault(source, {})
            for value, rows in counts.items():
                mine[value] = mine.get(value, 0) + rows


def range_bits(plan: SelectionPlan, workers: int = 1) -> int:
    """Key bits per range so that a range holds about RANGE_ROWS rows: from the rows the pools
    will pick (whole epochs of their rows plus the partial epoch's share), the larger split's.
    With several `workers`, at least a range each while a range keeps MIN_RANGE_ROWS rows, so
    the ranges' sorts run side by side (a 31,000-row mix sorted its one range in the driver
    while the workers waited). The ranges are contiguous pieces of the final order, so their
    number changes no shard."""
    rows = {TRAIN: 0.0, EVAL: 0.0}
    for k, pool in enumerate(plan.pools):
        share = pool.take.tokens / pool.available if pool.take is not None and pool.available else 0.0
        rows[plan.split_of(k)] += (pool.full + share) * pool.rows
    most = max(rows.values())
    bits = math.ceil(math.log2(most / RANGE_ROWS)) if most > RANGE_ROWS else 0
    per_worker = math.ceil(math.log2(workers)) if workers > 1 and most >= workers * MIN_RANGE_ROWS else 0
    return max(bits, per_worker)


def routes(plan: SelectionPlan, split_parts: dict[str, list[str]]) -> list[Route]:
    """Each pool's Route: train pools into the train split's parts, eval pools into eval."""
    out = []
    for k, pool in enumerate(plan.pools):
        split = plan.split_of(k)
        names = split_parts[split]
        out.append(Route(split, tuple((names.index(name), name) for name, _ in pool.parts)))
    return out


def pick_into_ranges(
    path: str,
    source: str,
    seed: int,
    eval_fraction: float,
    plans: list,
    pool_indices: list[int],
    pool_routes: list[Route],
    layout: RangeLayout,
    schema: pa.Schema,
    work: str,
    tag: str,
) -> RangeCounts:
    """One rendered part's picks from its source's pools (plans, with their indices and routes),
    as `schema` rows with their order key, written into the ranges of their splits."""
    counts = RangeCounts()
    picked = pick_rows(path, seed, eval_fraction, plans)
    wanted = np.unique(np.concatenate([p["row"] for p in picked])) if picked else np.zeros(0, np.int64)
    if wanted.size == 0:
        return counts
    src = read_rows(path, wanted)
    s = layout.sources.index(source)
    for k, rows, route in zip(pool_indices, picked, pool_routes, strict=True):
        at = np.searchsorted(wanted, rows["row"])
        for j, (part, name) in enumerate(route.parts):
            sel = np.flatnonzero(rows["part"] == j)
            tokens = rows["n_tokens"][sel]
            counts.picks[(k, j)] = (len(sel), int(tokens.sum()))
            if not sel.size:
                continue
            if route.split == TRAIN:
                values, n = np.unique(tokens, return_counts=True)
                mine = counts.lengths.setdefault(source, {})
                for value, c in zip(values.tolist(), n.tolist(), strict=True):
                    mine[value] = mine.get(value, 0) + c
            key = rows["shuffle_key"][sel] if layout.shuffle else rows["key"][sel]
            epochs = rows["epoch"][sel]
            table = mix_rows(src.take(pa.array(at[sel])), [name] * len(sel), epochs, schema)
            table = table.append_column(KEY, pa.array(key, pa.uint64()))
            codes = layout.range_codes(epochs, key)
            split_counts = counts.ranges.setdefault(route.split, {})
            for code, members in row_groups(codes):
                rng = layout.range_name(part, s, code)
                out = Path(work) / route.split / rng
                out.mkdir(parents=True, exist_ok=True)
                piece = table.take(pa.array(members))
                with pa.OSFile(str(out / f"{tag}-{k:05d}-{j:03d}.arrow"), "wb") as sink, pa.ipc.new_file(
                    sink, piece.schema
                ) as writer:
                    writer.write_table(piece)
                split_counts[rng] = split_counts.get(rng, 0) + len(members)
    return counts


def mix_rows(src: pa.Table, part_names: list[str], epochs: np.ndarray, schema: pa.Schema) -> pa.Table:
    """Rendered rows `src` as rows of the mix `schema`, each with its part (stage/phase) and epoch."""
    return pa.table(
        {
            "id": src.column("id"),
            "source": src.column("source"),
            "part": pa.array(part_names, pa.string()),
            "epoch": pa.array(epochs, pa.int32()),
            "text": src.column("text"),
            "n_tokens": src.column("n_tokens"),
            "spans": src.column("spans"),
            "token_spans": src.column("token_spans"),
            "domain": pc.struct_field(src.column("meta"), "domain"),
        },
        schema=schema,
    )


def sort_range(directory: str, shuffle: bool) -> int:
    """One range's rows in final order, as SORTED (without the key column), and each row's
    estimated bytes as SIZES; returns the rows. Equal keys: by (source, id, epoch) when
    shuffled, by id within a source's epoch otherwise; rows equal on those too are duplicates
    (ValueError). The range's files are memory-mapped and the sorted rows written
    SORT_BATCH_ROWS at a time, so the task holds the keys, ids and sizes, not the text."""
    files = sorted(Path(directory).glob("*.arrow"))
    table = pa.concat_tables(pa.ipc.open_file(pa.memory_map(str(f))).read_all() for f in files)
    keys = table.column(KEY).to_numpy()
    ids, sources, epochs = table.column("id"), table.column("source"), table.column("epoch")
    if shuffle:

        def ties(rows):
            return [(sources[int(r)].as_py(), ids[int(r)].as_py(), epochs[int(r)].as_py()) for r in rows]

        order = order_by_key(keys, ties, "(source, id, epoch)")
    else:
        label = sources[0].as_py()
        order = order_by_key(keys, lambda rows: [ids[int(r)].as_py() for r in rows], f"id in source {label!r}")
    table = table.drop_columns([KEY])
    np.save(Path(directory) / SIZES, table_row_nbytes(table)[order])
    with pa.OSFile(str(Path(directory) / SORTED), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        for lo in range(0, len(order), SORT_BATCH_ROWS):
            writer.write_table(table.take(pa.array(order[lo : lo + SORT_BATCH_ROWS])))
    return table.num_rows


def write_range_shard(ranges: list[tuple[str, int]], start: int, end: int, path: str, schema: pa.Schema):
    """Rows [start, end) of the split from its sorted ranges ((SORTED file, first position) of the
    ranges the shard spans: the file, not its range's directory of unsorted pieces), as one shard
    at `path`; returns (rows, bytes, sha256)."""
    pieces = [read_sorted_rows(sorted_file, start - first, end - first) for sorted_file, first in ranges]
    table = pa.concat_tables(pieces)
    if table.num_rows != end - start:
        raise RuntimeError(f"shard rows {start}-{end}: found {table.num_rows} rows in the ranges")
    return write_shard_table(table, path, schema)


def read_sorted_rows(sorted_file: str, lo: int, hi: int) -> pa.Table:
    """Rows [lo, hi) of a SORTED file (clipped to the file), reading only the record batches that
    hold them: sort_range writes batches of SORT_BATCH_ROWS, so batch i holds rows from
    i * SORT_BATCH_ROWS. Through an object-store work directory only those batches' bytes are
    fetched (work_paths.RangedFile); on a disk the file is memory-mapped."""
    with open_ranged(sorted_file) as source:
        reader = pa.ipc.open_file(source)
        lo, pieces = max(lo, 0), []
        for i in range(lo // SORT_BATCH_ROWS, reader.num_record_batches):
            first = i * SORT_BATCH_ROWS
            if first >= hi:
                break
            batch = reader.get_batch(i)
            if batch.num_rows != SORT_BATCH_ROWS and i != reader.num_record_batches - 1:
                raise RuntimeError(f"{sorted_file}: batch {i} holds {batch.num_rows} rows, not {SORT_BATCH_ROWS}")
            pieces.append(batch.slice(max(lo - first, 0), max(0, min(hi, first + batch.num_rows) - max(lo, first))))
        # a memory map's buffers keep its pages mapped after it closes; a ranged read's are copies
        return pa.Table.from_batches(pieces, reader.schema)


def write_split_ranges(
    range_rows: dict[str, int], shuffle: bool, target: SplitTarget, executor: Executor, work: Path
) -> list[ShardInfo]:
    """The split whose picks are in the ranges of `work` (range name -> rows), written as
    `target`: the ranges sorted, the shards cut as write_split cuts them, one task per shard,
    then state.json and dataset_info.json."""
    names = sorted(name for name, rows in range_rows.items() if rows)
    if not names:
        return target.write_empty()
    dirs = [str(work / name) for name in names]
    found = executor.map(sort_range, [(d, shuffle) for d in dirs])
    for name, rows in zip(names, found, strict=True):
        if rows != range_rows[name]:
            raise RuntimeError(f"range {name}: {rows} rows sorted, {range_rows[name]} picked")
    firsts = np.concatenate([[0], np.cumsum(found)])
    sizes = (np.load(Path(d) / SIZES) for d in dirs)  # one range's sizes at a time
    bounds = plan_shard_pieces(sizes, target.max_shard_rows, target.max_shard_bytes)

    def spans(lo: int, hi: int) -> list[tuple[str, int]]:
        first = int(np.searchsorted(firsts, lo, side="right")) - 1
        last = int(np.searchsorted(firsts, hi, side="left")) - 1
        return [(RangedFile(Path(dirs[i]) / SORTED), int(firsts[i])) for i in range(first, last + 1)]

    return write_planned_shards(bounds, target, executor, write_range_shard, spans)


def pick_into_splits(
    plan: SelectionPlan,
    split_parts: dict[str, list[str]],
    shuffle: bool,
    schema: pa.Schema,
    executor: Executor,
    work: Path,
) -> tuple[list[PickTotal], list[PickTotal], RangeCounts]:
    """The last map of the selection, each partition writing its picks into the ranges of their
    splits under `work`; returns the train and eval PickTotals (as select's Picks, without rows)
    and the counts."""
    layout = RangeLayout(shuffle, range_bits(plan, executor.workers), tuple(sorted(plan.ids.paths)))
    pool_routes = routes(plan, split_parts)
    items = []
    for source, mine in plans_by_source(plan).items():
        for p, path in enumerate(plan.ids.paths[source]):
            items.append(
                (str(path), source, plan.seed, plan.eval_fraction,
                 [plan.plans[k] for k in mine], mine, [pool_routes[k] for k in mine], layout, schema, OutputDir(work),
                 f"s{layout.sources.index(source):05d}-p{p:06d}")
            )
    counts = RangeCounts()
    for part_counts in executor.map(pick_into_ranges, items):
        counts.add(part_counts)
    totals = []
    for k, pool in enumerate(plan.pools):
        for j, (name, target) in enumerate(pool.parts):
            rows, tokens = counts.picks.get((k, j), (0, 0))
            totals.append(PickTotal(pool.spec.source, name, target, rows, tokens))
    cut = plan.train_picks()
    return totals[:cut], totals[cut:], counts
