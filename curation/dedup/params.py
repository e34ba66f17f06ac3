"""LSH banding parameters (bands x rows) for a Jaccard threshold.

With ``b`` bands of ``r`` rows, a pair of documents at Jaccard similarity ``s`` shares at
least one band, i.e. becomes a *candidate*, with probability ``1 - (1 - s**r)**b``
(:func:`candidate_probability`).

datasketch's :func:`optimal_param` (reimplemented here, same result, no scipy) minimises
the unweighted sum of the false-positive area (the curve below the threshold) and the
false-negative area (one minus the curve above it). At threshold 0.8 with 128 permutations
it picks 9 x 13, whose S-curve is centred *on* 0.8: a pair at exactly J = 0.8 becomes a
candidate only ~40% of the time (``candidate_probability(0.8, 9, 13) = 0.399``), and pairs
slightly above the threshold are lost in bulk.

The project's choice (:meth:`LshParams.for_threshold`, :func:`recall_param`): band for a
*lower* candidate threshold and verify every candidate pair by its estimated Jaccard
(fraction of equal signature values) against the real threshold. Candidates are cheap to
verify; lost pairs cannot be recovered. So take the largest number of rows ``r`` (fewest
false candidates) such that ``b = num_perm // r`` bands still make a pair at exactly the
threshold a candidate with probability >= ``min_recall`` (default 0.99). Defaults,
threshold 0.8 and 128 permutations: **21 bands x 6 rows** (126 of the 128 values used),

- P(candidate | J=0.9) = 1.0000, J=0.8: 0.9983, J=0.7: 0.9278, J=0.5: 0.2816,
  J=0.3: 0.0152;
- the S-curve's midpoint ``(1/b)**(1/r)`` (:attr:`LshParams.candidate_threshold`) is 0.60,
  i.e. this is datasketch-style banding for a ~0.6 threshold, followed by verification at
  0.8. (7 rows x 18 bands would give only 0.9855 at J=0.8.)
- other permutation counts at 0.8: 112 -> 18 x 6, 240 -> 30 x 8.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "LshParams",
    "candidate_probability",
    "false_negative_area",
    "false_positive_area",
    "optimal_param",
    "recall_param",
]


def candidate_probability(s: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """Probability that a pair at Jaccard ``s`` shares a band: ``1 - (1 - s**rows)**bands``."""
    arr = np.asarray(s, dtype=np.float64)
    p = 1.0 - (1.0 - arr**rows) ** bands
    return float(p) if p.ndim == 0 else p


@functools.cache
def _gauss_legendre(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(m)


def _integrate(f, lo: float, hi: float, degree: int) -> float:
    # Gauss-Legendre with m nodes is exact for polynomials of degree <= 2m - 1; the
    # integrands are polynomials of degree bands * rows <= num_perm.
    if hi <= lo:
        return 0.0
    x, w = _gauss_legendre(min(max(degree // 2 + 1, 8), 256))
    xs = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    return float(0.5 * (hi - lo) * np.dot(w, f(xs)))


def false_positive_area(threshold: float, bands: int, rows: int) -> float:
    """Integral of the candidate probability over ``[0, threshold]`` (datasketch's definition)."""
    return _integrate(lambda s: candidate_probability(s, bands, rows), 0.0, threshold, bands * rows)


def false_negative_area(threshold: float, bands: int, rows: int) -> float:
    """Integral of ``1 -`` the candidate probability over ``[threshold, 1]``."""
    return _integrate(lambda s: 1.0 - candidate_probability(s, bands, rows), threshold, 1.0, bands * rows)


def _check_threshold(threshold: float, name: str = "threshold") -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must be a number in (0, 1], got {threshold!r}")
    t = float(threshold)
    if not (0.0 < t <= 1.0):  # also rejects NaN
        raise ValueError(f"{name} must be in (0, 1], got {threshold!r}")
    return t


def _check_positive_int(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def optimal_param(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """``(bands, rows)`` minimising the weighted false-positive + false-negative areas.

    Same search and tie-breaking as ``datasketch.lsh._optimal_param`` (bands ascending, then
    rows ascending, strict improvement), with exact quadrature instead of scipy's ``quad``;
    deterministic.
    """
    threshold = _check_threshold(threshold)
    num_perm = _check_positive_int(num_perm, "num_perm")
    min_error = math.inf
    opt = (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = false_positive_area(threshold, b, r)
            fn = false_negative_area(threshold, b, r)
            error = fp * false_positive_weight + fn * false_negative_weight
            if error < min_error:
                min_error = error
                opt = (b, r)
    return opt


def recall_param(threshold: float, num_perm: int, min_recall: float = 0.99) -> tuple[int, int]:
    """``(bands, rows)``: the most rows ``r`` with ``b = num_perm // r`` bands such that a pair
    at exactly ``threshold`` becomes a candidate with probability >= ``min_recall``.

    One row per band (``b = num_perm``) is the fallback when no ``r`` reaches ``min_recall``.
    """
    threshold = _check_threshold(threshold)
    num_perm = _check_positive_int(num_perm, "num_perm")
    min_recall = _check_threshold(min_recall, "min_recall")
    for r in range(num_perm, 0, -1):
        b = num_perm // r
        if candidate_probability(threshold, b, r) >= min_recall:
            return b, r
    return num_perm, 1


@dataclass(frozen=True)
class LshParams:
    """Banding for a target Jaccard ``threshold``: ``bands`` x ``rows`` <= ``num_perm``.

    Candidates from the bands are meant to be verified by estimated Jaccard >= ``threshold``.
    """

    threshold: float
    num_perm: int
    bands: int
    rows: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", _check_threshold(self.threshold))
        for name in ("num_perm", "bands", "rows"):
            object.__setattr__(self, name, _check_positive_int(getattr(self, name), name))
        if self.bands * self.rows > self.num_perm:
            raise ValueError(
                f"bands * rows must be <= num_perm, got {self.bands} * {self.rows} > {self.num_perm}"
            )

    @classmethod
    def for_threshold(
        cls, threshold: float = 0.8, num_perm: int = 128, min_recall: float = 0.99
    ) -> LshParams:
        """The project default: :func:`recall_param` (21 x 6 for 0.8 and 128 permutations)."""
        b, r = recall_param(threshold, num_perm, min_recall)
        return cls(threshold, num_perm, b, r)

    @classmethod
    def datasketch_optimal(
        cls,
        threshold: float = 0.8,
        num_perm: int = 128,
        false_positive_weight: float = 0.5,
        false_negative_weight: float = 0.5,
    ) -> LshParams:
        """datasketch's choice (:func:`optimal_param`; 9 x 13 for 0.8 and 128 permutations)."""
        b, r = optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)
        return cls(threshold, num_perm, b, r)

    @property
    def candidate_threshold(self) -> float:
        """The S-curve's midpoint ``(1 / bands) ** (1 / rows)``."""
        return (1.0 / self.bands) ** (1.0 / self.rows)

    def candidate_probability(self, s: float | np.ndarray) -> float | np.ndarray:
        """Probability that a pair at Jaccard ``s`` becomes a candidate with this banding."""
        return candidate_probability(s, self.bands, self.rows)
