"""Token counts of many strings with one tiktoken call per ~1 MiB chunk.

tiktoken's own batch API submits one future per string to a thread pool and returns
Python lists of ids; for short rows that overhead rivals the BPE itself. Here the rows of
a chunk are joined, each followed by SEPARATOR, a private special token registered only
in our Encoding. tiktoken splits its input at special tokens before the pre-tokenizer
regex runs, so every row is tokenised exactly as if alone, and the ids come back as one
numpy array: the tokens of row i are the ids between separator i-1 and separator i.
Chunks run on a thread pool; pyarrow's NFC and tiktoken's BPE release the GIL.

Exactness with Hugging Face's order (split on added tokens first, NFC the rest): NFC of a
whole row equals NFC between its special tokens unless NFC changes a row that holds
special-token text before or after normalising (a combining mark after `>`, say). Those
rows, and any row that contains SEPARATOR itself, are counted one by one with encode().
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import tiktoken

from curation.text_buffers import string_buffers
from curation.tokens.nfc import nfc
from curation.tokens.specials import find_special_text

# Control characters around a private name: never produced by NFC, never composed with a
# neighbour (U+0000 is a starter with no compositions), and absent from real text.
SEPARATOR = "\x00\x1f<|curation:row|>\x1f\x00"
CHUNK_BYTES = 1 << 20  # text per tiktoken call: large enough to amortise, small enough to balance threads

_EMPTY = pa.scalar("", pa.large_string())
_SEP = pa.scalar(SEPARATOR, pa.large_string())


def chunk_bounds(arr: pa.LargeStringArray, chunk_bytes: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """[(start, stop), ...] row ranges of about `chunk_bytes` of text each (at least one row)."""
    n = len(arr)
    if n == 0:
        return []
    _, offsets = string_buffers(arr)
    targets = offsets[0] + chunk_bytes * np.arange(1, max(1, (offsets[-1] - offsets[0]) // chunk_bytes) + 1)
    cuts = np.unique(np.clip(np.searchsorted(offsets, targets, side="left"), 1, n))
    edges = [0, *(int(c) for c in cuts if c < n), n]
    return list(zip(edges[:-1], edges[1:], strict=True))


def count_chunk(
    enc: tiktoken.Encoding,
    chunk: pa.LargeStringArray,
    allowed: frozenset[str],
    sep_id: int,
    specials: tuple[str, ...],
    count_one: Callable[[str], int],
) -> np.ndarray:
    """int64[len(chunk)] token counts; `allowed` holds the specials to honour plus SEPARATOR."""
    raw = pc.fill_null(chunk, _EMPTY) if chunk.null_count else chunk
    text, normalized = nfc(raw)  # only rows the NFC quick check cannot clear are rewritten
    slow = pc.match_substring(text, SEPARATOR).to_numpy(zero_copy_only=False)
    honour_specials = len(allowed) > 1
    if honour_specials and normalized.any():
        rows = np.flatnonzero(normalized)
        changed = pc.not_equal(pc.take(raw, pa.array(rows)), pc.take(text, pa.array(rows))).to_numpy(
            zero_copy_only=False
        )
        rows = rows[changed]
        if rows.size:
            subset = pa.array(rows)
            hit = find_special_text(pc.take(raw, subset), specials) | find_special_text(
                pc.take(text, subset), specials
            )
            slow[rows[hit]] = True
    if slow.any():
        text = pc.if_else(pa.array(slow), _EMPTY, text)
    joined = pc.binary_join_element_wise(text, _EMPTY, _SEP)
    data, offsets = string_buffers(joined)
    ids = enc.encode_to_numpy(
        str(memoryview(data)[offsets[0] : offsets[-1]], "utf-8"),
        allowed_special=allowed,
        disallowed_special=(),
    )
    ends = np.flatnonzero(ids == sep_id)
    if len(ends) != len(chunk):  # would mean a row was split or merged: never silently miscount
        raise RuntimeError(
            f"token counting lost row boundaries ({len(ends)} separators for {len(chunk)} rows)"
        )
    counts = np.diff(ends, prepend=-1) - 1
    for i in np.flatnonzero(slow):
        counts[i] = count_one(raw[int(i)].as_py())
    return counts.astype(np.int64, copy=False)


def count_joined(
    enc: tiktoken.Encoding,
    arr: pa.LargeStringArray,
    allowed: frozenset[str],
    sep_id: int,
    specials: tuple[str, ...],
    count_one: Callable[[str], int],
    threads: int,
    chunk_bytes: int = CHUNK_BYTES,
) -> np.ndarray:
    """int64[len(arr)] token counts, chunks spread over `threads` threads (same result for any)."""
    out = np.zeros(len(arr), dtype=np.int64)
    bounds = chunk_bounds(arr, chunk_bytes)

    def work(bound: tuple[int, int]) -> None:
        start, stop = bound
        out[start:stop] = count_chunk(
            enc, arr.slice(start, stop - start), allowed, sep_id, specials, count_one
        )

    if threads == 1 or len(bounds) <= 1:
        for bound in bounds:
            work(bound)
    else:
        with ThreadPoolExecutor(min(threads, len(bounds)), thread_name_prefix="tokens") as pool:
            list(pool.map(work, bounds))
    return out
