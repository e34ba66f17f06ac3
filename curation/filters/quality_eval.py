"""Training data and a held-out check for the quality classifier (`curate quality train`).

Texts come from run directories (canonical parts, every source, or the `text` field as
fasttext_model.field_texts defines it: a document's text, a chat's final answer). The
holdout split is a seeded permutation, so the same runs and seed hold out the same texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from curation.filters.fasttext_model import field_texts, label_prob, load_model
from curation.filters.quality_classifier import HQ
from curation.record import CANONICAL_SCHEMA
from curation.report import load_summary
from curation.source_stages import source_parts


def run_texts(run_dirs: Sequence[Path], field: str = "text") -> list[str]:
    """The non-blank `field` texts of every kept row of the runs, in run / source / part order."""
    if not run_dirs:
        raise ValueError("give at least one run directory")
    texts: list[str] = []
    for run_dir in run_dirs:
        for source in load_summary(run_dir).sources:
            for part in source_parts(run_dir, source.name):
                column = field_texts(pq.read_table(part, schema=CANONICAL_SCHEMA), field)
                texts += column.filter(column.str.strip_chars().str.len_chars().fill_null(0) > 0).to_list()
    if not texts:
        raise ValueError(f"no non-blank {field!r} text in {', '.join(map(str, run_dirs))}")
    return texts


def split_holdout(texts: list[str], fraction: float, seed: int) -> tuple[list[str], list[str]]:
    """(train, held out): a seeded `fraction` of the texts held out, at least one kept to train."""
    order = np.random.default_rng(seed).permutation(len(texts))
    n_test = min(int(len(texts) * fraction), len(texts) - 1)
    test = set(order[:n_test].tolist())
    return [t for i, t in enumerate(texts) if i not in test], [texts[i] for i in sorted(test)]


def holdout_accuracy(model_path: Path, positive: list[str], negative: list[str]) -> float | None:
    """Share of held-out texts on the right side of P(hq) = 0.5; None with nothing held out."""
    if not positive and not negative:
        return None
    model = load_model(model_path)
    p_pos = label_prob(model, pl.Series(positive, dtype=pl.String), HQ)
    p_neg = label_prob(model, pl.Series(negative, dtype=pl.String), HQ)
    right = int((p_pos >= 0.5).sum()) + int((p_neg < 0.5).sum())
    return right / (len(positive) + len(negative))
