"""nfc(): NFC of a column that rewrites only the rows the quick check cannot clear, equal to
pyarrow's utf8_normalize row for row; and token counts through it are unchanged."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc

from curation.tokens import get_tokenizer
from curation.tokens.nfc import maybe_not_nfc, nfc

# ASCII, Latin-1, combining marks, NFC_QC=No/Maybe characters (singletons, excluded compositions,
# Devanagari nukta, Hangul jamo), CJK compatibility ideographs, emoji, variation selectors, private use.
CODE_POINTS = [
    *range(0x20, 0x7F),
    *range(0xC0, 0x400),
    *range(0x1100, 0x1200),
    *range(0xAC00, 0xAC20),
    *range(0x2000, 0x2030),
    *range(0xF900, 0xF910),
    *range(0x1D15E, 0x1D166),
    0x0915, 0x093C, 0x0958, 0x0344, 0x212B, 0x1F600, 0x2F800, 0xE0100, 0xF0000, 0x10FFFD, 0x30000,
]  # fmt: skip


def _random_texts(n: int, seed: int = 0) -> list[str | None]:
    rng = random.Random(seed)
    pool = [chr(c) for c in CODE_POINTS]
    return [None, ""] + ["".join(rng.choice(pool) for _ in range(rng.randint(0, 10))) for _ in range(n)]


def test_nfc_equals_utf8_normalize_on_tricky_text():
    arr = pa.array(_random_texts(20_000), pa.large_string())
    for part in (arr, arr.slice(7, 3_000)):
        out, normalized = nfc(part)
        assert out.equals(pc.utf8_normalize(part, "NFC"))
        changed = pc.not_equal(part, out).fill_null(False).to_numpy(zero_copy_only=False)
        assert not (changed & ~normalized).any()


def test_quick_check_clears_common_nfc_text():
    arr = pa.array(["plain", "café — “quoted” 你好 😀", "ünïcödé", None], pa.large_string())
    assert maybe_not_nfc(arr).tolist() == [False, False, False, False]
    decomposed = pa.array(["cafe\u0301", "\u212b", "\u1100\u1161", "\u0958"], pa.large_string())
    assert maybe_not_nfc(decomposed).tolist() == [True, True, True, True]


def test_counts_unchanged_by_the_quick_check():
    tok = get_tokenizer("qwen3")
    texts = [t for t in _random_texts(2_000, seed=1) if t is not None] + ["<|im_start|>e\u0301<|im_end|>"]
    assert tok.count_batch(texts, threads=1).tolist() == [len(tok.encode(t)) for t in texts]
