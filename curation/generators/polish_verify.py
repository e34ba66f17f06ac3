"""verify_row: check a polish row's shape, id and answer, recomputing the answer independently.

Shape: user/assistant turns alternating, starting with the user and ending with the assistant,
non-empty, no think markup; the id is the content hash (polish_row.row_id); meta names a known
domain and a task in it. The answer is then checked by its domain's checker, each of which reads
the question back from its text and recomputes the answer without the generator's code:
polish_check_arithmetic (Decimal), polish_check_sorting (re-sort), polish_check_code (run the
code, compare with reference implementations), polish_check_identity (the stated identity).
"""

from __future__ import annotations

from collections.abc import Callable

from curation.generators import (
    polish_check_arithmetic,
    polish_check_code,
    polish_check_identity,
    polish_check_sorting,
)
from curation.generators.polish_row import DOMAINS, row_id

CHECKS: dict[str, Callable[[list[dict], dict], None]] = {
    "identity": polish_check_identity.check,
    "arithmetic": polish_check_arithmetic.check,
    "sorting": polish_check_sorting.check,
    "code": polish_check_code.check,
}


class PolishVerificationError(ValueError):
    """A polish row whose shape or answer is wrong; the message names the row id and the problem."""


def _shape(row: dict) -> tuple[list[dict], dict]:
    if not isinstance(row, dict) or not {"id", "messages", "meta"} <= set(row):
        raise ValueError("a row is a dict with id, messages and meta")
    messages, meta = row["messages"], row["meta"]
    if not isinstance(messages, list) or len(messages) < 2 or len(messages) % 2:
        raise ValueError("messages must be user/assistant pairs")
    for i, m in enumerate(messages):
        want = "user" if i % 2 == 0 else "assistant"
        if not isinstance(m, dict) or set(m) != {"role", "content"} or m["role"] != want:
            raise ValueError(f"message {i} must be {{role: {want}, content}}")
        if not isinstance(m["content"], str) or not m["content"].strip():
            raise ValueError(f"message {i} is empty")
        if "<think>" in m["content"] or "</think>" in m["content"]:
            raise ValueError(f"message {i} holds think markup")
    if row["id"] != row_id(messages):
        raise ValueError("id is not the SHA-256 of the messages (content changed after generation?)")
    domain, task = meta.get("domain"), meta.get("task", "")
    if domain not in DOMAINS or not isinstance(task, str) or not task.startswith(f"{domain}/"):
        raise ValueError(f"meta domain {domain!r} / task {task!r} are not a known domain and a task in it")
    return messages, meta


def verify_row(row: dict) -> None:
    """Raise PolishVerificationError (a ValueError) naming the row and the problem if anything is wrong."""
    try:
        messages, meta = _shape(row)
        CHECKS[meta["domain"]](messages, meta)
    except PolishVerificationError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, SyntaxError) as exc:
        row_name = row.get("id", "<no id>") if isinstance(row, dict) else "<not a dict>"
        raise PolishVerificationError(f"polish row {row_name}: {exc}") from exc
