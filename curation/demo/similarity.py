"""Word 5-gram Jaccard similarity, and a guard that keeps generated rows apart.

Templated text is the risk: two word problems from one template, or two answers around
the same code, can land closer than a MinHash dedup's threshold by accident. Every clean
row passes the guard, so the only near duplicates in the demo are the planted ones and
their count is right. The tokenisation is the usual dedup one (lower case, word
characters), close to what datatrove and text-dedup shingle.
"""

from __future__ import annotations

import re
from collections import Counter

SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+")

# A generated row may share at most this Jaccard with any earlier one; planted near
# duplicates are made to share at least NEAR_DUPLICATE_MIN. The gap between the two is
# room for a dedup whose tokenisation differs a little from this one.
GUARD_MAX = 0.5
NEAR_DUPLICATE_MIN = 0.8


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, n: int = SHINGLE_WORDS) -> frozenset[tuple[str, ...]]:
    toks = tokens(text)
    if len(toks) < n:
        return frozenset([tuple(toks)])
    return frozenset(zip(*(toks[i:] for i in range(n)), strict=False))


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


class SimilarityGuard:
    """Admits a text only if its Jaccard with every admitted text is below `threshold`.

    An inverted index from shingle to admitted texts makes each check proportional to the
    postings the text touches, not to the number of texts admitted.
    """

    def __init__(self, threshold: float = GUARD_MAX) -> None:
        self.threshold = threshold
        self._index: dict[tuple[str, ...], list[int]] = {}
        self._sizes: list[int] = []

    def admit(self, text: str) -> bool:
        sh = shingles(text)
        shared: Counter[int] = Counter()
        for s in sh:
            for i in self._index.get(s, ()):
                shared[i] += 1
        n = len(sh)
        for i, inter in shared.items():
            if inter / (n + self._sizes[i] - inter) >= self.threshold:
                return False
        self.register(sh)
        return True

    def register(self, sh: frozenset[tuple[str, ...]]) -> None:
        i = len(self._sizes)
        self._sizes.append(len(sh))
        for s in sh:
            self._index.setdefault(s, []).append(i)
