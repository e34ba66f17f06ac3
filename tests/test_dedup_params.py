"""Banding parameters: datasketch parity, the project's recall-driven default, validation."""

import math

import numpy as np
import pytest
from datasketch.lsh import _optimal_param

from curation.dedup.params import (
    LshParams,
    candidate_probability,
    optimal_param,
    recall_param,
)


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.9])
@pytest.mark.parametrize("num_perm", [64, 128])
def test_optimal_param_matches_datasketch(threshold, num_perm):
    assert optimal_param(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_optimal_param_is_deterministic_and_9x13_at_08():
    assert optimal_param(0.8, 128) == optimal_param(0.8, 128) == (9, 13)
    # The reason the project does not use it: a pair at exactly 0.8 is found ~40% of the time.
    assert 0.38 < candidate_probability(0.8, 9, 13) < 0.42


def test_default_is_21x6_with_high_recall_at_threshold():
    p = LshParams.for_threshold()
    assert (p.threshold, p.num_perm, p.bands, p.rows) == (0.8, 128, 21, 6)
    assert p.candidate_probability(0.8) >= 0.99
    assert p.candidate_probability(0.3) < 0.02
    assert 0.55 < p.candidate_threshold < 0.65
    # One more row per band would miss the recall target.
    assert candidate_probability(0.8, 128 // 7, 7) < 0.99
    assert recall_param(0.8, 112) == (18, 6)


def test_candidate_probability_vectorised_and_monotone():
    s = np.linspace(0, 1, 11)
    p = candidate_probability(s, 21, 6)
    assert p.shape == s.shape
    assert p[0] == 0.0 and p[-1] == 1.0
    assert np.all(np.diff(p) >= 0)
    assert isinstance(candidate_probability(0.5, 2, 3), float)
    assert math.isclose(candidate_probability(0.5, 2, 3), 1 - (1 - 0.125) ** 2)


def test_datasketch_optimal_constructor():
    p = LshParams.datasketch_optimal(0.8, 128)
    assert (p.bands, p.rows) == (9, 13)


@pytest.mark.parametrize("bad", [0, 0.0, -0.1, 1.01, float("nan"), "0.8", None, True])
def test_threshold_validation_names_threshold(bad):
    with pytest.raises(ValueError, match="threshold"):
        LshParams(bad, 128, 21, 6)
    with pytest.raises(ValueError, match="threshold"):
        LshParams.for_threshold(bad)


def test_threshold_one_is_allowed():
    assert LshParams(1, 128, 1, 128).threshold == 1.0


def test_bands_rows_validation():
    with pytest.raises(ValueError, match="num_perm"):
        LshParams(0.8, 128, 16, 9)
    for name, args in (
        ("num_perm", (0.8, 0, 1, 1)),
        ("bands", (0.8, 128, 0, 6)),
        ("rows", (0.8, 128, 2, -1)),
    ):
        with pytest.raises(ValueError, match=name):
            LshParams(*args)
    with pytest.raises(ValueError, match="num_perm"):
        recall_param(0.8, 0)
