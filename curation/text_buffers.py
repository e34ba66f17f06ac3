"""Text columns as one contiguous Arrow ``large_string`` array and its raw buffers, the form
the numba kernels (shingling, n-gram hashing) read without copying."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pyarrow as pa

TextBatch = pa.Array | pa.ChunkedArray | pl.Series | Sequence[str | None]


def as_large_string(texts: TextBatch) -> pa.LargeStringArray:
    """One contiguous ``large_string`` array (nulls kept) from any batch of texts."""
    if isinstance(texts, pl.Series):
        arr = (texts if texts.dtype == pl.String else texts.cast(pl.String)).to_arrow()
    elif isinstance(texts, pa.Array | pa.ChunkedArray):
        arr = texts
    else:
        arr = pa.array(list(texts), type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], type=pa.large_string())
    if arr.type != pa.large_string():
        if not (pa.types.is_string(arr.type) or pa.types.is_string_view(arr.type)):
            arr = pl.Series(values=arr).cast(pl.String).to_arrow()
        arr = arr.cast(pa.large_string())
    return arr


def string_buffers(arr: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """(data uint8, offsets int64[n + 1]) of a ``large_string`` array, zero-copy; the offsets
    index into data (a slice keeps its parent's data). data is never empty."""
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    if data.size == 0:
        data = np.zeros(1, dtype=np.uint8)
    return data, np.ascontiguousarray(offsets)
