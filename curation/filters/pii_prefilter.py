"""Per-type candidate patterns for the PII filter: which strings a type's exact pass must see.

pii_patterns.PREFILTERS picks, in a few cheap scans, the strings any type may touch; this module
narrows that, per type, to the strings where the type's exact pattern can act, so the slow
passes run over a few strings only. Each candidate pattern is a Rust regex (what polars runs)
that matches every string on which its type acts, and is tested on the text that type's pass
reads (after the earlier types' placeholders), so skipping a string it misses changes nothing.

* email, phone, address (polars passes): the exact pattern *relaxed* with
  identity_prefilter.relax (``\\b`` and ``^`` removed). Both run on the same engine, and
  removing a zero-width assertion only widens what a pattern matches. That is the whole gain:
  Rust's lazy DFA gives up on a Unicode ``\\b`` as soon as the text holds a non-ASCII byte and
  the search falls back to the PikeVM, ~20 MB/s; without ``\\b`` the DFA scans at ~300 MB/s
  (measured on the 64 MB web-like document corpus).
* ip_address (Python pass): a necessary condition for a match that ip_candidate accepts, not
  for any IP_RE match (see IP_CANDIDATE), since the pass changes and counts accepted ones only.
* credit_card: pii_patterns.CARD_PREFILTER, already narrow (Luhn is checked in Python, and
  is_card accepts any Unicode digits, so no ASCII-only condition would be sound).

The candidates still pay the exact pattern's Unicode ``\b`` (web documents nearly all hold a
curly quote or an accent). So phone and address also have an *ASCII twin*: the exact pattern with
``(?-u:\b)`` for ``\b``, which the DFA runs ~35x faster. The two ``\b`` differ only next to a
non-ASCII word character, and each ``\b`` of these patterns is evaluated only right after a
known kind of character (an ASCII street suffix; two or four ``\\d``), so a string where no such
character is followed by a non-ASCII word character, or is itself a non-ASCII digit
(ASCII_UNSAFE), gets the same matches, groups and replacements from both; the other strings get
the exact pattern.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from curation.filters.identity_prefilter import relax
from curation.filters.pii_patterns import _SUFFIX, CARD_PREFILTER, REGEX_TYPES

_HEX = "[0-9A-Fa-f]"
# An address ip_candidate accepts was parsed by ipaddress, which takes ASCII digits and hex only:
# * IPv4: four dot-separated runs of 1-3 ASCII digits.
# * IPv6: ip_candidate wants 3+ non-empty ":"-separated pieces, and ipaddress allows one "::" at
#   most, so two of those pieces are joined by a single ":" (hex, or an IPv4 tail's first digit,
#   on its right). Without "::" ipaddress wants all 8 groups (or 6 and an IPv4 tail): six
#   "hex{1,4}:" in a row. With "::", the single-colon pair and the "::" lie in one run of hex
#   digits and colons (an IPv4 tail comes last, after both).
IP_CANDIDATE = (
    r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
    rf"|{_HEX}:[0-9A-Fa-f:]*::|::[0-9A-Fa-f:]*{_HEX}:{_HEX}"
    rf"|(?:{_HEX}{{1,4}}:){{6}}"
)

CANDIDATES = {
    "credit_card": CARD_PREFILTER,
    "ip_address": IP_CANDIDATE,
    **{pii_type: relax(pattern) for pii_type, (pattern, _, _) in REGEX_TYPES.items()},
}


_NON_ASCII_WORD = r"[\w&&[^\x00-\x7F]]"
_NON_ASCII_DIGIT = r"[\d&&[^0-9]]"
# Where each type's \b is evaluated (see pii_patterns): phone's after its body, whose last two
# characters are \d in every branch; address's after " " + a street suffix (ASCII) and after a
# ZIP's \d{5} or -\d{4}. The twin may differ there only if the character before is a non-ASCII
# digit (\w for \b, not for (?-u:\b)) or the character after is a non-ASCII word character.
_AFTER_DIGITS = {
    2: rf"\d{_NON_ASCII_DIGIT}|\d\d{_NON_ASCII_WORD}",
    4: rf"\d{{3}}{_NON_ASCII_DIGIT}|\d{{4}}{_NON_ASCII_WORD}",
}
ASCII_UNSAFE = {
    "phone": _AFTER_DIGITS[2],
    "address": rf" {_SUFFIX}{_NON_ASCII_WORD}|{_AFTER_DIGITS[4]}",
}
ASCII_TWINS = {t: REGEX_TYPES[t][0].replace(r"\b", r"(?-u:\b)") for t in ASCII_UNSAFE}


def candidates(strings: pl.Series, pii_type: str) -> np.ndarray:
    """Indices (int64, ascending) of the strings `pii_type`'s exact pass must read: it leaves every
    other string unchanged, with no match. Null strings are never candidates."""
    if pii_type not in CANDIDATES:
        raise ValueError(f"unknown PII type {pii_type!r}; expected one of {sorted(CANDIDATES)}")
    return np.flatnonzero(strings.str.contains(CANDIDATES[pii_type]).fill_null(False).to_numpy())


def ascii_safe(strings: pl.Series, pii_type: str) -> np.ndarray:
    """bool[len(strings)]: True where ASCII_TWINS[pii_type] gives exactly what the type's own
    pattern gives (always False for a type without a twin)."""
    if pii_type not in ASCII_UNSAFE:
        return np.zeros(len(strings), dtype=bool)
    return ~strings.str.contains(ASCII_UNSAFE[pii_type]).fill_null(True).to_numpy()
