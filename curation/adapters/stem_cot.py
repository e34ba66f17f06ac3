"""0xZee STEM chain-of-thought sets (dataset-CoT-Physics-*, -Advanced-Calculus-268, ...):
{question, CoT, response}.

The CoT is the assistant's reasoning and the response its visible answer, so rendering
with thinking off trains on the answer alone and with thinking on gets the derivation
inside <think>. Each set covers one subject; the manifest passes it as the `domain`
option, usually `domain_from_dataset_name(<hub id>)`; without it meta.domain stays null.
"""

from __future__ import annotations

import re

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, conversation, nonempty
from curation.readers.base import opt, req


def domain_from_dataset_name(dataset: str) -> str:
    """The subject a 0xZee set is named for, as a lower-case slug.

    "0xZee/dataset-CoT-Advanced-Calculus-268" -> "advanced-calculus": the owner, the
    `dataset-` and `CoT-` prefixes and the trailing row count are dropped.
    """
    name = dataset.rsplit("/", 1)[-1]
    name = re.sub(r"^dataset[-_]", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^cot[-_]", "", name, flags=re.IGNORECASE)
    name = re.sub(r"(^|[-_])\d+$", "", name)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot derive a domain from dataset name {dataset!r}")
    return slug


class StemCoT(Adapter):
    name = "stem_cot"
    kind = "chat"
    description = (
        "0xZee STEM chain-of-thought sets (e.g. 0xZee/dataset-CoT-Advanced-Calculus-268): "
        "question, CoT (-> reasoning), response; option domain"
    )
    input_schema = pa.schema(
        [req("question", pa.string()), opt("CoT", pa.string()), req("response", pa.string())]
    )

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        return ("domain",)

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        domain = self.options.get("domain")
        return df.select(
            pl.lit(
                conversation(
                    df, [("user", pl.col("question"), None), ("assistant", pl.col("response"), nonempty(pl.col("CoT")))]
                )
            ),
            pl.lit(None if domain is None else str(domain), dtype=pl.String).alias("domain"),
        )
