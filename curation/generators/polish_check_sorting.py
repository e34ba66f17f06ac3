"""Re-sort a sorting polish row from its request text and compare with the answer.

The list is read back from the request (between brackets, else after the last colon), its kind
(numbers when every item is a decimal literal, else words) and direction (descending when the
request says so in words) decided from the text, and sorted here: numbers by value, words by
their letters. The answer must hold the very same items, in that order, written the same way
(brackets and quotes when the request used them).
"""

from __future__ import annotations

import re
from decimal import Decimal

DESCENDING = ("descending", "largest to smallest", "highest to lowest", "reverse alphabetical", "z to a")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
WORD = re.compile(r"[a-z]+")


def read_list(text: str) -> tuple[list[str], bool]:
    """(items as written, bracketed?) of the list in `text`."""
    if "[" in text:
        start, end = text.index("["), text.rindex("]")
        body, bracketed = text[start + 1 : end], True
    else:
        body, bracketed = text.rsplit(": ", 1)[-1], False
    items = body.split(", ")
    if bracketed and not all(NUMBER.fullmatch(i) for i in items):
        if not all(len(i) > 2 and i[0] == i[-1] == "'" for i in items):
            raise ValueError(f"bracketed words must be quoted: {body!r}")
        items = [i[1:-1] for i in items]
    return items, bracketed


def check(messages: list[dict], meta: dict) -> None:
    """ValueError naming the first thing wrong with a sorting row."""
    question, answer = messages[0]["content"], messages[-1]["content"]
    items, bracketed = read_list(question)
    if len(items) < 2:
        raise ValueError(f"the request lists {len(items)} item(s)")
    if all(NUMBER.fullmatch(i) for i in items):
        kind, key = "numbers", Decimal
    elif all(WORD.fullmatch(i) for i in items):
        kind, key = "words", str
    else:
        raise ValueError(f"the request's list mixes numbers and words or has odd items: {items!r}")
    order = "desc" if any(marker in question.lower() for marker in DESCENDING) else "asc"
    expected_task = f"sorting/{kind}_{order}"
    if meta["task"] != expected_task:
        raise ValueError(f"the request reads as {expected_task}, the row says {meta['task']}")
    got, got_bracketed = read_list(answer)
    if got_bracketed != bracketed:
        raise ValueError("the answer's list style (brackets) differs from the request's")
    expected = sorted(items, key=key, reverse=order == "desc")
    if got != expected:
        raise ValueError(f"answer {got!r} but sorting {order} gives {expected!r}")
