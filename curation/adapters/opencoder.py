"""OpenCoder-LLM/opc-sft-stage1 and opc-sft-stage2: {instruction, output} plus per-subset columns.

Stage 2's educational_instruct adds `entry_point` and `testcase` (the tests the answer was
checked with); stage 1 subsets carry a `tag` and, in some dumps, `flags`. They are all
optional here and kept in meta.extra when present, so one adapter reads every subset of
both stages. `tag`, `flags` and `testcase` are read as JSON text because their types
differ between subsets (string, list, object), and a later filter can still parse them.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation, extra_json, json_text
from curation.readers.base import opt, req

_JSON = ("tag", "flags", "testcase")


class OpenCoderSFT(Adapter):
    name = "opencoder_sft"
    kind = "chat"
    description = (
        "OpenCoder-LLM/opc-sft-stage1 and opc-sft-stage2 (all subsets): instruction, output; "
        "tag, flags, entry_point, testcase kept in extra"
    )
    input_schema = pa.schema(
        [
            req("instruction", pa.string()),
            req("output", pa.string()),
            json_text("tag"),
            json_text("flags"),
            opt("entry_point", pa.string()),
            json_text("testcase"),
        ]
    )

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.select(
            pl.lit(conversation(df, [("user", pl.col("instruction"), None), ("assistant", pl.col("output"), None)])),
            pl.lit("code").alias("domain"),
            extra_json(df, ["tag", "flags", "entry_point", "testcase"], json_names=_JSON).alias("extra"),
        )
