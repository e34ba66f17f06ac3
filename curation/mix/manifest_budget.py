"""The sub-mixes a build samples (MixPart) and the reachability check of their token targets."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class MixPart:
    """One sub-mix the build samples on its own: the whole mix, a stage or a phase.
    budget_tokens: tokens; weights: source -> share (not normalised); context_length and
    min_doc_tokens: tokens, or None."""

    name: str
    budget_tokens: int
    weights: dict[str, float]
    context_length: int | None = None
    min_doc_tokens: int | None = None


def check_reachable(targets: dict[str, int], available: dict[str, int], max_epochs: dict[str, float]) -> None:
    """Raise ValueError naming every source whose target (tokens, summed over stages or phases)
    exceeds max_epochs x its available tokens (exact rational arithmetic on the float epochs)."""
    problems = []
    for source in sorted(targets):
        target = targets[source]
        if target < 0:
            raise ValueError(f"source {source!r}: negative target {target}")
        if target == 0:
            continue
        if source not in available or source not in max_epochs:
            raise ValueError(f"source {source!r}: no available token count or max_epochs given")
        have, epochs = available[source], max_epochs[source]
        if Fraction(target) > Fraction(epochs) * have:
            need = f"{target / have:.4g} epochs" if have > 0 else "rows, but it has none left after curation"
            problems.append(
                f"source {source!r}: target {target:,} tokens > max_epochs {epochs:g} x {have:,} available tokens "
                f"(needs {need}); raise its max_epochs, lower its weight or the budget"
            )
    if problems:
        raise ValueError("budget unreachable: " + "; ".join(problems))
