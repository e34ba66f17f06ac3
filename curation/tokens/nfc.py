"""NFC over a column, paying only for the rows NFC may change.

pyarrow's ``utf8_normalize`` rewrites every row it is given (~70 MB/s), yet almost every row a
tokenizer sees is NFC already, including most non-ASCII ones (em dashes, curly quotes, CJK).
Unicode's NFC quick check says a string is NFC when each of its code points is a starter
(canonical combining class 0) with ``NFC_Quick_Check=Yes``. Here that check runs vectorised
over the UTF-8 bytes of the whole column and only the rows it cannot clear are normalised, so
the result equals ``utf8_normalize(arr, "NFC")`` row for row.

The table of code points the check refuses is built from Python's ``unicodedata`` and also
refuses every code point unassigned there (and everything from U+30000 up but private use),
so a character that a newer Unicode version than Python's gives a combining class still goes
through ``utf8_normalize``: the quick check only ever skips rows whose characters are known to
be NFC-stable (Unicode's normalization stability policy).
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.text_buffers import string_buffers

_TABLE_END = 0x30000  # planes 0-2 are tabulated; above, all but private use (U+F0000 on) is refused
_PRIVATE_USE = 0xF0000
_HANGUL_V = (
    0x1161,
    0x1175,
)  # jamo that compose with a preceding syllable part (algorithmic, no decomposition entry)
_HANGUL_T = (0x11A8, 0x11C2)


@functools.cache
def _refused() -> np.ndarray:
    """bool[0x110000]: code points whose presence means a row may not be NFC (built once, ~0.1 s)."""
    table = np.zeros(0x110000, dtype=np.bool_)
    table[_TABLE_END:_PRIVATE_USE] = True
    seconds: set[int] = set()
    for c in range(_TABLE_END):
        ch = chr(c)
        if (
            unicodedata.category(ch) == "Cn"
            or unicodedata.combining(ch)
            or unicodedata.normalize("NFC", ch) != ch
        ):
            table[c] = True  # unassigned here, a non-starter, or NFC_Quick_Check=No
        d = unicodedata.decomposition(ch)
        if d and not d.startswith("<"):
            seconds.update(int(p, 16) for p in d.split()[1:])  # may compose with what precedes it
    table[list(seconds)] = True  # NFC_Quick_Check=Maybe
    table[_HANGUL_V[0] : _HANGUL_V[1] + 1] = True
    table[_HANGUL_T[0] : _HANGUL_T[1] + 1] = True
    return table


def maybe_not_nfc(arr: pa.LargeStringArray) -> np.ndarray:
    """bool[n]: rows the NFC quick check cannot clear (False: NFC leaves the row as it is)."""
    n = len(arr)
    out = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return out
    data, offsets = string_buffers(arr)
    base = int(offsets[0])
    seg = data[base : int(offsets[-1])]
    # Below U+0300 (lead byte 0xCC) every code point is a starter with NFC_Quick_Check=Yes.
    leads = np.flatnonzero(seg >= 0xCC)
    if leads.size == 0:
        return out
    last = seg.size - 1
    b0 = seg[leads].astype(np.int64)
    b1 = seg[np.minimum(leads + 1, last)].astype(np.int64) & 0x3F
    b2 = seg[np.minimum(leads + 2, last)].astype(np.int64) & 0x3F
    b3 = seg[np.minimum(leads + 3, last)].astype(np.int64) & 0x3F
    cp = np.where(
        b0 < 0xE0,
        ((b0 & 0x1F) << 6) | b1,
        np.where(
            b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2, ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3
        ),
    )
    hit = leads[_refused()[np.minimum(cp, 0x10FFFF)]]
    out[np.searchsorted(offsets, hit + base, side="right") - 1] = True
    return out


def nfc(arr: pa.LargeStringArray) -> tuple[pa.LargeStringArray, np.ndarray]:
    """(``utf8_normalize(arr, "NFC")``, bool[n] the rows that were normalised: all others are
    unchanged). Nulls stay null."""
    suspect = maybe_not_nfc(arr)
    if not suspect.any():
        return arr, suspect
    normalized = pc.utf8_normalize(arr.filter(pa.array(suspect)), "NFC")
    return pc.replace_with_mask(arr, pa.array(suspect), normalized), suspect
