"""pii_prefilter: the candidate patterns hit every string a type acts on, and the ASCII-boundary
twins give exactly the exact patterns' results wherever ascii_safe says so."""

import random

import numpy as np
import polars as pl
import pytest

from curation.filters.pii_patterns import CARD_RE, IP_RE, REGEX_TYPES, ip_candidate, is_card
from curation.filters.pii_prefilter import (
    ASCII_TWINS,
    ASCII_UNSAFE,
    CANDIDATES,
    IP_CANDIDATE,
    ascii_safe,
    candidates,
)

# Real shapes of every type, to be embedded in random neighbourhoods.
SEEDS = [
    "jane.doe@example.com",
    "a_b@mail.co.uk",
    "(650) 253-0000",
    "+1 650-253-0000",
    "650.253.0000",
    "+44 20 7946 0958",
    "+33 1 23 45 67 89",
    "+8613800138000",
    "١٢٣-٤٥٦-٧٨٩٠",
    "1600 Amphitheatre Parkway, Mountain View, CA 94043",
    "221 Baker St",
    "12 W 5th Ave Apt 3, New York, NY 10011-1234",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "378282246310005",
    "93.184.216.34",
    "10.0.0.1",
    "2001:db8::1",
    "2606:2800:220:1:248:1893:25c8:1946",
    "1:2:3:4:5:6:1.2.3.4",
    "fe80::1:2:3",
    "a:b:c::",
    "::a:b:c",
    "12:30:45",
    "std::vector",
    "version 1.2.3.4",
]
# Neighbours chosen to sit on every boundary the patterns test: ASCII and non-ASCII word
# characters, non-ASCII digits, separators, the placeholders' characters.
NEIGHBOURS = list("aZ_09 .-+()@:,#/\n") + ["é", "ß", "º", "µ", "٣", "５", "—", "’", "\u00a0", "<", ">", "Ω"]


def _corpus(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 3)):
            parts.append("".join(rng.choice(NEIGHBOURS) for _ in range(rng.randint(0, 3))))
            parts.append(rng.choice(SEEDS))
        parts.append("".join(rng.choice(NEIGHBOURS) for _ in range(rng.randint(0, 3))))
        out.append("".join(parts))
    return out


CORPUS = _corpus(4000)


def test_regex_candidates_hit_every_string_with_a_match() -> None:
    column = pl.Series(CORPUS, dtype=pl.String)
    for pii_type, (pattern, _, _) in REGEX_TYPES.items():
        has_match = column.str.count_matches(pattern).to_numpy() > 0
        assert has_match.sum() > 100, pii_type
        flagged = np.zeros(len(column), dtype=bool)
        flagged[candidates(column, pii_type)] = True
        assert not (has_match & ~flagged).any(), pii_type


def test_validated_candidates_hit_every_string_with_an_accepted_match() -> None:
    column = pl.Series(CORPUS, dtype=pl.String)
    flagged = {t: set(candidates(column, t).tolist()) for t in ("credit_card", "ip_address")}
    seen = {"credit_card": 0, "ip_address": 0}
    for i, text in enumerate(CORPUS):
        for keep_private in (True, False):
            if any(ip_candidate(m, text, keep_private) for m in IP_RE.finditer(text)):
                seen["ip_address"] += 1
                assert i in flagged["ip_address"], text
        if any(is_card(m.group(0)) for m in CARD_RE.finditer(text)):
            seen["credit_card"] += 1
            assert i in flagged["credit_card"], text
    assert min(seen.values()) > 100


def test_ip_candidate_on_random_colon_runs() -> None:
    """Random runs of hex groups, colons and dots: every accepted IPv6 (or IPv4) holds IP_CANDIDATE."""
    rng = random.Random(1)
    texts = []
    for _ in range(20000):
        groups = [
            rng.choice(["", "0", "1", "db8", "ffff", "2001", "a", "1.2.3.4", "93.184.216.34"])
            for _ in range(9)
        ]
        texts.append(" " + ":".join(groups[: rng.randint(2, 9)]) + " ")
    hit = pl.Series(texts).str.contains(IP_CANDIDATE).to_numpy()
    accepted = 0
    for text, h in zip(texts, hit, strict=True):
        if any(ip_candidate(m, text, False) for m in IP_RE.finditer(text)):
            accepted += 1
            assert h, text
    assert accepted > 500
    assert not pl.Series(["12:30:45", "std::vector", "a::b", "1.2.3"]).str.contains(IP_CANDIDATE).any()


def test_ascii_twins_equal_exact_patterns_where_safe() -> None:
    column = pl.Series(CORPUS + ["650-253-0000é", "221 Baker Stå", "Main St 94043º", "650-253-000٣"])
    for pii_type in ASCII_TWINS:
        pattern, group, replacement = REGEX_TYPES[pii_type]
        twin = ASCII_TWINS[pii_type]
        safe = pl.Series(ascii_safe(column, pii_type))
        assert 100 < safe.sum() < len(column), pii_type
        got = column.filter(safe)
        assert got.str.count_matches(twin).equals(got.str.count_matches(pattern)), pii_type
        assert got.str.extract(twin, group).equals(got.str.extract(pattern, group)), pii_type
        assert got.str.replace_all(twin, replacement).equals(got.str.replace_all(pattern, replacement)), (
            pii_type
        )
        # the guard matters: some unsafe strings do come out differently under the twin
        bad = column.filter(~safe)
        assert not bad.str.replace_all(twin, replacement).equals(bad.str.replace_all(pattern, replacement)), (
            pii_type
        )


def test_twin_guard_names_the_boundary_cases() -> None:
    unsafe = pl.Series(["650-253-0000é", "650-253-000٣", "x 650-253-0000 y"])
    assert ascii_safe(unsafe, "phone").tolist() == [False, False, True]
    assert ascii_safe(pl.Series(["221 Baker Stå", "CA 94043º", "221 Baker St é"]), "address").tolist() == [
        False,
        False,
        True,
    ]
    assert not ascii_safe(pl.Series(["a@b.co"]), "email").any()  # no twin: always the exact pattern
    assert set(ASCII_UNSAFE) == set(ASCII_TWINS)


def test_null_strings_are_never_candidates() -> None:
    column = pl.Series([None, "jane@example.com", None], dtype=pl.String)
    assert candidates(column, "email").tolist() == [1]
    assert set(CANDIDATES) == {"credit_card", "ip_address", "email", "phone", "address"}


def test_unknown_type_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown PII type 'ssn'"):
        candidates(pl.Series(["x"]), "ssn")
