"""Transparent decompression: `.gz` and `.zst` files read as the bytes they hold.

pyarrow's native compressed streams do the work in C++ (and handle multi-member gzip
and multi-frame zstd), so decompression never goes through Python per chunk.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa

# Extension -> pyarrow codec name. `.zstd` is a common misspelling of `.zst`.
CODECS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}

# Bytes copied per read when a compressed file must be spilled to disk.
_COPY_BYTES = 16 << 20


def split_codec(name: str) -> tuple[str, str | None]:
    """(`data.jsonl`, `gzip`) for `data.jsonl.gz`; (name, None) when not compressed."""
    lower = name.lower()
    for ext, codec in CODECS.items():
        if lower.endswith(ext):
            return name[: -len(ext)], codec
    return name, None


def open_stream(path: str | Path, codec: str | None) -> pa.NativeFile:
    """A forward-only binary stream of the file's (decompressed) bytes."""
    return pa.input_stream(str(path), compression=codec)


@contextmanager
def seekable_path(path: str | Path, codec: str | None) -> Iterator[str]:
    """A path to the file's decompressed bytes on disk, for formats that need random access.

    Parquet and the Arrow IPC *file* format seek to their footer, so a compressed one is
    decompressed to a temporary file (bounded by disk, not memory) and removed afterwards.
    """
    if codec is None:
        yield str(path)
        return
    with tempfile.NamedTemporaryFile(prefix="curation-", suffix=Path(path).stem) as tmp:
        with open_stream(path, codec) as src:
            shutil.copyfileobj(src, tmp, _COPY_BYTES)
        tmp.flush()
        yield tmp.name
