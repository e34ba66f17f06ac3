"""`curate dedup RUN_DIR --out OUT_RUN_DIR`: exact then near dedup of a run into a new run directory."""

from __future__ import annotations

from typing import Annotated

import typer


def _parse_priorities(pairs: list[str]) -> dict[str, int]:
    from curation.cli.main import UserError

    priorities = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        try:
            number = int(value)
        except ValueError:
            number = None
        if not sep or not name or number is None:
            raise UserError(f"--priority takes SOURCE=INTEGER (lower wins), got {pair!r}")
        priorities[name] = number
    return priorities


def dedup(
    run_dir: Annotated[str, typer.Argument(help="An ingested run directory (holds summary.json); a path or an object store URL.")],
    out: Annotated[str, typer.Option("--out", "-o", help="New run directory for the kept rows and the report; a path or an object store URL.")],
    key: Annotated[str, typer.Option(help="Text to compare: auto, conversation, prompt, response or text.")] = "auto",
    normalise: Annotated[str, typer.Option(help="Comma-separated steps: nfc, nfkc, lower, whitespace ('' for none).")] = "nfc,whitespace",
    scope: Annotated[str, typer.Option(help="source (within each source) or mix (across all sources).")] = "source",
    priority: Annotated[
        list[str], typer.Option("--priority", help="SOURCE=N: survivor priority of a source, lower wins (repeatable).")
    ] = [],  # noqa: B006
    near: Annotated[bool, typer.Option("--near/--no-near", help="Also remove near duplicates (MinHash LSH).")] = True,
    threshold: Annotated[float, typer.Option(help="Near dedup: Jaccard threshold of the shingle sets (exact, or estimated with --verify signature), in (0, 1].")] = 0.8,
    num_perm: Annotated[int, typer.Option(help="Near dedup: MinHash permutations.")] = 128,
    ngram: Annotated[int, typer.Option(help="Near dedup: word n-gram size of the shingles.")] = 5,
    verify: Annotated[
        str,
        typer.Option(help="Near dedup: confirm LSH candidates by exact shingle Jaccard, the signature estimate, or none."),
    ] = "exact",
    workers: Annotated[int, typer.Option(help="Near dedup: processes for the LSH band partitions.")] = 1,
) -> None:
    """Remove exact duplicates (SHA-256 of a normalised key), then near duplicates (MinHash
    LSH, candidates verified), from every source of a run."""
    from curation.cli.main import _fail, _user_errors
    from curation.cli.tables import console, funnel_table, reasons_table
    from curation.dedup.exact import STAGE, ExactOptions
    from curation.dedup.near import STAGE as NEAR_STAGE
    from curation.dedup.near_stage import NearOptions
    from curation.dedup.stage import dedup_run
    from curation.run_store import fetched_run, run_output

    try:
        steps = tuple(s.strip() for s in normalise.split(",") if s.strip())
        options = ExactOptions(key=key, normalise=steps, scope=scope)
        near_options = (
            NearOptions(threshold=threshold, num_perm=num_perm, ngram=ngram, verify=verify, key=key, workers=workers)
            if near
            else None
        )
        with run_output(out) as local_out:
            summary = dedup_run(
                fetched_run(run_dir), local_out, exact=options, near=near_options, priorities=_parse_priorities(priority)
            )
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    for stage in (STAGE, NEAR_STAGE) if near else (STAGE,):
        con.print(funnel_table(summary, stage=stage))
    con.print(reasons_table(summary, stage=None, reason="exact_duplicate", by_source=True))
    if near:
        con.print(reasons_table(summary, stage=None, reason="near_duplicate", by_source=True))
    con.print(f"Kept rows and report: {out}   inspect: curate report {out} --stage {NEAR_STAGE if near else STAGE}")
