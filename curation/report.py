"""Reading a run's report: the funnel (summary.json) and the dropped rows (Parquet).

RUN_DIR/summary.json holds counts per source x stage x reason;
RUN_DIR/sources/<name>/reports/NNNNNNNN-dropped.parquet hold every dropped row since ingest
(DROP_SCHEMA, in stage order; report_files.py), NNNNNNNN-rewritten.parquet every row a stage
changed and kept (the same schema: reason = the rewrite code, raw = the row before the change).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from curation.accounting import DROP_SCHEMA
from curation.report_files import report_files
from curation.summary import RunSummary


class RunDirError(Exception):
    """RUN_DIR is not a finished run directory."""


def load_summary(run_dir: Path) -> RunSummary:
    path = run_dir / "summary.json"
    if not path.is_file():
        raise RunDirError(f"{run_dir} is not a run directory: it has no summary.json")
    return RunSummary.read(path)


def load_drops(
    run_dir: Path,
    source: str | None = None,
    stage: str | None = None,
    reason: str | None = None,
) -> pl.LazyFrame:
    """Dropped rows of a run, filtered by source / stage / reason (a reason ending in ':' or
    naming a family such as `malformed` matches every code in it)."""
    return _load_report(run_dir, "dropped.parquet", source, stage, reason)


def load_rewrites(
    run_dir: Path,
    source: str | None = None,
    stage: str | None = None,
    reason: str | None = None,
) -> pl.LazyFrame:
    """Rewritten rows of a run (the row before the change in `raw`), filtered like load_drops."""
    return _load_report(run_dir, "rewritten.parquet", source, stage, reason)


def _load_report(run_dir: Path, file_name: str, source: str | None, stage: str | None, reason: str | None) -> pl.LazyFrame:
    report = file_name.removesuffix(".parquet")
    files = [f for src in sorted((run_dir / "sources").glob("*/")) for f in report_files(src, report)]
    if not files:
        return pl.LazyFrame(schema=pl.from_arrow(DROP_SCHEMA.empty_table()).schema)
    frame = pl.scan_parquet(files)
    if source is not None:
        frame = frame.filter(pl.col("source") == source)
    if stage is not None:
        frame = frame.filter(pl.col("stage") == stage)
    if reason is not None:
        family = reason.rstrip(":") + ":"
        frame = frame.filter((pl.col("reason") == reason) | pl.col("reason").str.starts_with(family))
    return frame


def funnel_rows(summary: RunSummary, source: str | None = None, stage: str | None = None) -> list[dict]:
    """One row per source x stage: input, kept, dropped (rows)."""
    return [
        {"source": src.name, "stage": st.stage, "input": st.input, "kept": st.kept, "dropped": st.dropped}
        for src in summary.sources
        if source is None or src.name == source
        for st in src.stages
        if stage is None or st.stage == stage
    ]


def reason_rows(
    summary: RunSummary,
    source: str | None = None,
    stage: str | None = None,
    reason: str | None = None,
    by_source: bool = True,
    rewrites: bool = False,
) -> list[dict]:
    """Dropped rows (rewritten rows with rewrites=True) per source x stage x reason, most
    frequent first.

    With by_source=False the sources are summed: one row per stage x reason, with the
    number of sources it occurs in (`sources`) instead of the source name.
    """
    family = reason.rstrip(":") + ":" if reason else None
    rows = [
        {"source": src.name, "stage": st.stage, "reason": code, "rows": n}
        for src in summary.sources
        if source is None or src.name == source
        for st in src.stages
        if stage is None or st.stage == stage
        for code, n in (st.rewritten if rewrites else st.reasons).items()
        if reason is None or code == reason or code.startswith(family or "")
    ]
    if not by_source:
        merged: dict[tuple[str, str], dict] = {}
        for r in rows:
            m = merged.setdefault((r["stage"], r["reason"]), {"stage": r["stage"], "reason": r["reason"], "rows": 0, "sources": 0})
            m["rows"] += r["rows"]
            m["sources"] += 1
        return sorted(merged.values(), key=lambda r: (-r["rows"], r["stage"], r["reason"]))
    return sorted(rows, key=lambda r: (-r["rows"], r["source"], r["stage"], r["reason"]))
