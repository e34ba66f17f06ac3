"""Near dedup partitioned for a cluster: signatures per partition, survivor order and band keys
per block, band partitions, then connected components over edges.

    map over partitions (partitions.py) of the scope's sources, minus exact duplicates:
        rows -> dedup text -> MinHash signatures   -> WORK/sig-<i>.npy   (512 B a row at 128 perms)
                           -> text, id, source, length -> WORK/rows-<i>.arrow (+ .tpos: where
                              each text lies in it, for reads by byte ranges through a store)
    survivor_rank: the rows' survivor order as node numbers, sorted by block and range tasks
    map over blocks of partitions: each row's node + its band keys -> WORK/keys-<b>.arrow
    lsh.edges_from_key_shards: map over band ranges -> candidate edges
    near.resolve_clusters: map over chunks of candidate pairs (partition_texts.ParallelJaccard):
        exact Jaccard of the candidates' texts, read back from WORK/rows-<i>.arrow -> verified
        edges; connected components over the nodes the edges touch
    the removed rows' and their survivors' (id, source), read back from WORK/rows-<i>.arrow

The caller holds the edges, the nodes they touch and the removed rows (and the sort's samples),
never a thing per row of the scope: not the signatures, texts, ids or ranks. The decisions equal
near_stage.near_decisions over the same rows (same survivor order, same signatures, same edges):
they do not depend on the partitioning, the blocks or the executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from curation.dedup import keys, survivor_rank
from curation.dedup.exact_buckets import DEDUP_PARTITION_ROWS, scope_partitions
from curation.dedup.lsh import edges_from_key_shards, write_key_batches
from curation.dedup.minhash import MinHasher, jaccard_estimate
from curation.dedup.near import resolve_clusters, shingleless_rows
from curation.dedup.near_stage import NearOptions, decisions_of, no_decisions
from curation.dedup.partition_decisions import decision_dir
from curation.dedup.partition_texts import ParallelJaccard, PartitionTexts, write_text_positions
from curation.dedup.shingle import Shingler
from curation.dedup.survivor_rank import Block, SurvivorNodes, nodes_of_rows, rows_file
from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.partitions import Partition
from curation.record import CANONICAL_SCHEMA
from curation.work_paths import OutputDir


def signature_partition(
    partition: Partition, index: int, options: NearOptions, work: str, drops_dir: str | None
) -> int:
    """Signatures and rows (dedup text, id, source, length) of one partition's rows that exact
    dedup kept (its drops are DROPS/p<index>/*.parquet: exact_buckets.bucket_decisions),
    written to WORK; returns their count."""
    out = Path(work)
    frame = pl.from_arrow(partition.read(CANONICAL_SCHEMA))
    mine = sorted((Path(drops_dir) / f"p{index:06d}").glob("*.parquet")) if drops_dir is not None else []
    dropped = pl.scan_parquet(mine) if mine else pl.LazyFrame(schema={"source": pl.String, "id": pl.String})
    rows = (
        frame.lazy()
        .join(dropped, on=["source", "id"], how="anti", maintain_order="left")
        .select(keys.dedup_text(options.key, options.normalise).alias("t"), "id", "source")
        .with_columns(pl.col("t").str.len_chars().fill_null(0).cast(pl.UInt32).alias("length"))
        .collect()
    )
    hasher = MinHasher(options.num_perm, options.seed, Shingler(n=options.ngram))
    np.save(sig_file(out, index), hasher.signatures(rows["t"].to_arrow()))
    table = rows.to_arrow()
    with pa.OSFile(str(rows_file(out, index)), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    write_text_positions(rows_file(out, index))
    return rows.height


def sig_file(work: Path, partition: int) -> Path:
    return Path(work) / f"sig-{partition:06d}.npy"


def block_key_shard(
    sig_files: list[str], block: Block, rank: str, offsets: list[int], bands: int, rows: int, out: str
) -> np.ndarray:
    """Task: the band keys of one block's rows, with their nodes, into the key shard `out`, a
    partition's signatures at a time (`sig_files`: the block's partitions' signature files, named
    one by one: a task is handed the files it reads, not the scratch directory holding every
    partition's); returns the nodes of rows whose text has no shingle."""
    nodes = nodes_of_rows(rank, offsets, block.row_first, block.row_stop)
    empty: list[np.ndarray] = []

    def batches():
        lo = 0
        for path in sig_files:
            sigs = np.load(path)
            mine = nodes[lo : lo + sigs.shape[0]]
            empty.append(mine[shingleless_rows(sigs)])
            yield sigs, mine
            lo += sigs.shape[0]

    write_key_batches(batches(), bands, rows, out)
    return np.concatenate(empty) if empty else np.empty(0, np.int64)


def near_decisions_partitioned(
    run_dir: Path,
    names: list[str],
    drops_dir: Path | None,
    options: NearOptions,
    priorities: Mapping[str, int] | None,
    executor: Executor,
    work: Path,
    partition_rows: int = DEDUP_PARTITION_ROWS,
    decisions_dir: Path | None = None,
) -> pl.DataFrame:
    """The rows of the scope `names` that near dedup drops (near_stage.near_decisions' columns),
    over the rows exact dedup kept: `drops_dir` holds exact dedup's drops per partition
    (exact_buckets.partitioned_exact_decisions with the same `partition_rows`; None: no drops);
    scratch files in `work` (removed afterwards). With `decisions_dir`, the decisions are also
    filed there by partition (partition_decisions.py)."""
    partitions = scope_partitions(run_dir, names, partition_rows)
    drops = str(drops_dir) if drops_dir is not None else None
    with scratch_dir(work):
        counts = executor.map(
            signature_partition, [(p, i, options, OutputDir(work), drops) for i, p in enumerate(partitions)]
        )
        return _decide(counts, options, priorities, executor, work, decisions_dir)


# Rounds of re-clustering the members that fail verification against their survivor (near.py).
MAX_ROUNDS = 8
# Fewest rows a block or range task of a small scope is cut to, a task per local worker (the
# bench's 200,000 rows: two blocks, whose band keys two workers write side by side).
MIN_TASK_ROWS = 50_000


def _decide(
    counts: list[int], options: NearOptions, priorities, executor: Executor, work: Path, decisions_dir: Path | None
) -> pl.DataFrame:
    n = sum(counts)
    if n == 0:
        return no_decisions()
    # blocks and ranges of the survivor order: sizes free to choose (the order is the same)
    block_rows = executor.task_size(n, survivor_rank.BLOCK_ROWS, MIN_TASK_ROWS)
    range_rows = executor.task_size(n, survivor_rank.RANGE_ROWS, MIN_TASK_ROWS)
    nodes, blocks = SurvivorNodes.rank(work, counts, priorities, executor, block_rows, range_rows)
    lsh = options.lsh()
    key_paths = [str(work / f"keys-{b:06d}.arrow") for b in range(len(blocks))]
    empty = executor.map(
        block_key_shard,
        [
            ([str(sig_file(work, i)) for i in range(blk.first, blk.stop)], blk, str(nodes.rank), nodes.offsets, lsh.bands, lsh.rows, out)
            for blk, out in zip(blocks, key_paths, strict=True)
        ],
    )
    a, b = edges_from_key_shards(key_paths, n, lsh.bands, work / "lsh", workers=executor)
    texts = PartitionTexts(work, counts)
    if options.verify == "signature":
        similarity = PartitionSignatures(work, counts)
    else:
        similarity = ParallelJaccard(texts, Shingler(n=options.ngram), executor)
    clusters = resolve_clusters(
        a, b, np.sort(np.concatenate(empty)),
        lambda x, y: similarity(nodes.rows_of(x), nodes.rows_of(y)),
        options.threshold, options.verify != "none", MAX_ROUNDS,
    )
    removed_rows = nodes.rows_of(clusters.removed)
    removed = pl.from_arrow(texts.gather_columns(removed_rows, ["id", "source"]))
    survivors = texts.gather_columns(nodes.rows_of(clusters.duplicate_of), ["id", "source"])
    found = decisions_of(removed, pl.from_arrow(survivors), clusters.similarity, options)
    if decisions_dir is not None and found.height:
        part = np.searchsorted(texts.starts, removed_rows, side="right") - 1
        located = removed.with_columns(pl.Series("part", part)).join(found, on=["source", "id"])
        for (p,), rows in located.partition_by("part", as_dict=True, maintain_order=True).items():
            out = decision_dir(decisions_dir, p)
            out.mkdir(parents=True, exist_ok=True)
            rows.drop("part").sort("source", "id").write_parquet(out / "near.parquet")
    return found


class PartitionSignatures:
    """`similarity(rows_a, rows_b)`: the MinHash estimate of global rows' signatures, read back
    from the partitions' signature files (memory-mapped): only the candidates' are read."""

    def __init__(self, work: Path, counts: list[int]) -> None:
        self.paths = [sig_file(Path(work), i) for i in range(len(counts))]
        self.starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def __call__(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        wanted = np.unique(np.concatenate([rows_a, rows_b]))
        part = np.searchsorted(self.starts, wanted, side="right") - 1
        sigs = np.concatenate(
            [np.load(self.paths[p], mmap_mode="r")[wanted[part == p] - self.starts[p]] for p in np.unique(part)]
        ) if wanted.size else np.empty((0, 1), np.uint32)
        return jaccard_estimate(sigs, sigs, np.searchsorted(wanted, rows_a), np.searchsorted(wanted, rows_b))
