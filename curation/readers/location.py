"""Where a source's rows live: local files (a file, a directory or a glob) or a Hub dataset."""

from __future__ import annotations

from dataclasses import dataclass

HUB_PREFIX = "hf:"
FORMATS = ("jsonl", "json", "parquet", "arrow", "csv", "txt")


@dataclass(frozen=True)
class Location:
    """A local path/glob, or a Hugging Face dataset id (+ revision, subset, split).

    `format` overrides detection from the file extension (after .gz / .zst).
    """

    path: str | None = None
    hub: str | None = None
    revision: str | None = None
    subset: str | None = None
    split: str = "train"
    format: str | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.hub is None):
            raise ValueError("a location is either a local path or a hub dataset id, not both or neither")
        if self.format is not None and self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}; known: {', '.join(FORMATS)}")

    @classmethod
    def parse(cls, text: str, **kwargs: object) -> Location:
        """`hf:org/name` is a hub dataset; anything else is a local path, directory or glob."""
        if text.startswith(HUB_PREFIX):
            return cls(hub=text[len(HUB_PREFIX):], **kwargs)  # type: ignore[arg-type]
        return cls(path=text, **kwargs)  # type: ignore[arg-type]

    def describe(self) -> str:
        if self.hub is not None:
            extra = "".join(
                f" {k}={v}" for k, v in (("revision", self.revision), ("subset", self.subset), ("split", self.split)) if v
            )
            return f"{HUB_PREFIX}{self.hub}{extra}"
        return str(self.path)
