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
from itertools import chain

SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+")

# A generated row may share at most this Jaccard with any earlier one; planted near
# duplicates are made to share at least NEAR_DUPLICATE_MIN. The gaps to the usual 0.8
# dedup threshold are room for a dedup whose text or tokenisation differs a little from
# this one (system prompts left out, punctuation kept, ...).
GUARD_MAX = 0.5
NEAR_DUPLICATE_MIN = 0.85


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str, n: int = SHINGLE_WORDS) -> frozenset[int]:
    """The text's word n-grams, each as its hash (a text shorter than n words is one shingle).

    Hashing once makes the guard's index lookups cheap; str hashes vary between
    processes, but only which shingles collide could change, and with 64-bit hashes over
    a demo's few hundred thousand shingles a collision is vanishingly unlikely.
    """
    toks = tokens(text)
    if len(toks) < n:
        return frozenset([hash(tuple(toks))])
    return frozenset(map(hash, zip(*(toks[i:] for i in range(n)), strict=False)))


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
        self._index: dict[int, list[int]] = {}
        self._sizes: list[int] = []

    def admit(self, text: str) -> bool:
        sh = shingles(text)
        shared: Counter[int] = Counter()
        # Counter.update on an iterable counts in C: the postings are the hot loop.
        shared.update(chain.from_iterable(filter(None, map(self._index.get, sh))))
        n, sizes, limit = len(sh), self._sizes, self.threshold
        for i, inter in shared.items():
            if inter >= limit * (n + sizes[i] - inter):
                return False
        self.register(sh)
        return True

    def register(self, sh: frozenset[int]) -> None:
        i = len(self._sizes)
        self._sizes.append(len(sh))
        index = self._index
        for s in sh:
            postings = index.get(s)
            if postings is None:
                index[s] = [i]
            else:
                postings.append(i)
