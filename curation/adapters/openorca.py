"""Open-Orca/OpenOrca: {id, system_prompt, question, response}.

The system prompt becomes a system turn only when it is non-empty (about a third of the
rows have none). The id's prefix (`cot.`, `flan.`, `niv.`, `t0.`) names the FLAN
sub-collection the question came from, which is what a mix wants to weight by.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation
from curation.readers.base import opt, req


class OpenOrca(Adapter):
    name = "openorca"
    kind = "chat"
    description = "Open-Orca/OpenOrca (and SlimOrca-style dumps): id, system_prompt?, question, response"
    input_schema = pa.schema(
        [
            opt("id", pa.string()),
            opt("system_prompt", pa.string()),
            req("question", pa.string()),
            req("response", pa.string()),
        ]
    )
    id_field = "id"

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        turns = [("user", pl.col("question"), None), ("assistant", pl.col("response"), None)]
        return df.select(
            pl.lit(conversation(df, turns, system=pl.col("system_prompt"))),
            pl.col("id").str.extract(r"^([A-Za-z0-9_-]+)\.", 1).alias("data_source"),
        )
