"""Exact Jaccard of shingle sets for candidate pairs: the verification behind near dedup.

A MinHash estimate with 128 permutations has a standard error of ~0.035 at J = 0.8, so
verifying candidates by the estimate alone loses a quarter of the pairs at J 0.80-0.85 and
admits pairs just below the threshold (benchmarks/results/dedup.md). Candidates are few, so
their shingle sets are rebuilt (only for rows in a candidate pair) and compared exactly:
|A ∩ B| / |A ∪ B| over the 32-bit shingle hashes (a collision between two distinct shingles
of one pair has probability ~m^2 / 2^33 for m shingles: negligible at document sizes).
"""

from __future__ import annotations

import numba
import numpy as np

from curation.dedup.shingle import Shingler, TextBatch


@numba.njit(cache=True)
def _sorted_sets(hashes, offsets):
    """Sort each document's hashes and drop repeats, in place; returns the new lengths."""
    n = offsets.size - 1
    lengths = np.empty(n, dtype=np.int64)
    for i in range(n):
        lo, hi = offsets[i], offsets[i + 1]
        seg = np.sort(hashes[lo:hi])
        m = 0
        for j in range(seg.size):
            if m == 0 or seg[j] != hashes[lo + m - 1]:
                hashes[lo + m] = seg[j]
                m += 1
        lengths[i] = m
    return lengths


@numba.njit(cache=True)
def _pair_jaccard(hashes, offsets, lengths, ia, ib, out):
    for p in range(ia.size):
        a0, an = offsets[ia[p]], lengths[ia[p]]
        b0, bn = offsets[ib[p]], lengths[ib[p]]
        i = 0
        j = 0
        common = 0
        while i < an and j < bn:
            x = hashes[a0 + i]
            y = hashes[b0 + j]
            if x == y:
                common += 1
                i += 1
                j += 1
            elif x < y:
                i += 1
            else:
                j += 1
        union = an + bn - common
        out[p] = common / union if union > 0 else 0.0


class ExactJaccard:
    """`similarity(rows_a, rows_b)`: exact Jaccard of the shingle sets of row pairs of `texts`.

    Shingle sets are built once per row, on first use, for the rows a pair names.
    """

    def __init__(self, texts: TextBatch, shingler: Shingler) -> None:
        self.texts = texts
        self.shingler = shingler
        self.slot = np.full(len(texts), -1, dtype=np.int64)  # row -> index in the sets built
        self.hashes = np.empty(0, dtype=np.uint32)
        self.offsets = np.zeros(1, dtype=np.int64)
        self.lengths = np.empty(0, dtype=np.int64)

    def _build(self, rows: np.ndarray) -> None:
        new = np.unique(rows[self.slot[rows] < 0])
        if new.size == 0:
            return
        texts = self.texts.gather(new) if hasattr(self.texts, "gather") else self.texts.take(new)
        hashes, offsets = self.shingler.hashes(texts)
        lengths = _sorted_sets(hashes, offsets)
        base = self.hashes.size
        self.slot[new] = np.arange(self.lengths.size, self.lengths.size + new.size)
        self.hashes = np.concatenate([self.hashes, hashes])
        self.offsets = np.concatenate([self.offsets[:-1], offsets + base])
        self.lengths = np.concatenate([self.lengths, lengths])

    def __call__(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        rows_a = np.asarray(rows_a, dtype=np.int64)
        rows_b = np.asarray(rows_b, dtype=np.int64)
        out = np.empty(rows_a.size, dtype=np.float64)
        if rows_a.size == 0:
            return out
        self._build(np.concatenate([rows_a, rows_b]))
        _pair_jaccard(self.hashes, self.offsets, self.lengths, self.slot[rows_a], self.slot[rows_b], out)
        return out
