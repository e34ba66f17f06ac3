"""Ways to break a row on purpose: the planted malformed lines and the near-duplicate edits.

Each malformed maker breaks a good row in exactly one way, so the ingest's count of
`malformed:*` drops must equal the count planted.
"""

from __future__ import annotations

import copy
import json
import random
import re

from curation.demo.similarity import NEAR_DUPLICATE_MIN, jaccard, tokens
from curation.demo.writers import Raw, json_line

# --- malformed:json ------------------------------------------------------------------


def broken_json(row: dict, rng: random.Random) -> Raw:
    """A line that is not JSON: cut short (an interrupted write), a trailing comma, or a
    Python dict repr (single quotes, None) as naive scrapers write them."""
    text = json.dumps(row, ensure_ascii=False)
    way = rng.randrange(3)
    if way == 0:
        broken = text[: rng.randint(12, max(13, len(text) * 2 // 3))]
    elif way == 1:
        broken = text[:-1] + ', }'
    else:
        broken = repr(row)
    try:
        json.loads(broken)
    except ValueError:
        return Raw(broken.encode("utf-8"))
    return Raw(text[: len(text) // 2].encode("utf-8"))  # a proper prefix of an object is never JSON


# --- malformed:utf8 ------------------------------------------------------------------

_MARK = "\u2063"  # invisible separator: stands in for the bad byte until the line is encoded


def bad_utf8(row: dict, field: str) -> Raw:
    """The row as a valid JSON line except for one cp1252 apostrophe byte (0x92) inside a
    string value: the classic mojibake of text pasted from a Windows editor."""
    row = copy.deepcopy(row)
    value = _get(row, field)
    if "'" in value:
        value = value.replace("'", _MARK, 1)
    else:
        value = f"Here{_MARK}s the answer. {value}"
    _set(row, field, value)
    data = json_line(row)
    assert data.count(_MARK.encode()) == 1
    return Raw(data.replace(_MARK.encode(), b"\x92"))


# --- malformed:type / missing_field ------------------------------------------------------


def wrong_type(row: dict, field: str, rng: random.Random) -> dict:
    """A string field given as a number or a list, or a list field given as a string (the
    double-encoded JSON that CSV round-trips produce)."""
    row = copy.deepcopy(row)
    value = row[field]
    if isinstance(value, list):
        row[field] = json.dumps(value, ensure_ascii=False)
    elif rng.random() < 0.5:
        row[field] = rng.choice([0, 1, 42, 123, 7.5])
    else:
        row[field] = [value]
    return row


def missing(row: dict, field: str) -> dict:
    row = copy.deepcopy(row)
    del row[field]
    return row


# --- near duplicates -------------------------------------------------------------------

_SWAPS = {
    "quickly": "rapidly",
    "large": "big",
    "small": "little",
    "important": "essential",
    "example": "instance",
    "first": "initial",
    "shows": "demonstrates",
    "because": "since",
    "total": "overall",
    "simple": "basic",
    "use": "employ",
    "also": "too",
    "help": "assist",
    "each": "every",
    "start": "begin",
    "show": "display",
    "often": "frequently",
    "about": "around",
    "find": "locate",
    "need": "require",
    "make": "create",
    "get": "obtain",
    "buy": "purchase",
    "whole": "entire",
    "very": "really",
    "answer": "result",
    "method": "approach",
}
_FILLERS = ("also", "simply", "really", "just", "actually", "then")


def _swap_word(text: str, rng: random.Random) -> str:
    """Change one word: a synonym when the text has one, else an inserted filler word."""
    words = list(re.finditer(r"\b[a-z]+\b", text))
    candidates = [m for m in words if m.group(0) in _SWAPS]
    if candidates:
        m = rng.choice(candidates)
        return text[: m.start()] + _SWAPS[m.group(0)] + text[m.end():]
    spaces = [m.start() for m in re.finditer(r"(?<=[a-z]) (?=[a-z])", text)]
    if not spaces:
        return text + " " + rng.choice(_FILLERS)
    at = rng.choice(spaces)
    return text[:at] + " " + rng.choice(_FILLERS) + text[at:]


def _touch_punctuation(text: str, rng: random.Random) -> str:
    way = rng.randrange(3)
    if way == 0 and ", " in text:
        at = rng.choice([m.start() for m in re.finditer(", ", text)])
        return text[:at] + text[at + 1:]
    if way == 1 and text.rstrip().endswith("."):
        return text.rstrip()[:-1] + "!"
    return text.rstrip() + " ."


def _touch_whitespace(text: str, rng: random.Random) -> str:
    way = rng.randrange(3)
    if way == 0 and "\n" in text:
        at = rng.choice([m.start() for m in re.finditer("\n", text)])
        return text[:at] + "\n" + text[at:]
    if way == 1 and " " in text:
        at = rng.choice([m.start() for m in re.finditer(" ", text)])
        return text[:at] + "  " + text[at:]
    return text + "\n"


def perturb(text: str, rng: random.Random) -> str:
    """A near copy: a word or two changed (one per ~80 words) plus a punctuation and a
    whitespace edit, the way re-posted or lightly edited copies differ."""
    edits = max(1, len(tokens(text)) // 80)
    for _ in range(edits):
        text = _swap_word(text, rng)
    return _touch_whitespace(_touch_punctuation(text, rng), rng)


def near_copy(row: dict, text_of, rng: random.Random) -> dict | None:
    """`row` with its longest string perturbed, or None when the copy would not be a near
    duplicate (Jaccard below NEAR_DUPLICATE_MIN: the row is too short for a small edit)."""
    path = _longest_string(row)
    if path is None:
        return None
    new = copy.deepcopy(row)
    _set_path(new, path, perturb(_get_path(row, path), rng))
    before, after = text_of(row), text_of(new)
    if tokens(before) == tokens(after) or jaccard(before, after) < NEAR_DUPLICATE_MIN:
        return None
    return new


def _longest_string(obj, path=()):
    best = None
    if isinstance(obj, str):
        return (len(obj), path)
    items = obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    for k, v in items:
        found = _longest_string(v, (*path, k))
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if not path:
        return None if best is None else best[1]
    return best


def _get_path(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def _set_path(obj, path, value) -> None:
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value


def _get(row: dict, field: str) -> str:
    return _get_path(row, _split(field))


def _set(row: dict, field: str, value: str) -> None:
    _set_path(row, _split(field), value)


def _split(field: str) -> tuple:
    """'conversations.1.value' -> ('conversations', 1, 'value')."""
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))
