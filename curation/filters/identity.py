"""Identity-claims filter: assistant turns that claim to be a human or another model/maker.

Reason codes: ``identity_claim:human`` ("I'm a real person", "my wife and I", "when I was a
kid") and ``identity_claim:other_model`` ("I'm ChatGPT", "I was trained by Anthropic",
"I'm based on Llama 3"). Only assistant turns are read (``content`` and ``reasoning``); user,
system and tool turns and text rows are never checked, because a user asking "are you
ChatGPT?" is not the model claiming anything.

Not claims, by construction of the patterns (identity_patterns.py): third person and
discussion ("ChatGPT is a model by OpenAI", "GPT-4 scored 86% on MMLU"), denials ("I'm not
ChatGPT"), reported or hypothetical first person ("you may think I'm human"), quoted text and
code, people called Claude ("Claude Monet"). Not claims, by context: turns answering a user (or
system) request for role-play, fiction or translation, and -- for human claims only -- turns
answering a request to write a letter, email, speech, or other text in someone's voice
("Generate an excuse for missing work", "Complete the paragraph"): instruction-tuning sets are
full of these, and a human claim there is the requested text, at the cost of missing a real
claim made in answer to such a request.

``action="rewrite"`` replaces the claimed name/maker with ``name``/``maker`` where a clean
rewrite exists: every claim in the turn is a direct name/maker claim ("I'm Claude, an AI made
by Anthropic") and no other model or maker is mentioned anywhere else in the turn (else the
rewritten text would contradict itself). Human claims, "based on GPT-4" style claims and the
rest are dropped in both modes. Verdicts carry only the drops; what was rewritten (row id,
turn, span before/after) comes from :meth:`IdentityFilter.scan` / :meth:`rewrite_report`,
because Verdicts has no room for it and a filter keeps no state between batches.

Details read ``assistant turn K: "<matched span>"`` (or ``assistant turn K reasoning: ...``),
K being the turn's 0-based index in ``messages``.

Cost: polars ``str.contains`` over the assistant turns with two keyword patterns (human,
model); each family of precise ``regex`` patterns runs in Python only on the turns its
keywords flag.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import regex

from curation.filters import identity_patterns as P
from curation.filters.base import Verdicts

HUMAN = "identity_claim:human"
OTHER_MODEL = "identity_claim:other_model"
REWRITTEN = "identity_rewrite:other_model"  # rewrite code of a row whose claim was rewritten
ACTIONS = ("drop", "rewrite")
_SPAN_CHARS = 160  # detail shows at most this much of the matched span

REWRITE_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("turn", pa.int32(), nullable=False),  # index into the row's messages
        pa.field("field", pa.string(), nullable=False),  # "content" or "reasoning"
        pa.field("before", pa.string(), nullable=False),  # the matched claim span
        pa.field("after", pa.string(), nullable=False),
    ]
)
_MAKER_CONTEXT = regex.compile(
    r"(?:\bby|\bat|\bfrom|\bof|由)\s*(?:the\s+)?(?:(?:team|researchers|engineers|folks|people|developers|scientists|company)\s+(?:at|from|of)\s+)?$",
    P.F,
)
_ARTICLE = regex.compile(r"\b(an?)(\s+)$", regex.IGNORECASE)


@dataclass(frozen=True)
class IdentityFilter:
    """action: "drop" (default) drops every claim; "rewrite" rewrites clean other-model claims
    to ``name``/``maker`` and drops the rest. name, maker: the target identity, required
    (non-empty, not itself a known model or maker name) when action is "rewrite"."""

    action: str = "drop"
    name: str = ""
    maker: str = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}, got {self.action!r}")
        for param in ("name", "maker"):
            value = getattr(self, param)
            if not isinstance(value, str):
                raise ValueError(f"{param} must be a string, got {type(value).__name__}")
            if self.action == "rewrite":
                if not value.strip():
                    raise ValueError(f"{param} must be non-empty when action='rewrite'")
                if P.ENTITY_RE.search(value):
                    raise ValueError(f"{param}={value!r} is itself a known model or maker name")

    def __call__(self, table: pa.Table) -> Verdicts:
        return self.scan(table)[0]

    def rewrite_report(self, table: pa.Table) -> pa.Table:
        """REWRITE_SCHEMA rows: one per rewritten claim span (empty in drop mode)."""
        return self.scan(table)[1]

    def scan(self, table: pa.Table) -> tuple[Verdicts, pa.Table]:
        n = table.num_rows
        msgs = table.column("messages").combine_chunks()
        turns = _assistant_candidates(msgs)
        reason: list[str | None] = [None] * n
        detail: list[str | None] = [None] * n
        edits: dict[int, dict] = {}  # flat message index -> {"row": row, field: new text}
        report: list[dict] = []
        ids = table.column("id")
        for t in turns.iter_rows(named=True):
            row = t["row"]
            if reason[row] is not None:
                continue
            for field in ("content", "reasoning"):
                text = t[field]
                if not text:
                    continue
                # A pattern family runs only where its keywords hit (exemption or no hit: skip).
                outcome = self._judge(
                    text, t["exempt_all"] or not t[f"model_{field}"], t["exempt_human"] or not t[f"human_{field}"]
                )
                if outcome is None:
                    continue
                where = f"assistant turn {t['pos']}" + (" reasoning" if field == "reasoning" else "")
                code, span, rewritten, spans = outcome
                if code is not None:
                    reason[row] = code
                    detail[row] = f'{where}: "{_clip(span)}"'
                    break
                edits.setdefault(t["i"], {"row": row})[field] = rewritten
                rid = ids[row].as_py()
                report.extend({"id": rid, "turn": t["pos"], "field": field, "before": b, "after": a} for b, a in spans)
        verdict_reason = pa.array(reason, pa.string())
        verdict_detail = pa.array(detail, pa.string())
        # A row dropped by a later turn is not reported or counted as rewritten.
        dropped = {r for r, x in enumerate(reason) if x is not None}
        keep_edit = {i: e for i, e in edits.items() if e["row"] not in dropped}
        dropped_ids = {ids[d].as_py() for d in dropped}
        report = [r for r in report if r["id"] not in dropped_ids]
        if not keep_edit:
            return Verdicts(verdict_reason, verdict_detail), REWRITE_SCHEMA.empty_table()
        new_table, mask = _apply_edits(table, msgs, keep_edit)
        rewrite_reason, rewrite_detail = _rewrite_notes(n, ids, report)
        verdicts = Verdicts(verdict_reason, verdict_detail, new_table, mask, rewrite_reason, rewrite_detail)
        return verdicts, pa.Table.from_pylist(report, REWRITE_SCHEMA)

    def _judge(self, text: str, skip_model: bool, skip_human: bool):
        """None (no claim) or (reason code | None, first span, rewritten text, [(before, after)])."""
        masked = P.QUOTED_RE.sub(lambda m: " " * len(m.group()), text)
        if not skip_human:
            m = next((m for r in P.HUMAN_RES if (m := r.search(masked))), None)
            if m:
                return HUMAN, text[m.start() : m.end()], None, []
        if skip_model:
            return None
        arch = P.MODEL_ARCH_RE.search(masked)
        claims = _merge([m.span() for r in P.MODEL_REWRITABLE_RES for m in r.finditer(masked)])
        if arch is None and not claims:
            return None
        first = min([*claims, *([arch.span()] if arch else [])])
        if self.action == "drop" or arch is not None:
            return OTHER_MODEL, text[first[0] : first[1]], None, []
        rewritten = _rewrite(text, claims, self.name, self.maker)
        if rewritten is None:
            return OTHER_MODEL, text[first[0] : first[1]], None, []
        return None, None, rewritten[0], rewritten[1]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, t in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], t)
        else:
            out.append([s, t])
    return [(s, t) for s, t in out]


def _assistant_candidates(msgs: pa.ListArray) -> pl.DataFrame:
    """Assistant turns whose content or reasoning hits HUMAN_/MODEL_KEYWORDS (one flag column
    per family and field), with the row, the turn's position in the row, its flat index, and
    whether the last user turn asked for role-play (exempt_all), or the user asked for writing,
    or the system prompt for role-play or a persona (exempt_human)."""
    flat = msgs.flatten()
    parent = pc.list_parent_indices(msgs).to_numpy()
    starts = msgs.offsets.to_numpy()[:-1] - msgs.offsets[0].as_py()
    frame = pl.DataFrame(
        {
            "row": parent,
            "pos": np.arange(len(flat)) - starts[parent],
            "role": flat.field("role"),
            "content": flat.field("content"),
            "reasoning": flat.field("reasoning"),
        }
    ).with_row_index("i")
    role, row = pl.col("role"), pl.col("row")
    hits = {
        f"{kind}_{field}": pl.col(field).str.contains(pattern).fill_null(False)
        for kind, pattern in (("human", P.HUMAN_KEYWORDS), ("model", P.MODEL_KEYWORDS))
        for field in ("content", "reasoning")
    }

    def latest(of: str) -> pl.Expr:
        # The last `of` turn at or before this one, within the same row (rows are contiguous,
        # so a global forward fill plus a same-row check replaces a slower window).
        ff_row = pl.when(role == of).then(row).forward_fill()
        return pl.when(ff_row == row).then(pl.when(role == of).then(pl.col("content")).forward_fill())

    def asks(col: str, pattern: str) -> pl.Expr:
        return pl.col(col).str.contains(pattern).fill_null(False)

    return (
        frame.lazy()
        .with_columns(last_user=latest("user"), system=latest("system"))
        .filter((role == "assistant") & pl.any_horizontal(list(hits.values())))
        .with_columns(**hits)
        .with_columns(exempt_all=asks("last_user", P.ROLEPLAY))
        .with_columns(
            exempt_human=pl.col("exempt_all")
            | asks("last_user", P.WRITING)
            | asks("system", P.ROLEPLAY)
            | asks("system", P.PERSONA)
        )
        .select("i", "row", "pos", "content", "reasoning", "exempt_all", "exempt_human", *hits)
        .collect()
    )


def _rewrite(text: str, claims: list[tuple[int, int]], name: str, maker: str):
    """(new text, [(before, after)]) or None when no clean rewrite exists: an entity outside
    every claim span (quoted or not) means the turn discusses other models too."""
    for e in P.ENTITY_RE.finditer(text):
        if not any(s <= e.start() and e.end() <= t for s, t in claims):
            return None
    out, spans, last = [], [], 0
    for s, t in claims:
        span = text[s:t]
        new = _swap(span, name, maker)
        out.append(text[last:s] + new)
        spans.append((span, new))
        last = t
    out.append(text[last:])
    return "".join(out), spans


def _swap(span: str, name: str, maker: str) -> str:
    """Replace each name/maker inside one claim span, fixing a/an before the replacement."""
    parts, last = [], 0
    for e in P.ENTITY_RE.finditer(span):
        token = e.group()
        before = span[last : e.start()]
        is_maker = P.MAKER_RE.fullmatch(token) is not None
        is_name = P.NAME_RE.fullmatch(token) is not None
        if is_maker and is_name:  # DeepSeek, Mistral: the maker after "by", before "'s"
            is_name = not (_MAKER_CONTEXT.search(span[: e.start()]) or span[e.end() : e.end() + 1] in ("'", "’"))
        new = name if is_name else maker
        art = _ARTICLE.search(before)
        if art:
            want = "an" if new[:1].lower() in "aeiou" else "a"
            want = want.capitalize() if art.group(1)[0].isupper() else want
            before = before[: art.start(1)] + want + art.group(2)
        parts.append(before + new)
        last = e.end()
    parts.append(span[last:])
    return "".join(parts)


def _apply_edits(table: pa.Table, msgs: pa.ListArray, edits: dict[int, dict]) -> tuple[pa.Table, pa.Array]:
    """Replace content/reasoning at the given flat message indices ({"row": r, field: text});
    rebuild the list column."""
    flat = msgs.flatten()
    columns = []
    for k, f in enumerate(flat.type):
        child = flat.field(k)
        idx = sorted(i for i, e in edits.items() if f.name in e)
        if idx:
            mask = np.zeros(len(flat), dtype=bool)
            mask[idx] = True
            child = pc.replace_with_mask(child, pa.array(mask), pa.array([edits[i][f.name] for i in idx], pa.string()))
        columns.append(child)
    values = pa.StructArray.from_arrays(columns, fields=list(flat.type))
    lengths = pc.fill_null(pc.list_value_length(msgs), 0).to_numpy()
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    new_list = pa.ListArray.from_arrays(offsets, values, type=msgs.type, mask=msgs.is_null())
    position = table.schema.get_field_index("messages")
    new_table = table.set_column(position, table.schema.field(position), new_list)
    rows = sorted({e["row"] for e in edits.values()})
    rewritten = np.zeros(table.num_rows, dtype=bool)
    rewritten[rows] = True
    return new_table, pa.array(rewritten)


def _rewrite_notes(n: int, ids: pa.ChunkedArray, report: list[dict]) -> tuple[pa.Array, pa.Array]:
    """Per row: REWRITTEN and 'assistant turn K: "before" -> "after"; ...' for the rewritten rows."""
    notes: dict[str, list[str]] = {}
    for r in report:
        where = f"assistant turn {r['turn']}" + (" reasoning" if r["field"] == "reasoning" else "")
        notes.setdefault(r["id"], []).append(f'{where}: "{_clip(r["before"])}" -> "{_clip(r["after"])}"')
    row_ids = ids.to_pylist()
    detail = ["; ".join(notes[i]) if i in notes else None for i in row_ids]
    reason = [REWRITTEN if i in notes else None for i in row_ids]
    return pa.array(reason, pa.string()), pa.array(detail, pa.string())


def _clip(span: str) -> str:
    span = " ".join(span.split())
    return span if len(span) <= _SPAN_CHARS else span[: _SPAN_CHARS - 1] + "…"
