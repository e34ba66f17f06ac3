"""Prompt/answer pairs for chat corpora, and the planted problems every chat corpus shares.

A corpus supplies `wrap(user, assistant) -> row` in its own schema; the helpers here
decide the text. Identity claims and hard negatives come from one-use decks, so each is
planted once in the whole demo.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from curation.demo import codegen, identity, knowledge, mathgen, quality
from curation.demo.corpus import Context, CorpusBuilder

Pair = tuple[str, str]
Wrap = Callable[[str, str], dict]


def user_text(t: knowledge.Task) -> str:
    return f"{t.instruction}\n\n{t.input}" if t.input else t.instruction


def general_pair(ctx: Context) -> Callable[[random.Random], Pair | None]:
    def make(rng: random.Random) -> Pair | None:
        t = knowledge.general_task(rng, ctx.deal)
        return None if t is None else (user_text(t), t.output)
    return make


def math_pair(style: str = "cot", source: str | None = None) -> Callable[[random.Random], Pair]:
    def make(rng: random.Random) -> Pair:
        p = mathgen.any_problem(rng, source)
        answer = mathgen.cot_solution(p, rng) if style == "cot" else mathgen.boxed_solution(p, rng)
        return p.question, answer
    return make


def code_pair(rng: random.Random) -> Pair:
    t = codegen.code_task(rng)
    return t.instruction, codegen.explained_answer(t, rng)


def mixed_pair(ctx: Context, weights: dict[str, float]) -> Callable[[random.Random], Pair | None]:
    """Pairs drawn from general / math / code generators with the given weights."""
    makers = {"general": general_pair(ctx), "math": math_pair("cot"), "math_boxed": math_pair("boxed"),
              "code": code_pair}
    names = sorted(weights)

    def make(rng: random.Random) -> Pair | None:
        return makers[rng.choices(names, [weights[n] for n in names])[0]](rng)
    return make


MakeRow = Callable[[random.Random], dict | None]


def as_row(pair: Callable[[random.Random], Pair | None], wrap: Wrap) -> MakeRow:
    def make(rng: random.Random) -> dict | None:
        got = pair(rng)
        return None if got is None else wrap(*got)
    return make


IDENTITY_DECKS = {
    "identity_claim:human": identity.HUMAN_CLAIMS,
    "identity_claim:other_model": identity.OTHER_MODEL_CLAIMS,
    "identity_hard_negative": identity.HARD_NEGATIVES,
}


def plant_identity(b: CorpusBuilder, wrap: Wrap, human: int = 0, other_model: int = 0,
                   hard_negative: int = 0) -> None:
    """Plant identity claims (identity_claim:human / :other_model) and hard negatives in `b`."""
    counts = {"identity_claim:human": human, "identity_claim:other_model": other_model,
              "identity_hard_negative": hard_negative}
    for key, n in counts.items():
        for _ in range(n):
            item = b.ctx.deal(key, IDENTITY_DECKS[key])
            if item is None:
                raise RuntimeError(f"identity deck {key} is used up: plant fewer")
            user, answer = item  # type: ignore[misc]
            b.plant_fresh(key, lambda _rng, u=user, a=answer: wrap(u, a))


def plant_quality(b: CorpusBuilder, pair: Callable[[random.Random], Pair | None], wrap: Wrap,
                  refusal: int = 0, truncated: int = 0, repetition: int = 0, empty: int = 0) -> None:
    """Plant refusals, truncated, repetitive and empty answers (quality:* keys) in `b`."""
    counts = {"quality:refusal": refusal, "quality:truncated": truncated, "quality:repetition": repetition,
              "quality:empty_response": empty}

    def bad(kind: str) -> Callable[[random.Random], dict | None]:
        def make(rng: random.Random) -> dict | None:
            got = pair(rng)
            if got is None:
                return None
            user, answer = got
            if kind == "quality:refusal":
                return wrap(user, quality.refusal(user, rng))
            if kind == "quality:truncated":
                cut = quality.truncate(answer, rng)
                return None if cut is None else wrap(user, cut)
            if kind == "quality:repetition":
                return wrap(user, quality.repetition(rng))
            if kind == "quality:empty_response":
                return wrap(user, "")
            raise ValueError(kind)
        return make

    for key, n in counts.items():
        for _ in range(n):
            b.plant_fresh(key, bad(key))
