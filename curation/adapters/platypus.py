"""garage-bAInd/Open-Platypus: {instruction, input, output, data_source}.

Alpaca's shape plus `data_source` (scienceqa, leetcode_ne, airoboros, ...), which names
the upstream set each row was taken from.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.alpaca import Alpaca
from curation.readers.base import opt, req


class Platypus(Alpaca):
    name = "platypus"
    kind = "chat"
    description = "garage-bAInd/Open-Platypus: instruction, input, output, data_source"
    input_schema = pa.schema(
        [
            req("instruction", pa.string()),
            opt("input", pa.string()),
            req("output", pa.string()),
            opt("data_source", pa.string()),
        ]
    )

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        return super().map(df).with_columns(df["data_source"])
