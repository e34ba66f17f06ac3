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


def funnel_wide_table(summary: RunSummary) -> Table:
    """One row per source: rows read, then rows left after each stage, then dropped."""
    stages: list[str] = []
    for src in summary.sources:
        stages += [st.stage for st in src.stages if st.stage not in stages]
    table = Table(title="Funnel (rows left after each stage)")
    table.add_column("source")
    for col in ("input", *(f"after {s}" for s in stages), "dropped", "kept %"):
        table.add_column(col, justify="right")
    for src in summary.sources:
        kept = {st.stage: st.kept for st in src.stages}
        cells = [f"{kept[s]:,}" if s in kept else "-" for s in stages]
        share = f"{100 * src.kept_rows / src.input_rows:.1f}" if src.input_rows else "-"
        table.add_row(src.name, f"{src.input_rows:,}", *cells, f"{src.dropped_rows:,}", share)
    t = summary.totals
    table.add_section()
    table.add_row("total", f"{t.input:,}", *([""] * (len(stages) - 1)), f"{t.kept:,}", f"{t.dropped:,}",
                  f"{100 * t.kept / t.input:.1f}" if t.input else "-", style="bold")
    return table


def reasons_table(
    summary: RunSummary,
    source: str | None = None,
    stage: str | None = None,
    reason: str | None = None,
    by_source: bool = True,
) -> Table:
    """Dropped rows by reason; by_source=False sums over sources (one row per stage x reason)."""
    table = Table(title="Dropped rows by reason" + ("" if by_source else " (all sources)"))
    first = "source" if by_source else "sources"
    for col in (first, "stage", "reason", "rows"):
        table.add_column(col, justify="right" if col in ("rows", "sources") else "left")
    for row in reason_rows(summary, source, stage, reason, by_source):
        table.add_row(str(row[first]), row["stage"], row["reason"], f"{row['rows']:,}")
    return table


def examples_table(examples: pl.DataFrame, raw_chars: int = 160) -> Table:
    table = Table(title=f"Example dropped rows ({examples.height})", show_lines=True)
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
