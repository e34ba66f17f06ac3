"""Near dedup partitioned for a cluster: signatures per partition, band partitions, then
connected components over edges.

    map over partitions (partitions.py) of the scope's sources, minus exact duplicates:
        rows -> dedup text -> MinHash signatures   -> WORK/sig-<i>.npy   (512 B a row at 128 perms)
                           -> the dedup texts      -> WORK/text-<i>.arrow (read back only for candidates)
                           -> (id, source, length) back to the caller (~100 B a row)
    here: survivor rank of every row (priority, length, id, source: survivor.order_exprs)
    near.near_duplicates_streamed:
        signatures, one partition at a time -> band-key shards (8 B a band a row)
        map over band ranges (lsh.edges_from_key_shards) -> candidate edges
        map over chunks of candidate pairs (partition_texts.ParallelJaccard): exact Jaccard of the
            candidates' texts, read back from WORK/text-<i>.arrow -> verified edges
        connected components over the verified edges

The caller holds the rows' (id, source, length) and the edges, never the signatures or the
texts; a band task holds one band range's keys. The decisions equal near_stage.near_decisions
over the same rows (same survivor order, same signatures, same edges): they do not depend on the
partitioning or the executor.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from curation.dedup import keys
from curation.dedup.exact_buckets import DEDUP_PARTITION_ROWS
from curation.dedup.minhash import MinHasher
from curation.dedup.near import near_duplicates, near_duplicates_streamed
from curation.dedup.near_stage import NearOptions, decisions_of, no_decisions
from curation.dedup.partition_texts import ParallelJaccard, PartitionTexts
from curation.dedup.shingle import Shingler
from curation.dedup.survivor import order_exprs
from curation.executor import Executor
from curation.fileio import scratch_dir
from curation.partitions import Partition, plan_partitions
from curation.record import CANONICAL_SCHEMA
from curation.source_stages import source_parts


def signature_partition(
    partition: Partition, index: int, options: NearOptions, work: str, drops_dir: str | None
) -> pl.DataFrame:
    """Signatures and dedup texts of one partition's rows that exact dedup kept (its drops are
    DROPS/p<index>/*.parquet: exact_buckets.bucket_decisions), written to WORK; returns their
    (id, source, length)."""
    out = Path(work)
    frame = pl.from_arrow(partition.read(CANONICAL_SCHEMA))
    mine = sorted((Path(drops_dir) / f"p{index:06d}").glob("*.parquet")) if drops_dir is not None else []
    dropped = pl.scan_parquet(mine) if mine else pl.LazyFrame(schema={"source": pl.String, "id": pl.String})
    rows = (
        frame.lazy()
        .join(dropped, on=["source", "id"], how="anti", maintain_order="left")
        .select("id", "source", keys.dedup_text(options.key, options.normalise))
        .with_columns(pl.col("dedup_text").str.len_chars().fill_null(0).alias("length"))
        .collect()
    )
    hasher = MinHasher(options.num_perm, options.seed, Shingler(n=options.ngram))
    texts = rows["dedup_text"].to_arrow()
    np.save(out / f"sig-{index:06d}.npy", hasher.signatures(texts))
    with pa.OSFile(str(out / f"text-{index:06d}.arrow"), "wb") as sink, pa.ipc.new_file(
        sink, pa.schema([("t", pa.large_string())])
    ) as writer:
        writer.write_table(pa.table({"t": texts.cast(pa.large_string())}))
    return rows.select("id", "source", "length")


def near_decisions_partitioned(
    run_dir: Path,
    names: list[str],
    drops_dir: Path | None,
    options: NearOptions,
    priorities: Mapping[str, int] | None,
    executor: Executor,
    work: Path,
    partition_rows: int = DEDUP_PARTITION_ROWS,
) -> pl.DataFrame:
    """The rows of the scope `names` that near dedup drops (near_stage.near_decisions' columns),
    over the rows exact dedup kept: `drops_dir` holds exact dedup's drops per partition
    (exact_buckets.partitioned_exact_decisions with the same `partition_rows`; None: no drops);
    scratch files in `work` (removed afterwards)."""
    partitions = [p for n in names for p in plan_partitions(source_parts(run_dir, n), partition_rows)]
    drops = str(drops_dir) if drops_dir is not None else None
    with scratch_dir(work):
        metas = executor.map(
            signature_partition, [(p, i, options, str(work), drops) for i, p in enumerate(partitions)]
        )
        return _decide(metas, options, priorities, executor, work)


def _decide(metas, options: NearOptions, priorities, executor: Executor, work: Path) -> pl.DataFrame:
    frame = pl.concat([pl.DataFrame(schema={"id": pl.String, "source": pl.String, "length": pl.UInt32}), *metas])
    n = frame.height
    if n == 0:
        return no_decisions()
    by, descending = order_exprs(priorities)
    # The survivor order (a total order: id and source break every tie) as a rank per row.
    row_of_rank = frame.with_row_index("row").sort(by, descending=descending)["row"].to_numpy()
    rank = np.empty(n, dtype=np.int64)
    rank[row_of_rank] = np.arange(n, dtype=np.int64)
    scoped_ids = (frame["source"] + "\x1f" + frame["id"]).to_arrow()
    sig_paths = [work / f"sig-{i:06d}.npy" for i in range(len(metas))]
    batches = (np.load(p) for p in sig_paths)
    lsh = options.lsh()
    common = {"workers": executor, "work_dir": work / "lsh"}
    if options.verify == "signature":
        sigs = np.concatenate(list(batches))  # the estimate needs every signature at hand
        result = near_duplicates(scoped_ids, sigs, rank, lsh.bands, lsh.rows, options.threshold, **common)
    else:
        texts = PartitionTexts(work, [m.height for m in metas])
        result = near_duplicates_streamed(
            scoped_ids, rank, batches, lsh.bands, lsh.rows, options.threshold,
            ParallelJaccard(texts, Shingler(n=options.ngram), executor), verify=options.verify == "exact", **common,
        )
    return decisions_of(frame[result.removed], frame[result.duplicate_of_row], result.similarity, options)
