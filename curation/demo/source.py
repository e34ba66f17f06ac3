"""What the demo generator hands back: one generated corpus and the problems planted in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class DemoSource:
    """One generated demo corpus.

    `planted` counts the problems written into the file on purpose, by reason-code-like
    key (rows). The `malformed:*` counts are exact: each such row has exactly that one
    problem, so the ingest must drop exactly these. The other keys (exact_duplicate,
    near_duplicate, identity_claim:*, quality:*, pii, non_english, ...) say what later
    stages have to find.
    """

    name: str  # source name, e.g. "openorca"
    adapter: str  # adapter name the ingest uses
    path: Path  # the generated file
    options: dict = field(default_factory=dict)  # adapter options, e.g. {"domain": "web"}
    planted: dict[str, int] = field(default_factory=dict)

    def to_json(self, root: Path) -> dict:
        """The sources.json entry: the path relative to `root`, planted keys sorted."""
        return {
            "name": self.name,
            "adapter": self.adapter,
            "path": self.path.relative_to(root).as_posix(),
            "options": dict(self.options),
            "planted": dict(sorted(self.planted.items())),
        }
