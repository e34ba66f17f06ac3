"""A Rust-regex (polars) prefilter for the identity filter's precise ``regex`` patterns.

The precise patterns (identity_patterns.py) need lookarounds, so they run in Python, one turn
at a time, at ~5 MB/s: on long assistant turns that is most of the filter step, although almost
no turn matches. Each pattern has a *relaxed* twin that polars runs over all flagged turns at
once: the same pattern with every lookaround, ``\\b``, ``^`` and ``$`` removed. Removing a
zero-width assertion only widens what a pattern matches, so a turn its relaxed twin misses cannot
match the precise pattern, which is then skipped; the verdicts are those of the plain version.

That holds where both engines read the same pattern alike: the same ``\\s \\d \\w \\p{L}``
classes and case-insensitive literals. They differ on a few characters (Unicode versions: the
``regex`` module knows letters and digits Rust's tables do not; full case folding: "ß" matches
"ss", "İ" matches "i"), so a turn holding any character outside SAFE_RANGES (common scripts,
punctuation, CJK, minus every character whose case folding has several characters) skips the
prefilter and runs every precise pattern as before. tests/test_filters_identity_prefilter.py
checks, character by character over SAFE_RANGES, that Rust matches wherever ``regex`` does.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import regex

from curation.filters import identity_patterns as P

# Blocks where the text is read alike by both engines (checked by the test), as code point ranges.
_BLOCKS = (
    (0x0000, 0x036F),  # Latin, IPA, spacing modifiers, combining diacritics
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1FFF),  # Latin Extended Additional, Greek Extended
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20BF),  # currency
    (0x2100, 0x214F),  # letterlike (Kelvin K, Ohm sign: single-character folds)
    (0x2190, 0x23FF),  # arrows, mathematical operators, technical
    (0x2500, 0x27BF),  # box drawing, shapes, symbols, dingbats
    (0x3000, 0x30FF),  # CJK punctuation, kana
    (0x4E00, 0x9FFF),  # CJK ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xFF01, 0xFF5E),  # full-width ASCII
    (0xFFFD, 0xFFFD),  # replacement character
)


def _odd_case(ch: str) -> bool:
    """Full case folding lets "ß" match "ss" and "İ" match "i"; ``regex`` pairs "ı" with "I"."""
    fold = ch.casefold()
    return len(fold) != 1 or ch.upper().casefold() != fold or ch.lower().casefold() != fold


def _safe_ranges() -> tuple[tuple[int, int], ...]:
    """_BLOCKS minus every character of odd case (_odd_case): a text with one is left to the
    precise patterns alone."""
    out: list[tuple[int, int]] = []
    for lo, hi in _BLOCKS:
        start = lo
        for c in range(lo, hi + 1):
            if _odd_case(chr(c)):
                if start < c:
                    out.append((start, c - 1))
                start = c + 1
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


SAFE_RANGES = _safe_ranges()
# Any character outside SAFE_RANGES (a Rust class: \x{...} escapes, never a literal).
UNSAFE = "[^" + "".join(f"\\x{{{lo:X}}}-\\x{{{hi:X}}}" for lo, hi in SAFE_RANGES) + "]"


def relax(pattern: str) -> str:
    """`pattern` (``regex`` syntax) without its lookarounds, ``\\b``/``\\B``, ``^`` and ``$``, and
    with ``\\p{Lu}``/``\\p{Ll}`` widened to ``\\p{L}``:
    a pattern Rust's regex compiles that matches wherever `pattern` does (and more)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\" and pattern.startswith(("\\p{Lu}", "\\p{Ll}"), i):
            # case-insensitive, regex's \p{Lu} also matches "ĸ" (no uppercase): Rust's would not
            out.append("\\p{L}")
            i += 6
        elif c == "\\":
            if pattern[i + 1] not in "bB":
                out.append(pattern[i : i + 2])
            i += 2
        elif c == "[":
            end = _class_end(pattern, i)
            out.append(pattern[i:end])
            i = end
        elif c == "(" and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
        elif c in "^$":
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _class_end(pattern: str, i: int) -> int:
    """Index just past the character class opening at i."""
    j = i + 1
    if pattern[j] == "^":
        j += 1
    if pattern[j] == "]":  # a leading ] is a literal
        j += 1
    while pattern[j] != "]":
        if pattern[j] == "[":
            raise ValueError(
                f"nested character classes are not supported by relax(): {pattern[i : i + 40]!r}"
            )
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _group_end(pattern: str, i: int) -> int:
    """Index just past the group opening at i."""
    depth = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            continue
        depth += c == "("
        depth -= c == ")"
        i += 1
        if depth == 0:
            return i
    raise ValueError(f"unbalanced parentheses in {pattern!r}")


# The precise patterns all run case-insensitively (identity_patterns.F): so do their twins.
HUMAN_RELAXED = tuple("(?i)" + relax(p.pattern) for p in P.HUMAN_RES)
MODEL_RELAXED = tuple("(?i)" + relax(p.pattern) for p in P.MODEL_REWRITABLE_RES)
ARCH_RELAXED = "(?i)" + relax(P.MODEL_ARCH_RE.pattern)
# Every model pattern holds a name or maker (ENTITY_RE): a text this gate misses runs none of
# them. Not relax(ENTITY_RE): without its closing (?![A-Za-z0-9]) it hits "metadata", "philosophy",
# "palmtop"... (nearly every turn with a model keyword). The lookahead ends both alternatives, so
# its consuming twin can follow them: a non-alphanumeric character or the end. ASCII only, out of
# case-insensitive scope: under (?i) Rust's class would also leave out the Kelvin sign and "ſ".
ENTITY_GATE = "(?i)(?:" + relax(P.NAME_STEM) + "|" + relax(P.MAKER_STEM) + ")(?-i:[^A-Za-z0-9]|$)"


def _alternation(patterns: tuple[str, ...]) -> str:
    return "(?i)" + "|".join(f"(?:{p.removeprefix('(?i)')})" for p in patterns)


# All human twins as one pattern: one pass finds the few turns any of them can match.
_HUMAN_ANY = _alternation(HUMAN_RELAXED)
# The model twins (MODEL_RELAXED, then ARCH_RELAXED) are larger: as one alternation they thrash
# Rust's lazy DFA (~80 s on the mix benchmark's turns), one by one they cost 16 passes (~1.3 s).
# These groups, found by measurement, each run as one alternation at about the cost of one
# member (~0.75 s in all); a group's members then run on the few texts it hits only. 6, 7 and 8
# (bounded repeats: _TEMPERED, a 30-character run) thrash the DFA in any group.
MODEL_GROUPS = ((0, 1, 2, 3, 10, 11, 12, 14), (4, 5, 9, 13, 15), (6,), (7,), (8,))
assert sorted(k for g in MODEL_GROUPS for k in g) == list(range(len(MODEL_RELAXED) + 1))


# Quote masking (identity.QUOTED_RE, a Python pass) blanks each quote or code span to spaces, and
# a blank can join words into a match: 'I'm "really" human'. Yet every QUOTED_RE span starts with
# a quote mark and is 2+ characters long, and every human twin starts and ends with a letter or
# digit, so a match on the masked text swallows whole spans, each where the twin reads a space:
# a \s, or a class holding " " ([-\s], [^,.!?\n]). Let each such atom also read any span (QUOTE_SPAN:
# every QUOTED_RE match, lookarounds and bounds dropped) and the twin, run on the unmasked text,
# hits wherever the plain twin hits the masked one; a text it misses needs no masking (~95%).
# Both with UNSAFE: masking only adds spaces, so a safe unmasked text masks to a safe one.
# tests/test_filters_identity_prefilter.py checks this on random texts of claims and spans.
QUOTE_SPAN = r"""(?:```(?s:.)*```|`[^`\n]*`|"[^"\n]*"|“[^”\n]*”|«[^»\n]*»|「[^」\n]*」|'[^\n]*')"""


def _span_tolerant(relaxed: str) -> str:
    """`relaxed` (a relax() twin) with every atom that reads a space also reading a QUOTE_SPAN,
    and a bounded repeat of one unbounded (a span is one repetition but many characters)."""
    out: list[str] = []
    i, n, widened = 0, len(relaxed), False
    while i < n:
        c, end = relaxed[i], i + 1
        if c == "\\":
            end = i + 2
        elif c == "[":
            end = _class_end(relaxed, i)
        elif c == "{" and widened:
            out.append("*")
            i, widened = relaxed.index("}", i) + 1, False
            continue
        atom = relaxed[i:end]
        widened = atom == "\\s" or (c == "[" and regex.fullmatch(atom, " ") is not None)
        out.append(f"(?:{atom}|{QUOTE_SPAN})" if widened else atom)
        i = end
    return "".join(out)


# Run on the unmasked text: misses wherever every human twin misses the masked text.
HUMAN_UNMASKED = _alternation(tuple(_span_tolerant(p) for p in HUMAN_RELAXED))


def may_match_masked(texts: pl.Series, human: np.ndarray, model: np.ndarray) -> np.ndarray:
    """bool[len(texts)]: whether a pattern of a family run on the text (human, model: per text)
    may match it once quote-masked, judged on the unmasked texts. The model side is ENTITY_GATE:
    a blank in its match on the masked text would start a span, a quote mark, where the gate's
    name or maker already ends (a \\s in its stems joins words that are names on their own, or
    reads one character, and a span is longer), so it hits the unmasked text there too."""
    out = np.zeros(len(texts), dtype=bool)
    for run, gate in ((human, HUMAN_UNMASKED), (model, ENTITY_GATE)):
        at = np.flatnonzero(run & ~out)
        out[at] = texts.gather(at).str.contains(f"{UNSAFE}|(?:{gate})").to_numpy()
    return out


def human_candidates(masked: pl.Series | list[str]) -> np.ndarray:
    """bool[len(masked), len(HUMAN_RES)]: False where that human pattern cannot match the
    (quote-masked) text; True where it may (always, for a text outside SAFE_RANGES)."""
    # one by one after the gate: the gate is their alternation already
    return _candidates(masked, HUMAN_RELAXED, _HUMAN_ANY, tuple((k,) for k in range(len(HUMAN_RELAXED))))


def model_candidates(masked: pl.Series | list[str]) -> np.ndarray:
    """bool[len(masked), len(MODEL_REWRITABLE_RES) + 1]: as human_candidates for the
    rewritable model patterns, then MODEL_ARCH_RE in the last column; all False for a (safe)
    text without a name or maker."""
    return _candidates(masked, (*MODEL_RELAXED, ARCH_RELAXED), ENTITY_GATE, MODEL_GROUPS)


def _candidates(
    masked: pl.Series | list[str], patterns: tuple[str, ...], gate: str, groups: tuple[tuple[int, ...], ...]
) -> np.ndarray:
    """The flags of `patterns` on the texts, each run only on the texts `gate` and its group
    (one alternation pass per group of several patterns) hit."""
    out = np.zeros((len(masked), len(patterns)), dtype=bool)
    texts = pl.Series(masked, dtype=pl.String)
    # One pass finds both the texts the gate hits and those the prefilter cannot judge: UNSAFE
    # adds nothing to the gate's cost, and the UNSAFE pass then reads the few texts it hit only.
    rows = np.flatnonzero(texts.str.contains(f"{UNSAFE}|(?:{gate})").to_numpy())
    sub = texts.gather(rows)
    unsafe = sub.str.contains(UNSAFE).to_numpy()
    out[rows[unsafe]] = True
    rows, sub = rows[~unsafe], sub.filter(pl.Series(~unsafe))
    for group in groups:
        at, group_sub = rows, sub
        if len(group) > 1:
            hit = sub.str.contains(_alternation(tuple(patterns[k] for k in group))).to_numpy()
            at, group_sub = rows[hit], sub.filter(pl.Series(hit))
        for k in group:
            out[at, k] = group_sub.str.contains(patterns[k]).to_numpy()
    return out
