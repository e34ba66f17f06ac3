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
   characters (polars ``str.normalize("NFKC")``, ~70 MB/s, the slowest step). The kernel
   sends a document through polars only when it holds a code point whose NFKC could
   change the *tokens* (a table of stable BMP code points decides, see
   ``_nfkc_stable_table``): pure-ASCII, most Latin and most CJK web text never pay for it,
   and the tokens and shingles are exactly those of full NFKC (tested);
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

Shingle hash: :func:`shingle_hash32`: the :func:`token_hash32` hashes of the shingle's
space-separated pieces (its words), folded as a polynomial mod 2**32 and finished with the
MurmurHash3 finalizer (exact definitions in their docstrings). Both are simple enough to
write as numba kernels (:mod:`curation.dedup.shingle_kernel`) and as plain Python
functions for datasketch's ``hashfunc``. Word tokens are hashed once, during the scan, and
a word n-gram costs n multiply-adds plus one finalizer instead of rehashing its bytes n
times. Both shingle kinds use the same function of the shingle bytes.

The numba kernels are compiled with ``cache=True``: ~6 s on the first call after install,
then loaded from the cache (``__pycache__``, or numba's user-wide cache directory when the
package directory is read-only).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curation.dedup import shingle_kernel
from curation.text_buffers import TextBatch, as_large_string, string_buffers

__all__ = [
    "SEPARATOR",
    "SOLO",
    "WORD",
    "Shingler",
    "char_class",
    "normalize",
    "shingle_hash32",
    "token_hash32",
]

WORD = 0
SEPARATOR = shingle_kernel.SEPARATOR_CLASS
SOLO = shingle_kernel.SOLO_CLASS

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


# --------------------------------------------------------------------------- hash

_M64 = (1 << 64) - 1
_FOLD_INIT = 0x9E3779B9
_FOLD_MUL = 0x01000193


def _fmix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & _M64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & _M64
    return h ^ (h >> 33)


def token_hash32(b: bytes) -> int:
    """The 32-bit hash of one token (UTF-8 bytes without spaces).

    ``h = len(b) * 0x9E3779B97F4A7C15``; for each 8-byte little-endian chunk ``c`` of ``b``
    (the last one zero-padded) ``h = (h ^ c) * 0xFF51AFD7ED558CCD``, all mod 2**64; the
    result is the high 32 bits of MurmurHash3's 64-bit finaliser ``fmix64(h)``. One
    multiply per 8 bytes: most words are one chunk, hashed from a single 8-byte load.
    """
    h = (len(b) * 0x9E3779B97F4A7C15) & _M64
    for j in range(0, len(b), 8):
        c = int.from_bytes(b[j : j + 8], "little")
        h = ((h ^ c) * 0xFF51AFD7ED558CCD) & _M64
    return _fmix64(h) >> 32


def shingle_hash32(b: bytes) -> int:
    """The 32-bit hash of one shingle (UTF-8 bytes), an unsigned int in ``[0, 2**32)``.

    Split ``b`` on single spaces into pieces ``p_0 .. p_{m-1}`` (``b.split(b" ")``), hash
    each with :func:`token_hash32`, fold them as a polynomial
    ``h = 0x9E3779B9; h = (h * 0x01000193 + token_hash32(p_j)) mod 2**32`` and return
    ``fmix32(h)`` (the MurmurHash3 finalizer). Tokens never contain a space, so each word is
    hashed once per document and a word n-gram costs n multiply-adds instead of rehashing
    its bytes n times.

    Plain Python, for ``datasketch.MinHash(hashfunc=shingle_hash32)``; the batch path
    computes the identical value in numba (:mod:`curation.dedup.shingle_kernel`).
    """
    if isinstance(b, str):
        b = b.encode("utf-8")
    h = _FOLD_INIT
    for piece in b.split(b" "):
        h = (h * _FOLD_MUL + token_hash32(piece)) & _M32
    return _fmix32(h)


# --------------------------------------------------------------------------- kernel tables


@functools.cache
def _lower_table() -> np.ndarray:
    """``lower[cp]`` for cp < 0x20000: Arrow's ``utf8_lower`` of that one code point (utf8proc's
    simple mapping, always one code point). Higher planes have no case."""
    cps = [cp for cp in range(0x20000) if not 0xD800 <= cp <= 0xDFFF]
    text = "".join(map(chr, cps))
    lowered = pc.utf8_lower(pa.array([text], pa.large_string()))[0].as_py()
    low = np.frombuffer(lowered.encode("utf-32-le"), dtype=np.uint32)
    if low.size != len(cps):
        raise RuntimeError("Arrow's utf8_lower did not map code points one to one")
    table = np.arange(0x20000, dtype=np.uint32)
    table[np.asarray(cps)] = low
    return table


@functools.cache
def _ascii_map(lowercase: bool) -> np.ndarray:
    """Byte -> the byte the kernel writes for it: 0 for an ASCII separator, the (lowercased)
    byte for an ASCII word character; bytes >= 0x80 are decoded, not mapped."""
    table = np.zeros(256, dtype=np.uint8)
    for b in range(128):
        if _BMP_CLASS[b] == WORD:
            table[b] = ord(chr(b).lower()) if lowercase else b
    return table


# --------------------------------------------------------------------------- API

def normalize(texts: TextBatch, *, nfkc: bool = True, lowercase: bool = True) -> pa.LargeStringArray:
    """Steps 1-3 of the module's normalisation (null -> "", NFKC, lowercase), vectorised: the
    reference the kernels are tested against (they lowercase and skip NFKC where it cannot
    change the tokens on their own). Returns one contiguous Arrow ``large_string`` array.
    """
    arr = as_large_string(texts)
    if arr.null_count:
        arr = pc.fill_null(arr, "")
    if nfkc:
        arr = as_large_string(pl.Series(values=arr).str.normalize("NFKC"))
    if lowercase:
        arr = pc.utf8_lower(arr)
    return arr


def _filled(texts: TextBatch) -> pa.LargeStringArray:
    arr = as_large_string(texts)
    return pc.fill_null(arr, "") if arr.null_count else arr


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
        data, offsets = string_buffers(_filled(texts))
        hashes, out_off, flagged = shingle_kernel.batch_hashes(data, offsets, *self._kernel_args(True))
        rows = np.flatnonzero(flagged)
        if rows.size:
            sub_data, sub_offsets = self._nfkc_subset(data, offsets, rows)
            sub, sub_off, _ = shingle_kernel.batch_hashes(sub_data, sub_offsets, *self._kernel_args(False))
            hashes, out_off = shingle_kernel.splice_hashes(hashes, out_off, rows, sub, sub_off)
        return hashes, out_off

    def signatures(self, texts: TextBatch, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """MinHash signatures (datasketch affine32 with permutations ``a``, ``b``) of a batch,
        ``uint32[n_docs, len(a)]``, without materialising its shingle hashes."""
        data, offsets = string_buffers(_filled(texts))
        out = np.empty((offsets.size - 1, a.size), dtype=np.uint32)
        if out.size == 0:
            return out
        flagged = shingle_kernel.batch_signatures(data, offsets, *self._kernel_args(True), a, b, out)
        rows = np.flatnonzero(flagged)
        if rows.size:
            sub_data, sub_offsets = self._nfkc_subset(data, offsets, rows)
            sub = np.empty((rows.size, a.size), dtype=np.uint32)
            shingle_kernel.batch_signatures(sub_data, sub_offsets, *self._kernel_args(False), a, b, sub)
            out[rows] = sub
        return out

    def _kernel_args(self, check: bool) -> tuple:
        lower = _lower_table() if self.lowercase else np.zeros(0, dtype=np.uint32)
        return (
            _ascii_map(self.lowercase),
            lower,
            _BMP_CLASS,
            _nfkc_stable_table(),
            check and self.nfkc,
            self.n,
            self.kind == "char",
        )

    @staticmethod
    def _nfkc_subset(data: np.ndarray, offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The documents `rows` of a batch, NFKC-normalised by polars (the kernel lowercases)."""
        arr = pa.LargeStringArray.from_buffers(
            offsets.size - 1, pa.py_buffer(offsets), pa.py_buffer(data)
        ).take(pa.array(rows))
        return string_buffers(as_large_string(pl.Series(values=arr).str.normalize("NFKC")))

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
