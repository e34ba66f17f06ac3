"""Repetition statistics of chat responses: one numba scan over the batch's UTF-8 bytes.

For ChatQuality's ``chat:repetition`` check (the Gopher repetition measures, Rae et al. 2021,
App. A.1.1), per response:

- lines: the response split on "\\n", each stripped of whitespace, keeping only lines that hold
  a letter or a digit (``[\\p{L}\\p{N}]``: "}", "```", "---" repeat in any code or markdown
  answer); their count and the count of distinct ones (exact byte equality).
- word n-grams: words are the lowercased response's whitespace-separated tokens (``\\S+``);
  every occurrence of a word n-gram after its first marks its n words; the characters of the
  marked words and of all words (the duplicate n-gram character fraction is their ratio).

Character classes (``\\s``, ``[\\p{L}\\p{N}]``) and each character's lowercase are asked of
polars once per process, so the scan agrees with the polars expressions it replaces. Lowercasing
is polars' ``str.to_lowercase``: the kernel lowers character by character from that table (no
lowercased copy of the batch: ~0.8 s of the distill-mix benchmark's 325 MB of responses), except
in the rare rows holding a character whose lowercase is not one context-free character (Σ, İ),
which polars lowers. N-grams are compared by a 64-bit hash of their words' 64-bit hashes.
"""

from __future__ import annotations

from functools import lru_cache

import numba
import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.text_stats import _decode, _item_slot, _mask_for, _mix, _slot, utf8_buffers

CLASS_ALNUM, CLASS_SPACE = 1, 2
MULT = np.uint64(0x9E3779B97F4A7C15)


@lru_cache(maxsize=1)
def _all_chars() -> tuple[np.ndarray, pl.Series]:
    """Every code point but the surrogates (not characters), and each as a one-character string
    (built from the UTF-8 of them all and each one's offset: no Python string per character)."""
    cps = np.arange(0x110000)
    cps = cps[(cps < 0xD800) | (cps > 0xDFFF)]
    utf8 = cps.astype("<u4").tobytes().decode("utf-32-le").encode("utf-8")
    widths = 1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000)
    offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
    strings = pa.LargeStringArray.from_buffers(len(cps), pa.py_buffer(offsets), pa.py_buffer(utf8))
    return cps, pl.Series(strings)


@lru_cache(maxsize=1)
def chat_char_classes() -> np.ndarray:
    """uint8[0x110000]: bit 1 = ``[\\p{L}\\p{N}]``, bit 2 = ``\\s`` (Unicode, Rust regex); ~0.2 s once."""
    cps, chars = _all_chars()
    out = np.zeros(0x110000, dtype=np.uint8)
    for bit, pattern in ((CLASS_ALNUM, r"^[\p{L}\p{N}]$"), (CLASS_SPACE, r"^\s$")):
        out[cps[chars.str.contains(pattern).to_numpy()]] |= bit
    return out


@lru_cache(maxsize=1)
def chat_lowercase() -> tuple[np.ndarray, tuple[str, ...]]:
    """(int32[0x110000]: each character's polars ``str.to_lowercase``, special: the characters
    the table cannot lower). Rust lowers every character on its own except Σ (ς at the end of a
    word), and a few lower to two characters (İ: i + U+0307); those are `special` (-1 in the
    table). Lowering never turns whitespace into non-whitespace or back (tested), so the words
    of the lowered text are the lowered words of the text."""
    cps, chars = _all_chars()
    lowered = chars.str.to_lowercase()
    one = (lowered.str.len_chars() == 1).to_numpy() & (cps != ord("\u03a3"))
    table = np.full(0x110000, -1, dtype=np.int32)
    # the one-character lowercases joined into one string, read back as code points
    joined = lowered.filter(pl.Series(one)).str.join("").item()
    table[cps[one]] = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
    return table, tuple(chr(c) for c in cps[~one].tolist())


@lru_cache(maxsize=1)
def _identity() -> np.ndarray:
    """The lowercase table of text that is lowercase already."""
    return np.arange(0x110000, dtype=np.int32)


def repetition_stats(responses: pl.Series, n: int, skip: np.ndarray | None = None) -> np.ndarray:
    """int64[rows, 4] per response: content lines, distinct content lines, characters of words
    in a repeated word `n`-gram, characters of all words. Rows where `skip` (bool) is set are
    not scanned (all zeros); nulls read as ""."""
    if skip is None:
        skip = np.zeros(len(responses), dtype=np.bool_)
    data, offsets = utf8_buffers(responses)
    table, special = chat_lowercase()
    # the rows the table cannot lower get polars' lowercase, in their own buffer (index at low_row)
    text = responses.fill_null("")
    polars_lowered = np.flatnonzero(text.str.contains_any(list(special)).to_numpy() & ~skip)
    lower, lower_offsets = utf8_buffers(text.gather(polars_lowered).str.to_lowercase())
    low_row = np.full(len(responses), -1, dtype=np.int64)
    low_row[polars_lowered] = np.arange(len(polars_lowered))
    return _repetition_kernel(
        data, offsets, lower, lower_offsets, low_row, chat_char_classes(), table, _identity(), skip, n
    )


@numba.njit(cache=True, inline="always")
def _class_at(data, p, classes):  # pragma: no cover - compiled
    """(character class, byte width) of the UTF-8 character at byte p; ASCII without decoding."""
    b0 = data[p]
    if b0 < 0x80:
        return classes[b0], 1
    cp, w = _decode(data, p)
    return classes[cp], w


@numba.njit(cache=True, inline="always")
def _absorb(h, acc, byte, k):  # pragma: no cover - compiled
    """Add one byte to a hash that takes bytes 8 at a time: `acc` gathers them (k so far), `h`
    mixes in each full 8 (one multiply per 8 bytes, not per byte as FNV-1a)."""
    acc |= np.uint64(byte) << np.uint64(8 * k)
    k += 1
    if k == 8:
        h = (h ^ acc) * np.uint64(0x100000001B3)
        h ^= h >> np.uint64(29)
        acc = np.uint64(0)
        k = 0
    return h, acc, k


@numba.njit(cache=True, inline="always")
def _finish(h, acc, k, length):  # pragma: no cover - compiled
    return _mix((h ^ acc ^ (np.uint64(length) << np.uint64(56))) * np.uint64(0x100000001B3))


@numba.njit(cache=True, inline="always")
def _absorb_char(h, acc, k, cp):  # pragma: no cover - compiled
    """_absorb the UTF-8 bytes of code point cp; also returns their count."""
    if cp < 0x80:
        h, acc, k = _absorb(h, acc, cp, k)
        return h, acc, k, 1
    if cp < 0x800:
        h, acc, k = _absorb(h, acc, 0xC0 | (cp >> 6), k)
        w = 2
    elif cp < 0x10000:
        h, acc, k = _absorb(h, acc, 0xE0 | (cp >> 12), k)
        h, acc, k = _absorb(h, acc, 0x80 | ((cp >> 6) & 0x3F), k)
        w = 3
    else:
        h, acc, k = _absorb(h, acc, 0xF0 | (cp >> 18), k)
        h, acc, k = _absorb(h, acc, 0x80 | ((cp >> 12) & 0x3F), k)
        h, acc, k = _absorb(h, acc, 0x80 | ((cp >> 6) & 0x3F), k)
        w = 4
    h, acc, k = _absorb(h, acc, 0x80 | (cp & 0x3F), k)
    return h, acc, k, w


@numba.njit(cache=True, inline="always")
def _words(data, a, b, classes, lower_of, word_h, word_len):  # pragma: no cover - compiled
    """The words (runs of non-whitespace characters) of the lowercase of data[a:b], lowered
    character by character through `lower_of`: their hashes (of the lowered UTF-8 bytes) and
    lengths (characters) into word_h / word_len; returns (words, characters of all words)."""
    h0 = np.uint64(0xCBF29CE484222325)
    n_words = 0
    total = 0
    p = a
    while p < b:
        c, w = _class_at(data, p, classes)
        if c & CLASS_SPACE:
            p += w
            continue
        n_chars = 0
        n_bytes = 0
        h, acc, k = h0, np.uint64(0), 0
        while p < b:
            b0 = data[p]
            if b0 < 0x80:
                c, w, cp = classes[b0], 1, np.int64(b0)
            else:
                cp, w = _decode(data, p)
                c = classes[cp]
            if c & CLASS_SPACE:
                break
            h, acc, k, lw = _absorb_char(h, acc, k, np.int64(lower_of[cp]))
            n_bytes += lw
            n_chars += 1
            p += w
        word_h[n_words] = _finish(h, acc, k, n_bytes)
        word_len[n_words] = n_chars
        total += n_chars
        n_words += 1
    return n_words, total


@numba.njit(cache=True)
def _repetition_kernel(  # pragma: no cover - compiled
    data, offsets, lower, lower_offsets, low_row, classes, lower_of, identity, skip, n
):
    rows = offsets.shape[0] - 1
    out = np.zeros((rows, 4), dtype=np.int64)
    max_bytes = 1
    for r in range(rows):
        max_bytes = max(max_bytes, offsets[r + 1] - offsets[r])
    for i in range(lower_offsets.shape[0] - 1):
        max_bytes = max(max_bytes, lower_offsets[i + 1] - lower_offsets[i])
    cap = max_bytes + 1  # at most one word (or line) per byte, plus one
    size = 16
    while size < 2 * cap:
        size *= 2
    keys = np.zeros(size, dtype=np.uint64)
    stamps = np.zeros(size, dtype=np.int64)
    rep_a = np.zeros(size, dtype=np.int64)
    rep_b = np.zeros(size, dtype=np.int64)
    stamp = 0
    word_h = np.zeros(cap, dtype=np.uint64)
    word_len = np.zeros(cap, dtype=np.int64)
    h0 = np.uint64(0xCBF29CE484222325)
    zero = np.uint64(0)
    for r in range(rows):
        if skip[r]:
            continue
        # --- lines: split on "\n", strip whitespace, keep lines with a letter or digit. One walk
        # per line: skip leading whitespace, then hash on, remembering the hash at the end of
        # the last non-whitespace character (where the stripped line ends).
        a = offsets[r]
        b = offsets[r + 1]
        n_lines_max = 1
        for p in range(a, b):
            if data[p] == 10:
                n_lines_max += 1
        mask = _mask_for(n_lines_max, size)
        stamp += 1
        p = a
        while True:
            lo = p
            while lo < b and data[lo] != 10:
                c, w = _class_at(data, lo, classes)
                if not c & CLASS_SPACE:
                    break
                lo += w
            e = lo
            hi = lo
            h, acc, k = h0, zero, 0
            hi_h, hi_acc, hi_k = h, acc, k
            content = False
            while e < b and data[e] != 10:
                c, w = _class_at(data, e, classes)
                for q in range(e, e + w):
                    h, acc, k = _absorb(h, acc, data[q], k)
                e += w
                if not c & CLASS_SPACE:
                    hi = e
                    hi_h, hi_acc, hi_k = h, acc, k
                    if c & CLASS_ALNUM:
                        content = True
            if content:
                key = _finish(hi_h, hi_acc, hi_k, hi - lo)
                slot = _item_slot(data, keys, stamps, rep_a, rep_b, stamp, key, lo, hi, mask)
                out[r, 0] += 1
                if stamps[slot] != stamp:
                    out[r, 1] += 1
                    stamps[slot] = stamp
                    keys[slot] = key
                    rep_a[slot] = lo
                    rep_b[slot] = hi
            if e >= b:
                break
            p = e + 1

        # --- words of the lowercased response: runs of non-whitespace characters
        if low_row[r] < 0:
            n_words, n_chars = _words(data, a, b, classes, lower_of, word_h, word_len)
        else:
            i = low_row[r]
            n_words, n_chars = _words(
                lower, lower_offsets[i], lower_offsets[i + 1], classes, identity, word_h, word_len
            )
        out[r, 3] = n_chars

        # --- n-grams: the occurrence of an n-gram at i repeats if it occurred at some j < i;
        # a word is marked when an n-gram starting at i - n + 1 .. i repeats
        if n_words < n:
            continue
        mask = _mask_for(n_words - n + 1, size)
        stamp += 1
        marked_until = 0
        # polynomial rolling hash: g(i) = sum of word_h[i + k] * M^(n - 1 - k) (mod 2^64)
        top = np.uint64(1)
        g = np.uint64(0)
        for k in range(n):
            g = g * MULT + word_h[k]
            if k > 0:
                top = top * MULT
        for i in range(n_words):
            if i + n <= n_words:
                if i > 0:
                    g = (g - word_h[i - 1] * top) * MULT + word_h[i + n - 1]
                slot = _slot(keys, stamps, stamp, g, mask)
                if stamps[slot] == stamp:
                    marked_until = i + n
                else:
                    stamps[slot] = stamp
                    keys[slot] = g
            if i < marked_until:
                out[r, 2] += word_len[i]
    return out
