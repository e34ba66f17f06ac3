"""Gopher quality and repetition rules (Rae et al. 2021, "Scaling Language Models",
arXiv:2112.11446, section A.1.1 and Table A1), with the defaults of datatrove's
``GopherQualityFilter`` / ``GopherRepetitionFilter`` (huggingface/datatrove,
src/datatrove/pipeline/filters/gopher_{quality,repetition}_filter.py).

Only document rows (kind "text") are judged; chat rows are always kept. Each filter
reports the first rule a document fails, in the reference filters' order, as
``gopher:<rule>`` / ``gopher_rep:<rule>`` with the measured value and the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts
from curation.filters.text_stats import (
    K_ALPHA_WORDS,
    K_CHARS,
    K_LINE_DUP,
    K_LINE_DUP_CHARS,
    K_LINE_N,
    K_PARA_DUP,
    K_PARA_DUP_CHARS,
    K_PARA_N,
    K_STOP_WORDS,
    K_WORD_CHARS,
    K_WORDS,
    Rule,
    ScanStats,
    check_count,
    check_fraction,
    check_ngram_thresholds,
    check_positive,
    documents,
    escape_literal,
    first_failing,
    line_count,
    scan,
    scatter_verdicts,
    show,
)

# Gopher's stop-word rule: "at least two of the following English words" (Rae et al. A.1.1).
GOPHER_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


@dataclass(frozen=True)
class GopherQualityFilter:
    """Gopher quality rules. Every threshold may be None to disable its rule.

    min_words / max_words: 50 / 100,000 words (Gopher A.1.1; datatrove min/max_doc_words).
    min/max_mean_word_length: 3 / 10 characters (Gopher; datatrove min/max_avg_word_length).
    max_symbol_word_ratio: 0.1, for "#" and for "..."/"…" separately, per word (Gopher).
    max_bullet_lines_ratio: 0.9 of lines starting with a bullet (Gopher; datatrove).
    bullet_prefixes: what counts as a bullet after leading whitespace; "•" and "-" as in
        datatrove main (its first versions checked "•" only).
    max_ellipsis_lines_ratio: 0.3 of lines ending with "..." or "…" (Gopher; datatrove).
    min_alpha_words_ratio: 0.8 of words holding an alphabetic character (Gopher; datatrove
        calls it max_non_alpha_words_ratio but uses it as this minimum).
    min_stop_words: 2 occurrences of `stop_words` (Gopher; datatrove counts occurrences,
        case-sensitively, and so does this filter).
    """

    min_words: int | None = 50
    max_words: int | None = 100_000
    min_mean_word_length: float | None = 3
    max_mean_word_length: float | None = 10
    max_symbol_word_ratio: float | None = 0.1
    max_bullet_lines_ratio: float | None = 0.9
    bullet_prefixes: tuple[str, ...] = ("•", "-")
    max_ellipsis_lines_ratio: float | None = 0.3
    min_alpha_words_ratio: float | None = 0.8
    min_stop_words: int | None = 2
    stop_words: tuple[str, ...] = GOPHER_STOP_WORDS

    def __post_init__(self) -> None:
        check_count("min_words", self.min_words)
        check_count("max_words", self.max_words, minimum=1)
        if self.min_words is not None and self.max_words is not None and self.min_words > self.max_words:
            raise ValueError(f"min_words ({self.min_words}) exceeds max_words ({self.max_words})")
        check_positive("min_mean_word_length", self.min_mean_word_length)
        check_positive("max_mean_word_length", self.max_mean_word_length)
        lo, hi = self.min_mean_word_length, self.max_mean_word_length
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min_mean_word_length ({lo}) exceeds max_mean_word_length ({hi})")
        check_positive("max_symbol_word_ratio", self.max_symbol_word_ratio)
        check_fraction("max_bullet_lines_ratio", self.max_bullet_lines_ratio)
        check_fraction("max_ellipsis_lines_ratio", self.max_ellipsis_lines_ratio)
        check_fraction("min_alpha_words_ratio", self.min_alpha_words_ratio)
        check_count("min_stop_words", self.min_stop_words)
        if not isinstance(self.bullet_prefixes, tuple) or not all(
            isinstance(b, str) and b for b in self.bullet_prefixes
        ):
            raise ValueError(
                f"bullet_prefixes must be a tuple of non-empty strings, got {self.bullet_prefixes!r}"
            )
        if not isinstance(self.stop_words, tuple) or not all(
            isinstance(w, str) and w for w in self.stop_words
        ):
            raise ValueError(f"stop_words must be a tuple of non-empty strings, got {self.stop_words!r}")

    def __call__(self, table: pa.Table) -> Verdicts:
        docs = documents(table)
        if len(docs.texts) == 0:
            return Verdicts.keep_all(table.num_rows)
        text = pl.col("text")
        bullet = "|".join(escape_literal(b) for b in self.bullet_prefixes)
        stats = pl.concat(
            [
                pl.DataFrame({"text": docs.texts}).select(
                    line_count(text).alias("n_lines"),
                    text.str.count_matches("#", literal=True).alias("hashes"),
                    (
                        text.str.count_matches("...", literal=True)
                        + text.str.count_matches("…", literal=True)
                    ).alias("ellipses"),
                    text.str.count_matches(rf"(?m)^\s*(?:{bullet})").alias("bullet_lines"),
                    text.str.count_matches(r"(?m)(?:\.\.\.|…)[^\S\n]*$").alias("ellipsis_lines"),
                ),
                _word_columns(scan(docs.texts, stop_words=self.stop_words)),
            ],
            how="horizontal",
        ).with_columns(
            pl.col("n_words").clip(lower_bound=1).alias("words_div"), pl.col("n_lines").clip(lower_bound=1)
        )
        stats = stats.with_columns(
            (pl.col("word_chars") / pl.col("words_div")).alias("mean_word_length"),
            (pl.col("hashes") / pl.col("words_div")).alias("hash_ratio"),
            (pl.col("ellipses") / pl.col("words_div")).alias("ellipsis_ratio"),
            (pl.col("bullet_lines") / pl.col("n_lines")).alias("bullet_lines_ratio"),
            (pl.col("ellipsis_lines") / pl.col("n_lines")).alias("ellipsis_lines_ratio"),
            (pl.col("alpha_words") / pl.col("words_div")).alias("alpha_words_ratio"),
        )
        reason, detail = first_failing(stats, "gopher", self._rules())
        return scatter_verdicts(docs, reason, detail)

    def _rules(self) -> list[Rule]:
        c = pl.col
        rules: list[Rule] = []
        if self.min_words is not None:
            rules.append(
                _rule(
                    "min_words", c("n_words") < self.min_words, "n_words", c("n_words"), "<", self.min_words
                )
            )
        if self.max_words is not None:
            rules.append(
                _rule(
                    "max_words", c("n_words") > self.max_words, "n_words", c("n_words"), ">", self.max_words
                )
            )
        mwl = c("mean_word_length")
        if self.min_mean_word_length is not None:
            lo = self.min_mean_word_length
            rules.append(_rule("min_mean_word_length", mwl < lo, "mean_word_length", show(mwl), "<", lo))
        if self.max_mean_word_length is not None:
            hi = self.max_mean_word_length
            rules.append(_rule("max_mean_word_length", mwl > hi, "mean_word_length", show(mwl), ">", hi))
        if self.max_symbol_word_ratio is not None:
            r = self.max_symbol_word_ratio
            rules.append(
                _rule("hash_ratio", c("hash_ratio") > r, "hash_ratio", show(c("hash_ratio")), ">", r)
            )
            er = c("ellipsis_ratio")
            rules.append(_rule("ellipsis_ratio", er > r, "ellipsis_ratio", show(er), ">", r))
        if self.max_bullet_lines_ratio is not None:
            r, br = self.max_bullet_lines_ratio, c("bullet_lines_ratio")
            rules.append(_rule("bullet_lines", br > r, "bullet_lines_ratio", show(br), ">", r))
        if self.max_ellipsis_lines_ratio is not None:
            r, el = self.max_ellipsis_lines_ratio, c("ellipsis_lines_ratio")
            rules.append(_rule("ellipsis_lines", el > r, "ellipsis_lines_ratio", show(el), ">", r))
        if self.min_alpha_words_ratio is not None:
            r, ar = self.min_alpha_words_ratio, c("alpha_words_ratio")
            rules.append(_rule("alpha_words", ar < r, "alpha_words_ratio", show(ar), "<", r))
        if self.min_stop_words is not None:
            n = self.min_stop_words
            rules.append(_rule("stop_words", c("stop_words") < n, "stop_words", c("stop_words"), "<", n))
        return rules


# Table A1 of Rae et al. (2021): top n-gram character fractions, and duplicate n-gram ones.
TOP_NGRAMS = ((2, 0.20), (3, 0.18), (4, 0.16))
DUP_NGRAMS = ((5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10))


@dataclass(frozen=True)
class GopherRepetitionFilter:
    """Gopher repetition rules, thresholds from Rae et al. (2021) Table A1 (= datatrove's
    GopherRepetitionFilter defaults). Fractions of *characters* are over len(text).

    dup_para_frac 0.30 / dup_para_char_frac 0.20: paragraphs split on 2+ newlines.
    dup_line_frac 0.30 / dup_line_char_frac 0.20: lines split on 1+ newlines (datatrove).
    top_ngrams ((2, .20), (3, .18), (4, .16)): chars in the most frequent n-gram.
    dup_ngrams ((5, .15) ... (10, .10)): chars in repeated n-grams (datatrove's greedy scan).
    Any fraction may be None to disable that rule; n-gram lists may be empty.
    """

    dup_para_frac: float | None = 0.30
    dup_para_char_frac: float | None = 0.20
    dup_line_frac: float | None = 0.30
    dup_line_char_frac: float | None = 0.20
    top_ngrams: tuple[tuple[int, float], ...] = TOP_NGRAMS
    dup_ngrams: tuple[tuple[int, float], ...] = DUP_NGRAMS

    def __post_init__(self) -> None:
        for name in ("dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac"):
            check_fraction(name, getattr(self, name))
        check_ngram_thresholds("top_ngrams", self.top_ngrams)
        check_ngram_thresholds("dup_ngrams", self.dup_ngrams)

    def __call__(self, table: pa.Table) -> Verdicts:
        docs = documents(table)
        n = len(docs.texts)
        if n == 0:
            return Verdicts.keep_all(table.num_rows)
        got = scan(
            docs.texts,
            lines=True,
            paragraphs=True,
            top_ns=[k for k, _ in self.top_ngrams],
            dup_ns=[k for k, _ in self.dup_ngrams],
        )
        columns = {
            "para_n": got[K_PARA_N],
            "para_dup": got[K_PARA_DUP],
            "para_dup_chars": got[K_PARA_DUP_CHARS],
            "line_n": got[K_LINE_N],
            "line_dup": got[K_LINE_DUP],
            "line_dup_chars": got[K_LINE_DUP_CHARS],
        }
        columns |= {f"top_{k}": got.top_chars[:, i] for i, (k, _) in enumerate(self.top_ngrams)}
        columns |= {f"dup_{k}": got.dup_chars[:, i] for i, (k, _) in enumerate(self.dup_ngrams)}
        columns["chars"] = np.maximum(got[K_CHARS], 1).astype(np.float64)
        stats = pl.DataFrame(columns)
        reason, detail = first_failing(stats, "gopher_rep", self._rules())
        return scatter_verdicts(docs, reason, detail)

    def _rules(self) -> list[Rule]:
        c = pl.col
        rules: list[Rule] = []
        # datatrove's order: paragraphs, lines, top n-grams, duplicate n-grams
        for unit in ("para", "line"):
            frac, char_frac = getattr(self, f"dup_{unit}_frac"), getattr(self, f"dup_{unit}_char_frac")
            if frac is not None:
                v = c(f"{unit}_dup") / c(f"{unit}_n").clip(lower_bound=1)
                rules.append(_rule(f"dup_{unit}_frac", v > frac, f"dup_{unit}_frac", show(v), ">", frac))
            if char_frac is not None:
                v = c(f"{unit}_dup_chars") / c("chars")
                rules.append(
                    _rule(
                        f"dup_{unit}_char_frac",
                        v > char_frac,
                        f"dup_{unit}_char_frac",
                        show(v),
                        ">",
                        char_frac,
                    )
                )
        for k, frac in self.top_ngrams:
            v = c(f"top_{k}") / c("chars")
            rules.append(
                _rule(f"top_{k}gram_char_frac", v > frac, f"top_{k}gram_char_frac", show(v), ">", frac)
            )
        for k, frac in self.dup_ngrams:
            v = c(f"dup_{k}") / c("chars")
            rules.append(
                _rule(f"dup_{k}gram_char_frac", v > frac, f"dup_{k}gram_char_frac", show(v), ">", frac)
            )
        return rules


def _word_columns(got: ScanStats) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "n_words": got[K_WORDS],
            "word_chars": got[K_WORD_CHARS],
            "alpha_words": got[K_ALPHA_WORDS],
            "stop_words": got[K_STOP_WORDS],
        }
    )


def _rule(code: str, failed: pl.Expr, name: str, value: pl.Expr, op: str, threshold: float) -> Rule:
    """A Rule whose detail reads like "dup_line_frac 0.42 > 0.3"."""
    return Rule(code, failed, pl.format(f"{name} {{}} {op} {threshold}", value.cast(pl.String)))
