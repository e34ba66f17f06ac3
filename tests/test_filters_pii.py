"""PII filter: what it must redact or drop, the hard negatives it must keep, parameters."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from identity_pii_snapshot_support import assert_rows_match, load_snapshot

from curation.filters.base import apply_verdicts
from curation.filters.pii import PiiFilter
from curation.filters.pii_patterns import luhn_valid, mask
from curation.record import CANONICAL_SCHEMA

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
ALL_DROP = {t: "drop" for t in ("email", "phone", "ip_address", "credit_card", "address")}


def doc(i: int, text: str) -> dict:
    return {"id": f"d{i}", "source": "s", "kind": "text", "messages": None, "text": text, "meta": {}}


def docs(texts: list[str]) -> pa.Table:
    return pa.Table.from_pylist([doc(i, t) for i, t in enumerate(texts)], schema=CANONICAL_SCHEMA)


def redacted(texts: list[str], **params) -> list[str]:
    verdicts = PiiFilter(**params)(docs(texts))
    table = verdicts.table if verdicts.table is not None else docs(texts)
    return table.column("text").to_pylist()


MUST_REDACT = [
    ("write to john.doe@gmail.com today", "write to <EMAIL> today"),
    ("placeholder jane@example.com too", "placeholder <EMAIL> too"),
    ("call (650) 253-0000 now", "call <PHONE> now"),
    ("call 650-253-0000.", "call <PHONE>."),
    ("call 1-800-555-1234 or 650.253.0000", "call <PHONE> or <PHONE>"),
    ("London +44 20 7946 0958, Paris +33 1 23 45 67 89", "London <PHONE>, Paris <PHONE>"),
    ("Berlin +49 30 1234567 and +8613800138000", "Berlin <PHONE> and <PHONE>"),
    ("a,555-123-4567,555-123-4568", "a,<PHONE>,<PHONE>"),
    ("server at 93.184.216.34.", "server at <IP_ADDRESS>."),
    ("v6 2a00:1450:4001:830::200e here", "v6 <IP_ADDRESS> here"),
    ("card 4111 1111 1111 1111 exp", "card <CREDIT_CARD> exp"),
    ("card 4111-1111-1111-1111", "card <CREDIT_CARD>"),
    ("amex 3782 822463 10005 and 5555555555554444", "amex <CREDIT_CARD> and <CREDIT_CARD>"),
    ("HQ: 1600 Amphitheatre Parkway, Mountain View, CA 94043.", "HQ: <ADDRESS>."),
    ("at 221 N. Baker Street, Apt 2B and 350 5th Ave", "at <ADDRESS> and <ADDRESS>"),
]


@pytest.mark.parametrize(("text", "expected"), MUST_REDACT)
def test_must_redact(text: str, expected: str) -> None:
    assert redacted([text]) == [expected]


MUST_KEEP = [
    "Dates 2023-04-15, 15.04.2023, 04/15/2023 and the year 1999.",
    "It costs $1,299.99 or 1299.99 EUR; 12,345,678 people.",
    "Upgrade to 10.15.7, v1.2.3.4, version 5.6.7.8, build 4.2.1.0, OID 1.3.6.1.4.1.",
    "pi is 3.14159265358979 and e is 2.718281828459045; 1/7 = 0.142857142857142857.",
    "x = 5 +10 20 30; 2 + 3 = 5; 1234567890 and 12345678901234 as bare runs.",
    "ISBN 978-0-306-40615-7 and 9780306406157 and SSN-like 123-45-6789.",
    "Luhn-invalid 4111 1111 1111 1112 and 4111111111111112.",
    "Timestamp 1700000000000 and 1234567812345670.",
    "ssh 127.0.0.1, bind 0.0.0.0, lan 192.168.1.10, 10.0.0.1, 172.16.5.4, doc 203.0.113.5, dns 8.8.8.8, ::1",
    "std::vector<int> v; a[1::2]; x[::3]; at 12:30:45; John 3:16; dead::beef; fe80::1",
    "999.999.999.999 and 256.1.1.1 are not addresses",
    "In 1999 Smith won; chapter 3 Court Cases; see Dr. Smith at 5.",
    "@property\ndef f(self): return a @ b",
]


@pytest.mark.parametrize("text", MUST_KEEP)
def test_must_keep(text: str) -> None:
    scan = PiiFilter(**ALL_DROP).scan(docs([text]))
    assert scan.verdicts.dropped == 0, scan.verdicts.detail.to_pylist()
    assert sum(scan.counts.values()) == 0


def test_private_ips_acted_on_when_not_kept() -> None:
    assert redacted(["lan 192.168.1.10 and 127.0.0.1"], keep_private_ips=False) == [
        "lan <IP_ADDRESS> and <IP_ADDRESS>"
    ]
    # Invalid and version-context quads stay even then.
    assert redacted(["version 5.6.7.8 and 256.1.1.1"], keep_private_ips=False) == [
        "version 5.6.7.8 and 256.1.1.1"
    ]


def test_drop_mode_reason_and_masked_detail() -> None:
    texts = [
        "mail john.doe@gmail.com, cc jane@x.org",
        "card 4111 1111 1111 1111",
        "clean text",
        "ip 93.184.216.34",
    ]
    table = docs(texts)
    verdicts = PiiFilter(**ALL_DROP)(table)
    assert verdicts.reason.to_pylist() == ["pii:email", "pii:credit_card", None, "pii:ip_address"]
    detail = verdicts.detail.to_pylist()
    assert detail[0] == "email j***@gmail.com in text (2 matches in row)"
    assert detail[1] == "credit_card **** **** **** 1111 in text (1 match in row)"
    assert detail[3].startswith("ip_address 93.***.***.** in text")
    assert "john.doe" not in detail[0] and "4111 1111" not in detail[1]
    kept, report = apply_verdicts(table, verdicts, "pii")
    assert kept.column("id").to_pylist() == ["d2"]
    assert report.column("reason").to_pylist() == ["pii:email", "pii:credit_card", "pii:ip_address"]


def test_mixed_actions_drop_wins_and_keep_ignores() -> None:
    texts = ["call 650-253-0000 or mail a@gmail.com", "call 650-253-0000", "mail a@gmail.com"]
    scan = PiiFilter(email="drop", phone="redact")(docs(texts))
    assert scan.reason.to_pylist() == ["pii:email", None, "pii:email"]
    assert scan.rewritten.to_pylist() == [False, True, False]
    assert scan.table.column("text").to_pylist()[1] == "call <PHONE>"
    assert redacted(texts, email="keep", phone="keep") == texts


def test_counts_per_type() -> None:
    scan = PiiFilter().scan(docs(["a@b.com c@d.org 650-253-0000", "4111111111111111", "nothing"]))
    assert scan.counts == {"credit_card": 1, "ip_address": 0, "email": 2, "phone": 1, "address": 0}
    assert scan.verdicts.rewritten.to_pylist() == [True, True, False]
    assert PiiFilter(email="keep").scan(docs(["a@b.com"])).counts.get("email") is None


def test_chat_rows_keep_structure() -> None:
    messages = [
        {"role": "system", "content": "be brief", "reasoning": None, "tool_calls": None},
        {"role": "user", "content": "I am at 650-253-0000", "reasoning": None, "tool_calls": None},
        {
            "role": "assistant",
            "content": "Noted.",
            "reasoning": "their mail is x.y@gmail.com",
            "tool_calls": '[{"name": "save", "arguments": "{\\"email\\": \\"x.y@gmail.com\\"}"}]',
        },
    ]
    rows = [
        {
            "id": "c0",
            "source": "s",
            "kind": "chat",
            "messages": messages,
            "text": None,
            "meta": {"domain": "chat"},
        },
        {"id": "c1", "source": "s", "kind": "chat", "messages": [], "text": None, "meta": {}},
        doc(2, "plain"),
    ]
    table = pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)
    verdicts = PiiFilter()(table)
    assert verdicts.dropped == 0
    assert verdicts.rewritten.to_pylist() == [True, False, False]
    out = verdicts.table
    assert out.schema.equals(CANONICAL_SCHEMA, check_metadata=True)
    got = out.column("messages").to_pylist()[0]
    assert [m["role"] for m in got] == ["system", "user", "assistant"]
    assert got[1]["content"] == "I am at <PHONE>"
    assert got[2]["reasoning"] == "their mail is <EMAIL>"
    assert got[2]["tool_calls"] == messages[2]["tool_calls"]  # tool arguments are never rewritten
    assert got[0] == messages[0] and got[2]["content"] == "Noted."
    assert out.column("messages").to_pylist()[1] == []
    assert out.select(["id", "kind", "text", "meta"]).equals(table.select(["id", "kind", "text", "meta"]))
    drop = PiiFilter(phone="drop")(table)
    assert drop.detail.to_pylist()[0] == "phone ***-***-**00 in messages[1].content (1 match in row)"


def test_sliced_batch() -> None:
    table = docs(["x", "call 650-253-0000", "y"]).slice(1, 2)
    verdicts = PiiFilter()(table)
    assert verdicts.table.column("text").to_pylist() == ["call <PHONE>", "y"]


def test_nothing_found_returns_no_table() -> None:
    verdicts = PiiFilter()(docs(["hello", "world"]))
    assert verdicts.table is None and verdicts.dropped == 0
    assert PiiFilter()(docs([])).dropped == 0


def test_luhn_and_mask() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert mask("email", "jane.doe@example.com") == "j***@example.com"
    assert mask("phone", "+1 650 253 0000") == "+* *** *** **00"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"email": "remove"}, "email must be one of"),
        ({"phone": None}, "phone must be one of"),
        ({"ip_address": "REDACT"}, "ip_address must be one of"),
        ({"credit_card": 1}, "credit_card must be one of"),
        ({"address": ""}, "address must be one of"),
        ({"keep_private_ips": 1}, "keep_private_ips must be a bool"),
    ],
)
def test_bad_params(params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PiiFilter(**params)


def test_benchmarks_hold_no_pii() -> None:
    """GSM8K (prices, dates, arithmetic) and HumanEval (code) are the hard negatives at scale."""
    gsm8k = FIXTURES / "benchmarks" / "gsm8k" / "test.jsonl"
    if not gsm8k.exists():
        pytest.skip(f"shared fixture absent: {gsm8k}")
    texts = [(r["question"] + "\n" + r["answer"]) for r in map(json.loads, gsm8k.read_text().splitlines())]
    scan = PiiFilter(**ALL_DROP, keep_private_ips=False).scan(docs(texts))
    assert scan.verdicts.dropped == 0, [d for d in scan.verdicts.detail.to_pylist() if d][:5]


# --- outputs frozen before PiiFilter was optimised --------------------------------------------

_PII_CONFIGS = ("pii_default", "pii_drop_all", "pii_mixed")


@pytest.fixture(scope="module")
def snap():
    return load_snapshot()


@pytest.mark.parametrize("config", _PII_CONFIGS)
def test_same_outputs_as_snapshot_rows(snap, config: str) -> None:
    """Demo rows and PII-heavy synthetic rows: verdicts, redactions, rewrite notes, the rewritten
    table and the counts exactly as benchmarks/filters/identity_pii_snapshot.py recorded them,
    also with the batch split over several chunks."""
    assert_rows_match(*snap, config)


@pytest.mark.parametrize("config", _PII_CONFIGS)
def test_same_outputs_as_snapshot_fixtures(snap, config: str) -> None:
    """The real fixture rows (instruct chats, GSM8K) and the identity eval set: the same outcomes by row id."""
    module, data = snap
    groups = [(rel, table, data["fixtures"][rel]) for rel, table in module.fixture_tables()]
    groups.append(("eval", module.eval_table(), data["eval"]))
    for rel, table, want_group in groups:
        got, group = module.outcomes(config, table)
        want = {i: o[config] for i, o in want_group["outcomes"].items() if config in o}
        assert table.num_rows == want_group["rows"], rel
        assert module.by_id(table, got) == want, rel
        assert group == want_group["groups"][config], rel


def test_prefilters_hit_every_match(snap) -> None:
    """PREFILTERS may skip a string only where no type can match: every match of every type's
    own pattern, over the snapshot rows and the cases above, holds its type's prefilter."""
    import polars as pl

    from curation.filters.pii_patterns import CARD_RE, IP_RE, REGEX_TYPES, prefilter

    _, data = snap
    texts = [t for r in data["rows"] for m in (r["messages"] or []) for t in m[1:] if t]
    texts += [r["text"] for r in data["rows"] if r["text"]]
    texts += [t for t, _ in MUST_REDACT] + MUST_KEEP + ["+44 20 7946 0958", "١٢٣-٤٥٦-٧٨٩٠"]
    column = pl.Series(texts, dtype=pl.String)
    for pii_type, (pattern, _, _) in REGEX_TYPES.items():
        matches = column.str.extract_all(pattern).explode().drop_nulls()
        assert len(matches) > 5, pii_type
        assert matches.str.contains(prefilter([pii_type])).all(), pii_type
    for pii_type, pattern in (("credit_card", CARD_RE), ("ip_address", IP_RE)):
        matches = pl.Series([m.group() for t in texts for m in pattern.finditer(t)], dtype=pl.String)
        assert len(matches) > 5, pii_type
        assert matches.str.contains(prefilter([pii_type])).all(), pii_type
