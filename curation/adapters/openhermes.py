"""teknium/OpenHermes-2.5: conversations [{from, value, weight}] plus per-row provenance.

The turns go through the ShareGPT role map (one implementation, in sharegpt.py). `source`
(airoboros2.2, CamelAI, glaive-code-assist, ...) is the sub-dataset a row came from, and
`category` (coding, orca, roleplay, ...) is the closest thing to a subject domain the card
offers; both are null on many rows. `language` is kept in extra rather than meta.language
because it is not stated as an ISO code, and `system_prompt` is kept in extra rather than
made a turn because the conversations already carry their system turns.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, extra_json
from curation.adapters.sharegpt import TURN, sharegpt_messages
from curation.readers.base import opt, req

_EXTRA = [
    "custom_instruction",
    "language",
    "model",
    "model_name",
    "skip_prompt_formatting",
    "system_prompt",
    "topic",
]


class OpenHermes(Adapter):
    name = "openhermes"
    kind = "chat"
    description = (
        "teknium/OpenHermes-2.5: conversations [{from, value}], source, category, id?, "
        "model, model_name, topic, language, system_prompt, custom_instruction, ... kept in extra"
    )
    input_schema = pa.schema(
        [
            opt("id", pa.string()),
            req("conversations", pa.list_(TURN)),
            opt("source", pa.string()),
            opt("category", pa.string()),
            opt("language", pa.string()),
            opt("model", pa.string()),
            opt("model_name", pa.string()),
            opt("topic", pa.string()),
            opt("skip_prompt_formatting", pa.bool_()),
            opt("custom_instruction", pa.bool_()),
            opt("system_prompt", pa.string()),
        ]
    )
    id_field = "id"

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        meta = df.select(
            pl.col("source").alias("data_source"),
            pl.col("category").alias("domain"),
            extra_json(df, _EXTRA).alias("extra"),
        )
        return pl.concat([sharegpt_messages(df), meta], how="horizontal")
