"""Small Python coding tasks with solutions and test cases that pass.

A task's test cases are computed by running its solution on the family's inputs, so a
test case can never disagree with the code it ships with (OpenCoder's educational_instruct
rows are validated the same way).
"""

from __future__ import annotations

import functools
import pickle
import random
from dataclasses import dataclass
from string import Template
from types import CodeType

from curation.demo.codegen_algos import ALGOS
from curation.demo.codegen_records import record_task


@dataclass(frozen=True)
class CodeTask:
    family: str
    instruction: str
    code: str
    entry_point: str
    tests: tuple[str, ...]  # assert statements that pass against `code`
    explanation: str
    example: tuple[str, str]  # (a call, its result's repr) for the prose


@functools.lru_cache(maxsize=4096)
def _compiled(code: str) -> CodeType:
    return compile(code, "<demo>", "exec")


def run_cases(code: str, fn: str, inputs: tuple[tuple, ...]) -> list[tuple[str, object]]:
    """[(call text, result)] from running `code` on each argument tuple."""
    namespace: dict = {"__name__": "__demo__"}
    exec(_compiled(code), namespace)  # noqa: S102 - our own generated code
    out = []
    for args in inputs:
        call = f"{fn}({', '.join(repr(a) for a in args)})"
        out.append((call, namespace[fn](*pickle.loads(pickle.dumps(args)))))  # a deep copy, in C
    return out


def _asserts(cases: list[tuple[str, object]]) -> tuple[str, ...]:
    return tuple(f"assert {call} is None" if res is None else f"assert {call} == {res!r}"
                 for call, res in cases)


def algo_task(rng: random.Random) -> CodeTask:
    algo = rng.choice(ALGOS)
    consts = {k: str(v) for k, v in rng.choice(algo.consts).items()}
    names = {"fn": rng.choice(algo.names), **rng.choice(algo.params), **consts}
    style = rng.randrange(len(algo.styles))
    code = Template(algo.styles[style]).substitute(names)
    cases = run_cases(code, names["fn"], algo.inputs)
    return CodeTask(
        family=f"{algo.family}/{style}",
        instruction=Template(rng.choice(algo.asks)).substitute(names),
        code=code,
        entry_point=names["fn"],
        tests=_asserts(cases),
        explanation=algo.explain[style] if len(algo.explain) == len(algo.styles) else algo.explain[0],
        example=_example(cases, rng),
    )


def records_task(rng: random.Random) -> CodeTask:
    t = record_task(rng)
    cases = run_cases(t.code, t.fn, t.inputs)
    return CodeTask(t.family, t.ask, t.code, t.fn, _asserts(cases), t.explain, _example(cases, rng))


def code_task(rng: random.Random) -> CodeTask:
    return algo_task(rng) if rng.random() < 0.55 else records_task(rng)


def _example(cases: list[tuple[str, object]], rng: random.Random) -> tuple[str, str]:
    telling = [(c, r) for c, r in cases if len(c) < 200 and r not in (None, [], {}, "", 0)]
    call, res = rng.choice(telling or cases)
    return call, repr(res)


# --- how an answer is written --------------------------------------------------------

_LEADS = (
    "Here is a straightforward implementation:", "You can do it like this:", "A clean way to write it:",
    "Here's one way to solve it:", "The following function does the job:",
    "This implementation handles the edge cases:", "Sure, here is the function:", "One idiomatic solution:",
)
_USAGE = (
    "For example, `{call}` returns `{res}`.", "Example: `{call}` gives `{res}`.",
    "Calling `{call}` produces `{res}`.", "A quick check: `{call}` evaluates to `{res}`.",
)


def explained_answer(t: CodeTask, rng: random.Random) -> str:
    """Prose, a fenced code block and a usage example (chat-style answers, opc-sft-stage1)."""
    call, res = t.example
    parts = [rng.choice(_LEADS), f"```python\n{t.code.rstrip()}\n```", t.explanation,
             rng.choice(_USAGE).format(call=call, res=res)]
    if rng.random() < 0.3:
        parts.insert(1, "")
        parts = [p for p in parts if p]
    return "\n\n".join(parts)


def code_only_answer(t: CodeTask, rng: random.Random) -> str:
    """A short lead and the fenced code (the opc-sft-stage2 educational_instruct shape)."""
    lead = rng.choice(("Here is the Python function for this task:", "The solution in Python:",
                       "Below is a function that solves the problem:", "Solution:"))
    return f"{lead}\n```python\n{t.code.rstrip()}\n```"
