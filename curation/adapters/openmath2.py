"""nvidia/OpenMathInstruct-2: {problem, generated_solution, expected_answer, problem_source}.

`problem_source` (gsm8k, augmented_gsm8k, math, augmented_math) says whether the problem
is an original benchmark training problem or a synthesised one; expected_answer is kept
in meta.extra for answer-checking filters (read as JSON text: some dumps store numbers).
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation, extra_json, json_text
from curation.readers.base import opt, req


class OpenMath2(Adapter):
    name = "openmath2"
    kind = "chat"
    description = (
        "nvidia/OpenMathInstruct-2: problem, generated_solution, problem_source; "
        "expected_answer kept in extra"
    )
    input_schema = pa.schema(
        [
            req("problem", pa.string()),
            req("generated_solution", pa.string()),
            json_text("expected_answer"),
            opt("problem_source", pa.string()),
        ]
    )

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.select(
            pl.lit(conversation(df, [("user", pl.col("problem"), None), ("assistant", pl.col("generated_solution"), None)])),
            pl.col("problem_source").alias("data_source"),
            pl.lit("math").alias("domain"),
            extra_json(df, ["expected_answer"]).alias("extra"),
        )
