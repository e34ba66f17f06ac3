"""`curate mix build | regenerate | show | diff`: token-budget mixes from manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

mix_app = typer.Typer(help="Mixes: build from a manifest, regenerate from a lock, show, diff.", no_args_is_help=True)

DEFAULT_OUT = Path("runs/mixes")


@mix_app.command("build")
def build(
    manifest: Annotated[Path, typer.Argument(help="A mix manifest (YAML), e.g. mixes/wind-edge-1.6-distill-12m.yaml.")],
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", help="Output directory, or an object store URL such as s3://bucket/mixes/x (default: runs/mixes/<name>[-demo])."),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Build on the embedded demo corpora at the manifest's demo budget.")] = False,
    work: Annotated[Path | None, typer.Option(help="Work directory for the intermediate runs (default: beside --out).")] = None,
    workers: Annotated[int, typer.Option(help="Local processes for the partitioned stages (the output does not depend on it).")] = 1,
    executor: Annotated[
        str | None,
        typer.Option(help="Where the partitions run: serial, processes:N, ray (RAY_ADDRESS, else a cluster running here, else a new local one) or ray:ADDRESS. Overrides --workers; the output does not depend on it."),
    ] = None,
    examine: Annotated[
        str,
        typer.Option(help="all: filter and render every row (the full funnel); needed: only the rows before each source's sampling frontier, the rest reported as beyond_budget (faster; the same shards)."),
    ] = "all",
    work_store: Annotated[
        str | None,
        typer.Option(help="With --executor ray, for a cluster whose nodes share no file system: an object store URL (s3://bucket/prefix) through which the Ray tasks read and write the work directory, which stays on this machine."),
    ] = None,
    partition_rows: Annotated[
        int | None,
        typer.Option(help="The most rows one task of a stage holds (default: 250,000 for a big mix, fewer for a small one): what sets a worker's memory (docs/scale.md). The output does not depend on it."),
    ] = None,
) -> None:
    """Build a mix: ingest, dedup, filter, render, sample by tokens, write shards + lock + card."""
    from curation.cli.main import UserError, _fail, _user_errors
    from curation.cli.tables import console
    from curation.mix.build import build_mix, check_output, default_work_dir
    from curation.mix.manifest import load_manifest
    from curation.work_store import check_store, mirrored, run_roots

    con = console()
    try:
        from curation.executor import parse_executor, shutdown_pools

        if workers < 1:
            raise UserError("--workers must be 1 or more")
        if partition_rows is not None and partition_rows < 1:
            raise UserError(f"--partition-rows must be 1 or more, got {partition_rows}")
        from curation.mix.frontier import EXAMINE_MODES

        if examine not in EXAMINE_MODES:
            raise UserError(f"--examine must be one of {', '.join(EXAMINE_MODES)}, got {examine!r}")
        runs_on = parse_executor(executor if executor is not None else workers)
        if work_store is not None and runs_on.name != "ray":
            raise UserError(f"--work-store is for Ray tasks (--executor ray), not {runs_on.describe()}")
        if work_store is not None:
            check_store(work_store)  # before any work
        m = load_manifest(manifest, check_files=not demo)
        out = _location(out) if out else DEFAULT_OUT / (m.name + ("-demo" if demo else ""))
        work_dir = work or default_work_dir(out)
        if work_store is not None:  # the tasks' paths must not depend on the current directory
            out = out if isinstance(out, str) else out.resolve()
            work_dir = work_dir.resolve()
        check_output(out)  # before the demo inputs are generated
        if demo:
            from curation.mix.demo_inputs import demo_manifest

            m = demo_manifest(m, work_dir / "inputs")
        with mirrored(work_store, run_roots(work_dir, out)):
            lock = build_mix(m, out, work_dir, runs_on, lambda msg: con.print(f"[dim]{msg}[/]"), examine, partition_rows)
        shutdown_pools(terminate=True)  # the mix is written: the idle workers need no teardown
    except _user_errors() as exc:
        _fail(str(exc))
    con.print(_sources_table(lock))
    for line in _packing_lines(lock):
        con.print(line, soft_wrap=True)
    t = lock.totals
    con.print(
        f"{t.tokens:,} tokens (budget {t.budget_tokens:,}) in {t.rows:,} rows, {t.shards} shards.\n"
        f"Shards:  {out}  (datasets.load_from_disk('{out}'))\n"
        f"Lock:    {_in(out, 'mix.lock.json')}  (curate mix regenerate {_in(out, 'mix.lock.json')})\n"
        f"Card:    {_in(out, 'README.md')}\n"
        f"Report:  curate report {work_dir / 'render'}",
        soft_wrap=True,  # paths stay whole, to copy and paste
    )


@mix_app.command("regenerate")
def regenerate(
    lock_path: Annotated[str, typer.Argument(help="A mix.lock.json (or the mix directory holding it); a path or an object store URL.")],
    out: Annotated[str | None, typer.Option("--out", "-o", help="Where to rebuild, a directory or a URL (default: <mix dir>.regenerated).")] = None,
) -> None:
    """Rebuild a mix from its lock (recorded inputs and parameters) and check every shard's sha256."""
    from curation.cli.main import UserError, _fail, _user_errors
    from curation.cli.tables import console
    from curation.mix.regenerate import default_target, mix_lock_and_dir, regenerate_mix, same_place

    try:
        lock_file, mix_dir = mix_lock_and_dir(_location(lock_path))
        target = _location(out) if out else default_target(mix_dir)
        if same_place(target, mix_dir):
            raise UserError("--out must differ from the mix being regenerated")
        lock = regenerate_mix(lock_file, target)
    except _user_errors() as exc:
        _fail(str(exc))
    console().print(f"Regenerated {lock.name} into {target}: all {len(lock.shards)} shards match their sha256.")


@mix_app.command("show")
def show(mix_dir: Annotated[str, typer.Argument(help="A built mix directory (or its mix.lock.json); a path or an object store URL.")]) -> None:
    """Per-source targets, tokens, rows, epochs and shortfalls; the shards."""
    from curation.cli.main import _fail, _user_errors
    from curation.cli.tables import console
    from curation.mix.lock import read_lock

    try:
        lock = read_lock(_location(mix_dir))
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(_sources_table(lock))
    for line in _packing_lines(lock):
        con.print(line, soft_wrap=True)
    for shard in lock.shards:
        con.print(f"{shard.split:6} {shard.file}  {shard.rows:,} rows  {shard.bytes:,} bytes  sha256 {shard.sha256[:16]}…")


@mix_app.command("diff")
def diff(
    a: Annotated[str, typer.Argument(help="A built mix directory (or its mix.lock.json); a path or an object store URL.")],
    b: Annotated[str, typer.Argument(help="Another one.")],
) -> None:
    """What changed between two mixes: manifest fields, inputs, per-source tokens, shards.

    Exit status as diff(1): 0 when they are the same, 1 when they differ, 2 on an error."""
    from curation.cli.main import _fail, _user_errors
    from curation.cli.tables import console
    from curation.mix.diff import diff_locks
    from curation.mix.lock import read_lock

    try:
        lines = diff_locks(read_lock(_location(a)), read_lock(_location(b)))
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    for line in lines or ["identical: same manifest, inputs, per-source statistics and shards"]:
        con.print(line, highlight=False, markup=False)
    if lines:  # a script can test `curate mix diff A B` as it tests diff(1)
        raise typer.Exit(1)


def _location(text: str) -> Path | str:
    """A URL stays text (Path would fold its `//`); anything else is a local path."""
    from curation.readers.remote import is_url

    return text if is_url(text) else Path(text).expanduser()


def _in(mix_dir: Path | str, name: str) -> Path | str:
    from curation.mix.object_store import join_url

    return join_url(mix_dir, name) if isinstance(mix_dir, str) else mix_dir / name


def _sources_table(lock):
    from rich.table import Table

    table = Table(title=f"{lock.name}: tokens per source")
    for col in ("source", "target", "tokens", "rows", "epochs", "shortfall"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for s in lock.sources:
        table.add_row(s.name, f"{s.target_tokens:,}", f"{s.tokens:,}", f"{s.rows:,}", s.epochs_text(), f"{s.shortfall:,}")
    return table


def _packing_lines(lock) -> list[str]:
    """One line per packed part: its sequences, and the tokens left out of packed/ (said aloud:
    a phase shorter than one sequence packs nothing)."""
    return [
        f"packed {p.part}: {p.sequences:,} sequences of {p.context_length:,} tokens ({p.tokens_packed:,} tokens); "
        f"{p.tokens_dropped:,} tokens, fewer than one sequence, not packed (their rows stay in train)"
        for p in lock.packing
    ]
