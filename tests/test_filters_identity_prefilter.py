"""The identity prefilter (curation/filters/identity_prefilter.py) never hides a match: Rust
matches every piece of every relaxed pattern wherever the `regex` module does, on every
character a turn may hold for the prefilter to apply; relax() only drops assertions."""

import numpy as np
import polars as pl
import regex

from curation.filters import identity_patterns as P
from curation.filters import identity_prefilter as R
from curation.filters.identity import IdentityFilter

PATTERNS = (*R.HUMAN_RELAXED, *R.MODEL_RELAXED, R.ARCH_RELAXED, R.ENTITY_GATE)


def _safe_chars() -> list[str]:
    return [chr(c) for lo, hi in R.SAFE_RANGES for c in range(lo, hi + 1) if not 0xD800 <= c <= 0xDFFF]


def _units() -> set[str]:
    """Every one-character piece of the relaxed patterns: escapes, classes, literals."""
    units = {"."}
    for p in PATTERNS:
        i = 0
        while i < len(p):
            if p[i] == "\\":
                end = p.index("}", i) + 1 if p[i + 1] == "p" else i + 2
                units.add(p[i:end])
                i = end
            elif p[i] == "[":
                end = R._class_end(p, i)
                units.add(p[i:end])
                i = end
            else:
                if p[i] not in "()?:|*+{},-" and not p[i].isdigit():
                    units.add(regex.escape(p[i]))
                i += 1
    return units


def test_rust_matches_wherever_regex_does_on_safe_characters():
    chars = _safe_chars()
    assert all(len(c.casefold()) == 1 for c in chars)
    joined = "".join(chars)
    series = pl.Series(chars)
    for unit in sorted(_units()):
        py = np.zeros(len(chars), dtype=bool)
        for m in regex.finditer(unit, joined, P.F):
            assert m.end() - m.start() == 1, (unit, m)
            py[m.start()] = True
        rust = series.str.contains(f"(?i)^(?:{unit})$").to_numpy()
        missed = [hex(ord(chars[k])) for k in np.flatnonzero(py & ~rust)[:5]]
        assert not missed, (unit, missed)


def test_relax_drops_assertions_only():
    assert R.relax(r"\bI(?<!\bif\s+I)(?:\s+am\b)(?![-\w])x[(?!]$") == r"I(?:\s+am)x[(?!]"
    assert R.relax(r"^(?:a|b(?=c(?:d)))\\b") == r"(?:a|b)\\b"


def test_unsafe_characters_skip_the_prefilter():
    masked = ["I am a human.", "I am a human. ß", "nothing here", "nothing here ß"]
    got = R.human_candidates(masked)
    assert got[0].any() and got[1].all() and not got[2].any() and got[3].all()
    assert R.model_candidates(["hello"]).sum() == 0 and R.model_candidates([]).shape == (
        0,
        len(R.MODEL_RELAXED) + 1,
    )


def test_claims_in_unsafe_texts_still_found():
    import pyarrow as pa

    rows = [
        [{"role": "user", "content": "who?"}, {"role": "assistant", "content": f"Straße. I'm ChatGPT{tail}"}]
        for tail in ("", ", made by OpenAI.")
    ]
    msg = pa.struct([("role", pa.string()), ("content", pa.string()), ("reasoning", pa.string())])
    table = pa.table({"id": ["a", "b"], "messages": pa.array(rows, pa.list_(msg))})
    verdicts = IdentityFilter()(table)
    assert verdicts.reason.to_pylist() == ["identity_claim:other_model"] * 2


def test_a_turn_quote_start_misses_has_nothing_to_mask():
    """identity.py skips masking a turn QUOTE_START (polars) does not hit: that holds only if every
    turn QUOTED_RE masks something in is one it hits. Random texts built from quote marks, word
    characters of several scripts, spaces and newlines, plus hand-made edges."""
    import random

    rng = random.Random(7)
    pieces = ["'", "`", "```", '"', "“", "”", "«", "»", "「", "」", "a", "é", "ß", "中", "1", "_", " ", "\n", "it's", "'s", "x'"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12))) for _ in range(20_000)]
    texts += ["'quoted'", "don't", "rock 'n' roll", "é'x'", "_'a'", "1'a'", "\n'a'", "I said `I am human`"]
    hits = pl.Series(texts, dtype=pl.String).str.contains(P.QUOTE_START).to_list()
    masked_something = [P.QUOTED_RE.search(t) is not None for t in texts]
    missed = [t for t, hit, m in zip(texts, hits, masked_something, strict=True) if m and not hit]
    assert not missed, missed[:5]
    assert sum(masked_something) > 1000 and sum(not h for h in hits) > 1000  # both kinds were tried
    # the gate is a gate: it passes texts with no quote or code mark at all, and apostrophes inside words
    assert not any(pl.Series(["I am a human", "don't", "it's fine"]).str.contains(P.QUOTE_START).to_list())


def test_the_entity_gate_hits_every_text_entity_re_hits():
    """model_candidates skips every model pattern on a text ENTITY_GATE misses: that holds only if
    the gate hits wherever ENTITY_RE does. Random texts of names, makers, suffixes, look-alike
    words, case oddities and boundaries; and the gate is a gate: word-internal look-alikes miss."""
    import random

    rng = random.Random(11)
    pieces = ["Meta", "meta", "data", "GPT", "-4o", "Claude", " 3.5", " Sonnet", "phi", "losophy", "Open", "AI", "openai",
              "Google", " DeepMind", "palm", "top", "xai", "Qwen", "2", "B", "通义千问", "豆包", "K", "ſ", "é", "_", "-",
              " ", "\n", ".", "'s", "Monet", " Shannon", "x", "7", "by "]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 8))) for _ in range(30_000)]
    gate = pl.Series(texts, dtype=pl.String).str.contains(R.ENTITY_GATE).to_list()
    found = [P.ENTITY_RE.search(t) is not None for t in texts]
    missed = [t for t, g, f in zip(texts, gate, found, strict=True) if f and not g]
    assert not missed, missed[:5]
    assert sum(found) > 5000 and sum(not g for g in gate) > 5000  # both kinds were tried
    plain = pl.Series(["metadata", "philosophy", "a palmtop", "I was made by Meta.", "Claude"]).str.contains(R.ENTITY_GATE)
    assert plain.to_list() == [False, False, False, True, True]


def _plain_candidates(texts: list[str], patterns: tuple[str, ...], gate: str) -> np.ndarray:
    """The prefilter's flags computed the plain way: every pattern on every safe text the gate hits."""
    series = pl.Series(texts, dtype=pl.String)
    unsafe = series.str.contains(R.UNSAFE).to_numpy()
    gated = series.str.contains(gate).to_numpy()
    flags = np.stack([series.str.contains(p).to_numpy() for p in patterns], axis=1)
    return np.where(unsafe[:, None], True, flags & gated[:, None])


def test_gated_and_grouped_passes_give_the_plain_flags():
    """_candidates merges UNSAFE into the gate's pass and runs the model twins in MODEL_GROUPS
    (one alternation each, members on its hits only): the flags must be those of running every
    twin on every text. Random texts of claim pieces, names, makers, fillers, unsafe characters."""
    import random

    rng = random.Random(5)
    pieces = ["I'm ", "I am ", "I was ", "my ", "My name is ", "as ", "As ", "this is ", "Hi, ", "here", " a ", "an ",
              "human", "person", "wife", "kids", "ChatGPT", "Claude", "GPT-4", "Qwen", "OpenAI", "Google", "Meta",
              "Anthropic", " model", " assistant", "made ", "trained ", "by ", "based on ", "created me", "了我",
              "我是", "作为", "通义千问", "由", "阿里云", "开发", ", ", ". ", "\n", "not ", "ß", "İ", "é", "x", "7 ",
              "I was trained by ", "made by ", "As an AI language model developed by ", "a creation of "]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 10))) for _ in range(6_000)]
    human = R.human_candidates(texts)
    model = R.model_candidates(pl.Series(texts))
    assert (human == _plain_candidates(texts, R.HUMAN_RELAXED, R._HUMAN_ANY)).all()
    assert (model == _plain_candidates(texts, (*R.MODEL_RELAXED, R.ARCH_RELAXED), R.ENTITY_GATE)).all()
    # every kind of outcome was tried: unsafe (all flags), flags from the groups of several and of one
    assert model.all(axis=1).sum() > 500 and human.all(axis=1).sum() > 500
    for group in R.MODEL_GROUPS:
        assert model[~model.all(axis=1)][:, list(group)].any(), group
    assert human[~human.all(axis=1)].any()


def test_may_match_masked_hits_every_text_a_twin_hits_once_masked():
    """identity.py masks and prefilters a quoted text only where may_match_masked, run on the
    unmasked text, says a family's twin may hit the masked one: it must, wherever one does.
    Random texts of claim pieces with quote and code spans where the spaces go (masking turns
    them into the spaces a claim needs: 'I'm "truly" human'), stray quote marks, unsafe characters."""
    import random

    rng = random.Random(13)
    pieces = ["I'm", "I", "am", "'m", "my", "as", "a", "an", "real", "human", "person", "wife", "when", "was", "kid",
              "have", "two", "kids", "married", "grew", "up", "who", "lived", "soy", "humano", "ChatGPT", "Claude",
              "Google", "DeepMind", "open", "ai", "Meta", "GPT", "4", "made", "by", ",", ".", "我是", "人类", "ß", "é"]
    spans = [" ", "  ", "\n", '"x"', '""', "'q'", "'it's'", "`c`", "``", "```\nprint(1)\n```", "“s”", "«g»", "「j」", "'",
             '"', "`", "—"]
    texts = ["".join(rng.choice(pieces) + rng.choice(spans) for _ in range(rng.randrange(1, 9))) for _ in range(20_000)]
    masked = pl.Series([P.QUOTED_RE.sub(lambda m: " " * len(m.group()), t) for t in texts])
    unmasked = pl.Series(texts)
    everywhere, nowhere = np.ones(len(texts), dtype=bool), np.zeros(len(texts), dtype=bool)
    for gate, human, model in ((R._HUMAN_ANY, everywhere, nowhere), (R.ENTITY_GATE, nowhere, everywhere)):
        hit_masked = masked.str.contains(f"{R.UNSAFE}|(?:{gate})").to_numpy()
        live = R.may_match_masked(unmasked, human, model)
        missed = [texts[k] for k in np.flatnonzero(hit_masked & ~live)]
        assert not missed, (gate[:30], missed[:5])
        assert (~live).sum() > 2000  # the gate is a gate
    # masking made human matches that the plain twins miss on the unmasked text
    made = masked.str.contains(R._HUMAN_ANY).to_numpy() & ~unmasked.str.contains(R._HUMAN_ANY).to_numpy()
    assert made.sum() > 100
