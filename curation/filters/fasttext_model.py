"""fastText models for the classifier filters: load one by path, pick the text a row is
judged on, and predict over a whole batch in one call.

Loading is cached per (path, size, mtime) so that a filter can hold just the path (a frozen,
picklable dataclass) and each worker process loads the model once. A missing or corrupt
model file raises :class:`ModelError` naming the path, instead of fastText's bare
``ValueError: ... has wrong file format!``.

Which text is judged (``fields``):

- ``"text"``: the document text of a text row; the *final assistant response* of a chat row
  (what a model trained on the row learns to produce);
- ``"prompt"``: the last user turn of a chat row; null for text rows (they have no prompt).

Prediction uses fastText's list form (``model.predict(list, k)``, one C++ loop over the
batch) rather than a Python loop per row. fastText reads one line per input, so newlines
(and carriage returns) become spaces first; null or blank texts are not sent at all.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import fasttext
import numpy as np
import polars as pl
import pyarrow as pa

from curation.filters.turns import last_turn

FIELDS = ("text", "prompt")
LABEL_PREFIX = "__label__"


class ModelError(ValueError):
    """A fastText model file that is missing or cannot be read."""


def load_model(path: str | os.PathLike[str]) -> fasttext.FastText._FastText:
    """The fastText model at `path` (cached; reloaded when the file changes)."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise ModelError(f"fastText model not found: {p} (train one or pass the path of a .bin/.ftz model)")
    stat = p.stat()
    return _load(str(p.resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _load(path: str, size: int, mtime_ns: int) -> fasttext.FastText._FastText:
    # size and mtime are part of the key only so that a retrained model is picked up.
    try:
        return fasttext.load_model(path)
    except (ValueError, RuntimeError, MemoryError) as exc:
        raise ModelError(f"fastText model is corrupt or not a fastText model: {path} ({exc})") from exc


def check_fields(fields: tuple[str, ...]) -> None:
    if not isinstance(fields, tuple) or not fields:
        raise ValueError(f"fields must be a non-empty tuple drawn from {FIELDS}, got {fields!r}")
    bad = [f for f in fields if f not in FIELDS]
    if bad:
        raise ValueError(f"fields: unknown field(s) {bad}; choose from {FIELDS}")
    if len(set(fields)) != len(fields):
        raise ValueError(f"fields has duplicates: {fields!r}")


def check_probability(name: str, value: object, open_low: bool = False) -> None:
    """ValueError naming `name` unless value is a number in [0, 1] ((0, 1] with open_low)."""
    low_ok = value > 0 if open_low else value >= 0  # type: ignore[operator]
    if isinstance(value, bool) or not isinstance(value, int | float) or not (low_ok and value <= 1):
        raise ValueError(f"{name} must be a probability in {'(' if open_low else '['}0, 1], got {value!r}")


def require_label(model: fasttext.FastText._FastText, label: str, path: object) -> None:
    """ModelError unless the model at `path` has `label` (given without prefix)."""
    if f"{LABEL_PREFIX}{label}" not in model.get_labels():
        raise ModelError(f"model {path} has no label {LABEL_PREFIX}{label}; its labels are {model.get_labels()}")


def field_texts(table: pa.Table, field: str) -> pl.Series:
    """The text each row is judged on for `field` (see the module docstring); null when none."""
    frame = pl.from_arrow(table.select(["kind", "messages", "text"]))
    chat = pl.col("kind") == "chat"
    if field == "text":
        expr = pl.when(chat).then(last_turn("assistant")).otherwise(pl.col("text"))
    elif field == "prompt":
        expr = pl.when(chat).then(last_turn("user")).otherwise(pl.lit(None, pl.String))
    else:
        raise ValueError(f"unknown field {field!r}; choose from {FIELDS}")
    return frame.select(expr.alias(field)).to_series()


def predict(
    model: fasttext.FastText._FastText, texts: pl.Series, k: int
) -> tuple[np.ndarray, list[list[str]], list[np.ndarray]]:
    """(positions predicted, top-k labels without prefix, their probabilities) for non-blank texts.

    k = -1 asks for every label of the model (fastText's own convention).
    """
    one_line = texts.str.replace_all(r"[\r\n]+", " ")
    present = one_line.str.strip_chars().str.len_chars().fill_null(0) > 0
    idx = np.flatnonzero(present.to_numpy())
    batch = one_line.filter(present).to_list()
    if not batch:
        return idx, [], []
    labels, probs = model.predict(batch, k=k)
    cut = len(LABEL_PREFIX)
    stripped = [[lab[cut:] if lab.startswith(LABEL_PREFIX) else lab for lab in row] for row in labels]
    return idx, stripped, [np.asarray(p, dtype=np.float64) for p in probs]


def label_prob(model: fasttext.FastText._FastText, texts: pl.Series, label: str) -> np.ndarray:
    """Probability of `label` (without prefix) for every row; NaN where the text is blank."""
    require_label(model, label, "given")
    out = np.full(len(texts), np.nan)
    idx, labels, probs = predict(model, texts, k=-1)
    # With k=-1 each row lists every label, so the wanted one is always there.
    out[idx] = [p[row.index(label)] for row, p in zip(labels, probs, strict=True)]
    return out
