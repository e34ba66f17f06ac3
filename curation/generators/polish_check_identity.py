"""Check an identity polish row against the identity it was generated for (meta name, maker).

Every assistant turn states the name; an answer to a question about the maker, about being
human or another model, or about what it can do states the maker; a "are you human / are you
ChatGPT" answer says no; and no assistant turn names another model or maker or claims to be a
person. The lists here are this check's own, not the generator's.
"""

from __future__ import annotations

import re

MAKER_KINDS = frozenset({"maker", "human", "other_model", "capabilities"})
DENIAL_KINDS = frozenset({"human", "other_model"})
FOREIGN = (
    "ChatGPT",
    "GPT",
    "Claude",
    "Gemini",
    "Bard",
    "Llama",
    "Copilot",
    "Siri",
    "Alexa",
    "Mistral",
    "Qwen",
    "OpenAI",
    "Anthropic",
    "Google",
    "Meta",
    "Microsoft",
    "Apple",
    "Amazon",
    "Alibaba",
    "DeepSeek",
)
HUMAN_CLAIM = re.compile(
    r"\bI(?:'m| am) (?:a |an )?(?:human|person|real person|man|woman)\b|\bas a (?:human|person)\b|\bmy (?:family|body)\b",
    re.IGNORECASE,
)
DENIAL = re.compile(r"^(?:No\b|I'm an AI, not)")


def check(messages: list[dict], meta: dict) -> None:
    """ValueError naming the first thing wrong with an identity row."""
    name, maker = meta.get("name"), meta.get("maker")
    if not name or not maker:
        raise ValueError("identity row without meta name and maker")
    kind = meta["task"].split("/", 1)[1]
    own = f"{name} {maker}".lower()
    foreign = [f for f in FOREIGN if f.lower() not in own]
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, foreign)) + r")\b", re.IGNORECASE)
    answers = [m["content"] for m in messages if m["role"] == "assistant"]
    for i, text in enumerate(answers):
        if name not in text:
            raise ValueError(f"assistant turn {i} does not state the name {name!r}")
        if (hit := pattern.search(text.replace(name, "").replace(maker, ""))) is not None:
            raise ValueError(f"assistant turn {i} names {hit.group(0)!r}")
        if (hit := HUMAN_CLAIM.search(text)) is not None:
            raise ValueError(f"assistant turn {i} claims to be a person: {hit.group(0)!r}")
    if kind in MAKER_KINDS and maker not in answers[-1]:
        raise ValueError(f"the answer to a {kind} question does not state the maker {maker!r}")
    if kind in DENIAL_KINDS and not DENIAL.match(answers[-1]):
        raise ValueError(f"the answer to a {kind} question does not say no")
