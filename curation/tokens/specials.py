"""Special-token *text* inside user content: find it, escape it, split on it.

A tokenizer turns the literal text of a special token ("<|im_end|>", "<think>") into one
control id wherever it appears in the string it is given. In a rendered chat template that
is what the template's own markup needs, but the same text typed by a user (or scraped from
the web) must not become a control token: a row whose content says "<|im_end|>" would end
its turn early in training. Callers either drop such rows (reason `injection:special_token`)
or escape them here.

The escape inserts U+200B ZERO WIDTH SPACE after the first character of every occurrence
("<|im_end|>" -> "<\\u200b|im_end|>"). It is invisible when read, survives NFC (and any
Unicode normalisation), and no tokenizer matches the escaped text as the special token, so
the escaped string tokenises as ordinary text in our counter and in whatever tokenizer the
trainer runs later on the rendered text. It is applied until no occurrence is left (one
pass suffices for Qwen's specials, which never overlap; the loop covers other vocabularies).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import polars as pl
import pyarrow as pa

from curation.text_buffers import TextBatch
from curation.tokens.texts import string_array

ESCAPE = "\u200b"
INJECTION_REASON = "injection:special_token"


def _series(texts: TextBatch) -> pl.Series:
    return pl.Series(values=string_array(texts))


def _patterns(specials: Iterable[str]) -> list[str]:
    """Specials worth guarding, longest first. A one-character added token cannot be escaped
    by insertion and is not control markup (some vocabularies add single characters)."""
    return sorted({s for s in specials if len(s) >= 2}, key=len, reverse=True)


def find_special_text(texts: TextBatch, specials: Iterable[str]) -> np.ndarray:
    """bool[n]: which strings contain the literal text of any of `specials` (nulls: False).
    One Aho-Corasick pass over the column (polars `str.contains_any`)."""
    patterns = _patterns(specials)
    series = _series(texts)
    if not patterns or len(series) == 0:
        return np.zeros(len(series), dtype=bool)
    return series.str.contains_any(patterns).fill_null(False).to_numpy().astype(bool, copy=False)


def escape_special_text(texts: TextBatch, specials: Iterable[str]) -> pa.LargeStringArray:
    """Copy of `texts` (large_string, nulls kept) with ESCAPE inserted after the first
    character of every occurrence of a special token's text (see the module docstring)."""
    patterns = _patterns(specials)
    series = _series(texts)
    if not patterns:
        return series.to_arrow().cast(pa.large_string())
    escaped = [p[0] + ESCAPE + p[1:] for p in patterns]
    # Each pass removes every leftmost match; matches that overlap a replaced one (possible
    # only in vocabularies whose specials overlap themselves) need another pass. Bounded by
    # the longest pattern, since every pass shortens the remaining unescaped runs.
    for _ in range(max(len(p) for p in patterns) + 1):
        hit = series.str.contains_any(patterns).fill_null(False)
        if not hit.any():
            break
        series = series.str.replace_many(patterns, escaped)
    return series.to_arrow().cast(pa.large_string())


def unescape_special_text(texts: TextBatch, specials: Iterable[str]) -> pa.LargeStringArray:
    """Inverse of escape_special_text (exact unless the original already held the escaped form)."""
    patterns = _patterns(specials)
    series = _series(texts)
    if patterns:
        series = series.str.replace_many([p[0] + ESCAPE + p[1:] for p in patterns], patterns)
    return series.to_arrow().cast(pa.large_string())


def special_regex(specials: Iterable[str]) -> re.Pattern[str] | None:
    """A regex matching any special's text, longest first (the leftmost-longest match of
    Hugging Face's added-token splitter); None when there are no specials."""
    patterns = sorted({s for s in specials if s}, key=len, reverse=True)
    return re.compile("|".join(re.escape(p) for p in patterns)) if patterns else None


def split_on_specials(text: str, pattern: re.Pattern[str] | None) -> list[tuple[str, bool]]:
    """[(piece, is_special), ...] covering `text` in order; empty ordinary pieces left out."""
    if pattern is None:
        return [(text, False)] if text else []
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        out.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    return out
