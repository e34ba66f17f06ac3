"""Chat-row quality: drop conversations whose final assistant response teaches the wrong thing.

Checks (each switchable, first failing check gives the reason; documents are never touched):

- ``chat:empty_response`` / ``chat:short_response``: nothing (or almost nothing) to learn from.
- ``chat:template_token``: a chat-template special token (``<|im_end|>``, ``[INST]``...) left in
  any turn's content; the tokenizer would read it as the real control token.
- ``chat:think_markup``: ``<think>`` / ``</think>`` in a turn's content (reasoning belongs in the
  ``reasoning`` field; see reasoning.py for moving it there instead of dropping).
- ``chat:truncated:code_fence``: an odd number of ``` fence lines, i.e. a code block never closed.
- ``chat:refusal``: the response opens with a refusal ("I'm sorry, but I can't ...").
- ``chat:ai_boilerplate``: "As an AI language model, ..." disclaimers anywhere in the response.
- ``chat:repetition``: duplicated lines, or word n-grams repeated, over a share of the response
  (the Gopher repetition measures, Rae et al. 2021, "Scaling Language Models", App. A.1.1).
- ``chat:truncated:mid_sentence``: a long response whose last line stops on a word or comma
  (generation cut at max_tokens). Lists, tables, code, URLs, math and one-token last lines end
  without punctuation legitimately and are never flagged.
- ``chat:length_ratio``: response/prompt character ratio outside wide bounds.

All checks are polars expressions over the batch (one regex per column, list ops for turns);
the n-gram check explodes the responses' words once and works on 64-bit word hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts
from curation.filters.turns import last_turn

# Chat-template control tokens of the families a small-LM mix meets: ChatML / Qwen
# (shared/fixtures/tokenizer/qwen3_added_tokens.json), Llama 2 ([INST], <<SYS>>), Llama 3
# (<|eot_id|>, <|start_header_id|>), Phi-3 / Zephyr (<|assistant|>, <|end|>), Gemma
# (<start_of_turn>), GPT-2 family (<|endoftext|>). Any other `<|name|>` token is caught by
# TEMPLATE_TOKEN_FORM below.
DEFAULT_TEMPLATE_TOKENS = (
    "<|im_start|>",
    "<|im_end|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|begin_of_text|>",
    "<|assistant|>",
    "<|user|>",
    "<|system|>",
    "<|end|>",
    "[INST]",
    "[/INST]",
    "<<SYS>>",
    "<</SYS>>",
    "<start_of_turn>",
    "<end_of_turn>",
)
# `<|word|>` is the special-token form of ChatML, Llama 3 and Phi; prose and code never write a
# word between `<|` and `|>` (Haskell's `<|>` has none, so it is kept).
TEMPLATE_TOKEN_FORM = r"<\|[A-Za-z][A-Za-z0-9_]*\|>"
# `<s>` / `</s>` (Llama 2 / Mistral BOS, EOS) are also HTML's strikethrough tag, so they count
# only where template leakage puts them: at the very start / end of a turn.
BOS_EOS_FORM = r"\A\s*<s>|</s>\s*\z"

_APOS = "['\u2019]"
_CANT = (
    rf"(?:can{_APOS}?t|cannot|can not|(?:am )?unable to|(?:am )?not able to|won{_APOS}t|will not"
    r"|must (?:decline|refuse)|(?:am )?not (?:allowed|permitted) to)"
)
# A refusal opens the response: an apology (or "unfortunately") followed within the same
# sentence by "I can't / cannot / am unable to ...", or a bare "I can't help / assist / ..."
# first sentence. "I can't" later in an answer ("I can't stress enough ...") is no refusal.
REFUSAL = (
    rf"(?is)\A\s*(?:(?:(?:i{_APOS}m|i am) (?:so |very |really |truly )?sorry|(?:my )?apologies|i apologi[sz]e"
    rf"|sorry|unfortunately)\b[^.!?\n]{{0,80}}?\bi(?:{_APOS}m| am)? {_CANT}"
    rf"|i(?:{_APOS}m| am)? {_CANT} (?:help|assist|provide|fulfil|comply|do that|create|generate|write"
    r"|answer|engage|support|complete|share|give|produce))"
)
# "As an AI (language model), ..." disclaimers and knowledge-cutoff talk: the ChatGPT-distilled
# boilerplate that WizardLM / OpenHermes "unfiltered" releases strip with the same kind of list.
# Self-descriptions such as "I am an AI assistant developed by ..." are identity data, left to
# the identity filter.
AI_BOILERPLATE = (
    r"(?i)\bas an? (?:ai|artificial intelligence)(?:(?: language)? model| assistant| chatbot)?,"
    r"|\bas an? (?:ai )?(?:large )?language model\b"
    r"|\b(?:my|the) (?:knowledge|training(?: data)?) cut-?off\b"
)
FENCE_LINE = r"(?m)^[ \t]*```"
# A last line that legitimately ends without punctuation: list item, table row, heading,
# quote, indented code, or a single token (a name, a number, an identifier, a path).
EXEMPT_LAST_LINE = r"\A(?:\s*(?:[-*+\u2022]|\d+[.)]|[A-Za-z][.)])\s|\s*[|#>]|\t| {4}|\S+\z)"
# The response ends on a letter, a comma or a connective...
OPEN_ENDING = r"[\p{L},(\[{\-\u2013\u2014/&+=]\s*\z"
# ...but not on a URL, a #hashtag or an @mention (a social post's sign-off).
TOKEN_ENDING = r"(?:https?://|www\.|#|@)\S+\s*\z"



@dataclass(frozen=True)
class ChatQuality:
    """The chat-quality checks; set a check's switch to False to skip it.

    Defaults were checked against the 2,299 real chat rows in shared/fixtures/instruct
    (Alpaca, FastChat, LLaMA-Factory demos): each drops only rows that are actually broken.
    """

    check_empty: bool = True
    # Alpaca's classification rows answer "3" or "0.5" (1-3 chars) legitimately, so the default
    # only drops whitespace-only responses; raise it for mixes without short-answer tasks.
    min_response_chars: int = 1
    check_template_tokens: bool = True
    template_tokens: tuple[str, ...] = DEFAULT_TEMPLATE_TOKENS
    check_think_markup: bool = True
    check_code_fence: bool = True
    check_mid_sentence: bool = True
    # A cut-off generation stops inside a paragraph of a long answer; a short answer or a short
    # last line (a poem's verse, a signature, a title) ends without punctuation by design.
    mid_sentence_min_chars: int = 200
    mid_sentence_min_last_line: int = 60
    check_refusal: bool = True
    check_ai_boilerplate: bool = True
    check_repetition: bool = True
    # Gopher (Rae et al. 2021, Table A1) drops web documents with over 0.30 duplicate lines and
    # over 0.10 of characters in duplicate 10-grams. Chat answers repeat by design: on the fixture
    # rows a screenplay's speaker lines reach 0.33 duplicate lines and a song's chorus 0.22 of
    # 10-gram characters. A looping generation repeats most of its text, so the bounds sit well
    # above those legitimate maxima.
    max_duplicate_line_fraction: float = 0.50
    repetition_min_lines: int = 5
    repetition_ngram: int = 10
    max_duplicate_ngram_fraction: float = 0.40
    check_length_ratio: bool = True
    # The fixture rows span 0.0074 ("3" to a 136-char question) to 88 (an essay for a one-line
    # prompt); the bounds sit ~4x outside that to flag only extremes.
    min_length_ratio: float = 0.002
    max_length_ratio: float = 400.0

    def __post_init__(self) -> None:
        for name in ("min_response_chars", "mid_sentence_min_chars", "mid_sentence_min_last_line"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("max_duplicate_line_fraction", "max_duplicate_ngram_fraction"):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {getattr(self, name)}")
        if self.repetition_ngram < 2:
            raise ValueError(f"repetition_ngram must be >= 2, got {self.repetition_ngram}")
        if self.repetition_min_lines < 2:
            raise ValueError(f"repetition_min_lines must be >= 2, got {self.repetition_min_lines}")
        if not 0.0 <= self.min_length_ratio < self.max_length_ratio:
            raise ValueError(
                f"need 0 <= min_length_ratio < max_length_ratio, got {self.min_length_ratio}, {self.max_length_ratio}"
            )
        if not self.template_tokens or any(not t for t in self.template_tokens):
            raise ValueError("template_tokens must be a non-empty tuple of non-empty strings")

    def __call__(self, table: pa.Table) -> Verdicts:
        frame = pl.from_arrow(table.select(["kind", "messages"]))
        assert isinstance(frame, pl.DataFrame)
        messages = pl.col("messages")
        frame = frame.select(
            (pl.col("kind") == "chat").fill_null(False).alias("is_chat"),
            last_turn("assistant").alias("resp"),
            last_turn("user").alias("prompt"),
            messages,
        )
        frame = frame.with_columns(
            pl.col("resp").fill_null("").str.strip_chars_end().alias("resp"),
            pl.col("resp").fill_null("").str.strip_chars().str.len_chars().alias("resp_chars"),
        )
        if self.check_repetition:
            frame = frame.with_columns(
                _duplicate_ngram_fraction(frame["resp"], self.repetition_ngram).alias("ngram_dup")
            )
        checks = self._checks()
        reason = pl.lit(None, dtype=pl.String)
        detail = pl.lit(None, dtype=pl.String)
        for cond, code, text in reversed(checks):
            reason = pl.when(cond).then(pl.lit(code)).otherwise(reason)
            detail = pl.when(cond).then(text).otherwise(detail)
        out = frame.select(
            pl.when("is_chat").then(reason).alias("reason"),
            pl.when("is_chat").then(detail).alias("detail"),
        )
        return Verdicts(out["reason"].to_arrow().cast(pa.string()), out["detail"].to_arrow().cast(pa.string()))

    def _checks(self) -> list[tuple[pl.Expr, str, pl.Expr]]:
        resp, chars = pl.col("resp"), pl.col("resp_chars")
        checks: list[tuple[pl.Expr, str, pl.Expr]] = []
        if self.check_empty:
            checks.append((chars == 0, "chat:empty_response", pl.lit("final assistant response is empty")))
        if self.check_template_tokens:
            literal = "|".join(re.escape(t) for t in self.template_tokens)
            found = _first_in_turns(f"({literal}|{TEMPLATE_TOKEN_FORM}|{BOS_EOS_FORM})")
            checks.append((found.is_not_null(), "chat:template_token", pl.lit("template token ") + found))
        if self.check_think_markup:
            found = _first_in_turns("(</?think>)")
            checks.append((found.is_not_null(), "chat:think_markup", pl.lit("think markup ") + found))
        if self.min_response_chars > 0:
            checks.append(
                (
                    chars < self.min_response_chars,
                    "chat:short_response",
                    pl.format("response has {} chars < min_response_chars={}", chars, pl.lit(self.min_response_chars)),
                )
            )
        if self.check_code_fence:
            fences = resp.str.count_matches(FENCE_LINE)
            checks.append(
                (
                    fences % 2 == 1,
                    "chat:truncated:code_fence",
                    pl.format("{} ``` fence lines (odd): the last code block is never closed", fences),
                )
            )
        if self.check_refusal:
            opening = resp.str.extract(f"({REFUSAL})", 1)
            checks.append((opening.is_not_null(), "chat:refusal", pl.lit("refusal opening ") + _quoted(opening)))
        if self.check_ai_boilerplate:
            found = resp.str.extract(f"({AI_BOILERPLATE})", 1)
            checks.append((found.is_not_null(), "chat:ai_boilerplate", pl.lit("boilerplate ") + _quoted(found)))
        if self.check_repetition:
            checks.extend(self._repetition_checks())
        if self.check_mid_sentence:
            last_line = resp.str.split("\n").list.last()
            cut = (
                (chars >= self.mid_sentence_min_chars)
                & (last_line.str.strip_chars().str.len_chars() >= self.mid_sentence_min_last_line)
                & resp.str.contains(OPEN_ENDING)
                & ~resp.str.contains(TOKEN_ENDING)
                & ~last_line.str.contains(EXEMPT_LAST_LINE)
            )
            checks.append(
                (
                    cut,
                    "chat:truncated:mid_sentence",
                    pl.format("a {}-char response ends mid-sentence: ...{}", chars, _quoted(resp.str.slice(-40))),
                )
            )
        if self.check_length_ratio:
            prompt_chars = pl.col("prompt").str.len_chars()
            ratio = chars / prompt_chars
            checks.append(
                (
                    (prompt_chars > 0) & ((ratio < self.min_length_ratio) | (ratio > self.max_length_ratio)),
                    "chat:length_ratio",
                    pl.format(
                        "response/prompt chars {}/{} = {} outside [{}, {}]",
                        chars,
                        prompt_chars,
                        ratio.round_sig_figs(3),
                        pl.lit(self.min_length_ratio),
                        pl.lit(self.max_length_ratio),
                    ),
                )
            )
        return checks

    def _repetition_checks(self) -> list[tuple[pl.Expr, str, pl.Expr]]:
        # Lines with no letter or digit ("}", "```", "---") repeat in any code or markdown answer.
        lines = (
            pl.col("resp")
            .str.split("\n")
            .list.eval(pl.element().str.strip_chars())
            .list.filter(pl.element().str.contains(r"[\p{L}\p{N}]"))
        )
        n_lines = lines.list.len()
        dup_lines = (1 - lines.list.n_unique() / n_lines).fill_nan(0.0)
        ngram = pl.col("ngram_dup")
        return [
            (
                (n_lines >= self.repetition_min_lines) & (dup_lines > self.max_duplicate_line_fraction),
                "chat:repetition",
                pl.format(
                    "duplicate line fraction {} > {} ({} lines)",
                    dup_lines.round(3),
                    pl.lit(self.max_duplicate_line_fraction),
                    n_lines,
                ),
            ),
            (
                ngram > self.max_duplicate_ngram_fraction,
                "chat:repetition",
                pl.format(
                    "duplicate {}-gram character fraction {} > {}",
                    pl.lit(self.repetition_ngram),
                    ngram.round(3),
                    pl.lit(self.max_duplicate_ngram_fraction),
                ),
            ),
        ]


def _first_in_turns(pattern: str) -> pl.Expr:
    """`role: 'match'` of the first turn whose content matches `pattern` (one capture group), else null."""
    hits = pl.col("messages").list.eval(
        pl.format(
            "{} in {} turn",
            _quoted(pl.element().struct.field("content").str.extract(pattern, 1)),
            pl.element().struct.field("role"),
        )
    )
    return hits.list.drop_nulls().list.first()


def _quoted(text: pl.Expr) -> pl.Expr:
    """`text` in single quotes with newlines shown as \\n, for a one-line detail."""
    return pl.lit("'") + text.str.replace_all("\n", r"\n", literal=True) + pl.lit("'")


def _duplicate_ngram_fraction(responses: pl.Series, n: int) -> pl.Series:
    """Per response: the share of word characters covered by a repeated occurrence of a word n-gram.

    Gopher's "fraction of characters in duplicate n-grams": every occurrence of an n-gram after
    its first marks its n words; the result is marked word chars / all word chars. Words are
    lowercased whitespace tokens, hashed to u64 so an n-gram is a struct of n hashes.
    """
    words = (
        pl.DataFrame({"resp": responses})
        .with_row_index("row")
        .select("row", pl.col("resp").str.to_lowercase().str.extract_all(r"\S+").alias("word"))
        .explode("word")
        .drop_nulls("word")
    )
    if words.height == 0:
        return pl.Series([0.0] * len(responses), dtype=pl.Float64)
    h = pl.col("word").hash(seed=0)
    gram = pl.struct([h.shift(-k).over("row").alias(f"w{k}") for k in range(n)])
    complete = h.shift(-(n - 1)).over("row").is_not_null()
    words = words.with_columns(gram.hash(seed=0).alias("gram"), complete.alias("complete"))
    repeat = (pl.int_range(pl.len()).over(["row", "gram"]) > 0) & pl.col("complete")
    # A word is covered when one of the n n-grams that contain it (starting at i-n+1 .. i) repeats.
    covered = repeat.cast(pl.Int8).rolling_max(window_size=n, min_samples=1).over("row")
    per_row = (
        words.with_columns(covered.alias("covered"), pl.col("word").str.len_chars().alias("len"))
        .group_by("row")
        .agg(((pl.col("len") * pl.col("covered")).sum() / pl.col("len").sum()).alias("frac"))
    )
    all_rows = pl.DataFrame({"row": pl.arange(0, len(responses), dtype=pl.UInt32, eager=True)})
    return all_rows.join(per_row, on="row", how="left")["frac"].fill_null(0.0)
