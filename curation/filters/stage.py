"""The filter stage over a run directory: IN_RUN -> OUT_RUN through a chain of filters.

Each filter is one stage (its name in the funnel and on every report row it writes), applied
batch by batch (one canonical part at a time) in chain order, so a row dropped by an earlier
filter is never seen by a later one and each drop is charged to exactly one stage.
OUT_RUN has the layout of an ingested run, so `curate report` and every later stage read it
like any run. Filters that need the whole source (the pattern cap) decide their drops before
this pass and come in as a per-batch filter over those decisions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from curation.filters.base import Filter, apply_verdicts
from curation.ingest import ROWS_PER_PART, write_summary
from curation.source_stages import check_run_dirs, run_source_stages
from curation.summary import RunSummary


def filter_run(
    in_run_dir: Path,
    out_run_dir: Path,
    chain: Sequence[tuple[str, Filter]],
    rows_per_part: int = ROWS_PER_PART,
) -> RunSummary:
    """Filter every source of IN_RUN into OUT_RUN through `chain` (stage name, filter) and
    return OUT_RUN's summary. Raises RunDirError when IN_RUN is not a run directory and
    ValueError for a bad chain or output directory."""
    stages = [stage for stage, _ in chain]
    if not chain:
        raise ValueError("the filter chain is empty: name at least one filter")
    if len(set(stages)) != len(stages):
        raise ValueError(f"stage names must be unique in a chain, got {stages}")
    names = check_run_dirs(in_run_dir, out_run_dir)
    batch_stages = [
        (stage, lambda table, f=f, stage=stage: apply_verdicts(table, f(table), stage)) for stage, f in chain
    ]
    for name in names:
        run_source_stages(in_run_dir, out_run_dir, name, batch_stages, rows_per_part)
    return write_summary(out_run_dir)
