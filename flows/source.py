"""Curating sources as Prefect tasks: ingest -> dedup -> filter -> render, sources fanned out.

    ingest (one task per source, in parallel; retries with backoff on hub reads)
      -> dedup (one task: scope "mix" compares every source with every other)
      -> filter (one task per source) -> render (one task per source)
      -> one run directory linking the rendered sources (what the mix writer and `curate report` read)

Each task is a call into curation/ over run directories; its output goes to a directory named
by its cache key (flows/cache.py) under WORK/stages, and Prefect caches the task on that key
with its result persisted under WORK/prefect-results: a rerun after a crash skips every task
that finished. The output holds the rows `curation.mix.build.curate_sources` writes (the build cuts
a small mix into smaller parts, so the files differ; each stage treats its
sources independently, except dedup, which runs over all of them as there).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from prefect import get_run_logger, task
from prefect.tasks import exponential_backoff

from curation.mix.frontier import Frontier
from curation.mix.manifest import MixManifest
from flows.cache import RESULTS_DIR, by_key, file_sha256, keyed_dir, stage_key
from flows.runs import link_run

STAGES_DIR = "stages"
HUB_RETRIES = 3
HUB_BACKOFF_SECONDS = 10  # first retry after 10 s, then 20 s, 40 s (with jitter)


def _cached(run_name: str):
    """A task cached on its `key` parameter, its result (the output run directory) persisted."""
    return task(cache_key_fn=by_key, persist_result=True, task_run_name=run_name)


@_cached("ingest-{name}")
def ingest(
    key: str, manifest: MixManifest, name: str, out_run: str, executor: str | int = 1, partition_rows: int | None = None
) -> str:
    """Read source `name` into the run directory `out_run` (canonical rows + dropped rows), its
    input files as partitions on `executor` (curation/executor.py), in parts of at most
    `partition_rows` rows (None: ROWS_PER_PART)."""
    from curation.ingest import ingest_source, write_summary
    from curation.parts import WORK_COMPRESSION

    out = Path(out_run)
    shutil.rmtree(out, ignore_errors=True)  # a half-done earlier attempt of this same key
    spec = manifest.source(name).source_spec(manifest.base_dir)
    summary = ingest_source(
        spec, out, rows_per_part=rows_per_part(partition_rows), compression=WORK_COMPRESSION, executor=executor
    )
    write_summary(out)
    read = summary.stages[0]
    get_run_logger().info(
        "ingest %s: %d rows read, %d kept, %d dropped (%s)",
        name,
        read.input,
        summary.kept_rows,
        read.input - summary.kept_rows,
        summary.location,
    )
    return out_run


@_cached("dedup")
def dedup(
    key: str,
    manifest: MixManifest,
    ingested: dict[str, str],
    out_run: str,
    executor: str | int,
    partition_rows: int | None = None,
) -> str:
    """Exact and near dedup over every source at once (the scope may cross sources); the
    partitions (key files, hash buckets, the sources' parts) on `executor`."""
    from curation.dedup.stage import dedup_run

    out = Path(out_run)
    shutil.rmtree(out, ignore_errors=True)
    link_run({n: Path(p) for n, p in ingested.items()}, out / "in")
    near = manifest.dedup.near_options()
    priorities = {s.name: s.priority for s in manifest.sources}
    summary = dedup_run(
        out / "in", out / "out", manifest.dedup.exact_options(), near, priorities, rows_per_part(partition_rows),
        executor=executor,
    )
    log = get_run_logger()
    for src in summary.sources:
        dropped = {st.stage: st.dropped for st in src.stages if st.stage.startswith("dedup")}
        log.info("dedup %s: %d rows kept; dropped %s", src.name, src.kept_rows, dropped)
    return str(out / "out")


@_cached("filter-{name}")
def filter_source(
    key: str,
    manifest: MixManifest,
    name: str,
    in_run: str,
    out_run: str,
    executor: str | int = 1,
    partition_rows: int | None = None,
) -> str:
    """The manifest's filter chain (this source's overrides merged) over one source."""
    from curation.filters.stage import run_filters

    out = Path(out_run)
    shutil.rmtree(out, ignore_errors=True)
    link_run({name: Path(in_run)}, out / "in")
    summary = run_filters(
        out / "in", out / "out", manifest.source_filter_config(), rows_per_part(partition_rows), workers=executor
    )
    _log_stages("filter", summary, name, skip=len(_stages_of(Path(in_run), name)))
    return str(out / "out")


@_cached("render-{name}")
def render_source(
    key: str,
    manifest: MixManifest,
    name: str,
    in_run: str,
    out_run: str,
    executor: str | int = 1,
    frontier: Frontier | None = None,
    partition_rows: int | None = None,
) -> str:
    """One source through the chat template: rendered text, loss spans, token counts. With a
    `frontier` (examine="needed"), only the rows before it (curation/mix/frontier.py)."""
    from curation.mix.frontier import STAGE, FrontierStage
    from curation.render.stage import render_run

    out = Path(out_run)
    shutil.rmtree(out, ignore_errors=True)
    link_run({name: Path(in_run)}, out / "in")
    lead = {name: (STAGE, FrontierStage(frontier))} if frontier is not None else None
    summary = render_run(  # the same bytes for any executor
        out / "in", out / "out", render_options(manifest), rows_per_part(partition_rows), workers=executor, lead=lead
    )
    _log_stages("render", summary, name, skip=len(_stages_of(Path(in_run), name)))
    return str(out / "out")


def rows_per_part(partition_rows: int | None) -> int:
    """A stage's partition size: the flow's `partition_rows`, else the stage functions' default."""
    from curation.ingest import ROWS_PER_PART

    return partition_rows or ROWS_PER_PART


def render_options(manifest: MixManifest):
    """The RenderOptions `curate mix build` renders with."""
    from curation.mix.build import render_options as build_render_options

    return build_render_options(manifest)


def curate_all(
    manifest: MixManifest,
    work: Path,
    workers: int = 1,
    linked: str = "render",
    ray: str | None = None,
    examine: str = "all",
    partition_rows: int | None = None,
) -> Path:
    """Ingest, dedup, filter and render every source of `manifest` as tasks (cached under
    `work`); return WORK/<linked>, a run directory of the rendered sources.

    Inside each task the stage maps over partitions: with `ray` (the flow runs on Ray: "ray", or
    "ray:ADDRESS" where the tasks run in the flow's process) as Ray tasks on that cluster; else
    dedup and render in `workers` local processes, and ingest and filters in the task itself (the
    per-source tasks already run side by side).
    `examine`: "all", or "needed" to render only the rows before each source's sampling frontier,
    as `curate mix build --examine needed` (curation/mix/frontier.py; the same shards).
    `partition_rows`: the most rows a task of every stage holds (None: the stages' default); not
    in the tasks' cache keys, as it changes no row of their output."""
    heavy: str | int = ray or workers
    light: str | int = ray or 1
    stages = work / STAGES_DIR
    storage = {"result_storage": work / RESULTS_DIR}
    names = [s.name for s in manifest.sources]
    referenced = referenced_fingerprints(manifest)
    keys = {n: stage_key("ingest", spec=_spec(manifest, n), inputs=_input_fingerprints(manifest, n)) for n in names}
    futures = {
        n: _ingest_task(manifest, n, storage).submit(
            keys[n], manifest, n, str(keyed_dir(stages / "ingest", n, keys[n])), light, partition_rows
        )
        for n in names
    }
    runs = {n: f.result() for n, f in futures.items()}

    if manifest.dedup.exact or manifest.dedup.near:
        dkey = stage_key(
            "dedup", ingest=keys, dedup=manifest.dedup.model_dump(mode="json"), priorities=_priorities(manifest)
        )
        # Submitted like every other stage, so it runs where the task runner runs tasks (on Ray too).
        deduped = (
            dedup.with_options(**storage)
            .submit(dkey, manifest, runs, str(keyed_dir(stages / "dedup", "all", dkey)), heavy, partition_rows)
            .result()
        )
        runs = dict.fromkeys(names, deduped)
        keys = dict.fromkeys(names, dkey)

    if manifest.source_filter_config().stages():
        task_ = filter_source.with_options(**storage)
        fkeys = {
            n: stage_key("filter", upstream=keys[n], source=n, filters=_filters(manifest, n), files=referenced)
            for n in names
        }
        futures = {
            n: task_.submit(
                fkeys[n], manifest, n, runs[n], str(keyed_dir(stages / "filter", n, fkeys[n])), light, partition_rows
            )
            for n in names
        }
        runs, keys = {n: f.result() for n, f in futures.items()}, fkeys

    frontiers = plan_frontiers.submit(manifest, runs, str(work / "frontier-plan"), heavy).result() if examine == "needed" else {}
    while True:
        rendered = _render_all(manifest, runs, keys, frontiers, referenced, stages, storage, heavy, partition_rows)
        link_run(rendered, work / linked)
        unsafe = check_frontiers.submit(frontiers, str(work / linked), heavy).result() if frontiers else []
        if not unsafe:
            return work / linked
        # As curate_sources: a frontier the rendered rows do not prove safe -> that source whole.
        frontiers = {n: fr.whole() if n in unsafe else fr for n, fr in frontiers.items()}


def _render_all(
    manifest: MixManifest,
    runs: dict[str, str],
    keys: dict[str, str],
    frontiers: dict[str, Frontier],
    referenced: dict[str, str],
    stages: Path,
    storage: dict,
    executor: str | int,
    partition_rows: int | None = None,
) -> dict[str, Path]:
    """Every source's render task (cached); the frontier, where there is one, is in its key.
    referenced: referenced_fingerprints(manifest), hashed once per flow run (model files are large)."""
    task_ = render_source.with_options(**storage)
    options = dataclasses.asdict(render_options(manifest))
    futures = {}
    for n in (s.name for s in manifest.sources):
        fr = frontiers.get(n)
        extra = {"frontier": dataclasses.asdict(fr)} if fr is not None else {}
        key = stage_key("render", upstream=keys[n], source=n, options=options, files=referenced, **extra)
        out = str(keyed_dir(stages / "render", n, key))
        futures[n] = task_.submit(key, manifest, n, runs[n], out, executor, fr, partition_rows)
    return {n: Path(f.result()) for n, f in futures.items()}


@task(name="plan-frontiers", task_run_name="plan-frontiers")
def plan_frontiers(manifest: MixManifest, runs: dict[str, str], plan_run: str, executor: str | int) -> dict[str, Frontier]:
    """Each source's sampling frontier over the filtered rows (examine="needed"); every source
    gets one (Frontier.everything where it cannot narrow), so the funnels line up, or none is
    given when no source narrows."""
    from curation.executor import parse_executor
    from curation.mix.frontier import plan_frontiers as plan

    run = Path(plan_run)
    link_run({n: Path(p) for n, p in runs.items()}, run)
    frontiers = plan(manifest, run, parse_executor(executor))
    narrowed = [n for n, fr in frontiers.items() if not fr.everything]
    get_run_logger().info("examine needed: %d of %d sources narrowed (%s)", len(narrowed), len(frontiers), ", ".join(narrowed) or "none")
    return frontiers if narrowed else {}


@task(name="check-frontiers", task_run_name="check-frontiers")
def check_frontiers(frontiers: dict[str, Frontier], rendered: str, executor: str | int) -> list[str]:
    """The sources whose rendered rows do not prove their frontier safe (to render again whole)."""
    from curation.executor import parse_executor
    from curation.mix.frontier import check_frontiers as check

    unsafe = check(frontiers, Path(rendered), parse_executor(executor))
    if unsafe:
        get_run_logger().info("examine every row of %s: the rows before the frontier hold too few tokens", ", ".join(unsafe))
    return unsafe


def _ingest_task(manifest: MixManifest, name: str, storage: dict):
    options = dict(storage)
    if manifest.source(name).is_hub:  # the hub fails transiently; a local file does not get better by waiting
        options.update(
            retries=HUB_RETRIES,
            retry_delay_seconds=exponential_backoff(backoff_factor=HUB_BACKOFF_SECONDS),
            retry_jitter_factor=0.5,
            retry_condition_fn=_retry_unless_value_error,
        )
    return ingest.with_options(**options)


def _retry_unless_value_error(_task, _task_run, state) -> bool:
    """Retry a failed hub read unless the failure is a ValueError (a bad option: no retry mends it)."""
    try:
        state.result()
    except ValueError:
        return False
    except Exception:  # noqa: BLE001 - any other failure of a hub read may be transient
        return True
    return False


def _spec(manifest: MixManifest, name: str) -> dict:
    return dataclasses.asdict(manifest.source(name).source_spec(manifest.base_dir))


def _input_fingerprints(manifest: MixManifest, name: str) -> list:
    """sha256 of every local input file of source `name`; for the hub, its revision."""
    entry = manifest.source(name)
    if entry.is_hub:
        return [entry.location, entry.revision or "unpinned"]
    from curation.readers import input_paths
    from curation.readers.remote import is_url, sha256_url

    return [
        (p, sha256_url(p)[0] if is_url(p) else file_sha256(Path(p)))
        for p in input_paths(entry.location_spec(manifest.base_dir))
    ]


def _priorities(manifest: MixManifest) -> dict[str, int]:
    return {s.name: s.priority for s in manifest.sources}


def referenced_fingerprints(manifest: MixManifest) -> dict[str, str]:
    """sha256 of every file the filters and the renderer read besides the inputs (models, word
    lists, benchmark files, a local tokenizer), for the filter and render keys: a changed file
    is new work, not a cached result."""
    return {str(p): file_sha256(p) for p in manifest.referenced_files()}


def _filters(manifest: MixManifest, name: str) -> dict:
    return {"mix": manifest.filters, "source": manifest.source(name).filters, "base_dir": str(manifest.base_dir)}


def _stages_of(run: Path, name: str) -> list:
    from curation.report import load_summary

    return [st for src in load_summary(run).sources if src.name == name for st in src.stages]


def _log_stages(what: str, summary, name: str, skip: int) -> None:
    """One log line per stage this task added: rows in, kept, dropped by reason."""
    log = get_run_logger()
    for src in summary.sources:
        if src.name != name:
            continue
        for st in src.stages[skip:]:
            reasons = ", ".join(f"{code} {n}" for code, n in sorted(st.reasons.items(), key=lambda kv: -kv[1]))
            log.info(
                "%s %s / %s: %d in, %d kept, %d dropped%s",
                what,
                name,
                st.stage,
                st.input,
                st.kept,
                st.dropped,
                f" ({reasons})" if reasons else "",
            )
