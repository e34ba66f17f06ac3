"""Near-duplicate removal from MinHash signatures: LSH candidates -> verify -> clusters.

`near_duplicates` takes the signatures of n rows (uint32, n x num_perm), their ids and a
survivor rank (int64, lower = better survivor: the survivor rule's output) and returns
which rows to keep and, for each removed row, the survivor it duplicates, its cluster and
the estimated Jaccard similarity between the two.

The rules, in order:

1. Survivor order. Rows are renumbered as *nodes* by (rank, id): node 0 is the best
   survivor. Ties in rank are broken by id, so the result depends only on (id, rank,
   signature) per row, never on input order, chunking or the number of workers.
2. Candidates: LSH banding (`lsh.py`), `bands` x `rows` of the signature; each bucket
   links its members to its best node (k-1 edges per bucket of k, never all pairs).
3. Verification (`verify=True`, the default): a candidate edge survives only if the
   estimated Jaccard (the fraction of equal signature values over all num_perm) is
   >= threshold. A document that weakly overlaps two clusters shares a band with both
   but passes verification with neither, so it cannot bridge them.
4. Clusters: connected components of the verified edges (`clusters.py`); the survivor
   of a component is its best node; the cluster id reported is that survivor's id.
5. Chains. Verified edges are pairwise, so a component can hold A~B~C with C far from A.
   With verification on, a member is removed only if its own similarity to the survivor
   is >= threshold. The members that fail are re-clustered among themselves (components
   of the verified edges between them, survivor = best node again) for up to
   `max_rounds` rounds; whatever still fails after that is kept. So every removed row is
   within threshold of the row that was kept in its place: it is never removed only
   because of a chain. With `verify=False` every non-survivor member of a component is
   removed (the classic, unverified behaviour), with its similarity still reported.
6. Empty signatures (all values 0xFFFFFFFF: a text shorter than one shingle) are never
   near duplicates of anything: they are kept and counted in `stats["empty_signatures"]`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.accounting import DROP_SCHEMA, excerpt
from curation.dedup.clusters import components
from curation.dedup.lsh import edges_from_key_shards, write_key_shard
from curation.dedup.minhash import EMPTY_VALUE, jaccard_estimate  # EMPTY_VALUE: a text with no shingle
from curation.executor import Executor

STAGE = "dedup_near"
REASON = "near_duplicate"


@dataclass
class NearResult:
    """Outcome of near-duplicate removal over n rows (all indices are input row indices)."""

    kept: np.ndarray  # int64, ascending
    removed: np.ndarray  # int64, ascending
    duplicate_of_row: np.ndarray  # int64, per removed row: its survivor's row
    duplicate_of: pa.Array  # string, per removed row: its survivor's id
    cluster: pa.Array  # string, per removed row: id of its component's best row
    similarity: np.ndarray  # float64, per removed row: estimated Jaccard to its survivor
    threshold: float
    bands: int
    rows: int
    verify: bool
    stats: dict = field(default_factory=dict)  # candidate/verified edge counts, rounds


def survivor_order(ids: pa.Array, rank: np.ndarray) -> np.ndarray:
    """Row indices sorted by (rank, id): element i is the row of node i."""
    order = np.argsort(rank, kind="stable")
    sr = rank[order]
    if sr.size > 1 and bool((sr[1:] == sr[:-1]).any()):
        order = np.lexsort((ids.to_numpy(zero_copy_only=False), rank))
    return order.astype(np.int64)


def _as_ids(ids) -> pa.Array:
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if not isinstance(ids, pa.Array):
        ids = pa.array(list(ids) if not isinstance(ids, np.ndarray) else ids, type=pa.string())
    return ids.cast(pa.string())


# Rows of signatures per key shard when near_duplicates is given them all at once.
SHARD_ROWS = 1 << 18


def near_duplicates(
    ids,
    sigs: np.ndarray,
    rank,
    bands: int,
    rows: int,
    threshold: float,
    verify: bool = True,
    workers: int | Executor = 1,
    work_dir: str | os.PathLike | None = None,
    max_rounds: int = 8,
    similarity_fn: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> NearResult:
    """Find near-duplicate rows; see the module docstring for the rules.

    ids: n row ids (strings); sigs: uint32 (n, num_perm); rank: int64 (n), lower = better
    survivor; bands x rows <= num_perm; threshold in (0, 1] (estimated Jaccard).
    work_dir receives the key shards and edge files (a temporary directory when None).
    similarity_fn(rows_a, rows_b) -> float64 similarities used to verify candidates and
    members (default: the signature estimate; near_stage passes exact shingle Jaccard).
    """
    sigs = np.asarray(sigs)
    n = len(ids)
    if sigs.ndim != 2 or sigs.shape[0] != n:
        raise ValueError(f"signatures must be (n_rows={n}, num_perm), got {sigs.shape}")
    if similarity_fn is None:

        def similarity_fn(rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
            return jaccard_estimate(sigs, sigs, rows_a, rows_b)

    batches = (sigs[lo : lo + SHARD_ROWS] for lo in range(0, max(n, 1), SHARD_ROWS))
    return near_duplicates_streamed(
        ids, rank, batches, bands, rows, threshold, similarity_fn,
        verify=verify, workers=workers, work_dir=work_dir, max_rounds=max_rounds,
    )


def shingleless_rows(sigs: np.ndarray) -> np.ndarray:
    """Rows whose signature is all EMPTY_VALUE (a text with no shingle)."""
    first_max = np.flatnonzero(sigs[:, 0] == EMPTY_VALUE)
    return first_max[(sigs[first_max] == EMPTY_VALUE).all(axis=1)]


def near_duplicates_streamed(
    ids,
    rank,
    signature_batches: Iterable[np.ndarray],
    bands: int,
    rows: int,
    threshold: float,
    similarity_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    verify: bool = True,
    workers: int | Executor = 1,
    work_dir: str | os.PathLike | None = None,
    max_rounds: int = 8,
) -> NearResult:
    """`near_duplicates` with the signatures given batch by batch, in row order: each
    batch's band keys go to a key shard in work_dir and the batch is let go, so the
    signatures of the whole input are never held at once (512 bytes a row at 128
    permutations; the band keys of one band are 8). `similarity_fn` is required: without
    the signatures the estimate is not available (use ExactJaccard)."""
    ids = _as_ids(ids)
    rank = np.asarray(rank, dtype=np.int64)
    n = len(ids)
    if rank.shape != (n,):
        raise ValueError(f"rank must have one entry per row ({n}), got {rank.shape}")
    if not (0.0 < threshold <= 1.0):
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if bands < 1 or rows < 1:
        raise ValueError(f"bands x rows = {bands} x {rows} must be >= 1 and <= num_perm")

    row_of_node = survivor_order(ids, rank)
    node_of_row = np.empty(n, dtype=np.int64)
    node_of_row[row_of_node] = np.arange(n, dtype=np.int64)

    with tempfile.TemporaryDirectory(prefix="near-dedup-") if work_dir is None else nullcontext(work_dir) as work:
        work = Path(work)
        work.mkdir(parents=True, exist_ok=True)
        key_paths: list[str] = []
        empty_parts: list[np.ndarray] = []
        lo = 0
        for i, batch in enumerate(signature_batches):
            batch = np.asarray(batch)
            if batch.ndim != 2 or batch.dtype != np.uint32:
                raise ValueError(f"signatures must be uint32 (rows, num_perm), got {batch.dtype} {batch.shape}")
            if bands * rows > batch.shape[1]:
                raise ValueError(
                    f"bands x rows = {bands} x {rows} must be >= 1 and <= num_perm = {batch.shape[1]}"
                )
            if lo + batch.shape[0] > n:
                raise ValueError(f"signature batches hold more rows than the {n} ids")
            if batch.shape[0]:
                key_paths.append(
                    write_key_shard(batch, node_of_row[lo : lo + batch.shape[0]], bands, rows, work / f"keys-{i:05d}.arrow")
                )
                empty_parts.append(lo + shingleless_rows(batch))
            lo += batch.shape[0]
        if lo != n:
            raise ValueError(f"signature batches hold {lo} rows, the ids {n}")
        a, b = edges_from_key_shards(key_paths, n, bands, work, workers=workers)
    empty_rows = np.concatenate(empty_parts) if empty_parts else np.empty(0, np.int64)
    clusters = resolve_clusters(
        a, b, np.sort(node_of_row[empty_rows]),
        lambda x, y: similarity_fn(row_of_node[x], row_of_node[y]),
        threshold, verify, max_rounds,
    )
    # Removed rows in row order, each with its survivor's and its cluster's row.
    removed_rows = row_of_node[clusters.removed]
    order = np.argsort(removed_rows, kind="stable")
    removed = removed_rows[order].astype(np.int64)
    dup_row = row_of_node[clusters.duplicate_of[order]]
    cluster_row = row_of_node[clusters.cluster[order]]
    kept_mask = np.ones(n, dtype=bool)
    kept_mask[removed] = False
    return NearResult(
        kept=np.flatnonzero(kept_mask).astype(np.int64),
        removed=removed,
        duplicate_of_row=dup_row,
        duplicate_of=ids.take(pa.array(dup_row)),
        cluster=ids.take(pa.array(cluster_row)),
        similarity=clusters.similarity[order],
        threshold=float(threshold),
        bands=int(bands),
        rows=int(rows),
        verify=bool(verify),
        stats={"empty_signatures": int(empty_rows.size), **clusters.stats},
    )


@dataclass
class Clusters:
    """Rules 3-6 over candidate edges, in node space: the removed nodes (ascending), each with
    its survivor's node, its component's best node and its similarity to the survivor."""

    removed: np.ndarray  # int64
    duplicate_of: np.ndarray  # int64
    cluster: np.ndarray  # int64
    similarity: np.ndarray  # float64
    stats: dict


def resolve_clusters(
    a: np.ndarray,
    b: np.ndarray,
    empty_nodes: np.ndarray,
    similarity_fn: Callable[[np.ndarray, np.ndarray], np.ndarray],
    threshold: float,
    verify: bool,
    max_rounds: int,
) -> Clusters:
    """Verify the candidate edges (node a < node b), cluster them and pick what to remove.

    Only the nodes the edges touch are numbered (in node order, so the smallest still is the
    best survivor): memory grows with the edges, never with the scope's rows. empty_nodes
    (sorted): nodes whose text has no shingle, never near duplicates of anything.
    similarity_fn(nodes_a, nodes_b) -> float64."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    # A text with no shingle has the all-0xFFFFFFFF signature, "identical" to every other
    # such text (estimate 1.0): never let those be near duplicates of each other. They are
    # kept here; exact dedup removes their exact copies.
    if empty_nodes.size and a.size:
        keep = ~(_member(a, empty_nodes) | _member(b, empty_nodes))
        a, b = a[keep], b[keep]
    stats = {"candidate_edges": int(a.size)}
    touched = np.unique(np.concatenate([a, b]))
    a, b = np.searchsorted(touched, a), np.searchsorted(touched, b)
    m = touched.size

    def similarity(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return similarity_fn(touched[x], touched[y])

    known = _KnownSimilarities.empty()
    if verify and a.size:
        sim = similarity(a, b)
        ok = sim >= threshold
        a, b = a[ok], b[ok]
        known = _KnownSimilarities(a, b, sim[ok])
    stats["verified_edges"] = int(a.size)

    def member_similarity(members: np.ndarray, roots: np.ndarray) -> np.ndarray:
        # Most members hang directly off their root by a verified edge: reuse its value.
        out = known.lookup(roots, members)
        todo = np.isnan(out)
        if todo.any():
            out[todo] = similarity(members[todo], roots[todo])
        return out

    root = components(m, a, b)
    cluster_root = root.copy()
    dup = np.full(m, -1, dtype=np.int64)
    sim_of = np.full(m, np.nan, dtype=np.float64)
    rounds = 0
    residual = np.empty(0, dtype=np.int64)
    while True:
        rounds += 1
        members = np.flatnonzero(root != np.arange(m))
        if members.size == 0:
            break
        s = member_similarity(members, root[members])
        ok = s >= threshold if verify else np.ones(members.size, dtype=bool)
        dup[members[ok]] = root[members[ok]]
        sim_of[members[ok]] = s[ok]
        residual = members[~ok]
        if residual.size == 0 or rounds >= max_rounds:
            break
        in_res = np.zeros(m, dtype=bool)
        in_res[residual] = True
        sel = in_res[a] & in_res[b]
        a, b = a[sel], b[sel]
        if a.size == 0:
            break
        root = components(m, a, b)
    stats["rounds"] = rounds
    stats["unresolved_kept"] = int(np.count_nonzero(dup[residual] < 0)) if residual.size else 0
    gone = np.flatnonzero(dup >= 0)
    return Clusters(touched[gone], touched[dup[gone]], touched[cluster_root[gone]], sim_of[gone], stats)


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[at] == values


class _KnownSimilarities:
    """Similarities already computed for node pairs (a < b, sorted by (a, b)), looked up
    by packed 64-bit key."""

    def __init__(self, a: np.ndarray, b: np.ndarray, sim: np.ndarray) -> None:
        self.keys = (a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64)
        self.sim = sim

    @classmethod
    def empty(cls) -> _KnownSimilarities:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))

    def lookup(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Per pair (a[i] < b[i]) its known similarity, NaN where unknown."""
        out = np.full(a.size, np.nan, dtype=np.float64)
        if self.keys.size == 0 or a.size == 0 or max(int(a.max()), int(b.max())) >= 1 << 32:
            return out
        want = (a.astype(np.uint64) << np.uint64(32)) | b.astype(np.uint64)
        pos = np.minimum(np.searchsorted(self.keys, want), self.keys.size - 1)
        hit = self.keys[pos] == want
        out[hit] = self.sim[pos[hit]]
        return out


def near_drops(result: NearResult, ids, source, raw=None, file=None, line=None) -> pa.Table:
    """DROP_SCHEMA rows for the removed rows of `result`.

    ids, and raw / file / line when given, are per input row (length n); source is one
    source name or one per input row. Only the removed rows are read from them.
    """
    ids = _as_ids(ids)
    idx = pa.array(result.removed)
    m = len(result.removed)

    def per_row(values, type_):
        if values is None:
            return pa.nulls(m, type=type_)
        if isinstance(values, str):
            return pa.array([values] * m, type=type_)
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if not isinstance(values, pa.Array):
            values = pa.array(values, type=type_)
        return values.take(idx).cast(type_)

    sim = pa.array(result.similarity, type=pa.float64())
    verified = "verified" if result.verify else "unverified"
    detail = pc.binary_join_element_wise(
        pa.array(["near duplicate of "] * m, type=pa.string()),
        result.duplicate_of,
        pa.array([" (estimated Jaccard "] * m, type=pa.string()),
        pc.cast(pc.round(sim, 4), pa.string()),
        pa.array(
            [f", threshold {result.threshold}, LSH {result.bands} bands x {result.rows} rows, {verified})"]
            * m,
            type=pa.string(),
        ),
        "",
    )
    raw_col = per_row(raw, pa.string())
    if raw is not None:
        raw_col = pa.array([excerpt(v) for v in raw_col.to_pylist()], type=pa.string())
    return pa.table(
        {
            "source": per_row(source, pa.string()),
            "stage": pa.array([STAGE] * m, type=pa.string()),
            "reason": pa.array([REASON] * m, type=pa.string()),
            "detail": detail,
            "id": ids.take(idx),
            "file": per_row(file, pa.string()),
            "line": per_row(line, pa.int64()),
            "duplicate_of": result.duplicate_of,
            "similarity": sim,
            "raw": raw_col,
        },
        schema=DROP_SCHEMA,
    )
