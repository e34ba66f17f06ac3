"""Math, STEM and code corpora: OpenMathInstruct-1/2, 0xZee STEM CoT sets, OpenCoder SFT stages.

Schema assumptions for OpenCoder-LLM: opc-sft-stage1 rows are {instruction, output, tag}
with tag the subset name (largescale_diverse_instruct, filtered_infinity_instruct,
realuser_instruct); opc-sft-stage2's educational_instruct rows are {instruction, output,
code, entry_point, testcase} with testcase a list of assert statements, and no tag.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from curation.demo import chat, codegen, knowledge, mathgen, quality, stemgen
from curation.demo.corpus import Context, CorpusBuilder

# --- OpenMathInstruct-1 -----------------------------------------------------------------------


def build_openmath1(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return f"{r['question']}\n{r['generated_solution']}"

    def regenerated(r: dict, rng: random.Random) -> dict:
        # The same solution sampled again under the other generation type.
        other = {"masked_reference_solution": "without_reference_solution"}
        flip = other | {v: k for k, v in other.items()}
        return r | {"generation_type": flip[r["generation_type"]]}

    b = CorpusBuilder(ctx, "openmath1", text_of, vary=regenerated)

    def solved(rng: random.Random, wrong: bool) -> dict:
        p = mathgen.any_problem(rng)
        expected = mathgen.answer_text(p.answer)
        if rng.random() < 0.75:
            solution, predicted = mathgen.code_solution(p, rng, wrong=wrong)
            error = ""
        else:
            shown = _near_miss(p.answer, rng) if wrong else p.answer
            solution, predicted = mathgen.boxed_solution(p, rng, shown), mathgen.answer_text(shown)
            error = "<not_executed>"
        return {"question": p.question, "generated_solution": solution, "expected_answer": expected,
                "predicted_answer": predicted, "error_message": error, "is_correct": not wrong,
                "generation_type": rng.choice(["masked_reference_solution", "without_reference_solution"]),
                "dataset": p.source}

    def make(rng: random.Random) -> dict:
        return solved(rng, wrong=False)

    b.fill(206, make)
    for _ in range(30):  # about half of OpenMathInstruct-1 is wrong; the demo keeps a visible share
        b.plant_fresh("incorrect_solution", lambda rng: solved(rng, wrong=True))
    _plant_cut(b, make, "generated_solution", 2)
    b.plant_fresh("quality:repetition",
                  lambda rng: make(rng) | {"generated_solution": quality.repetition(rng)})
    b.exact_duplicates(6)
    b.near_duplicates(12)
    b.malformed_json(2, make)
    b.malformed_utf8(1, make, "question")
    b.malformed_type(1, make, "generated_solution")
    b.malformed_missing(1, make, "question")
    return b


def _near_miss(x: mathgen.Number, rng: random.Random) -> mathgen.Number:
    """A plausible wrong final answer (an arithmetic slip)."""
    if isinstance(x, str):
        return x + "1"
    return x + rng.choice([-2, -1, 1, 2, 10])


def _plant_cut(b: CorpusBuilder, make: Callable[[random.Random], dict | None], field: str, n: int) -> None:
    """Plant n rows whose `field` stops mid-sentence (quality:truncated)."""

    def cut(rng: random.Random) -> dict | None:
        row = make(rng)
        short = None if row is None else quality.truncate(row[field], rng)
        return None if short is None else row | {field: short}

    for _ in range(n):
        b.plant_fresh("quality:truncated", cut)


# --- OpenMathInstruct-2 -----------------------------------------------------------------------


def build_openmath2(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return f"{r['problem']}\n{r['generated_solution']}"

    def resourced(r: dict, rng: random.Random) -> dict:
        # An augmented problem that coincides with an original one (or the reverse).
        src = r["problem_source"]
        other = src.removeprefix("augmented_") if src.startswith("augmented_") else f"augmented_{src}"
        return r | {"problem_source": other}

    b = CorpusBuilder(ctx, "openmath2", text_of, vary=resourced)

    def make(rng: random.Random) -> dict:
        source = rng.choice(["augmented_gsm8k", "augmented_gsm8k", "augmented_math", "augmented_math",
                             "gsm8k", "math"])
        p = mathgen.any_problem(rng, "gsm8k" if "gsm8k" in source else "math")
        return {"problem": p.question, "generated_solution": mathgen.boxed_solution(p, rng),
                "expected_answer": mathgen.answer_text(p.answer), "problem_source": source}

    b.fill(222, make)
    _plant_cut(b, make, "generated_solution", 2)
    b.plant_fresh("quality:empty_response", lambda rng: make(rng) | {"generated_solution": ""})
    b.exact_duplicates(6)
    b.near_duplicates(12)
    b.malformed_json(1, make)
    b.malformed_utf8(1, make, "generated_solution")
    b.malformed_type(1, make, "problem")
    b.malformed_missing(1, make, "generated_solution")
    return b


# --- 0xZee STEM CoT sets ------------------------------------------------------------------------


def build_stem(ctx: Context, name: str, families: tuple[Callable[[random.Random], stemgen.Derivation], ...],
               rows: int) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join((r["question"], r["CoT"], r["response"]))

    b = CorpusBuilder(ctx, name, text_of)

    def make(rng: random.Random) -> dict:
        d = rng.choice(families)(rng)
        return {"question": d.question, "CoT": d.cot, "response": d.response}

    b.fill(rows, make)
    b.plant_fresh("quality:repetition", lambda rng: make(rng) | {"CoT": quality.repetition(rng)})
    b.plant_fresh("quality:empty_response", lambda rng: make(rng) | {"response": ""})
    b.exact_duplicates(3)
    b.near_duplicates(max(6, rows // 25))
    b.malformed_json(1, make)
    b.malformed_type(1, make, "response")
    b.malformed_missing(1, make, "question")
    return b


# --- OpenCoder SFT ------------------------------------------------------------------------------

STAGE1_TAGS = ("largescale_diverse_instruct", "filtered_infinity_instruct", "realuser_instruct")


def build_opencoder_stage1(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return f"{r['instruction']}\n{r['output']}"

    def retagged(r: dict, rng: random.Random) -> dict:
        return r | {"tag": rng.choice([t for t in STAGE1_TAGS if t != r["tag"]])}

    b = CorpusBuilder(ctx, "opencoder_stage1", text_of, vary=retagged)

    def make(rng: random.Random) -> dict | None:
        tag = rng.choice(STAGE1_TAGS)
        # filtered_infinity_instruct also holds general questions
        if tag == "filtered_infinity_instruct" and rng.random() < 0.4:
            t = knowledge.general_task(rng, ctx.deal)
            return None if t is None else {"instruction": chat.user_text(t), "output": t.output, "tag": tag}
        task = codegen.code_task(rng)
        return {"instruction": task.instruction, "output": codegen.explained_answer(task, rng), "tag": tag}

    b.fill(206, make)
    _plant_cut(b, make, "output", 3)
    def wrap(user: str, answer: str) -> dict:
        return {"instruction": user, "output": answer, "tag": "realuser_instruct"}

    chat.plant_quality(b, chat.code_pair, wrap, refusal=1, repetition=1, empty=1)
    b.exact_duplicates(6)
    b.near_duplicates(12)
    b.malformed_json(1, make)
    b.malformed_utf8(1, make, "output")
    b.malformed_type(1, make, "output")
    b.malformed_missing(1, make, "instruction")
    return b


def build_opencoder_stage2(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return f"{r['instruction']}\n{r['output']}"

    b = CorpusBuilder(ctx, "opencoder_stage2", text_of)

    def make(rng: random.Random) -> dict:
        t = codegen.code_task(rng)
        return {"instruction": t.instruction, "output": codegen.code_only_answer(t, rng), "code": t.code,
                "entry_point": t.entry_point, "testcase": list(t.tests)}

    b.fill(200, make)
    _plant_cut(b, make, "output", 2)
    b.plant_fresh("quality:empty_response", lambda rng: make(rng) | {"output": ""})
    b.exact_duplicates(5)
    b.near_duplicates(10)
    b.malformed_json(1, make)
    b.malformed_type(1, make, "instruction")
    b.malformed_missing(1, make, "output")
    return b
