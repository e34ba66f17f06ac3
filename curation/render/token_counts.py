"""Token counts and token spans of rendered rows, in one batched count over the whole batch.

Every rendered text is cut at its span boundaries and all pieces are counted with one
`count_batch` call (multi-threaded): a row's token count is the sum of its pieces, a span's
token offsets are the running sums at its boundaries. That equals tokenising the whole text
when every cut is a token boundary, which a cut is when it sits next to a special token
(`<|im_end|>`, `<|im_start|>`) or right after a newline with no whitespace following: Qwen's
pre-tokenizer never joins a newline to the letters, digits or punctuation after it, and a
special token is always its own token. A row with any other cut (a target starting with
whitespace, the proof format's derivation ending in "." before "\\nFinal Answer:") is counted
whole instead, exactly, and its span offsets are the token counts of the text before each
boundary: exact at a token boundary, else within the one token the boundary falls inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

import numpy as np


def count_tokens_and_spans(
    texts: Sequence[str], spans: Sequence[Sequence[dict]], tok
) -> tuple[np.ndarray, list[list[dict]]]:
    """(token count per row, token spans per row: [{start, end, kind}] in token offsets)."""
    specials = tuple(tok.special_tokens)
    pieces: list[str] = []
    plans = []  # per row: ("pieces", first piece index, cuts) or ("prefixes", first index, cuts)
    for text, row_spans in zip(texts, spans, strict=True):
        cuts = sorted({0, len(text), *(s["start"] for s in row_spans), *(s["end"] for s in row_spans)})
        inner = cuts[1:-1]
        if all(_clean_cut(text, b, specials) for b in inner):
            plans.append(("pieces", len(pieces), cuts))
            pieces += [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
        else:
            plans.append(("prefixes", len(pieces), cuts))
            pieces += [text[:b] for b in cuts[1:]]
    counts = tok.count_batch(pieces, allow_special=True).tolist() if pieces else []
    totals: list[int] = []
    token_spans: list[list[dict]] = []
    for (how, first, cuts), row_spans in zip(plans, spans, strict=True):
        own = counts[first : first + len(cuts) - 1]
        # A few pieces per row: Python's running sum beats a numpy call per row.
        at = [0, *accumulate(own)] if how == "pieces" else [0, *own]
        position = dict(zip(cuts, at, strict=True))
        totals.append(at[-1])
        token_spans.append(
            [{"start": position[s["start"]], "end": position[s["end"]], "kind": s["kind"]} for s in row_spans]
        )
    return np.array(totals, dtype=np.int64), token_spans


def _clean_cut(text: str, at: int, specials: tuple[str, ...]) -> bool:
    """Whether tokenising text[:at] and text[at:] apart gives the tokens of the whole text."""
    if text.endswith(specials, 0, at) or text.startswith(specials, at):
        return True
    return text[at - 1] == "\n" and not text[at].isspace()
