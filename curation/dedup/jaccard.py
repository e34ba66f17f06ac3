"""Exact Jaccard of shingle sets for candidate pairs: the verification behind near dedup.

A MinHash estimate with 128 permutations has a standard error of ~0.035 at J = 0.8, so
verifying candidates by the estimate alone loses a quarter of the pairs at J 0.80-0.85 and
admits pairs just below the threshold (benchmarks/results/dedup.md). Candidates are few, so
their shingle sets are rebuilt (only for rows in a candidate pair, a chunk of pairs at a
time) and compared exactly:
|A ∩ B| / |A ∪ B| over the 32-bit shingle hashes (a collision between two distinct shingles
of one pair has probability ~m^2 / 2^33 for m shingles: negligible at document sizes).
"""

from __future__ import annotations

import numba
import numpy as np

from curation.dedup.shingle import Shingler, TextBatch


@numba.njit(cache=True)
def _pair_jaccard(hashes, offsets, ia, ib, out):
    """|A ∩ B| / |A ∪ B| of the distinct hashes of documents ia[p] and ib[p], through one
    open-addressing table per pair (no sort; the hashes are fmix32 outputs, so their low
    bits index the table). Slots are claimed by a per-pair stamp: the table is never cleared."""
    longest = 0
    for i in range(offsets.size - 1):
        longest = max(longest, offsets[i + 1] - offsets[i])
    cap = 16
    while cap < 4 * longest:
        cap <<= 1
    mask = cap - 1
    slot_hash = np.empty(cap, dtype=np.uint32)
    slot_stamp = np.full(cap, -1, dtype=np.int64)
    slot_side = np.empty(cap, dtype=np.uint8)  # 1: in A, 2: in B only, 3: in both
    for p in range(ia.size):
        union = 0
        common = 0
        for side in range(2):
            doc = ia[p] if side == 0 else ib[p]
            for j in range(offsets[doc], offsets[doc + 1]):
                x = hashes[j]
                s = np.int64(x) & mask
                while True:
                    if slot_stamp[s] != p:
                        slot_stamp[s] = p
                        slot_hash[s] = x
                        slot_side[s] = 1 if side == 0 else 2
                        union += 1
                        break
                    if slot_hash[s] == x:
                        if side == 1 and slot_side[s] == 1:
                            slot_side[s] = 3
                            common += 1
                        break
                    s = (s + 1) & mask
        out[p] = common / union if union > 0 else 0.0


class ExactJaccard:
    """`similarity(rows_a, rows_b)`: exact Jaccard of the shingle sets of row pairs of `texts`.

    Pairs are taken `pairs_per_chunk` at a time: the shingle hashes of the rows a chunk names
    are built, compared and let go, so memory stays bounded by the chunk (~1.2 KB a row of
    300 words, at most 2 x pairs_per_chunk rows) however many candidates there are. Rows
    shared by consecutive pairs (a bucket leader and its members: the LSH edges come sorted
    by leader) are built once per chunk.
    """

    def __init__(self, texts: TextBatch, shingler: Shingler, pairs_per_chunk: int = 1024) -> None:
        if pairs_per_chunk < 1:
            raise ValueError(f"pairs_per_chunk must be >= 1, got {pairs_per_chunk}")
        self.texts = texts
        self.shingler = shingler
        self.pairs_per_chunk = pairs_per_chunk

    def _hashes(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        texts = self.texts.gather(rows) if hasattr(self.texts, "gather") else self.texts.take(rows)
        return self.shingler.hashes(texts)

    def __call__(self, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
        rows_a = np.asarray(rows_a, dtype=np.int64)
        rows_b = np.asarray(rows_b, dtype=np.int64)
        out = np.empty(rows_a.size, dtype=np.float64)
        for lo in range(0, rows_a.size, self.pairs_per_chunk):
            ca = rows_a[lo : lo + self.pairs_per_chunk]
            cb = rows_b[lo : lo + self.pairs_per_chunk]
            rows, slots = np.unique(np.concatenate([ca, cb]), return_inverse=True)
            hashes, offsets = self._hashes(rows)
            _pair_jaccard(hashes, offsets, slots[: ca.size], slots[ca.size :], out[lo : lo + ca.size])
        return out
