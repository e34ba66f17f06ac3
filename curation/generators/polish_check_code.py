"""Run a code polish answer and check it against this module's own reference implementations.

The ```python block is executed in a fresh namespace; every call the answer states
("`gcd(48, 18)` returns `6`") is made again and must return the stated value (same type), and
that value must equal the reference's. The function is also run on fixed edge cases and must
agree with the reference there, so wrong code fails even when its one example happens to
match. References are written differently from the shipped code (math library, other
algorithms) so that one mistake cannot hide in both.

Only for rows of this project's generator: the code is executed.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from fractions import Fraction

BLOCK = re.compile(r"```python\n(.*?)\n```", re.DOTALL)
STATED = re.compile(r"`(([a-z_]+)\((.*?)\))` returns `(.+?)`")


def _fibonacci(n: int) -> int:
    seq = [0, 1]
    while len(seq) <= n:
        seq.append(seq[-1] + seq[-2])
    return seq[n]


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % d for d in range(2, n))


def _sum_digits(n: int) -> int:
    n, total = abs(n), 0
    while n:
        n, digit = divmod(n, 10)
        total += digit
    return total


def _dedupe(items: list) -> list:
    out: list = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


def _fizzbuzz(n: int) -> str:
    return ("Fizz" * (n % 3 == 0) + "Buzz" * (n % 5 == 0)) or str(n)


# function -> (reference, edge-case argument tuples)
REFERENCES: dict[str, tuple[Callable, tuple[tuple, ...]]] = {
    "fibonacci": (_fibonacci, ((0,), (1,), (2,), (10,), (30,))),
    "factorial": (math.factorial, ((0,), (1,), (5,), (12,))),
    "gcd": (math.gcd, ((12, 18), (17, 5), (100, 10), (7, 7))),
    "lcm": (math.lcm, ((4, 6), (5, 7), (12, 18), (9, 9))),
    "is_prime": (_is_prime, ((0,), (1,), (2,), (9,), (97,), (221,))),
    "reverse_string": (lambda s: "".join(reversed(s)), (("",), ("abc",), ("a b",))),
    "count_vowels": (
        lambda s: len(re.findall("[aeiou]", s, re.IGNORECASE)),
        (("",), ("Queue",), ("rhythm",)),
    ),
    "is_palindrome": (
        lambda s: (t := re.sub(r"[^a-z0-9]", "", s.lower())) == t[::-1],
        (("Racecar",), ("A man, a plan, a canal: Panama",), ("abc",)),
    ),
    "sum_digits": (_sum_digits, ((0,), (-45,), (9999,))),
    "celsius_to_fahrenheit": (lambda c: Fraction(c) * 9 / 5 + 32, ((0,), (100,), (-40,))),
    "average": (lambda nums: Fraction(sum(nums), len(nums)), (([2, 4],), ([1, 2, 3, 6],))),
    "find_max": (lambda nums: sorted(nums)[-1], (([1],), ([-5, -2, -9],), ([3, 8, 8, 1],))),
    "remove_duplicates": (_dedupe, (([],), ([1, 1, 2],), ([3, 1, 3, 2, 1],))),
    "count_words": (lambda s: len(re.findall(r"\S+", s)), (("",), ("one",), ("  two   words ",))),
    "sum_of_evens": (lambda nums: sum(filter(lambda x: x % 2 == 0, nums)), (([],), ([1, 3],), ([-2, 3, 4],))),
    "to_binary": (lambda n: format(n, "b"), ((0,), (1,), (10,), (255,))),
    "capitalize_words": (
        lambda s: " ".join(w[:1].upper() + w[1:].lower() for w in s.split()),
        (("hello world",), ("ALL CAPS here",)),
    ),
    "second_largest": (lambda nums: sorted(set(nums), reverse=True)[1], (([1, 2],), ([5, 5, 3, 9],))),
    "fizzbuzz": (_fizzbuzz, ((3,), (5,), (15,), (7,), (30,))),
}


def _same(result: object, expected: object) -> bool:
    """Equal values of the same type; a float result against an exact Fraction must equal it exactly."""
    if isinstance(expected, Fraction):
        return isinstance(result, float) and Fraction(result) == expected
    return type(result) is type(expected) and result == expected


def check(messages: list[dict], meta: dict) -> None:
    """ValueError naming the first thing wrong with a code row (executes the answer's code)."""
    function = meta["task"].split("/", 1)[1]
    if function not in REFERENCES:
        raise ValueError(f"no reference for code task {function!r}")
    reference, edges = REFERENCES[function]
    question, answer = messages[0]["content"], messages[-1]["content"]
    blocks = BLOCK.findall(answer)
    if len(blocks) != 1:
        raise ValueError(f"answer must hold exactly one python block, found {len(blocks)}")
    code = blocks[0]
    if f"def {function}(" not in code:
        raise ValueError(f"the code does not define {function}()")
    namespace: dict = {"__name__": "__polish_check__"}
    exec(compile(code, "<polish-check>", "exec"), namespace)  # noqa: S102 - the project's own generated code
    shipped = namespace[function]
    stated = STATED.findall(answer[answer.rindex("```") :])
    if not stated:
        raise ValueError("answer states no example result")
    for call, name, args_text, result_text in stated:
        if name != function:
            raise ValueError(f"example calls {name}(), the task is {function}()")
        if call not in question:
            raise ValueError(f"example {call} was not asked for")
        args = ast.literal_eval(f"({args_text},)")
        claimed = ast.literal_eval(result_text)
        result = shipped(*args)
        if type(result) is not type(claimed) or result != claimed:
            raise ValueError(f"{call} returns {result!r}, the answer says {result_text}")
        if not _same(result, reference(*args)):
            raise ValueError(f"{call} returns {result!r}, the reference gives {reference(*args)!r}")
    for args in edges:
        if not _same(shipped(*args), reference(*args)):
            raise ValueError(
                f"{function}{args!r} gives {shipped(*args)!r}, the reference {reference(*args)!r}"
            )
