"""The dataset card of a mix: README.md with YAML front matter, the per-source token table,
the curation funnel and two PNG plots (token lengths per source, the funnel).

Everything here is byte-reproducible: no dates, sorted inputs, and PNGs drawn on a fresh
Agg figure with matplotlib's default style, a fixed size and dpi, and no `Software`
metadata (which would carry the matplotlib version string).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from curation.fileio import atomic_write_text
from curation.mix.lock import MixLock
from curation.summary import RunSummary

CARD_FILE = "README.md"
LENGTHS_PNG = "token_lengths.png"
FUNNEL_PNG = "funnel.png"
PLOT_DPI = 100
HIST_BINS = 40
# PNG text chunks matplotlib would add; None removes them.
_PNG_METADATA = {"Software": None}
# Kept rows green; drops in tab10 colours without its green, so no stage looks kept.
_KEPT_COLOR = "#4c9a5b"
_DROP_COLORS = (
    "#d62728",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#1f77b4",
)


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]], align: str = "") -> str:
    """A Markdown table; `align` has one letter per column (l or r), default right but the first."""
    align = align or "l" + "r" * (len(header) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _size_category(rows: int) -> str:
    # The Hub's size_categories buckets.
    for limit, name in [
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ]:
        if rows < limit:
            return name
    return "1M<n<10M" if rows < 10_000_000 else "10M<n<100M" if rows < 100_000_000 else "n>1T"


def _front_matter(lock: MixLock) -> str:
    meta = {
        "pretty_name": lock.name,
        "tags": ["curation", "mix"],
        "size_categories": [_size_category(lock.totals.rows)],
        "task_categories": ["text-generation"],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n"


def _sources_section(lock: MixLock) -> str:
    total = sum(s.tokens for s in lock.sources) or 1
    rows = [
        [
            s.name if s.stage is None else f"{s.stage}/{s.name}",
            f"{s.target_tokens:,}",
            f"{s.tokens:,}",
            f"{100 * s.tokens / total:.2f}%",
            f"{s.rows:,}",
            s.epochs_text(),
            f"{s.shortfall:,}",
            f"{s.rows_available:,}",
            f"{s.tokens_available:,}",
            f"{s.rows_not_examined:,}",
        ]
        for s in lock.sources
    ]
    header = [
        "source",
        "target tokens",
        "tokens",
        "share",
        "rows",
        "epochs",
        "shortfall",
        "rows avail.",
        "tokens avail.",
        "not examined",
    ]
    note = ""
    if any(s.rows_not_examined for s in lock.sources):
        note = (
            "Built with `--examine needed`: the rows past a source's sampling frontier (\"not examined\", "
            "reported as `beyond_budget`) were neither filtered nor rendered, as its pick met the target "
            "before them; \"avail.\" counts the examined rows only. The shards are those of a build that "
            "examines every row.\n\n"
        )
    return "## Sources\n\nTokens are counted with the mix's tokenizer on the rendered text.\n\n" + note + _table(
        header, rows
    )


def _shards_section(lock: MixLock) -> str:
    by_split: dict[str, list[int]] = {}
    for s in lock.shards:
        agg = by_split.setdefault(s.split, [0, 0, 0])
        agg[0] += 1
        agg[1] += s.rows
        agg[2] += s.bytes
    rows = [[split, n, f"{r:,}", f"{b:,}"] for split, (n, r, b) in by_split.items()]
    return "## Splits\n\n" + _table(["split", "shards", "rows", "bytes"], rows)


def _packing_section(lock: MixLock) -> str:
    """The packed/ dataset per part, with the remainder each part left out."""
    rows = [
        [p.part, f"{p.context_length:,}", f"{p.sequences:,}", f"{p.tokens_packed:,}", f"{p.tokens_dropped:,}"]
        for p in lock.packing
    ]
    table = _table(["part", "context", "sequences", "tokens packed", "tokens not packed"], rows, "lrrrr")
    return (
        "## Packing\n\nThe train split's rows as token ids in sequences of each part's context length "
        "(`packed/`). A part's last tokens, fewer than one sequence, are not packed; their rows stay in "
        f"the train split.\n\n{table}"
    )


def _funnel_section(funnel: RunSummary) -> str:
    rows = []
    for src in funnel.sources:
        for st in src.stages:
            top = sorted(st.reasons.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
            reasons = ", ".join(f"{code} {n:,}" for code, n in top)
            rows.append([src.name, st.stage, f"{st.input:,}", f"{st.kept:,}", f"{st.dropped:,}", reasons])
    table = _table(["source", "stage", "in", "kept", "dropped", "top reasons"], rows, "llrrrl")
    t = funnel.totals
    return (
        "## Curation funnel\n\nRows per source and stage, before sampling.\n\n"
        f"{table}\n\nTotal: {t.input:,} rows in, {t.kept:,} kept, {t.dropped:,} dropped."
    )


def _build_section(lock: MixLock) -> str:
    m = lock.manifest
    template = m.get("template")
    template_name = template.get("name") if isinstance(template, dict) else template
    lines = [
        "## Build",
        "",
        f"- seed: {m.get('seed', 0)}",
        f"- tokenizer: {m.get('tokenizer', '?')}",
        f"- template: {template_name or '?'}",
        f"- budget: {lock.totals.budget_tokens:,} tokens"
        if lock.totals.budget_tokens is not None
        else "- budget: -",
        f"- taken: {lock.totals.tokens:,} tokens in {lock.totals.rows:,} rows, {lock.totals.shards} shards",
        "",
        "Open it with `datasets.load_from_disk(<this directory>)`. Rebuild and verify every shard with "
        "`curate mix regenerate mix.lock.json`.",
    ]
    return "\n".join(lines)


def _packages_section(lock: MixLock) -> str:
    rows = [[name, version] for name, version in sorted(lock.packages.items())]
    inputs = []
    for inp in lock.inputs:
        what = f"revision {inp.revision}" if inp.kind == "hub" else f"{len(inp.files or [])} files"
        inputs.append([inp.source, inp.location, inp.kind, what])
    return (
        "## Reproducibility\n\nInputs (full fingerprints in mix.lock.json):\n\n"
        + _table(["source", "location", "kind", "fingerprint"], inputs, "llll")
        + "\n\nPackages:\n\n"
        + _table(["package", "version"], rows, "ll")
    )


# -- plots -----------------------------------------------------------------------------------


def _style():
    # matplotlib's default style for the whole drawing, so a user's matplotlibrc cannot
    # change the bytes.
    import matplotlib.style

    return matplotlib.style.context("default")


def _figure(width: float, height: float):
    # A fresh Agg-backed Figure: no pyplot state, no GUI backend.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=PLOT_DPI)


def _save(fig, path: Path) -> None:
    fig.savefig(path, format="png", dpi=PLOT_DPI, metadata=_PNG_METADATA)


def length_counts(n_tokens) -> dict[int, int]:
    """Token length -> rows, of the rows with these n_tokens: what plot_lengths draws."""
    values, counts = np.unique(np.asarray(n_tokens, dtype=np.int64), return_counts=True)
    return dict(zip(values.tolist(), counts.tolist(), strict=True))


def plot_lengths(path: Path, length_hist: dict[str, dict[int, int]]) -> None:
    """Histogram of rows per token length (log-spaced bins, log x axis) per source, one step
    line each, sources in name order. length_hist: source -> {token length: rows}."""
    with _style():
        fig = _figure(8, 4.5)
        ax = fig.subplots()
        counted = {
            k: (np.fromiter(v.keys(), np.int64, len(v)), np.fromiter(v.values(), np.int64, len(v)))
            for k, v in sorted(length_hist.items())
        }
        values = [lengths[lengths > 0] for lengths, _ in counted.values() if (lengths > 0).any()]
        lo = max(1, int(min(v.min() for v in values))) if values else 1
        hi = int(max(v.max() for v in values)) if values else 10
        bins = np.unique(np.round(np.geomspace(lo, max(hi, lo + 1) + 1, HIST_BINS + 1)))
        for name, (lengths, rows) in counted.items():
            positive = lengths > 0
            counts, edges = np.histogram(lengths[positive], bins=bins, weights=rows[positive])
            ax.stairs(counts.astype(np.int64), edges, label=f"{name} ({int(rows.sum()):,} rows)", linewidth=1.5)
        ax.set_xscale("log")
        ax.set_xlabel("tokens per row")
        ax.set_ylabel("rows")
        ax.set_title("Token length per source")
        if counted:
            ax.legend(fontsize="small")
        fig.tight_layout()
        _save(fig, path)


def plot_funnel(path: Path, funnel: RunSummary) -> None:
    """One horizontal bar per source, as long as its input rows: kept rows, then the rows each
    stage dropped."""
    with _style():
        sources = funnel.sources
        stages = []
        for src in sources:
            stages += [st.stage for st in src.stages if st.stage not in stages]
        # room for every source's bar and for the legend beside them
        fig = _figure(9, 1.3 + 0.4 * max(len(sources), 0.6 * (len(stages) + 1)))
        ax = fig.subplots()
        y = np.arange(len(sources))
        left = np.array([src.kept_rows for src in sources], dtype=np.float64)
        ax.barh(y, left, label="kept", color=_KEPT_COLOR)
        for i, stage in enumerate(stages):
            dropped = np.array(
                [sum(st.dropped for st in src.stages if st.stage == stage) for src in sources],
                dtype=np.float64,
            )
            ax.barh(
                y, dropped, left=left, label=f"dropped: {stage}", color=_DROP_COLORS[i % len(_DROP_COLORS)]
            )
            left = left + dropped
        ax.set_yticks(y, [src.name for src in sources])
        ax.invert_yaxis()
        ax.set_xlabel("rows in (kept + dropped at each stage)")
        ax.set_title("Curation funnel per source")
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        _save(fig, path)


def draw_plots(
    out_dir: Path, funnel: RunSummary | None = None, length_hist: dict[str, dict[int, int]] | None = None
) -> list[str]:
    """Draw the card's PNGs into `out_dir` (see write_card); return their Markdown image lines.
    It needs none of the lock, so a build draws them while its shards are written."""
    plots = []
    if length_hist is not None:
        plot_lengths(Path(out_dir) / LENGTHS_PNG, length_hist)
        plots.append(f"![Token length per source]({LENGTHS_PNG})")
    if funnel is not None:
        plot_funnel(Path(out_dir) / FUNNEL_PNG, funnel)
        plots.append(f"![Curation funnel per source]({FUNNEL_PNG})")
    return plots


def write_card(
    out_dir: Path,
    lock: MixLock,
    funnel: RunSummary | None = None,
    length_hist: dict[str, dict[int, int]] | None = None,
    plots: list[str] | None = None,
) -> Path:
    """Write out_dir/README.md and its PNGs (token_lengths.png when length_hist is given:
    {source: {token length: taken rows}}, see length_counts; funnel.png when funnel is given). Returns the
    README path. `plots`: what draw_plots returned, when it has drawn them already."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = [_front_matter(lock), f"# {lock.name}"]
    description = lock.manifest.get("description")
    if description:
        parts.append(str(description).strip())
    parts += [_build_section(lock), _sources_section(lock), _shards_section(lock)]
    if lock.packing:
        parts.append(_packing_section(lock))
    if funnel is not None:
        parts.append(_funnel_section(funnel))
    if plots is None:
        plots = draw_plots(out_dir, funnel, length_hist)
    if plots:
        parts.append("## Plots\n\n" + "\n\n".join(plots))
    parts.append(_packages_section(lock))
    path = out_dir / CARD_FILE
    atomic_write_text(path, "\n\n".join(p.strip("\n") for p in parts) + "\n")
    return path
