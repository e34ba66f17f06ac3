"""Seeded final order of a mix and the eval split, both from keyed row hashes (see `sample_hash.py`).

Both are functions of row identities only (source, id, epoch; or the group label), never
of positions, so they do not depend on input order, chunking or worker count.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.mix.sample_hash import as_string_array, order_by_key, row_keys
from curation.row_groups import row_groups


def shuffle_order(ids, sources, epochs, seed: int) -> np.ndarray:
    """A permutation (int64 row indices) of the picked rows: rows sorted by a key of (seed, source, epoch, id).

    ids: the picked rows' ids (str). sources: each row's source name (str sequence/array, or one
    str for all rows). epochs: each row's epoch (ints >= 0, or None for all 0); the epoch is in
    the key so a row repeated across epochs lands at independent places.
    Ties on the 64-bit key are ordered by (source, id, epoch); a repeated (source, id, epoch)
    is a ValueError.
    """
    ids_arr = as_string_array(ids, "ids")
    n = len(ids_arr)
    if isinstance(sources, str):
        src_arr = (
            pa.repeat(pa.scalar(sources, pa.large_string()), n) if n else pa.array([], pa.large_string())
        )
    else:
        src_arr = as_string_array(sources, "sources")
    if len(src_arr) != n:
        raise ValueError(f"sources must have one value per id ({n}), got {len(src_arr)}")
    ep = np.zeros(n, dtype=np.int64) if epochs is None else np.asarray(epochs)
    if ep.shape != (n,) or (n and not np.issubdtype(ep.dtype, np.integer)):
        raise ValueError(f"epochs must be one integer per id ({n}), got shape {ep.shape} dtype {ep.dtype}")
    ep = ep.astype(np.int64, copy=False)
    if n and ep.min() < 0:
        raise ValueError(f"epochs must be >= 0, got {int(ep.min())}")
    if not n:
        return np.zeros(0, dtype=np.int64)

    encoded = pc.dictionary_encode(src_arr)
    names = encoded.dictionary.to_pylist()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    # One hash call per (source, epoch) group: its key differs, the ids inside are hashed in bulk.
    group = codes * (int(ep.max()) + 1) + ep
    keys = np.empty(n, dtype=np.uint64)
    for _, rows in row_groups(group):
        first = rows[0]
        keys[rows] = row_keys(
            ids_arr.take(pa.array(rows)), seed, names[codes[first]], int(ep[first]), purpose="shuffle"
        )

    def ties(rows: np.ndarray) -> list[tuple[str, str, int]]:
        return [(names[codes[r]], ids_arr[int(r)].as_py(), int(ep[r])) for r in rows]

    return order_by_key(keys, ties, "(source, id, epoch)").astype(np.int64, copy=False)


def split_eval(ids, fraction: float, seed: int, groups=None) -> np.ndarray:
    """Boolean mask of the eval rows: a row is eval iff key(group) < floor(fraction x 2^64).

    The group is the row's near-duplicate cluster id when `groups` is given (nulls fall back to
    the row's own id), else the id, so near duplicates always land on the same side. The key
    (SipHash keyed by seed, no source) depends on the group label alone: a row's side never
    changes when other rows or sources are added, and the same id in two sources agrees.
    fraction: expected share of groups in eval, in [0, 1); the realised row share varies
    binomially around it (no exact count is forced, which would make a row's side depend on
    the other rows).
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not math.isfinite(fraction):
        raise ValueError(f"eval fraction must be a number in [0, 1), got {fraction!r}")
    if not 0 <= fraction < 1:
        raise ValueError(f"eval fraction must be in [0, 1), got {fraction!r}")
    ids_arr = as_string_array(ids, "ids")
    labels = ids_arr
    if groups is not None:
        if isinstance(groups, pa.Array | pa.ChunkedArray):
            g = groups
        else:
            try:
                g = pa.array(list(np.asarray(groups, dtype=object)))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise ValueError(f"groups must be strings or integers: {exc}") from exc
        if len(g) != len(ids_arr):
            raise ValueError(f"groups must have one value per id ({len(ids_arr)}), got {len(g)}")
        if isinstance(g, pa.ChunkedArray):
            g = g.combine_chunks()
        t = g.type
        if not (
            pa.types.is_string(t)
            or pa.types.is_large_string(t)
            or pa.types.is_null(t)
            or pa.types.is_integer(t)
        ):
            raise ValueError(f"groups must be strings or integers, got {g.type}")
        labels = pc.coalesce(g.cast(pa.large_string()), ids_arr)
    threshold = math.floor(Fraction(fraction) * 2**64)
    if threshold == 0:
        return np.zeros(len(ids_arr), dtype=bool)
    return row_keys(labels, seed, "", 0, purpose="eval") < np.uint64(threshold)
