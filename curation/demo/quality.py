"""Low-quality assistant answers: refusals, truncations, degenerate repetition.

Each maker turns a good answer (or a prompt) into the bad one a later quality filter
has to catch. Texts differ per row so the dedup does not merge them before the filter
sees them.
"""

from __future__ import annotations

import random
import re

REFUSALS: tuple[str, ...] = (
    "As an AI language model, I cannot provide an answer to questions about {topic}.",
    "As an AI language model, I don't have personal opinions, so I can't say anything definite about "
    "{topic}.",
    "I'm sorry, but as an AI language model I am unable to help with {topic}. Please consult a qualified "
    "professional.",
    "As an AI language model, I do not have access to real-time information, and I cannot discuss {topic}.",
    "I apologize, but I cannot fulfil this request. As an AI language model, {topic} is outside what I can "
    "do.",
    "Unfortunately, as an AI language model, I am not able to assist with {topic} at this time.",
    "As an AI developed to be helpful, I must decline: questions on {topic} could be misused, so I won't "
    "answer.",
    "As an AI language model, I cannot browse the internet or verify facts, so I can't respond about "
    "{topic}.",
    "I'm just an AI language model and I'm not able to give advice on {topic}. I hope you understand.",
    "As an AI language model, it would be inappropriate for me to comment on {topic}.",
)

REPEAT_LINES: tuple[str, ...] = (
    "Step 1: sort the list.", "The answer is 4.", "I hope this helps!", "Let me think about this again.",
    "sorted_list = sorted(list)", "Thank you for your question.", "Therefore, the total is 12.",
    "Let's check the next step.", "def solve():", "The capital is Paris.", "First, we read the input.",
    "This is correct.",
)


def topic_of(prompt: str) -> str:
    """A short noun phrase naming what a prompt is about (for a refusal's wording)."""
    words = re.findall(r"[A-Za-z']+", prompt)
    core = [w for w in words if len(w) > 3][:4] or words[:3]
    return "'" + " ".join(core).lower() + "'"


def refusal(prompt: str, rng: random.Random) -> str:
    return rng.choice(REFUSALS).format(topic=topic_of(prompt))


def truncate(answer: str, rng: random.Random) -> str | None:
    """Cut an answer mid-sentence (a generation that hit its token limit).

    Answers with a code fence are cut inside the code, leaving the fence open. Returns
    None when the answer is too short to cut convincingly.
    """
    if "```" in answer:
        start = answer.index("```") + 3
        end = answer.find("```", start)
        body_end = end if end != -1 else len(answer)
        newlines = [m.start() for m in re.finditer("\n", answer[start:body_end])]
        if len(newlines) < 3:
            return None
        cut = start + newlines[len(newlines) // 2] + 1
        return answer[:cut] + "    "
    words = list(re.finditer(r"\b[a-z]{3,}\b", answer))
    if len(words) < 12:
        return None
    m = words[rng.randint(len(words) * 2 // 5, len(words) * 3 // 5)]
    return answer[: m.end()]


def repetition(rng: random.Random) -> str:
    """A degenerate answer: one line (sometimes after a short start) repeated many times."""
    line = rng.choice(REPEAT_LINES)
    times = rng.randint(14, 40)
    lead = rng.choice(["", "Sure! ", "Okay, let's solve it.\n"])
    return lead + "\n".join([line] * times)
