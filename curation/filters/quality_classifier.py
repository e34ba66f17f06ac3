"""DCLM-style quality classifier: train a fastText model on good vs bad text, then score rows.

Training (:func:`train_quality_classifier`) follows DCLM (Li et al., 2024, "DataComp-LM",
§4.4): a binary fastText classifier, labels ``__label__hq`` (positives, e.g. instruction
responses or curated text) and ``__label__lq`` (negatives, e.g. raw web), word bigrams. The
training lines are shuffled with `seed` (fastText reads its file in order; all positives
then all negatives would skew SGD) and written to a temporary file next to `out_path`.

Scoring (:class:`QualityScore`): a row's score is P(hq) for its text (the document text, or
the final assistant response of a chat row). Rows can be dropped by an absolute
``threshold`` or by keeping the ``top_fraction`` of the batch (DCLM keeps the top 10% of its
pool). With neither, the filter only scores.

Where the score is kept: Verdicts cannot add a column (every stage writes
CANONICAL_SCHEMA), so the score goes into ``meta.extra`` (a JSON object, keys sorted) under
``score_key`` (default ``"quality_score"``), rounded to 6 decimals; a row with no text gets
``null``; scoring again replaces the value. A mix can weight by
``meta.extra.quality_score`` and dedup can use it as its survivor score column, e.g. in
polars ``pl.col("meta").struct.field("extra").str.json_path_match("$.quality_score")
.cast(pl.Float64)``.

Reason ``quality:low``; detail ``hq 0.12 < 0.5`` or ``hq 0.12 < 0.34 (top 10% cut)``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import fasttext
import numba
import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts
from curation.filters.fasttext_model import (
    LABEL_PREFIX,
    check_probability,
    field_texts,
    label_prob,
    load_model,
    require_label,
)

HQ, LQ = "hq", "lq"
DCLM_TOP_FRACTION = 0.10
FASTTEXT_BUCKET = 2_000_000  # fastText's default hash buckets for word n-grams
# fastText initialises its input matrix in 10 blocks, one per training thread (block i by
# thread i, the remainder of m*n/10 by an 11th); fasttext-numpy2 0.10.4 does not zero the
# matrix first, so with fewer than 11 threads part of it is left as garbage and training
# stops with "Encountered NaN." (measured: 0 of 4 seeds train with 1 or 2 threads, 10 of 10
# with 11). Training therefore always runs at least this many threads.
MIN_TRAIN_THREADS = 11


def _clean_line(text: str) -> str:
    return " ".join(text.split())


def train_quality_classifier(
    positive_texts: Iterable[str],
    negative_texts: Iterable[str],
    out_path: str | os.PathLike[str],
    *,
    epoch: int = 5,
    lr: float = 0.1,
    word_ngrams: int = 2,
    dim: int = 100,
    min_count: int = 1,
    bucket: int = FASTTEXT_BUCKET,
    seed: int = 0,
    threads: int = 1,
) -> Path:
    """Train a __label__hq / __label__lq fastText model and save it at `out_path`.

    epoch, lr, dim, min_count, bucket: fastText's supervised defaults. word_ngrams=2: DCLM's
    bigram classifier. threads: raised to MIN_TRAIN_THREADS (see there), so runs are not
    bit-identical (fastText's threads race on shared weights); `seed` fixes the shuffle and
    the initial weights. Blank texts are skipped; both sides must keep at least one text.
    Returns `out_path`.
    """
    for name, value, low in (
        ("epoch", epoch, 1),
        ("word_ngrams", word_ngrams, 1),
        ("dim", dim, 1),
        ("min_count", min_count, 1),
        ("bucket", bucket, 1),
        ("threads", threads, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if isinstance(lr, bool) or not isinstance(lr, int | float) or not 0 < lr <= 10:
        raise ValueError(f"lr must be in (0, 10], got {lr!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    out = Path(out_path).expanduser()
    if not out.parent.is_dir():
        raise ValueError(f"out_path: directory {out.parent} does not exist")
    lines = []
    for label, texts, name in ((HQ, positive_texts, "positive_texts"), (LQ, negative_texts, "negative_texts")):
        side = [f"{LABEL_PREFIX}{label} {t}" for t in map(_clean_line, texts) if t]
        if not side:
            raise ValueError(f"{name} has no non-blank text to train on")
        lines += side
    order = np.random.default_rng(seed).permutation(len(lines))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".train.txt", dir=out.parent, delete=False) as f:
        f.write("\n".join(lines[i] for i in order) + "\n")
    try:
        model = fasttext.train_supervised(
            input=f.name,
            epoch=epoch,
            lr=lr,
            wordNgrams=word_ngrams,
            dim=dim,
            minCount=min_count,
            bucket=bucket,
            seed=seed,
            thread=max(threads, MIN_TRAIN_THREADS),
            verbose=0,
        )
    except RuntimeError as exc:  # fastText's "Encountered NaN." on a diverging run
        raise ValueError(f"fastText training failed ({exc}); a lower lr usually fixes this, got lr={lr}") from exc
    finally:
        os.unlink(f.name)
    model.save_model(str(out))
    return out


def top_fraction_cut(scores: np.ndarray, fraction: float) -> float:
    """The least score among the top `fraction` of the finite `scores` (ties at the cut all stay).

    For a cut over a whole run rather than one batch: score every batch first, call this on
    all scores, then filter with ``QualityScore(threshold=cut)``.
    """
    finite = np.sort(scores[np.isfinite(scores)])[::-1]
    if finite.size == 0:
        return -math.inf
    return float(finite[max(1, math.ceil(fraction * finite.size)) - 1])


@dataclass(frozen=True)
class QualityScore:
    """Score rows with a quality classifier; optionally drop the low ones.

    model_path: a model from train_quality_classifier (or any fastText model with `label`).
    threshold: drop rows with P(label) below it. top_fraction: keep the best fraction of each
    batch (DCLM: 0.10; see top_fraction_cut for a whole-run cut). At most one of the two;
    with neither, rows are only scored. label: the positive label, without prefix.
    score_key: the meta.extra key the score is written under.
    """

    model_path: str | os.PathLike[str]
    threshold: float | None = None
    top_fraction: float | None = None
    label: str = HQ
    score_key: str = "quality_score"

    def __post_init__(self) -> None:
        if self.threshold is not None and self.top_fraction is not None:
            raise ValueError("give threshold or top_fraction, not both")
        if self.threshold is not None:
            check_probability("threshold", self.threshold)
        if self.top_fraction is not None:
            check_probability("top_fraction", self.top_fraction, open_low=True)
        if not isinstance(self.label, str) or not self.label or self.label.startswith(LABEL_PREFIX):
            raise ValueError(f"label must be a label name without {LABEL_PREFIX}, got {self.label!r}")
        if not isinstance(self.score_key, str) or not self.score_key:
            raise ValueError(f"score_key must be a non-empty string, got {self.score_key!r}")
        require_label(load_model(self.model_path), self.label, self.model_path)

    def scores(self, table: pa.Table) -> np.ndarray:
        """P(label) per row (float64), NaN where the row has no text."""
        return label_prob(load_model(self.model_path), field_texts(table, "text"), self.label)

    def __call__(self, table: pa.Table) -> Verdicts:
        scores = self.scores(table)
        cut, note = self.threshold, ""
        if self.top_fraction is not None:
            cut = top_fraction_cut(scores, self.top_fraction)
            note = f" (top {self.top_fraction:.0%} cut)"
        frame = pl.DataFrame({"score": scores}, schema={"score": pl.Float64}).with_columns(
            pl.col("score").fill_nan(None)
        )
        low = pl.col("score") < cut if cut is not None else pl.lit(False)
        verdict = frame.select(
            reason=pl.when(low).then(pl.lit("quality:low")),
            detail=pl.when(low).then(
                pl.format(
                    "{} {} < {}{}",
                    pl.lit(self.label),
                    pl.col("score").round(4),
                    pl.lit(round(cut or 0, 4)),
                    pl.lit(note),
                )
            ),
        )
        # The score is an annotation (meta.extra), not a change to what the row says: the table
        # is replaced but no row is reported as rewritten.
        scored = with_extra_value(table, self.score_key, frame["score"].round(6).cast(pl.String).to_arrow())
        return Verdicts(verdict["reason"].to_arrow(), verdict["detail"].to_arrow(), table=scored)


def with_extra_value(table: pa.Table, key: str, values: pa.Array) -> pa.Table:
    """`table` with meta.extra[key] = values (JSON number text; null writes JSON null).

    The key goes in sorted place among the top-level keys (meta.extra keeps keys sorted), and
    an existing value under it is replaced; a null extra becomes {key: value}. One numba pass
    over the extra column's bytes.
    """
    meta = table.column("meta").combine_chunks()
    children = meta.flatten()
    names = [f.name for f in meta.type]
    extra = children[names.index("extra")].cast(pa.large_string())
    n = len(extra)
    data, offsets = _buffers(extra)
    vals = pa.array(values).fill_null("null").cast(pa.large_string())
    vdata, voffsets = _buffers(vals)
    quoted = np.frombuffer(json.dumps(key, ensure_ascii=False).encode(), np.uint8)
    valid = np.asarray(extra.is_valid(), dtype=np.bool_)
    out_data, out_offsets = _set_key(data, offsets, valid, vdata, voffsets, quoted)
    new_extra = pa.LargeStringArray.from_buffers(n, pa.py_buffer(out_offsets), pa.py_buffer(out_data)).cast(pa.string())
    children[names.index("extra")] = new_extra
    new_meta = pa.StructArray.from_arrays(children, fields=list(meta.type))
    index = table.schema.get_field_index("meta")
    return table.set_column(index, table.schema.field("meta"), new_meta)


def _buffers(arr: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """(data bytes, int64 offsets[n+1]) of a large_string array, honouring its slice offset."""
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return data, offsets


@numba.njit(cache=True)
def _find_key(b: np.ndarray, s: int, e: int, key: np.ndarray) -> tuple[int, int, int, bool]:
    """Scan the object b[s:e]: (insert/replace start, replace end, closing brace, has keys).

    start = the opening quote of `key` (replace) or of the first greater key (insert before);
    -1 when neither (append before the closing brace). end > start only for a replace.
    Keys compare as raw UTF-8 bytes, which is code-point order (json sort_keys) barring escapes.
    """
    depth = 0
    i = s
    start, end, close, any_key, expect_key = -1, -1, e - 1, False, False
    while i < e:
        c = b[i]
        if c == 34:  # a string: a top-level key when depth 1 and a key is expected
            j = i + 1
            while b[j] != 34:
                j += 2 if b[j] == 92 else 1
            if depth == 1 and expect_key:
                any_key, expect_key = True, False
                # Quotes included: a name that is a prefix of the other meets its closing quote
                # (byte 34, below letters and digits) first, so it sorts first, as in Python.
                klen, cmp = j - i + 1, 0
                for t in range(min(klen, key.size)):
                    if b[i + t] != key[t]:
                        cmp = 1 if b[i + t] > key[t] else -1
                        break
                if cmp == 0 and start < 0:
                    start = i
                    k = j + 1
                    d = 0
                    while k < e:  # the value ends at the next top-level , or }
                        ck = b[k]
                        if ck == 34:
                            k += 1
                            while b[k] != 34:
                                k += 2 if b[k] == 92 else 1
                        elif ck == 123 or ck == 91:
                            d += 1
                        elif ck == 125 or ck == 93:
                            if d == 0:
                                break
                            d -= 1
                        elif ck == 44 and d == 0:
                            break
                        k += 1
                    end = k
                elif cmp > 0 and start < 0:
                    start = i
            i = j + 1
            continue
        if c == 123 or c == 91:
            depth += 1
            expect_key = depth == 1
        elif c == 125 or c == 93:
            depth -= 1
            if depth == 0:
                close = i
        elif c == 44 and depth == 1:
            expect_key = True
        i += 1
    return start, end, close, any_key


@numba.njit(cache=True)
def _set_key(data, offsets, valid, vdata, voffsets, key):
    """New (bytes, offsets) of the extra column with `key` (quoted JSON) set to each row's value."""
    n = offsets.size - 1
    cap = (offsets[n] - offsets[0]) + n * (key.size + 4) + (voffsets[n] - voffsets[0])
    out = np.empty(cap, np.uint8)
    out_off = np.zeros(n + 1, np.int64)
    w = 0
    for r in range(n):
        s, e = offsets[r], offsets[r + 1]
        vs, ve = voffsets[r], voffsets[r + 1]
        if not valid[r] or e == s:
            post, comma_before, comma_after = s, False, False
            out[w] = 123
            w += 1
            tail_brace = True
        else:
            start, end, close, any_key = _find_key(data, s, e, key)
            tail_brace = False
            if start >= 0 and end > start:  # replace the existing pair
                pre, post, comma_before, comma_after = start, end, False, False
            elif start >= 0:  # insert before a greater key
                pre, post, comma_before, comma_after = start, start, False, True
            else:  # append before the closing brace
                pre, post, comma_before, comma_after = close, close, any_key, False
            out[w : w + pre - s] = data[s:pre]
            w += pre - s
        if comma_before:
            out[w] = 44
            w += 1
        out[w : w + key.size] = key
        w += key.size
        out[w] = 58
        w += 1
        out[w : w + ve - vs] = vdata[vs:ve]
        w += ve - vs
        if comma_after:
            out[w] = 44
            w += 1
        if tail_brace:
            out[w] = 125
            w += 1
        else:
            out[w : w + e - post] = data[post:e]
            w += e - post
        out_off[r + 1] = w
    return out[:w].copy(), out_off
