"""The text a row is deduplicated on, and how it is normalised, as polars expressions.

Keys (over the canonical columns; no per-row Python):

- ``conversation``: every turn of a chat row, each as role, content, reasoning and
  tool_calls. Reasoning is part of the key on purpose: two rows with the same prompt and
  answer but a different chain of thought train the model differently, so they are not
  exact duplicates (near dedup may still cluster them).
- ``prompt``: the system and user turns of a chat row (role + content), so rows that ask
  the same question are duplicates whatever the answer.
- ``response``: the assistant turns of a chat row (content, reasoning, tool_calls).
- ``text``: the document text of a text row (web pages, books, code files).
- ``auto`` (the default): ``conversation`` for chat rows, ``text`` for text rows.

Fields and turns are joined with the ASCII unit/record separators (U+001F, U+001E), which
no normalisation below changes, so ``["ab", "c"]`` and ``["a", "bc"]`` never collide.

Normalisation steps (applied to each content/reasoning/text field, in this fixed order
whatever order they are given in, so that the same set of steps always gives the same key):

- ``nfc``: Unicode NFC (composed characters: ``e`` + combining acute == ``é``).
- ``nfkc``: Unicode NFKC (NFC plus compatibility folding: ``ﬁ`` == ``fi``, full-width
  letters == ASCII, non-breaking space == space). Implies nothing about case.
- ``lower``: Unicode lowercase.
- ``whitespace``: every run of Unicode whitespace (the White_Space property: space, tab,
  newlines, NBSP, ideographic space, ...; not the ASCII separators U+001C-U+001F that
  Python's str.isspace also counts) becomes one space; leading and trailing whitespace is
  removed.

NFC/NFKC skip ASCII-only fields and fields with no character that can change under them
(unicode_stable.py): on the mix benchmark's instruction corpus a third of the fields hold a
non-ASCII character but 0.02% one that can change, and the keys' text (NFC + whitespace) took
3.1 s instead of 7.0 s on one core; the result is the same (tests check it against unicodedata).
"""

from __future__ import annotations

import polars as pl

from curation.dedup.unicode_stable import changing_class

KEYS = ("auto", "conversation", "prompt", "response", "text")
STEPS = ("nfc", "nfkc", "lower", "whitespace")  # the order they are applied in
DEFAULT_NORMALISE = ("nfc", "whitespace")

# Which row kind each explicit key applies to.
KEY_KIND = {"conversation": "chat", "prompt": "chat", "response": "chat", "text": "text"}
AUTO_KEY = {"chat": "conversation", "text": "text"}

FIELD_SEP = "\x1f"
TURN_SEP = "\x1e"

_ROLES = {"prompt": ("system", "user"), "response": ("assistant",)}


def check_steps(steps: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The steps in application order; ValueError for an unknown step or for nfc+nfkc."""
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise ValueError(f"unknown normalisation {', '.join(map(repr, unknown))}; choose from {', '.join(STEPS)}")
    if "nfc" in steps and "nfkc" in steps:
        raise ValueError("normalisations nfc and nfkc exclude each other (nfkc already composes); pick one")
    return tuple(s for s in STEPS if s in steps)


def check_key(key: str) -> str:
    if key not in KEYS:
        raise ValueError(f"unknown dedup key {key!r}; choose from {', '.join(KEYS)}")
    return key


def check_key_for_kinds(key: str, kinds: set[str]) -> None:
    """ValueError when an explicit key does not apply to a kind of row present."""
    check_key(key)
    if key == "auto":
        return
    wrong = sorted(k for k in kinds if k != KEY_KIND[key])
    if wrong:
        hint = "; use --key auto (conversation for chat rows, text for text rows)"
        raise ValueError(f"dedup key {key!r} applies to {KEY_KIND[key]} rows, but the input has {wrong[0]} rows{hint}")


def normalise(expr: pl.Expr, steps: tuple[str, ...] | list[str]) -> pl.Expr:
    """`expr` (a string expression) with the normalisation `steps` applied (see module doc)."""
    for step in check_steps(steps):
        if step in ("nfc", "nfkc"):
            expr = _unicode_normalize(expr, step.upper())
        elif step == "lower":
            expr = expr.str.to_lowercase()
        elif step == "whitespace":
            # Same result as replacing r"\s+" by " ", ~6x faster: single spaces, by far the
            # most common match, are left alone instead of being replaced by themselves.
            expr = expr.str.replace_all(r"\s{2,}|[\s&&[^ ]]", " ").str.strip_chars()
    return expr


def _unicode_normalize(expr: pl.Expr, form: str) -> pl.Expr:
    # polars' normalize runs ~40 MB/s a core. ASCII text is unchanged by NFC and NFKC, and so is
    # text without any character that can change (unicode_stable.py: combining marks, "Maybe"
    # characters, singletons, ...; ~0.02% of an instruction corpus's fields, against a third with
    # a non-ASCII character): normalise only the rows that hold one (null elsewhere, which the
    # string kernels skip). The ASCII test (more bytes than characters) runs first: it is free.
    non_ascii = expr.str.len_bytes() != expr.str.len_chars()
    may_change = pl.when(non_ascii).then(expr).str.contains(changing_class(form))
    return pl.coalesce(pl.when(may_change).then(expr).str.normalize(form), expr)


def _turns(key: str, steps: tuple[str, ...]) -> pl.Expr:
    m = pl.element()
    parts = [m.struct.field("role"), normalise(m.struct.field("content").fill_null(""), steps)]
    if key != "prompt":
        parts.append(normalise(m.struct.field("reasoning").fill_null(""), steps))
        parts.append(m.struct.field("tool_calls").fill_null(""))
    turn = pl.concat_str(parts, separator=FIELD_SEP)
    messages = pl.col("messages")
    if key in _ROLES:
        messages = messages.list.eval(m.filter(m.struct.field("role").is_in(list(_ROLES[key]))))
    return messages.list.eval(turn).list.join(TURN_SEP)


def dedup_text(key: str = "auto", steps: tuple[str, ...] | list[str] = ()) -> pl.Expr:
    """The (normalised) text of each row under `key`, named "dedup_text".

    Null where the key does not apply to the row's kind (a text row under "prompt"); callers
    check the kinds first with check_key_for_kinds.
    """
    check_key(key)
    steps = check_steps(steps)
    if key == "auto":
        expr = pl.when(pl.col("kind") == "chat").then(_turns("conversation", steps)).otherwise(
            normalise(pl.col("text"), steps)
        )
    elif key == "text":
        expr = normalise(pl.col("text"), steps)
    else:
        expr = _turns(key, steps)
    return expr.alias("dedup_text")


def describe(key: str, steps: tuple[str, ...] | list[str]) -> str:
    """How a key was computed, for drop details: e.g. "conversation, nfc+whitespace"."""
    steps = check_steps(steps)
    return f"{key}, {'+'.join(steps) if steps else 'no normalisation'}"
