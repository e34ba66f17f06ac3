"""The filter chain as configuration: which filters run, with which parameters, per source.

A filter config is a mapping from filter name to that filter's parameters (the constructor
parameters of its class, defaults where not given); a filter absent (or ``false``) does not
run (nor does ``null``), ``true`` or ``{}`` runs it with its published defaults. ``sources`` overrides
the parameters per source, key by key (``false`` turns a filter off for that source)::

    reasoning: {mode: strip}
    identity: {action: rewrite, name: Wind-Edge-1.6, maker: Wind-Edge Labs}
    pii: {}
    chat_quality: {}
    decontam:
      benchmarks:
        - {name: gsm8k, path: benchmarks/gsm8k/test.jsonl, fields: [question, answer]}
    pattern_cap: {max_share: 0.1}
    sources:
      glaive: {chat_quality: {check_refusal: false}}

The same block sits under ``filters:`` in a mix manifest. Validation is pydantic over the
filter classes themselves, so an unknown parameter, a bad value or a missing model file is
an error naming the field (``sources.glaive.chat_quality.check_refusal``) before any row is
read. Relative paths (models, word lists, benchmark files) are relative to the config file.

Filters run in CHAIN_ORDER whatever the order they are written in: rewriting filters first
(so the checks see the text that will be kept), the cheap rules before the models. The pattern
cap, a whole-source stage, runs after the stages of BEFORE_PATTERN_CAP (the reasoning step: the
openings it counts are those of the answers as they will be trained) and before the checks:
its shares are over the rows that reach it, so that a mix build can run the checks on only the
rows its sampling can reach (mix/frontier.py) and still cap exactly what a whole build caps.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from curation.filters.base import Filter, Verdicts
from curation.filters.c4 import C4QualityFilter
from curation.filters.chat_quality import ChatQuality
from curation.filters.decontam import BenchmarkSpec, Decontaminator
from curation.filters.fineweb import FineWebQualityFilter
from curation.filters.gopher import GopherQualityFilter, GopherRepetitionFilter
from curation.filters.identity import IdentityFilter
from curation.filters.language import LanguageFilter
from curation.filters.pattern_cap import PatternCap
from curation.filters.pii import PiiFilter
from curation.filters.quality_classifier import QualityScore
from curation.filters.reasoning import ReasoningPolicy
from curation.filters.toxicity import ToxicityFilter

# The per-batch filters, in the order they run; each is also its stage name in the funnel.
CHAIN_ORDER = (
    "reasoning",
    "identity",
    "pii",
    "chat_quality",
    "gopher_quality",
    "gopher_repetition",
    "c4",
    "fineweb",
    "language",
    "toxicity",
    "decontam",
    "quality",
)
PATTERN_CAP = "pattern_cap"  # whole-source stage, between BEFORE_PATTERN_CAP and the rest of the chain
# The chain stages whose output the pattern cap reads: the rewrites that shape an answer's opening.
BEFORE_PATTERN_CAP = ("reasoning",)
FILTER_NAMES = (*BEFORE_PATTERN_CAP, PATTERN_CAP, *(n for n in CHAIN_ORDER if n not in BEFORE_PATTERN_CAP))
# Parameters that name files: made absolute against the config file's directory.
_PATH_KEYS = ("model_path", "words_path", "path")


class DecontamConfig(BaseModel):
    """Decontamination: the benchmarks to index and the match rule (see filters/decontam.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    benchmarks: tuple[BenchmarkSpec, ...] = Field(min_length=1, description="Benchmarks to index.")
    n: int = Field(default=13, ge=1, description="Words per n-gram (13: GPT-3's contamination window).")
    min_matches: int = Field(default=1, ge=1, description="Distinct benchmark n-grams a row must share to drop.")
    roles: tuple[str, ...] = Field(default=("user", "assistant"), description="Message roles checked.")
    include_reasoning: bool = Field(default=True, description="Also check the reasoning of those messages.")

    @model_validator(mode="after")
    def _distinct_names(self) -> DecontamConfig:
        names = [b.name for b in self.benchmarks]
        if len(set(names)) != len(names):
            raise ValueError(f"benchmark names must be distinct, got {names}")
        missing = [f"{b.name}: {b.path}" for b in self.benchmarks if b.path is not None and not Path(b.path).is_file()]
        if missing:
            raise ValueError(f"benchmark files not found: {', '.join(missing)}")
        return self

    def build(self) -> Decontaminator:
        return _decontaminator(self, _file_stamps(b.path for b in self.benchmarks))


def _file_stamps(paths) -> tuple:
    """(path, size, mtime ns) of each local file: a cache key part that changes when a file does."""
    stamps = []
    for path in paths:
        if path is not None and Path(path).is_file():
            st = Path(path).stat()
            stamps.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(stamps)


@lru_cache(maxsize=8)
def _decontaminator(config: DecontamConfig, _stamps: tuple) -> Decontaminator:
    # One index per distinct config and benchmark file contents (`_stamps`: a long-lived process,
    # such as a flow server's, must not keep the index of an edited file): sources sharing the
    # global settings share the index.
    return Decontaminator.from_specs(
        config.benchmarks,
        n=config.n,
        min_matches=config.min_matches,
        roles=config.roles,
        include_reasoning=config.include_reasoning,
    )


class FilterSettings(BaseModel):
    """The filters one source goes through; None = the filter does not run."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    reasoning: ReasoningPolicy | None = Field(default=None, description="Keep, strip or drop reasoning.")
    identity: IdentityFilter | None = Field(default=None, description="Identity claims: drop or rewrite.")
    pii: PiiFilter | None = Field(default=None, description="PII: redact, drop or keep, per type.")
    chat_quality: ChatQuality | None = Field(default=None, description="Chat-row quality checks.")
    gopher_quality: GopherQualityFilter | None = Field(default=None, description="Gopher quality rules.")
    gopher_repetition: GopherRepetitionFilter | None = Field(default=None, description="Gopher repetition rules.")
    c4: C4QualityFilter | None = Field(default=None, description="C4 line and document rules.")
    fineweb: FineWebQualityFilter | None = Field(default=None, description="FineWeb quality rules.")
    language: LanguageFilter | None = Field(default=None, description="fastText language ID.")
    toxicity: ToxicityFilter | None = Field(default=None, description="Toxicity classifier and/or word list.")
    decontam: DecontamConfig | None = Field(default=None, description="Benchmark decontamination.")
    quality: QualityScore | None = Field(default=None, description="fastText quality score (and cut).")
    pattern_cap: PatternCap | None = Field(default=None, description="Cap on any one response opening.")

    @model_validator(mode="before")
    @classmethod
    def _switches(cls, data: Any) -> Any:
        return _normalise_switches(data)

    def enabled(self) -> list[str]:
        return [name for name in FILTER_NAMES if getattr(self, name) is not None]

    def filter(self, name: str) -> Filter | None:
        """The callable filter for stage `name`, or None when it does not run."""
        value = getattr(self, name)
        if isinstance(value, DecontamConfig):
            return value.build()
        return value


class FilterConfig(FilterSettings):
    """Filter settings for every source, with per-source overrides in ``sources``."""

    sources: dict[str, FilterSettings] = Field(
        default_factory=dict,
        description="Per-source overrides: filter -> parameters merged over the global ones (false: off).",
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_sources(cls, data: Any) -> Any:
        """Each source's settings = the global parameters, overridden key by key."""
        data = _normalise_switches(data)
        if not isinstance(data, dict) or not isinstance(data.get("sources", {}), dict):
            return data
        base = {k: v for k, v in data.items() if k != "sources"}
        merged = {}
        for source, override in data.get("sources", {}).items():
            override = _normalise_switches(override)
            if not isinstance(override, dict):
                merged[source] = override  # pydantic names the bad value
                continue
            settings = dict(base)
            for name, value in override.items():
                if isinstance(value, dict) and isinstance(base.get(name), dict):
                    settings[name] = {**base[name], **value}
                elif value is None:
                    settings.pop(name, None)
                else:
                    settings[name] = value
            merged[source] = settings
        return {**data, "sources": merged}

    def for_source(self, source: str) -> FilterSettings:
        return self.sources.get(source, self)

    def stages(self) -> list[str]:
        """Every stage any source runs, in chain order (a source without one passes its rows)."""
        names = set(self.enabled())
        for settings in self.sources.values():
            names.update(settings.enabled())
        return [n for n in FILTER_NAMES if n in names]


def _normalise_switches(data: Any) -> Any:
    """`name: true` -> the filter's defaults; `name: false` -> off (None, as absent or null)."""
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if key == "sources":
            out[key] = value
        elif value is True:
            out[key] = {}
        elif value is False:
            out[key] = None
        else:
            out[key] = value
    return out


def parse_filter_config(data: Any, base_dir: Path | None = None, where: str = "filter config") -> FilterConfig:
    """Validate a filter config (a mapping, e.g. parsed YAML); relative paths are made
    absolute against `base_dir`. Raises ValueError naming the field of every problem."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected a mapping of filter name -> parameters, got {type(data).__name__}")
    if base_dir is not None:
        data = _absolute_paths(data, Path(base_dir))
    try:
        return FilterConfig.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{where}: {_describe(exc)}") from None


def load_filter_config(path: Path) -> FilterConfig:
    """Read a YAML filter config file (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no filter config at {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from None
    return parse_filter_config(data, path.parent, where=str(path))


def referenced_files(data: Any, base: Path) -> list[Path]:
    """Every file a filter config (as written) names: models, word lists, benchmark files;
    absolute, sorted, each once. They shape the output as much as the inputs do, so a mix's
    lock and the flows' cache keys fingerprint them."""
    found: set[Path] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in _PATH_KEYS and isinstance(v, str):
                    found.add(Path(_absolute_paths({k: v}, base)[k]).expanduser())
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return sorted(found)


def _absolute_paths(data: Any, base: Path) -> Any:
    if isinstance(data, dict):
        return {
            k: (str(base / v) if k in _PATH_KEYS and isinstance(v, str) and not Path(v).expanduser().is_absolute() else _absolute_paths(v, base))
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_absolute_paths(v, base) for v in data]
    return data


def _describe(exc: ValidationError) -> str:
    """One line per problem: `field.path: message`."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and "[" in p and p.endswith("]")))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "unexpected_keyword_argument" or err["type"] == "extra_forbidden":
            msg = "unknown parameter"
        lines.append(f"{loc or '(top level)'}: {msg}")
    return "; ".join(lines)


def keep_everything(table) -> Verdicts:
    """The stage of a filter a source does not run: every row passes."""
    return Verdicts.keep_all(table.num_rows)
