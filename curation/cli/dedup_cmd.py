"""`curate dedup RUN_DIR --out OUT_RUN_DIR`: exact dedup of a run into a new run directory."""

from __future__ import annotations

from pathlib import Path
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
    run_dir: Annotated[Path, typer.Argument(help="An ingested run directory (holds summary.json).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="New run directory for the kept rows and the report.")],
    key: Annotated[str, typer.Option(help="Text to compare: auto, conversation, prompt, response or text.")] = "auto",
    normalise: Annotated[str, typer.Option(help="Comma-separated steps: nfc, nfkc, lower, whitespace ('' for none).")] = "nfc,whitespace",
    scope: Annotated[str, typer.Option(help="source (within each source) or mix (across all sources).")] = "source",
    priority: Annotated[
        list[str], typer.Option("--priority", help="SOURCE=N: survivor priority of a source, lower wins (repeatable).")
    ] = [],  # noqa: B006
) -> None:
    """Remove exact duplicates (SHA-256 of a normalised key) from every source of a run."""
    from curation.cli.main import _fail, _user_errors
    from curation.cli.tables import console, funnel_table, reasons_table
    from curation.dedup.exact import STAGE, ExactOptions
    from curation.dedup.stage import dedup_run

    try:
        steps = tuple(s.strip() for s in normalise.split(",") if s.strip())
        options = ExactOptions(key=key, normalise=steps, scope=scope)
        summary = dedup_run(run_dir, out, exact=options, priorities=_parse_priorities(priority))
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(funnel_table(summary, stage=STAGE))
    con.print(reasons_table(summary, stage=STAGE, by_source=True))
    con.print(f"Kept rows and report: {out}   inspect: curate report {out} --stage {STAGE}")
