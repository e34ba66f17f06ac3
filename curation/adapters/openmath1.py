"""nvidia/OpenMathInstruct-1: {question, generated_solution, expected_answer,
predicted_answer, is_correct, error_message, generation_type, dataset}.

About half the 7.3M solutions are wrong (`is_correct` false): they are kept here, with
is_correct, expected_answer and predicted_answer in meta.extra, because deciding what to
keep is a filter's job and the drop must be reported as one. `dataset` (gsm8k, math) is
the benchmark the question came from.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation, extra_json, json_text
from curation.readers.base import opt, req

_EXTRA = ["expected_answer", "predicted_answer", "is_correct", "error_message", "generation_type"]


class OpenMath1(Adapter):
    name = "openmath1"
    kind = "chat"
    description = (
        "nvidia/OpenMathInstruct-1: question, generated_solution, dataset; expected_answer, "
        "predicted_answer, is_correct, error_message, generation_type kept in extra (not filtered)"
    )
    input_schema = pa.schema(
        [
            req("question", pa.string()),
            req("generated_solution", pa.string()),
            json_text("expected_answer"),
            json_text("predicted_answer"),
            opt("is_correct", pa.bool_()),
            opt("error_message", pa.string()),
            opt("generation_type", pa.string()),
            opt("dataset", pa.string()),
        ]
    )

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.select(
            pl.lit(conversation(df, [("user", pl.col("question"), None), ("assistant", pl.col("generated_solution"), None)])),
            pl.col("dataset").alias("data_source"),
            pl.lit("math").alias("domain"),
            extra_json(df, _EXTRA).alias("extra"),
        )
