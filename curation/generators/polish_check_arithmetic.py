"""Recompute an arithmetic polish answer from the question's text alone.

Independent of polish_arithmetic by construction: the numbers are read back from the rendered
question (each task keeps them in one order), the result is recomputed here with `Decimal` (its
own formula per task; inexact division is an error, never rounded), and compared with the
bold result of the answer, whose format is checked too (money with exactly two places, no
trailing zeros elsewhere, the expected unit). Every `a op b = c` equation the answer states is
also evaluated, so a wrong intermediate figure fails as well as a wrong result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, Inexact, InvalidOperation, localcontext

NUMBER = re.compile(r"\d+(?:\.\d+)?")
OPERAND = r"\$?\d+(?:\.\d+)?"
EQUATION = re.compile(rf"({OPERAND}(?: [-+×÷] {OPERAND})+) = ({OPERAND})")
BOLD = re.compile(r"\*\*(.+?)\*\*")

D = Decimal
HUNDRED = D(100)


def _speed_unit(q: str) -> str:
    return "mph" if "miles" in q else "km/h"


def _dist_unit(q: str) -> str:
    return "miles" if "miles" in q or "mph" in q else "kilometers"


def _hours(x: Decimal) -> str:
    return "hour" if x == 1 else "hours"


Formula = Callable[[list[Decimal], str], tuple[Decimal, str]]

# task -> (how many numbers its question holds, None = two or more; the expected result from those
# numbers and the question text, with the format of the bold result: "money", "percent",
# "plain", or a unit word that follows the number).
FORMULAS: dict[str, tuple[int | None, Formula]] = {
    "speed": (2, lambda x, q: (x[0] / x[1], _speed_unit(q))),
    "travel_time": (2, lambda x, q: (x[0] / x[1], _hours(x[0] / x[1]))),
    "distance": (2, lambda x, q: (x[0] * x[1], _dist_unit(q))),
    "unit_price": (2, lambda x, q: (x[1] / x[0], "money")),
    "scaled_price": (3, lambda x, q: (x[1] / x[0] * x[2], "money")),
    "total_cost": (2, lambda x, q: (x[0] * x[1], "money")),
    "change": (2, lambda x, q: (x[1] - x[0], "money")),
    "percent_of": (2, lambda x, q: (x[0] * x[1] / HUNDRED, "plain")),
    "discount": (2, lambda x, q: (x[0] - x[0] * x[1] / HUNDRED, "money")),
    "percent_ratio": (2, lambda x, q: (x[0] / x[1] * HUNDRED, "percent")),
    "percent_change": (2, lambda x, q: (abs(x[1] - x[0]) / x[0] * HUNDRED, "percent")),
    "total": (None, lambda x, q: (sum(x, D(0)), "plain")),
    "average": (None, lambda x, q: (sum(x, D(0)) / len(x), "plain")),
    "hours_to_minutes": (1, lambda x, q: (x[0] * 60, "minutes")),
    "minutes_to_hours": (1, lambda x, q: (x[0] / 60, _hours(x[0] / 60))),
    "days_to_hours": (1, lambda x, q: (x[0] * 24, "hours")),
    "minutes_to_seconds": (1, lambda x, q: (x[0] * 60, "seconds")),
}


def _value(text: str, fmt: str) -> Decimal:
    """The number in a bold result, checking its format."""
    if fmt == "money":
        m = re.fullmatch(r"\$(\d+\.\d\d)", text)
    elif fmt == "percent":
        m = re.fullmatch(r"(\d+(?:\.\d*[1-9])?)%", text)
    elif fmt == "plain":
        m = re.fullmatch(r"(-?\d+(?:\.\d*[1-9])?)", text)
    else:
        m = re.fullmatch(rf"(\d+(?:\.\d*[1-9])?) {re.escape(fmt)}", text)
    if m is None:
        raise ValueError(f"result {text!r} is not written as {fmt}")
    return D(m.group(1))


def _evaluate(expr: str) -> Decimal:
    """`a op b op c` with × and ÷ before + and -."""
    tokens = expr.split(" ")
    terms: list[Decimal] = [D(tokens[0].lstrip("$"))]
    signs: list[str] = []
    for op, operand in zip(tokens[1::2], tokens[2::2], strict=True):
        value = D(operand.lstrip("$"))
        if op == "×":
            terms[-1] *= value
        elif op == "÷":
            terms[-1] /= value
        else:
            signs.append(op)
            terms.append(value)
    total = terms[0]
    for op, value in zip(signs, terms[1:], strict=True):
        total = total + value if op == "+" else total - value
    return total


def check(messages: list[dict], meta: dict) -> None:
    """ValueError naming the first thing wrong with an arithmetic row."""
    task = meta["task"].split("/", 1)[1]
    if task not in FORMULAS:
        raise ValueError(f"unknown arithmetic task {task!r}")
    question, answer = messages[0]["content"], messages[-1]["content"]
    arity, formula = FORMULAS[task]
    numbers = [D(t) for t in NUMBER.findall(question)]
    if (arity is not None and len(numbers) != arity) or (arity is None and len(numbers) < 2):
        raise ValueError(f"{task}: {len(numbers)} numbers in the question, expected {arity or 'two or more'}")
    bold = BOLD.findall(answer)
    if len(bold) != 1:
        raise ValueError(f"answer must state exactly one bold result, found {len(bold)}")
    with localcontext() as ctx:
        ctx.prec = 40
        ctx.traps[Inexact] = True  # a division that does not terminate is an error, not a rounding
        try:
            expected, fmt = formula(numbers, question)
            got = _value(bold[0], fmt)
            if got != expected:
                raise ValueError(f"{task}: answer {bold[0]!r} but the question gives {expected.normalize()}")
            equations = EQUATION.findall(answer.replace("**", ""))
            if not equations:
                raise ValueError("answer shows no equation")
            for lhs, rhs in equations:
                if _evaluate(lhs) != D(rhs.lstrip("$")):
                    raise ValueError(f"equation {lhs} = {rhs} is wrong")
        except (Inexact, InvalidOperation, ZeroDivisionError) as exc:
            raise ValueError(f"{task}: inexact or invalid arithmetic ({type(exc).__name__})") from exc
    if task == "percent_change":
        rose = numbers[1] > numbers[0]
        says_rose = bool(re.search(r"\b(rose|increase)\b", answer))
        says_fell = bool(re.search(r"\b(fell|decrease)\b", answer))
        if (rose, says_rose, says_fell) not in ((True, True, False), (False, False, True)):
            raise ValueError("percent_change: the answer's direction does not match the prices")
