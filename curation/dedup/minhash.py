"""MinHash signatures over whole batches, bit-identical to datasketch 2.0's ``affine32`` scheme.

datasketch 2.0 (``datasketch/minhash.py``), scheme ``"affine32"`` (its default), does, for a
MinHash with ``num_perm`` P and ``seed``:

- permutations: ``gen = np.random.RandomState(seed)``;
  ``a = gen.randint(0, 2**31, P, dtype=uint32) * 2 + 1`` (odd), then
  ``b = gen.randint(0, 2**32, P, dtype=uint32)``;
- per input value: ``hv = hashfunc(value)`` (a 32-bit int), pre-mixed once with the
  MurmurHash3 finalizer ``fmix32`` (``h ^= h >> 16; h *= 0x85EBCA6B; h ^= h >> 13;
  h *= 0xC2B2AE35; h ^= h >> 16``, all mod 2**32);
- ``phv_k = a_k * fmix32(hv) + b_k mod 2**32``; the signature is the per-k minimum over all
  values, starting from ``0xFFFFFFFF`` (so an empty set's signature is all ``0xFFFFFFFF``).

:class:`MinHasher` reproduces that in numba, fused with shingling
(:mod:`curation.dedup.shingle_kernel`). Hence, for any text ``t``::

    m = datasketch.MinHash(num_perm=P, seed=S, hashfunc=shingle_hash32)
    m.update_batch(Shingler().shingles(t))
    assert (m.hashvalues == MinHasher(P, S).signatures([t])[0]).all()

Default ``num_perm=128``: datasketch's default (so its tools interoperate with no extra
argument), between datatrove's 112 and text-dedup's 240; see :mod:`curation.dedup.params`
for the banding it allows at threshold 0.8.
"""

from __future__ import annotations

import numba
import numpy as np

from curation.dedup.shingle import Shingler, TextBatch

__all__ = ["MinHasher", "affine32_permutations", "jaccard_estimate"]

EMPTY_VALUE = np.uint32(0xFFFFFFFF)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)``, each ``uint32[num_perm]``, exactly as datasketch 2.0 draws them for affine32."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHasher:
    """Batch MinHash: ``MinHasher(num_perm=128, seed=1).signatures(texts)``.

    ``shingler`` defaults to ``Shingler()`` (word 5-grams, NFKC, lowercase).
    """

    def __init__(self, num_perm: int = 128, seed: int = 1, shingler: Shingler | None = None) -> None:
        if not isinstance(num_perm, int) or isinstance(num_perm, bool) or num_perm < 1:
            raise ValueError(f"num_perm must be a positive int, got {num_perm!r}")
        self.num_perm = num_perm
        self.seed = seed
        self.shingler = shingler if shingler is not None else Shingler()
        self.a, self.b = affine32_permutations(num_perm, seed)

    def signatures(self, texts: TextBatch) -> np.ndarray:
        """``uint32[n_docs, num_perm]``; documents without shingles get all ``0xFFFFFFFF``."""
        return self.shingler.signatures(texts, self.a, self.b)


@numba.njit(cache=True)
def _pair_kernel(sig_a, sig_b, ia, ib, out):
    num_perm = sig_a.shape[1]
    for p in range(ia.size):
        x = ia[p]
        y = ib[p]
        eq = 0
        for k in range(num_perm):
            if sig_a[x, k] == sig_b[y, k]:
                eq += 1
        out[p] = eq / num_perm


def jaccard_estimate(
    sig_a: np.ndarray,
    sig_b: np.ndarray,
    idx_a: np.ndarray | None = None,
    idx_b: np.ndarray | None = None,
) -> np.ndarray | float:
    """Estimated Jaccard similarity: the fraction of equal signature values.

    - ``jaccard_estimate(s, t)`` with two 1-D signatures: a ``float``.
    - ``jaccard_estimate(S, T)`` with two 2-D arrays of the same shape: ``float64[n]``, row i
      of S against row i of T.
    - ``jaccard_estimate(S, T, idx_a, idx_b)``: ``float64[len(idx_a)]``, row ``idx_a[p]`` of
      S against row ``idx_b[p]`` of T (pass ``S`` twice for pairs within one batch).

    Two empty documents (all ``0xFFFFFFFF``) estimate 1.0, as in datasketch; callers must
    treat shingle-less documents specially.
    """
    sig_a = np.asarray(sig_a)
    sig_b = np.asarray(sig_b)
    if sig_a.ndim == 1 and sig_b.ndim == 1 and idx_a is None and idx_b is None:
        if sig_a.shape != sig_b.shape:
            raise ValueError(f"signature lengths differ: {sig_a.shape} vs {sig_b.shape}")
        return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size
    if sig_a.ndim != 2 or sig_b.ndim != 2 or sig_a.shape[1] != sig_b.shape[1]:
        raise ValueError(f"need 2-D signatures with equal num_perm, got {sig_a.shape} and {sig_b.shape}")
    if (idx_a is None) != (idx_b is None):
        raise ValueError("give both idx_a and idx_b, or neither")
    if idx_a is None:
        if sig_a.shape != sig_b.shape:
            raise ValueError(f"row counts differ: {sig_a.shape} vs {sig_b.shape}")
        idx_a = idx_b = np.arange(sig_a.shape[0], dtype=np.int64)
    idx_a = np.ascontiguousarray(idx_a, dtype=np.int64)
    idx_b = np.ascontiguousarray(idx_b, dtype=np.int64)
    if idx_a.shape != idx_b.shape or idx_a.ndim != 1:
        raise ValueError("idx_a and idx_b must be 1-D and of equal length")
    if idx_a.size and (
        idx_a.min() < 0 or idx_b.min() < 0 or idx_a.max() >= sig_a.shape[0] or idx_b.max() >= sig_b.shape[0]
    ):
        raise IndexError("pair index out of range")
    out = np.empty(idx_a.size, dtype=np.float64)
    _pair_kernel(np.ascontiguousarray(sig_a), np.ascontiguousarray(sig_b), idx_a, idx_b, out)
    return out
