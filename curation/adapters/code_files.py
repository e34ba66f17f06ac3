"""Source-code files for pretraining: the Stack / StarCoderData ({content, max_stars_repo_path,
max_stars_repo_name, lang?, id?}), codeparrot/github-code ({code, repo_name, path,
language, license}) and similar dumps.

The text is the first of content, text, code that is set. Rows without an id get the
SHA-256 of the row from the driver, so the same file read twice keeps its id.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, extra_json, json_text
from curation.readers.base import opt


class CodeFiles(Adapter):
    name = "code_files"
    kind = "text"
    description = (
        "code files (the Stack, StarCoderData, github-code): content|text|code, path|max_stars_repo_path, "
        "language|lang, repo_name|max_stars_repo_name, license, id?"
    )
    input_schema = pa.schema(
        [
            json_text("id"),
            opt("content", pa.string()),
            opt("text", pa.string()),
            opt("code", pa.string()),
            opt("path", pa.string()),
            opt("max_stars_repo_path", pa.string()),
            opt("language", pa.string()),
            opt("lang", pa.string()),
            opt("repo_name", pa.string()),
            opt("max_stars_repo_name", pa.string()),
            opt("license", pa.string()),
        ]
    )
    id_field = "id"

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        frame = df.with_columns(pl.coalesce("repo_name", "max_stars_repo_name").alias("repo_name"))
        return frame.select(
            pl.coalesce("content", "text", "code").alias("text"),
            pl.lit("code").alias("domain"),
            pl.coalesce("language", "lang").alias("language"),
            pl.coalesce("path", "max_stars_repo_path").alias("path"),
            pl.col("license"),
            extra_json(frame, ["repo_name"]).alias("extra"),
        )
