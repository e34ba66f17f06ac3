"""Claude-style reasoning distillation sets: OpenAI `messages` with <think> in the assistant
content, and a {problem, thinking, solution} Parquet set.

These are the only demo corpora with <think> markup; one row of each carries an unclosed
<think> (malformed:think_markup), the failure a template-aware pipeline must catch.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pyarrow as pa

from curation.demo import chat, codegen, knowledge, mathgen, quality
from curation.demo.corpus import Context, CorpusBuilder

Reasoned = tuple[str, str, str]  # (prompt, thinking, answer)

_OPENERS = (
    "Let me work through this carefully.", "Okay, let me think about what is being asked.",
    "Let me break this down.", "First, let me restate the problem to myself.",
    "Alright, let me reason step by step.",
)
_CHECKS = (
    "Let me double-check that.", "Quick sanity check.", "Let me verify before answering.",
    "Checking the result once more.",
)


def reasoned_math(rng: random.Random) -> Reasoned:
    p = mathgen.any_problem(rng)
    ans = mathgen.answer_text(p.answer)
    check = f"{rng.choice(_CHECKS)} The result is {ans}, which fits the question."
    thinking = "\n".join([rng.choice(_OPENERS), *p.steps, check])
    answer = rng.choice([f"**Answer: {ans}**\n\n{p.steps[-1]}",
                         f"{p.steps[-1]}\n\nSo the answer is **{ans}**.",
                         f"The answer is {ans}.\n\nBriefly: {' '.join(p.steps[-2:])}"])
    return p.question, thinking, answer


def reasoned_code(rng: random.Random) -> Reasoned:
    t = codegen.code_task(rng)
    call, res = t.example
    thinking = (f"{rng.choice(_OPENERS)} The user wants `{t.entry_point}`. {t.explanation} I should make "
                f"sure `{call}` gives `{res}` and that edge cases such as empty input behave sensibly.")
    return t.instruction, thinking, codegen.explained_answer(t, rng)


_KINDS = {
    "nli": "natural-language inference",
    "multiple_choice": "multiple-choice",
    "wordgame": "word-puzzle",
    "editor": "editing",
    "extraction": "information-extraction",
    "general": "general-knowledge",
}


def reasoned_general(ctx: Context) -> Callable[[random.Random], Reasoned | None]:
    def make(rng: random.Random) -> Reasoned | None:
        t = knowledge.general_task(rng, ctx.deal)
        if t is None:
            return None
        gist = t.output.split("\n")[0][:160]
        kind = _KINDS.get(t.category, t.category.replace("_", " "))
        thinking = (f"{rng.choice(_OPENERS)} This is a {kind} question. "
                    f"What I know: {gist} I'll answer directly and keep it short.")
        return chat.user_text(t), thinking, t.output
    return make


def any_reasoned(ctx: Context) -> Callable[[random.Random], Reasoned | None]:
    general = reasoned_general(ctx)

    def make(rng: random.Random) -> Reasoned | None:
        kind = rng.random()
        return reasoned_math(rng) if kind < 0.4 else reasoned_code(rng) if kind < 0.65 else general(rng)
    return make


def think_content(thinking: str, answer: str) -> str:
    return f"<think>\n{thinking}\n</think>\n\n{answer}"


_SELF_THOUGHTS = (
    "The user is asking about me. I'll answer briefly.",
    "A question about who I am; keep it short and friendly.", "This is a simple conversational question.",
    "They want a direct answer, no long reasoning needed.",
)


# --- messages ---------------------------------------------------------------------------


def build_distill_messages(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join(m["content"] for m in r["messages"])

    b = CorpusBuilder(ctx, "distill_messages", text_of)
    reasoned = any_reasoned(ctx)

    def msgs(prompt: str, content: str, rng: random.Random) -> dict:
        turns = [{"role": "user", "content": prompt}, {"role": "assistant", "content": content}]
        if rng.random() < 0.2:
            system = rng.choice(["You are a helpful assistant.", "Think carefully, then answer concisely."])
            turns.insert(0, {"role": "system", "content": system})
        return {"messages": turns}

    def make(rng: random.Random) -> dict | None:
        got = reasoned(rng)
        return None if got is None else msgs(got[0], think_content(got[1], got[2]), rng)

    def wrap(user: str, answer: str) -> dict:
        return msgs(user, think_content(b.rng.choice(_SELF_THOUGHTS), answer), b.rng)

    b.fill(208, make)
    chat.plant_identity(b, wrap, human=1, other_model=4, hard_negative=2)

    def degraded(kind: str) -> Callable[[random.Random], dict | None]:
        def make_bad(rng: random.Random) -> dict | None:
            got = reasoned(rng)
            if got is None:
                return None
            prompt, thinking, answer = got
            if kind == "quality:truncated":
                cut = quality.truncate(answer, rng)
                return None if cut is None else msgs(prompt, think_content(thinking, cut), rng)
            if kind == "quality:empty_response":  # the reasoning used up the budget: nothing after </think>
                return msgs(prompt, f"<think>\n{thinking}\n</think>\n\n", rng)
            return msgs(prompt, think_content(thinking, quality.repetition(rng)), rng)
        return make_bad

    for key in ("quality:truncated", "quality:empty_response", "quality:repetition"):
        b.plant_fresh(key, degraded(key))
    b.exact_duplicates(5)
    b.near_duplicates(10)
    unclosed = b.fresh(make)
    last = unclosed["messages"][-1]
    last["content"] = last["content"].replace("\n</think>\n\n", "\n\n", 1)
    b.plant("malformed:think_markup", unclosed)
    b.malformed_json(1, make)
    b.malformed_utf8(1, make, "messages.0.content")
    b.malformed_type(1, make, "messages")
    b.malformed_missing(1, make, "messages")
    b.plant("malformed:empty_conversation", b.fresh(make) | {"messages": []})
    r = b.fresh(make)
    r["messages"].insert(-1, {"role": "narrator", "content": "(The assistant considers the question.)"})
    b.plant("malformed:unknown_role", r)
    return b


# --- columns (Parquet) --------------------------------------------------------------------

DISTILL_COLUMNS_SCHEMA = pa.schema([("problem", pa.string()), ("thinking", pa.string()), ("solution",
    pa.string())])


def build_distill_columns(ctx: Context) -> CorpusBuilder:
    def text_of(r: dict) -> str:
        return "\n".join((r["problem"], r["thinking"], r["solution"]))

    b = CorpusBuilder(ctx, "distill_columns", text_of)
    reasoned = any_reasoned(ctx)

    def make(rng: random.Random) -> dict | None:
        got = reasoned(rng)
        return None if got is None else {"problem": got[0], "thinking": got[1], "solution": got[2]}

    def wrap(user: str, answer: str) -> dict:
        return {"problem": user, "thinking": b.rng.choice(_SELF_THOUGHTS), "solution": answer}

    b.fill(214, make)
    chat.plant_identity(b, wrap, other_model=1, hard_negative=1)
    b.plant_fresh("quality:empty_response", lambda rng: (r := make(rng)) and r | {"solution": ""})

    def cut(rng: random.Random) -> dict | None:
        r = make(rng)
        short = None if r is None else quality.truncate(r["solution"], rng)
        return None if short is None else r | {"solution": short}

    b.plant_fresh("quality:truncated", cut)
    b.exact_duplicates(4)
    b.near_duplicates(8)
    r = b.fresh(make)
    b.plant("malformed:think_markup", r | {"solution": "<think>\nWait, let me reconsider one step.\n"
                                                       f"{r['solution']}"})
    b.plant("malformed:missing_field", b.fresh(make) | {"solution": None})
    b.plant("malformed:missing_field", b.fresh(make) | {"problem": None})
    return b
