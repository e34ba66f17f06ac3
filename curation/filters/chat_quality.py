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

Speed (the chat chain's budget is ~20 MB/s per core for all its filters): the turns are read
from Arrow once (no list.eval per check); each check's condition is one column op over the
final responses, or runs only on the rows a cheaper necessary condition selects (a literal
in some turn for the template / think checks, "```" for the fence count, a short regex for
the boilerplate list); the repetition measures come from one numba scan (chat_repetition.py)
over the rows no earlier check failed; details are formatted only for the failing rows.
Verdicts are those of the plain polars version, row for row (tests/data/chat_quality_verdicts.json).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from curation.filters.base import Verdicts
from curation.filters.chat_repetition import repetition_stats

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
# Every AI_BOILERPLATE match contains one of these (same case folding): a cheap pass first.
AI_BOILERPLATE_NEEDLES = r"(?i)as a|cut"
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
        n = table.num_rows
        checks = self._checks()
        turns = _turns(table)
        frame = _frame(table, turns)
        # one pass over every turn for the literals of all turn checks; each then runs its regex
        # on the rows with a hit (a superset of its own)
        needles = sorted({x for c in checks for x in c.turn_needles or ()})
        turn_hit = _rows_with(turns, needles, table.num_rows) if needles else None
        # Each check's condition: on every row when it is a cheap column op, else on the rows
        # its `candidates` (a necessary condition) selects. The repetition scan runs after the
        # checks before it, on the rows that pass them.
        rep = next((i for i, c in enumerate(checks) if c.code == "chat:repetition"), len(checks))
        failed = pl.DataFrame({"is_chat": frame["is_chat"]})
        for i, check in enumerate(checks):
            if i == rep:
                skip = failed.select(pl.any_horizontal(~pl.col("is_chat"), *failed.columns[1:])).to_series()
                frame = frame.with_columns(self._repetition_columns(frame["resp"], skip.to_numpy()))
            failed = failed.with_columns(_evaluate(check, frame, table, turn_hit).alias(f"c{i}"))
        if not checks:
            return Verdicts.keep_all(n)
        flags = failed.select(pl.col("is_chat") & pl.any_horizontal(failed.columns[1:])).to_series()
        if not flags.any():
            return Verdicts.keep_all(n)
        # Reason and detail (the first failing check's) only for the failing rows: details
        # format matched spans and measured values, too dear to build for every row.
        positions = np.flatnonzero(flags.to_numpy())
        rows = _with_messages(frame.hstack(failed.drop("is_chat")).filter(flags), table, positions)
        reason = pl.lit(None, dtype=pl.String)
        detail = pl.lit(None, dtype=pl.String)
        for i, check in reversed(list(enumerate(checks))):
            reason = pl.when(f"c{i}").then(pl.lit(check.code)).otherwise(reason)
            detail = pl.when(f"c{i}").then(check.detail).otherwise(detail)
        out = rows.select(reason.alias("reason"), detail.alias("detail"))
        full_reason = np.full(n, None, dtype=object)
        full_detail = np.full(n, None, dtype=object)
        full_reason[positions] = out["reason"].to_numpy()
        full_detail[positions] = out["detail"].to_numpy()
        return Verdicts(pa.array(full_reason, pa.string()), pa.array(full_detail, pa.string()))

    def _checks(self) -> list[Check]:
        resp, chars = pl.col("resp"), pl.col("resp_chars")
        checks: list[Check] = []
        if self.check_empty:
            checks.append(
                Check("chat:empty_response", chars == 0, pl.lit("final assistant response is empty"))
            )
        if self.check_template_tokens:
            literal = "|".join(re.escape(t) for t in self.template_tokens)
            pattern = f"({literal}|{TEMPLATE_TOKEN_FORM}|{BOS_EOS_FORM})"
            # every match holds one of the tokens, "<|" (TEMPLATE_TOKEN_FORM), "<s>" or "</s>"
            needles = (*self.template_tokens, "<|", "<s>", "</s>")
            checks.append(
                Check(
                    "chat:template_token",
                    _any_turn(pattern),
                    pl.lit("template token ") + _first_in_turns(pattern),
                    turn_needles=needles,
                )
            )
        if self.check_think_markup:
            checks.append(
                Check(
                    "chat:think_markup",
                    _any_turn("</?think>"),
                    pl.lit("think markup ") + _first_in_turns("(</?think>)"),
                    turn_needles=("<think>", "</think>"),
                )
            )
        if self.min_response_chars > 0:
            checks.append(
                Check(
                    "chat:short_response",
                    chars < self.min_response_chars,
                    pl.format(
                        "response has {} chars < min_response_chars={}",
                        chars,
                        pl.lit(self.min_response_chars),
                    ),
                )
            )
        if self.check_code_fence:
            fences = resp.str.count_matches(FENCE_LINE)
            checks.append(
                Check(
                    "chat:truncated:code_fence",
                    fences % 2 == 1,
                    pl.format("{} ``` fence lines (odd): the last code block is never closed", fences),
                    candidates=resp.str.contains("```", literal=True),
                )
            )
        if self.check_refusal:
            opening = resp.str.extract(f"({REFUSAL})", 1)
            checks.append(
                Check(
                    "chat:refusal", resp.str.contains(REFUSAL), pl.lit("refusal opening ") + _quoted(opening)
                )
            )
        if self.check_ai_boilerplate:
            found = resp.str.extract(f"({AI_BOILERPLATE})", 1)
            checks.append(
                Check(
                    "chat:ai_boilerplate",
                    resp.str.contains(AI_BOILERPLATE),
                    pl.lit("boilerplate ") + _quoted(found),
                    candidates=resp.str.contains(AI_BOILERPLATE_NEEDLES),
                )
            )
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
                Check(
                    "chat:truncated:mid_sentence",
                    cut,
                    pl.format(
                        "a {}-char response ends mid-sentence: ...{}", chars, _quoted(resp.str.slice(-40))
                    ),
                    # the terms of `cut` that need no list of lines, on every row
                    candidates=(chars >= self.mid_sentence_min_chars) & resp.str.contains(OPEN_ENDING),
                )
            )
        if self.check_length_ratio:
            prompt_chars = pl.col("prompt").str.len_chars()
            ratio = chars / prompt_chars
            checks.append(
                Check(
                    "chat:length_ratio",
                    (prompt_chars > 0) & ((ratio < self.min_length_ratio) | (ratio > self.max_length_ratio)),
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

    def _repetition_columns(self, responses: pl.Series, skip: np.ndarray) -> list[pl.Series]:
        """n_lines, dup_lines, ngram_dup per row (see chat_repetition.py); rows in `skip` get 0."""
        stats = repetition_stats(responses, self.repetition_ngram, skip=skip)
        n_lines = pl.Series("n_lines", stats[:, 0], dtype=pl.UInt32)
        distinct = pl.Series(stats[:, 1], dtype=pl.UInt32)
        # the same float operations as 1 - n_unique / len over the list of lines: same values
        dup_lines = (1 - distinct / n_lines).fill_nan(0.0).alias("dup_lines")
        marked, total = stats[:, 2], stats[:, 3]
        ngram_dup = pl.Series(
            "ngram_dup", np.divide(marked, total, out=np.zeros(len(total)), where=total > 0)
        )
        return [n_lines, dup_lines, ngram_dup]

    def _repetition_checks(self) -> list[Check]:
        n_lines, dup_lines, ngram = pl.col("n_lines"), pl.col("dup_lines"), pl.col("ngram_dup")
        return [
            Check(
                "chat:repetition",
                (n_lines >= self.repetition_min_lines) & (dup_lines > self.max_duplicate_line_fraction),
                pl.format(
                    "duplicate line fraction {} > {} ({} lines)",
                    dup_lines.round(3),
                    pl.lit(self.max_duplicate_line_fraction),
                    n_lines,
                ),
            ),
            Check(
                "chat:repetition",
                ngram > self.max_duplicate_ngram_fraction,
                pl.format(
                    "duplicate {}-gram character fraction {} > {}",
                    pl.lit(self.repetition_ngram),
                    ngram.round(3),
                    pl.lit(self.max_duplicate_ngram_fraction),
                ),
            ),
        ]


@dataclass(frozen=True)
class Check:
    """One check over the frame of `_frame` (resp, resp_chars, prompt; messages on subsets).

    failed: bool, the check's condition. detail: string, built only on the failing rows.
    candidates: an optional cheap necessary condition of `failed`, evaluated on every row, so
    that `failed` runs only where it holds. turn_needles: literals one of which every match
    in a turn's content contains; `failed` then runs only on rows with a turn holding one.
    """

    code: str
    failed: pl.Expr
    detail: pl.Expr
    candidates: pl.Expr | None = None
    turn_needles: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Turns:
    """The batch's turns, flattened: `content` and `role` per turn, `row` its row (int64)."""

    content: pl.Series
    role: pl.Series
    row: np.ndarray


def _turns(table: pa.Table) -> Turns:
    content, role, rows = [], [], []
    first = 0
    for chunk in table.column("messages").chunks:  # no combine_chunks: it would copy every turn
        flat = pc.list_flatten(chunk)
        content.append(flat.field("content"))
        role.append(flat.field("role"))
        rows.append(pc.list_parent_indices(chunk).to_numpy(zero_copy_only=False).astype(np.int64) + first)
        first += len(chunk)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    text_type = table.schema.field("messages").type.value_type.field("content").type
    role_type = table.schema.field("messages").type.value_type.field("role").type
    return Turns(
        pl.Series(pa.chunked_array(content, text_type)), pl.Series(pa.chunked_array(role, role_type)), row
    )


def _last_turn(turns: Turns, role: str, n: int) -> pl.Series:
    """Per row, the content of its last turn with `role`, else null (as turns.last_turn does)."""
    at = np.flatnonzero((turns.role == role).fill_null(False).to_numpy())
    rows = turns.row[at]
    # turns are in row order: the last of a row's matches is where the next match's row differs
    last = np.ones(len(at), dtype=np.bool_)
    last[:-1] = rows[1:] != rows[:-1]
    index = np.zeros(n, dtype=np.int64)
    index[rows[last]] = at[last]
    has = np.zeros(n, dtype=np.bool_)
    has[rows[last]] = True
    picked = (
        turns.content.gather(index)
        if len(turns.content)
        else pl.Series(dtype=pl.String).extend_constant(None, n)
    )
    return pl.select(pl.when(pl.Series(has)).then(picked)).to_series()


def _frame(table: pa.Table, turns: Turns) -> pl.DataFrame:
    """is_chat, resp (final assistant turn, trailing whitespace stripped, "" if none), resp_chars
    (stripped characters), prompt (final user turn) per row."""
    n = table.num_rows
    resp = _last_turn(turns, "assistant", n).fill_null("")
    return pl.DataFrame(
        {
            "is_chat": pl.Series(table.column("kind")).eq("chat").fill_null(False),
            "resp": resp.str.strip_chars_end(),
            "resp_chars": resp.str.strip_chars().str.len_chars(),
            "prompt": _last_turn(turns, "user", n),
        }
    )


def _with_messages(frame: pl.DataFrame, table: pa.Table, positions: np.ndarray) -> pl.DataFrame:
    """`frame` (the rows of `table` at `positions`) with their messages, for checks over all turns."""
    messages = pl.from_arrow(table.select(["messages"]).take(pa.array(positions)))
    assert isinstance(messages, pl.DataFrame)
    return frame.with_columns(messages["messages"])


def _rows_with(turns: Turns, needles: list[str], n: int) -> np.ndarray:
    """bool[n]: rows with a turn whose content holds one of `needles` (literal)."""
    hit = turns.content.str.contains_any(needles).fill_null(False).to_numpy()
    rows = np.zeros(n, dtype=np.bool_)
    rows[turns.row[hit]] = True
    return rows


def _evaluate(check: Check, frame: pl.DataFrame, table: pa.Table, turn_hit: np.ndarray | None) -> pl.Series:
    """The check's condition per row (false where null)."""
    n = frame.height
    if check.turn_needles is not None:
        assert turn_hit is not None
        scan = turn_hit
    elif check.candidates is not None:
        scan = frame.select(check.candidates.fill_null(False)).to_series().to_numpy()
    else:
        return frame.select(check.failed.fill_null(False)).to_series()
    positions = np.flatnonzero(scan)
    out = np.zeros(n, dtype=np.bool_)
    if len(positions):
        rows = frame[positions]
        if check.turn_needles is not None:
            rows = _with_messages(rows, table, positions)
        out[positions] = rows.select(check.failed.fill_null(False)).to_series().to_numpy()
    return pl.Series(out)


def _any_turn(pattern: str) -> pl.Expr:
    """Whether any turn's content matches `pattern`."""
    return pl.col("messages").list.eval(pl.element().struct.field("content").str.contains(pattern)).list.any()


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
