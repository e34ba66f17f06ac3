"""Normalisation, shingling and 32-bit shingle hashing over whole batches of text.

The hot path never runs Python per document: polars (Rust) normalises the whole batch, then
one numba kernel walks the batch's UTF-8 bytes, tokenises, builds shingles and hashes them
into one flat ``uint32`` array with ``int64`` offsets (``n_docs + 1``) per document. A slow
pure-Python twin, :meth:`Shingler.shingles`, yields the same shingles as ``bytes``, so that
``datasketch.MinHash(hashfunc=shingle_hash32)`` fed those shingles gives the same signature as
:class:`curation.dedup.minhash.MinHasher` (tests prove it against datasketch itself).

Normalisation, exactly (in this order):

1. null -> empty string;
2. Unicode NFKC (``nfkc=True``, default): folds full-width forms, ligatures, compatibility
   characters (polars ``str.normalize("NFKC")``, ~70 MB/s, the slowest step). Only
   documents holding a code point whose NFKC could change the *tokens* go through polars (a
   numba scan with a table of stable BMP code points decides, see
   ``_nfkc_stable_table``); the others are left as they are, which for separators with a
   compatibility form (full-width ``，：（）``, ``…``) means :func:`normalize` returns the
   original separator while the tokens and shingles are exactly those of full NFKC
   (tested). Pure-ASCII, most Latin and most CJK web text skip polars;
3. lowercase (``lowercase=True``, default): Arrow's ``utf8_lower`` (utf8proc), the simple
   one-to-one Unicode lowercase mapping of each code point: ``Σ`` is always ``σ`` (no
   final-sigma rule), ``İ`` becomes ``i``. Chosen over polars' full mapping for speed: 1.6
   GB/s vs 0.3 GB/s per core on non-ASCII web text; no dedup-relevant difference;
4. tokenisation of every code point into one of three classes (:func:`char_class`, a
   table built at import from Python's ``unicodedata``, so its Unicode version):

   - *separator*: Unicode categories ``Z*`` (spaces), ``C*`` except unassigned (controls,
     format characters such as zero-width joiners), ``P*`` (punctuation) and ``S*``
     (symbols: ``$ + < = > ^ ` | ~``, currency, arrows, and the emoji/symbol blocks
     U+1F000-U+1FBFF). Separators split words and are dropped (datatrove-like punctuation
     removal and whitespace collapse). Digits are kept as word characters, unchanged.
   - *solo*: scripts written without spaces between words: Han ideographs (all CJK unified
     and compatibility blocks, including the supplementary planes U+20000-U+3FFFF),
     Hiragana, Katakana (and half-width Katakana), Thai, Lao, Khmer, Myanmar. Each such code
     point is a token of its own, so word n-grams over Chinese or Japanese text are
     character n-grams of that script (a space-free CJK document does *not* degrade to one
     whole-text shingle). Hangul is written with spaces and is a word character.
   - *word*: everything else (letters, marks, digits, unassigned code points).

   Words are maximal runs of word characters; the normalised text is the list of tokens
   joined by single ASCII spaces.

Shingles:

- ``kind="word"`` (default, ``n=5``): each window of ``n`` consecutive tokens, joined by one
  space, as UTF-8 bytes (``b"the quick brown fox jumps"``).
- ``kind="char"``: each window of ``n`` consecutive code points of the normalised text
  (tokens joined by single spaces, the spaces included in the windows). In this mode *solo*
  characters are plain word characters (no spaces inserted between CJK characters).
- A document with at least one token but fewer than ``n`` tokens (code points for ``char``)
  has exactly one shingle: its whole normalised text.
- A document with no token at all (null, empty, whitespace-only or punctuation-only) has
  zero shingles; its MinHash signature is all ``0xFFFFFFFF`` (datasketch's empty MinHash).
  The near-dedup stage must treat such documents specially (they are not duplicates of
  each other by MinHash).
- Shingles repeated inside a document are all emitted; MinHash takes minima, so repeats do
  not change the signature.

Shingle hash: :func:`shingle_hash32`: the MurmurHash3 x86_32 (seed 0) hashes of the
shingle's space-separated pieces (its words), folded as a polynomial mod 2**32 and finished
with the MurmurHash3 finalizer (exact definition in its docstring). MurmurHash3
is a standard, well-mixed 32-bit hash (checkable against ``mmh3.hash(b, 0, signed=False)``)
simple enough to write both as a numba kernel and as a plain Python function for
datasketch's ``hashfunc``. Word tokens are hashed once, during the tokenising scan, and a
word n-gram costs n multiply-adds plus one finalizer instead of rehashing its bytes n times
(measured on a 300-word document: ~2 us for all shingles vs ~14 us). Both shingle kinds use
the same function of the shingle bytes.

The numba kernels are compiled with ``cache=True``: ~6 s on the first call after install,
then loaded from the cache (``__pycache__``, or numba's user-wide cache directory when the
package directory is read-only).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "SEPARATOR",
    "SOLO",
    "WORD",
    "Shingler",
    "char_class",
    "murmur3_32",
    "normalize",
    "shingle_hash32",
]

WORD = 0
SEPARATOR = 1
SOLO = 2

_M32 = 0xFFFFFFFF

# Code point ranges of scripts written without spaces: one token per code point.
_SOLO_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
)


def _build_bmp_table() -> np.ndarray:
    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        cat = unicodedata.category(chr(cp))
        if cat[0] in "ZPS" or (cat[0] == "C" and cat != "Cn"):
            table[cp] = SEPARATOR
    for lo, hi in _SOLO_RANGES:
        seg = table[lo : hi + 1]
        # Separators inside those blocks (Thai punctuation, CJK symbols) stay separators.
        seg[seg == WORD] = SOLO
    return table


_BMP_CLASS = _build_bmp_table()


def char_class(cp: int) -> int:
    """The tokeniser class of code point ``cp``: :data:`WORD`, :data:`SEPARATOR` or :data:`SOLO`."""
    if cp < 0x10000:
        return int(_BMP_CLASS[cp])
    if 0x20000 <= cp <= 0x3FFFF:
        return SOLO
    if 0x1F000 <= cp <= 0x1FBFF or 0xE0000 <= cp <= 0xE007F:
        return SEPARATOR
    return WORD


@functools.cache
def _nfkc_stable_table() -> np.ndarray:
    """``stable[cp]`` (BMP) is 1 when NFKC cannot change the tokens of a text made of stable
    code points.

    A code point is stable when its canonical combining class is 0, it can never compose
    with a preceding character (it is not a non-first element of any canonical
    decomposition, nor a Hangul medial/final jamo), and either NFKC leaves it unchanged or
    it is a separator whose NFKC is made only of such separators (``，`` -> ``,``, ``…`` ->
    ``...``: the text differs, the tokens do not). Built lazily (~0.1 s). Code points
    outside the BMP count as unstable (those documents take the full path).
    """
    second = set()
    for cp in range(0x10000):
        dec = unicodedata.decomposition(chr(cp))
        if dec and not dec.startswith("<"):
            for part in dec.split()[1:]:
                second.add(int(part, 16))
    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF or cp in second or 0x1160 <= cp <= 0x11FF:
            continue
        ch = chr(cp)
        if unicodedata.combining(ch) != 0:
            continue
        nf = unicodedata.normalize("NFKC", ch)
        if nf == ch or (
            # A separator whose NFKC is made only of inert separators (full-width
            # punctuation, the ellipsis...): NFKC would change the text, not the tokens.
            _BMP_CLASS[cp] == SEPARATOR
            and all(
                ord(x) < 0x10000
                and _BMP_CLASS[ord(x)] == SEPARATOR
                and unicodedata.combining(x) == 0
                and ord(x) not in second
                for x in nf
            )
        ):
            table[cp] = 1
    return table


@numba.njit(cache=True)
def _needs_nfkc(data, offsets, stable):
    n_docs = offsets.size - 1
    need = np.zeros(n_docs, dtype=np.bool_)
    for i in range(n_docs):
        pos = offsets[i]
        end = offsets[i + 1]
        # Vectorised OR over the document (0-based loop over a slice, so that numba can
        # prove the indices non-negative): pure-ASCII documents exit here.
        seg = data[pos:end]
        acc = np.uint8(0)
        for p in range(seg.size):
            acc = acc | seg[p]
        if acc < 0x80:
            continue
        while pos < end:
            if data[pos] < 0x80:
                pos += 1
                continue
            cp, step = _code_point(data, pos, end)
            if cp >= 0x10000 or stable[cp] == 0:
                need[i] = True
                break
            pos += step
    return need


# --------------------------------------------------------------------------- hash


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def murmur3_32(b: bytes, seed: int = 0) -> int:
    """MurmurHash3 x86_32 of ``b`` (equals ``mmh3.hash(b, seed, signed=False)``)."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & _M32
    length = len(b)
    nblocks = length // 4
    for i in range(nblocks):
        k = int.from_bytes(b[4 * i : 4 * i + 4], "little")
        k = (k * c1) & _M32
        k = _rotl32(k, 15)
        k = (k * c2) & _M32
        h ^= k
        h = _rotl32(h, 13)
        h = (h * 5 + 0xE6546B64) & _M32
    tail = b[4 * nblocks :]
    if tail:
        k = int.from_bytes(tail, "little")
        k = (k * c1) & _M32
        k = _rotl32(k, 15)
        k = (k * c2) & _M32
        h ^= k
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    h ^= h >> 16
    return h


_FOLD_INIT = 0x9E3779B9
_FOLD_MUL = 0x01000193


def _fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def shingle_hash32(b: bytes) -> int:
    """The 32-bit hash of one shingle (UTF-8 bytes), an unsigned int in ``[0, 2**32)``.

    Split ``b`` on single spaces into pieces ``p_0 .. p_{m-1}`` (``b.split(b" ")``), hash each
    with MurmurHash3 x86_32 (seed 0), fold them as a polynomial
    ``h = 0x9E3779B9; h = (h * 0x01000193 + murmur3_32(p_j)) mod 2**32`` and return
    ``fmix32(h)`` (the MurmurHash3 finalizer). Tokens never contain a space, so each word is
    hashed once per document and a word n-gram costs n multiply-adds instead of rehashing
    its bytes n times.

    Plain Python, for ``datasketch.MinHash(hashfunc=shingle_hash32)``; the batch path
    computes the identical value in numba.
    """
    if isinstance(b, str):
        b = b.encode("utf-8")
    h = _FOLD_INIT
    for piece in b.split(b" "):
        h = (h * _FOLD_MUL + murmur3_32(piece)) & _M32
    return _fmix32(h)


@numba.njit(cache=True, inline="always")
def _murmur3_32(buf, start, end):
    # int64 arithmetic masked to 32 bits: wraparound keeps the low bits exact.
    m = 0xFFFFFFFF
    h = 0
    length = end - start
    nblocks = length >> 2
    p = start
    for _ in range(nblocks):
        k = (
            np.int64(buf[p])
            | (np.int64(buf[p + 1]) << 8)
            | (np.int64(buf[p + 2]) << 16)
            | (np.int64(buf[p + 3]) << 24)
        )
        k = (k * 0xCC9E2D51) & m
        k = ((k << 15) | (k >> 17)) & m
        k = (k * 0x1B873593) & m
        h ^= k
        h = ((h << 13) | (h >> 19)) & m
        h = (h * 5 + 0xE6546B64) & m
        p += 4
    rem = length & 3
    if rem:
        k = np.int64(0)
        if rem == 3:
            k ^= np.int64(buf[p + 2]) << 16
        if rem >= 2:
            k ^= np.int64(buf[p + 1]) << 8
        k ^= np.int64(buf[p])
        k = (k * 0xCC9E2D51) & m
        k = ((k << 15) | (k >> 17)) & m
        k = (k * 0x1B873593) & m
        h ^= k
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & m
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & m
    h ^= h >> 16
    return h


@numba.njit(cache=True, inline="always")
def _fmix32_nb(h):
    m = 0xFFFFFFFF
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & m
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & m
    return h ^ (h >> 16)


@numba.njit(cache=True, inline="always")
def _fold_tokens(th, lo, hi):
    h = np.int64(0x9E3779B9)
    for t in range(lo, hi):
        h = (h * 0x01000193 + th[t]) & 0xFFFFFFFF
    return _fmix32_nb(h)


@numba.njit(cache=True)
def _hash_window(buf, s, e):
    # shingle_hash32 of buf[s:e]: fold over the murmur3 hashes of its space-split pieces.
    h = np.int64(0x9E3779B9)
    p = s
    for q in range(s, e + 1):
        if q == e or buf[q] == 32:
            h = (h * 0x01000193 + _murmur3_32(buf, p, q)) & 0xFFFFFFFF
            p = q + 1
    return _fmix32_nb(h)


# --------------------------------------------------------------------------- kernel


@numba.njit(cache=True)
def _code_point(data, pos, end):
    b0 = np.int64(data[pos])
    if b0 < 0x80:
        return b0, 1
    if b0 >= 0xF0 and pos + 3 < end:
        return ((b0 & 0x07) << 18) | ((np.int64(data[pos + 1]) & 0x3F) << 12) | (
            (np.int64(data[pos + 2]) & 0x3F) << 6
        ) | (np.int64(data[pos + 3]) & 0x3F), 4
    if b0 >= 0xE0 and pos + 2 < end:
        return ((b0 & 0x0F) << 12) | ((np.int64(data[pos + 1]) & 0x3F) << 6) | (
            np.int64(data[pos + 2]) & 0x3F
        ), 3
    if b0 >= 0xC0 and pos + 1 < end:
        return ((b0 & 0x1F) << 6) | (np.int64(data[pos + 1]) & 0x3F), 2
    return np.int64(0xFFFD), 1  # stray byte (cannot happen in valid UTF-8)


@numba.njit(cache=True)
def _class_of(cp, table):
    if cp < 0x10000:
        return table[cp]
    if 0x20000 <= cp <= 0x3FFFF:
        return 2
    if (0x1F000 <= cp <= 0x1FBFF) or (0xE0000 <= cp <= 0xE007F):
        return 1
    return 0


@numba.njit(cache=True)
def _word_tokens(data, pos, end, table, tok_start, tok_end, tok_hash):
    # Word-mode tokens of data[pos:end], in source coordinates (a token is always a
    # contiguous run of the source bytes), and their MurmurHash3 values. Returns the count.
    m = 0xFFFFFFFF
    ntok = 0
    while pos < end:
        b0 = data[pos]
        if b0 < 0x80:
            if table[b0] != 0:
                pos += 1
                continue
            # ASCII word: scan it and compute MurmurHash3 on the fly (one pass).
            start = pos
            h = np.int64(0)
            k = np.int64(0)
            shift = 0
            b1 = b0
            while True:
                k |= np.int64(b1) << shift
                shift += 8
                if shift == 32:
                    k = (k * 0xCC9E2D51) & m
                    k = ((k << 15) | (k >> 17)) & m
                    k = (k * 0x1B873593) & m
                    h ^= k
                    h = ((h << 13) | (h >> 19)) & m
                    h = (h * 5 + 0xE6546B64) & m
                    k = np.int64(0)
                    shift = 0
                pos += 1
                if pos >= end:
                    break
                b1 = data[pos]
                if b1 >= 0x80 or table[b1] != 0:
                    break
            tok_start[ntok] = start
            if pos < end and data[pos] >= 0x80:
                # The word may continue with non-ASCII word characters: hash it whole.
                while pos < end:
                    cp, step = _code_point(data, pos, end)
                    if _class_of(cp, table) != 0:
                        break
                    pos += step
                tok_hash[ntok] = _murmur3_32(data, start, pos)
            else:
                if shift:
                    k = (k * 0xCC9E2D51) & m
                    k = ((k << 15) | (k >> 17)) & m
                    k = (k * 0x1B873593) & m
                    h ^= k
                h ^= pos - start
                tok_hash[ntok] = _fmix32_nb(h)
            tok_end[ntok] = pos
            ntok += 1
            continue
        cp, step = _code_point(data, pos, end)
        c = _class_of(cp, table)
        if c == 1:
            pos += step
            continue
        start = pos
        pos += step
        if c == 0:
            while pos < end:
                cp, step = _code_point(data, pos, end)
                if _class_of(cp, table) != 0:
                    break
                pos += step
        tok_start[ntok] = start
        tok_end[ntok] = pos
        tok_hash[ntok] = _murmur3_32(data, start, pos)
        ntok += 1
    return ntok


@numba.njit(cache=True)
def _char_text(data, pos, end, table, buf):
    # Char mode's normalised text of data[pos:end] into buf: runs of word characters (solo
    # characters count as word characters) joined by single spaces. Returns its length.
    blen = 0
    in_word = False
    while pos < end:
        b0 = data[pos]
        if b0 < 0x80:
            c = np.int64(table[b0])
            step = 1
        else:
            cp, step = _code_point(data, pos, end)
            c = np.int64(_class_of(cp, table))
        if c == 1:
            in_word = False
        else:
            if not in_word and blen > 0:
                buf[blen] = 32
                blen += 1
            in_word = True
            for q in range(step):
                buf[blen + q] = data[pos + q]
            blen += step
        pos += step
    return blen


@numba.njit(cache=True)
def _reserve(out, w, count):
    if w + count <= out.size:
        return out
    grown = np.empty(max(2 * out.size, w + count + 16), dtype=np.uint32)
    grown[:w] = out[:w]
    return grown


@numba.njit(cache=True)
def _next_cp(buf, p, blen):
    p += 1
    while p < blen and (buf[p] & 0xC0) == 0x80:
        p += 1
    return p


@numba.njit(cache=True)
def _shingle_kernel(data, offsets, table, n, char_mode):
    n_docs = offsets.size - 1
    max_len = 0
    for i in range(n_docs):
        d = offsets[i + 1] - offsets[i]
        if d > max_len:
            max_len = d
    buf = np.empty(2 * max_len + 4, dtype=np.uint8)
    tok_start = np.empty(max_len + 2, dtype=np.int64)
    tok_end = np.empty(max_len + 2, dtype=np.int64)
    tok_hash = np.empty(max_len + 2, dtype=np.int64)
    out = np.empty((offsets[n_docs] - offsets[0]) // 5 + n_docs + 16, dtype=np.uint32)
    out_off = np.empty(n_docs + 1, dtype=np.int64)
    w = 0
    out_off[0] = 0
    for i in range(n_docs):
        if not char_mode:
            ntok = _word_tokens(data, offsets[i], offsets[i + 1], table, tok_start, tok_end, tok_hash)
            count = 0 if ntok == 0 else (1 if ntok < n else ntok - n + 1)
            out = _reserve(out, w, count)
            if 0 < ntok < n:
                out[w] = _fold_tokens(tok_hash, 0, ntok)
                w += 1
            else:
                for t in range(count):
                    out[w] = _fold_tokens(tok_hash, t, t + n)
                    w += 1
        else:
            blen = _char_text(data, offsets[i], offsets[i + 1], table, buf)
            ncp = 0
            for p in range(blen):
                if (buf[p] & 0xC0) != 0x80:
                    ncp += 1
            count = 0 if ncp == 0 else (1 if ncp < n else ncp - n + 1)
            out = _reserve(out, w, count)
            if 0 < ncp < n:
                out[w] = _hash_window(buf, 0, blen)
                w += 1
            elif count:
                # Sliding window of n code points buf[s:e].
                s = 0
                e = 0
                for _ in range(n):
                    e = _next_cp(buf, e, blen)
                for _ in range(count):
                    out[w] = _hash_window(buf, s, e)
                    w += 1
                    s = _next_cp(buf, s, blen)
                    if e < blen:
                        e = _next_cp(buf, e, blen)
        out_off[i + 1] = w
    return out[:w].copy(), out_off


# --------------------------------------------------------------------------- API

TextBatch = pa.Array | pa.ChunkedArray | pl.Series | Sequence[str | None]


def normalize(texts: TextBatch, *, nfkc: bool = True, lowercase: bool = True) -> pa.LargeStringArray:
    """Steps 1-3 of the module's normalisation (null -> "", NFKC, lowercase), vectorised.

    With ``nfkc=True``, separators whose compatibility form is also made of separators may
    be returned un-normalised (their tokens are the same either way).

    Returns one contiguous Arrow ``large_string`` array (no nulls).
    """
    arr = _to_large_string(texts)
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    if nfkc:
        # Only documents holding a code point whose NFKC could change the tokens go through
        # polars' NFKC, the slowest step (see the module docstring).
        data, offsets = _arrow_buffers(arr)
        idx = np.flatnonzero(_needs_nfkc(data, offsets, _nfkc_stable_table()))
        if idx.size:
            s = pl.Series(values=arr)
            if idx.size == len(s):
                s = s.str.normalize("NFKC")
            else:
                s = s.scatter(idx, s.gather(idx).str.normalize("NFKC"))
            arr = _to_large_string(s)
    if lowercase:
        arr = pc.utf8_lower(arr)
    return arr


def _to_large_string(texts: TextBatch) -> pa.LargeStringArray:
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


def _arrow_buffers(arr: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    n = len(arr)
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    if data.size == 0:
        data = np.zeros(1, dtype=np.uint8)
    return data, np.ascontiguousarray(offsets)


@dataclass(frozen=True)
class Shingler:
    """Normalise, shingle and hash text (see the module docstring for the exact rules).

    ``n``: shingle size in tokens (``kind="word"``, default 5) or code points
    (``kind="char"``). ``nfkc`` / ``lowercase``: normalisation steps 2 and 3.
    """

    n: int = 5
    kind: Literal["word", "char"] = "word"
    nfkc: bool = True
    lowercase: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.n, int) or isinstance(self.n, bool) or self.n < 1:
            raise ValueError(f"n must be a positive int, got {self.n!r}")
        if self.kind not in ("word", "char"):
            raise ValueError(f"kind must be 'word' or 'char', got {self.kind!r}")

    def hashes(self, texts: TextBatch) -> tuple[np.ndarray, np.ndarray]:
        """Shingle hashes of a batch: ``(hashes uint32[m], offsets int64[n_docs + 1])``.

        Document ``i``'s hashes are ``hashes[offsets[i]:offsets[i + 1]]``, in shingle order.
        """
        arr = normalize(texts, nfkc=self.nfkc, lowercase=self.lowercase)
        data, offsets = _arrow_buffers(arr)
        return _shingle_kernel(data, offsets, _BMP_CLASS, self.n, self.kind == "char")

    def tokens(self, text: str | None) -> list[str]:
        """Tokens of one document (pure Python reference; slow)."""
        norm = normalize([text], nfkc=self.nfkc, lowercase=self.lowercase)[0].as_py()
        char_mode = self.kind == "char"
        tokens: list[str] = []
        cur: list[str] = []
        for ch in norm:
            c = char_class(ord(ch))
            if c == SOLO and char_mode:
                c = WORD
            if c == SEPARATOR:
                if cur:
                    tokens.append("".join(cur))
                    cur = []
            elif c == SOLO:
                if cur:
                    tokens.append("".join(cur))
                    cur = []
                tokens.append(ch)
            else:
                cur.append(ch)
        if cur:
            tokens.append("".join(cur))
        return tokens

    def shingles(self, text: str | None) -> list[bytes]:
        """Shingles of one document as UTF-8 bytes (pure Python reference; slow).

        ``[shingle_hash32(s) for s in shingler.shingles(t)]`` equals
        ``shingler.hashes([t])[0]``; feed these to ``datasketch.MinHash.update_batch``.
        """
        toks = self.tokens(text)
        n = self.n
        if self.kind == "char":
            norm = " ".join(toks)
            if not norm:
                return []
            if len(norm) < n:
                return [norm.encode("utf-8")]
            return [norm[i : i + n].encode("utf-8") for i in range(len(norm) - n + 1)]
        if not toks:
            return []
        if len(toks) < n:
            return [" ".join(toks).encode("utf-8")]
        return [" ".join(toks[i : i + n]).encode("utf-8") for i in range(len(toks) - n + 1)]
