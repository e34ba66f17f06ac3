"""Toxicity filter: a fastText toxicity classifier, a user word list, or both.

- Classifier (``model_path``): drop a row when P(``toxic_label``) >= ``threshold``. Default
  0.4: Dolma's cut for its Jigsaw-trained fastText toxicity classifiers (Soldaini et al.,
  2024, "Dolma", §toxic content). ``toxic_label`` must name a label the model has
  (Dolma's models: ``toxic``).
- Word list (``words_path``): a UTF-8 file, one word or phrase a line, ``#`` comments. The
  list is compiled once into one case-insensitive, whole-word regex run over the text
  column; the detail masks the match (``d**n``) so reports do not repeat slurs. The project
  ships no list: the user supplies one suited to their data.

Which texts are judged: ``fields`` as in fasttext_model (documents: text; chat rows: the
final assistant response, plus the last user turn with ``"prompt"``).

Reasons ``toxicity:classifier`` (detail ``toxic 0.93 >= 0.4``) and ``toxicity:wordlist``
(detail ``matched "d**n"``); ``[prompt]`` is added when the prompt field matched. The word
list is checked first: its verdict is exact, the classifier's is a probability.
"""

from __future__ import annotations

import os
import re
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
    label_prob,
    load_model,
    require_label,
)

DOLMA_TOXICITY_THRESHOLD = 0.4


def read_words(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """The words and phrases of a word-list file (blank lines and # comments skipped)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise ValueError(f"words_path: word list not found: {p}")
    words = [line.strip() for line in p.read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if w and not w.startswith("#")]
    if not words:
        raise ValueError(f"words_path: {p} holds no words")
    return tuple(words)


def word_pattern(words: tuple[str, ...]) -> str:
    """One case-insensitive regex matching any of `words` as whole words.

    Longest first, so a phrase wins over a word it starts with. (?:^|\\W) / (?:\\W|$) instead of
    \\b so that entries beginning or ending with punctuation still match as whole tokens.
    """
    alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
    return rf"(?i)(?:^|\W)({alternatives})(?:\W|$)"


def mask(word: str) -> str:
    """First and last character kept, the rest starred (a one- or two-letter word: all stars)."""
    if len(word) <= 2:
        return "*" * len(word)
    return word[0] + "*" * (len(word) - 2) + word[-1]


@dataclass(frozen=True)
class ToxicityFilter:
    """Drop toxic rows by classifier and/or word list (see the module docstring).

    model_path: fastText toxicity classifier, or None. threshold: least P(toxic) that drops
    (0.4, Dolma). toxic_label: the classifier's toxic label without prefix. words_path: word
    list file, or None. fields: texts judged, from ("text", "prompt"). At least one of
    model_path / words_path is required.
    """

    model_path: str | os.PathLike[str] | None = None
    threshold: float = DOLMA_TOXICITY_THRESHOLD
    toxic_label: str = "toxic"
    words_path: str | os.PathLike[str] | None = None
    fields: tuple[str, ...] = ("text",)
    _pattern: str | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        if self.model_path is None and self.words_path is None:
            raise ValueError("give model_path, words_path, or both")
        check_probability("threshold", self.threshold, open_low=True)
        if not isinstance(self.toxic_label, str) or not self.toxic_label or self.toxic_label.startswith(LABEL_PREFIX):
            raise ValueError(f"toxic_label must be a label name without {LABEL_PREFIX}, got {self.toxic_label!r}")
        check_fields(self.fields)
        if self.model_path is not None:
            require_label(load_model(self.model_path), self.toxic_label, self.model_path)
        # Compiled once here (frozen dataclass: set through object.__setattr__), not per batch.
        pattern = None if self.words_path is None else word_pattern(read_words(self.words_path))
        object.__setattr__(self, "_pattern", pattern)

    def __call__(self, table: pa.Table) -> Verdicts:
        n = table.num_rows
        reason = pl.Series("reason", [None] * n, dtype=pl.String)
        detail = pl.Series("detail", [None] * n, dtype=pl.String)
        texts = {fld: field_texts(table, fld) for fld in self.fields}
        checks = []
        if self._pattern is not None:
            checks += [(fld, self._wordlist) for fld in self.fields]
        if self.model_path is not None:
            checks += [(fld, self._classifier) for fld in self.fields]
        for fld, check in checks:
            code, text = check(texts[fld])
            suffix = "" if fld == "text" else f" [{fld}]"
            hit = code.is_not_null() & reason.is_null()
            rows = np.flatnonzero(hit.to_numpy())
            reason = reason.scatter(rows, code.filter(hit))
            detail = detail.scatter(rows, text.filter(hit) + suffix)
        return Verdicts(reason.to_arrow(), detail.to_arrow())

    def _wordlist(self, texts: pl.Series) -> tuple[pl.Series, pl.Series]:
        found = texts.str.extract(self._pattern, 1)
        masked = found.replace_strict({w: mask(w) for w in found.drop_nulls().unique()}, default=None)
        code = pl.select(pl.when(found.is_not_null()).then(pl.lit("toxicity:wordlist"))).to_series()
        return code, 'matched "' + masked + '"'

    def _classifier(self, texts: pl.Series) -> tuple[pl.Series, pl.Series]:
        probs = pl.Series(label_prob(load_model(self.model_path), texts, self.toxic_label)).fill_nan(None)
        hit = probs >= self.threshold
        code = pl.select(pl.when(hit).then(pl.lit("toxicity:classifier"))).to_series()
        text = f"{self.toxic_label} " + probs.round(2).cast(pl.String) + f" >= {self.threshold}"
        return code, text
