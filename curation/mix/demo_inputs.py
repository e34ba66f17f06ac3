"""`curate mix build --demo`: the same manifest on the embedded demo corpora, at a demo budget.

Each source names its stand-in (`demo: openorca`, `demo: distill_messages`, `demo: polish`);
the stand-ins are generated into the build's work directory (the same bytes for the same
seed), every source's location / adapter / options are swapped for its stand-in's, and the
budgets are scaled so the total is `demo_budget_tokens`. Everything else (weights, dedup,
filters, template, split, stages, phases) is the manifest's own.
"""

from __future__ import annotations

from pathlib import Path

from curation.mix.manifest import MixManifest, parse_manifest

POLISH = "polish"
POLISH_ROWS = 400


def demo_manifest(manifest: MixManifest, inputs_dir: Path, seed: int = 0) -> MixManifest:
    """The manifest with every source read from its demo stand-in under `inputs_dir`."""
    from curation.demo import generate_demo

    missing = [s.name for s in manifest.sources if s.demo is None]
    if missing:
        raise ValueError(f"--demo: sources {', '.join(missing)} name no demo stand-in (add `demo: <corpus>`)")
    if manifest.demo_budget_tokens is None:
        raise ValueError("--demo: the manifest has no demo_budget_tokens")
    inputs_dir = Path(inputs_dir)
    stand_ins = {d.name: (d.adapter, d.path, dict(d.options)) for d in generate_demo(inputs_dir, seed=seed)}
    if any(s.demo == POLISH for s in manifest.sources):
        stand_ins[POLISH] = ("openai_messages", _polish_file(manifest, inputs_dir, seed), {})
    unknown = sorted({s.demo for s in manifest.sources} - set(stand_ins))
    if unknown:
        raise ValueError(f"--demo: unknown demo corpora {unknown}; known: {', '.join(sorted(stand_ins))}")
    data = manifest.model_dump(mode="json")
    for entry in data["sources"]:
        adapter, path, options = stand_ins[entry["demo"]]
        entry.update(adapter=adapter, location=str(Path(path).resolve()), options=options)
        entry.update(format=None, revision=None, subset=None, split="train")
    demo = parse_manifest(data, manifest.base_dir, where=f"{manifest.name} (--demo)")
    return demo.scaled(manifest.demo_budget_tokens / demo.total_budget)


def _polish_file(manifest: MixManifest, inputs_dir: Path, seed: int) -> Path:
    from curation.generators.polish import write_polish_jsonl

    identity = manifest.template.identity
    name, maker = (identity.name, identity.maker) if identity else ("Wind-Edge-1.6", "Wind-Edge Labs")
    path = inputs_dir / "polish.jsonl"
    write_polish_jsonl(path, POLISH_ROWS, seed, name, maker)
    return path
