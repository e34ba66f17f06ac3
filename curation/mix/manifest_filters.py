"""The filter chain of a mix: the manifest's `filters` block with each source's own overrides
moved into its `sources:` mapping, validated by curation.filters.config."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.filters.config import FilterConfig, parse_filter_config

if TYPE_CHECKING:
    from curation.mix.manifest_source import SourceEntry


def merged_filter_config(
    filters: dict[str, Any], sources: Sequence[SourceEntry], base_dir: Path
) -> FilterConfig:
    """The FilterConfig of a mix; relative paths resolve against `base_dir`. Raises ValueError
    naming the field as written in the manifest (filters.X or sources.<name>.filters.X)."""
    block = dict(filters)
    written = block.get("sources") or {}
    if not isinstance(written, dict):
        raise ValueError("filters.sources: expected a mapping of source name -> filter overrides")
    known = {s.name for s in sources}
    problems = [
        f"filters.sources.{n}: unknown source; sources are {', '.join(sorted(known))}"
        for n in written
        if n not in known
    ]
    per_source = {s.name: s.filters for s in sources if s.filters}
    problems += [
        f"sources.{n}.filters: also given under filters.sources.{n}; keep one"
        for n in per_source
        if n in written
    ]
    if problems:
        raise ValueError("; ".join(problems))
    if per_source or written:
        block["sources"] = {**written, **per_source}
    try:
        return parse_filter_config(block, base_dir=base_dir, where="filters")
    except ValueError as exc:
        raise ValueError(_relabel_filter_errors(str(exc), set(per_source))) from None


def _relabel_filter_errors(message: str, per_source: set[str]) -> str:
    """`filters: sources.X.pii: ...` -> `sources.X.filters.pii: ...` for overrides written on the source."""
    out = []
    for part in message.removeprefix("filters: ").split("; "):
        head, _, rest = part.partition(".")
        name = rest.split(".", 1)[0].split(":", 1)[0]
        if part.startswith("(top level): "):
            out.append(f"filters: {part.removeprefix('(top level): ')}")
        elif head == "sources" and name in per_source:
            out.append(f"sources.{name}.filters{rest[len(name) :]}")
        else:
            out.append(f"filters.{part}")
    return "; ".join(out)
