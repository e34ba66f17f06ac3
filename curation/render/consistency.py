"""Train/serve consistency: what the model is trained on must continue what it is served.

Row level: the serving prompt of a row (the conversation up to its last assistant turn,
rendered with the serving template, ``add_generation_prompt=True`` and the mix's
``enable_thinking`` and system message) must be an exact prefix of the row's training
rendering. A row where it is not (thinking template against a no-thinking server, a missing
identity system message, earlier turns rendered differently) teaches the model a prompt it will
never see; it is dropped with ``template_mismatch``.

Mix level: a mix rendered with a template other than the serving template the manifest names
fails before anything is written (:func:`check_mix_template`).
"""

from __future__ import annotations

from curation.render.conversation import last_assistant, render
from curation.render.templates import ChatTemplate

MISMATCH = "template_mismatch"


def serving_prompt(
    serving: ChatTemplate,
    messages: list[dict],
    *,
    tools: list[dict] | None,
    enable_thinking: bool,
    system_message: str | None,
) -> str | None:
    """The prompt a server sends before the last assistant turn; None when there is no assistant turn."""
    i = last_assistant(messages)
    if i < 0:
        return None
    text, _ = render(
        serving,
        messages[:i],
        tools=tools,
        add_generation_prompt=True,
        enable_thinking=enable_thinking,
        system_message=system_message,
    )
    return text


def mismatch_detail(prompt: str, text: str) -> str:
    """Human detail: where the training text leaves the serving prompt, with both sides shown."""
    n = 0
    limit = min(len(prompt), len(text))
    while n < limit and prompt[n] == text[n]:
        n += 1
    return (
        f"serving prompt is not a prefix of the training text: they differ at char {n} "
        f"(serving {prompt[n : n + 40]!r}, training {text[n : n + 40]!r})"
    )


def check_mix_template(template: ChatTemplate, serving: ChatTemplate | None) -> None:
    """Raise ValueError when a mix's template is not the manifest's serving template."""
    if serving is None or template.same_as(serving):
        return
    raise ValueError(
        f"mix template {template.name!r} differs from the serving template {serving.name!r} named in the "
        "manifest: the model would be trained on a format it is not served with (render the mix with the "
        "serving template, or name the template actually served)"
    )
