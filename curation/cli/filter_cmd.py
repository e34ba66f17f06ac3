"""`curate filter`, `curate patterns` and `curate quality train`.

filter: IN_RUN -> OUT_RUN through the filter chain of a YAML config (curation/filters/config.py)
or, without one, the default heuristic chain (the filters named by --filters, defaults each).
patterns: the top response openings and scaffolds of a run (what the pattern cap acts on).
quality train: a DCLM-style fastText quality classifier from positive and negative runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# What `curate filter` runs without --config: the filters that need no model, benchmark file
# or target identity; each with its published defaults.
DEFAULT_FILTERS = ("identity", "pii", "chat_quality", "gopher_quality", "gopher_repetition", "c4", "fineweb")

quality_app = typer.Typer(help="Quality classifier: train a fastText model from positive and negative runs.")


def filter_(
    run_dir: Annotated[str, typer.Argument(help="A run directory (ingested or deduplicated); a path or an object store URL.")],
    out: Annotated[str, typer.Option("--out", "-o", help="New run directory for the kept rows and the report; a path or an object store URL.")],
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="YAML filter config (filters, parameters, per-source overrides).")
    ] = None,
    filters: Annotated[
        str | None,
        typer.Option(help=f"Without --config: comma-separated filters to run with defaults (default: {','.join(DEFAULT_FILTERS)})."),
    ] = None,
) -> None:
    """Filter every source of a run: identity claims, PII, chat quality, Gopher / C4 / FineWeb
    rules, language, toxicity, decontamination, quality score, pattern cap. Every drop and
    every rewrite is reported with its reason."""
    from curation.cli.main import UserError, _fail, _user_errors
    from curation.cli.tables import console, funnel_wide_table, reasons_table
    from curation.filters.config import FILTER_NAMES, load_filter_config, parse_filter_config
    from curation.filters.stage import run_filters
    from curation.run_store import fetched_run, run_output

    try:
        if config is not None and filters is not None:
            raise UserError("give --config or --filters, not both")
        if config is not None:
            settings = load_filter_config(config)
        else:
            names = [n.strip() for n in (filters or ",".join(DEFAULT_FILTERS)).split(",") if n.strip()]
            unknown = [n for n in names if n not in FILTER_NAMES]
            if unknown or not names:
                raise UserError(f"--filters: unknown filter(s) {unknown or names}; known: {', '.join(FILTER_NAMES)}")
            settings = parse_filter_config(dict.fromkeys(names, True), where="--filters")
        with run_output(out) as local_out:
            summary = run_filters(fetched_run(run_dir), local_out, settings)
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(funnel_wide_table(summary))
    con.print(reasons_table(summary, by_source=False))
    if summary.totals.rewritten:
        con.print(reasons_table(summary, by_source=False, rewrites=True))
    con.print(f"Kept rows and report: {out}   inspect: curate report {out} --examples 5   (rewrites: --rewritten)")


def patterns(
    run_dir: Annotated[str, typer.Argument(help="A run directory; a path or an object store URL.")],
    k: Annotated[int, typer.Option(help="Words in an opening.")] = 4,
    top: Annotated[int, typer.Option(help="Openings shown overall and per source.")] = 5,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
) -> None:
    """Top response openings (first K normalised words of the final answer) and scaffolds
    ("Step 1:", "Sure! Here's", "Certainly!") overall and per source: what the pattern cap acts on."""
    import polars as pl

    from curation.cli.main import UserError, _fail, _user_errors
    from curation.cli.tables import console, patterns_table, scaffolds_table
    from curation.filters.pattern_cap import pattern_report, scaffold_patterns
    from curation.report import load_summary
    from curation.run_store import fetched_run
    from curation.source_stages import source_parts

    try:
        if k < 1 or top < 1:
            raise UserError("--k and --top must be 1 or more")
        local = fetched_run(run_dir)
        names = [s.name for s in load_summary(local).sources]
        if source is not None and source not in names:
            raise UserError(f"no source {source!r} in {run_dir}; it has {', '.join(names)}")
        parts = [p for name in names if source in (None, name) for p in source_parts(local, name)]
        if not parts:
            raise UserError(f"{run_dir} has no kept rows")
        rows = pl.scan_parquet(parts)
        report = pattern_report(rows, k=k, top=top)
        scaffolds = scaffold_patterns(rows)
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(patterns_table(report, f"Top {top} response openings ({k} words), all sources (*) and per source"))
    con.print(scaffolds_table(scaffolds))


@quality_app.command("train")
def quality_train(
    positive: Annotated[list[Path], typer.Option("--positive", help="Run directory of high-quality rows (repeatable).")],
    negative: Annotated[list[Path], typer.Option("--negative", help="Run directory of low-quality rows (repeatable).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the fastText model (.bin).")],
    field: Annotated[str, typer.Option(help="Text judged: text (documents; final answer of chats) or prompt.")] = "text",
    holdout: Annotated[float, typer.Option(help="Fraction of each side held out to measure accuracy.")] = 0.1,
    epoch: Annotated[int, typer.Option(help="fastText epochs.")] = 5,
    lr: Annotated[float, typer.Option(help="fastText learning rate.")] = 0.1,
    word_ngrams: Annotated[int, typer.Option(help="Word n-grams (2: DCLM's bigram classifier).")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the shuffle, holdout split and initial weights.")] = 0,
) -> None:
    """Train a DCLM-style quality classifier (__label__hq vs __label__lq) and report its
    accuracy on held-out rows. Score with it through the `quality` filter (threshold or
    top_fraction); the score lands in meta.extra for mixes to weight by."""
    from curation.cli.main import UserError, _fail, _user_errors
    from curation.cli.tables import console
    from curation.filters.quality_classifier import train_quality_classifier
    from curation.filters.quality_eval import holdout_accuracy, run_texts, split_holdout

    try:
        if not 0 <= holdout < 1:
            raise UserError(f"--holdout must be in [0, 1), got {holdout}")
        pos_train, pos_test = split_holdout(run_texts(positive, field), holdout, seed)
        neg_train, neg_test = split_holdout(run_texts(negative, field), holdout, seed + 1)
        path = train_quality_classifier(
            pos_train, neg_train, out, epoch=epoch, lr=lr, word_ngrams=word_ngrams, seed=seed
        )
        accuracy = holdout_accuracy(path, pos_test, neg_test)
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(f"trained on {len(pos_train):,} positive + {len(neg_train):,} negative texts -> {path}")
    if accuracy is not None:
        con.print(f"held-out accuracy {accuracy:.3f} on {len(pos_test):,} + {len(neg_test):,} texts")
    con.print(f"use it: quality: {{model_path: {path}, threshold: 0.5}}  (or top_fraction: 0.1) in a filter config")
