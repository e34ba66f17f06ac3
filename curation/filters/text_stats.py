"""Per-document statistics shared by the Gopher, C4 and FineWeb quality filters.

Everything here works on a whole batch at once: polars string expressions for counts and
ratios, one `explode` + `group_by` for line / paragraph duplicates, and a numba kernel over
hashed tokens for the n-gram repetition measures (the one place that is a sequential scan
per document). The filters only combine these columns with their thresholds.

Tokenisation stands in for nltk's ``word_tokenize`` (what datatrove uses) with one regex:
a *word* is a run of word characters, optionally joined by an apostrophe or hyphen
("don't", "well-known"); a *token* is a word or a run of punctuation. nltk splits
contractions differently ("do" + "n't"), so counts can differ by a few per document; the
published thresholds are coarse enough that this does not change which documents pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numba
import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts

DOCUMENT_KIND = "text"  # curation.record.KINDS: document rows are kind "text"
WORD_RE = r"\w+(?:['’\-]\w+)*"
TOKEN_RE = WORD_RE + r"|[^\w\s]+"
# Paragraphs: runs of non-empty lines, i.e. what re.split(r"\n{2,}", text.strip()) gives.
PARAGRAPH_RE = r"[^\n]+(?:\n[^\n]+)*"
# Lines as re.split(r"\n+", text) gives them (empty lines are not lines; datatrove's
# GopherRepetitionFilter splits on "\n+" so blank-line spacing is not counted as repetition).
NONEMPTY_LINE_RE = r"[^\n]+"


# ----------------------------------------------------------------------------- parameters


def check_fraction(name: str, value: float | None, allow_none: bool = True) -> None:
    """A ratio threshold must lie in [0, 1] (None disables the rule where allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")


def check_count(name: str, value: int | None, minimum: int = 0, allow_none: bool = True) -> None:
    """A count threshold must be an int >= minimum (None disables the rule where allowed)."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def check_positive(name: str, value: float | None, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def check_ngram_thresholds(name: str, pairs: Sequence[tuple[int, float]]) -> None:
    """(n, max fraction) pairs with n >= 1, distinct, fractions in [0, 1]."""
    seen: set[int] = set()
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError(f"{name} must hold (n, fraction) pairs, got {pair!r}")
        n, frac = pair
        check_count(f"{name} n", n, minimum=1, allow_none=False)
        check_fraction(f"{name} fraction for n={n}", frac, allow_none=False)
        if n in seen:
            raise ValueError(f"{name} lists n={n} twice")
        seen.add(n)


# ----------------------------------------------------------------------------- batch plumbing


@dataclass(frozen=True)
class Documents:
    """The document rows of a batch: their positions in the batch and their texts."""

    positions: np.ndarray  # int64 row positions in the batch
    texts: pl.Series  # String, nulls read as ""
    n_rows: int  # rows in the whole batch


def documents(table: pa.Table) -> Documents:
    frame = pl.from_arrow(table.select(["kind", "text"]))
    assert isinstance(frame, pl.DataFrame)
    is_doc = (frame["kind"] == DOCUMENT_KIND).fill_null(False)
    positions = np.flatnonzero(is_doc.to_numpy()).astype(np.int64)
    texts = frame["text"].filter(is_doc).fill_null("")
    return Documents(positions, texts, table.num_rows)


def scatter_verdicts(docs: Documents, reason: pl.Series, detail: pl.Series) -> Verdicts:
    """Place per-document reason/detail back at batch positions; other rows are kept."""
    full_reason = np.full(docs.n_rows, None, dtype=object)
    full_detail = np.full(docs.n_rows, None, dtype=object)
    full_reason[docs.positions] = reason.to_numpy()
    full_detail[docs.positions] = detail.to_numpy()
    return Verdicts(pa.array(full_reason, pa.string()), pa.array(full_detail, pa.string()))


@dataclass(frozen=True)
class Rule:
    """One threshold test: `failed` is a boolean expression over the stats frame and
    `detail` a string expression naming the measured value and the threshold."""

    code: str
    failed: pl.Expr
    detail: pl.Expr


def first_failing(stats: pl.DataFrame, family: str, rules: Sequence[Rule]) -> tuple[pl.Series, pl.Series]:
    """(reason, detail) per row: the first rule (in order) the row fails, null if none.

    Order matters only for which reason is reported; it follows the reference filters.
    """
    if not rules:
        nulls = pl.Series([None] * stats.height, dtype=pl.String)
        return nulls, nulls
    reason: pl.Expr | pl.When | pl.Then = pl
    detail: pl.Expr | pl.When | pl.Then = pl
    for rule in rules:
        failed = rule.failed.fill_null(False)
        reason = reason.when(failed).then(pl.lit(f"{family}:{rule.code}"))  # type: ignore[union-attr]
        detail = detail.when(failed).then(rule.detail)  # type: ignore[union-attr]
    out = stats.select(
        reason.otherwise(pl.lit(None, pl.String)).alias("reason"),  # type: ignore[union-attr]
        detail.otherwise(pl.lit(None, pl.String)).alias("detail"),  # type: ignore[union-attr]
    )
    return out["reason"], out["detail"]


def show(expr: pl.Expr, digits: int = 3) -> pl.Expr:
    """A float column as short text for details (0.4213 -> "0.421")."""
    return expr.round(digits).cast(pl.String)


# ----------------------------------------------------------------------------- statistics


def escape_literal(literal: str) -> str:
    """Escape ASCII punctuation for polars' (Rust) regex, which rejects other escapes."""
    return "".join(f"\\{ch}" if ch.isascii() and not ch.isalnum() and not ch.isspace() else ch for ch in literal)


def items_frame(texts: pl.Series, pattern: str) -> pl.DataFrame:
    """One row per regex match (line, paragraph, token) with its document index `doc`."""
    return (
        pl.DataFrame({"item": texts.str.extract_all(pattern)}).with_row_index("doc").explode("item").drop_nulls("item")
    )


def duplicate_stats(items: pl.DataFrame, n_docs: int, prefix: str) -> pl.DataFrame:
    """Per document: number of items, duplicated items, and chars in duplicated items.

    As datatrove's ``find_duplicates``: every occurrence after the first of an identical
    item is a duplicate, and contributes its length in characters.
    """
    per_item = items.group_by("doc", "item").agg(pl.len().alias("count"))
    per_doc = per_item.group_by("doc").agg(
        pl.col("count").sum().alias(f"{prefix}_n"),
        (pl.col("count") - 1).sum().alias(f"{prefix}_dup"),
        ((pl.col("count") - 1) * pl.col("item").str.len_chars()).sum().alias(f"{prefix}_dup_chars"),
    )
    base = pl.DataFrame({"doc": pl.arange(0, n_docs, eager=True, dtype=pl.UInt32)})
    return base.join(per_doc, on="doc", how="left").fill_null(0).sort("doc").drop("doc")


def word_stats(texts: pl.Series, stop_words: Sequence[str]) -> pl.DataFrame:
    """Per document: n_words, word_chars, alpha_words, stop_words (occurrences)."""
    words = texts.str.extract_all(WORD_RE)
    frame = pl.DataFrame({"words": words})
    return frame.select(
        pl.col("words").list.len().alias("n_words"),
        pl.col("words").list.eval(pl.element().str.len_chars()).list.sum().alias("word_chars"),
        pl.col("words").list.eval(pl.element().str.contains(r"[^\W\d_]")).list.sum().alias("alpha_words"),
        pl.col("words").list.eval(pl.element().is_in(list(stop_words))).list.sum().alias("stop_words"),
    )


def line_count(text: pl.Expr) -> pl.Expr:
    """len(text.splitlines()) for \\n-separated text: a trailing newline adds no line."""
    n_newlines = text.str.count_matches("\n", literal=True)
    trailing = text.str.ends_with("\n").cast(pl.UInt32)
    empty = (text.str.len_bytes() == 0).cast(pl.UInt32)
    return (n_newlines + 1 - trailing - empty).cast(pl.Int64)


# ----------------------------------------------------------------------------- n-gram kernel


@numba.njit(cache=True)
def _table_slot(keys, stamps, stamp, key, mask):
    """Open addressing: slot of `key` in this generation (`stamp`), or the free slot for it."""
    slot = (key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)
    slot = np.int64(slot) & mask
    while stamps[slot] == stamp and keys[slot] != key:
        slot = (slot + 1) & mask
    return slot


@numba.njit(cache=True)
def _ngram_kernel(offsets, hashes, lengths, top_ns, dup_ns):  # pragma: no cover - compiled
    n_docs = offsets.shape[0] - 1
    top_chars = np.zeros((n_docs, top_ns.shape[0]), dtype=np.int64)
    dup_chars = np.zeros((n_docs, dup_ns.shape[0]), dtype=np.int64)
    max_tokens = 1
    for d in range(n_docs):
        max_tokens = max(max_tokens, offsets[d + 1] - offsets[d])
    size = 1
    while size < 2 * max_tokens:
        size *= 2
    mask = size - 1
    keys = np.zeros(size, dtype=np.uint64)
    counts = np.zeros(size, dtype=np.int64)
    stamps = np.zeros(size, dtype=np.int64)
    stamp = 0
    gram = np.zeros(max_tokens, dtype=np.uint64)
    gram_len = np.zeros(max_tokens, dtype=np.int64)
    all_ns = np.concatenate((top_ns, dup_ns))
    for d in range(n_docs):
        start = offsets[d]
        n_tok = offsets[d + 1] - start
        for k in range(all_ns.shape[0]):
            n = all_ns[k]
            n_grams = n_tok - n + 1
            if n_grams <= 0:
                continue
            # n-gram hash and char length (" ".join: words + n-1 spaces)
            for i in range(n_grams):
                h = np.uint64(n)
                length = n - 1
                for j in range(n):
                    h = (h ^ hashes[start + i + j]) * np.uint64(0x100000001B3) + np.uint64(j)
                    length += lengths[start + i + j]
                gram[i] = h
                gram_len[i] = length
            stamp += 1
            if k < top_ns.shape[0]:
                # datatrove find_top_duplicate: len(most common n-gram) * its count
                best_count = 0
                best_len = 0
                for i in range(n_grams):
                    slot = _table_slot(keys, stamps, stamp, gram[i], mask)
                    if stamps[slot] != stamp:
                        stamps[slot] = stamp
                        keys[slot] = gram[i]
                        counts[slot] = 0
                    counts[slot] += 1
                    c = counts[slot]
                    if c > best_count or (c == best_count and gram_len[i] > best_len):
                        best_count = c
                        best_len = gram_len[i]
                top_chars[d, k] = best_count * best_len
            else:
                # datatrove find_all_duplicate: greedy scan, a repeat skips its n words
                total = 0
                i = 0
                while i < n_grams:
                    slot = _table_slot(keys, stamps, stamp, gram[i], mask)
                    if stamps[slot] == stamp:
                        total += gram_len[i]
                        i += n
                    else:
                        stamps[slot] = stamp
                        keys[slot] = gram[i]
                        i += 1
                dup_chars[d, k - top_ns.shape[0]] = total
    return top_chars, dup_chars


def ngram_stats(texts: pl.Series, top_ns: Sequence[int], dup_ns: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(top_chars[doc, i], dup_chars[doc, j]) for n = top_ns[i] and n = dup_ns[j].

    top_chars: characters covered by the most frequent n-gram (length x count, as
    datatrove's ``find_top_duplicate``; ties go to the longest). dup_chars: characters in repeated n-grams
    under datatrove's greedy scan. Tokens are hashed once (64-bit; a collision would only
    overstate repetition, with probability ~n^2 / 2^64).
    """
    tokens = texts.str.extract_all(TOKEN_RE)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(tokens.list.len().fill_null(0).to_numpy(), out=offsets[1:])
    flat = tokens.explode().drop_nulls()
    hashes = flat.hash(seed=0).to_numpy().astype(np.uint64)
    lengths = flat.str.len_chars().to_numpy().astype(np.int64)
    return _ngram_kernel(
        offsets, hashes, lengths, np.asarray(list(top_ns), np.int64), np.asarray(list(dup_ns), np.int64)
    )
