"""A step-by-step math SFT set in alpaca format, with the two problems the filters must see.

- **Pattern collapse**: 40% of the answers open with "Step 1:" (a distillation teacher's tic,
  the failure Wind-Edge's first instruct model learned); the rest open the way a worked answer
  usually does, with its first sentence. The pattern cap brings "Step 1:" down to its share.
- **Benchmark contamination**: one GSM8K test question copied verbatim (with its worked answer)
  and one lightly reworded, as scraped math sets carry them; the clean rows are GSM8K-*style*
  questions written by the generator, which decontamination must leave alone.
"""

from __future__ import annotations

import random

from curation.demo import mathgen
from curation.demo.corpus import Context, CorpusBuilder
from curation.demo.gsm8k_sample import GSM8K_TEST_SAMPLE

STEP_SHARE = 0.40
ROWS = 240
CONTAMINATED = "contaminated:gsm8k"
STEP_OPENING = "step_1_opening"  # planted key: answers opening with "Step 1:"

# GSM8K test item 5 (Kylar's glasses), lightly reworded: another shop word, "flat" for
# "apartment", a question rephrased; the middle sentences are untouched (13+ words in a row).
REWORDED = {
    "instruction": "Kylar went to the shop to buy glasses for his new flat. One glass costs $5, but every "
    "second glass costs only 60% of the price. Kylar wants to buy 16 glasses. What will he pay in total?",
    "input": "",
    "output": "Every second glass costs 60% of $5 = $3.\nHe buys 8 glasses at $5 = $40 and 8 at $3 = $24.\n"
    "So he pays $40 + $24 = $64.",
}


def _stepwise(p: mathgen.Problem) -> str:
    lines = [f"Step {i}: {s}" for i, s in enumerate(p.steps, 1)]
    return "\n".join([*lines, f"Answer: {mathgen.answer_text(p.answer)}"])


def _prose(p: mathgen.Problem, rng: random.Random) -> str:
    closing = rng.choice(["The answer is {}.", "So the result is {}.", "That gives {}."])
    return " ".join(p.steps) + " " + closing.format(mathgen.answer_text(p.answer))


def verbatim_row(item: dict[str, str]) -> dict:
    """A GSM8K test item as a training row: the question, its answer without the <<...>> notes."""
    import re

    answer = re.sub(r"<<[^>]*>>", "", item["answer"]).replace("#### ", "The answer is ")
    return {"instruction": item["question"], "input": "", "output": answer}


def build_stepwise_math(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return f"{r['instruction']}\n{r['output']}"

    b = CorpusBuilder(ctx, "stepwise_math", text_of)

    def make(rng: random.Random, steps: bool) -> dict:
        p = mathgen.any_problem(rng, "gsm8k")
        return {"instruction": p.question, "input": "", "output": _stepwise(p) if steps else _prose(p, rng)}

    n_steps = round(ROWS * STEP_SHARE)
    for _ in range(n_steps):
        b.plant_fresh(STEP_OPENING, lambda rng: make(rng, True))
    b.fill(ROWS - n_steps - 2, lambda rng: make(rng, False))
    b.exact_duplicates(4)
    b.near_duplicates(4)
    b.plant(CONTAMINATED, verbatim_row(GSM8K_TEST_SAMPLE[0]))
    b.plant(CONTAMINATED, REWORDED)
    return b
