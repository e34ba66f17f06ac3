"""The characters that can make a string change under NFC (or NFKC); a string without any of
them is already normalised, so the dedup keys skip the normaliser for it.

polars' `str.normalize` runs at ~40 MB/s a core, and a third of the fields of an instruction
corpus hold some non-ASCII character (a dash, a curly quote), which made NFC the largest part
of computing the exact and near dedup keys. Almost none of those characters can change: a
string changes under normalisation only through a character that

- is not its own normal form (a singleton like U+212B ANGSTROM SIGN, an excluded composite);
- has a non-zero canonical combining class (it may be reordered or composed);
- can be the second character of a canonical composition ("Maybe" in NFC_Quick_Check: Indic
  vowel signs, Hangul jamo), so it may compose with the character before it;
- is unassigned in this Python's Unicode data (a later version, which the Rust normaliser may
  know, could give it a decomposition);
- lies at U+30000 or above (rare in text; taken whole instead of checked one by one, to keep
  building the class quick).

Every other character has a normal form equal to itself whose decomposition starts with a
starter no earlier character composes with, so a string made only of such characters is its own
normal form (the decomposition data of assigned characters never changes: Unicode's
normalisation stability policy). tests/test_dedup_keys.py checks this against unicodedata on
random strings of every script.
"""

from __future__ import annotations

import functools
import unicodedata

FORMS = ("NFC", "NFKC")
_CHECKED_BELOW = 0x30000  # code points from here on are all taken as changing
_HANGUL_JAMO = (0x1100, 0x11FF)  # composed algorithmically: decomposition() does not list them


@functools.cache
def changing_class(form: str) -> str:
    """A Rust regex character class of the characters that may change a string under `form`."""
    return "[" + "".join(_range(lo, hi) for lo, hi in changing_ranges(form)) + "]"


@functools.cache
def changing_ranges(form: str) -> tuple[tuple[int, int], ...]:
    """changing_class as (first, last) code point ranges."""
    if form not in FORMS:
        raise ValueError(f"form must be one of {FORMS}, got {form!r}")
    changing = set(range(_HANGUL_JAMO[0], _HANGUL_JAMO[1] + 1))
    for code in range(0x80, _CHECKED_BELOW):
        if 0xD800 <= code <= 0xDFFF:  # surrogates: never in a valid string
            continue
        ch = chr(code)
        if (
            unicodedata.category(ch) == "Cn"
            or unicodedata.combining(ch)
            or unicodedata.normalize(form, ch) != ch
        ):
            changing.add(code)
        mapping = unicodedata.decomposition(ch)
        if mapping and not mapping.startswith("<"):  # canonical: its second character is "Maybe"
            parts = mapping.split()
            if len(parts) == 2:
                changing.add(int(parts[1], 16))
    ranges: list[list[int]] = []
    for code in sorted(changing):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    ranges.append([_CHECKED_BELOW, 0x10FFFF])
    return tuple((lo, hi) for lo, hi in ranges)


def _range(lo: int, hi: int) -> str:
    return f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}"
