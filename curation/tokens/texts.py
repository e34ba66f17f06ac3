"""Batches of texts for the tokenizers: any list / Arrow / polars column of strings as one
``large_string`` Arrow array, with a clear error for anything else."""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.text_buffers import TextBatch, as_large_string


def _is_string_type(t: pa.DataType) -> bool:
    return (
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_string_view(t)
        or pa.types.is_null(t)
    )


def string_array(texts: TextBatch) -> pa.LargeStringArray:
    """One contiguous ``large_string`` array (nulls kept). Numbers or other types are refused:
    as_large_string would cast them to text, and counting the tokens of "3.0" is never meant."""
    if isinstance(texts, str | bytes):
        raise ValueError("expected a batch of strings (list, Arrow or polars column), got a single string")
    if isinstance(texts, pa.Array | pa.ChunkedArray):
        if not _is_string_type(texts.type):
            raise ValueError(f"expected a column of strings, got Arrow type {texts.type}")
        if pa.types.is_null(texts.type):
            texts = texts.cast(pa.large_string())
    elif isinstance(texts, pl.Series):
        if texts.dtype not in (pl.String, pl.Null):
            raise ValueError(f"expected a column of strings, got polars dtype {texts.dtype}")
        if texts.dtype == pl.Null:
            texts = texts.cast(pl.String)
    else:
        texts = list(texts)
        for t in texts:
            if t is not None and not isinstance(t, str):
                raise ValueError(f"expected strings or None, got {type(t).__name__}: {t!r:.60}")
    return as_large_string(texts)
