"""Language filter: keep rows whose fastText language-id says they are in a wanted language.

Works with either public language-id model, given by path:

- fastText ``lid.176.bin`` / ``lid.176.ftz`` (labels ``__label__en``, ISO 639-1 codes);
- GlotLID (labels ``__label__eng_Latn``, ISO 639-3 + script).

A wanted code matches a label when it equals it, or equals the part before ``_`` (so ``eng``
matches ``eng_Latn``). Codes are not translated between the two schemes: ask for ``en``
with lid.176 and ``eng`` (or ``eng_Latn``) with GlotLID.

A row is kept when, for every judged field, the top label is wanted and its probability is
at least ``threshold``; rows with no text in a field are not judged on it. Default threshold
0.65: the English cut of FineWeb (Penedo et al., 2024), datatrove ``LanguageFilter``'s
default ``language_threshold``.

Reason ``language:<found>``; detail ``en 0.42 < 0.65`` (wanted but unsure) or
``found de 0.93, wanted en`` (a ``[prompt]`` suffix when the prompt field failed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.base import Verdicts
from curation.filters.fasttext_model import (
    LABEL_PREFIX,
    check_fields,
    check_probability,
    field_texts,
    load_model,
    predict,
)

FINEWEB_LANGUAGE_THRESHOLD = 0.65
_ANY = "\x00*"  # key of the global language list; cannot be a source name from a manifest


def _check_codes(name: str, codes: tuple[str, ...], allow_empty: bool) -> None:
    if not isinstance(codes, tuple) or (not codes and not allow_empty):
        kind = "tuple" if allow_empty else "non-empty tuple"
        raise ValueError(f"{name} must be a {kind} of language codes, got {codes!r}")
    for code in codes:
        if not isinstance(code, str) or not code.strip() or code != code.strip():
            raise ValueError(f"{name}: bad language code {code!r}")
        if code.startswith(LABEL_PREFIX):
            raise ValueError(f"{name}: give codes without the {LABEL_PREFIX} prefix, got {code!r}")


@dataclass(frozen=True)
class LanguageFilter:
    """Drop rows not in a wanted language (see the module docstring).

    model_path: a fastText language-id model (lid.176.bin/.ftz or GlotLID model.bin).
    languages: wanted codes for every source not in `source_languages`.
    threshold: least probability of the top label (0.65, FineWeb).
    source_languages: per-source wanted codes overriding `languages`; an empty tuple leaves
        that source unfiltered (e.g. a multilingual source).
    fields: which texts are judged, from ("text", "prompt"); see fasttext_model.
    """

    model_path: str | Path
    languages: tuple[str, ...] = ("en",)
    threshold: float = FINEWEB_LANGUAGE_THRESHOLD
    source_languages: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    fields: tuple[str, ...] = ("text",)

    def __post_init__(self) -> None:
        _check_codes("languages", self.languages, allow_empty=False)
        if not isinstance(self.source_languages, Mapping):
            raise ValueError(f"source_languages must map source -> tuple of codes, got {self.source_languages!r}")
        for source, codes in self.source_languages.items():
            _check_codes(f"source_languages[{source!r}]", codes, allow_empty=True)
        check_probability("threshold", self.threshold)
        check_fields(self.fields)
        load_model(self.model_path)  # fail now, with the path, if the model is missing or corrupt

    def _allowed(self) -> pl.DataFrame:
        """(key, code) pairs a row may match; key is the source, or _ANY for the global list."""
        pairs = [(_ANY, c) for c in self.languages]
        pairs += [(s, c) for s, codes in self.source_languages.items() for c in codes]
        return pl.DataFrame(pairs, schema={"key": pl.String, "code": pl.String}, orient="row")

    def __call__(self, table: pa.Table) -> Verdicts:
        n = table.num_rows
        model = load_model(self.model_path)
        sources = pl.from_arrow(table.column("source")).cast(pl.String)
        named = list(self.source_languages)
        key = pl.select(pl.when(sources.is_in(named)).then(sources).otherwise(pl.lit(_ANY))).to_series()
        unfiltered = [s for s, codes in self.source_languages.items() if not codes]
        wanted = self._allowed().group_by("key").agg(pl.col("code").str.join(", ").alias("wanted"))
        allowed = self._allowed().select(pl.col("key") + "\t" + pl.col("code")).to_series().to_list()

        reason = pl.Series("reason", [None] * n, dtype=pl.String)
        detail = pl.Series("detail", [None] * n, dtype=pl.String)
        for fld in self.fields:
            idx, labels, probs = predict(model, field_texts(table, fld), k=1)
            if len(idx) == 0:
                continue
            found = pl.DataFrame(
                {
                    "row": idx,
                    "label": [row[0] for row in labels],
                    "prob": np.fromiter((p[0] for p in probs), np.float64, len(idx)),
                    "key": key.gather(idx),
                    "source": sources.gather(idx),
                }
            )
            judged = (
                found.join(wanted, on="key", how="left")
                .with_columns(
                    match=(pl.col("key") + "\t" + pl.col("label")).is_in(allowed)
                    | (pl.col("key") + "\t" + pl.col("label").str.split("_").list.first()).is_in(allowed),
                    p=pl.col("prob").round(2).cast(pl.String),
                )
                .filter(~pl.col("source").is_in(unfiltered))
                .filter(~pl.col("match") | (pl.col("prob") < self.threshold))
            )
            suffix = "" if fld == "text" else f" [{fld}]"
            judged = judged.select(
                "row",
                reason=pl.lit("language:") + pl.col("label"),
                detail=pl.when(pl.col("match"))
                .then(pl.format("{} {} < {}", "label", "p", pl.lit(str(self.threshold))))
                .otherwise(pl.format("found {} {}, wanted {}", "label", "p", "wanted"))
                + pl.lit(suffix),
            )
            # The first failing field gives the reason: fill only rows not yet dropped.
            fresh = reason.gather(judged["row"]).is_null()
            rows = judged["row"].filter(fresh).to_numpy()
            reason = reason.scatter(rows, judged["reason"].filter(fresh))
            detail = detail.scatter(rows, judged["detail"].filter(fresh))
        return Verdicts(reason.to_arrow(), detail.to_arrow())
