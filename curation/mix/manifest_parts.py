"""The sections of a mix manifest other than its sources: template, dedup, split, output,
curriculum stages and pretraining phases. Each is a strict pydantic model (unknown keys and
wrongly typed values are errors naming the field)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from curation.dedup.exact import SCOPES
from curation.dedup.keys import KEYS
from curation.mix.manifest_errors import field_error
from curation.mix.manifest_paths import context_base_dir, context_check_files, resolve
from curation.mix.manifest_types import Slug, TokenCount, Weight
from curation.render.templates import NAMED as NAMED_TEMPLATES

if TYPE_CHECKING:
    from pathlib import Path

    from curation.dedup.exact import ExactOptions
    from curation.dedup.near_stage import NearOptions

STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
NOTHINK = "qwen3-nothink"  # the template that inserts the identity system message
MIB = 1 << 20


class Identity(BaseModel):
    """Who the trained model says it is: the default system message of its serving template."""

    model_config = STRICT

    name: str = Field(min_length=1, pattern=r"\S", description="Model name, e.g. Wind-Edge-1.6.")
    maker: str = Field(min_length=1, pattern=r"\S", description="Who made it, e.g. North AI.")

    def system_message(self) -> str:
        from curation.render.identity import identity_system_message

        return identity_system_message(self.name, self.maker)


def _is_template_path(text: str) -> bool:
    return text.endswith((".jinja", ".j2", ".json")) or "/" in text or "\\" in text


class TemplateSpec(BaseModel):
    """The chat template rows are rendered with, and the one the model is served with."""

    model_config = STRICT

    name: str = Field(
        default=NOTHINK,
        description=f"Chat template for training rows: one of {', '.join(NAMED_TEMPLATES)}, or a path "
        "(relative to the manifest) to a .jinja file or a Hugging Face tokenizer_config.json.",
    )
    serving: str | None = Field(
        default=None,
        description="Template the model is served with (checked for consistency with `name`); "
        "null = the same as `name`. Same forms as `name`.",
    )
    enable_thinking: bool = Field(
        default=False, description="Render with thinking on (keep reasoning blocks)."
    )
    identity: Identity | None = Field(
        default=None,
        description=f"Model name and maker for the identity system message; required by {NOTHINK}.",
    )

    @field_validator("name", "serving")
    @classmethod
    def _known_or_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or value in NAMED_TEMPLATES:
            return value
        if not _is_template_path(value):
            raise ValueError(
                f"unknown chat template {value!r}; known: {', '.join(NAMED_TEMPLATES)}, "
                "or the path of a .jinja file or a tokenizer_config.json"
            )
        if context_check_files(info):
            from curation.render.templates import load_template

            load_template(resolve(context_base_dir(info), value))  # missing file, no template, bad Jinja
        return value

    @model_validator(mode="after")
    def _identity_when_needed(self) -> TemplateSpec:
        if self.identity is None and NOTHINK in (self.name, self.serving):
            raise field_error(
                "identity",
                f"name and maker are required: {NOTHINK} renders the default identity system message",
            )
        return self

    def template_ref(self, base_dir: Path) -> str:
        """The name for `load_template`: a known name, or the file's absolute path."""
        return self.name if self.name in NAMED_TEMPLATES else str(resolve(base_dir, self.name))

    def serving_ref(self, base_dir: Path) -> str | None:
        if self.serving is None or self.serving in NAMED_TEMPLATES:
            return self.serving
        return str(resolve(base_dir, self.serving))

    def system_message(self) -> str | None:
        """The identity system message, or None when the manifest gives no identity."""
        return self.identity.system_message() if self.identity is not None else None


class DedupSpec(BaseModel):
    """Exact and near deduplication before filtering (see curation/dedup)."""

    model_config = STRICT

    exact: bool = Field(
        default=True, description="Drop exact duplicates (SHA-256 of the normalised key text)."
    )
    near: bool = Field(default=True, description="Drop near duplicates (MinHash LSH, candidates verified).")
    scope: Literal[SCOPES] = Field(  # type: ignore[valid-type]
        default="source", description="'source': duplicates within each source; 'mix': across all sources."
    )
    threshold: float = Field(
        default=0.8, gt=0, le=1, description="Jaccard at or above which rows are near duplicates."
    )
    num_perm: int = Field(default=128, ge=1, description="MinHash permutations.")
    ngram: int = Field(default=5, ge=1, description="Words per shingle.")
    key: Literal[KEYS] = Field(  # type: ignore[valid-type]
        default="auto", description="Text compared: auto (by kind), conversation, prompt, response or text."
    )
    verify: Literal["exact", "signature", "none"] = Field(
        default="exact",
        description="How a near-duplicate candidate is confirmed: exact (Jaccard of the shingle sets), signature "
        "(the MinHash estimate, from the signatures the caller holds: what a cluster with an object-store work "
        "directory uses, docs/scale.md) or none (every LSH candidate).",
    )

    @model_validator(mode="after")
    def _near_parameters(self) -> DedupSpec:
        if self.near:
            self.near_options()  # the LSH banding must exist for threshold x num_perm
        return self

    def exact_options(self) -> ExactOptions:
        from curation.dedup.exact import ExactOptions

        return ExactOptions(key=self.key, scope=self.scope)

    def near_options(self) -> NearOptions | None:
        """None when near dedup is off."""
        if not self.near:
            return None
        from curation.dedup.near_stage import NearOptions

        return NearOptions(
            threshold=self.threshold, num_perm=self.num_perm, ngram=self.ngram, key=self.key, verify=self.verify
        )


class SplitSpec(BaseModel):
    """Held-out evaluation rows, chosen by a keyed hash so the split is deterministic."""

    model_config = STRICT

    eval_fraction: float = Field(
        default=0.0, ge=0, lt=0.5, description="Share of rows held out for eval, [0, 0.5)."
    )
    by: Literal["id", "near_duplicate_cluster"] = Field(
        default="id",
        description="Hash key of the split: the row id, or its near-duplicate cluster (near duplicates land "
        "on the same side; needs dedup.near).",
    )


class OutputSpec(BaseModel):
    """Shard sizes and row order of the written dataset."""

    model_config = STRICT

    max_shard_rows: int = Field(default=50_000, ge=1, description="Rows per Arrow shard at most.")
    max_shard_bytes: int = Field(default=256 * MIB, ge=1, description="Bytes per Arrow shard at most.")
    shuffle: bool = Field(
        default=True, description="Seeded shuffle of the rows (within each stage or phase)."
    )
    pack: bool = Field(
        default=False, description="Also write token ids packed into sequences of context_length."
    )
    context_length: int | None = Field(
        default=None, ge=1, description="Tokens per packed sequence (phases give their own)."
    )


class _WeightedPart(BaseModel):
    model_config = STRICT

    name: Slug = Field(description="Name (a slug: lowercase letters, digits, '.', '_', '-').")
    budget_tokens: TokenCount = Field(description="Tokens this part takes (12000000, '12M', '1.2T').")
    weights: dict[str, Weight] = Field(
        min_length=1, description="Source name -> relative share (normalised); sources not named take none."
    )

    @field_validator("weights")
    @classmethod
    def _not_all_zero(cls, weights: dict[str, float]) -> dict[str, float]:
        if not any(w > 0 for w in weights.values()):
            raise ValueError("every weight is 0; at least one source needs a positive weight")
        return weights


class StageSpec(_WeightedPart):
    """One step of a curriculum (e.g. reasoning SFT -> fast SFT -> KD): its own budget and weights."""


class PhaseSpec(_WeightedPart):
    """One pretraining phase: budget, context length and a reweighting of the sources."""

    context_length: int = Field(ge=1, description="Training context length of the phase, in tokens.")
    min_doc_tokens: int | None = Field(
        default=None, ge=1, description="Only documents of at least this many tokens (long-context phases)."
    )
