"""Run directories assembled from other runs' sources, so sources can run as separate tasks.

The library's stages read and write whole run directories (RUN/summary.json +
RUN/sources/<name>/). A flow that fans sources out gives each source its own run directory
per stage; `link_run` makes a run directory whose sources/<name> are relative symlinks to
those, with its own summary.json, so a stage that needs every source (dedup, the mix writer,
`curate report`) reads them as one run, and a per-source stage reads one source of a
multi-source run. Nothing is copied.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from curation.fileio import TMP_PREFIX
from curation.ingest import source_dir, write_summary
from curation.summary import RunSummary


def link_run(sources: dict[str, Path], dest: Path) -> RunSummary:
    """Make `dest` a run directory of the given sources (name -> the run directory holding
    sources/<name>), replacing whatever was there; return its summary. Built beside and
    renamed into place, like every stage's output."""
    tmp = dest.with_name(f"{TMP_PREFIX}{dest.name}")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "sources").mkdir(parents=True)
    for name, run in sorted(sources.items()):
        target = source_dir(Path(run), name)
        if not (target / "counts.json").is_file():
            raise FileNotFoundError(f"{run} has no finished source {name!r} (no sources/{name}/counts.json)")
        # relative, so the work directory can move
        os.symlink(os.path.relpath(target.resolve(), (tmp / "sources").resolve()), tmp / "sources" / name)
    summary = write_summary(tmp)
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    elif dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return summary
