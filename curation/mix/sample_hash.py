"""Keyed row hashes for sampling, shuffling and eval splits: SipHash-2-4 over Arrow strings.

Why SipHash-2-4: it is a keyed pseudo-random function with published reference vectors
(Aumasson & Bernstein, `vectors.h`), so a key is a plain function of its inputs on every
platform and version -- unlike polars' `.hash()`, which may change between releases and
must never be persisted. The 128-bit key is `blake2b(JSON [purpose, seed, source, epoch],
digest_size=16)`, so each (purpose, seed, source, epoch) gets an independent order and
the sampling order never correlates with the shuffle or the eval split.

The kernel (numba) reads the UTF-8 bytes of a `large_string` array in place through its
offsets buffer: no per-row Python. Measured 10-17M rows/s on one core for 71-byte ids
(`sha256:` + 64 hex), see the report of issue 6.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from collections.abc import Callable, Sequence

import numba
import numpy as np
import pyarrow as pa

# Bumping this changes every key: it is part of the format of a mix (the lock records the
# selection, and a rebuild must select the same rows).
KEY_SCHEME = "curation.mix/siphash24-v1"

_C0 = np.uint64(0x736F6D6570736575)
_C1 = np.uint64(0x646F72616E646F6D)
_C2 = np.uint64(0x6C7967656E657261)
_C3 = np.uint64(0x7465646279746573)
_FF = np.uint64(0xFF)


@numba.njit(cache=True, inline="always")
def _rotl(x, b):
    return (x << np.uint64(b)) | (x >> np.uint64(64 - b))


@numba.njit(cache=True, inline="always")
def _sipround(v0, v1, v2, v3):
    v0 += v1
    v1 = _rotl(v1, 13)
    v1 ^= v0
    v0 = _rotl(v0, 32)
    v2 += v3
    v3 = _rotl(v3, 16)
    v3 ^= v2
    v0 += v3
    v3 = _rotl(v3, 21)
    v3 ^= v0
    v2 += v1
    v1 = _rotl(v1, 17)
    v1 ^= v2
    v2 = _rotl(v2, 32)
    return v0, v1, v2, v3


@numba.njit(cache=True)
def _siphash24_batch(k0, k1, offsets, data, out):
    """SipHash-2-4 of `data[offsets[i]:offsets[i+1]]` into `out[i]` (uint64) for every row i."""
    for i in range(out.shape[0]):
        start = offsets[i]
        end = offsets[i + 1]
        v0 = k0 ^ _C0
        v1 = k1 ^ _C1
        v2 = k0 ^ _C2
        v3 = k1 ^ _C3
        n = end - start
        stop = start + (n // 8) * 8
        p = start
        while p < stop:
            m = np.uint64(0)
            for j in range(8):
                m |= np.uint64(data[p + j]) << np.uint64(8 * j)
            v3 ^= m
            v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
            v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
            v0 ^= m
            p += 8
        b = np.uint64(n & 0xFF) << np.uint64(56)
        for j in range(end - stop):
            b |= np.uint64(data[stop + j]) << np.uint64(8 * j)
        v3 ^= b
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        v0 ^= b
        v2 ^= _FF
        for _ in range(4):
            v0, v1, v2, v3 = _sipround(v0, v1, v2, v3)
        out[i] = v0 ^ v1 ^ v2 ^ v3


def siphash24(key: bytes, ids: pa.Array) -> np.ndarray:
    """SipHash-2-4 (64-bit output, read little-endian) of each string's UTF-8 bytes under a 16-byte key."""
    if len(key) != 16:
        raise ValueError(f"SipHash key must be 16 bytes, got {len(key)}")
    arr = as_string_array(ids, "ids")
    offsets, data = _buffers(arr)
    out = np.empty(len(arr), dtype=np.uint64)
    k0 = np.uint64(int.from_bytes(key[:8], "little"))
    k1 = np.uint64(int.from_bytes(key[8:], "little"))
    _siphash24_batch(k0, k1, offsets, data, out)
    return out


def derive_key(purpose: str, seed: int, source: str, epoch: int) -> bytes:
    """The 16-byte SipHash key of one (purpose, seed, source, epoch); JSON keeps the fields unambiguous."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    if not isinstance(source, str):
        raise ValueError(f"source must be a string, got {source!r}")
    if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral) or epoch < 0:
        raise ValueError(f"epoch must be an integer >= 0, got {epoch!r}")
    material = json.dumps([KEY_SCHEME, purpose, int(seed), source, int(epoch)], ensure_ascii=False)
    return hashlib.blake2b(material.encode("utf-8"), digest_size=16).digest()


def row_keys(ids, seed: int, source: str, epoch: int, *, purpose: str = "sample") -> np.ndarray:
    """One uint64 key per id: SipHash-2-4 of the id's UTF-8 bytes keyed by (purpose, seed, source, epoch).

    `ids`: pa.Array / pa.ChunkedArray of (large_)string, or a list / numpy array of str; no nulls.
    The key of a row depends only on its id and the key parameters, never on its position or
    on how the input is chunked.
    """
    return siphash24(derive_key(purpose, seed, source, epoch), as_string_array(ids, "ids"))


def as_string_array(values, what: str) -> pa.LargeStringArray:
    """`values` as one contiguous large_string Arrow array; ValueError (naming `what`) on nulls or non-strings."""
    if isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    elif isinstance(values, pa.Array):
        arr = values
    else:
        try:
            arr = pa.array(
                list(values) if not isinstance(values, np.ndarray) else values, type=pa.large_string()
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            raise ValueError(f"{what} must be strings: {exc}") from exc
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise ValueError(f"{what} must be an Arrow string column, got {arr.type}")
    if arr.null_count:
        raise ValueError(f"{what} contain {arr.null_count} null value(s); every row needs one")
    return arr.cast(pa.large_string()) if not pa.types.is_large_string(arr.type) else arr


def _buffers(arr: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64 [n+1], data uint8) of a large_string array, honouring a slice offset."""
    bufs = arr.buffers()
    offsets = (
        np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1] if len(arr) else None
    )
    if offsets is None:
        offsets = np.zeros(1, dtype=np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def order_by_key(keys: np.ndarray, tie_values: Callable[[np.ndarray], Sequence], what: str) -> np.ndarray:
    """Row indices sorted by `keys` (uint64), equal keys ordered by `tie_values(rows)` (e.g. the ids).

    A full tie (equal key and equal tie value) means a duplicate row: ValueError naming `what`
    and the value, since no order of duplicates is independent of the input order.
    64-bit keys collide with probability ~n^2 / 2^65, so the Python fix-up below runs on
    (almost) nothing but duplicates.
    """
    order = np.argsort(keys)
    sorted_keys = keys[order]
    same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
    i = 0
    while i < same.size:
        start = same[i]
        j = i
        while j + 1 < same.size and same[j + 1] == same[j] + 1:
            j += 1
        stop = same[j] + 2  # the run is order[start:stop]
        rows = order[start:stop]
        values = list(tie_values(rows))
        perm = sorted(range(len(rows)), key=values.__getitem__)
        for a, b in zip(perm, perm[1:], strict=False):
            if values[a] == values[b]:
                raise ValueError(f"duplicate {what} {values[a]!r}: rows must be unique")
        order[start:stop] = rows[perm]
        i = j + 1
    return order
