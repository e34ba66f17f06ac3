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

Cost: two polars ``str.contains`` over the assistant turns (contents and reasonings), one per
family's keywords (~5% of chat turns hit either); the context (last user turn, system prompt)
is computed for those turns only. Each precise ``regex`` pattern then runs in Python only on the
turns its family's keywords flag, only where its relaxed twin (no lookarounds,
identity_prefilter.py), run by polars over all those turns at once, matches, and only when the
words it cannot match without are in the turn (identity_patterns.HUMAN_NEEDLES /
MODEL_NEEDLES). In long chat turns the keywords hit ~75% of the turns and the patterns almost
none: the relaxed twins leave ~5% to Python, and only those become Python strings. Quotes and
code are masked (a Python ``regex`` pass) only in the flagged turns holding a quote or code mark
(identity_patterns.QUOTE_START, ~60%) that a pattern may match once masked, as judged on the
unmasked text (identity_prefilter.may_match_masked, ~20% of them). Verdicts are those of the plain
version (tests/data/identity_pii_verdicts.json).
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
from curation.filters.identity_prefilter import human_candidates, may_match_masked, model_candidates
from curation.filters.regex_lanes import on_lane

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
        # ~50 patterns: more than a thread's cache of compiled ones holds, with the other filters'
        # on the caller's thread; so on threads of their own (regex_lanes)
        return on_lane("identity", self._scan, table)

    def _scan(self, table: pa.Table) -> tuple[Verdicts, pa.Table]:
        n = table.num_rows
        msgs = table.column("messages").combine_chunks()
        turns = _assistant_candidates(msgs)
        reason: list[str | None] = [None] * n
        detail: list[str | None] = [None] * n
        edits: dict[int, dict] = {}  # flat message index -> {"row": row, field: new text}
        report: list[dict] = []
        ids = table.column("id")
        # Turns in order, content before reasoning; once a row is dropped its later turns are not read.
        for row, pos, flat_index, field, text, masked, human_ok, model_ok in _judgements(turns):
            if reason[row] is not None:
                continue
            outcome = self._judge(text, masked, human_ok, model_ok)
            if outcome is None:
                continue
            where = f"assistant turn {pos}" + (" reasoning" if field == "reasoning" else "")
            code, span, rewritten, spans = outcome
            if code is not None:
                reason[row] = code
                detail[row] = f'{where}: "{_clip(span)}"'
                continue
            edits.setdefault(flat_index, {"row": row})[field] = rewritten
            rid = ids[row].as_py()
            report.extend({"id": rid, "turn": pos, "field": field, "before": b, "after": a} for b, a in spans)
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

    def _judge(self, text: str, masked: str, human_ok: np.ndarray | None, model_ok: np.ndarray | None):
        """None (no claim) or (reason code | None, first span, rewritten text, [(before, after)]).

        masked: the text with quotes and code blanked (QUOTED_RE). human_ok / model_ok: per
        pattern of HUMAN_RES / MODEL_REWRITABLE_RES + MODEL_ARCH_RE, whether it may match
        (identity_prefilter); None where the family does not run on this turn."""
        human_any = human_ok is not None and human_ok.any()
        model_any = model_ok is not None and model_ok.any()
        if not human_any and not model_any:
            return None
        folded = masked.casefold()
        if human_any:
            m = _first_human(masked, folded, human_ok)
            if m:
                return HUMAN, text[m.start() : m.end()], None, []
        if not model_any:
            return None
        # Every model pattern holds a NAME or MAKER: with neither in the unquoted text, none can
        # match (the keyword scan also fires on "metadata", "palm", "Google Docs"...). Only worth
        # a search (~4 MB/s) where the prefilter did not run (every flag set): elsewhere
        # ENTITY_GATE already hit, and ENTITY_RE misses in only ~15% of those turns.
        if model_ok.all() and not P.ENTITY_RE.search(masked):
            return None
        arch = P.MODEL_ARCH_RE.search(masked) if model_ok[-1] else None
        claims = _merge(
            [
                m.span()
                for r, groups, ok in zip(P.MODEL_REWRITABLE_RES, P.MODEL_NEEDLES, model_ok[:-1], strict=True)
                if ok and (groups is None or _has_all(folded, groups))
                for m in r.finditer(masked)
            ]
        )
        if arch is None and not claims:
            return None
        first = min([*claims, *([arch.span()] if arch else [])])
        if self.action == "drop" or arch is not None:
            return OTHER_MODEL, text[first[0] : first[1]], None, []
        rewritten = _rewrite(text, claims, self.name, self.maker)
        if rewritten is None:
            return OTHER_MODEL, text[first[0] : first[1]], None, []
        return None, None, rewritten[0], rewritten[1]


def _first_human(masked: str, folded: str, ok: np.ndarray):
    """The first HUMAN_RES pattern's match (patterns in order), each tried only where the
    prefilter says it may match (ok) and its HUMAN_NEEDLES are all in the turn (folded:
    masked.casefold())."""
    for pattern, groups, may in zip(P.HUMAN_RES, P.HUMAN_NEEDLES, ok, strict=True):
        if not may or (groups is not None and not _has_all(folded, groups)):
            continue
        if m := pattern.search(masked):
            return m
    return None


def _judgements(turns: pl.DataFrame):
    """(row, turn position, flat index, field, text, masked text, human_ok, model_ok) per
    non-empty content/reasoning of the candidate turns that a pattern may match, in order
    (turns in order, content before reasoning), for IdentityFilter._judge. A pattern family
    runs only where its keywords hit and no exemption applies (else its *_ok is None); the
    prefilter flags of all texts come from a few polars passes at once, and a text no pattern
    of either family may match is not yielded (most flagged turns: a keyword is a common word)."""
    fields = ("content", "reasoning")
    turn, which, run_human, run_model, quoted, texts = [], [], [], [], [], []
    for f, field in enumerate(fields):
        nonempty = (turns[field].fill_null("").str.len_bytes() > 0).to_numpy()
        human = nonempty & ~turns["exempt_human"].to_numpy() & turns[f"human_{field}"].to_numpy()
        model = nonempty & ~turns["exempt_all"].to_numpy() & turns[f"model_{field}"].to_numpy()
        at = np.flatnonzero(human | model)
        turn.append(at)
        which.append(np.full(len(at), f, dtype=np.int8))
        run_human.append(human[at])
        run_model.append(model[at])
        quoted.append(turns[f"quoted_{field}"].to_numpy()[at])
        texts.append(turns[field].gather(at))
    turn, which = np.concatenate(turn), np.concatenate(which)
    order = np.lexsort((which, turn))  # turn order, content first
    turn, which = turn[order], which[order]
    run_human, run_model = np.concatenate(run_human)[order], np.concatenate(run_model)[order]
    text = pl.concat(texts).gather(order)
    quoted = np.flatnonzero(np.concatenate(quoted)[order])
    live = may_match_masked(text.gather(quoted), run_human[quoted], run_model[quoted])
    # No pattern can match these once masked (~80%): their flags would all be False, so they
    # are neither masked nor prefiltered.
    run_human[quoted[~live]] = run_model[quoted[~live]] = False
    masked = _mask(text, quoted[live])
    human_ok = np.zeros((len(text), len(P.HUMAN_RES)), dtype=bool)
    model_ok = np.zeros((len(text), len(P.MODEL_REWRITABLE_RES) + 1), dtype=bool)
    human_at, model_at = np.flatnonzero(run_human), np.flatnonzero(run_model)
    # the human patterns on a lane of their own: with the model ones, more than one thread's
    # cache of compiled patterns holds
    human_ok[human_at] = on_lane("identity:human", human_candidates, masked.gather(human_at))
    model_ok[model_at] = model_candidates(masked.gather(model_at))
    rows, positions, flat = (turns[c].to_numpy() for c in ("row", "pos", "i"))
    judged = np.flatnonzero(human_ok.any(axis=1) | model_ok.any(axis=1))
    # Python strings only for the few texts judged (~5%): to_list costs as much as a regex pass.
    judged_text, judged_masked = text.gather(judged).to_list(), masked.gather(judged).to_list()
    for k, t_text, m_text in zip(judged.tolist(), judged_text, judged_masked, strict=True):
        t = int(turn[k])
        yield (
            int(rows[t]),
            int(positions[t]),
            int(flat[t]),
            fields[which[k]],
            t_text,
            m_text,
            human_ok[k] if run_human[k] else None,
            model_ok[k] if run_model[k] else None,
        )


def _mask(text: pl.Series, quoted: np.ndarray) -> pl.Series:
    """text with quotes and code blanked (QUOTED_RE) in the texts at `quoted`, those holding a
    quote or code mark that a pattern may match once masked: any other text is left as it is
    (no mark: ~40% of flagged turns) or not judged at all."""
    masked = text.clone()
    if len(quoted):
        masked.scatter(quoted, [P.QUOTED_RE.sub(_blank, t) for t in text.gather(quoted).to_list()])
    return masked


def _blank(m: regex.Match) -> str:
    return " " * len(m.group())


def _has_all(folded: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    # plain loops: this runs ~20 times per flagged turn, generators cost more than the tests
    for group in groups:
        for needle in group:
            if needle in folded:
                break
        else:
            return False
    return True


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
    or the system prompt for role-play or a persona (exempt_human).

    One keyword scan per family over the assistant turns only (their flags are the turns'
    flags: cheaper than one scan for both families, then each family's on the turns it hit);
    the context patterns then run on the few turns they flag (~5% in chat data)."""
    flat = msgs.flatten()
    parent = pc.list_parent_indices(msgs).to_numpy()
    starts = msgs.offsets.to_numpy()[:-1] - msgs.offsets[0].as_py()
    is_assistant = _is(flat.field("role"), "assistant")
    # polars string views: filtering and gathering copy 16-byte views, not the text.
    content, reasoning = pl.Series(flat.field("content")), pl.Series(flat.field("reasoning"))
    keep = pl.Series(is_assistant)
    # Contents and reasonings as one column: one regex call (its lazy DFA warms up once per batch).
    both = pl.concat([content.filter(keep), reasoning.filter(keep)])
    human, model = (both.str.contains(k).fill_null(False).to_numpy() for k in (P.HUMAN_KEYWORDS, P.MODEL_KEYWORDS))
    assistant = np.flatnonzero(is_assistant)
    na = len(assistant)
    flagged = human[:na] | human[na:] | model[:na] | model[na:]
    i = assistant[flagged]
    content, reasoning = content.gather(i), reasoning.gather(i)
    last_user = pl.Series(_latest(flat, parent, i, "user"))
    system = pl.Series(_latest(flat, parent, i, "system"))
    n = len(i)

    def contains(values: list[pl.Series], pattern: str) -> list[pl.Series]:
        # one regex call over several columns of the flagged turns
        found = pl.concat(values).str.contains(pattern).fill_null(False)
        return [found.slice(k * n, n) for k in range(len(values))]

    quoted_content, quoted_reasoning = contains([content, reasoning], P.QUOTE_START)
    human_content, human_reasoning = human[:na][flagged], human[na:][flagged]
    model_content, model_reasoning = model[:na][flagged], model[na:][flagged]
    user_roleplay, system_roleplay = contains([last_user, system], P.ROLEPLAY)
    (user_writing,) = contains([last_user], P.WRITING)
    (system_persona,) = contains([system], P.PERSONA)
    return pl.DataFrame(
        {
            "i": pl.Series(i, dtype=pl.UInt32),
            "row": parent[i],
            "pos": np.arange(len(flat))[i] - starts[parent[i]],
            "content": content,
            "reasoning": reasoning,
            "exempt_all": user_roleplay,
            "exempt_human": user_roleplay | user_writing | system_roleplay | system_persona,
            "human_content": human_content,
            "human_reasoning": human_reasoning,
            "model_content": model_content,
            "model_reasoning": model_reasoning,
            "quoted_content": quoted_content,
            "quoted_reasoning": quoted_reasoning,
        }
    )


def _is(values: pa.Array, value: str) -> np.ndarray:
    return pc.fill_null(pc.equal(values, value), False).to_numpy(zero_copy_only=False)


def _latest(flat: pa.StructArray, parent: np.ndarray, at: np.ndarray, of: str) -> pa.Array:
    """Content of the last `of` turn at or before each turn `at` (flat indices), within the same
    row; null where the row has none before it. A running maximum of the `of` positions over
    the flat turns (rows are contiguous) plus a same-row check; a null content is skipped
    back to the previous `of` turn's, as a forward fill does."""
    content = flat.field("content")
    is_of = _is(flat.field("role"), of)
    index = np.arange(len(flat))
    last = np.maximum.accumulate(np.where(is_of, index, -1))[at] if len(flat) else at
    valid = is_of & content.is_valid().to_numpy(zero_copy_only=False)
    last_valid = np.maximum.accumulate(np.where(valid, index, -1))[at] if len(flat) else at
    same_row = (last >= 0) & (last_valid >= 0)
    same_row[same_row] = parent[last[same_row]] == parent[at[same_row]]
    return content.take(pa.array(np.where(same_row, last_valid, 0), pa.int64(), mask=~same_row))


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
            is_name = not (
                _MAKER_CONTEXT.search(span[: e.start()]) or span[e.end() : e.end() + 1] in ("'", "’")
            )
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
            child = _replace_at(child, idx, [edits[i][f.name] for i in idx])
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


def _replace_at(values: pa.Array, at: list[int], new: list[str]) -> pa.Array:
    """values with values[at[k]] = new[k] (at sorted). The untouched runs between the edits are
    concatenated as slices (a buffer copy each): replace_with_mask goes value by value, ~10x slower
    on the whole message column for the few rewritten turns."""
    replacements = pa.array(new, values.type)
    pieces, start = [], 0
    for k, i in enumerate(at):
        pieces += [values.slice(start, i - start), replacements.slice(k, 1)]
        start = i + 1
    pieces.append(values.slice(start))
    return pa.concat_arrays(pieces)


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
