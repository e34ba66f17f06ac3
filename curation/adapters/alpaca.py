"""alpaca / alpaca-cleaned: {instruction, input, output}.

The user turn is the instruction followed by the input (when non-empty) after a blank
line, as the Stanford Alpaca prompt orders them.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation, join_nonempty
from curation.readers.base import opt, req


class Alpaca(Adapter):
    name = "alpaca"
    kind = "chat"
    description = "alpaca, alpaca-cleaned, LLaMA-Factory alpaca_en_demo: instruction, input, output"
    input_schema = pa.schema(
        [req("instruction", pa.string()), opt("input", pa.string()), req("output", pa.string())]
    )

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        user = join_nonempty(pl.col("instruction"), pl.col("input"))
        return conversation(df, [("user", user, None), ("assistant", pl.col("output"), None)]).to_frame()
