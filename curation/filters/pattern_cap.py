"""Opening patterns of the final assistant response, and a cap on any one opening's share.

A model fine-tuned on a mix where 40% of answers open with "Step 1:" or "Sure! Here's" learns
that tic, whatever the prompt. Unlike the per-batch filters this needs the whole source (a
share is over all rows), so it is a planner: `PatternCap.plan(rows)` reads the kept rows of a
source (a LazyFrame scan or a DataFrame) and returns the ids to drop, with a reason each.

- `opening_patterns(rows, k)`: the first k normalised words (lowercased, punctuation stripped)
  of each chat row's final assistant response, with counts and shares.
- `scaffold_patterns(rows)`: how many responses use a known scaffold ("step 1:", "sure! here's",
  "certainly!", "great question", "as an ai") at the start and anywhere.
- `pattern_report(rows, k, top)`: the top openings overall and per source.
- `PatternCap(k, max_share, seed).plan(rows)`: for every opening over max_share of the rows,
  the overflow rows to drop (`pattern_cap:<opening>`), chosen by a seeded hash of the row id so
  the same rows go whatever the input order.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import polars as pl
import polars_hash as plh

from curation.filters.turns import last_turn

# Recurring answer scaffolds of ChatGPT-distilled data (the openers the Tulu / OpenHermes
# cleaning scripts and "LIMA"-style curation call out); matched case-insensitively.
SCAFFOLDS: dict[str, str] = {
    "step 1:": r"step 1\b",
    "sure! here's": r"sure[!,.]?\s+here(?:['\u2019]s| is| are)\b",
    "certainly!": r"certainly\b",
    "great question": r"great question\b",
    "as an ai": r"as an ai\b",
}

DROP_COLUMNS = ("source", "id", "reason", "detail")
_PREFIX_CHARS = 256  # an opening is read from this many characters of the answer where it holds k + 1 words


def _frame(rows: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    if isinstance(rows, pl.DataFrame):
        return rows.lazy()
    if isinstance(rows, pl.LazyFrame):
        return rows
    raise TypeError(f"rows must be a polars LazyFrame or DataFrame, got {type(rows).__name__}")


def final_response() -> pl.Expr:
    """The last assistant turn's content of a chat row (null for documents)."""
    return last_turn("assistant")


def opening(k: int, scaffolds: bool = True) -> pl.Expr:
    """The opening of the final response: with `scaffolds`, the name of a known scaffold it
    starts with ("step 1:", "sure! here's", ...: the same tic whatever words follow it); else
    its first k words, lowercased, punctuation removed (so "Step 1:" and "step 1 -" are one
    opening), whitespace-split. Null when the response has no word."""
    text = final_response()
    # The words of a long answer's first _PREFIX_CHARS characters, when there are more than k of
    # them, are its first k words: lowercasing (Σ's final form looks past a word's end only up to
    # the next space) and punctuation removal act per character, so the prefix's words are the
    # answer's, bar the last, which the slice may cut. They are read with one anchored extract
    # (k words, then whitespace and a (k+1)-th word's first character), their whitespace runs
    # made single spaces: what splitting into words and joining k of them gives, at a quarter of
    # the cost (the cap's openings pass reads every kept row). Only answers with k words or fewer
    # there pay for the whole text (a null elsewhere, which the string kernels skip).
    prefix = _normalised(text.str.slice(0, _PREFIX_CHARS))
    head = prefix.str.extract(rf"^\s*(\S+(?:\s+\S+){{{k - 1}}})\s+\S", 1).str.replace_all(r"\s+", " ")
    whole = _words(pl.when(head.is_null()).then(text)).list.head(k)
    first_words = pl.when(head.is_not_null()).then(head).otherwise(pl.when(whole.list.len() > 0).then(whole.list.join(" ")))
    if not scaffolds:
        return first_words
    out = first_words
    for name, core in reversed(SCAFFOLDS.items()):  # the first listed scaffold wins
        out = pl.when(text.str.contains(rf"(?i)\A[\W_]*{core}")).then(pl.lit(name)).otherwise(out)
    return out


def _normalised(text: pl.Expr) -> pl.Expr:
    """`text` lowercased, punctuation removed."""
    return text.str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}\s]+", "")


def _words(text: pl.Expr) -> pl.Expr:
    """Lowercased words of `text`, punctuation removed."""
    return _normalised(text).str.extract_all(r"\S+")


def _chat_openings(rows: pl.LazyFrame | pl.DataFrame, k: int, scaffolds: bool = True) -> pl.LazyFrame:
    _check_k(k)
    frame = _frame(rows).filter(pl.col("kind") == "chat")
    return frame.select("source", "id", opening(k, scaffolds).alias("opening"))


def opening_patterns(
    rows: pl.LazyFrame | pl.DataFrame, k: int = 4, by_source: bool = False, scaffolds: bool = True
) -> pl.DataFrame:
    """(opening, count, share) over the chat rows, most frequent first; share is of all chat
    rows (a row with an empty response has no opening but counts in the denominator).
    With by_source, one block per source (shares within the source). `scaffolds`: see opening."""
    keys = ["source"] if by_source else []
    return (
        _chat_openings(rows, k, scaffolds)
        .with_columns(pl.len().over(keys or pl.lit(1)).alias("total"))
        .drop_nulls("opening")
        .group_by([*keys, "opening"])
        .agg(pl.len().alias("count"), pl.col("total").first())
        .with_columns((pl.col("count") / pl.col("total")).alias("share"))
        .drop("total")
        .sort([*keys, "count", "opening"], descending=[*([False] * len(keys)), True, False])
        .collect()
    )


def scaffold_patterns(rows: pl.LazyFrame | pl.DataFrame, by_source: bool = False) -> pl.DataFrame:
    """(scaffold, at_start, anywhere, share_at_start) for each known scaffold over the chat rows."""
    keys = ["source"] if by_source else []
    text = final_response().fill_null("")
    counts = []
    for name, core in SCAFFOLDS.items():
        counts.append(
            pl.struct(
                pl.lit(name).alias("scaffold"),
                text.str.contains(rf"(?i)\A[\W_]*{core}").sum().alias("at_start"),
                text.str.contains(rf"(?i)\b{core}").sum().alias("anywhere"),
                pl.len().alias("total"),
            ).alias(name)
        )
    frame = _frame(rows).filter(pl.col("kind") == "chat")
    wide = (frame.group_by(keys).agg(*counts) if keys else frame.select(*counts)).collect()
    out = wide.unpivot(index=keys, variable_name="_name").unnest("value").drop("_name")
    return (
        out.with_columns((pl.col("at_start") / pl.col("total")).alias("share_at_start"))
        .drop("total")
        .sort([*keys, "at_start"], descending=[*([False] * len(keys)), True])
    )


def pattern_report(
    rows: pl.LazyFrame | pl.DataFrame, k: int = 4, top: int = 10, scaffolds: bool = True
) -> pl.DataFrame:
    """The `top` openings overall (scope "*") and per source (scope = source name):
    scope, rank, opening, count, share."""
    if top < 1:
        raise ValueError(f"top must be >= 1, got {top}")
    overall = opening_patterns(rows, k, scaffolds=scaffolds).head(top).with_columns(pl.lit("*").alias("source"))
    per_source = opening_patterns(rows, k, by_source=True, scaffolds=scaffolds)
    per_source = per_source.group_by("source", maintain_order=True).head(top)
    both = pl.concat([overall.select(per_source.columns), per_source])
    return both.select(
        pl.col("source").alias("scope"),
        (pl.int_range(pl.len()).over("source") + 1).alias("rank"),
        "opening",
        "count",
        "share",
    )


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k (opening words) must be an int >= 1, got {k!r}")


@dataclass(frozen=True)
class PatternCap:
    """Cap every response opening at `max_share` of the rows kept.

    k: words in an opening (4 tells "step 1 first we" from "step 1 identify the", while
    2-3 words merge unrelated answers that share "the answer"). max_share: 0.1, so no single
    opening is more than a tenth of a source's answers (no published standard; pick per mix).
    seed: which rows of an over-represented opening survive (rows ordered by a hash of
    (seed, id), the first `cap` kept). scaffolds: a response that starts with a known scaffold
    ("Step 1:", "Sure! Here's", "Certainly!") has that scaffold as its opening, whatever words
    follow (40% of answers opening "Step 1: <anything>" is one tic, not many openings).
    """

    k: int = 4
    max_share: float = 0.1
    seed: int = 0
    scaffolds: bool = True

    def __post_init__(self) -> None:
        _check_k(self.k)
        if not 0.0 < self.max_share < 1.0:
            raise ValueError(f"max_share must be in (0, 1), got {self.max_share}")
        if not isinstance(self.seed, int):
            raise ValueError(f"seed must be an int, got {self.seed!r}")
        if not isinstance(self.scaffolds, bool):
            raise ValueError(f"scaffolds must be a bool, got {self.scaffolds!r}")

    def caps(self, counts: dict[str, int], total: int) -> dict[str, int]:
        """opening -> rows to keep, for the openings that must shrink.

        Capping m openings at x leaves N' = R + m*x rows (R: every row outside them), and each
        needs x <= s*N', i.e. x <= s*R / (1 - s*m). Shrinking N' can push another opening over
        s*N', so it joins the capped set and the cap is solved again until none is over.
        Exact rationals keep the final share <= max_share without float error.
        """
        s = Fraction(str(self.max_share))  # the decimal the user wrote, exactly (0.1 is 1/10)

        def over(rows: int, capped: set[str]) -> set[str]:
            # the openings outside `capped` with c > s * rows, in integers (a Fraction product per
            # opening cost ~3 us each)
            bound = s.numerator * rows
            return {o for o, c in counts.items() if o not in capped and c * s.denominator > bound}

        capped = over(total, set())
        cap = 0
        while capped:
            m = len(capped)
            rest = total - sum(counts[o] for o in capped)
            # s*m >= 1 cannot happen: every capped opening exceeded s of the rows left, so
            # fewer than 1/s of them fit; kept as a guard for a degenerate input.
            cap = int(s * rest / (1 - s * m)) if s * m < 1 else min(counts[o] for o in capped)
            remaining = rest + m * cap
            more = over(remaining, capped)
            if not more:
                break
            capped |= more
        return dict.fromkeys(capped, cap)

    def plan(self, rows: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
        """The rows to drop: source, id, reason (`pattern_cap:<opening>`), detail.

        `rows` are the kept rows the cap is over (one source, or a whole mix); document rows
        are ignored and never dropped.
        """
        return self.plan_openings(self.openings(rows))

    def openings(self, rows: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
        """(source, id, opening) of the chat rows: what `plan_openings` needs of them. Computed
        per part (a task each), then concatenated in any order: the plan is the same."""
        return _chat_openings(rows, self.k, self.scaffolds).collect()

    def plan_openings(self, openings: pl.DataFrame) -> pl.DataFrame:
        """`plan` from the rows' openings (`openings`, over every kept row the cap is over)."""
        total = openings.height
        counts = dict(openings.drop_nulls("opening").group_by("opening").len().iter_rows())
        caps = self.caps(counts, total)
        if not caps:
            return pl.DataFrame(schema=dict.fromkeys(DROP_COLUMNS, pl.String))
        remaining = total - sum(counts[o] - c for o, c in caps.items())
        cap_frame = pl.DataFrame(
            {"opening": list(caps), "cap": list(caps.values()), "count": [counts[o] for o in caps]},
            schema={"opening": pl.String, "cap": pl.Int64, "count": pl.Int64},
        )
        # SHA-256 of (seed, id): stable across polars versions and platforms, unlike Expr.hash.
        ranked = (
            openings.join(cap_frame, on="opening", how="inner")
            .with_columns(pl.concat_str(pl.lit(f"{self.seed}\x1f"), pl.col("id")).alias("_key"))
            .with_columns(plh.col("_key").chash.sha2_256().alias("_hash"))
            .sort(["opening", "_hash", "source", "id"])
            .with_columns(pl.int_range(pl.len()).over("opening").alias("_rank"))
        )
        return ranked.filter(pl.col("_rank") >= pl.col("cap")).select(
            "source",
            "id",
            (pl.lit("pattern_cap:") + pl.col("opening")).alias("reason"),
            pl.format(
                "opening '{}' share {} -> {} of the rows (kept {} of {} rows; max_share {})",
                pl.col("opening"),
                (pl.col("count") / total).round(4),
                (pl.col("cap") / remaining).round(4),
                pl.col("cap"),
                pl.col("count"),
                pl.lit(self.max_share),
            ).alias("detail"),
        )
