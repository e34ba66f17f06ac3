"""The Wind-Edge local quality polish set ("wind-edge-1.6-polish-2m"): generate, write, verify.

The seed report's last stage fixed identity, greeting, simple arithmetic, list sorting and
concise code answers with a small local set; this builds such a set from four generators
(polish_identity, polish_arithmetic, polish_sorting, polish_code) whose every answer is
computed, then checked by polish_verify, which recomputes it on its own.

Determinism: the rows depend only on (seed, name, maker, weights) -- the same call gives the
same rows on any machine, and a longer set starts with the shorter one. Each row's domain comes from a fixed
schedule that keeps every prefix's domain counts within one row of weight x rows; each domain
draws from its own seeded stream. No two rows ask the same thing (prompt = every turn before
the final answer): a repeated prompt is drawn again.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path

from curation.fileio import atomic_write_text
from curation.generators import polish_arithmetic, polish_code, polish_identity, polish_sorting
from curation.generators.polish_row import DOMAINS, from_jsonl_line, jsonl_line, make_row, prompt_key
from curation.generators.polish_verify import PolishVerificationError, verify_row

__all__ = [
    "DEFAULT_WEIGHTS",
    "PolishVerificationError",
    "polish_rows",
    "schedule",
    "verify_jsonl",
    "verify_row",
    "write_polish_jsonl",
]

# Share of rows per domain. Arithmetic and code get the most: they carry the most distinct
# content; sorting stays at a fifth (the first Wind-Edge model collapsed into a sorting template).
DEFAULT_WEIGHTS: dict[str, float] = {"identity": 0.2, "arithmetic": 0.3, "sorting": 0.2, "code": 0.3}
# Consecutive repeated prompts tolerated before a domain counts as exhausted.
MAX_REDRAWS = 1_000


def _check_weights(weights: Mapping[str, float]) -> dict[str, Fraction]:
    unknown = sorted(set(weights) - set(DOMAINS))
    if unknown:
        raise ValueError(f"weights: unknown domain(s) {unknown}; known: {', '.join(DOMAINS)}")
    exact: dict[str, Fraction] = {}
    for domain, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, int | float) or not w >= 0 or w == float("inf"):
            raise ValueError(f"weights[{domain!r}] must be a finite number >= 0, got {w!r}")
        exact[domain] = Fraction(w)
    total = sum(exact.values(), Fraction(0))
    if total == 0:
        raise ValueError("weights: all zero")
    return {d: exact[d] / total for d in DOMAINS if exact.get(d, 0) > 0}


def schedule(n: int, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> list[str]:
    """The domain of each of `n` rows: row i goes to the domain furthest below its share of the first
    i + 1 rows (ties in DOMAINS order), so every prefix is within one row of weight x rows per domain."""
    shares = _check_weights(weights)
    counts = dict.fromkeys(shares, 0)
    out = []
    for i in range(1, n + 1):
        domain = max(shares, key=lambda d: shares[d] * i - counts[d])  # max() keeps the first of equals
        counts[domain] += 1
        out.append(domain)
    return out


def _check_identity(name: str, maker: str) -> None:
    for param, value in (("name", name), ("maker", maker)):
        if not isinstance(value, str) or not value.strip() or value != value.strip() or "\n" in value:
            raise ValueError(
                f"{param} must be a non-empty one-line string without outer spaces, got {value!r}"
            )


def polish_rows(
    n: int, seed: int, name: str, maker: str, weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> list[dict]:
    """`n` rows {id, messages: [{role, content}], meta: {domain, task[, name, maker]}}.

    name, maker: the served identity that identity answers state. weights: share of rows per
    domain (normalised; DEFAULT_WEIGHTS). Raises ValueError on a bad parameter, or when a domain
    cannot produce enough distinct prompts (a few thousand identity prompts exist; the other
    domains are practically unbounded).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an int >= 0, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be an int, got {seed!r}")
    _check_identity(name, maker)
    draws: dict[str, Callable[[random.Random], tuple[list[dict], str]]] = {
        "identity": lambda rng: polish_identity.draw(rng, name, maker),
        "arithmetic": polish_arithmetic.draw,
        "sorting": polish_sorting.draw,
        "code": polish_code.draw,
    }
    # str seeds are hashed with SHA-512 by random.seed: the same stream on every platform and version.
    rngs = {d: random.Random(f"wind-edge-polish/{seed}/{d}") for d in DOMAINS}
    seen: set[str] = set()
    rows = []
    for domain in schedule(n, weights):
        for _ in range(MAX_REDRAWS):
            messages, task = draws[domain](rngs[domain])
            key = prompt_key(messages)
            if key not in seen:
                break
        else:
            raise ValueError(
                f"{domain}: no new prompt in {MAX_REDRAWS} draws after {len(rows)} rows; ask for fewer rows"
            )
        seen.add(key)
        extra = {"name": name, "maker": maker} if domain == "identity" else {}
        rows.append(make_row(messages, task, **extra))
    return rows


def write_polish_jsonl(
    path: str | Path, n: int, seed: int, name: str, maker: str, weights: Mapping[str, float] = DEFAULT_WEIGHTS
) -> int:
    """Write `n` verified rows as OpenAI-messages JSONL (the `openai_messages` adapter reads it)
    atomically to `path`; returns the number of rows. Every row passes verify_row first."""
    rows = polish_rows(n, seed, name, maker, weights)
    for row in rows:
        verify_row(row)
    atomic_write_text(Path(path), "".join(jsonl_line(row) + "\n" for row in rows))
    return len(rows)


def verify_jsonl(path: str | Path) -> int:
    """Verify every row of a polish JSONL file; returns the row count. PolishVerificationError on
    the first bad row (its line number in the message)."""
    count = 0
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                verify_row(from_jsonl_line(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise PolishVerificationError(f"{path}:{line_no}: {exc}") from exc
            count += 1
    return count
