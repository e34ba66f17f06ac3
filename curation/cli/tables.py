"""Rich tables for the funnel, the reasons and example dropped rows."""

from __future__ import annotations

import polars as pl
from rich.console import Console
from rich.table import Table

from curation.report import funnel_rows, reason_rows
from curation.summary import RunSummary


def funnel_table(summary: RunSummary, source: str | None = None, stage: str | None = None) -> Table:
    table = Table(title="Funnel (rows)")
    for col in ("source", "stage", "input", "kept", "dropped", "kept %"):
        table.add_column(col, justify="left" if col in ("source", "stage") else "right")
    for row in funnel_rows(summary, source, stage):
        share = f"{100 * row['kept'] / row['input']:.1f}" if row["input"] else "-"
        table.add_row(row["source"], row["stage"], f"{row['input']:,}", f"{row['kept']:,}", f"{row['dropped']:,}", share)
    if source is None and stage is None:
        t = summary.totals
        table.add_section()
        table.add_row("total", "", f"{t.input:,}", f"{t.kept:,}", f"{t.dropped:,}",
                      f"{100 * t.kept / t.input:.1f}" if t.input else "-", style="bold")
    return table


# Beyond this many stages the wide funnel shows one column per phase (ingest, dedup, filter)
# instead of one per stage, so it still fits a terminal; `--source` shows every stage.
MAX_STAGE_COLUMNS = 6


def _phase(stage: str) -> str:
    if stage in ("read", "adapt"):
        return "ingest"
    return "dedup" if stage.startswith("dedup") else "filter"


def funnel_wide_table(summary: RunSummary) -> Table:
    """One row per source: rows read, then rows left after each stage (or phase, when there
    are many stages), then dropped."""
    stages: list[str] = []
    for src in summary.sources:
        stages += [st.stage for st in src.stages if st.stage not in stages]
    by_phase = len(stages) > MAX_STAGE_COLUMNS
    columns = list(dict.fromkeys(_phase(s) for s in stages)) if by_phase else stages
    table = Table(title=f"Funnel (rows left after each {'phase' if by_phase else 'stage'})")
    table.add_column("source")
    for col in ("input", *(f"after {s}" for s in columns), "dropped", "kept %"):
        table.add_column(col, justify="right")
    for src in summary.sources:
        kept = {(_phase(st.stage) if by_phase else st.stage): st.kept for st in src.stages}  # last stage wins
        cells = [f"{kept[s]:,}" if s in kept else "-" for s in columns]
        share = f"{100 * src.kept_rows / src.input_rows:.1f}" if src.input_rows else "-"
        table.add_row(src.name, f"{src.input_rows:,}", *cells, f"{src.dropped_rows:,}", share)
    t = summary.totals
    table.add_section()
    table.add_row("total", f"{t.input:,}", *([""] * (len(columns) - 1)), f"{t.kept:,}", f"{t.dropped:,}",
                  f"{100 * t.kept / t.input:.1f}" if t.input else "-", style="bold")
    return table


def reasons_table(
    summary: RunSummary,
    source: str | None = None,
    stage: str | None = None,
    reason: str | None = None,
    by_source: bool = True,
    rewrites: bool = False,
) -> Table:
    """Dropped rows by reason (rewritten rows by rewrite code with rewrites=True);
    by_source=False sums over sources (one row per stage x reason)."""
    what = "Rewritten rows by rewrite code" if rewrites else "Dropped rows by reason"
    table = Table(title=what + ("" if by_source else " (all sources)"))
    first = "source" if by_source else "sources"
    for col in (first, "stage", "reason", "rows"):
        table.add_column(col, justify="right" if col in ("rows", "sources") else "left")
    for row in reason_rows(summary, source, stage, reason, by_source, rewrites=rewrites):
        table.add_row(str(row[first]), row["stage"], row["reason"], f"{row['rows']:,}")
    return table


def examples_table(examples: pl.DataFrame, raw_chars: int = 160, what: str = "dropped") -> Table:
    """Example report rows; `what` names them (dropped, or rewritten: raw is the row before)."""
    table = Table(title=f"Example {what} rows ({examples.height})", show_lines=True)
    for col in ("source", "stage", "reason", "where", "detail", "raw"):
        table.add_column(col, overflow="fold")
    for r in examples.iter_rows(named=True):
        where = f"{r['file'] or ''}:{r['line']}" if r["line"] is not None else (r["file"] or "")
        raw = r["raw"] or ""
        raw = raw if len(raw) <= raw_chars else raw[:raw_chars] + "…"
        table.add_row(r["source"], r["stage"], r["reason"], where, r["detail"], raw)
    return table


def console() -> Console:
    return Console()


def patterns_table(report: pl.DataFrame, title: str) -> Table:
    """pattern_report rows: scope (* = all sources), rank, opening, count, share."""
    table = Table(title=title)
    for col in ("scope", "rank", "opening", "rows", "share %"):
        table.add_column(col, justify="right" if col in ("rank", "rows", "share %") else "left")
    for r in report.iter_rows(named=True):
        table.add_row(r["scope"], str(r["rank"]), r["opening"] or "", f"{r['count']:,}", f"{100 * r['share']:.1f}")
    return table


def scaffolds_table(scaffolds: pl.DataFrame) -> Table:
    """scaffold_patterns rows: how many final answers use each scaffold, at the start and anywhere."""
    table = Table(title="Answer scaffolds")
    for col in ("scaffold", "at start", "anywhere", "share at start %"):
        table.add_column(col, justify="left" if col == "scaffold" else "right")
    for r in scaffolds.iter_rows(named=True):
        table.add_row(r["scaffold"], f"{r['at_start']:,}", f"{r['anywhere']:,}", f"{100 * r['share_at_start']:.1f}")
    return table
