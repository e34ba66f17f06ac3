"""unicode_stable.py: a string with no character of changing_class(form) is its own normal form,
so the dedup keys skip the normaliser for it (curation/dedup/keys.py); the keys equal
unicodedata's normal forms either way."""

import random
import unicodedata

import polars as pl
import pytest

from curation.dedup.keys import normalise
from curation.dedup.unicode_stable import FORMS, changing_class, changing_ranges


def _changing(form: str) -> set[int]:
    return {c for lo, hi in changing_ranges(form) if lo < 0x30000 for c in range(lo, hi + 1)}


def _stable_chars(form: str) -> list[str]:
    changing = _changing(form)
    return [chr(c) for c in range(0x80, 0x30000) if not 0xD800 <= c <= 0xDFFF and c not in changing]


@pytest.mark.parametrize("form", FORMS)
def test_strings_of_stable_characters_are_their_own_normal_form(form):
    stable = _stable_chars(form)
    assert len(stable) > 100_000  # most of the assigned characters: the shortcut is worth taking
    # The pairs where composition could act: precomposed letters and syllables, the first
    # characters of canonical compositions, and a sample of everything else; every ordered pair.
    composes = {m.split()[0] for c in range(0x80, 0x30000) if (m := unicodedata.decomposition(chr(c))) and not m.startswith("<")}
    pool = [ch for ch in stable if unicodedata.normalize("NFD", ch) != ch or f"{ord(ch):04X}" in composes]
    rng = random.Random(5)
    pool = rng.sample(pool, 900) + rng.sample(stable, 300) + list("aeouAEOU")
    broken = [a + b for a in pool for b in pool if unicodedata.normalize(form, a + b) != a + b]
    assert not broken, [f"{ord(s[0]):04X} {ord(s[1]):04X}" for s in broken[:5]]
    longer = ["".join(rng.choice(stable) for _ in range(rng.randint(1, 8))) for _ in range(50_000)]
    assert all(unicodedata.normalize(form, s) == s for s in longer)


@pytest.mark.parametrize("form", FORMS)
def test_the_class_holds_what_can_change(form):
    """Combining marks, "Maybe" characters, singletons and Hangul jamo are in the class; Rust reads
    it as the ranges say."""
    changing = _changing(form)
    for ch in ("\u0301", "\u0b3e", "\u1161", "\u11a8", "\u212b", "\u0344", "\u0f73"):  # mark, Maybe, V, T jamo, Å sign
        assert ord(ch) in changing, hex(ord(ch))
    if form == "NFKC":
        assert ord("ﬁ") in changing and ord("Ａ") in changing
    probe = pl.Series([chr(c) for c in range(0x80, 0x3000)] + ["\U00030000", "\U0010fffd", "é", "—", "中"])
    inside = probe.str.contains(changing_class(form)).to_list()
    assert inside == [ord(s) in changing or ord(s) >= 0x30000 for s in probe.to_list()]


def test_keys_equal_unicodedata_with_and_without_changing_characters():
    rng = random.Random(11)
    alphabet = "aé—中ÀÅ\u0301\u0327\u212b\u1100\u1161\u11a8가ﬁＡ\u0b47\u0b3e \t"
    strings = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))) for _ in range(20_000)]
    frame = pl.DataFrame({"s": strings})
    for form in FORMS:
        got = frame.select(normalise(pl.col("s"), (form.lower(),))).to_series().to_list()
        assert got == [unicodedata.normalize(form, s) for s in strings], form
