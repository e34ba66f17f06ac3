"""FineWeb's own quality rules (Penedo et al. 2024, "The FineWeb Datasets", section 3.5),
with the defaults of datatrove's ``FineWebQualityFilter``
(huggingface/datatrove src/datatrove/pipeline/filters/fineweb_quality_filter.py).

Lines are ``text.split("\\n")`` exactly as the reference does (empty lines count). Only
document rows (kind "text") are judged; reasons are ``fineweb:<rule>`` with the measured
ratio and the threshold, for the first rule failed in the reference order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts
from curation.filters.text_stats import (
    K_CHARS,
    K_FW_DUP_CHARS,
    K_FW_PUNCT,
    K_FW_SHORT,
    K_NEWLINES,
    K_TOKENS,
    Rule,
    check_count,
    check_fraction,
    check_positive,
    documents,
    first_failing,
    scan,
    scatter_verdicts,
    show,
)


@dataclass(frozen=True)
class FineWebQualityFilter:
    """FineWeb quality rules (defaults from datatrove's FineWebQualityFilter / the FineWeb paper).

    line_punct_thr 0.12: drop when the fraction of lines ending in . ' " ! ? is <= this.
    line_punct_exclude_zero False: if True, a document with no such line at all is kept
        by this rule (datatrove's option, for sources without punctuation).
    short_line_thr 0.67 / short_line_length 30: drop when >= 67% of lines have <= 30 chars.
    char_duplicates_ratio 0.01: drop when chars in duplicated non-empty lines, over the
        chars of the text without newlines, is >= this.
    new_line_ratio 0.3: drop when newlines per token is > this ("list_ratio" in datatrove).
    Any threshold may be None to disable its rule.
    """

    line_punct_thr: float | None = 0.12
    line_punct_exclude_zero: bool = False
    short_line_thr: float | None = 0.67
    short_line_length: int = 30
    char_duplicates_ratio: float | None = 0.01
    new_line_ratio: float | None = 0.3

    def __post_init__(self) -> None:
        check_fraction("line_punct_thr", self.line_punct_thr)
        if not isinstance(self.line_punct_exclude_zero, bool):
            raise ValueError(f"line_punct_exclude_zero must be a bool, got {self.line_punct_exclude_zero!r}")
        check_fraction("short_line_thr", self.short_line_thr)
        check_count("short_line_length", self.short_line_length, allow_none=False)
        check_fraction("char_duplicates_ratio", self.char_duplicates_ratio)
        check_positive("new_line_ratio", self.new_line_ratio)

    def __call__(self, table: pa.Table) -> Verdicts:
        docs = documents(table)
        n = len(docs.texts)
        if n == 0:
            return Verdicts.keep_all(table.num_rows)
        got = scan(docs.texts, fineweb_short_line=self.short_line_length)
        newlines = got[K_NEWLINES]
        stats = pl.DataFrame(
            {
                "n_lines": newlines + 1,
                "newlines": newlines,
                "punct_lines": got[K_FW_PUNCT],
                "chars_no_nl": np.maximum(got[K_CHARS] - newlines, 1),
                "tokens": np.maximum(got[K_TOKENS], 1),
                "short_lines": got[K_FW_SHORT],
                "line_dup_chars": got[K_FW_DUP_CHARS],
            }
        )
        reason, detail = first_failing(stats, "fineweb", self._rules())
        return scatter_verdicts(docs, reason, detail)

    def _rules(self) -> list[Rule]:
        c = pl.col
        rules: list[Rule] = []
        if self.line_punct_thr is not None:
            v = c("punct_lines") / c("n_lines")
            failed = v <= self.line_punct_thr
            if self.line_punct_exclude_zero:
                failed = failed & (c("punct_lines") > 0)
            rules.append(_rule("line_punct_ratio", failed, show(v), "<=", self.line_punct_thr))
        if self.short_line_thr is not None:
            v = c("short_lines") / c("n_lines")
            name = f"short_line_ratio(<={self.short_line_length} chars)"
            rules.append(
                Rule(
                    "short_line_ratio",
                    v >= self.short_line_thr,
                    _detail(name, show(v), ">=", self.short_line_thr),
                )
            )
        if self.char_duplicates_ratio is not None:
            v = c("line_dup_chars") / c("chars_no_nl")
            rules.append(
                _rule(
                    "char_dup_ratio",
                    v >= self.char_duplicates_ratio,
                    show(v),
                    ">=",
                    self.char_duplicates_ratio,
                )
            )
        if self.new_line_ratio is not None:
            v = c("newlines") / c("tokens")
            rules.append(_rule("list_ratio", v > self.new_line_ratio, show(v), ">", self.new_line_ratio))
        return rules


def _detail(name: str, value: pl.Expr, op: str, threshold: float) -> pl.Expr:
    return pl.format(f"{name} {{}} {op} {threshold}", value)


def _rule(code: str, failed: pl.Expr, value: pl.Expr, op: str, threshold: float) -> Rule:
    return Rule(code, failed, _detail(code, value, op, threshold))
