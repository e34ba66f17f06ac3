"""Pretraining documents: {text} plus whatever metadata the dump carries.

One adapter for web, books, math, wikipedia, papers and multilingual text, because their
public dumps share a shape: C4 and LLaMA-Factory's c4_demo ({text}), dolma ({id, text,
source, added, created, metadata: {url, language, title, ...}}), RedPajama and
data-juicer ({text, meta: {url, language, source, arxiv_id, ...}} where `meta` is an
object in one dump and a JSON string in another), Wikipedia ({id, url, title, text}).

Each meta field is taken from a top-level column first, then from `meta`, then from
`metadata`; the options fill what a row does not state. `meta`, `metadata` and
data-juicer's `stats` are kept whole in meta.extra: they hold the quality signals
(perplexity, language_score, ...) that later filters may want.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa

from curation.adapters.base import Adapter, extra_json, json_text
from curation.readers.base import opt, req

DOMAINS = ("web", "code", "books", "math", "wikipedia", "papers", "multilingual")
_NESTED = ("meta", "metadata")
_JSON = ("meta", "metadata", "stats")


def _stated(df: pl.DataFrame, key: str, *columns: str) -> pl.Expr:
    """The first non-empty of the top-level `columns`, then `key` inside meta / metadata."""
    candidates = [pl.col(c).cast(pl.String) for c in columns if c in df.columns]
    candidates += [pl.col(n).str.json_path_match(f"$.{key}") for n in _NESTED if n in df.columns]
    return pl.coalesce([pl.when(c.str.strip_chars() != "").then(c) for c in candidates])


class Documents(Adapter):
    name = "documents"
    kind = "text"
    description = (
        "pretraining documents (C4, dolma, RedPajama, data-juicer, Wikipedia dumps): text, id?, url?, "
        "language|lang?, license?, domain?, source|data_source?, title?, meta?, metadata?; "
        "options domain (web, code, books, math, wikipedia, papers, multilingual), language"
    )
    input_schema = pa.schema(
        [
            req("text", pa.string()),
            json_text("id"),
            opt("url", pa.string()),
            opt("language", pa.string()),
            opt("lang", pa.string()),
            opt("license", pa.string()),
            opt("domain", pa.string()),
            opt("source", pa.string()),
            opt("data_source", pa.string()),
            opt("title", pa.string()),
            opt("added", pa.string()),
            opt("created", pa.string()),
            json_text("meta"),
            json_text("metadata"),
            json_text("stats"),
        ]
    )
    id_field = "id"

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        domain = options.get("domain")
        if domain is not None and domain not in DOMAINS:
            raise ValueError(f"adapter 'documents': unknown domain {domain!r}; known: {', '.join(DOMAINS)}")

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        return ("domain", "language")

    def _option(self, name: str) -> pl.Expr:
        value = self.options.get(name)
        return pl.lit(None if value is None else str(value), dtype=pl.String)

    def map(self, df: pl.DataFrame) -> pl.DataFrame:
        return df.select(
            pl.col("text"),
            _stated(df, "source", "data_source", "source").alias("data_source"),
            pl.coalesce(_stated(df, "domain", "domain"), self._option("domain")).alias("domain"),
            pl.coalesce(
                _stated(df, "language", "language", "lang"),
                pl.col("stats").str.json_path_match("$.lang"),
                self._option("language"),
            ).alias("language"),
            _stated(df, "url", "url").alias("url"),
            _stated(df, "path").alias("path"),
            _stated(df, "license", "license").alias("license"),
            extra_json(df, ["title", "added", "created", *_JSON], json_names=_JSON).alias("extra"),
        )
