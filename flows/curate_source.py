"""The curate-source flow: one source of a manifest through ingest -> dedup -> filter -> render.

For looking at one source before building the mix: its funnel and drop reasons appear as
artifacts, and `curate report` reads the run directory the flow returns. Dedup compares the
source with itself only (the mix's other sources are not read).
"""

from __future__ import annotations

from prefect import flow, get_run_logger

from curation.mix.build import check_partition_rows
from curation.report import load_summary
from curation.run_store import check_run_destination, publish_run
from curation.work_store import check_store, mirrored
from flows import artifacts
from flows.params import prepare
from flows.runners import choose, partitions_driver, task_runner
from flows.source import curate_all


@flow(name="curate-source", log_prints=False)
def curate_source_flow(
    manifest: str = "wind-edge-1.6-distill-12m",
    source: str = "openhermes",
    demo: bool = True,
    runner: str = "local",
    ray_address: str | None = None,
    out: str | None = None,
    work_store: str | None = None,
    partition_rows: int | None = None,
) -> str:
    """Curate source `source` of `manifest` (a name in mixes/ or a path); runner/ray_address/
    work_store/partition_rows as build-mix. Returns the rendered run directory (for `curate report`): in the work
    directory, or `out` when given, a directory or an object store URL (`s3://bucket/runs/x`) the
    run is copied to (curation/run_store.py: uploaded with summary.json last)."""
    choice = choose(runner, ray_address, work_store)
    check_partition_rows(partition_rows)
    if choice.work_store:
        check_store(choice.work_store)  # reachable and writable, before the demo inputs are made
    if out is not None:
        if not out.strip():
            raise ValueError("out is empty: give a directory or an object store URL, or leave it unset")
        check_run_destination(out.strip())  # a wrong out fails now, not after the curation
    run = prepare(manifest, demo, None)  # build-mix's work directory: its cached ingest is reused
    names = [s.name for s in run.manifest.sources]
    if source not in names:
        raise ValueError(f"{run.manifest.name} has no source {source!r}; sources: {', '.join(names)}")
    only = run.manifest.model_copy(update={"sources": [run.manifest.source(source)]})
    # with a work store the stage tasks run here and their partitions on Ray (as build-mix);
    # otherwise the partitions run inside each task, as before
    with mirrored(choice.work_store, [run.work]), partitions_driver(choice), task_runner(choice.tasks()):
        ray = choice.partitions() if choice.work_store else None
        rendered = curate_all(only, run.work, linked=f"render-{source}", ray=ray, partition_rows=partition_rows)
    summary = load_summary(rendered)
    kept = summary.sources[0].kept_rows if summary.sources else 0
    get_run_logger().info("%s: %d rows rendered into %s", source, kept, rendered)
    artifacts.publish_source(summary, source)
    if out is not None:
        published = publish_run(rendered, out.strip())
        get_run_logger().info("%s: the rendered run copied to %s (curate report %s)", source, published, published)
        return published
    return str(rendered)
