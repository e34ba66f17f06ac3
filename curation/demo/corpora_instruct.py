"""Instruction corpora: OpenOrca, OpenHermes-2.5, Open-Platypus, alpaca-cleaned, ShareGPT.

Each build function returns the corpus's rows with their planted counts; the schemas are
the real public ones (see generate.py for the file names and adapters).
"""

from __future__ import annotations

import random
import string

from curation.demo import chat, codegen, knowledge, mathgen
from curation.demo.corpus import Context, CorpusBuilder

# OpenOrca-style system prompts, written for this project (a third of the rows have none).
ORCA_SYSTEMS = (
    "",
    "",
    "",
    "You are a helpful assistant. Answer the question as accurately as you can.",
    "You are an AI assistant. Think through the task step by step and explain your reasoning.",
    "You are a patient tutor. Explain your answer so that a ten-year-old could follow it.",
    "You are an assistant that follows instructions carefully. Give a complete answer.",
    "Answer the question concisely, then briefly justify the answer.",
    "You are a knowledgeable assistant. Give the short answer first, then useful context.",
)


def _number(rng: random.Random, used: set[int], hi: int = 4_000_000) -> int:
    while True:
        n = rng.randint(1, hi)
        if n not in used:
            used.add(n)
            return n


# --- OpenOrca ------------------------------------------------------------------------


def build_openorca(ctx: Context) -> CorpusBuilder:
    used: set[int] = set()

    def text_of(r: dict) -> str:
        return "\n".join((r["system_prompt"], r["question"], r["response"]))

    def new_id(r: dict, rng: random.Random) -> dict:
        return r | {"id": f"{r['id'].split('.')[0]}.{_number(rng, used)}"}

    b = CorpusBuilder(ctx, "openorca", text_of, vary=new_id)

    def wrap_as(prefix: str):
        def wrap(user: str, answer: str) -> dict:
            return {"id": f"{prefix}.{_number(b.rng, used)}", "system_prompt": b.rng.choice(ORCA_SYSTEMS),
                    "question": user, "response": answer}
        return wrap

    general = chat.general_pair(ctx)
    cot = chat.math_pair("cot", "gsm8k")

    def make(rng: random.Random) -> dict | None:
        kind = rng.random()
        if kind < 0.22:
            return chat.as_row(cot, wrap_as("cot"))(rng)
        if kind < 0.30:
            return chat.as_row(chat.code_pair, wrap_as("flan"))(rng)
        return chat.as_row(general, wrap_as(rng.choice(["niv", "flan", "flan", "t0"])))(rng)

    b.fill(232, make)
    chat.plant_identity(b, wrap_as("flan"), human=2, other_model=2, hard_negative=2)
    chat.plant_quality(b, general, wrap_as("niv"), refusal=3, truncated=3, repetition=2, empty=2)
    b.exact_duplicates(7, 8)
    b.near_duplicates(16)
    b.malformed_json(2, make)
    b.malformed_utf8(2, make, "response")
    b.malformed_type(1, make, "response")
    b.malformed_missing(1, make, "response")
    b.malformed_missing(1, make, "question")
    return b


# --- OpenHermes-2.5 --------------------------------------------------------------------

HERMES_OTHER_SOURCES = ("EvolInstruct_70k", "cot_alpaca_gpt4", "UnnaturalInstructions")
HERMES_SYSTEMS = (
    "You are a helpful assistant who answers clearly and briefly.",
    "You are an expert tutor. Walk through the reasoning before giving the answer.",
    "You are a friendly assistant for a community library's help page.",
    "Below is an instruction. Write a response that completes it well.",
)


def _turn(role: str, value: str) -> dict:
    return {"from": role, "value": value, "weight": None}


def build_openhermes(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join(t["value"] for t in r["conversations"])

    def other_source(r: dict, rng: random.Random) -> dict:
        # The same conversation arriving through a second upstream subset.
        return r | {"source": rng.choice([s for s in HERMES_OTHER_SOURCES if s != r["source"]])}

    b = CorpusBuilder(ctx, "openhermes", text_of, vary=other_source)
    general, cot, boxed = chat.general_pair(ctx), chat.math_pair("cot"), chat.math_pair("boxed", "math")

    def row(turns: list[dict], source: str, category: str | None, rng: random.Random) -> dict:
        r: dict = {"conversations": turns, "source": source}
        if category is not None:
            r["category"] = category
        r["skip_prompt_formatting"] = rng.random() < 0.1
        if rng.random() < 0.25:  # several upstream subsets carry these columns, mostly null
            r |= {"id": None, "model": None, "language": None, "topic": None}
        return r

    def wrap(user: str, answer: str) -> dict:
        return row([_turn("human", user), _turn("gpt", answer)], "airoboros2.2", "general", b.rng)

    def make(rng: random.Random) -> dict | None:
        kind = rng.random()
        if kind < 0.15:
            q, a = chat.code_pair(rng)
            return row([_turn("human", q), _turn("gpt", a)], "glaive-code-assist", None, rng)
        if kind < 0.30:
            q, a = (cot if rng.random() < 0.5 else boxed)(rng)
            return row([_turn("human", q), _turn("gpt", a)], rng.choice(["metamath", "CamelAI"]), None, rng)
        t = knowledge.general_task(rng, ctx.deal)
        if t is None:
            return None
        turns = [_turn("human", chat.user_text(t)), _turn("gpt", t.output)]
        if rng.random() < 0.2:
            t2 = knowledge.general_task(rng, ctx.deal)
            if t2 is not None:
                turns += [_turn("human", chat.user_text(t2)), _turn("gpt", t2.output)]
        if rng.random() < 0.15:
            turns.insert(0, _turn("system", rng.choice(HERMES_SYSTEMS)))
        if rng.random() < 0.5:
            return row(turns, "airoboros2.2", t.category, rng)
        return row(turns, rng.choice(HERMES_OTHER_SOURCES), None, rng)

    b.fill(214, make)
    chat.plant_identity(b, wrap, human=2, other_model=2, hard_negative=3)
    chat.plant_quality(b, general, wrap, refusal=2, truncated=2, repetition=2, empty=2)
    b.exact_duplicates(5, 6)
    b.near_duplicates(14)
    b.malformed_json(2, make)
    b.malformed_utf8(1, make, "conversations.1.value")
    b.malformed_type(2, make, "conversations")
    b.malformed_missing(1, make, "conversations")
    for _ in range(2):
        b.plant("malformed:empty_conversation", b.fresh(make) | {"conversations": []})
    for _ in range(2):
        r = b.fresh(make)
        narrator = {"from": "narrator", "value": "The assistant pauses.", "weight": None}
        r["conversations"].insert(len(r["conversations"]) - 1, narrator)
        b.plant("malformed:unknown_role", r)
    return b


# --- Open-Platypus ---------------------------------------------------------------------

PLATYPUS_SOURCES = ("MATH/PRM-800K", "theoremqa", "scibench", "leetcode_ne", "reclor", "airoboros")


def build_platypus(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join(p for p in (r["instruction"], r["input"], r["output"]) if p)

    def other_source(r: dict, rng: random.Random) -> dict:
        return r | {"data_source": rng.choice([s for s in PLATYPUS_SOURCES if s != r["data_source"]])}

    b = CorpusBuilder(ctx, "platypus", text_of, vary=other_source)

    def wrap(user: str, answer: str, source: str = "airoboros") -> dict:
        return {"instruction": user, "input": "", "output": answer, "data_source": source}

    def make(rng: random.Random) -> dict | None:
        src = rng.choice(["MATH/PRM-800K", *PLATYPUS_SOURCES])
        if src in ("MATH/PRM-800K", "theoremqa"):
            p = mathgen.any_problem(rng, "math")
            return wrap(p.question, mathgen.boxed_solution(p, rng), src)
        if src == "scibench":
            p = mathgen.any_problem(rng, "gsm8k")
            return wrap(p.question, mathgen.cot_solution(p, rng), src)
        if src == "leetcode_ne":
            t = codegen.code_task(rng)
            return wrap(t.instruction, codegen.explained_answer(t, rng), src)
        t = knowledge.general_task(rng, ctx.deal)
        if t is None:
            return None
        if src == "reclor" and t.category not in ("nli", "multiple_choice", "classification"):
            return None
        return {"instruction": t.instruction, "input": t.input, "output": t.output, "data_source": src}

    b.fill(205, make)
    chat.plant_identity(b, wrap, human=1, other_model=1, hard_negative=1)
    chat.plant_quality(b, chat.general_pair(ctx), wrap, refusal=1, truncated=2, repetition=1, empty=1)
    b.exact_duplicates(5)
    b.near_duplicates(12)
    b.malformed_json(1, make)
    b.malformed_utf8(1, make, "output")
    b.malformed_type(2, make, "output")
    b.malformed_missing(1, make, "output")
    return b


# --- alpaca-cleaned ---------------------------------------------------------------------


def build_alpaca(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join(p for p in (r["instruction"], r["input"], r["output"]) if p)

    b = CorpusBuilder(ctx, "alpaca_cleaned", text_of)

    def wrap(user: str, answer: str) -> dict:
        return {"instruction": user, "input": "", "output": answer}

    def make(rng: random.Random) -> dict | None:
        kind = rng.random()
        if kind < 0.15:
            return chat.as_row(chat.math_pair("cot", "gsm8k"), wrap)(rng)
        if kind < 0.25:
            return chat.as_row(chat.code_pair, wrap)(rng)
        t = knowledge.general_task(rng, ctx.deal)
        return None if t is None else {"instruction": t.instruction, "input": t.input, "output": t.output}

    b.fill(262, make)
    chat.plant_identity(b, wrap, human=2, other_model=1, hard_negative=1)
    chat.plant_quality(b, chat.general_pair(ctx), wrap, refusal=3, truncated=2, repetition=1, empty=2)
    b.exact_duplicates(8)
    b.near_duplicates(18)
    b.offer("alpaca_cleaned", 3, lambda r: r["input"] == "")
    b.malformed_type(1, make, "output")
    b.malformed_type(1, make, "instruction")
    b.malformed_missing(1, make, "output")
    b.malformed_missing(1, make, "instruction")
    return b


# --- ShareGPT ------------------------------------------------------------------------------

_B62 = string.ascii_letters + string.digits


def _sharegpt_id(rng: random.Random) -> str:
    return "".join(rng.choice(_B62) for _ in range(7)) + "_0"


_FOLLOW_UPS = (
    ("Can you make that shorter?", "In short: {first}"),
    ("Thanks. Could you summarise it in one line?", "One line: {first}"),
    ("What's the key point?", "The key point: {first}"),
)


def build_sharegpt(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join(t["value"] for t in r["conversations"])

    def new_id(r: dict, rng: random.Random) -> dict:
        return r | {"id": _sharegpt_id(rng)}

    b = CorpusBuilder(ctx, "sharegpt", text_of, vary=new_id)
    pair = chat.mixed_pair(ctx, {"general": 0.7, "math": 0.15, "code": 0.15})

    def conv(pairs: list[tuple[str, str]], rng: random.Random) -> dict:
        turns = []
        for q, a in pairs:
            turns += [{"from": "human", "value": q}, {"from": "gpt", "value": a}]
        return {"id": _sharegpt_id(rng), "conversations": turns}

    def wrap(user: str, answer: str) -> dict:
        return conv([(user, answer)], b.rng)

    def make(rng: random.Random) -> dict | None:
        first = pair(rng)
        if first is None:
            return None
        pairs = [first]
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            lead = pairs[-1][1].split("\n")[0].split(". ")[0].rstrip(".")
            if rng.random() < 0.3 and len(lead.split()) >= 6 and not lead.endswith(":"):
                q, template = rng.choice(_FOLLOW_UPS)
                pairs.append((q, template.format(first=lead) + "."))
            else:
                nxt = pair(rng)
                if nxt is not None:
                    pairs.append(nxt)
        return conv(pairs, rng)

    b.fill(196, make)
    chat.plant_identity(b, wrap, human=1, other_model=1, hard_negative=2)
    chat.plant_quality(b, chat.general_pair(ctx), wrap, refusal=1, truncated=1, repetition=1, empty=1)
    b.exact_duplicates(4)
    b.near_duplicates(10)
    b.cross_duplicates([conv([(r["instruction"], r["output"])], b.rng) for r in ctx.shared["alpaca_cleaned"]])
    b.malformed_type(2, make, "conversations")
    b.malformed_missing(1, make, "conversations")
    r = b.fresh(make)
    r["conversations"][0]["value"] = None
    b.plant("malformed:missing_field", r)
    for _ in range(2):
        b.plant("malformed:empty_conversation", b.fresh(make) | {"conversations": []})
    for _ in range(2):
        r = b.fresh(make)
        r["conversations"].insert(1, {"from": "narrator", "value": "(The user leans back and waits.)"})
        b.plant("malformed:unknown_role", r)
    return b

