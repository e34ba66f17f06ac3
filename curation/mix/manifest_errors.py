"""pydantic's validation errors as one line per problem, `field.path: message`, with list
entries named by their `name` (sources.openorca.weight, not sources.3.weight)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

# A model validator checks several fields at once, and pydantic locates its error at the
# model; `field_error` tags the message with the field, which `describe` moves into the path.
_FIELD_TAG = re.compile(r"^\[([A-Za-z0-9_.-]+)\] (.*)$", re.DOTALL)
_NAMED_LISTS = ("sources", "stages", "phases")


def field_error(field: str, message: str) -> ValueError:
    """An error a model validator raises about one of its fields (`field` may be dotted)."""
    return ValueError(f"[{field}] {message}")


def _path(loc: tuple, data: Any) -> list[str]:
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, str) and "[" in item and item.endswith("]"):
            continue  # pydantic's validator/union tags, e.g. function-after[...]
        if isinstance(item, int) and parts and parts[-1] in _NAMED_LISTS:
            entry = node[item] if isinstance(node, list) and item < len(node) else None
            name = entry.get("name") if isinstance(entry, dict) else None
            parts.append(name if isinstance(name, str) and name else f"[{item}]")
        else:
            parts.append(str(item))
        if isinstance(node, dict):
            node = node.get(item)
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            node = node[item]
        else:
            node = None
    return parts


def describe(exc: ValidationError, data: Any) -> str:
    """`; `-joined problems, each `field.path: message`."""
    lines = []
    for err in exc.errors():
        parts = _path(tuple(err["loc"]), data)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        if m := _FIELD_TAG.match(msg):
            parts.append(m.group(1))
            msg = m.group(2)
        where = ".".join(parts).replace(".[", "[")
        lines.append(f"{where}: {msg}" if where else msg)
    return "; ".join(lines)
