"""What a person reads in the Prefect UI after a run: tables and markdown built from the
run's own report files (summary.json of the rendered run, the mix lock), so the UI and
`curate report` / `curate mix show` always agree.

Keys (stable, lowercase-dashed; the latest version of each key is listed under Artifacts):
    funnel                 table: source, stage, reason, rows (dropped rows; curation.report.reason_rows)
    tokens                 table: source, target, tokens, rows, epochs, shortfall (tokens; from the lock)
    identity-and-patterns  markdown: identity claims dropped / rewritten, pattern-cap drops
    mix-report             markdown: where the mix, lock, card and plots are; totals; rows per stage
"""

from __future__ import annotations

from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from curation.mix.lock import MixLock
from curation.report import funnel_rows, reason_rows
from curation.summary import RunSummary

FUNNEL = "funnel"
TOKENS = "tokens"
IDENTITY_AND_PATTERNS = "identity-and-patterns"
MIX_REPORT = "mix-report"
SOURCE_FUNNEL = "source-funnel"
IDENTITY_STAGES = ("identity",)
PATTERN_STAGES = ("pattern_cap",)


def funnel_table(summary: RunSummary) -> list[dict]:
    """Dropped rows per source x stage x reason, most frequent first (rows)."""
    return reason_rows(summary, by_source=True)


def tokens_table(lock: MixLock) -> list[dict]:
    """Per source: target and achieved tokens, rows taken, epochs, shortfall (tokens)."""
    return [
        {
            "source": s.name,
            "target": s.target_tokens,
            "tokens": s.tokens,
            "rows": s.rows,
            "epochs": round(s.epochs, 3) if s.epochs is not None else "<1",
            "shortfall": s.shortfall,
        }
        for s in lock.sources
    ]


def publish_mix(summary: RunSummary, lock: MixLock, out_dir: Path | str, work_dir: Path) -> None:
    """The four artifacts of a build-mix run."""
    create_table_artifact(
        funnel_table(summary), key=FUNNEL, description=f"Dropped rows per source x stage x reason: {lock.name}"
    )
    create_table_artifact(
        tokens_table(lock), key=TOKENS, description=f"Tokens per source, target vs achieved: {lock.name}"
    )
    create_markdown_artifact(
        identity_and_patterns(summary), key=IDENTITY_AND_PATTERNS, description="Identity claims and response patterns"
    )
    create_markdown_artifact(mix_report(summary, lock, out_dir, work_dir), key=MIX_REPORT, description="The mix")


def publish_source(summary: RunSummary, name: str) -> None:
    """The artifacts of a curate-source run: its funnel and its reasons."""
    create_table_artifact(
        [r for r in funnel_rows(summary) if r["source"] == name],
        key=SOURCE_FUNNEL,
        description=f"Rows in, kept, dropped per stage: {name}",
    )
    create_table_artifact(reason_rows(summary, source=name), key=FUNNEL, description=f"Dropped rows by reason: {name}")
    create_markdown_artifact(identity_and_patterns(summary), key=IDENTITY_AND_PATTERNS)


def identity_and_patterns(summary: RunSummary) -> str:
    """Markdown: identity claims (dropped and rewritten) and pattern-cap drops per source."""
    lines = ["# Identity claims and response patterns", ""]
    for title, stages in (("Identity claims", IDENTITY_STAGES), ("Pattern cap", PATTERN_STAGES)):
        dropped = [r for r in reason_rows(summary) if r["stage"] in stages]
        rewritten = [r for r in reason_rows(summary, rewrites=True) if r["stage"] in stages]
        lines += [f"## {title}", ""]
        if not dropped and not rewritten:
            lines += ["None found (or the filter is off for this mix).", ""]
            continue
        lines += _md_table(
            ["source", "reason", "action", "rows"],
            [[r["source"], r["reason"], "dropped", r["rows"]] for r in dropped]
            + [[r["source"], r["reason"], "rewritten", r["rows"]] for r in rewritten],
        )
        lines.append("")
    return "\n".join(lines)


def _where(out_dir: Path | str) -> list[str]:
    """Markdown lines: the mix, its lock, card and plots (file links for a local directory)."""
    if isinstance(out_dir, str):  # an object store URL: no link a browser opens
        lock = f"{out_dir.rstrip('/')}/mix.lock.json"
        return [
            f"- Mix: `{out_dir}` (`datasets.load_from_disk('{out_dir}')`)",
            f"- Lock: `{lock}` (`curate mix regenerate {lock}`)",
            f"- Dataset card and plots: `{out_dir.rstrip('/')}/README.md`, `*.png`",
        ]
    plots = sorted(out_dir.glob("*.png"))
    return [
        f"- Mix directory: [`{out_dir}`]({out_dir.as_uri()}) (`datasets.load_from_disk('{out_dir}')`)",
        f"- Lock: [`{out_dir / 'mix.lock.json'}`]({(out_dir / 'mix.lock.json').as_uri()})"
        f" (`curate mix regenerate {out_dir / 'mix.lock.json'}`)",
        f"- Dataset card: [`{out_dir / 'README.md'}`]({(out_dir / 'README.md').as_uri()})",
        "- Plots: " + (", ".join(f"[`{p.name}`]({p.as_uri()})" for p in plots) if plots else "none"),
    ]


def mix_report(summary: RunSummary, lock: MixLock, out_dir: Path | str, work_dir: Path) -> str:
    """Markdown: where everything is, the totals, and rows per stage over all sources."""
    t = lock.totals
    budget = f"{t.budget_tokens:,}" if t.budget_tokens is not None else "n/a"
    per_stage: dict[str, list[int]] = {}
    for r in funnel_rows(summary):
        acc = per_stage.setdefault(r["stage"], [0, 0, 0])
        acc[0] += r["input"]
        acc[1] += r["kept"]
        acc[2] += r["dropped"]
    lines = [
        f"# Mix {lock.name}",
        "",
        f"**{t.tokens:,} tokens** (budget {budget}) in **{t.rows:,} rows**, {t.shards} shards, {t.bytes:,} bytes.",
        "",
        *_where(out_dir),
        f"- Report of the curation: `curate report {work_dir / 'render'}`",
        "",
        "## Rows per stage (all sources)",
        "",
        *_md_table(["stage", "input", "kept", "dropped"], [[s, *v] for s, v in per_stage.items()]),
        "",
        "## Shards",
        "",
        *_md_table(
            ["split", "file", "rows", "bytes", "sha256"],
            [[s.split, s.file, s.rows, s.bytes, s.sha256[:16]] for s in lock.shards],
        ),
    ]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += [
        "| " + " | ".join(f"{c:,}" if isinstance(c, int) else str(c).replace("|", "\\|") for c in row) + " |"
        for row in rows
    ]
    return out
