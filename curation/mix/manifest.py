"""The mix manifest: a YAML file that says what a mix is made of, validated before any work.

::

    name: wind-edge-1.6-distill-12m
    seed: 0
    budget_tokens: 12M            # or 12000000; budgets take k / M / B / T (decimal)
    tokenizer: qwen3              # qwen3, qwen3.5, or hf:<Hub id or ./local/path>
    template: {name: qwen3-nothink, identity: {name: Wind-Edge-1.6, maker: North AI}}
    sources:
      - {name: openorca, adapter: openorca, location: hf:Open-Orca/OpenOrca, weight: 2, max_epochs: 1}
      - {name: claude, adapter: distill_messages, location: data/claude/*.jsonl, weight: 5, max_epochs: 2.5}
    dedup: {exact: true, near: true, scope: mix}
    filters: {identity: {action: drop}, pii: {}}
    split: {eval_fraction: 0.05}

A curriculum gives ``stages`` (ordered, each with its own budget and weights) and a
pretraining mix ``phases`` (budget, context length, weights, a minimum document length)
instead of source weights. Every error names its field (``sources.claude.max_epochs: ...``).
Relative paths are relative to the manifest file (manifest_paths.py); names that reach file
names are slugs (manifest_types.py). Whether the budget is reachable needs token counts:
the build calls :func:`check_reachable` once it has them.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from curation.filters.config import FilterConfig, referenced_files
from curation.mix.manifest_budget import MixPart, check_reachable
from curation.mix.manifest_checks import cross_field_problems
from curation.mix.manifest_errors import describe
from curation.mix.manifest_filters import merged_filter_config
from curation.mix.manifest_parts import DedupSpec, OutputSpec, PhaseSpec, SplitSpec, StageSpec, TemplateSpec
from curation.mix.manifest_paths import context_base_dir, context_check_files, resolve
from curation.mix.manifest_source import SourceEntry
from curation.mix.manifest_types import Slug, TokenCount
from curation.mix.object_store import LOCK_FILE

try:
    from curation.tokens.registry import ALIASES as TOKENIZER_ALIASES
    from curation.tokens.registry import KNOWN_NAMES as TOKENIZERS
except ImportError:  # pragma: no cover - the tokens package is optional while it is being built
    TOKENIZERS, TOKENIZER_ALIASES = ("qwen3", "qwen3.5"), {}

HF = "hf:"
__all__ = ["MixManifest", "MixPart", "check_reachable", "load_manifest", "parse_manifest"]


class MixManifest(BaseModel):
    """A mix: sources and their weights, curation, a token budget, a seed, a template and tokenizer."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="Mix manifest")

    name: Slug = Field(description="Mix name (a slug); the default output directory name.")
    description: str = Field(default="", description="What the mix is for (goes into the dataset card).")
    seed: int = Field(default=0, description="Seed of every sampling, split and shuffle decision.")
    budget_tokens: TokenCount | None = Field(
        default=None,
        description="Total tokens of the mix (rendered rows). Required unless stages or phases give budgets; "
        "with them, it must equal their sum.",
    )
    tokenizer: str = Field(
        default="qwen3", description="Tokenizer counting the tokens: qwen3, qwen3.5, or hf:<name|path>."
    )
    template: TemplateSpec = Field(
        default_factory=TemplateSpec, description="Chat template rows are rendered with."
    )
    sources: list[SourceEntry] = Field(min_length=1, description="The sources (names unique).")
    dedup: DedupSpec = Field(default_factory=DedupSpec, description="Deduplication before the filters.")
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="Filter chain (see curation/filters/config.py): filter -> parameters; per-source overrides "
        "go in each source's `filters` (or here under `sources`).",
    )
    split: SplitSpec = Field(default_factory=SplitSpec, description="Held-out eval split.")
    output: OutputSpec = Field(default_factory=OutputSpec, description="Shards and row order.")
    stages: list[StageSpec] = Field(
        default_factory=list, description="Curriculum: sub-mixes in training order."
    )
    phases: list[PhaseSpec] = Field(
        default_factory=list, description="Pretraining phases, in training order."
    )
    demo_budget_tokens: TokenCount | None = Field(
        default=None,
        description="Total tokens when built with --demo on the embedded demo corpora (stages and phases "
        "scaled in proportion); required for --demo.",
    )

    _base_dir: Path = PrivateAttr(default_factory=Path.cwd)
    _filter_config: FilterConfig | None = PrivateAttr(default=None)

    @field_validator("tokenizer")
    @classmethod
    def _known_tokenizer(cls, value: str, info: ValidationInfo) -> str:
        key = value.strip()
        if key.startswith(HF):
            ref = key[len(HF) :]
            if not ref:
                raise ValueError("hf: needs a tokenizer name or path after it (hf:Qwen/Qwen3-8B, hf:./tok)")
            if (
                _is_local(ref)
                and context_check_files(info)
                and not resolve(context_base_dir(info), ref).exists()
            ):
                raise ValueError(f"tokenizer path not found: {resolve(context_base_dir(info), ref)}")
            return value
        if key.lower() not in TOKENIZERS and key.lower() not in TOKENIZER_ALIASES:
            known = ", ".join((*TOKENIZERS, *TOKENIZER_ALIASES))
            raise ValueError(f"unknown tokenizer {value!r}; known: {known}, or hf:<name or path>")
        return value

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> MixManifest:
        self._base_dir = context_base_dir(info)
        problems = cross_field_problems(self)
        if not problems:
            try:
                self._filter_config = self._parse_filters()
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _parse_filters(self) -> FilterConfig:
        return merged_filter_config(self.filters, self.sources, self._base_dir)

    # --- what the build uses -------------------------------------------------------------

    @property
    def base_dir(self) -> Path:
        """The manifest file's directory: relative paths in the manifest are relative to it."""
        return self._base_dir

    @property
    def total_budget(self) -> int:
        """Tokens of the whole mix (the sum over stages or phases when it has them)."""
        return sum(p.budget_tokens for p in self.parts())

    def source(self, name: str) -> SourceEntry:
        for entry in self.sources:
            if entry.name == name:
                return entry
        raise KeyError(f"no source {name!r} in mix {self.name!r}")

    def parts(self) -> list[MixPart]:
        """The sub-mixes in training order: the stages, the phases, or the whole mix as one part "main"."""
        if self.stages:
            return [
                MixPart(s.name, s.budget_tokens, dict(s.weights), self.output.context_length)
                for s in self.stages
            ]
        if self.phases:
            return [
                MixPart(p.name, p.budget_tokens, dict(p.weights), p.context_length, p.min_doc_tokens)
                for p in self.phases
            ]
        weights = {s.name: s.weight for s in self.sources if s.weight is not None}
        return [MixPart("main", self.budget_tokens or 0, weights, self.output.context_length)]

    def source_filter_config(self) -> FilterConfig:
        """The filter chain, each source's overrides merged in (`.for_source(name)`)."""
        assert self._filter_config is not None  # set by validation
        return self._filter_config

    def referenced_files(self) -> list[Path]:
        """Every file besides the sources' inputs that shapes the output: the filters' models,
        word lists and benchmark files, chat template files, and a local hf: tokenizer's files
        (absolute, sorted)."""
        found = set(referenced_files([self.filters, *(s.filters for s in self.sources if s.filters)], self._base_dir))
        for ref in (self.template.template_ref(self._base_dir), self.template.serving_ref(self._base_dir)):
            if ref is not None and Path(ref).is_file():  # a named template is part of the code
                found.add(Path(ref))
        name = self.tokenizer_name()
        if name.startswith(HF) and Path(name[len(HF) :]).exists():
            local = Path(name[len(HF) :])
            if local.is_dir():
                found.update(p for p in local.rglob("*") if p.is_file() and not p.relative_to(local).as_posix().startswith("."))
            else:
                found.add(local)
        return sorted(found)

    def tokenizer_name(self) -> str:
        """The name for `curation.tokens.get_tokenizer`: a local hf: path made absolute."""
        ref = self.tokenizer.strip()
        if ref.startswith(HF) and _is_local(ref[len(HF) :]):
            return HF + str(resolve(self._base_dir, ref[len(HF) :]))
        return ref

    def scaled(self, factor: float) -> MixManifest:
        """A copy with every budget multiplied by `factor` (> 0) and rounded (at least 1 token),
        e.g. for `--demo`. With stages or phases, budget_tokens becomes their new sum."""
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 0 < factor < float("inf"):
            raise ValueError(f"scale factor must be a positive number, got {factor!r}")

        def scale(tokens: int) -> int:
            return max(1, int(Fraction(tokens) * Fraction(factor) + Fraction(1, 2)))

        stages = [s.model_copy(update={"budget_tokens": scale(s.budget_tokens)}) for s in self.stages]
        phases = [p.model_copy(update={"budget_tokens": scale(p.budget_tokens)}) for p in self.phases]
        if stages or phases:
            budget = (
                sum(p.budget_tokens for p in stages or phases) if self.budget_tokens is not None else None
            )
        else:
            budget = scale(self.budget_tokens or 0)
        return self.model_copy(update={"budget_tokens": budget, "stages": stages, "phases": phases})


def _is_local(ref: str) -> bool:
    return ref.startswith((".", "/", "~")) or ref.endswith(".json")


def parse_manifest(
    data: Any, base_dir: Path | None = None, where: str = "mix manifest", check_files: bool = True
) -> MixManifest:
    """Validate a manifest (a mapping, e.g. parsed YAML). Relative paths resolve against
    `base_dir` (default: the working directory); `check_files` False skips the checks that
    input files exist. Raises ValueError naming the field of every problem."""
    if not isinstance(data, dict):
        raise ValueError(
            f"{where}: expected a mapping (name, budget_tokens, sources, ...), got {type(data).__name__}"
        )
    context = {"base_dir": Path(base_dir or Path.cwd()).resolve(), "check_files": check_files}
    try:
        return MixManifest.model_validate(data, context=context)
    except ValidationError as exc:
        raise ValueError(f"{where}: {describe(exc, data)}") from None


def no_manifest_message(path: Path) -> str:
    """Why `path` is not a manifest; for a directory, what it holds instead (a built mix, or
    manifests to choose from)."""
    if not path.is_dir():
        return f"no mix manifest at {path}"
    if (path / LOCK_FILE).is_file():
        return (
            f"{path} is a built mix, not a manifest: `curate mix regenerate {path}` rebuilds it from its "
            f"lock, or give the manifest's YAML file"
        )
    yamls = sorted(p.name for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    hint = f" (it holds {', '.join(yamls[:8])}{', ...' if len(yamls) > 8 else ''})" if yamls else ""
    return f"{path} is a directory, not a mix manifest: give the manifest's YAML file{hint}"


def load_manifest(path: Path | str, check_files: bool = True) -> MixManifest:
    """Read and validate a YAML manifest (safe-load: data only, no tags that run code)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(no_manifest_message(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_manifest(data, path.resolve().parent, where=str(path), check_files=check_files)
