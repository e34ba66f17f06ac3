"""Per-document statistics shared by the Gopher, C4 and FineWeb quality filters.

Everything here works on a whole batch at once: polars string expressions for the simple
counts, and one numba scan over the batch's UTF-8 bytes (:func:`scan`) for tokens, words,
line / paragraph duplicates and n-gram repetition, computing only what the caller asks
for. The filters only combine these columns with their thresholds.

Tokenisation stands in for nltk's ``word_tokenize`` (what datatrove uses) with one regex:
a *word* is a run of word characters, optionally joined by an apostrophe or hyphen
("don't", "well-known"); a *token* is a word or a run of punctuation. nltk splits
contractions differently ("do" + "n't"), so counts can differ by a few per document; the
published thresholds are coarse enough that this does not change which documents pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

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
    return "".join(
        f"\\{ch}" if ch.isascii() and not ch.isalnum() and not ch.isspace() else ch for ch in literal
    )


def line_count(text: pl.Expr) -> pl.Expr:
    """len(text.splitlines()) for \\n-separated text: a trailing newline adds no line."""
    n_newlines = text.str.count_matches("\n", literal=True)
    trailing = text.str.ends_with("\n").cast(pl.UInt32)
    empty = (text.str.len_bytes() == 0).cast(pl.UInt32)
    return (n_newlines + 1 - trailing - empty).cast(pl.Int64)


# ----------------------------------------------------------------------------- one-pass kernel
#
# The statistics the three filters need come from one numba scan over the UTF-8 bytes of
# the batch's texts (the Arrow buffers, no per-document Python objects): tokens with their
# hashes, word counts, lines and paragraphs with duplicate counts, and n-gram repetition.
# Character classes are those of polars' (Rust) regex engine, so the scan tokenises exactly
# as ``str.extract_all(TOKEN_RE)`` does.

CLASS_WORD, CLASS_SPACE, CLASS_DIGIT = 1, 2, 4


@lru_cache(maxsize=1)
def char_classes() -> np.ndarray:
    """uint8[0x110000]: bit 1 = regex \\w, bit 2 = \\s, bit 4 = \\d (Unicode, Rust regex).

    Asked of polars itself once per process (~0.3 s), so the kernel agrees with the
    regexes the filters use elsewhere."""
    cps = np.arange(0x110000)
    cps = cps[(cps < 0xD800) | (cps > 0xDFFF)]  # surrogates are not characters
    chars = pl.Series([chr(c) for c in cps.tolist()])
    out = np.zeros(0x110000, dtype=np.uint8)
    for bit, pattern in ((CLASS_WORD, r"^\w$"), (CLASS_SPACE, r"^\s$"), (CLASS_DIGIT, r"^\d$")):
        out[cps[chars.str.contains(pattern).to_numpy()]] |= bit
    return out


def utf8_buffers(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(data uint8, offsets int64[n + 1]) of the texts' UTF-8 bytes; nulls read as ""."""
    arr = texts.fill_null("").to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    return data, offsets


@numba.njit(cache=True, inline="always")
def _decode(data, p):  # pragma: no cover - compiled
    """(code point, byte width) of the UTF-8 character at byte p."""
    b0 = np.int64(data[p])
    if b0 < 0x80:
        return b0, 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (np.int64(data[p + 1]) & 0x3F), 2
    if b0 < 0xF0:
        return ((b0 & 0x0F) << 12) | ((np.int64(data[p + 1]) & 0x3F) << 6) | (np.int64(data[p + 2]) & 0x3F), 3
    return (
        ((b0 & 0x07) << 18)
        | ((np.int64(data[p + 1]) & 0x3F) << 12)
        | ((np.int64(data[p + 2]) & 0x3F) << 6)
        | (np.int64(data[p + 3]) & 0x3F)
    ), 4


@numba.njit(cache=True, inline="always")
def _mix(h):  # pragma: no cover - compiled
    """splitmix64 finaliser: spreads FNV-1a's weak high bits."""
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


@numba.njit(cache=True, inline="always")
def _hash_bytes(data, a, b):  # pragma: no cover - compiled
    h = np.uint64(0xCBF29CE484222325)
    for p in range(a, b):
        h = (h ^ np.uint64(data[p])) * np.uint64(0x100000001B3)
    return _mix(h)


@numba.njit(cache=True, inline="always")
def _slot(keys, stamps, stamp, key, mask):  # pragma: no cover - compiled
    """Open addressing: the slot holding `key` in this generation, or the free slot for it."""
    slot = np.int64((key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) & mask
    while stamps[slot] == stamp and keys[slot] != key:
        slot = (slot + 1) & mask
    return slot


@numba.njit(cache=True, inline="always")
def _item_slot(data, keys, stamps, rep_a, rep_b, stamp, key, a, b, mask):  # pragma: no cover - compiled
    """As _slot for a byte range [a, b), comparing bytes on a hash match (exact equality)."""
    slot = np.int64((key * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)) & mask
    while stamps[slot] == stamp:
        if keys[slot] == key and rep_b[slot] - rep_a[slot] == b - a:
            same = True
            q = rep_a[slot]
            for p in range(a, b):
                if data[p] != data[q]:
                    same = False
                    break
                q += 1
            if same:
                return slot
        slot = (slot + 1) & mask
    return slot


@numba.njit(cache=True, inline="always")
def _mask_for(n_items, size):  # pragma: no cover - compiled
    """Mask of a power-of-two table holding n_items at most half full (<= size)."""
    m = 16
    while m < 2 * n_items:
        m *= 2
    return min(m, size) - 1


@numba.njit(cache=True, inline="always")
def _chars(data, a, b):  # pragma: no cover - compiled
    """Characters in the UTF-8 bytes [a, b): bytes that do not continue a character."""
    n = 0
    for p in range(a, b):
        if (data[p] & 0xC0) != 0x80:
            n += 1
    return n


@numba.njit(cache=True, inline="always")
def _is_space_at(data, p, classes):  # pragma: no cover - compiled
    cp, _ = _decode(data, p)
    return (classes[cp] & 2) != 0


# Columns of the kernel's per-document output (int64).
K_CHARS, K_TOKENS, K_WORDS, K_WORD_CHARS, K_ALPHA_WORDS, K_STOP_WORDS = 0, 1, 2, 3, 4, 5
K_LINE_N, K_LINE_DUP, K_LINE_DUP_CHARS = 6, 7, 8  # non-empty lines (re "[^\n]+")
K_PARA_N, K_PARA_DUP, K_PARA_DUP_CHARS = 9, 10, 11  # paragraphs of the stripped text
K_FW_SHORT, K_FW_PUNCT, K_FW_DUP_CHARS = 12, 13, 14  # FineWeb: lines split on "\n"
K_NEWLINES = 15
N_K = 16


@numba.njit(cache=True)
def _scan_kernel(
    data, offsets, classes, stop_data, stop_offsets, do_lines, do_paras, do_fw, short_len, top_ns, dup_ns
):  # pragma: no cover - compiled
    n_docs = offsets.shape[0] - 1
    out = np.zeros((n_docs, N_K), dtype=np.int64)
    top_chars = np.zeros((n_docs, top_ns.shape[0]), dtype=np.int64)
    dup_chars = np.zeros((n_docs, dup_ns.shape[0]), dtype=np.int64)
    do_ngrams = top_ns.shape[0] + dup_ns.shape[0] > 0
    n_min = 1 << 30
    n_max = 0
    for k in range(top_ns.shape[0]):
        n_min = min(n_min, top_ns[k])
        n_max = max(n_max, top_ns[k])
    for k in range(dup_ns.shape[0]):
        n_min = min(n_min, dup_ns[k])
        n_max = max(n_max, dup_ns[k])
    max_bytes = 1
    for d in range(n_docs):
        max_bytes = max(max_bytes, offsets[d + 1] - offsets[d])
    # a document has at most one token (and one line) per byte, plus one
    cap = max_bytes + 1
    # hash tables grow to the largest document's need (2x its items), not its bytes
    size = 1024
    mask = size - 1
    keys = np.zeros(size, dtype=np.uint64)
    counts = np.zeros(size, dtype=np.int64)
    stamps = np.zeros(size, dtype=np.int64)
    rep_a = np.zeros(size, dtype=np.int64)
    rep_b = np.zeros(size, dtype=np.int64)
    stamp = 0
    tok_h = np.zeros(cap, dtype=np.uint64)
    tok_len = np.zeros(cap, dtype=np.int64)
    gram = np.zeros(cap, dtype=np.uint64)
    prefix = np.zeros(cap + 1, dtype=np.int64)
    pos_slot = np.zeros(cap, dtype=np.int64)
    cidx = np.zeros(cap, dtype=np.int64)
    n_stop = stop_offsets.shape[0] - 1

    for d in range(n_docs):
        a = offsets[d]
        b = offsets[d + 1]
        row = out[d]
        n_chars = 0
        n_newlines = 0
        for p in range(a, b):
            if (data[p] & 0xC0) != 0x80:
                n_chars += 1
            if data[p] == 10:
                n_newlines += 1
        row[K_CHARS] = n_chars
        row[K_NEWLINES] = n_newlines

        # --- tokens: WORD_RE | [^\w\s]+, as str.extract_all(TOKEN_RE)
        n_tok = 0
        p = a
        while p < b:
            cp, w = _decode(data, p)
            c = classes[cp]
            if c & 2:  # whitespace
                p += w
                continue
            start = p
            n_chars = 0
            alpha = False
            if c & 1:  # a word: \w+ (['’-] \w+)*
                while True:
                    while p < b:
                        cp, w = _decode(data, p)
                        c = classes[cp]
                        if not c & 1:
                            break
                        if not c & 4 and cp != 95:  # [^\W\d_]
                            alpha = True
                        n_chars += 1
                        p += w
                    if p >= b:
                        break
                    cp, w = _decode(data, p)
                    if not (cp == 39 or cp == 0x2019 or cp == 45) or p + w >= b:
                        break
                    cp2, _ = _decode(data, p + w)
                    if not classes[cp2] & 1:
                        break
                    n_chars += 1
                    p += w
                row[K_WORDS] += 1
                row[K_WORD_CHARS] += n_chars
                if alpha:
                    row[K_ALPHA_WORDS] += 1
                for s in range(n_stop):
                    sa = stop_offsets[s]
                    sb = stop_offsets[s + 1]
                    if sb - sa == p - start:
                        same = True
                        for q in range(sb - sa):
                            if stop_data[sa + q] != data[start + q]:
                                same = False
                                break
                        if same:
                            row[K_STOP_WORDS] += 1
                            break
            else:  # a punctuation run: [^\w\s]+
                while p < b:
                    cp, w = _decode(data, p)
                    if classes[cp] & 3:
                        break
                    n_chars += 1
                    p += w
            if do_ngrams:
                tok_h[n_tok] = _hash_bytes(data, start, p)
                tok_len[n_tok] = n_chars
            n_tok += 1
        row[K_TOKENS] = n_tok

        # --- lines: duplicates of non-empty lines (GopherRepetition) and FineWeb's line stats
        need = 2 * max(n_tok, n_newlines + 1)
        if need > size and (do_lines or do_fw or do_paras or do_ngrams):
            while size < need:
                size *= 2
            keys = np.zeros(size, dtype=np.uint64)
            counts = np.zeros(size, dtype=np.int64)
            stamps = np.zeros(size, dtype=np.int64)
            rep_a = np.zeros(size, dtype=np.int64)
            rep_b = np.zeros(size, dtype=np.int64)

        if do_lines or do_fw:
            # a table sized for this document keeps small documents in cache
            mask = _mask_for(n_newlines + 1, size)
            stamp += 1
            p = a
            while True:
                # one walk finds the line's end, counts its characters and hashes it
                e = p
                n_chars = 0
                h = np.uint64(0xCBF29CE484222325)
                while e < b and data[e] != 10:
                    if (data[e] & 0xC0) != 0x80:
                        n_chars += 1
                    h = (h ^ np.uint64(data[e])) * np.uint64(0x100000001B3)
                    e += 1
                content = False
                if do_fw:
                    if n_chars <= short_len:
                        row[K_FW_SHORT] += 1
                    if e > p:
                        last = data[e - 1]
                        if last == 46 or last == 39 or last == 34 or last == 33 or last == 63:  # . ' " ! ?
                            row[K_FW_PUNCT] += 1
                    q = p
                    while q < e:
                        cp, w = _decode(data, q)
                        if not classes[cp] & 2:
                            content = True
                            break
                        q += w
                if e > p:
                    key = _mix(h)
                    slot = _item_slot(data, keys, stamps, rep_a, rep_b, stamp, key, p, e, mask)
                    row[K_LINE_N] += 1
                    if stamps[slot] == stamp:
                        row[K_LINE_DUP] += 1
                        row[K_LINE_DUP_CHARS] += n_chars
                        if content:
                            row[K_FW_DUP_CHARS] += n_chars
                    else:
                        stamps[slot] = stamp
                        keys[slot] = key
                        rep_a[slot] = p
                        rep_b[slot] = e
                if e >= b:
                    break
                p = e + 1

        # --- paragraphs of the stripped text: runs of lines split by 2+ newlines
        if do_paras:
            lo = a
            while lo < b:
                cp, w = _decode(data, lo)
                if not classes[cp] & 2:
                    break
                lo += w
            hi = b
            while hi > lo:
                q = hi - 1
                while (data[q] & 0xC0) == 0x80:
                    q -= 1
                cp, w = _decode(data, q)
                if not classes[cp] & 2:
                    break
                hi = q
            mask = _mask_for(n_newlines // 2 + 1, size)
            stamp += 1
            p = lo
            while p < hi:
                while p < hi and data[p] == 10:
                    p += 1
                if p >= hi:
                    break
                e = p
                h = np.uint64(0xCBF29CE484222325)
                while e < hi and not (data[e] == 10 and e + 1 < hi and data[e + 1] == 10):
                    h = (h ^ np.uint64(data[e])) * np.uint64(0x100000001B3)
                    e += 1
                # a single trailing "\n" cannot occur: hi is not whitespace
                key = _mix(h)
                slot = _item_slot(data, keys, stamps, rep_a, rep_b, stamp, key, p, e, mask)
                row[K_PARA_N] += 1
                if stamps[slot] == stamp:
                    row[K_PARA_DUP] += 1
                    row[K_PARA_DUP_CHARS] += _chars(data, p, e)
                else:
                    stamps[slot] = stamp
                    keys[slot] = key
                    rep_a[slot] = p
                    rep_b[slot] = e
                p = e

        # --- n-grams. Hashes grow one token at a time (gram[i] for n from gram[i] for n - 1).
        # An n-gram can occur twice only where its (n-1)-gram prefix does, so each n visits
        # only the positions whose prefix repeated (`cidx`, ascending): exact counts for
        # every n-gram that can repeat; the others occur once. Characters in the n-gram at
        # i: tok_len[i .. i+n) + n - 1 spaces, from prefix sums.
        if do_ngrams and n_tok >= n_min:
            prefix[0] = 0
            for i in range(n_tok):
                gram[i] = tok_h[i]
                prefix[i + 1] = prefix[i] + tok_len[i]
            for n in range(2, n_min + 1):
                for i in range(n_tok - n + 1):
                    gram[i] = gram[i] * np.uint64(0x9E3779B97F4A7C15) + tok_h[i + n - 1]
            nc = n_tok - n_min + 1
            for j in range(nc):
                cidx[j] = j
            mask = _mask_for(nc, size)
            for n in range(n_min, n_max + 1):
                m = n_tok - n + 1
                if m <= 0:
                    break
                while nc > 0 and cidx[nc - 1] >= m:
                    nc -= 1
                if n > n_min:
                    for j in range(nc):
                        i = cidx[j]
                        gram[i] = gram[i] * np.uint64(0x9E3779B97F4A7C15) + tok_h[i + n - 1]
                stamp += 1
                for j in range(nc):
                    i = cidx[j]
                    slot = _slot(keys, stamps, stamp, gram[i], mask)
                    if stamps[slot] != stamp:
                        stamps[slot] = stamp
                        keys[slot] = gram[i]
                        counts[slot] = 0
                    counts[slot] += 1
                    pos_slot[j] = slot
                for k in range(top_ns.shape[0]):
                    if top_ns[k] != n:
                        continue
                    # datatrove find_top_duplicate: len(most common n-gram) x its count, ties
                    # to the longest; when nothing repeats, the longest n-gram once
                    best_count = 0
                    best_len = 0
                    for j in range(nc):
                        c = counts[pos_slot[j]]
                        if c >= 2:
                            i = cidx[j]
                            length = prefix[i + n] - prefix[i] + n - 1
                            if c > best_count or (c == best_count and length > best_len):
                                best_count = c
                                best_len = length
                    if best_count == 0:
                        best_count = 1
                        for i in range(m):
                            best_len = max(best_len, prefix[i + n] - prefix[i] + n - 1)
                    top_chars[d, k] = best_count * best_len
                for k in range(dup_ns.shape[0]):
                    if dup_ns[k] != n:
                        continue
                    # datatrove find_all_duplicate: greedy scan, a repeat skips its n words;
                    # an n-gram that occurs once is never seen again, so only repeats are visited
                    stamp += 1
                    total = 0
                    next_ok = 0
                    for j in range(nc):
                        i = cidx[j]
                        if i < next_ok or counts[pos_slot[j]] < 2:
                            continue
                        slot = _slot(keys, stamps, stamp, gram[i], mask)
                        if stamps[slot] == stamp:
                            total += prefix[i + n] - prefix[i] + n - 1
                            next_ok = i + n
                        else:
                            stamps[slot] = stamp
                            keys[slot] = gram[i]
                    dup_chars[d, k] = total
                # keep the positions whose n-gram repeats: only they can start a repeated (n+1)-gram
                kept = 0
                for j in range(nc):
                    if counts[pos_slot[j]] >= 2:
                        cidx[kept] = cidx[j]
                        kept += 1
                nc = kept
    return out, top_chars, dup_chars


@dataclass(frozen=True)
class ScanStats:
    """The kernel's per-document counts (int64 arrays of the documents' length).

    chars: characters; newlines: "\\n" characters; tokens: TOKEN_RE matches; words / word_chars / alpha_words /
    stop_words: WORD_RE matches, their characters, those holding a letter, those equal to a
    stop word; line_*: non-empty lines, repeated ones, their characters; para_*: the same
    for paragraphs; fw_*: FineWeb's lines ("\\n"-split): short ones, ones ending in
    terminal punctuation, characters in repeated lines with content. top_chars[:, i] /
    dup_chars[:, j]: characters in the top / repeated n-grams for top_ns[i] / dup_ns[j].
    """

    table: np.ndarray
    top_chars: np.ndarray
    dup_chars: np.ndarray

    def __getitem__(self, column: int) -> np.ndarray:
        return self.table[:, column]


def scan(
    texts: pl.Series,
    stop_words: Sequence[str] = (),
    lines: bool = False,
    paragraphs: bool = False,
    fineweb_short_line: int | None = None,
    top_ns: Sequence[int] = (),
    dup_ns: Sequence[int] = (),
) -> ScanStats:
    """One pass of the kernel over `texts` computing what is asked (tokens and words always)."""
    data, offsets = utf8_buffers(texts)
    stop = [w.encode("utf-8") for w in stop_words]
    stop_offsets = np.zeros(len(stop) + 1, dtype=np.int64)
    np.cumsum([len(w) for w in stop], out=stop_offsets[1:])
    stop_data = np.frombuffer(b"".join(stop), dtype=np.uint8) if stop else np.zeros(0, np.uint8)
    table, top, dup = _scan_kernel(
        data,
        offsets,
        char_classes(),
        stop_data,
        stop_offsets,
        lines,
        paragraphs,
        fineweb_short_line is not None,
        -1 if fineweb_short_line is None else fineweb_short_line,
        np.asarray(list(top_ns), np.int64),
        np.asarray(list(dup_ns), np.int64),
    )
    return ScanStats(table, top, dup)


def ngram_stats(
    texts: pl.Series, top_ns: Sequence[int], dup_ns: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(top_chars[doc, i], dup_chars[doc, j]) for n = top_ns[i] and n = dup_ns[j].

    top_chars: characters covered by the most frequent n-gram (length x count, as
    datatrove's ``find_top_duplicate``; ties go to the longest). dup_chars: characters in repeated n-grams
    under datatrove's greedy scan. Tokens are hashed (64-bit; a collision would only
    overstate repetition, with probability ~n^2 / 2^64).
    """
    stats = scan(texts, top_ns=top_ns, dup_ns=dup_ns)
    return stats.top_chars, stats.dup_chars
