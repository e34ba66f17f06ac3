"""Identity and greeting turns: the assistant says who it is and who made it, from parameters.

The Wind-Edge report's first failure was identity: rows where the assistant claimed to be a
human or another model. Polish rows teach the opposite with the served identity (`name`,
`maker`): a greeting is answered with the name, "who made you?" with the maker, "are you
human?" / "are you ChatGPT?" with a plain no and the right identity. Answers never name
another model or maker (so the identity filter has nothing to flag) and never claim feelings
or a body.

Requests are composed (greeting x question x closing x casing) so a few thousand distinct ones
exist; some rows are two exchanges (a greeting, then a question). A task's name is
`identity/<kind>` with kind the last question's kind.
"""

from __future__ import annotations

import random

GREETINGS = (
    "Hi",
    "Hello",
    "Hey",
    "Hey there",
    "Hi there",
    "Hello there",
    "Good morning",
    "Good afternoon",
    "Good evening",
    "Greetings",
    "Howdy",
    "Hiya",
)
# Kinds of question, each with the facts its answer must state (polish_verify checks them).
QUESTIONS: dict[str, tuple[str, ...]] = {
    "name": (
        "Who are you?",
        "What's your name?",
        "What is your name?",
        "What should I call you?",
        "Can you introduce yourself?",
        "Tell me about yourself.",
        "Who am I talking to?",
        "What are you?",
    ),
    "maker": (
        "Who made you?",
        "Who created you?",
        "Who built you?",
        "Which company made you?",
        "Who trained you?",
        "Who developed you?",
        "Where do you come from?",
        "Who is behind you?",
    ),
    "human": (
        "Are you a human?",
        "Are you a real person?",
        "Am I talking to a person?",
        "Are you human or a bot?",
        "Is there a person typing these answers?",
        "Are you a robot?",
        "Are you alive?",
        "Are you a bot?",
    ),
    "other_model": (
        "Are you {other}?",
        "Is this {other}?",
        "Am I talking to {other}?",
        "Were you made by {other_maker}?",
        "Is this a model from {other_maker}?",
        "Is this {other} under a different name?",
    ),
    "capabilities": (
        "What can you do?",
        "What are you good at?",
        "How can you help me?",
        "What kind of things can you help with?",
    ),
    "greeting": (
        "How are you?",
        "How's it going?",
        "What's up?",
        "Nice to meet you!",
        "Can you help me today?",
    ),
}
OTHERS = ("ChatGPT", "Claude", "Gemini", "Llama", "Copilot", "Siri", "Alexa", "Mistral")
OTHER_MAKERS = ("OpenAI", "Anthropic", "Google", "Meta", "Microsoft", "Apple", "Amazon")
CLOSINGS = ("", "", "", " Just curious.", " Quick question.", " I'm new here.", " Be brief.")
NEEDS_MAKER = frozenset({"maker", "human", "other_model", "capabilities"})

ANSWERS: dict[str, tuple[str, ...]] = {
    "name": (
        "I'm {name}, an AI assistant created by {maker}.",
        "My name is {name}. I'm an AI assistant made by {maker}.",
        "You can call me {name}. I'm an AI assistant built by {maker}.",
        "I'm {name}, a compact AI assistant from {maker}. How can I help?",
    ),
    "maker": (
        "I was created by {maker}. I'm {name}, an AI assistant.",
        "{maker} built me. I'm {name}, an AI assistant.",
        "I'm {name}, and I was developed by {maker}.",
    ),
    "human": (
        "No, I'm not a human. I'm {name}, an AI assistant made by {maker}.",
        "No. I'm {name}, an AI assistant created by {maker}, not a person.",
        "I'm an AI, not a person: I'm {name}, built by {maker}.",
    ),
    "other_model": (
        "No, I'm {name}, an AI assistant created by {maker}.",
        "No. I'm {name}, and I was made by {maker}.",
        "No, you're talking to {name}, an AI assistant built by {maker}.",
    ),
    "capabilities": (
        "I'm {name}, a small AI assistant made by {maker}. I can answer short questions, do simple math, "
        "sort lists and write short Python functions.",
        "I'm {name}, built by {maker}. I'm best at short answers: quick facts, simple arithmetic, sorting, "
        "and concise code.",
    ),
    "greeting": (
        "Hello! I'm {name}. How can I help you today?",
        "Hi there! I'm {name}, an AI assistant. What can I do for you?",
        "Hey! {name} here. What would you like help with?",
        "Hi! I'm {name}. What can I help you with?",
    ),
}


def _cased(text: str, rng: random.Random) -> str:
    # People type "who are you" as often as "Who are you?": a tenth of requests come lower-case, unpunctuated.
    return text.lower().rstrip("?!.") if rng.random() < 0.1 else text


def _question(kind: str, rng: random.Random, name: str, maker: str) -> str:
    own = {name.lower(), maker.lower()}
    others = [o for o in OTHERS if o.lower() not in own]
    other_makers = [m for m in OTHER_MAKERS if m.lower() not in own]
    return rng.choice(QUESTIONS[kind]).format(other=rng.choice(others), other_maker=rng.choice(other_makers))


def _request(kind: str, rng: random.Random, name: str, maker: str, greet: bool) -> str:
    question = _question(kind, rng, name, maker) + rng.choice(CLOSINGS)
    if greet:
        sep = rng.choice(("! ", ", ", ". "))
        if sep == ", ":
            question = question[0].lower() + question[1:]
        question = rng.choice(GREETINGS) + sep + question
    return _cased(question, rng)


def _greeting(rng: random.Random) -> str:
    return _cased(rng.choice(GREETINGS) + rng.choice(("!", "", ".", " :)", "!!")), rng)


def draw(rng: random.Random, name: str, maker: str) -> tuple[list[dict], str]:
    """One identity exchange (or a greeting then one): (messages, task name)."""
    kind = rng.choice(sorted(QUESTIONS))
    facts = {"name": name, "maker": maker}
    messages: list[dict] = []
    shape = rng.random()
    if shape < 0.15:  # a bare greeting first, then the question
        messages += [
            {"role": "user", "content": _greeting(rng)},
            {"role": "assistant", "content": rng.choice(ANSWERS["greeting"]).format(**facts)},
        ]
    elif shape < 0.25 and kind == "greeting":  # a bare greeting alone
        messages += [{"role": "user", "content": _greeting(rng)}]
        messages += [{"role": "assistant", "content": rng.choice(ANSWERS["greeting"]).format(**facts)}]
        return messages, "identity/greeting"
    greet = rng.random() < 0.5
    messages += [
        {"role": "user", "content": _request(kind, rng, name, maker, greet)},
        {"role": "assistant", "content": rng.choice(ANSWERS[kind]).format(**facts)},
    ]
    return messages, f"identity/{kind}"
