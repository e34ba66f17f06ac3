"""Word n-gram hashes of a batch of texts, and a sorted-array index of benchmark n-grams.

Normalisation, exactly (:func:`normalize_words`, polars over the whole batch):

1. null -> "";
2. Unicode NFKC (folds full-width forms, ligatures, compatibility digits);
3. lowercase (full Unicode, polars ``str.to_lowercase``);
4. every maximal run of characters that are neither letters (``\\p{L}``) nor digits
   (``\\p{N}``) becomes one space, and leading/trailing spaces are removed.

Words are the space-separated pieces of the result: ``has_close_elements`` is three words,
``3.5`` two, ``don't`` two (``don``, ``t``). Punctuation, markdown and code symbols never
count, so a benchmark item pasted with other formatting still matches.

N-grams: every window of ``n`` consecutive words of one text. A text with 1..n-1 words gives
one gram of all its words (so a benchmark item shorter than n words matches a training text
only when that whole text normalises to the same words; embedded in a longer text it is not
found: short items are mostly generic phrases, see the decontam module). An empty text gives
none.

Hash (64-bit, so that ~10^6 indexed grams against ~10^8 looked-up grams give an expected
~10^-5 false match): each word's UTF-8 bytes by FNV-1a 64; a gram of words w_0..w_{k-1} is
``h = SEED; h = h * MUL + fnv(w_j)`` (mod 2**64) for j in order, then MurmurHash3's fmix64.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curation.dedup.shingle_kernel import _fmix64  # MurmurHash3's 64-bit finaliser, one definition
from curation.text_buffers import as_large_string, string_buffers

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_SEED = np.uint64(0x9E3779B97F4A7C15)
_MUL = np.uint64(0x100000001B3)
_SPACE = 32
# Prefilter bitmap over the top _PREFILTER_BITS bits of a hash: one gather rejects almost every
# looked-up gram before the binary search (4 MiB; ~1% of slots set per 10^5 indexed grams).
_PREFILTER_BITS = 22

TextBatch = pa.Array | pa.ChunkedArray | pl.Series


def normalize_words(texts: TextBatch) -> pa.LargeStringArray:
    """Steps 1-4 above over a batch: one contiguous ``large_string`` array of words joined by
    single spaces."""
    series = texts if isinstance(texts, pl.Series) else pl.Series(values=texts)
    arr = series.cast(pl.String).fill_null("").to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
    # NFKC leaves ASCII unchanged and was 2/3 of the normalisation time on chat text (measured,
    # 5 MB of alpaca rows): normalise only the rows holding a non-ASCII byte.
    other = pc.invert(pc.string_is_ascii(arr))
    if pc.any(other).as_py():
        fixed = pl.Series(values=arr.filter(other)).str.normalize("NFKC").to_arrow().cast(arr.type)
        arr = pc.replace_with_mask(arr, other, fixed)
    out = pl.Series(values=arr).str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars(" ")
    return as_large_string(out)


@numba.njit(cache=True)
def _gram_hashes(data, offsets, n):
    """(hashes uint64[m], offsets int64[n_texts + 1]) of space-separated word texts."""
    n_texts = offsets.size - 1
    max_len = 0
    for i in range(n_texts):
        max_len = max(max_len, offsets[i + 1] - offsets[i])
    # A word takes at least one byte plus one space: at most (len + 1) / 2 words, and at
    # most that many grams.
    th = np.empty(max_len // 2 + 2, dtype=np.uint64)
    out = np.empty((offsets[n_texts] - offsets[0]) // 2 + n_texts + 1, dtype=np.uint64)
    out_off = np.empty(n_texts + 1, dtype=np.int64)
    out_off[0] = 0
    w = 0
    for i in range(n_texts):
        k = 0
        h = _FNV_OFFSET
        in_word = False
        for p in range(offsets[i], offsets[i + 1]):
            b = data[p]
            if b == _SPACE:
                if in_word:
                    th[k] = h
                    k += 1
                    in_word = False
            else:
                if not in_word:
                    h = _FNV_OFFSET
                    in_word = True
                h = (h ^ np.uint64(b)) * _FNV_PRIME
        if in_word:
            th[k] = h
            k += 1
        if 0 < k < n:  # a short text: one gram of all its words
            g = _SEED
            for j in range(k):
                g = g * _MUL + th[j]
            out[w] = _fmix64(g)
            w += 1
        elif k >= n:
            count = k - n + 1
            for t in range(count):
                out[w + t] = _SEED
            for j in range(n):  # column by column: the loop over t vectorises
                for t in range(count):
                    out[w + t] = out[w + t] * _MUL + th[t + j]
            for t in range(count):
                out[w + t] = _fmix64(out[w + t])
            w += count
        out_off[i + 1] = w
    return out[:w].copy(), out_off


def gram_hashes(words: pa.LargeStringArray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """N-gram hashes of texts already through :func:`normalize_words`: ``(hashes uint64[m],
    offsets int64[n_texts + 1])``; text i's grams are ``hashes[offsets[i]:offsets[i + 1]]``,
    gram t starting at word t."""
    if len(words) == 0:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64)
    data, offsets = string_buffers(words)
    return _gram_hashes(data, offsets, n)


@dataclass(frozen=True, eq=False)
class NgramIndex:
    """The distinct n-gram hashes of named benchmarks, sorted, each with the benchmark that
    holds it (a gram found in two benchmarks is credited to the first, in build order).

    Build with :meth:`build`; ``sizes[k]`` is how many distinct grams benchmark ``names[k]``
    contributed before that credit rule.
    """

    n: int
    names: tuple[str, ...]
    hashes: np.ndarray  # uint64, sorted, distinct
    owners: np.ndarray  # int32, index into names
    sizes: tuple[int, ...]
    _bitmap: np.ndarray = field(repr=False)

    @classmethod
    def build(cls, n: int, benchmarks: dict[str, TextBatch]) -> NgramIndex:
        """Index ``{name: texts}``: each text normalised and cut into n-grams as above."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be a positive int, got {n!r}")
        names = tuple(benchmarks)
        per = [np.unique(gram_hashes(normalize_words(t), n)[0]) for t in benchmarks.values()]
        hashes = np.concatenate(per) if per else np.zeros(0, np.uint64)
        owners = np.repeat(np.arange(len(per), dtype=np.int32), [p.size for p in per])
        order = np.argsort(hashes, kind="stable")  # stable: the first benchmark wins a tie
        hashes, owners = hashes[order], owners[order]
        first = np.ones(hashes.size, dtype=bool)
        first[1:] = hashes[1:] != hashes[:-1]
        hashes, owners = hashes[first], owners[first]
        bitmap = np.zeros(1 << _PREFILTER_BITS, dtype=bool)
        bitmap[hashes >> np.uint64(64 - _PREFILTER_BITS)] = True
        return cls(n, names, hashes, owners, tuple(int(p.size) for p in per), bitmap)

    def lookup(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions into ``hashes`` that are indexed, ascending; the owner of each)."""
        if self.hashes.size == 0 or hashes.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        cand = np.flatnonzero(self._bitmap[hashes >> np.uint64(64 - _PREFILTER_BITS)])
        q = hashes[cand]
        idx = np.minimum(np.searchsorted(self.hashes, q), self.hashes.size - 1)
        hit = self.hashes[idx] == q
        return cand[hit], self.owners[idx[hit]]
