"""Flow parameters -> a validated manifest and the directories of a run, before any work.

A bad manifest name, path or field raises ValueError with the manifest's own message, so the
flow run fails at once with that message as its state message (the UI shows it; the API
returns it), not after an hour of ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from curation.mix.build import check_output, default_work_dir
from curation.mix.manifest import MixManifest, load_manifest, no_manifest_message
from curation.readers.remote import is_url

MIXES_DIR = Path(__file__).resolve().parents[1] / "mixes"  # the recipes shipped with the repo
DEFAULT_OUT = Path("runs/mixes")  # as `curate mix build`


@dataclass(frozen=True)
class MixRun:
    """A validated build: the manifest (demo stand-ins swapped in with demo=True), where the
    mix goes (`out`) and where the intermediate runs and Prefect's cache live (`work`)."""

    manifest: MixManifest
    out: Path | str  # a directory, or an object store URL (curation/mix/object_store.py)
    work: Path
    demo: bool


def manifest_path(manifest: str) -> Path:
    """A manifest path, or a name in mixes/ (`wind-edge-1.6-distill-12m`, with or without .yaml)."""
    text = manifest.strip()
    if not text:
        raise ValueError("manifest is empty: give a path to a mix manifest (YAML) or a name in mixes/")
    path = Path(text).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        raise ValueError(no_manifest_message(path))
    if "/" not in text:
        for candidate in (MIXES_DIR / text, MIXES_DIR / f"{text}.yaml", MIXES_DIR / f"{text}.yml"):
            if candidate.is_file():
                return candidate
        known = ", ".join(sorted(p.stem for p in MIXES_DIR.glob("*.yaml")))
        raise ValueError(f"no mix manifest {text!r}: not a file, and not a name in {MIXES_DIR} (known: {known})")
    raise ValueError(no_manifest_message(path))


def prepare(manifest: str, demo: bool, out: str | None) -> MixRun:
    """Validate the parameters and resolve the run's directories (generates the demo inputs
    into the work directory when demo=True)."""
    m = load_manifest(manifest_path(manifest), check_files=not demo)
    if out and is_url(out.strip()):
        target: Path | str = out.strip()
        work = default_work_dir(target).resolve()
    else:
        target = (Path(out) if out else DEFAULT_OUT / (m.name + ("-demo" if demo else ""))).expanduser().resolve()
        work = default_work_dir(target)
    check_output(target)  # a wrong output fails the run now, not after the curation
    if demo:
        from curation.mix.demo_inputs import demo_manifest

        m = demo_manifest(m, work / "inputs")
    return MixRun(m, target, work, demo)
