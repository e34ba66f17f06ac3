"""Building one demo corpus: clean rows through the similarity guard, then planted problems.

The builder keeps the bookkeeping honest: every planted row is counted under its key
when it is added, clean rows used as the originals of duplicates are not reused for
another planted problem, and the final order is a seeded shuffle.
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from curation.demo import damage
from curation.demo.similarity import SimilarityGuard, tokens
from curation.demo.writers import Row

MAX_TRIES = 400  # candidates per admitted row before the generator is declared too narrow


class GeneratorExhausted(RuntimeError):
    """A content generator kept producing rows too similar to earlier ones."""


@dataclass
class Context:
    """What all corpora of one generation share: the seed, the guard, one-use decks of
    hand-written items, and clean rows offered to later corpora as cross-source copies."""

    seed: int
    guard: SimilarityGuard = field(default_factory=SimilarityGuard)
    decks: dict[str, list] = field(default_factory=dict)
    shared: dict[str, list[dict]] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        return random.Random(f"curation-demo:{self.seed}:{name}")

    def deal(self, deck: str, items: Sequence) -> object | None:
        """The next unused item of a hand-written pool (each is used once per demo), or None."""
        if deck not in self.decks:
            cards = list(items)
            self.rng(f"deck:{deck}").shuffle(cards)
            self.decks[deck] = cards
        cards = self.decks[deck]
        return cards.pop() if cards else None


class CorpusBuilder:
    """Rows of one corpus: `clean` ones and planted ones, each planted row counted once."""

    def __init__(self, ctx: Context, name: str, text_of: Callable[[dict], str],
                 vary: Callable[[dict, random.Random], dict] | None = None) -> None:
        self.ctx = ctx
        self.name = name
        self.rng = ctx.rng(name)
        self.text_of = text_of
        # Makes a copy differ from its original outside the content (a new id, another upstream
        # subset, a mirror URL), so the copy reaches the dedup stage; without it a copy is the
        # very same row (the same content id; the ingest keeps it as `<id>#2` for exact dedup).
        self.vary = vary
        self.clean: list[dict] = []
        self.planted_rows: list[Row] = []
        self.planted: Counter[str] = Counter()
        self._used: set[int] = set()  # clean rows already the original of a planted copy

    # --- clean rows -----------------------------------------------------------------

    def fresh(self, make: Callable[[random.Random], dict | None]) -> dict:
        """A new row from `make` that the guard admits (dissimilar to every earlier row)."""
        for _ in range(MAX_TRIES):
            row = make(self.rng)
            if row is not None and self.ctx.guard.admit(self.text_of(row)):
                return row
        raise GeneratorExhausted(f"demo corpus {self.name}: no admissible row after {MAX_TRIES} tries")

    def fill(self, n: int, make: Callable[[random.Random], dict | None]) -> None:
        for _ in range(n):
            self.clean.append(self.fresh(make))

    # --- planted rows ---------------------------------------------------------------

    def plant(self, key: str, row: Row, n: int = 1) -> None:
        """Add an already made problem row (counted `n` times under `key`)."""
        self.planted_rows.append(row)
        self.planted[key] += n

    def plant_fresh(self, key: str, make: Callable[[random.Random], dict | None]) -> dict:
        """Add a guarded new row that carries a problem (identity claim, refusal, ...)."""
        row = self.fresh(make)
        self.plant(key, row)
        return row

    def take_clean(self, k: int, min_tokens: int = 0) -> list[dict]:
        """k clean rows not yet used as originals, seeded choice; marked used."""
        pool = [i for i, r in enumerate(self.clean)
                if i not in self._used and len(tokens(self.text_of(r))) >= min_tokens]
        if len(pool) < k:
            raise GeneratorExhausted(f"demo corpus {self.name}: only {len(pool)} rows left to copy, need {k}")
        picked = sorted(self.rng.sample(pool, k))
        self._used.update(picked)
        return [self.clean[i] for i in picked]

    def exact_duplicates(self, originals: int, extra_copies: int | None = None) -> None:
        """Repeat `originals` clean rows (one of them more than once when extra_copies says so).

        Counted as `exact_duplicate` (same content, for the dedup stage) when the corpus can
        vary a copy, else as `duplicate_row` (the identical row: same content id, `#2` at ingest).
        """
        rows = self.take_clean(originals)
        copies = [*rows, *(rows[:1] * ((extra_copies or originals) - originals))]
        seen = {json.dumps(r, sort_keys=True) for r in rows}
        for row in copies:
            copy_ = self._copy(row)
            for _ in range(20):  # varied copies must also differ from each other
                if not self.vary or json.dumps(copy_, sort_keys=True) not in seen:
                    break
                copy_ = self._copy(row)
            else:
                raise GeneratorExhausted(f"demo corpus {self.name}: cannot vary a copy of a row again")
            seen.add(json.dumps(copy_, sort_keys=True))
            self.plant("exact_duplicate" if self.vary else "duplicate_row", copy_)

    def near_duplicates(self, k: int) -> None:
        """k rows that each differ from a clean original by a small edit (Jaccard >= 0.8)."""
        pool = [i for i, r in enumerate(self.clean)
                if i not in self._used and len(tokens(self.text_of(r))) >= 45]
        self.rng.shuffle(pool)
        made = 0
        for i in pool:
            if made == k:
                break
            near = damage.near_copy(self._copy(self.clean[i]), self.text_of, self.rng)
            if near is not None:
                self._used.add(i)
                self.plant("near_duplicate", near)
                made += 1
        if made < k:
            raise GeneratorExhausted(f"demo corpus {self.name}: made {made} near duplicates, need {k}")

    def cross_duplicates(self, rows: list[dict]) -> None:
        """Rows copied from another corpus (already converted to this corpus's schema)."""
        for row in rows:
            self.plant("exact_duplicate:cross_source", row)

    def offer(self, key: str, k: int, where: Callable[[dict], bool] = lambda r: True) -> None:
        """Set k clean rows aside in ctx.shared[key] for a later corpus to copy."""
        pool = [i for i, r in enumerate(self.clean) if i not in self._used and where(r)]
        picked = sorted(self.rng.sample(pool, k))
        self._used.update(picked)
        self.ctx.shared[key] = [copy.deepcopy(self.clean[i]) for i in picked]

    def _copy(self, row: dict) -> dict:
        row = copy.deepcopy(row)
        return self.vary(row, self.rng) if self.vary else row

    # --- malformed rows ---------------------------------------------------------------

    def malformed_json(self, n: int, make: Callable[[random.Random], dict | None]) -> None:
        for _ in range(n):
            self.plant("malformed:json", damage.broken_json(self.fresh(make), self.rng))

    def malformed_utf8(self, n: int, make: Callable[[random.Random], dict | None], field: str) -> None:
        for _ in range(n):
            self.plant("malformed:utf8", damage.bad_utf8(self.fresh(make), field))

    def malformed_type(self, n: int, make: Callable[[random.Random], dict | None], field: str) -> None:
        for _ in range(n):
            self.plant("malformed:type", damage.wrong_type(self.fresh(make), field, self.rng))

    def malformed_missing(self, n: int, make: Callable[[random.Random], dict | None], field: str) -> None:
        for _ in range(n):
            self.plant("malformed:missing_field", damage.missing(self.fresh(make), field))

    # --- result ---------------------------------------------------------------------

    def rows(self) -> list[Row]:
        """All rows in a seeded order (planted rows scattered among clean ones)."""
        out: list[Row] = [*self.clean, *self.planted_rows]
        self.rng.shuffle(out)
        return out

    def planted_counts(self) -> dict[str, int]:
        return {k: v for k, v in sorted(self.planted.items()) if v}
