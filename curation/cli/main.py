"""`curate`: ingest sources, read reports, run the demo.

Errors a user can cause (a bad path, an unknown adapter, a run directory that is not
one) print one line naming the problem and exit with status 2, without a traceback.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from curation.cli.tables import console, examples_table, funnel_table, funnel_wide_table, reasons_table

app = typer.Typer(
    help="Curate public corpora into canonical records and token-budget mixes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class UserError(Exception):
    """A problem with what the user asked for; printed as one line, exit status 2."""


def _fail(message: str) -> None:
    console().print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _user_errors():
    from curation.readers.base import SourceError
    from curation.report import RunDirError

    return (SourceError, RunDirError, UserError, ValueError, FileNotFoundError)


def _parse_options(pairs: list[str]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UserError(f"--option takes KEY=VALUE, got {pair!r}")
        options[key] = value
    return options


@app.command()
def ingest(
    location: Annotated[str, typer.Argument(help="A file, directory or glob, or hf:ORG/NAME for a Hub dataset.")],
    adapter: Annotated[str, typer.Option("--adapter", "-a", help="Adapter for the source's schema (see `curate adapters`).")],
    run_dir: Annotated[str, typer.Option("--run-dir", "-o", help="Run directory to write into; a path or an object store URL.")] = "runs/ingest",
    name: Annotated[str | None, typer.Option(help="Source name (default: the adapter name).")] = None,
    option: Annotated[list[str], typer.Option("--option", help="Adapter option KEY=VALUE (repeatable).")] = [],  # noqa: B006
    revision: Annotated[str | None, typer.Option(help="Hub dataset revision.")] = None,
    subset: Annotated[str | None, typer.Option(help="Hub dataset subset (config name).")] = None,
    split: Annotated[str, typer.Option(help="Hub dataset split.")] = "train",
    format: Annotated[str | None, typer.Option(help="Override the format detected from the extension.")] = None,
    compression: Annotated[str, typer.Option(help="Compression of the canonical parts: zstd, lz4 or none.")] = "zstd",
) -> None:
    """Ingest one source into canonical records plus a report of every dropped row."""
    from curation.ingest import SourceSpec, write_summary
    from curation.readers.location import Location
    from curation.run_store import run_output

    try:
        spec = SourceSpec(
            name=name or adapter,
            adapter=adapter,
            location=Location.parse(location, revision=revision, subset=subset, split=split, format=format),
            options=_parse_options(option),
        )
        with run_output(run_dir, start_from_existing=True) as local:  # a source added to the run there
            _ingest_with_progress([spec], local, compression)
            summary = write_summary(local)
    except _user_errors() as exc:
        _fail(str(exc))
    out = console()
    out.print(funnel_table(summary, source=spec.name))
    out.print(reasons_table(summary, source=spec.name))
    rows = f"{run_dir.rstrip('/')}/sources/{spec.name}/data"
    out.print(f"Canonical rows: {rows}   report: curate report {run_dir}")


def _ingest_with_progress(specs: list, run_dir: Path, compression: str = "zstd") -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from curation.ingest import ingest_source

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rows]:,} rows"), TimeElapsedColumn())
    with Progress(*columns, console=console(), transient=False, disable=not sys.stderr.isatty()) as progress:
        task = progress.add_task("ingest", total=len(specs), rows=0)
        for spec in specs:
            progress.update(task, description=f"ingest {spec.name}")
            ingest_source(
                spec,
                run_dir,
                compression=compression,
                on_batch=lambda n: progress.update(task, rows=progress.tasks[0].fields["rows"] + n),
            )
            progress.advance(task)


@app.command()
def report(
    run_dir: Annotated[str, typer.Argument(help="A run directory (holds summary.json); a path or an object store URL.")],
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    stage: Annotated[str | None, typer.Option(help="Only this stage (read, adapt, ...).")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code, or a family such as 'malformed'.")] = None,
    examples: Annotated[int, typer.Option(help="How many example dropped rows to show.")] = 5,
    by_source: Annotated[
        bool, typer.Option("--by-source", help="Break the reasons down by source (default when --source is given).")
    ] = False,
    rewritten: Annotated[
        bool,
        typer.Option("--rewritten", help="Show rewritten rows (identity rewrite, PII redaction, ...) instead of dropped ones."),
    ] = False,
) -> None:
    """Print a run's funnel, its drop reasons (and rewrites), and example dropped rows."""
    from curation.report import load_drops, load_rewrites, load_summary
    from curation.run_store import fetched_run

    try:
        if examples < 0:
            raise UserError("--examples must be 0 or more")
        local = fetched_run(run_dir, data=False)  # a URL: its counts and reports, not its rows
        summary = load_summary(local)
        known_sources = {s.name for s in summary.sources}
        if source is not None and source not in known_sources:
            raise UserError(f"no source {source!r} in {run_dir}; it has {', '.join(sorted(known_sources))}")
        load = load_rewrites if rewritten else load_drops
        sample = load(local, source, stage, reason).sort("source", "stage", "reason", "file", "line", "id")
        sample = sample.head(examples).collect()
    except _user_errors() as exc:
        _fail(str(exc))
    out = console()
    split = by_source or source is not None
    out.print(funnel_table(summary, source, stage) if source or stage else funnel_wide_table(summary))
    if not rewritten:
        out.print(reasons_table(summary, source, stage, reason, by_source=split))
    if rewritten or summary.totals.rewritten:
        out.print(reasons_table(summary, source, stage, reason, by_source=split, rewrites=True))
    if examples:
        out.print(examples_table(sample, what="rewritten (raw: the row before)" if rewritten else "dropped"))


@app.command()
def adapters() -> None:
    """List the source adapters and the schemas they read."""
    from rich.table import Table

    from curation.adapters import ADAPTERS

    table = Table(title="Adapters")
    for col in ("name", "kind", "for", "options"):
        table.add_column(col, overflow="fold")
    for name, cls in sorted(ADAPTERS.items()):
        table.add_row(name, cls.kind, cls.description, ", ".join(cls.option_names()) or "-")
    console().print(table)


DEMO_MIX = Path(__file__).resolve().parents[2] / "mixes" / "wind-edge-1.6-distill-12m.yaml"


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Run directory for the demo (inputs are generated under it).")] = Path("runs/demo"),
    seed: Annotated[int, typer.Option(help="Seed of the demo corpora generator.")] = 0,
    mix: Annotated[bool, typer.Option("--mix/--no-mix", help="Also build the demo distillation mix.")] = True,
) -> None:
    """Generate the embedded demo corpora, ingest, dedup and filter them, print the funnel, then
    build the Wind-Edge-1.6 distillation mix on them (mixes/wind-edge-1.6-distill-12m.yaml --demo).

    OUT/inputs: the corpora and the filter config; OUT/ingest, OUT/dedup, OUT/filter: the runs
    after each phase; OUT/mix: the mix (shards, mix.lock.json, README.md), OUT/.mix.work its runs.
    """
    from curation.dedup.exact import ExactOptions
    from curation.dedup.near_stage import NearOptions
    from curation.dedup.stage import dedup_run
    from curation.demo import generate_demo
    from curation.demo.filters import write_demo_filters
    from curation.filters.config import load_filter_config
    from curation.filters.stage import run_filters
    from curation.ingest import SourceSpec, write_summary
    from curation.readers.location import Location

    try:
        # A demo starts clean: sources of an older demo must not linger in its summaries.
        for run in ("ingest", "dedup", "filter"):
            shutil.rmtree(out / run, ignore_errors=True)
        demo_sources = generate_demo(out / "inputs", seed=seed)
        filters_path = write_demo_filters(out / "inputs")
        specs = [SourceSpec(d.name, d.adapter, Location(path=str(d.path)), dict(d.options)) for d in demo_sources]
        _ingest_with_progress(specs, out / "ingest")
        write_summary(out / "ingest")
        dedup_run(out / "ingest", out / "dedup", ExactOptions(), NearOptions())
        summary = run_filters(out / "dedup", out / "filter", load_filter_config(filters_path))
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(funnel_wide_table(summary))
    con.print(reasons_table(summary, by_source=False))
    con.print(reasons_table(summary, by_source=False, rewrites=True))
    final = out / "filter"
    con.print(
        f"Every row accounted for: {summary.totals.input:,} read = {summary.totals.kept:,} kept + "
        f"{summary.totals.dropped:,} dropped; {sum(summary.totals.rewritten.values()):,} kept rows rewritten.\n"
        f"Inspect it: curate report {final} --reason malformed --examples 10\n"
        f"            curate report {final} --stage dedup_near --examples 5\n"
        f"            curate report {final} --reason contaminated --examples 2\n"
        f"            curate report {final} --rewritten --examples 5\n"
        f"            curate patterns {out / 'dedup'} --source stepwise_math   (then {final})\n"
        f"Filter again with other settings: curate filter {out / 'dedup'} --config {filters_path} --out {out / 'filter2'}"
    )
    if mix:
        from curation.cli.mix_cmd import build as build_mix_command

        con.print(f"\nBuilding the demo mix: curate mix build {DEMO_MIX} --demo --out {out / 'mix'}")
        build_mix_command(DEMO_MIX, out=out / "mix", demo=True, work=out / ".mix.work", workers=1)


@app.command()
def schemas(
    check: Annotated[bool, typer.Option(help="Only check that schemas/ matches the code.")] = False,
) -> None:
    """Write the JSON Schemas generated from the code into schemas/."""
    from curation.jsonschema import SCHEMA_DIR, stale_schemas, write_schemas

    if check:
        stale = stale_schemas()
        if stale:
            _fail(f"schemas out of date: {', '.join(stale)}; run `curate schemas`")
        console().print(f"schemas/ is up to date ({SCHEMA_DIR})")
        return
    for path in write_schemas():
        console().print(f"wrote {path}")


from curation.cli import cache_cmd, dedup_cmd, filter_cmd, mix_cmd, render_cmd, serve_cmd, tokens_cmd  # noqa: E402  (they import this module's helpers lazily)

app.command("dedup")(dedup_cmd.dedup)
app.command("filter")(filter_cmd.filter_)
app.command("patterns")(filter_cmd.patterns)
app.command("render")(render_cmd.render)
app.add_typer(filter_cmd.quality_app, name="quality")
app.add_typer(tokens_cmd.tokens_app, name="tokens")
app.add_typer(mix_cmd.mix_app, name="mix")
app.add_typer(cache_cmd.cache_app, name="cache")
app.command("serve")(serve_cmd.serve)

if __name__ == "__main__":
    app()
