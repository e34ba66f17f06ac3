"""One source of a mix: what to read (adapter, location), how much of it (weight, max_epochs),
its rank among duplicates (priority) and its own filter overrides."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from curation.adapters import ADAPTERS, get_adapter
from curation.mix.manifest_errors import field_error
from curation.mix.manifest_paths import context_base_dir, context_check_files, resolve
from curation.mix.manifest_types import Slug, Weight
from curation.readers.location import FORMATS, HUB_PREFIX, Location
from curation.readers.remote import is_url

if TYPE_CHECKING:
    from pathlib import Path

    from curation.ingest import SourceSpec

# A Hub dataset id: `name` or `org/name` (letters, digits, '.', '_', '-').
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")


class SourceEntry(BaseModel):
    """A source: rows read by an adapter from local files or a Hub dataset."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Slug = Field(description="Source name (a slug), used in ids, reports and file names.")
    adapter: str = Field(
        description="Adapter mapping the source's schema to canonical records (`curate adapters`)."
    )
    location: str = Field(
        description="Local file, directory or glob (relative to the manifest file), or hf:<org/name> for a Hub dataset."
    )
    revision: str | None = Field(default=None, description="Hub revision (commit, tag or branch); hf: only.")
    subset: str | None = Field(default=None, description="Hub dataset config (subset); hf: only.")
    split: str = Field(
        default="train", min_length=1, description="Split to read (Hub, or a saved DatasetDict)."
    )
    format: str | None = Field(
        default=None, description=f"File format when the extension does not tell: {', '.join(FORMATS)}."
    )
    options: dict[str, str] = Field(default_factory=dict, description="Adapter options, e.g. {domain: math}.")
    weight: Weight | None = Field(
        default=None,
        description="Relative share of the budget (normalised over the sources); required unless the mix has "
        "stages or phases, which carry their own weights.",
    )
    max_epochs: float = Field(
        default=1.0, ge=0, allow_inf_nan=False, description="Most passes over the source's rows (e.g. 2.5)."
    )
    priority: int = Field(
        default=0, description="Rank among duplicates across sources: the lowest number survives."
    )
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="Filter overrides for this source, merged key by key over the mix's `filters` (false: off).",
    )
    demo: str | None = Field(
        default=None,
        description="The embedded demo corpus standing in for this source in `curate mix build --demo` "
        "(a `curate demo` source name, or `polish`).",
    )

    @field_validator("adapter")
    @classmethod
    def _known_adapter(cls, value: str) -> str:
        if value not in ADAPTERS:
            raise ValueError(f"unknown adapter {value!r}; known adapters: {', '.join(sorted(ADAPTERS))}")
        return value

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str | None) -> str | None:
        if value is not None and value not in FORMATS:
            raise ValueError(f"unknown format {value!r}; known: {', '.join(FORMATS)}")
        return value

    @field_validator("location")
    @classmethod
    def _location_shape(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("location is empty")
        if value.startswith(HUB_PREFIX) and not HUB_ID.match(value[len(HUB_PREFIX) :]):
            raise ValueError(f"{value!r} is not a Hub dataset id (hf:org/name)")
        return value

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> SourceEntry:
        self._check_options()
        if not self.is_hub:
            for field in ("revision", "subset"):
                if getattr(self, field) is not None:
                    raise field_error(field, f"only a Hub location (hf:...) has a {field}")
            if context_check_files(info):
                self._check_files(context_base_dir(info))
        return self

    def _check_options(self) -> None:
        takes = ADAPTERS[self.adapter].option_names()
        unknown = sorted(set(self.options) - set(takes))
        if unknown:
            raise field_error(
                f"options.{unknown[0]}",
                f"adapter {self.adapter!r} has no such option; it takes {', '.join(takes) or 'none'}",
            )
        try:
            get_adapter(self.adapter, **self.options)
        except ValueError as exc:
            raise field_error("options", str(exc)) from None

    def _check_files(self, base_dir: Path) -> None:
        from curation.readers import input_paths
        from curation.readers.base import SourceError

        try:
            input_paths(self.location_spec(base_dir))
        except SourceError as exc:
            raise field_error("location", f"{exc} (relative paths are relative to {base_dir})") from None

    @property
    def is_hub(self) -> bool:
        return self.location.startswith(HUB_PREFIX)

    def location_spec(self, base_dir: Path) -> Location:
        """The reader's Location, local paths made absolute against `base_dir` (the manifest's dir)."""
        if self.is_hub:
            return Location.parse(self.location, revision=self.revision, subset=self.subset, split=self.split)
        if is_url(self.location):  # s3://..., gs://...: read through fsspec (readers/remote.py)
            return Location(path=self.location, split=self.split, format=self.format)
        return Location(path=str(resolve(base_dir, self.location)), split=self.split, format=self.format)

    def source_spec(self, base_dir: Path) -> SourceSpec:
        """What `curation.ingest.ingest_source` takes."""
        from curation.ingest import SourceSpec

        return SourceSpec(self.name, self.adapter, self.location_spec(base_dir), dict(self.options))
