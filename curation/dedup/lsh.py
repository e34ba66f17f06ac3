"""LSH banding: band keys from MinHash signatures, buckets by sorting, leader edges.

Rows are identified inside this module by their *node*: the row's position in survivor
order (node 0 = the best survivor, see `near.py`). Because a node is a function of the
rank (and id), not of where a row sat in the input, everything here is independent of
input order by construction, and "link to the best member of the bucket" is simply
"link to the smallest node of the bucket".

Three steps, each a map over partitions that exchange Arrow IPC files in a work dir:

1. `write_key_shard` (map over row chunks): the band keys of one chunk of signatures,
   written as `keys-<chunk>.arrow` with columns `node` (int64) and `k<band>` (uint64).
2. `band_edges_partition` (map over band ranges): read only the columns of its bands
   from every key shard, group each band's keys (one band at a time; a band of more than
   SLICE_NODES rows one slice of its keys at a time, so a task holds ~60-90 bytes x at most
   ~SLICE_NODES rows), and write `edges-<lo>-<hi>.arrow` (int64 a < b): for a bucket of k
   members, k-1 edges from the bucket's smallest node to each other member, never all pairs.
3. `collect_edges`: union of the edge files, deduplicated and sorted, so the result
   does not depend on the number of workers or on how the bands were partitioned.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path

import numba
import numpy as np
import pyarrow as pa

from curation.executor import Executor, parse_executor

EDGE_SCHEMA = pa.schema(
    [pa.field("a", pa.int64(), nullable=False), pa.field("b", pa.int64(), nullable=False)]
)

# Constants of the band-key mix (splitmix64 / murmur3 fmix64). Changing them changes
# bucket membership: they are part of the on-disk format of the key shards.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)


def _fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * _M1
    h = h ^ (h >> np.uint64(33))
    h = h * _M2
    return h ^ (h >> np.uint64(33))


def band_keys(sigs: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One uint64 key per signature for band `band` (columns band*rows .. band*rows+rows-1).

    The mix (the reference; `all_band_keys` is the fast equal version): consecutive pairs
    of the band's uint32 values form one 64-bit word w = v[j] << 32 | v[j+1] (a last odd
    value alone); h = (band + 1) * GOLDEN; per word h = (h ^ w) * GOLDEN, h ^= h >> 32;
    the key is fmix64(h). Each step is a bijection of h, so distinct bands collide with
    probability ~2^-64 per pair (and verification removes any such pair anyway).
    Wrapping uint64 arithmetic, vectorised over rows.
    """
    n = sigs.shape[0]
    lo = band * rows
    if lo + rows > sigs.shape[1]:
        raise ValueError(
            f"band {band} x {rows} rows needs {lo + rows} permutations, signatures have {sigs.shape[1]}"
        )
    with np.errstate(over="ignore"):
        h = np.full(n, np.uint64(band + 1) * _GOLDEN, dtype=np.uint64)
        for j in range(lo, lo + rows, 2):
            w = sigs[:, j].astype(np.uint64)
            if j + 1 < lo + rows:
                w = (w << np.uint64(32)) | sigs[:, j + 1].astype(np.uint64)
            h = (h ^ w) * _GOLDEN
            h ^= h >> np.uint64(32)
        return _fmix64(h)


@numba.njit(cache=True)
def _fmix64_scalar(h):
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@numba.njit(cache=True)
def _all_band_keys(sigs, bands, rows):
    n = sigs.shape[0]
    out = np.empty((bands, n), dtype=np.uint64)
    golden = np.uint64(0x9E3779B97F4A7C15)
    s32 = np.uint64(32)
    for i in range(n):
        for b in range(bands):
            h = np.uint64(b + 1) * golden
            lo = b * rows
            for j in range(lo, lo + rows, 2):
                w = np.uint64(sigs[i, j])
                if j + 1 < lo + rows:
                    w = (w << s32) | np.uint64(sigs[i, j + 1])
                h = (h ^ w) * golden
                h ^= h >> s32
            out[b, i] = _fmix64_scalar(h)
    return out


def all_band_keys(sigs: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Keys of bands 0..bands-1 as a (bands, n) uint64 array; equal to `band_keys` per band.

    A numba loop (one pass over each row's band values): about 10x the numpy version.
    """
    if bands * rows > sigs.shape[1]:
        raise ValueError(f"bands x rows = {bands * rows} exceeds num_perm = {sigs.shape[1]}")
    return _all_band_keys(np.ascontiguousarray(sigs, dtype=np.uint32), bands, rows)


def _write_arrow(table: pa.Table, path: str | os.PathLike) -> None:
    # Arrow IPC, uncompressed: the exchange files are read back once, memory-mapped; Parquet
    # encoding cost more than computing the keys (random uint64s defeat its dictionary).
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_arrow(path: str | os.PathLike) -> pa.Table:
    # Zero-copy: the table's buffers keep the mapping alive, so it is not closed here.
    return pa.ipc.open_file(pa.memory_map(str(path), "r")).read_all()


def write_key_shard(
    sigs: np.ndarray, nodes: np.ndarray, bands: int, rows: int, path: str | os.PathLike
) -> str:
    """Step 1 for one chunk of rows: write node + the keys of every band to `path`."""
    return write_key_batches([(sigs, nodes)], bands, rows, path)


def write_key_batches(
    batches: Iterable[tuple[np.ndarray, np.ndarray]], bands: int, rows: int, path: str | os.PathLike
) -> str:
    """Step 1 for several chunks of rows into one shard, a (signatures, nodes) chunk at a time,
    so only one chunk's signatures and keys are held."""
    schema = pa.schema([("node", pa.int64())] + [(f"k{b}", pa.uint64()) for b in range(bands)])
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for sigs, nodes in batches:
            keys = all_band_keys(sigs, bands, rows)
            cols = [pa.array(np.asarray(nodes, dtype=np.int64)), *(pa.array(keys[b]) for b in range(bands))]
            writer.write_table(pa.table(cols, schema=schema))
    return str(path)


@numba.njit(cache=True)
def _leader_edges(keys_by_node):
    n = keys_by_node.size
    cap = 16
    while cap < 2 * n:
        cap <<= 1
    mask = cap - 1
    slot_key = np.empty(cap, dtype=np.uint64)
    slot_node = np.full(cap, -1, dtype=np.int64)
    leader = np.empty(n, dtype=np.int64)
    member = np.empty(n, dtype=np.int64)
    e = 0
    for i in range(n):
        k = keys_by_node[i]
        s = np.int64(k >> np.uint64(32)) & mask  # keys are fmix64 outputs: any bits will do
        while True:
            first = slot_node[s]
            if first < 0:
                slot_node[s] = i
                slot_key[s] = k
                break
            if slot_key[s] == k:
                leader[e] = first
                member[e] = i
                e += 1
                break
            s = (s + 1) & mask
    return leader[:e].copy(), member[:e].copy()


def bucket_edges(keys_by_node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leader edges of one band: `keys_by_node[i]` is node i's key (a dense node space).

    Nodes are visited in ascending order and grouped by key in an open-addressing hash
    table, so the first node seen with a key (its bucket's leader) is the bucket's best
    node. Returns (leader, member) int64 arrays, one edge per non-first member: a bucket of
    k nodes yields k-1 edges. 3-4x a stable argsort of the keys (measured at 1e5 and 1e6
    rows), and no larger: the table holds 2-4 slots of 16 bytes per row.
    """
    return _leader_edges(np.ascontiguousarray(keys_by_node, dtype=np.uint64))


def _dedupe_edges(a: np.ndarray, b: np.ndarray, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique (a, b) pairs with a < b."""
    if a.size == 0:
        return a.astype(np.int64), b.astype(np.int64)
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    keep = lo != hi
    lo, hi = lo[keep], hi[keep]
    if n_nodes <= 1 << 31:
        packed = np.unique((lo.astype(np.uint64) << np.uint64(32)) | hi.astype(np.uint64))
        return (packed >> np.uint64(32)).astype(np.int64), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    uniq = np.ones(lo.size, dtype=bool)
    uniq[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return lo[uniq], hi[uniq]


# Nodes a band is grouped over at once. A dense array of every node's key and the hash table
# over it take ~60-90 B a node, so above this a band's keys are cut by their top bits into
# slices of about this many nodes, each grouped alone (bounded memory whatever the scope's rows);
# at or below it the band is grouped in one go, the faster way. The edges are the same.
SLICE_NODES = 1 << 22
MAX_SLICE_BITS = 8  # at most 256 slice files open at once: beyond ~1B nodes, slices grow instead


def _dense_band_edges(key_paths: list[str], band: int, n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    keys_by_node = np.zeros(n_nodes, dtype=np.uint64)
    for p in key_paths:
        t = _read_arrow(p)
        keys_by_node[t.column("node").to_numpy()] = t.column(f"k{band}").to_numpy()
    return bucket_edges(keys_by_node)


def _sliced_band_edges(
    key_paths: list[str], band: int, n_nodes: int, scratch: Path
) -> tuple[np.ndarray, np.ndarray]:
    """A band's leader edges one key slice at a time: every key shard's (node, key) pairs go
    once into the scratch file of their slice (the key's top bits); then each slice file is read
    alone, its pairs ordered by node and grouped as bucket_edges groups a dense band (the first
    node seen with a key, the smallest, leads its bucket). A bucket's keys are equal, so it never
    spans two slices. At most MAX_SLICES files are open at once."""
    bits = min(max(1, math.ceil(math.log2(n_nodes / SLICE_NODES))), MAX_SLICE_BITS)
    slices = 1 << bits
    scratch.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("node", pa.int64()), ("key", pa.uint64())])
    paths = [scratch / f"{q:05d}.arrows" for q in range(slices)]
    sinks = [pa.OSFile(str(path), "wb") for path in paths]
    writers = [pa.ipc.new_stream(sink, schema) for sink in sinks]
    try:
        for p in key_paths:
            t = _read_arrow(p)
            keys = t.column(f"k{band}").to_numpy()
            which = (keys >> np.uint64(64 - bits)).astype(np.int64)
            order = np.argsort(which, kind="stable")
            nodes, keys = t.column("node").to_numpy()[order], keys[order]
            cuts = np.searchsorted(which[order], np.arange(slices + 1))
            del t
            for q in np.flatnonzero(np.diff(cuts)):
                lo, hi = cuts[q], cuts[q + 1]
                writers[q].write_table(pa.table([nodes[lo:hi], keys[lo:hi]], schema=schema))
    finally:
        for writer, sink in zip(writers, sinks, strict=True):
            writer.close()
            sink.close()
    a_parts, b_parts = [], []
    for path in paths:
        with pa.OSFile(str(path), "rb") as source:
            table = pa.ipc.open_stream(source).read_all()
        path.unlink()
        nodes, keys = table.column("node").to_numpy(), table.column("key").to_numpy()
        del table
        order = np.argsort(nodes, kind="stable")
        leader, member = bucket_edges(keys[order])
        a_parts.append(nodes[order][leader])
        b_parts.append(nodes[order][member])
    scratch.rmdir()
    return np.concatenate(a_parts), np.concatenate(b_parts)


def band_edges_partition(
    key_paths: list[str], band_lo: int, band_hi: int, n_nodes: int, out_path: str | os.PathLike
) -> str:
    """Step 2 for bands [band_lo, band_hi): read those key columns, write deduplicated edges.
    A band of more than SLICE_NODES nodes is grouped slice by slice (scratch files beside
    out_path), so the task's memory does not grow with the rows."""
    a_parts, b_parts = [], []
    for band in range(band_lo, band_hi):
        if n_nodes <= SLICE_NODES:
            a, b = _dense_band_edges(key_paths, band, n_nodes)
        else:
            scratch = Path(f"{out_path}.slices-{band:03d}")
            a, b = _sliced_band_edges(key_paths, band, n_nodes, scratch)
        a_parts.append(a)
        b_parts.append(b)
    a = np.concatenate(a_parts) if a_parts else np.empty(0, np.int64)
    b = np.concatenate(b_parts) if b_parts else np.empty(0, np.int64)
    a, b = _dedupe_edges(a, b, n_nodes)
    _write_arrow(pa.table({"a": a, "b": b}, schema=EDGE_SCHEMA), out_path)
    return str(out_path)


def collect_edges(edge_paths: list[str], n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Step 3: union of all edge files, deduplicated and sorted by (a, b)."""
    a_parts, b_parts = [], []
    for p in edge_paths:
        t = _read_arrow(p)
        a_parts.append(t.column("a").to_numpy())
        b_parts.append(t.column("b").to_numpy())
    if not a_parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return _dedupe_edges(np.concatenate(a_parts), np.concatenate(b_parts), n_nodes)


def band_ranges(bands: int, parts: int) -> list[tuple[int, int]]:
    """Split bands 0..bands-1 into at most `parts` contiguous ranges."""
    parts = max(1, min(parts, bands))
    cuts = np.linspace(0, bands, parts + 1).round().astype(int)
    return [(int(lo), int(hi)) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True) if hi > lo]


def edges_from_key_shards(
    key_paths: list[str],
    n_nodes: int,
    bands: int,
    work_dir: str | os.PathLike,
    workers: int | Executor = 1,
    band_parts: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Steps 2-3: candidate edges (node a < node b) of all bands from the key shards
    (step 1, `write_key_shard`) that together cover nodes 0..n_nodes-1.

    `workers` > 1 runs the band partitions in that many local processes, an Executor
    (executor.py) as its tasks (Ray: one task per band range, reading the key shards from a shared file system); the edges are the same for
    any `workers` and `band_parts` (default: one partition per band, so a partition holds
    one band's keys: ~8 bytes a node, plus its hash table).
    """
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    if n_nodes == 0 or bands == 0 or not key_paths:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    if band_parts is None and isinstance(workers, Executor):
        # A task per band is mostly start-up when a band's keys are small: two band ranges per
        # worker keep every worker busy with fewer, larger tasks (the edges are the same).
        band_parts = max(4, 2 * workers.workers)
    ranges = band_ranges(bands, band_parts or bands)
    outs = [str(work / f"edges-{lo:03d}-{hi:03d}.arrow") for lo, hi in ranges]
    items = [(key_paths, lo, hi, n_nodes, out) for (lo, hi), out in zip(ranges, outs, strict=True)]
    edge_paths = parse_executor(workers).map(band_edges_partition, items)
    return collect_edges(edge_paths, n_nodes)


def lsh_candidate_edges(
    sigs: np.ndarray,
    node_of_row: np.ndarray,
    bands: int,
    rows: int,
    work_dir: str | os.PathLike,
    workers: int = 1,
    shard_rows: int = 1 << 18,
    band_parts: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate edges (node a < node b) of all bands from in-memory signatures: steps 1-3
    through files in work_dir. The edges are the same for any `workers`, `shard_rows` and
    `band_parts`."""
    if bands * rows > sigs.shape[1]:
        raise ValueError(f"bands x rows = {bands * rows} exceeds num_perm = {sigs.shape[1]}")
    n = sigs.shape[0]
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    key_paths = [
        write_key_shard(
            sigs[lo : lo + shard_rows],
            node_of_row[lo : lo + shard_rows],
            bands,
            rows,
            work / f"keys-{i:05d}.arrow",
        )
        for i, lo in enumerate(range(0, n, shard_rows))
    ]
    return edges_from_key_shards(key_paths, n, bands, work, workers, band_parts)
