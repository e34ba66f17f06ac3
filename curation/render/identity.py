"""The default identity system message of a served model, from the manifest's name and maker.

The Wind-Edge lesson: a small model trained without a stated identity drifts into claiming
someone else's (or a human's); its chat template therefore inserts a minimal identity system
message when a conversation has none, and training must render that same message.
"""

from __future__ import annotations


def identity_system_message(name: str, maker: str) -> str:
    """ "You are {name}, a helpful assistant created by {maker}." Raises ValueError on empty parts."""
    if not name or not name.strip() or not maker or not maker.strip():
        raise ValueError(
            f"identity system message needs a model name and a maker, got {name!r} and {maker!r}"
        )
    return f"You are {name.strip()}, a helpful assistant created by {maker.strip()}."
