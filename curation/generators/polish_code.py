"""Concise Python functions (Fibonacci, factorial, gcd, is_prime, reverse a string, ...) whose
stated outputs come from running them.

A request names the task, sometimes the function, and one or two example calls; the answer is
the function in a ```python block and one line stating what the example calls return. Those
return values are never written by hand: the generator executes the very code it ships on the
example arguments and prints `repr(result)`. polish_verify runs the code again and checks it
against its own reference implementations. A task's name is `code/<function>`.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from types import CodeType

PHRASES = (
    "hello world",
    "good morning",
    "open the door",
    "python is fun",
    "a quiet river",
    "blue sky",
    "the quick brown fox",
    "keep it simple",
    "data science",
    "sunrise",
    "bicycle",
    "banana",
    "umbrella",
    "algorithm",
    "notebook",
    "rainbow",
    "mountain air",
    "coffee and toast",
    "learn something new",
    "small steps",
    "edge computing",
    "tiny model",
    "summer rain",
    "orange juice",
)
PALINDROMES = (
    "level",
    "racecar",
    "noon",
    "madam",
    "refer",
    "Was it a car or a cat I saw",
    "Never odd or even",
    "Step on no pets",
)


@dataclass(frozen=True)
class CodeTask:
    """`asks`: request phrasings ({f} = function name); `codes`: implementations, one picked per
    row; `args`: draws one argument tuple for an example call."""

    asks: tuple[str, ...]
    codes: tuple[str, ...]
    args: Callable[[random.Random], tuple]


def _ints(lo: int, hi: int, k_lo: int = 3, k_hi: int = 7) -> Callable[[random.Random], tuple]:
    return lambda rng: ([rng.randint(lo, hi) for _ in range(rng.randint(k_lo, k_hi))],)


def _mean_exact(rng: random.Random) -> tuple:
    nums = [rng.randint(1, 100) for _ in range(rng.randint(2, 6))]
    nums[-1] += -sum(nums) % len(nums)  # a whole-number mean: the float result is then exact
    return (nums,)


def _distinct_two(rng: random.Random) -> tuple:
    return (rng.sample(range(-20, 100), rng.randint(3, 7)),)


def _with_repeats(rng: random.Random) -> tuple:
    pool = rng.sample(range(1, 20), 4)
    return ([rng.choice(pool) for _ in range(rng.randint(5, 9))],)


TASKS: dict[str, CodeTask] = {
    "fibonacci": CodeTask(
        (
            "Write a Python function that returns the nth Fibonacci number, with {f}(0) = 0 and {f}(1) = 1.",
            "Fibonacci function in Python, please ({f}(0) = 0, {f}(1) = 1).",
            "Give me a short Python function `{f}(n)` for the nth Fibonacci number, starting from {f}(0) = 0.",
        ),
        ("def {f}(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a",),
        lambda rng: (rng.randint(2, 40),),
    ),
    "factorial": CodeTask(
        (
            "Write a Python function that computes the factorial of n.",
            "Python function for n factorial, please.",
        ),
        (
            "def {f}(n):\n    result = 1\n    for k in range(2, n + 1):\n        result *= k\n    return result",
            "import math\n\n\ndef {f}(n):\n    return math.prod(range(1, n + 1))",
        ),
        lambda rng: (rng.randint(0, 20),),
    ),
    "gcd": CodeTask(
        (
            "Write a Python function for the greatest common divisor of two integers.",
            "GCD of two numbers in Python?",
        ),
        ("def {f}(a, b):\n    while b:\n        a, b = b, a % b\n    return a",),
        lambda rng: (rng.randint(2, 600), rng.randint(2, 600)),
    ),
    "lcm": CodeTask(
        ("Write a Python function that returns the least common multiple of two positive integers.",),
        (
            "import math\n\n\ndef {f}(a, b):\n    return a * b // math.gcd(a, b)",
            "def {f}(a, b):\n    x, y = a, b\n    while y:\n        x, y = y, x % y\n    return a * b // x",
        ),
        lambda rng: (rng.randint(2, 60), rng.randint(2, 60)),
    ),
    "is_prime": CodeTask(
        (
            "Write a Python function that checks whether a number is prime.",
            "Python: is this number prime? Write `{f}(n)`.",
        ),
        (
            "def {f}(n):\n    if n < 2:\n        return False\n    i = 2\n    while i * i <= n:\n"
            "        if n % i == 0:\n            return False\n        i += 1\n    return True",
        ),
        lambda rng: (rng.randint(0, 1000),),
    ),
    "reverse_string": CodeTask(
        (
            "Write a Python function that reverses a string.",
            "How do I reverse a string in Python? Write a function.",
        ),
        ("def {f}(s):\n    return s[::-1]",),
        lambda rng: (rng.choice(PHRASES),),
    ),
    "count_vowels": CodeTask(
        (
            "Write a Python function that counts the vowels in a string.",
            "Count vowels (a, e, i, o, u) in Python.",
        ),
        ('def {f}(s):\n    return sum(1 for ch in s.lower() if ch in "aeiou")',),
        lambda rng: (rng.choice(PHRASES + PALINDROMES),),
    ),
    "is_palindrome": CodeTask(
        (
            "Write a Python function that checks if a string is a palindrome, ignoring case, spaces and punctuation.",
        ),
        (
            "def {f}(s):\n    cleaned = [ch.lower() for ch in s if ch.isalnum()]\n    return cleaned == cleaned[::-1]",
        ),
        lambda rng: (rng.choice(PALINDROMES + PHRASES[:12]),),
    ),
    "sum_digits": CodeTask(
        ("Write a Python function that returns the sum of the digits of an integer.",),
        ("def {f}(n):\n    return sum(int(d) for d in str(abs(n)))",),
        lambda rng: (rng.randint(-99999, 999999),),
    ),
    "celsius_to_fahrenheit": CodeTask(
        ("Write a Python function that converts Celsius to Fahrenheit.", "Celsius to Fahrenheit in Python?"),
        ("def {f}(c):\n    return c * 9 / 5 + 32",),
        lambda rng: (rng.randint(-8, 24) * 5,),  # multiples of 5: the float result is exact
    ),
    "average": CodeTask(
        ("Write a Python function that returns the average of a list of numbers.",),
        ("def {f}(nums):\n    return sum(nums) / len(nums)",),
        _mean_exact,
    ),
    "find_max": CodeTask(
        ("Write a Python function that finds the largest number in a list without using max().",),
        (
            "def {f}(nums):\n    best = nums[0]\n    for x in nums[1:]:\n        if x > best:\n            best = x\n    return best",
        ),
        _ints(-100, 100),
    ),
    "remove_duplicates": CodeTask(
        ("Write a Python function that removes duplicates from a list but keeps the original order.",),
        ("def {f}(items):\n    return list(dict.fromkeys(items))",),
        _with_repeats,
    ),
    "count_words": CodeTask(
        ("Write a Python function that counts the words in a sentence.",),
        ("def {f}(s):\n    return len(s.split())",),
        lambda rng: (rng.choice(PHRASES + PALINDROMES),),
    ),
    "sum_of_evens": CodeTask(
        ("Write a Python function that returns the sum of the even numbers in a list.",),
        ("def {f}(nums):\n    return sum(x for x in nums if x % 2 == 0)",),
        _ints(-20, 50),
    ),
    "to_binary": CodeTask(
        (
            "Write a Python function that converts a non-negative integer to its binary string (no '0b' prefix).",
        ),
        ("def {f}(n):\n    return bin(n)[2:]",),
        lambda rng: (rng.randint(0, 4096),),
    ),
    "capitalize_words": CodeTask(
        ("Write a Python function that capitalizes the first letter of every word in a string.",),
        ('def {f}(s):\n    return " ".join(word.capitalize() for word in s.split())',),
        lambda rng: (rng.choice(PHRASES),),
    ),
    "second_largest": CodeTask(
        ("Write a Python function that returns the second largest distinct number in a list.",),
        ("def {f}(nums):\n    return sorted(set(nums))[-2]",),
        _distinct_two,
    ),
    "fizzbuzz": CodeTask(
        (
            'Write a Python function that returns "Fizz" for multiples of 3, "Buzz" for multiples of 5, '
            '"FizzBuzz" for multiples of both, and the number as a string otherwise.',
        ),
        (
            'def {f}(n):\n    if n % 15 == 0:\n        return "FizzBuzz"\n    if n % 3 == 0:\n        return "Fizz"\n'
            '    if n % 5 == 0:\n        return "Buzz"\n    return str(n)',
        ),
        lambda rng: (rng.randint(1, 100),),
    ),
}

EXAMPLE_ONE = (
    "What does `{c0}` return?",
    "Show the result of `{c0}`.",
    "Include an example: `{c0}`.",
    "Test it on `{c0}`.",
)
EXAMPLE_TWO = ("Show `{c0}` and `{c1}`.", "What do `{c0}` and `{c1}` return?")
INTROS = ("", "", "Here is a concise version:\n\n", "Sure:\n\n")


def call_text(function: str, args: tuple) -> str:
    """`gcd(48, 18)`, `reverse_string('sunrise')`: the call as Python source (repr of each argument)."""
    return f"{function}({', '.join(repr(a) for a in args)})"


@functools.lru_cache(maxsize=256)
def _compiled(code: str) -> CodeType:
    return compile(code, "<polish>", "exec")


def run(code: str, function: str, args: tuple) -> object:
    """Execute `code` (the project's own generated function, never outside input) in a fresh
    namespace and return `function(*args)`."""
    namespace: dict = {"__name__": "__polish__"}
    exec(_compiled(code), namespace)  # noqa: S102 - code written by this module
    return namespace[function](*args)


def draw(rng: random.Random) -> tuple[list[dict], str]:
    """One coding request: ([user, assistant] messages, task name)."""
    function = rng.choice(sorted(TASKS))
    task = TASKS[function]
    code = rng.choice(task.codes).format(f=function)
    calls = [task.args(rng) for _ in range(rng.choice((1, 1, 2)))]
    if len(calls) == 2 and calls[0] == calls[1]:
        calls.pop()
    texts = [call_text(function, args) for args in calls]
    example = rng.choice(EXAMPLE_ONE if len(texts) == 1 else EXAMPLE_TWO).format(
        **{f"c{i}": t for i, t in enumerate(texts)}
    )
    question = rng.choice(task.asks).format(f=function) + " " + example
    stated = " and ".join(
        f"`{t}` returns `{run(code, function, args)!r}`" for t, args in zip(texts, calls, strict=True)
    )
    answer = f"{rng.choice(INTROS)}```python\n{code}\n```\n\n{stated}."
    return [
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ], f"code/{function}"
