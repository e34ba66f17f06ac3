"""What a mix does with reasoning: keep it, strip it, or drop rows that have it.

A no-thinking mix must not teach the model to think, so `strip` sets every turn's
`reasoning` to null (the row stays, rewritten) and `drop_row` drops rows that carry any
(`reasoning:present`). `keep` leaves the field alone.

In every mode, `<think>` markup inside a turn's *content* is a problem: the tokenizer reads it
as the real think tokens, in a place the chat template never puts them. By default such rows are
dropped (`reasoning:think_in_content`). With `split_think_in_content=True` an assistant turn's
leading `<think>...</think>` block is moved into `reasoning` the way the Qwen3 template splits it
(curation.adapters.base.split_think), then the mode applies: kept (keep), removed (strip), or the
row dropped as `reasoning:present` (drop_row). Markup the split cannot take out (a user turn
quoting `<think>`, an unclosed or second block) still drops the row.

Rows the filter changes are reported as rewritten: `reasoning:stripped` (strip removed some
reasoning) or `reasoning:split_from_content` (a block moved out of content and kept).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pyarrow as pa

from curation.adapters.base import split_think
from curation.filters.base import Verdicts

MODES = ("keep", "strip", "drop_row")
THINK_MARKUP = "</?think>"
# Rewrite codes of the rows this filter changes (reported as rewritten rows).
STRIPPED = "reasoning:stripped"
SPLIT = "reasoning:split_from_content"


@dataclass(frozen=True)
class ReasoningPolicy:
    """mode: "keep" | "strip" | "drop_row" (see the module doc). split_think_in_content: move an
    assistant turn's `<think>` block into `reasoning` instead of dropping the row (default off:
    markup in content usually means a broken export, better dropped than guessed at)."""

    mode: str = "keep"
    split_think_in_content: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if not isinstance(self.split_think_in_content, bool):
            raise ValueError(f"split_think_in_content must be a bool, got {self.split_think_in_content!r}")

    def __call__(self, table: pa.Table) -> Verdicts:
        frame = pl.from_arrow(table.select(["kind", "messages"]))
        assert isinstance(frame, pl.DataFrame)
        is_chat = (pl.col("kind") == "chat").fill_null(False)
        original = pl.col("messages")
        messages = split_think(original) if self.split_think_in_content else original
        if self.mode == "strip":
            messages = messages.list.eval(pl.element().struct.with_fields(pl.lit(None, pl.String).alias("reasoning")))
        frame = frame.select(
            is_chat.alias("is_chat"),
            original.alias("original"),
            pl.when(is_chat).then(messages).otherwise(original).alias("messages"),
        )
        markup = _first_markup(pl.col("messages"))
        has_reasoning = (
            pl.col("messages")
            .list.eval(pl.element().struct.field("reasoning").str.strip_chars().str.len_chars() > 0)
            .list.any()
        )
        # Whether the split took reasoning out of content (said in the drop_row detail).
        from_content = (
            _turns(pl.col("original"), "content").list.eval(pl.element().str.contains(THINK_MARKUP)).list.any()
        )
        reason = (
            pl.when(~pl.col("is_chat"))
            .then(None)
            .when(markup.is_not_null())
            .then(pl.lit("reasoning:think_in_content"))
            .when(pl.lit(self.mode == "drop_row") & has_reasoning)
            .then(pl.lit("reasoning:present"))
        )
        detail = (
            pl.when(~pl.col("is_chat"))
            .then(None)
            .when(markup.is_not_null())
            .then(pl.lit("think markup in content: ") + markup)
            .when(pl.lit(self.mode == "drop_row") & has_reasoning)
            .then(
                pl.format(
                    "{} of {} turns carry reasoning{} (mode=drop_row)",
                    _reasoning_turns(pl.col("messages")),
                    pl.col("messages").list.len(),
                    pl.when(from_content).then(pl.lit(", split from <think> in content")).otherwise(pl.lit("")),
                )
            )
        )
        out = frame.select(
            reason.alias("reason"),
            detail.alias("detail"),
            (pl.col("is_chat") & self._changes(pl.col("original"))).alias("rewritten"),
            "messages",
            _reasoning_turns(pl.col("original")).alias("stripped_turns"),
        ).with_columns(self._rewrite_note().alias("note"))
        reasons = out["reason"].to_arrow().cast(pa.string())
        details = out["detail"].to_arrow().cast(pa.string())
        if not out["rewritten"].any():
            return Verdicts(reasons, details)
        index = table.schema.get_field_index("messages")
        new_messages = out["messages"].to_arrow().cast(table.schema.field("messages").type)
        rewritten = table.set_column(index, table.schema.field("messages"), new_messages)
        note = out.select(
            pl.when(pl.col("rewritten")).then(pl.col("note").struct.field("reason")).alias("reason"),
            pl.when(pl.col("rewritten")).then(pl.col("note").struct.field("detail")).alias("detail"),
        )
        return Verdicts(
            reasons,
            details,
            rewritten,
            out["rewritten"].to_arrow(),
            note["reason"].to_arrow().cast(pa.string()),
            note["detail"].to_arrow().cast(pa.string()),
        )

    def _rewrite_note(self) -> pl.Expr:
        """{reason, detail} of a rewritten row: reasoning:stripped (mode strip) or
        reasoning:split_from_content (a <think> block moved out of content)."""
        if self.mode == "strip":
            return pl.struct(
                pl.lit(STRIPPED).alias("reason"),
                pl.format("reasoning removed from {} turn(s) (mode=strip)", pl.col("stripped_turns")).alias("detail"),
            )
        return pl.struct(
            pl.lit(SPLIT).alias("reason"),
            pl.lit("<think> block moved from content to reasoning").alias("detail"),
        )

    def _changes(self, original: pl.Expr) -> pl.Expr:
        """Rows the rewrite changes: a split assistant turn (split_think's own condition) or,
        when stripping, any turn with reasoning."""
        changed = pl.lit(False)
        if self.split_think_in_content:
            changed = original.list.eval(
                (pl.element().struct.field("role") == "assistant")
                & pl.element().struct.field("content").str.contains("</think>", literal=True)
            ).list.any()
        if self.mode == "strip":
            changed = changed | _turns(original, "reasoning").list.eval(pl.element().is_not_null()).list.any()
        return changed.fill_null(False)


def _turns(messages: pl.Expr, field: str) -> pl.Expr:
    return messages.list.eval(pl.element().struct.field(field))


def _first_markup(messages: pl.Expr) -> pl.Expr:
    """`'<think>' in assistant turn` for the first turn whose content still holds markup, else null."""
    hits = messages.list.eval(
        pl.format(
            "'{}' in {} turn",
            pl.element().struct.field("content").str.extract(f"({THINK_MARKUP})", 1),
            pl.element().struct.field("role"),
        )
    )
    return hits.list.drop_nulls().list.first()


def _reasoning_turns(messages: pl.Expr) -> pl.Expr:
    return messages.list.eval(pl.element().struct.field("reasoning").str.strip_chars().str.len_chars() > 0).list.sum()
