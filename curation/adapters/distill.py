"""Claude-style distillation sets, in the three shapes they are published in.

`distill_messages` and `distill_sharegpt` are the OpenAI-messages and ShareGPT adapters
under names that say what the source is: their assistant turns hold
`<think>...</think>` that the driver's split_think moves into `reasoning` (and a think
block it cannot split, unclosed or repeated, drops the row as malformed:think_markup).
`distill_columns` reads {problem, thinking, solution, system?}: the thinking column is the
reasoning, never left in the content, with any <think> tags around it removed.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation, nonempty
from curation.adapters.openai_messages import OpenAIMessages
from curation.adapters.sharegpt import ShareGPT
from curation.readers.base import opt, req


class DistillMessages(OpenAIMessages):
    name = "distill_messages"
    description = (
        "Claude-style distillation sets in OpenAI messages with <think>...</think> in assistant "
        "content: same columns as openai_messages"
    )


class DistillShareGPT(ShareGPT):
    name = "distill_sharegpt"
    description = (
        "Claude-style distillation sets in ShareGPT conversations with <think>...</think> in gpt "
        "turns: same columns as sharegpt"
    )


def strip_think_tags(text: pl.Expr) -> pl.Expr:
    """A thinking column's text without a `<think>` / `</think>` wrapper or edge newlines."""
    inner = text.str.strip_chars().str.strip_prefix("<think>").str.strip_suffix("</think>")
    return nonempty(inner.str.strip_chars("\n"))


class DistillColumns(Adapter):
    name = "distill_columns"
    kind = "chat"
    description = (
        "Claude-style distillation sets in columns: problem, thinking (-> reasoning), solution, system?"
    )
    input_schema = pa.schema(
        [
            opt("system", pa.string()),
            req("problem", pa.string()),
            opt("thinking", pa.string()),
            req("solution", pa.string()),
        ]
    )

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        turns = [
            ("user", pl.col("problem"), None),
            ("assistant", pl.col("solution"), strip_think_tags(pl.col("thinking"))),
        ]
        return conversation(df, turns, system=pl.col("system")).to_frame()
