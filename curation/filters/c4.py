"""C4's clean-up rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning",
section 2.2), as datatrove's ``C4QualityFilter`` implements them with its defaults
(huggingface/datatrove src/datatrove/pipeline/filters/c4_filters.py, itself following
tensorflow_datasets text/c4_utils.py).

Per line (``text.splitlines()``, each stripped), in this order:
  1. a word longer than ``max_word_length`` (1000) chars         -> line removed
  2. Wikipedia-style citations ``[1]``, ``[edit]``, ``[citation needed]`` are deleted
  3. no terminal punctuation (. ? ! " '), or ending in "..."      -> line removed
  4. fewer than ``min_words_per_line`` (3) words                  -> line removed
  5. "lorem ipsum" (any case)                                     -> document dropped
  6. "javascript" (any case)                                      -> line removed
  7. a curly bracket "{"                                          -> document dropped
  8. a policy phrase ("terms of use", "privacy policy", cookies)  -> line removed
Then a document with fewer than ``min_num_sentences`` (5) sentences in its kept lines is
dropped; a kept document's text becomes its kept lines joined with "\\n".

The filter rewrites: Verdicts.table holds the batch with kept documents' new text, and
Verdicts.rewritten marks the rows whose text changed. Sentences are counted with a regex
(a run of . ! ? followed by optional closing quotes and whitespace or the line's end;
at least one per kept line, since every kept line ends in terminal punctuation) instead of
nltk's punkt, which datatrove uses; punkt also splits on abbreviations differently.
Reasons: ``c4:lorem_ipsum``, ``c4:curly_bracket``, ``c4:too_few_sentences``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts
from curation.filters.text_stats import Documents, check_count, documents, escape_literal

CITATION_RE = r"\[\d*\]|\[edit\]|\[citation needed\]"
# datatrove POLICY_SUBSTRINGS (from tensorflow_datasets c4_utils._POLICY_SUBSTRINGS)
POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
SENTENCE_END_RE = r"[.!?]+[\"'”’)\]]*(?:\s+|$)"


@dataclass(frozen=True)
class C4QualityFilter:
    """C4 line and document rules (datatrove C4QualityFilter defaults; -1 or False disables).

    remove_citations True, filter_no_terminal_punct True, min_num_sentences 5,
    min_words_per_line 3, max_word_length 1000, filter_lorem_ipsum True,
    filter_javascript True, filter_curly_bracket True, filter_policy True,
    policy_substrings: datatrove's list (terms of use, privacy policy, cookie phrases).
    """

    remove_citations: bool = True
    filter_no_terminal_punct: bool = True
    min_num_sentences: int = 5
    min_words_per_line: int = 3
    max_word_length: int = 1000
    filter_lorem_ipsum: bool = True
    filter_javascript: bool = True
    filter_curly_bracket: bool = True
    filter_policy: bool = True
    policy_substrings: tuple[str, ...] = POLICY_SUBSTRINGS

    def __post_init__(self) -> None:
        for name in (
            "remove_citations",
            "filter_no_terminal_punct",
            "filter_lorem_ipsum",
            "filter_javascript",
            "filter_curly_bracket",
            "filter_policy",
        ):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a bool, got {getattr(self, name)!r}")
        for name in ("min_num_sentences", "min_words_per_line", "max_word_length"):
            value = getattr(self, name)
            if value != -1:
                check_count(name, value, minimum=1 if name == "max_word_length" else 0, allow_none=False)
        if not isinstance(self.policy_substrings, tuple) or not all(
            isinstance(p, str) and p for p in self.policy_substrings
        ):
            raise ValueError(
                f"policy_substrings must be a tuple of non-empty strings, got {self.policy_substrings!r}"
            )

    def __call__(self, table: pa.Table) -> Verdicts:
        docs = documents(table)
        n = len(docs.texts)
        if n == 0:
            return Verdicts.keep_all(table.num_rows)
        split = docs.texts.str.replace_all("\r\n?", "\n").str.split("\n")
        lines = (
            pl.DataFrame({"raw": split})
            .with_row_index("doc")
            # line number within its document (1-based), for the detail of a document drop
            .with_columns(pl.int_ranges(1, pl.col("raw").list.len() + 1, dtype=pl.UInt32).alias("line_no"))
            .explode("raw", "line_no")
            .with_columns(pl.col("raw").fill_null("").str.strip_chars())
        )
        lines = self._line_flags(lines).with_columns(
            (~pl.col("removed_early") & pl.col("lorem")).alias("lorem_hit"),
            (~pl.col("removed_early") & ~pl.col("lorem") & ~pl.col("javascript") & pl.col("curly")).alias(
                "curly_hit"
            ),
        )
        kept = (
            ~pl.col("removed_early")
            & ~pl.col("javascript")
            & ~pl.col("policy")
            & ~pl.col("lorem")
            & ~pl.col("curly")
        )
        per_doc = (
            lines.group_by("doc", maintain_order=True)
            .agg(
                pl.col("line_no").filter(pl.col("lorem_hit")).min().alias("lorem_line"),
                pl.col("line_no").filter(pl.col("curly_hit")).min().alias("curly_line"),
                pl.col("sentences").filter(kept).sum().alias("sentences"),
                pl.len().alias("n_lines"),
                kept.sum().alias("kept_lines"),
                pl.col("line").filter(kept).str.join("\n").alias("new_text"),
            )
            .sort("doc")
        )
        return self._verdicts(docs, per_doc, table, lines)

    def _line_flags(self, lines: pl.DataFrame) -> pl.DataFrame:
        raw = pl.col("raw")
        line = raw.str.replace_all(CITATION_RE, "") if self.remove_citations else raw
        # the line and its lower case once, as columns: every test below reads them
        lines = lines.with_columns(line.alias("line"))
        lines = lines.with_columns(pl.col("line").str.to_lowercase().alias("lower"))
        line, lower = pl.col("line"), pl.col("lower")
        long_word = no_punct = short = pl.lit(False)
        if self.max_word_length != -1:
            long_word = raw.str.contains(rf"\S{{{self.max_word_length + 1}}}")
        if self.filter_no_terminal_punct:
            no_punct = ~line.str.contains(r"[.?!\"']$") | line.str.ends_with("...")
        if self.min_words_per_line > 0:
            # words are counted on the line before citations are removed, as in datatrove;
            # "has k words" as one regex that stops at the k-th word, not a count of all
            k = self.min_words_per_line
            short = ~raw.str.contains(rf"(?:\S+\s+){{{k - 1}}}\S")
        lines = lines.with_columns(
            long_word.alias("long_word"), no_punct.alias("no_punct"), short.alias("short")
        )
        policy = "|".join(escape_literal(p) for p in self.policy_substrings)
        return lines.with_columns(
            (pl.col("long_word") | pl.col("no_punct") | pl.col("short")).alias("removed_early"),
            (lower.str.contains("lorem ipsum", literal=True) & self.filter_lorem_ipsum).alias("lorem"),
            (lower.str.contains("javascript", literal=True) & self.filter_javascript).alias("javascript"),
            (line.str.contains("{", literal=True) & self.filter_curly_bracket).alias("curly"),
            (lower.str.contains(policy) & self.filter_policy).alias("policy"),
            line.str.count_matches(SENTENCE_END_RE).clip(lower_bound=1).alias("sentences"),
        )

    def _verdicts(
        self, docs: Documents, per_doc: pl.DataFrame, table: pa.Table, lines: pl.DataFrame
    ) -> Verdicts:
        c = pl.col
        min_sent = self.min_num_sentences
        too_few = (c("sentences") < min_sent) if min_sent != -1 else pl.lit(False)
        lorem_first = c("lorem_line").is_not_null() & (
            c("curly_line").is_null() | (c("lorem_line") <= c("curly_line"))
        )
        out = per_doc.select(
            pl.when(lorem_first)
            .then(pl.lit("c4:lorem_ipsum"))
            .when(c("curly_line").is_not_null())
            .then(pl.lit("c4:curly_bracket"))
            .when(too_few)
            .then(pl.lit("c4:too_few_sentences"))
            .alias("reason"),
            pl.when(lorem_first)
            .then(pl.format("line {} contains 'lorem ipsum'", c("lorem_line")))
            .when(c("curly_line").is_not_null())
            .then(pl.format("line {} contains '{{'", c("curly_line")))
            .when(too_few)
            .then(
                pl.format(
                    f"sentences {{}} < {min_sent} (kept {{}} of {{}} lines)",
                    c("sentences"),
                    c("kept_lines"),
                    c("n_lines"),
                )
            )
            .alias("detail"),
            c("new_text").str.strip_chars(),
        ).with_columns(pl.Series("old_text", docs.texts))
        changed = out["reason"].is_null() & (out["new_text"] != out["old_text"])

        reason = np.full(docs.n_rows, None, dtype=object)
        detail = np.full(docs.n_rows, None, dtype=object)
        reason[docs.positions] = out["reason"].to_numpy()
        detail[docs.positions] = out["detail"].to_numpy()
        rewritten = np.zeros(docs.n_rows, dtype=bool)
        rewritten[docs.positions] = changed.to_numpy()
        text = pl.Series("text", table.column("text"), dtype=pl.String)
        text = text.scatter(docs.positions[changed.to_numpy()], out["new_text"].filter(changed))
        index = table.schema.get_field_index("text")
        new_table = table.set_column(index, table.schema.field("text"), text.to_arrow().cast(pa.string()))
        rewrite_reason = np.full(docs.n_rows, None, dtype=object)
        rewrite_detail = np.full(docs.n_rows, None, dtype=object)
        changed_np = changed.to_numpy()
        if changed_np.any():
            notes = self._rewrite_notes(lines, changed_np)
            rewrite_reason[docs.positions[notes["doc"].to_numpy()]] = notes["code"].to_numpy()
            rewrite_detail[docs.positions[notes["doc"].to_numpy()]] = notes["detail"].to_numpy()
        return Verdicts(
            pa.array(reason, pa.string()),
            pa.array(detail, pa.string()),
            new_table,
            pa.array(rewritten, pa.bool_()),
            pa.array(rewrite_reason, pa.string()),
            pa.array(rewrite_detail, pa.string()),
        )

    def _rewrite_notes(self, lines: pl.DataFrame, changed: np.ndarray) -> pl.DataFrame:
        """doc, code, detail for the rewritten documents (`changed`: bool per document): how
        many lines were removed and by which rule (the first that removes the line, in C4's
        order), e.g. "removed 3 of 12 lines (2 without terminal punctuation, 1 javascript)";
        citations deleted from kept lines; or, when neither, that only line ends ("\r\n") or
        surrounding whitespace changed.

        Codes: ``c4:lines_removed``, ``c4:citations_removed`` (no line removed),
        ``c4:whitespace_stripped`` (no line removed, no citation)."""
        c = pl.col
        kept = ~c("removed_early") & ~c("javascript") & ~c("policy") & ~c("lorem") & ~c("curly")
        labels = [
            "blank",
            f"with a word over {self.max_word_length} chars",
            "without terminal punctuation",
            f"under {self.min_words_per_line} words",
            "javascript",
            "policy",
        ]
        # in a kept document every removed line is removed early, or for javascript, or policy
        rule = (
            pl.when(kept)
            .then(-1)
            .when(c("raw") == "")
            .then(0)
            .when(c("long_word"))
            .then(1)
            .when(c("no_punct"))
            .then(2)
            .when(c("short"))
            .then(3)
            .when(c("javascript"))
            .then(4)
            .otherwise(5)
        )
        flags = lines.select("doc", rule.alias("rule"), (kept & (c("line") != c("raw"))).alias("cited"))
        doc = flags["doc"].to_numpy().astype(np.int64)
        rules = flags["rule"].to_numpy()
        n_docs, k = len(changed), len(labels)
        removed = rules >= 0
        # lines per (document, rule), lines and cited lines per document: bincounts, no group_by
        counts = np.bincount(doc[removed] * k + rules[removed], minlength=n_docs * k).reshape(n_docs, k)
        per_doc = pl.DataFrame(
            {
                "doc": np.arange(n_docs),
                "n": np.bincount(doc, minlength=n_docs),
                "cited": np.bincount(doc, weights=flags["cited"].to_numpy(), minlength=n_docs).astype(
                    np.int64
                ),
                **{f"r{i}": counts[:, i] for i in range(k)},
            }
        ).filter(pl.Series(changed))
        why = pl.concat_str(
            [
                pl.when(c(f"r{i}") > 0).then(pl.format(f"{{}} {label}", c(f"r{i}")))
                for i, label in enumerate(labels)
            ],
            separator=", ",
            ignore_nulls=True,
        )
        n_removed = pl.sum_horizontal(f"r{i}" for i in range(k))
        plural = pl.when(c("cited") > 1).then(pl.lit("s")).otherwise(pl.lit(""))
        cited = pl.format("citations deleted from {} kept line{}", "cited", plural)
        removed_text = pl.format("removed {} of {} lines ({})", n_removed, "n", why)
        return per_doc.select(
            "doc",
            pl.when(n_removed > 0)
            .then(pl.lit("c4:lines_removed"))
            .when(c("cited") > 0)
            .then(pl.lit("c4:citations_removed"))
            .otherwise(pl.lit("c4:whitespace_stripped"))
            .alias("code"),
            pl.when((n_removed > 0) & (c("cited") > 0))
            .then(pl.format("{}; {}", removed_text, cited))
            .when(n_removed > 0)
            .then(removed_text)
            .when(c("cited") > 0)
            .then(cited)
            .otherwise(pl.lit("no line removed; line ends or surrounding whitespace normalised"))
            .alias("detail"),
        )
