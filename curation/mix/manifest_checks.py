"""Checks of a mix manifest that span fields: unique names, budgets and weights of the mix or
its stages / phases, options that need one another. Each problem is `field.path: message`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curation.mix.manifest import MixManifest


def cross_field_problems(m: MixManifest) -> list[str]:
    """Every problem found, in field order (empty: the manifest is consistent)."""
    return [*_names(m), *_budget_and_weights(m), *_options(m)]


def _names(m: MixManifest) -> list[str]:
    problems = []
    for field, items in (("sources", m.sources), ("stages", m.stages), ("phases", m.phases)):
        names = [item.name for item in items]
        problems += [
            f"{field}.{n}: name used twice" for n in sorted({n for n in names if names.count(n) > 1})
        ]
    return problems


def _budget_and_weights(m: MixManifest) -> list[str]:
    problems = []
    parts = m.stages or m.phases
    if m.stages and m.phases:
        problems.append("stages, phases: give a curriculum (stages) or pretraining phases, not both")
    elif parts:
        kind = "stages" if m.stages else "phases"
        total = sum(p.budget_tokens for p in parts)
        if m.budget_tokens is not None and m.budget_tokens != total:
            problems.append(
                f"budget_tokens: {m.budget_tokens:,} differs from the sum of the {kind}' budgets {total:,}"
            )
        problems += [
            f"sources.{s.name}.weight: the mix has {kind}; give the weights per {kind[:-1]}"
            for s in m.sources
            if s.weight is not None
        ]
        known = [s.name for s in m.sources]
        for part in parts:
            problems += [
                f"{kind}.{part.name}.weights.{source}: unknown source; sources are {', '.join(known)}"
                for source in part.weights
                if source not in known
            ]
    else:
        if m.budget_tokens is None:
            problems.append("budget_tokens: required field is missing (or give stages or phases)")
        missing = [s.name for s in m.sources if s.weight is None]
        problems += [f"sources.{name}.weight: required field is missing" for name in missing]
        if not missing and not any(s.weight > 0 for s in m.sources):
            problems.append("sources: every weight is 0; at least one source needs a positive weight")
    epochs = {s.name: s.max_epochs for s in m.sources}
    for part in m.parts() if not problems else []:
        problems += [
            f"sources.{source}.max_epochs: 0, but it has weight {weight:g}"
            + (f" in {part.name}" if parts else "")
            for source, weight in part.weights.items()
            if weight > 0 and epochs[source] == 0
        ]
    return sorted(set(problems), key=problems.index)


def _options(m: MixManifest) -> list[str]:
    problems = []
    if m.split.by == "near_duplicate_cluster" and not m.dedup.near:
        problems.append("split.by: near_duplicate_cluster needs near dedup (dedup.near: true)")
    if m.output.pack and m.output.context_length is None and not m.phases:
        problems.append("output.context_length: required when output.pack is true (tokens per sequence)")
    return problems
