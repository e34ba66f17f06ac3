"""The per-partition side of the partitioned selection (select_partitioned.py): what one rendered
part of one source contributes to each pool, read from its (id, n_tokens) alone.

A pool is the set of rows one `take_tokens` call of `select` samples: a source's train rows (the
shared pool), its train rows of >= min_doc_tokens (a long-document phase), or its eval rows. Its
rows are ordered within an epoch by the keyed hash of (seed, label, epoch, id), ties by id --
the order `take_tokens` uses -- so a partition can compute each of its rows' keys without
seeing any other partition.

Every function here is an executor task: module-level, picklable arguments, small results
(counts, 256-bin histograms, the few rows of one key interval, or the picked rows as integers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curation.mix.sample_hash import row_keys
from curation.mix.sample_order import split_eval

BINS = 256  # a histogram round narrows a key interval by 8 bits
BIN_BITS = 8


@dataclass(frozen=True)
class PoolSpec:
    """One pool: `label` keys its sampling order (the `source` argument `select` gives
    take_tokens); side "train" or "eval"; min_doc_tokens keeps rows of at least that many tokens."""

    label: str
    source: str
    side: str
    min_doc_tokens: int | None = None


@dataclass(frozen=True)
class Boundary:
    """A position in a pool's pick order (epoch, key, id): rows at or before it (`inclusive`) or
    strictly before it. (Where a boundary is optional, None means past every pick.)"""

    epoch: int
    key: int
    id: str
    inclusive: bool


@dataclass(frozen=True)
class PoolPlan:
    """What a partition takes from one pool: every row in epochs < full, then rows up to
    `partial` in epoch `full` (None: none); `cuts[k]` ends part k (None: past the last pick)."""

    pool: PoolSpec
    full: int
    partial: Boundary | None
    cuts: tuple[Boundary | None, ...]


@dataclass(frozen=True)
class Interval:
    """Keys whose top `depth` bits equal `prefix`, in epoch `epoch` of `pool`."""

    pool: PoolSpec
    epoch: int
    depth: int
    prefix: int


def _read(path: str, seed: int, eval_fraction: float) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    table = pq.read_table(path, columns=["id", "n_tokens"])
    ids = table.column("id").combine_chunks()
    tokens = table.column("n_tokens").to_numpy().astype(np.int64)
    held = split_eval(ids, eval_fraction, seed) if eval_fraction > 0 else np.zeros(len(ids), dtype=bool)
    return ids, tokens, held


def _members(pool: PoolSpec, tokens: np.ndarray, held: np.ndarray) -> np.ndarray:
    """Mask of the partition's rows in `pool`, rows of 0 tokens included (take_tokens skips them)."""
    mask = held if pool.side == "eval" else ~held
    if pool.min_doc_tokens is not None:
        mask = mask & (tokens >= pool.min_doc_tokens)
    return mask


def pool_sums(path: str, seed: int, eval_fraction: float, pools: list[PoolSpec]) -> tuple[int, int, list[tuple]]:
    """(rows, tokens) of the partition, and per pool (rows, rows with tokens > 0, their tokens)."""
    _, tokens, held = _read(path, seed, eval_fraction)
    out = []
    for pool in pools:
        mask = _members(pool, tokens, held)
        positive = mask & (tokens > 0)
        out.append((int(mask.sum()), int(positive.sum()), int(tokens[positive].sum())))
    return len(tokens), int(tokens.sum()), out


def _pool_rows(pool, ids, tokens, held) -> tuple[np.ndarray, pa.Array, np.ndarray]:
    rows = np.flatnonzero(_members(pool, tokens, held) & (tokens > 0))
    return rows, ids.take(pa.array(rows, pa.int64())), tokens[rows]


def _in_interval(keys: np.ndarray, depth: int, prefix: int) -> np.ndarray:
    if depth == 0:
        return np.ones(len(keys), dtype=bool)
    return (keys >> np.uint64(64 - depth)) == np.uint64(prefix)


def interval_histograms(path: str, seed: int, eval_fraction: float, intervals: list[Interval]) -> list[tuple]:
    """Per interval: (rows, tokens) of the partition's pool rows in each of its 256 sub-intervals
    (the next 8 bits of the key)."""
    ids, tokens, held = _read(path, seed, eval_fraction)
    out = []
    for iv in intervals:
        _, pool_ids, pool_tokens = _pool_rows(iv.pool, ids, tokens, held)
        keys = row_keys(pool_ids, seed, iv.pool.label, iv.epoch)
        inside = _in_interval(keys, iv.depth, iv.prefix)
        bins = ((keys[inside] >> np.uint64(64 - iv.depth - BIN_BITS)) & np.uint64(BINS - 1)).astype(np.int64)
        counts = np.bincount(bins, minlength=BINS).astype(np.int64)
        # float64 sums are exact below 2**53 tokens per partition
        sums = np.bincount(bins, weights=pool_tokens[inside], minlength=BINS).astype(np.int64)
        out.append((counts, sums))
    return out


def interval_rows(path: str, seed: int, eval_fraction: float, intervals: list[Interval]) -> list[tuple]:
    """Per interval: (keys, ids, tokens) of the partition's pool rows in it."""
    ids, tokens, held = _read(path, seed, eval_fraction)
    out = []
    for iv in intervals:
        _, pool_ids, pool_tokens = _pool_rows(iv.pool, ids, tokens, held)
        keys = row_keys(pool_ids, seed, iv.pool.label, iv.epoch)
        inside = np.flatnonzero(_in_interval(keys, iv.depth, iv.prefix))
        out.append((keys[inside], pool_ids.take(pa.array(inside, pa.int64())).to_pylist(), pool_tokens[inside]))
    return out


def at_or_before(epoch: int, keys: np.ndarray, ids: pa.Array, boundary: Boundary | None) -> np.ndarray:
    """Mask of rows (of `epoch`, with these keys and ids) at or before `boundary` in pick order."""
    if boundary is None or epoch < boundary.epoch:
        return np.ones(len(keys), dtype=bool)
    if epoch > boundary.epoch:
        return np.zeros(len(keys), dtype=bool)
    key = np.uint64(boundary.key)
    mask = keys < key
    for i in np.flatnonzero(keys == key):  # equal 64-bit keys: ordered by id, as order_by_key does
        row_id = ids[int(i)].as_py()
        mask[i] = row_id < boundary.id or (boundary.inclusive and row_id == boundary.id)
    return mask


def pick_rows(path: str, seed: int, eval_fraction: float, plans: list[PoolPlan]) -> list[dict[str, np.ndarray]]:
    """Per plan, the partition's picked rows: local row, epoch, sample key, part index (into the
    plan's cuts), n_tokens, and shuffle key (the key `shuffle_order` gives the row)."""
    ids, tokens, held = _read(path, seed, eval_fraction)
    out = []
    for plan in plans:
        rows, pool_ids, pool_tokens = _pool_rows(plan.pool, ids, tokens, held)
        last = plan.full if plan.partial is not None else plan.full - 1
        pieces = []
        for epoch in range(last + 1):
            keys = row_keys(pool_ids, seed, plan.pool.label, epoch)
            take = at_or_before(epoch, keys, pool_ids, plan.partial) if epoch == plan.full else slice(None)
            keys = keys[take]
            epoch_ids = pool_ids.filter(pa.array(take)) if epoch == plan.full else pool_ids
            part = np.zeros(len(keys), dtype=np.int32)
            for cut in plan.cuts:
                part += ~at_or_before(epoch, keys, epoch_ids, cut)
            pieces.append(
                {
                    "row": rows[take],
                    "epoch": np.full(len(keys), epoch, np.int32),
                    "key": keys,
                    "part": part,
                    "n_tokens": pool_tokens[take],
                    "shuffle_key": row_keys(epoch_ids, seed, plan.pool.source, epoch, purpose="shuffle"),
                }
            )
        out.append(
            {name: np.concatenate([p[name] for p in pieces]) for name in pieces[0]} if pieces else empty_picks()
        )
    return out


def empty_picks() -> dict[str, np.ndarray]:
    return {
        "row": np.zeros(0, np.int64),
        "epoch": np.zeros(0, np.int32),
        "key": np.zeros(0, np.uint64),
        "part": np.zeros(0, np.int32),
        "n_tokens": np.zeros(0, np.int64),
        "shuffle_key": np.zeros(0, np.uint64),
    }
