"""The shape of a polish row, its stable id, and its OpenAI-messages JSONL line.

A row is `{id, messages: [{role, content}], meta: {domain, task, ...}}`. The id is
`polish-` + the SHA-256 (hex) of the messages' canonical JSON, so the same conversation gets
the same id from any run, and a changed answer gets a new one. The JSONL line is what the
`openai_messages` adapter reads: `id`, `messages`, `source` (`polish/<domain>`, which ingest keeps
as meta.data_source), plus `meta` for polish_verify (the adapter reads only the fields it knows).
"""

from __future__ import annotations

import hashlib
import json

DOMAINS = ("identity", "arithmetic", "sorting", "code")
ID_PREFIX = "polish-"


def canonical_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row_id(messages: list[dict]) -> str:
    """`polish-<sha256 hex>` of the messages' canonical JSON (keys sorted, no spaces, UTF-8)."""
    return ID_PREFIX + hashlib.sha256(canonical_json(messages).encode()).hexdigest()


def make_row(messages: list[dict], task: str, **meta: str) -> dict:
    """A row from its messages and task name (`<domain>/<task>`); extra meta (identity name, maker) as given."""
    domain = task.split("/", 1)[0]
    if domain not in DOMAINS:
        raise ValueError(f"task {task!r} is in no known domain ({', '.join(DOMAINS)})")
    return {"id": row_id(messages), "messages": messages, "meta": {"domain": domain, "task": task, **meta}}


def prompt_key(messages: list[dict]) -> str:
    """Everything before the final answer: two rows with the same key ask the same thing."""
    return canonical_json(messages[:-1])


def jsonl_line(row: dict) -> str:
    """One OpenAI-messages JSON line (no trailing newline)."""
    record = {
        "id": row["id"],
        "messages": row["messages"],
        "source": f"polish/{row['meta']['domain']}",
        "meta": row["meta"],
    }
    return json.dumps(record, ensure_ascii=False)


def from_jsonl_line(line: str) -> dict:
    """The row back from its JSON line (for verifying a written file)."""
    record = json.loads(line)
    return {"id": record["id"], "messages": record["messages"], "meta": record["meta"]}
