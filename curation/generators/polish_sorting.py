"""List sorting with the sorted list as the whole answer (the Wind-Edge sanity prompt
"sort this list: [3, 1, 2]" -> [1, 2, 3]).

The first Wind-Edge instruct model collapsed into one repeated sorting template, so requests
and answers vary: numbers (integers, negatives, one-decimal values) or lower-case words;
ascending or descending; a Python-style list in brackets or a plain comma-separated list, the
answer in the same style as the request; and a short lead-in or none. The list sits at the end
of the request after a colon, or in brackets, so polish_verify can read it back and sort it
itself. A task's name is `sorting/<numbers|words>_<asc|desc>`.
"""

from __future__ import annotations

import random
from fractions import Fraction

from curation.generators.polish_format import decimal_text

# Lower-case words in themed groups; the pool is a set, so a drawn list never repeats a word.
WORD_GROUPS = (
    "apple banana cherry grape lemon mango melon orange peach pear plum kiwi fig lime apricot",
    "cat dog horse rabbit tiger lion zebra otter eagle falcon whale shark dolphin panda koala",
    "red blue green yellow purple orange silver violet maroon teal",
    "river mountain forest desert ocean valley island canyon meadow glacier",
    "piano guitar violin drum flute trumpet cello harp",
    "table chair window door lamp carpet mirror shelf pillow blanket",
    "bread butter cheese honey pepper salt sugar rice pasta soup",
    "paris tokyo cairo lima oslo rome delhi sydney nairobi toronto",
    "winter summer spring autumn morning evening midnight noon",
    "rocket planet comet galaxy moon star orbit nebula",
)
WORD_POOL = tuple(sorted({word for group in WORD_GROUPS for word in group.split()}))

ASC_NUMBERS = (
    "sort this list: {L}",
    "Sort {L} in ascending order.",
    "Sort these numbers from smallest to largest: {L}",
    "Put these numbers in increasing order: {L}",
    "Can you sort this list for me? {L}",
    "Order from lowest to highest: {L}",
)
DESC_NUMBERS = (
    "Sort {L} in descending order.",
    "Sort these numbers from largest to smallest: {L}",
    "Order these from highest to lowest: {L}",
    "sort this list in descending order: {L}",
)
ASC_WORDS = (
    "sort this list: {L}",
    "Sort these words alphabetically: {L}",
    "Put these words in alphabetical order: {L}",
    "Sort {L} from A to Z.",
    "Alphabetize this list: {L}",
)
DESC_WORDS = (
    "Sort these words in reverse alphabetical order: {L}",
    "Sort {L} from Z to A.",
    "Put these in reverse alphabetical order: {L}",
)
TEMPLATES = {
    ("numbers", "asc"): ASC_NUMBERS,
    ("numbers", "desc"): DESC_NUMBERS,
    ("words", "asc"): ASC_WORDS,
    ("words", "desc"): DESC_WORDS,
}
LEAD_INS = {
    ("numbers", "asc"): ("", "", "Sorted: ", "From smallest to largest: ", "Here it is in ascending order: "),
    ("numbers", "desc"): (
        "",
        "",
        "Sorted: ",
        "From largest to smallest: ",
        "Here it is in descending order: ",
    ),
    ("words", "asc"): ("", "", "Sorted: ", "In alphabetical order: ", "Alphabetically: "),
    ("words", "desc"): ("", "", "Sorted: ", "In reverse alphabetical order: ", "From Z to A: "),
}


def _numbers(rng: random.Random) -> list[Fraction]:
    k = rng.randint(3, 9)
    style = rng.random()
    if style < 0.55:  # small non-negative integers, the common case
        return [Fraction(rng.randint(0, 99)) for _ in range(k)]
    if style < 0.8:  # with negatives
        return [Fraction(rng.randint(-50, 50)) for _ in range(k)]
    if style < 0.9:  # larger values
        return [Fraction(rng.randint(100, 9999)) for _ in range(k)]
    return [Fraction(rng.randint(-99, 199), 10) for _ in range(k)]  # one decimal place


def _text(values: list, bracketed: bool, words: bool) -> str:
    if words:
        items = [f"'{w}'" if bracketed else w for w in values]
    else:
        items = [decimal_text(v) for v in values]
    body = ", ".join(items)
    return f"[{body}]" if bracketed else body


def draw(rng: random.Random) -> tuple[list[dict], str]:
    """One sorting request: ([user, assistant] messages, task name)."""
    kind = "words" if rng.random() < 0.4 else "numbers"
    order = "desc" if rng.random() < 0.35 else "asc"
    values: list = rng.sample(WORD_POOL, rng.randint(3, 8)) if kind == "words" else _numbers(rng)
    template = rng.choice(TEMPLATES[kind, order])
    # Only a list after a final colon may go without brackets: elsewhere they show where it ends.
    bracketed = not template.endswith(": {L}") or rng.random() < 0.5
    ordered = sorted(values, reverse=order == "desc")
    words = kind == "words"
    question = template.format(L=_text(values, bracketed, words))
    answer = rng.choice(LEAD_INS[kind, order]) + _text(ordered, bracketed, words)
    return [
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ], f"sorting/{kind}_{order}"
