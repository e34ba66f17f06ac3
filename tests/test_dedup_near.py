"""Near-duplicate removal: LSH banding, verification, clusters, survivors, determinism."""

from __future__ import annotations

import datasketch
import numpy as np
import pyarrow as pa
import pytest

from curation.accounting import DROP_SCHEMA
from curation.dedup.clusters import components
from curation.dedup.lsh import all_band_keys, band_keys, bucket_edges, lsh_candidate_edges
from curation.dedup.near import near_drops, near_duplicates

NUM_PERM, BANDS, ROWS, THRESHOLD = 128, 14, 8, 0.8


def _words(rng: np.random.Generator, n: int) -> list[str]:
    return [f"w{i}" for i in rng.integers(0, 20_000, n)]


def _signature(words: list[str]) -> np.ndarray:
    m = datasketch.MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(len(words) - 4)])
    return m.hashvalues.astype(np.uint32)


def _edit(rng: np.random.Generator, words: list[str], k: int) -> list[str]:
    out = list(words)
    for pos in rng.choice(len(out), k, replace=False):
        out[pos] = f"x{rng.integers(1 << 30)}"
    return out


def _lexrank(ids: list[str]) -> np.ndarray:
    """Survivor rank = position of the id in lexicographic order (lower = better)."""
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return rank


@pytest.fixture(scope="module")
def corpus():
    """60 unrelated docs of 200 words, plus planted near duplicates at 1-3 word edits."""
    rng = np.random.default_rng(7)
    ids, docs, truth = [], [], {}
    for i in range(60):
        base = _words(rng, 200)
        ids.append(f"d{i:03d}")
        docs.append(base)
        if i % 3 == 0:  # a pair
            ids.append(f"d{i:03d}-copy")
            docs.append(_edit(rng, base, 1 + i % 2))
            truth[f"d{i:03d}-copy"] = f"d{i:03d}"
        if i % 10 == 0:  # a third member, 3 edits
            ids.append(f"d{i:03d}-more")
            docs.append(_edit(rng, base, 3))
            truth[f"d{i:03d}-more"] = f"d{i:03d}"
    sigs = np.stack([_signature(d) for d in docs])
    return ids, sigs, truth


def _as_map(ids, res):
    return {
        ids[r]: (d, c, round(float(s), 6))
        for r, d, c, s in zip(
            res.removed, res.duplicate_of.to_pylist(), res.cluster.to_pylist(), res.similarity, strict=True
        )
    }


def test_planted_pairs_found_and_survivor_follows_rank(corpus):
    ids, sigs, truth = corpus
    res = near_duplicates(ids, sigs, _lexrank(ids), BANDS, ROWS, THRESHOLD)
    got = {ids[r]: d for r, d in zip(res.removed, res.duplicate_of.to_pylist(), strict=True)}
    assert got == truth  # all planted found, nothing unrelated merged
    assert (res.similarity >= THRESHOLD).all()
    assert sorted(res.kept.tolist() + res.removed.tolist()) == list(range(len(ids)))
    # Reverse the rank: the copies now survive and the originals are removed.
    rev = near_duplicates(ids, sigs, -_lexrank(ids), BANDS, ROWS, THRESHOLD)
    rev_got = {ids[r]: d for r, d in zip(rev.removed, rev.duplicate_of.to_pylist(), strict=True)}
    for dup, surv in rev_got.items():
        assert dup < surv and dup[:4] == surv[:4]  # smaller id = worse rank now; same group
    # Pairs swap roles; in a triple the kept "-more" (3 edits) may be below threshold to
    # "-copy", which is then kept rather than removed on a chain through the original.
    pairs = {v for k, v in truth.items() if k.endswith("-copy") and f"{v}-more" not in truth}
    assert pairs <= set(rev_got) and all(rev_got[p] == f"{p}-copy" for p in pairs)
    assert (rev.similarity >= THRESHOLD).all()


def test_unrelated_docs_never_merged():
    rng = np.random.default_rng(3)
    docs = [_words(rng, 150) for _ in range(80)]
    ids = [f"u{i}" for i in range(80)]
    sigs = np.stack([_signature(d) for d in docs])
    res = near_duplicates(ids, sigs, _lexrank(ids), BANDS, ROWS, THRESHOLD, verify=False)
    assert res.removed.size == 0 and res.kept.size == 80


def test_workers_and_shuffle_do_not_change_result(corpus, tmp_path):
    ids, sigs, _ = corpus
    base = _as_map(ids, near_duplicates(ids, sigs, _lexrank(ids), BANDS, ROWS, THRESHOLD))
    two = near_duplicates(
        ids, sigs, _lexrank(ids), BANDS, ROWS, THRESHOLD, workers=2, work_dir=tmp_path / "w2"
    )
    assert _as_map(ids, two) == base
    perm = np.random.default_rng(11).permutation(len(ids))
    sids = [ids[i] for i in perm]
    shuf = near_duplicates(sids, sigs[perm], _lexrank(sids), BANDS, ROWS, THRESHOLD)
    assert _as_map(sids, shuf) == base


def test_rank_ties_broken_by_id_regardless_of_order(corpus):
    ids, sigs, _ = corpus
    zero = np.zeros(len(ids), dtype=np.int64)
    base = _as_map(ids, near_duplicates(ids, sigs, zero, BANDS, ROWS, THRESHOLD))
    perm = np.random.default_rng(5).permutation(len(ids))
    sids = [ids[i] for i in perm]
    assert _as_map(sids, near_duplicates(sids, sigs[perm], zero, BANDS, ROWS, THRESHOLD)) == base


def _random_sigs(rng, n):
    return rng.integers(0, 1 << 32, (n, NUM_PERM), dtype=np.uint64).astype(np.uint32)


def test_false_bridge_blocked_by_verification():
    """D shares band 0 with cluster X and band 1 with cluster Y, and nothing else."""
    rng = np.random.default_rng(1)
    a, b = _random_sigs(rng, 2)
    a2, b2 = a.copy(), b.copy()
    a2[100:105] = rng.integers(0, 1 << 31, 5)  # ~0.96 similar to a
    b2[100:105] = rng.integers(0, 1 << 31, 5)
    d = _random_sigs(rng, 1)[0]
    d[0:8], d[8:16] = a[0:8], b[8:16]
    ids = ["a", "a2", "b", "b2", "d"]
    sigs = np.stack([a, a2, b, b2, d])
    rank = np.arange(5)
    ver = near_duplicates(ids, sigs, rank, BANDS, ROWS, THRESHOLD)
    assert dict(zip([ids[r] for r in ver.removed], ver.duplicate_of.to_pylist(), strict=True)) == {
        "a2": "a",
        "b2": "b",
    }
    unver = near_duplicates(ids, sigs, rank, BANDS, ROWS, THRESHOLD, verify=False)
    got = dict(zip([ids[r] for r in unver.removed], unver.duplicate_of.to_pylist(), strict=True))
    assert got == {"a2": "a", "b": "a", "b2": "a", "d": "a"}  # one bridge merged both clusters
    assert set(unver.cluster.to_pylist()) == {"a"}


def test_chain_members_far_from_survivor_are_reclustered_or_kept():
    rng = np.random.default_rng(2)
    a = _random_sigs(rng, 1)[0]
    b = a.copy()
    b[0:18] = rng.integers(0, 1 << 31, 18)  # sim(a, b) = 110/128
    x = b.copy()
    x[18:36] = rng.integers(0, 1 << 31, 18)  # sim(b, x) = 110/128, sim(a, x) = 92/128
    y = x.copy()
    y[36:41] = rng.integers(0, 1 << 31, 5)  # sim(x, y) = 123/128, sim(a, y) = 87/128
    ids = ["a", "b", "x", "y"]
    sigs = np.stack([a, b, x, y])
    res = near_duplicates(ids, sigs, np.arange(4), BANDS, ROWS, THRESHOLD)
    got = {
        ids[r]: (d, c, s)
        for r, d, c, s in zip(
            res.removed, res.duplicate_of.to_pylist(), res.cluster.to_pylist(), res.similarity, strict=True
        )
    }
    # b is close to a; x and y are not, so they form their own cluster with x surviving.
    assert got == {"b": ("a", "a", 110 / 128), "y": ("x", "a", 123 / 128)}
    assert res.stats["rounds"] == 2
    # Only a and b: x is far from its survivor and has no other partner, so it is kept.
    res2 = near_duplicates(ids[:3], sigs[:3], np.arange(3), BANDS, ROWS, THRESHOLD)
    assert [ids[r] for r in res2.kept] == ["a", "x"]
    # max_rounds=1: unresolved members are kept, never removed on a chain.
    res3 = near_duplicates(ids, sigs, np.arange(4), BANDS, ROWS, THRESHOLD, max_rounds=1)
    assert [ids[r] for r in res3.removed] == ["b"]


def test_bucket_of_k_identical_gives_k_minus_1_edges(tmp_path):
    keys = np.array([5, 9, 5, 5, 9, 1, 5], dtype=np.uint64)
    lead, mem = bucket_edges(keys)
    assert sorted(zip(lead.tolist(), mem.tolist(), strict=True)) == [(0, 2), (0, 3), (0, 6), (1, 4)]
    k = 50
    sigs = np.repeat(_random_sigs(np.random.default_rng(0), 1), k, axis=0)
    a, b = lsh_candidate_edges(sigs, np.arange(k), BANDS, ROWS, tmp_path)
    assert a.size == k - 1 and (a == 0).all() and b.tolist() == list(range(1, k))


def test_all_identical_and_empty():
    k = 30
    sigs = np.repeat(_random_sigs(np.random.default_rng(4), 1), k, axis=0)
    ids = [f"r{i:02d}" for i in range(k)]
    res = near_duplicates(ids, sigs, _lexrank(ids)[::-1].copy(), BANDS, ROWS, THRESHOLD)
    assert [ids[r] for r in res.kept] == ["r29"]
    assert set(res.duplicate_of.to_pylist()) == {"r29"} and (res.similarity == 1.0).all()
    empty = near_duplicates(
        [], np.empty((0, NUM_PERM), np.uint32), np.empty(0, np.int64), BANDS, ROWS, THRESHOLD
    )
    assert empty.kept.size == 0 and empty.removed.size == 0
    assert near_drops(empty, [], "s").num_rows == 0


def test_bad_parameters():
    sigs = np.zeros((2, NUM_PERM), np.uint32)
    with pytest.raises(ValueError, match="threshold"):
        near_duplicates(["a", "b"], sigs, [0, 1], BANDS, ROWS, 0.0)
    with pytest.raises(ValueError, match="num_perm"):
        near_duplicates(["a", "b"], sigs, [0, 1], 20, 8, 0.8)
    with pytest.raises(ValueError, match="uint32"):
        near_duplicates(["a", "b"], sigs.astype(np.uint64), [0, 1], BANDS, ROWS, 0.8)


def test_drop_rows(corpus):
    ids, sigs, truth = corpus
    res = near_duplicates(ids, sigs, _lexrank(ids), BANDS, ROWS, THRESHOLD)
    raw = [f"text of {i}" for i in ids]
    t = near_drops(res, ids, "web", raw=raw, line=np.arange(1, len(ids) + 1))
    assert t.schema == DROP_SCHEMA and t.num_rows == len(truth)
    row = t.to_pylist()[0]
    assert row["stage"] == "dedup_near" and row["reason"] == "near_duplicate"
    assert row["duplicate_of"] == truth[row["id"]] and row["raw"] == f"text of {row['id']}"
    assert "14 bands x 8 rows" in row["detail"] and row["duplicate_of"] in row["detail"]


def test_components_root_is_min_node_any_edge_order():
    rng = np.random.default_rng(9)
    a = rng.integers(0, 500, 400)
    b = rng.integers(0, 500, 400)
    root = components(500, a, b)
    perm = rng.permutation(400)
    assert (components(500, b[perm], a[perm]) == root).all()
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    _, lab = connected_components(coo_matrix((np.ones(400), (a, b)), shape=(500, 500)), directed=False)
    mins = {}
    for node, lb in enumerate(lab):
        mins.setdefault(lb, node)
    assert root.tolist() == [mins[lb] for lb in lab]


def test_band_keys_deterministic():
    sigs = np.array([[1, 2, 3, 4], [1, 2, 3, 5], [1, 2, 3, 4]], dtype=np.uint32)
    k0 = band_keys(sigs, 0, 2)
    assert k0[0] == k0[1] == k0[2]
    k1 = band_keys(sigs, 1, 2)
    assert k1[0] == k1[2] != k1[1] and k1[0] != k0[0]
    assert int(band_keys(sigs[:1], 0, 2)[0]) == int(k0[0])
    assert pa.array(k0).type == pa.uint64()


def test_numba_band_keys_equal_reference():
    sigs = _random_sigs(np.random.default_rng(6), 300)
    for bands, rows in [(14, 8), (9, 13), (3, 7)]:
        ref = np.stack([band_keys(sigs, b, rows) for b in range(bands)])
        assert (all_band_keys(sigs, bands, rows) == ref).all()


def test_shingle_less_rows_are_not_near_duplicates():
    rng = np.random.default_rng(8)
    a = _random_sigs(rng, 1)[0]
    empty = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    ids = ["a", "a2", "e1", "e2", "e3"]
    sigs = np.stack([a, a, empty, empty, empty])
    res = near_duplicates(ids, sigs, np.arange(5), BANDS, ROWS, THRESHOLD)
    assert [ids[r] for r in res.removed] == ["a2"] and res.stats["empty_signatures"] == 3


def test_edges_independent_of_shards_and_band_partitions(corpus, tmp_path):
    _, sigs, _ = corpus
    nodes = np.random.default_rng(12).permutation(sigs.shape[0])
    base = lsh_candidate_edges(sigs, nodes, BANDS, ROWS, tmp_path / "a")
    other = lsh_candidate_edges(sigs, nodes, BANDS, ROWS, tmp_path / "b", shard_rows=7, band_parts=3)
    assert base[0].size > 0
    assert (base[0] == other[0]).all() and (base[1] == other[1]).all()


@pytest.mark.parametrize("slice_nodes", [1, 5, 64])
def test_bands_grouped_slice_by_slice_give_the_dense_edges(corpus, tmp_path, monkeypatch, slice_nodes):
    """A band of more rows than SLICE_NODES is grouped one key slice at a time (2 to 128 slices
    here, with buckets of planted duplicates in them): the same edges, and no scratch left."""
    from curation.dedup import lsh

    ids, sigs, _ = corpus
    nodes = np.random.default_rng(3).permutation(len(ids))  # survivor order is not row order
    dense = lsh_candidate_edges(sigs, nodes, BANDS, ROWS, tmp_path / "dense", shard_rows=37)
    assert dense[0].size > 10
    monkeypatch.setattr(lsh, "SLICE_NODES", slice_nodes)
    sliced = lsh_candidate_edges(sigs, nodes, BANDS, ROWS, tmp_path / "sliced", shard_rows=37, band_parts=3)
    assert np.array_equal(dense[0], sliced[0]) and np.array_equal(dense[1], sliced[1])
    assert not list((tmp_path / "sliced").rglob("*.slices-*"))
