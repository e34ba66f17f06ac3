"""Build a mix from its manifest: ingest -> dedup -> filter -> render -> sample -> write.

Every step is a call into the library (the same functions the CLI commands and the Prefect
flows call); the intermediate runs live in a work directory (default `.<out name>.work` beside
the output), each a run directory `curate report` reads. The output is written into a
staging directory and renamed into place only when shards, lock and card are all there.

The selection is a function of the manifest and the rows' (id, token count) only, so the
same manifest and inputs give byte-identical shards whatever the worker count or the order
and chunking of the input files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from curation.executor import Executor, parse_executor
from curation.fileio import scratch_dir
from curation.ingest import ROWS_PER_PART, ingest_sources, write_summary
from curation.mix.card import draw_plots, write_card
from curation.mix.lock import (
    LOCK_FILE,
    FileFingerprint,
    InputRecord,
    MixLock,
    PackRecord,
    ShardRecord,
    SourceStats,
    Totals,
    file_fingerprints,
    package_versions,
    recorded_path,
    write_lock,
)
from curation.mix.manifest import MixManifest
from curation.mix.object_store import check_destination, upload_mix, url_name
from curation.mix.select import EVAL, TRAIN, tally
from curation.mix.select_partitioned import plan_selection
from curation.mix.shards import OUTPUT_MARKERS, check_output_dir, staged_output, write_dataset_dict_file
from curation.mix.split_ranges import pick_into_splits, write_split_ranges
from curation.mix.split_writer import SplitTarget
from curation.parts import WORK_COMPRESSION
from curation.readers.remote import is_url
from curation.render.spans import SPANS_TYPE
from curation.render.stage import RenderOptions, render_run
from curation.report import load_summary
from curation.source_stages import check_run_dirs

if TYPE_CHECKING:
    from curation.filters.stage import FirstPass, Lead

MIX_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("part", pa.string(), nullable=False),
        pa.field("epoch", pa.int32(), nullable=False),
        pa.field("text", pa.large_string(), nullable=False),
        pa.field("n_tokens", pa.int64(), nullable=False),
        pa.field("spans", SPANS_TYPE, nullable=False),
        pa.field("token_spans", SPANS_TYPE, nullable=False),
        pa.field("domain", pa.string()),
    ],
    metadata={"title": "curation mix row", "version": "1"},
)

Progress = Callable[[str], None]


def default_work_dir(out_dir: Path | str) -> Path:
    """`.<name>.work` beside a local output; for an object store output, that name under
    runs/mixes/ here (the intermediate runs stay on a local or shared file system)."""
    if is_url(out_dir):
        return Path("runs/mixes") / f".{url_name(str(out_dir))}.work"
    out_dir = Path(out_dir)
    return out_dir.parent / f".{out_dir.name}.work"


def check_output(out_dir: Path | str) -> None:
    """Fail now, not after the curation, when the mix cannot be written at `out_dir`: a local
    directory of something else, an object store URL that is not writable or holds no mix."""
    if is_url(out_dir):
        check_destination(str(out_dir), OUTPUT_MARKERS)
    else:
        check_output_dir(Path(out_dir))


def build_mix(
    manifest: MixManifest,
    out_dir: Path,
    work_dir: Path | None = None,
    workers: Executor | int | str = 1,
    progress: Progress | None = None,
    examine: str = "all",
    partition_rows: int | None = None,
) -> MixLock:
    """Build `manifest` into `out_dir` (the Hugging Face save_to_disk layout + mix.lock.json +
    README.md; a directory, or an object store URL: object_store.py); return the lock. Raises
    ValueError for anything the manifest or inputs get wrong. `examine`, `partition_rows`: see
    curate_sources (the shards depend on neither)."""
    say = progress or (lambda _msg: None)
    check_partition_rows(partition_rows)
    check_output(out_dir)
    work = Path(work_dir) if work_dir is not None else default_work_dir(out_dir)
    run = curate_sources(manifest, work, workers, say, examine, partition_rows)
    return write_mix(manifest, run, out_dir, say, workers)


def write_mix(
    manifest: MixManifest,
    run: Path,
    out_dir: Path | str,
    progress: Progress | None = None,
    executor: Executor | int | str | None = None,
) -> MixLock:
    """Select rows by token budget from the rendered run `run` and write the mix into
    `out_dir` (shards, mix.lock.json, README.md card, plots), staged and renamed into place.
    The shards are written partitioned on `executor` (split_writer.py; the same bytes for any).
    An object store URL `out_dir` gets the mix staged beside `run` and uploaded, lock last."""
    say = progress or (lambda _msg: None)
    if is_url(out_dir):
        staged = Path(run).parent / "upload" / url_name(str(out_dir))
        lock = write_mix(manifest, run, staged, progress, executor)
        say("upload")
        upload_mix(staged, str(out_dir), OUTPUT_MARKERS)
        shutil.rmtree(staged.parent)  # the object store holds it now; a rerun stages it again
        return lock
    executor = parse_executor(executor)
    say("sample")
    names = [s.name for s in manifest.sources]
    max_epochs = {s.name: s.max_epochs for s in manifest.sources}
    plan = plan_selection(
        run, names, manifest.parts(), manifest.seed, max_epochs, manifest.split.eval_fraction, executor
    )
    say("write")
    split_parts = {TRAIN: [p.name for p in manifest.parts()]}
    if manifest.split.eval_fraction > 0:
        split_parts[EVAL] = [EVAL]
    shuffle = manifest.output.shuffle
    with staged_output(Path(out_dir)) as tmp, scratch_dir(tmp / ".shuffle-ranges") as work:
        train, evals, counts = pick_into_splits(plan, split_parts, shuffle, MIX_SCHEMA, executor, work)
        tally(plan.stats, train, evals, plan.trained)
        summary = load_summary(run)
        lengths = {k: v for k, v in sorted(counts.lengths.items()) if v}
        # The card's plots need only the funnel and the taken rows' lengths: a thread draws them
        # (~1 s) while this process mostly waits for the shards and the inputs' hashes.
        with ThreadPoolExecutor(1, thread_name_prefix="card-plots") as plotter:
            plots = plotter.submit(draw_plots, tmp, summary, lengths)
            shards = []
            for split in split_parts:
                target = _target(manifest, tmp, split, MIX_SCHEMA)
                shards += write_split_ranges(counts.ranges.get(split, {}), shuffle, target, executor, work / split)
            write_dataset_dict_file(tmp, list(split_parts))
            packing = []
            if manifest.output.pack:
                packed, packing = _write_packed(manifest, [s for s in shards if s.split == TRAIN], tmp, executor)
                shards += packed
            lock = _lock(manifest, shards, plan.stats, executor, not_examined(summary), packing)
            write_lock(lock, tmp / LOCK_FILE)
        write_card(tmp, lock, summary, lengths, plots.result())
    return lock


def curate_sources(
    manifest: MixManifest,
    work: Path,
    workers: Executor | int | str,
    say: Progress,
    examine: str = "all",
    partition_rows: int | None = None,
) -> Path:
    """Ingest, dedup, filter and render every source into `work`; return the rendered run.
    `workers`: the executor of the partitioned stages, or its spec (executor.py). `examine`:
    "all" filters and renders every row; "needed" only the rows before each source's sampling
    frontier (mix/frontier.py: the same shards; every row is still deduplicated and capped, and
    the rows past the frontier are reported as beyond_budget instead of checked and rendered).
    `partition_rows`: the most rows a task of every stage holds (ingest's parts, then each later
    stage's partitions); None: ingest's ROWS_PER_PART, then stage_rows_per_part of the rows."""
    from curation.dedup.stage import dedup_run
    from curation.filters.stage import config_plans, first_pass, run_filters
    from curation.mix.frontier import EXAMINE_MODES

    if examine not in EXAMINE_MODES:
        raise ValueError(f"examine must be one of {', '.join(EXAMINE_MODES)}, got {examine!r}")
    check_partition_rows(partition_rows)
    executor = parse_executor(workers)
    for stage in ("ingest", "dedup", DEDUP_SCRATCH, PRECAP_SCRATCH, "filter", "render"):
        shutil.rmtree(work / stage, ignore_errors=True)  # a build starts clean: no stale source lingers
    base = manifest.base_dir
    say("ingest")
    specs = [entry.source_spec(base) for entry in manifest.sources]
    ingest_sources(
        specs, work / "ingest", rows_per_part=partition_rows or ROWS_PER_PART, compression=WORK_COMPRESSION,
        executor=executor,
    )
    ingested = write_summary(work / "ingest").totals.kept
    rows_per_part = partition_rows or stage_rows_per_part(ingested)
    run = work / "ingest"
    config = manifest.source_filter_config()
    dedup = manifest.dedup.exact or manifest.dedup.near
    if dedup:
        say("dedup")
    if not config.stages():
        if dedup:
            near = manifest.dedup.near_options()
            priorities = {s.name: s.priority for s in manifest.sources}
            dedup_run(run, work / "dedup", manifest.dedup.exact_options(), near, priorities, rows_per_part, executor)
            run = work / "dedup"
        return _render(manifest, work, run, rows_per_part, executor, say, examine)
    # The duplicates are dropped in the filters' (first) pass, as its first stages: the filters
    # read the ingested rows once, not a deduplicated copy of them written first.
    with scratch_dir(work / PRECAP_SCRATCH) as precap:
        with _dedup_lead(manifest, run, work, executor) as lead:
            say("filter")
            if examine == "all":
                run_filters(run, work / "filter", config, rows_per_part, workers=executor, lead=lead)
            else:
                plans = config_plans(config, check_run_dirs(run, work / "filter"))
                first = first_pass(run, precap, plans, rows_per_part, executor, lead)
        if examine == "all":
            return _render(manifest, work, work / "filter", rows_per_part, executor, say, examine)
        return _check_and_render(manifest, work, first, rows_per_part, executor, say)


# The dedup decisions of a build whose filters apply them, and the rows of its filters' first
# pass (filters/stage.py) in an `examine="needed"` build (both removed when the filters are done).
DEDUP_SCRATCH = ".dedup"
PRECAP_SCRATCH = ".precap"


@contextmanager
def _dedup_lead(manifest: MixManifest, run: Path, work: Path, executor: Executor) -> Iterator[Lead | None]:
    """The manifest's dedup as lead stages of the filters' pass over `run` (None: no dedup)."""
    from curation.dedup.stage import dedup_stages

    if not (manifest.dedup.exact or manifest.dedup.near):
        yield None
        return
    near = manifest.dedup.near_options()
    priorities = {s.name: s.priority for s in manifest.sources}
    with (
        scratch_dir(work / DEDUP_SCRATCH) as scratch,
        dedup_stages(run, scratch, manifest.dedup.exact_options(), near, priorities, executor) as lead,
    ):
        yield lead


def _check_and_render(
    manifest: MixManifest, work: Path, first: FirstPass, rows_per_part: int, executor: Executor, say: Progress
) -> Path:
    """The filters' second pass and the render of an `examine="needed"` build: the frontiers are
    planned over the first pass's rows (the cap's drops left out, the checks applied to the
    calibration rows), the rows past them skip the checks and the render, and a source whose
    frontier the rendered rows do not prove safe is filtered and rendered again, every row examined."""
    from curation.filters.stage import second_pass
    from curation.mix.frontier import plan_frontiers

    def examine(todo: list[str], front: dict | None) -> None:
        second_pass(first, work / "filter", rows_per_part, executor, todo, front)
        write_summary(work / "filter")
        say("render")
        render_run(work / "filter", work / "render", render_options(manifest), rows_per_part, workers=executor, only=todo)

    return _until_safe(plan_frontiers(manifest, first, executor), examine, work / "render", executor, say, list(first.runs))


def _render(manifest: MixManifest, work: Path, run: Path, rows_per_part: int, executor: Executor, say: Progress, examine: str) -> Path:
    """Render the filtered `run` into WORK/render (`examine`: see curate_sources); return it."""
    from curation.mix.frontier import plan_frontiers

    def render(todo: list[str], lead: dict | None) -> None:
        say("render")
        render_run(run, work / "render", render_options(manifest), rows_per_part, workers=executor, lead=lead, only=todo)

    frontiers = plan_frontiers(manifest, run, executor) if examine == "needed" else {}
    return _until_safe(frontiers, render, work / "render", executor, say, [s.name for s in load_summary(run).sources])


def _until_safe(
    frontiers: dict, examine: Callable, rendered: Path, executor: Executor, say: Progress, names: list[str]
) -> Path:
    """Call examine(names, {source: frontier stage} or None), then again, every row examined, for
    the sources whose frontier the `rendered` run does not prove safe; return that run."""
    from curation.mix.frontier import STAGE, FrontierStage, check_frontiers

    narrowed = any(not fr.everything for fr in frontiers.values())
    todo = names
    while True:
        # Every source gets the frontier's stage where any is narrowed, so the funnel lines up.
        examine(todo, {name: (STAGE, FrontierStage(frontiers[name])) for name in todo} if narrowed else None)
        unsafe = check_frontiers({name: frontiers[name] for name in todo if name in frontiers}, rendered, executor)
        if not unsafe:
            return rendered
        # The estimate fell short for these sources (their rendered rows before the frontier do
        # not prove the pick stops there): examine them again, every row.
        say(f"examine every row of {', '.join(unsafe)}")
        frontiers = {name: fr.whole() if name in unsafe else fr for name, fr in frontiers.items()}
        todo = unsafe


def render_options(manifest: MixManifest) -> RenderOptions:
    """How `curate mix build` renders the manifest's rows."""
    base = manifest.base_dir
    template = manifest.template
    identity = template.identity
    return RenderOptions(
        template=template.template_ref(base),
        serving_template=template.serving_ref(base),
        enable_thinking=template.enable_thinking,
        identity_name=identity.name if identity else None,
        identity_maker=identity.maker if identity else None,
        tokenizer=manifest.tokenizer_name(),
    )


# The stages after ingest cut a small mix into about this many partitions (whole row groups of
# 10,000 rows, at least MIN_PART_ROWS), so that a few large sources of one part each do not leave
# workers idle at the end of a map; a big mix gets ingest's ROWS_PER_PART parts. It depends on the
# rows alone, never on the workers: a stage's files stay the same for any executor.
STAGE_PARTITIONS = 16
MIN_PART_ROWS = 20_000


def stage_rows_per_part(rows: int) -> int:
    return min(ROWS_PER_PART, max(MIN_PART_ROWS, -(-rows // STAGE_PARTITIONS)))


def check_partition_rows(rows: object) -> None:
    """A user's partition size: None (the automatic one) or a whole number of 1 or more. It sets
    what one task holds, so a worker's memory (docs/scale.md); the mix's shards do not depend on
    it. A partition is whole row groups (10,000 rows after ingest), so below that it is one."""
    if rows is None:
        return
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ValueError(f"partition_rows must be a whole number of rows, 1 or more (or unset), got {rows!r}")


def _write_packed(manifest: MixManifest, train_shards: list, out: Path, executor: Executor) -> tuple[list, list]:
    """The written train split's rows packed into sequences of each part's context length, as the
    `packed` dataset beside the splits (datasets.load_from_disk(OUT / "packed")), partitioned on
    `executor` (pack_partitioned.py): its shards, and each part's PackStats."""
    from curation.mix.pack import PACKED, PACKED_SCHEMA
    from curation.mix.pack_partitioned import write_packed_partitioned

    lengths = {p.name: p.context_length or manifest.output.context_length for p in manifest.parts()}
    target = _target(manifest, out, PACKED, PACKED_SCHEMA)
    return write_packed_partitioned(
        out / TRAIN, train_shards, lengths, manifest.tokenizer_name(), target, executor, out / f".shuffle-{PACKED}"
    )


def _target(manifest: MixManifest, out: Path, split: str, schema: pa.Schema) -> SplitTarget:
    """The dataset `split` of the mix staged in `out`, with the manifest's shard limits."""
    output = manifest.output
    return SplitTarget(out / split, schema, output.max_shard_rows, output.max_shard_bytes, split, f"{split}/")


def not_examined(summary) -> dict[str, int]:
    """Rows of each source set aside past its sampling frontier (mix/frontier.py), from the run's counts."""
    from curation.mix.frontier import STAGE

    return {s.name: sum(st.dropped for st in s.stages if st.stage == STAGE) for s in summary.sources}


def _lock(
    manifest: MixManifest, shards, stats, executor: Executor, unexamined: dict[str, int], packing=()
) -> MixLock:
    sources = [
        SourceStats(
            name=s.name,
            rows_available=s.rows_available,
            tokens_available=s.tokens_available,
            target_tokens=s.target_tokens,
            rows=s.rows,
            tokens=s.tokens,
            # over the examined rows only, a pass count would overstate it
            epochs=None if unexamined.get(s.name) else round(s.epochs, 6),
            shortfall=s.shortfall,
            rows_not_examined=unexamined.get(s.name, 0),
        )
        for s in stats.values()
    ]
    records = [ShardRecord.of(s) for s in shards]
    return MixLock(
        manifest=manifest.model_dump(mode="json"),
        base_dir=str(manifest.base_dir),
        inputs=_input_records(manifest, executor),
        referenced_files=file_fingerprints(manifest.referenced_files(), manifest.base_dir, executor),
        packages=package_versions(),
        sources=sources,
        shards=records,
        packing=[PackRecord(**asdict(p)) for p in packing],
        totals=Totals.of(sources, records, manifest.total_budget),
    )


def _input_records(manifest: MixManifest, executor: Executor) -> list[InputRecord]:
    """Each source's inputs: a hub revision, or every file's sha256 (all files hashed in one map)."""
    from curation.readers import input_paths

    base = manifest.base_dir
    local = [e for e in manifest.sources if not e.location.startswith("hf:")]
    paths = {e.name: sorted(set(input_paths(e.location_spec(base)))) for e in local}
    prints = {f.path: f for f in file_fingerprints([p for e in local for p in paths[e.name]], base, executor)}
    records = []
    for entry in manifest.sources:
        if entry.location.startswith("hf:"):
            revision = entry.revision or "unpinned"
            records.append(InputRecord(source=entry.name, location=entry.location, kind="hub", revision=revision))
            continue
        shown = sorted({recorded_path(p, base) for p in paths[entry.name]})
        files: list[FileFingerprint] = [prints[s] for s in shown]
        records.append(InputRecord(source=entry.name, location=entry.location, kind="file", files=files))
    return records
