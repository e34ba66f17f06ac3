"""Gopher, C4 and FineWeb document quality rules: each rule drops its case and keeps a near miss."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from curation.filters.base import rewrite_rows
from curation.filters.c4 import C4QualityFilter
from curation.filters.fineweb import FineWebQualityFilter
from curation.filters.gopher import GopherQualityFilter, GopherRepetitionFilter
from curation.filters.text_stats import TOKEN_RE, ngram_stats
from curation.record import CANONICAL_SCHEMA

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
# A varied, clean prose base: 60+ distinct words, stop words, sentences on separate lines.
ANIMALS = ["otter", "badger", "heron", "falcon", "beaver", "marten", "plover", "salmon", "lizard", "walrus"]
COLOURS = ["amber", "violet", "russet", "silver", "golden", "scarlet", "olive", "cobalt", "ivory", "maroon"]


SYLLABLES = ["ka", "lo", "mi", "ren", "tu", "sa", "vor", "pel", "din", "qua", "bre", "sto"]
VOCAB = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in ("", "n", "s")]


def words(k: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCAB) for _ in range(k)]


def prose(n_sentences: int = 12, seed: int = 0) -> str:
    """Distinct sentences of random made-up words with stop words, one per line."""
    lines = []
    for i in range(n_sentences):
        w = words(9, seed * 1000 + i)
        lines.append(
            f"The {w[0]} {w[1]} went to {w[2]} and {w[3]} with {w[4]} {w[5]} of {w[6]} {w[7]} {w[8]}."
        )
    return "\n".join(lines)


def batch(*texts: str, chat: bool = False) -> pa.Table:
    rows = [
        {"id": str(i), "source": "t", "kind": "text", "messages": None, "text": t, "meta": {}}
        for i, t in enumerate(texts)
    ]
    if chat:
        msg = [{"role": "user", "content": "lorem ipsum {", "reasoning": None, "tool_calls": None}]
        rows.append({"id": "c", "source": "t", "kind": "chat", "messages": msg, "text": None, "meta": {}})
    return pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)


def reasons(filt, *texts: str) -> list[str | None]:
    return filt(batch(*texts)).reason.to_pylist()


def test_clean_prose_passes_every_filter() -> None:
    for filt in (GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter(), FineWebQualityFilter()):
        assert reasons(filt, prose()) == [None], type(filt).__name__


@pytest.mark.parametrize(
    ("bad", "near", "code"),
    [
        ("the and " + "word " * 40, "the and " + "word " * 48, "min_words"),
        (prose() + "\n" + "a " * 300, prose() + "\n" + "a " * 100, "min_mean_word_length"),
        (prose() + "\n" + "#x " * 30, prose() + "\n" + "#x " * 20, "hash_ratio"),
        (prose() + "\n" + "so... " * 30, prose() + "\n" + "so... " * 20, "ellipsis_ratio"),
        (
            "\n".join("• " + ln for ln in prose(20).split("\n")),
            "\n".join("• " + ln for ln in prose(20).split("\n")[:-3])
            + "\n"
            + "\n".join(prose(20).split("\n")[-3:]),
            "bullet_lines",
        ),
        (
            prose(7) + "\n" + "\n".join(["and then..."] * 4),
            prose(7) + "\n" + "\n".join(["and then..."] * 3),
            "ellipsis_lines",
        ),
        (
            prose(6) + "\n" + " ".join(str(i) for i in range(60)),
            prose(6) + "\n" + " ".join(str(i) for i in range(15)),
            "alpha_words",
        ),
        (
            prose()
            .replace("The ", "A ")
            .replace(" the ", " a ")
            .replace(" to ", " at ")
            .replace(" and ", " or ")
            .replace(" of ", " from ")
            .replace(" with ", " near "),
            prose()
            .replace("The ", "A ")
            .replace(" the ", " a ")
            .replace(" to ", " at ")
            .replace(" and ", " or ")
            .replace(" of ", " from ")
            .replace(" with ", " near ", 10),
            "stop_words",
        ),
    ],
)
def test_gopher_quality_rules(bad: str, near: str, code: str) -> None:
    got = GopherQualityFilter()(batch(bad, near))
    assert got.reason.to_pylist() == [f"gopher:{code}", None]
    assert got.detail.to_pylist()[1] is None and got.detail.to_pylist()[0]


def test_gopher_max_words_and_long_words() -> None:
    filt = GopherQualityFilter(max_words=100)
    assert reasons(filt, prose(12), prose(4)) == ["gopher:max_words", None]
    long_words = prose() + "\n" + " ".join(["incomprehensibilities"] * 200)
    assert reasons(GopherQualityFilter(), long_words) == ["gopher:max_mean_word_length"]
    assert reasons(GopherQualityFilter(), prose() + "\n" + " ".join(["incomprehensibilities"] * 20)) == [None]


def test_gopher_detail_names_value_and_threshold() -> None:
    got = GopherQualityFilter()(batch("the and " + "word " * 10))
    assert got.detail.to_pylist() == ["n_words 12 < 50"]


def test_chat_rows_untouched() -> None:
    for filt in (GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter(), FineWebQualityFilter()):
        got = filt(batch("x", chat=True))
        assert got.reason.to_pylist()[1] is None  # the chat row, whatever the document's fate
        if got.table is not None:
            assert got.table.column("messages").to_pylist()[1][0]["content"] == "lorem ipsum {"
            assert got.rewritten.to_pylist()[1] is False


# ------------------------------------------------------------------------------ repetition


def varied(n: int, salt: str) -> list[str]:
    return [" ".join(words(8, sum(map(ord, salt)) * 100 + i)).capitalize() + "." for i in range(n)]


@pytest.mark.parametrize(
    ("bad", "near", "code"),
    [
        (
            "\n\n".join(varied(6, "p") + ["Same paragraph repeated here once more again."] * 5),
            "\n\n".join(varied(8, "p") + ["Same paragraph repeated here once more again."] * 2),
            "dup_para_frac",
        ),
        (
            "\n".join(varied(10, "l") + ["Repeated line that shows up here."] * 6),
            "\n".join(varied(14, "l") + ["Repeated line that shows up here."] * 3),
            "dup_line_frac",
        ),
        (
            "\n".join(varied(10, "l") + ["A much longer repeated line " * 6] * 3),
            "\n".join(varied(10, "l") + ["A much longer repeated line " * 3] * 2),
            "dup_line_char_frac",
        ),
    ],
)
def test_gopher_repetition_line_rules(bad: str, near: str, code: str) -> None:
    # Only the rule under test is on: the others would also (rightly) fire on such texts.
    line_rules = ("dup_para_frac", "dup_para_char_frac", "dup_line_frac", "dup_line_char_frac")
    only = GopherRepetitionFilter(**{r: None for r in line_rules if r != code}, top_ngrams=(), dup_ngrams=())
    assert reasons(only, bad, near) == [f"gopher_rep:{code}", None]
    assert reasons(GopherRepetitionFilter(), bad)[0].startswith("gopher_rep:")


def test_gopher_repetition_blank_lines_are_not_duplicates() -> None:
    # datatrove splits lines on "\n+": paragraph spacing must not count as repeated lines
    assert reasons(GopherRepetitionFilter(), "\n\n".join(varied(12, "b"))) == [None]


def test_gopher_repetition_ngrams() -> None:
    filt = GopherRepetitionFilter(
        dup_para_frac=None, dup_para_char_frac=None, dup_line_frac=None, dup_line_char_frac=None
    )
    top2 = " ".join(varied(6, "t")) + " " + "red fox " * 40
    assert reasons(filt, top2) == ["gopher_rep:top_2gram_char_frac"]
    dup5 = " ".join(varied(30, "d")) + " " + " ".join(varied(30, "d")[:6])
    no_dup = " ".join(varied(36, "d"))
    assert reasons(filt, dup5, no_dup) == ["gopher_rep:dup_5gram_char_frac", None]


def reference_ngrams(text: str, top_ns, dup_ns):
    """datatrove's find_top_duplicate / find_all_duplicate, in plain Python, on our tokens."""
    words = re.findall(TOKEN_RE, text)
    tops, dups = [], []
    for n in top_ns:
        grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        if not grams:
            tops.append(0)
            continue
        counts = Counter(grams)
        best = max(counts.values())
        tops.append(best * max(len(g) for g, c in counts.items() if c == best))
    for n in dup_ns:
        grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        seen, total, i = set(), 0, 0
        while i < len(grams):
            if grams[i] in seen:
                total += len(grams[i])
                i += n
            else:
                seen.add(grams[i])
                i += 1
        dups.append(total)
    return tops, dups


def test_ngram_kernel_matches_python_reference() -> None:
    import polars as pl

    texts = [
        prose(),
        "a b a b a b c a b",
        "",
        "x",
        " ".join(varied(20, "k")) + " " + " ".join(varied(20, "k")[:5]),
    ]
    web = FIXTURES / "web" / "dolma" / "cc_en_head-0091.jsonl"
    if web.exists():
        texts += [json.loads(line)["text"] for line in web.open()][:8]
    top, dup = ngram_stats(pl.Series(texts), [2, 3, 4], [5, 6, 7, 8, 9, 10])
    for i, text in enumerate(texts):
        ref_top, ref_dup = reference_ngrams(text, [2, 3, 4], [5, 6, 7, 8, 9, 10])
        assert list(top[i]) == ref_top and list(dup[i]) == ref_dup, i


# ------------------------------------------------------------------------------ C4


def test_c4_removes_offending_lines_and_rewrites() -> None:
    body = prose(6)
    text = "\n".join(
        [
            "Menu",
            body,
            "Enable Javascript to see this page properly today.",
            "Read our privacy policy before you go.",
            "Cited claim here is true.[1]",
            "And a trailing ellipsis here...",
        ]
    )
    got = C4QualityFilter()(batch(text, body))
    assert got.reason.to_pylist() == [None, None]
    assert got.table.column("text").to_pylist()[0] == body + "\nCited claim here is true."
    assert got.rewritten.to_pylist() == [True, False]
    # the report names the rewrite: which rule removed how many lines, and deleted citations
    assert got.rewrite_reason.to_pylist() == ["c4:lines_removed", None]
    assert got.rewrite_detail.to_pylist()[0] == (
        "removed 4 of 11 lines (2 without terminal punctuation, 1 javascript, 1 policy); "
        "citations deleted from 1 kept line"
    )


def test_c4_rewrite_codes() -> None:
    body = prose(6)
    long_word = "x" * 1001 + " is a very long word."
    got = C4QualityFilter()(
        batch(
            body + "\n\n" + long_word,
            body + "\nA true claim[2] here.\nMore[3] of them.",
            "  " + body.replace("\n", "\r\n"),
        )
    )
    assert got.rewritten.to_pylist() == [True, True, True]
    assert got.rewrite_reason.to_pylist() == [
        "c4:lines_removed",
        "c4:citations_removed",
        "c4:whitespace_stripped",
    ]
    assert got.rewrite_detail.to_pylist()[:2] == [
        "removed 2 of 8 lines (1 blank, 1 with a word over 1000 chars)",
        "citations deleted from 2 kept lines",
    ]
    report = rewrite_rows(
        batch(body + "\n\n" + long_word), C4QualityFilter()(batch(body + "\n\n" + long_word)), "c4"
    )
    assert report["reason"].to_pylist() == ["c4:lines_removed"]


def test_c4_document_rules() -> None:
    filt = C4QualityFilter()
    lorem = prose(6) + "\nLorem ipsum dolor sit amet."
    lorem_near = prose(6) + "\nLorem ipsum"  # line removed first (no punctuation), so never seen
    curly = prose(6) + "\nfunction f() { return 1; }."
    curly_near = prose(6) + "\nvar x = {a: 1}"  # removed for missing terminal punctuation first
    got = filt(batch(lorem, lorem_near, curly, curly_near))
    assert got.reason.to_pylist() == ["c4:lorem_ipsum", None, "c4:curly_bracket", None]
    assert got.detail.to_pylist()[0] == "line 7 contains 'lorem ipsum'"
    few = filt(batch(prose(4), prose(5)))
    assert few.reason.to_pylist() == ["c4:too_few_sentences", None]
    assert few.detail.to_pylist()[0] == "sentences 4 < 5 (kept 4 of 4 lines)"
    # a dropped document's text stays as it was in the rewritten table (the report shows it)
    assert few.table.column("text").to_pylist()[0] == prose(4)


def test_c4_line_rules_can_be_disabled() -> None:
    short = prose(6) + "\nOk then."
    assert C4QualityFilter(min_words_per_line=-1)(batch(short)).rewritten.to_pylist() == [False]
    assert C4QualityFilter()(batch(short)).rewritten.to_pylist() == [True]


# ------------------------------------------------------------------------------ FineWeb


def test_fineweb_rules() -> None:
    filt = FineWebQualityFilter()
    lines = prose(10).split("\n")
    no_punct = "\n".join(ln.rstrip(".") for ln in lines[:9]) + "\n" + lines[9]
    near_punct = "\n".join(ln.rstrip(".") for ln in lines[:8]) + "\n" + "\n".join(lines[8:])
    assert reasons(filt, no_punct, near_punct) == ["fineweb:line_punct_ratio", None]
    short = "\n".join(lines[:3] + [f"Short {i}." for i in range(7)])
    near_short = "\n".join(lines[:4] + [f"Short {i}." for i in range(6)])
    assert reasons(filt, short, near_short) == ["fineweb:short_line_ratio", None]
    dup = "\n".join(lines + [lines[0]])
    assert reasons(filt, dup) == ["fineweb:char_dup_ratio"]
    no_short = FineWebQualityFilter(short_line_thr=None)
    assert reasons(no_short, ("\n" * 7).join(lines), ("\n" * 4).join(lines)) == ["fineweb:list_ratio", None]


# ------------------------------------------------------------------------------ parameters


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: GopherQualityFilter(min_words=-1), "min_words"),
        (lambda: GopherQualityFilter(min_words=10, max_words=5), "exceeds max_words"),
        (lambda: GopherQualityFilter(max_bullet_lines_ratio=1.5), "max_bullet_lines_ratio"),
        (lambda: GopherQualityFilter(stop_words=["the"]), "stop_words"),
        (lambda: GopherQualityFilter(min_mean_word_length=12), "exceeds max_mean_word_length"),
        (lambda: GopherRepetitionFilter(dup_line_frac=2.0), "dup_line_frac"),
        (lambda: GopherRepetitionFilter(top_ngrams=((2, 0.2), (2, 0.3))), "twice"),
        (lambda: GopherRepetitionFilter(dup_ngrams=((0, 0.1),)), "dup_ngrams n"),
        (lambda: C4QualityFilter(min_num_sentences=-3), "min_num_sentences"),
        (lambda: C4QualityFilter(filter_policy="yes"), "filter_policy"),
        (lambda: FineWebQualityFilter(short_line_length=2.5), "short_line_length"),
        (lambda: FineWebQualityFilter(new_line_ratio=0), "new_line_ratio"),
    ],
)
def test_bad_parameters(factory, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        factory()


def test_fixture_documents_run() -> None:
    web = FIXTURES / "web" / "dolma"
    if not web.exists():
        pytest.skip("../shared/fixtures/web/dolma is absent (a fresh clone without the shared fixtures)")
    texts = [json.loads(line)["text"] for f in sorted(web.glob("*.jsonl")) for line in f.open()]
    table = batch(*texts)
    for filt in (GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter(), FineWebQualityFilter()):
        got = filt(table)
        dropped = got.reason.to_pylist()
        assert all((r is None) == (d is None) for r, d in zip(dropped, got.detail.to_pylist(), strict=True))
        assert got.dropped < len(texts)


# ------------------------------------------------------------------------------ frozen verdicts

SNAPSHOT = Path(__file__).resolve().parent / "data" / "doc_chain_verdicts.json"
CHAIN = (
    ("gopher_quality", GopherQualityFilter()),
    ("gopher_repetition", GopherRepetitionFilter()),
    ("c4", C4QualityFilter()),
    ("fineweb", FineWebQualityFilter()),
)


def chain_verdicts(texts: list[str]) -> tuple[dict, list]:
    """Standalone verdicts per filter and the chain's (each filter on the rows the previous
    kept; kept rows carry a SHA-256 prefix of their final text), as the snapshot stores them."""
    import hashlib

    table = batch(*texts)
    standalone = {}
    for name, filt in CHAIN:
        got = filt(table)
        standalone[name] = list(zip(got.reason.to_pylist(), got.detail.to_pylist(), strict=True))
    final: list = [None] * len(texts)
    current = table
    for name, filt in CHAIN:
        got = filt(current)
        reasons = got.reason.to_pylist()
        for i, r, d in zip(current.column("id").to_pylist(), reasons, got.detail.to_pylist(), strict=True):
            if r is not None:
                final[int(i)] = [name, r, d]
        current = (got.table if got.table is not None else current).filter(
            pa.array([r is None for r in reasons])
        )
    for i, t in zip(current.column("id").to_pylist(), current.column("text").to_pylist(), strict=True):
        final[int(i)] = ["kept", None, hashlib.sha256(t.encode()).hexdigest()[:16]]
    return standalone, final


def snapshot_docs() -> list[dict]:
    """The snapshot's documents with their text: synthetic ones carry it, fixture ones are
    read from ../shared/fixtures by key (skipped when the fixtures are absent)."""
    docs = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["documents"]
    out = []
    for doc in docs:
        if doc["text"] is None:
            rel, line = doc["key"].rsplit(":", 1)
            path = FIXTURES / rel
            if not path.exists():
                continue
            raw = path.read_text(encoding="utf-8").splitlines()[int(line)]
            doc = doc | {"text": raw if rel.endswith(".txt") else json.loads(raw)["text"]}
        out.append(doc)
    return out


def test_chain_matches_frozen_verdicts() -> None:
    """Every filter, standalone and chained, gives the verdicts (reason and detail) and the
    rewritten text frozen before the one-pass kernel replaced the polars statistics."""
    docs = snapshot_docs()
    assert sum(d["key"].startswith("synthetic:") for d in docs) >= 40
    standalone, final = chain_verdicts([d["text"] for d in docs])
    for i, doc in enumerate(docs):
        for name, _ in CHAIN:
            expected = doc["standalone"].get(name, [None, None])
            assert list(standalone[name][i]) == expected, (doc["key"], name)
        assert final[i] == doc["chain"], doc["key"]


def test_kernel_matches_regex_statistics() -> None:
    """The numba scan counts what the polars regexes count, on made-up and fixture text."""
    import polars as pl

    from curation.filters.text_stats import (
        K_CHARS,
        K_NEWLINES,
        K_TOKENS,
        K_WORD_CHARS,
        K_WORDS,
        WORD_RE,
        scan,
    )

    texts = [d["text"] for d in snapshot_docs()] + [
        "don't-stop ’quoted’ x_y 42nd ٣ ﬁne …",
        "\u00a0a\u2028b\u3000 c",
    ]
    s = pl.Series(texts)
    got = scan(s)
    words = s.str.extract_all(WORD_RE)
    assert list(got[K_TOKENS]) == s.str.count_matches(TOKEN_RE).to_list()
    assert list(got[K_WORDS]) == words.list.len().to_list()
    assert list(got[K_WORD_CHARS]) == words.list.eval(pl.element().str.len_chars()).list.sum().to_list()
    assert list(got[K_CHARS]) == s.str.len_chars().to_list()
    assert list(got[K_NEWLINES]) == s.str.count_matches("\n", literal=True).to_list()


def test_ngram_pruning_matches_reference_on_repetitive_text() -> None:
    """Repeats of every length, overlapping and nested: the pruned counting (only positions
    whose shorter prefix repeats) still equals the plain-Python reference."""
    import polars as pl

    rng = random.Random(3)
    texts = []
    for _ in range(40):
        pool = words(rng.randint(2, 12), rng.randint(0, 10**6))
        texts.append(" ".join(rng.choice(pool) for _ in range(rng.randint(0, 120))))
    texts += ["a a a a a a a a a a a a", "a b a b a b a b a b a b c", "x . x . x , x . x . x . x . x"]
    ns_top, ns_dup = [1, 2, 3, 4, 7], [2, 5, 6, 7, 8, 9, 10, 13]
    top, dup = ngram_stats(pl.Series(texts), ns_top, ns_dup)
    for i, text in enumerate(texts):
        ref_top, ref_dup = reference_ngrams(text, ns_top, ns_dup)
        assert list(top[i]) == ref_top and list(dup[i]) == ref_dup, i
