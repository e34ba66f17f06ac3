"""Identity-claims filter: must-drop claims, must-keep hard negatives, rewrites, parameters,
and the evaluation set's precision/recall targets."""

import importlib.util
import json
from pathlib import Path

import pyarrow as pa
import pytest
from identity_pii_snapshot_support import assert_rows_match, load_snapshot

from curation.filters.base import apply_verdicts
from curation.filters.identity import HUMAN, OTHER_MODEL, IdentityFilter
from curation.record import CANONICAL_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
REWRITE = IdentityFilter("rewrite", "Wind-Edge-1.6", "Wind-Edge Labs")


def _turn(role, content, reasoning=None):
    return {"role": role, "content": content, "reasoning": reasoning, "tool_calls": None}


def _chat(assistant, user="Who are you?", system=None, reasoning=None, rid="r"):
    msgs = ([_turn("system", system)] if system else []) + [
        _turn("user", user),
        _turn("assistant", assistant, reasoning),
    ]
    return {"id": rid, "source": "t", "kind": "chat", "messages": msgs, "text": None, "meta": {}}


def _table(rows):
    return pa.Table.from_pylist(
        [dict(r, id=r["id"] if r["id"] != "r" else f"r{i}") for i, r in enumerate(rows)], CANONICAL_SCHEMA
    )


def _reasons(filt, texts, **kw):
    return filt(_table([_chat(t, **kw) for t in texts])).reason.to_pylist()


MUST_DROP_HUMAN = [
    "I am a human.",
    "Honestly, I'm a real person, not a bot.",
    "As a person who has lived in Paris for years, I'd skip the Eiffel Tower.",
    "I have two kids, so I get it.",
    "When I was a kid we had no internet.",
    "My wife and I tried this last week.",
    "I'm not a bot.",
    "Je suis un être humain.",
]
MUST_DROP_MODEL = [
    "I'm Claude, made by Anthropic.",
    "I am ChatGPT, a large language model trained by OpenAI.",
    "As an AI language model developed by OpenAI, I cannot do that.",
    "I'm based on GPT-4.",
    "我是通义千问，由阿里云开发。",
    "My name is Gemini.",
    "i'm grok, built by xai",
]
MUST_KEEP = [
    "Claude Monet painted water lilies.",
    "Claude Shannon founded information theory.",
    "As a human resources manager, you should keep records.",
    "As a human, you might feel overwhelmed.",
    "ChatGPT is a model by OpenAI.",
    "Unlike Claude, some models refuse this.",
    "GPT-4 scored 86% on MMLU.",
    "I am not a human.",
    "I'm not ChatGPT.",
    "You may think I'm human, but I'm an AI.",
    'The android whispers "I am human" in the last scene.',
    "She grew up in Ohio and has two kids.",
    "The child process inherits my parent's environment? No: the parent process's.",
]


@pytest.mark.parametrize("text", MUST_DROP_HUMAN)
def test_drops_human_claims(text):
    assert _reasons(IdentityFilter(), [text]) == [HUMAN]


@pytest.mark.parametrize("text", MUST_DROP_MODEL)
def test_drops_other_model_claims(text):
    assert _reasons(IdentityFilter(), [text]) == [OTHER_MODEL]


@pytest.mark.parametrize("text", MUST_KEEP)
def test_keeps_hard_negatives(text):
    assert _reasons(IdentityFilter(), [text]) == [None]


def test_only_assistant_turns_and_chat_rows_are_read():
    rows = [
        _chat("Sure, I can help.", user="Are you human? Are you ChatGPT? I am a human."),
        _chat("Nice to meet you.", system="I am ChatGPT, made by OpenAI."),
        {
            "id": "doc",
            "source": "t",
            "kind": "text",
            "messages": None,
            "text": "I am a human. I'm ChatGPT.",
            "meta": {},
        },
    ]
    assert IdentityFilter()(_table(rows)).reason.to_pylist() == [None, None, None]


def test_requested_roleplay_and_writing_are_not_claims():
    assert _reasons(
        IdentityFilter(),
        ["I am human, the narrator said to himself."],
        user="Write a story where the narrator is human.",
    ) == [None]
    assert _reasons(
        IdentityFilter(), ["Hi Ms. Park, my son will be absent."], user="Draft an email to my son's teacher."
    ) == [None]
    # Writing requests exempt human claims only: a model claim inside a drafted email still counts.
    assert _reasons(IdentityFilter(), ["I'm ChatGPT. Here is your email: ..."], user="Draft an email.") == [
        OTHER_MODEL
    ]
    # A system prompt naming a model does not exempt the claim it causes.
    assert _reasons(
        IdentityFilter(), ["I'm ChatGPT!"], system="You are ChatGPT. Act as a helpful assistant."
    ) == [OTHER_MODEL]


def test_detail_names_turn_and_span():
    v = IdentityFilter()(_table([_chat("Hello. I'm Claude, an AI assistant made by Anthropic.")]))
    assert v.detail.to_pylist() == ['assistant turn 1: "I\'m Claude, an AI assistant made by Anthropic"']
    v = IdentityFilter()(_table([_chat("Fine.", reasoning="I am ChatGPT so I should be brief.")]))
    assert v.reason.to_pylist() == [OTHER_MODEL]
    assert v.detail[0].as_py().startswith("assistant turn 1 reasoning:")


def test_apply_verdicts_reports_drops():
    table = _table([_chat("I am a human."), _chat("Paris is the capital of France.")])
    kept, report = apply_verdicts(table, IdentityFilter()(table), "identity")
    assert kept.column("id").to_pylist() == ["r1"]
    assert report.column("reason").to_pylist() == [HUMAN]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "I'm Claude, an AI assistant made by Anthropic.",
            "I'm Wind-Edge-1.6, an AI assistant made by Wind-Edge Labs.",
        ),
        (
            "Hi! I am ChatGPT, a large language model trained by OpenAI.",
            "Hi! I am Wind-Edge-1.6, a large language model trained by Wind-Edge Labs.",
        ),
        ("I'm an OpenAI model.", "I'm a Wind-Edge Labs model."),
        ("我是通义千问，由阿里云开发的模型。", "我是Wind-Edge-1.6，由Wind-Edge Labs开发的模型。"),
        ("I'm DeepSeek-V3, made by DeepSeek.", "I'm Wind-Edge-1.6, made by Wind-Edge Labs."),
    ],
)
def test_rewrite_clean_claims(before, after):
    table = _table([_chat(before), _chat("2 + 2 = 4.")])
    verdicts, report = REWRITE.scan(table)
    assert verdicts.reason.to_pylist() == [None, None]
    assert verdicts.rewritten.to_pylist() == [True, False]
    assert verdicts.table.column("messages")[0].as_py()[1]["content"] == after
    assert verdicts.table.column("messages")[1].as_py() == table.column("messages")[1].as_py()
    assert report.column("id").to_pylist() == ["r0"]
    assert REWRITE.rewrite_report(table).equals(report)


@pytest.mark.parametrize(
    "text",
    [
        "I'm ChatGPT. ChatGPT was released in 2022.",  # another mention: rewrite would contradict it
        "I'm based on GPT-4.",  # no clean rewrite of the underlying model
        "I'm Claude, not ChatGPT.",
        "I am a human, and I'm Claude.",  # human claims are never rewritten
    ],
)
def test_rewrite_mode_drops_unclean_claims(text):
    verdicts, report = REWRITE.scan(_table([_chat(text)]))
    assert verdicts.reason[0].as_py() in (HUMAN, OTHER_MODEL)
    assert report.num_rows == 0
    assert verdicts.table is None


def test_drop_mode_never_rewrites():
    verdicts, report = IdentityFilter().scan(_table([_chat("I'm Claude, made by Anthropic.")]))
    assert verdicts.table is None and report.num_rows == 0 and verdicts.dropped == 1


def test_sliced_and_empty_batches():
    table = _table([_chat("Hello."), _chat("I'm Claude, made by Anthropic."), _chat("I am a human.")]).slice(
        1
    )
    verdicts = REWRITE(table)
    assert verdicts.reason.to_pylist() == [None, HUMAN]
    assert (
        verdicts.table.column("messages")[0].as_py()[1]["content"]
        == "I'm Wind-Edge-1.6, made by Wind-Edge Labs."
    )
    assert IdentityFilter()(CANONICAL_SCHEMA.empty_table()).reason.to_pylist() == []



def test_rewrites_land_in_the_right_turns_and_fields():
    """_apply_edits splices the rewritten texts between slices of the message column: first and
    last turns, content and reasoning, null contents and rows around them stay in place."""
    rows = [
        _chat("I'm Claude, made by Anthropic.", reasoning="I am ChatGPT.", rid="a"),
        _chat("Hello.", user=None, rid="b"),
        _chat("Fine.", reasoning="I'm Gemini.", rid="c"),
        _chat("I'm Qwen.", rid="d"),
    ]
    table = _table(rows)
    out = REWRITE(table).table.column("messages").to_pylist()
    before = table.column("messages").to_pylist()
    assert out[1] == before[1]
    assert out[0][1]["content"] == "I'm Wind-Edge-1.6, made by Wind-Edge Labs."
    assert out[0][1]["reasoning"] == "I am Wind-Edge-1.6."
    assert out[2][1] == {**before[2][1], "reasoning": "I'm Wind-Edge-1.6."}
    assert out[3][1]["content"] == "I'm Wind-Edge-1.6." and out[3][0] == before[3][0]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"action": "delete"}, "action"),
        ({"action": "rewrite", "name": "", "maker": "Wind-Edge Labs"}, "name"),
        ({"action": "rewrite", "name": "Wind-Edge-1.6", "maker": "  "}, "maker"),
        ({"action": "rewrite", "name": "ChatGPT", "maker": "Wind-Edge Labs"}, "name"),
        ({"action": "drop", "name": 3}, "name"),
    ],
)
def test_bad_parameters(kwargs, param):
    with pytest.raises(ValueError, match=param):
        IdentityFilter(**kwargs)


def test_eval_set_meets_targets():
    # Loaded by path: a module named "evaluate" may already exist (the Hugging Face package).
    spec = importlib.util.spec_from_file_location(
        "identity_evaluate", ROOT / "evals" / "identity" / "evaluate.py"
    )
    evaluate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(evaluate)
    cases = evaluate.load_cases()
    labels = [c["label"] for c in cases]
    assert len(cases) >= 450 and set(labels) == {"human", "other_model", "none"}
    assert len({c["id"] for c in cases}) == len(cases)
    result = evaluate.evaluate(cases)
    for label, s in result["scores"].items():
        assert s["precision"] >= 0.98, (label, s, result["wrong"])
        assert s["recall"] >= 0.95, (label, s, result["wrong"])


FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "instruct"


def _fixture(rel):
    path = FIXTURES / rel
    if not path.exists():
        pytest.skip(f"shared fixture {path} absent (a fresh clone has no ../shared)")
    return json.loads(path.read_text(encoding="utf-8"))


def test_real_identity_rows_are_caught_and_rewritten():
    """LLaMA-Factory's identity.json with its placeholders filled as ChatGPT/OpenAI: 85 of its
    91 answers name the model or maker (the other 6 say nothing about who made them)."""
    rows = [
        _chat(
            r["output"].replace("{{name}}", "ChatGPT").replace("{{author}}", "OpenAI"),
            user=r["instruction"],
            rid=f"i{i}",
        )
        for i, r in enumerate(_fixture("llamafactory/identity.json"))
    ]
    table = _table(rows)
    assert IdentityFilter()(table).dropped >= 85
    verdicts = REWRITE(table)
    kept, _ = apply_verdicts(table, verdicts, "identity")
    assert sum(verdicts.rewritten.to_pylist()) >= 75
    answers = [
        m["content"] for msgs in kept.column("messages").to_pylist() for m in msgs if m["role"] == "assistant"
    ]
    kept_text = json.dumps(answers, ensure_ascii=False)
    assert "ChatGPT" not in kept_text and "OpenAI" not in kept_text


def test_real_conversations_only_vicuna_claims():
    """FastChat's dummy conversations: the only claims in 500 real chats are Vicuna's."""
    rows = [
        {
            "id": c["id"],
            "source": "fastchat",
            "kind": "chat",
            "messages": [
                _turn("user" if m["from"] == "human" else "assistant", m["value"]) for m in c["conversations"]
            ],
            "text": None,
            "meta": {},
        }
        for c in _fixture("fastchat/dummy_conversation.json")
    ]
    verdicts = IdentityFilter()(pa.Table.from_pylist(rows, CANONICAL_SCHEMA))
    details = [d for d in verdicts.detail.to_pylist() if d]
    assert details and all("Vicuna" in d for d in details)
    assert set(verdicts.reason.drop_null().to_pylist()) == {OTHER_MODEL}


# --- outputs frozen before IdentityFilter was optimised ---------------------------------------

_ID_CONFIGS = ("identity_drop", "identity_rewrite")


@pytest.fixture(scope="module")
def snap():
    return load_snapshot()


@pytest.mark.parametrize("config", _ID_CONFIGS)
def test_same_outputs_as_snapshot_rows(snap, config):
    """Demo and synthetic rows: verdicts, rewrites, rewrite notes, the rewritten table and the
    rewrite report exactly as benchmarks/filters/identity_pii_snapshot.py recorded them, also
    with the batch split over several chunks."""
    assert_rows_match(*snap, config)


@pytest.mark.parametrize("config", _ID_CONFIGS)
def test_same_outputs_as_snapshot_eval_and_fixtures(snap, config):
    """The identity eval set and the real fixture rows: the same outcomes by row id."""
    module, data = snap
    table = module.eval_table()
    got, group = module.outcomes(config, table)
    want = {i: o[config] for i, o in data["eval"]["outcomes"].items() if config in o}
    assert module.by_id(table, got) == want
    assert group == data["eval"]["groups"][config]
    for rel, table in module.fixture_tables():
        got, group = module.outcomes(config, table)
        want = {i: o[config] for i, o in data["fixtures"][rel]["outcomes"].items() if config in o}
        assert table.num_rows == data["fixtures"][rel]["rows"]
        assert module.by_id(table, got) == want, rel
        assert group == data["fixtures"][rel]["groups"][config], rel


def test_needles_are_in_every_match(snap):
    """HUMAN_NEEDLES / MODEL_NEEDLES may skip a pattern only where it cannot match: every match
    of a gated pattern over the eval set and the snapshot rows holds a needle of each group in
    its own span."""
    from curation.filters import identity_patterns as P

    module, data = snap
    cases = (ROOT / "evals" / "identity" / "turns.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in cases if line.strip()]
    texts += [t[1] for r in data["rows"] if r["messages"] for t in r["messages"] if t[1]]
    texts += MUST_DROP_HUMAN + [
        "I'm a perſon.",
        "MY ＷＩＦＥ",
        "I AM A HUMAN",
        "Ich bin ein Mensch.",
        "Я человек",
    ]
    texts += MUST_DROP_MODEL + ["I AM CHATGPT, TRAINED BY OPENAI.", "Soy un modelo desarrollado por OpenAI."]
    for patterns, needles, least in (
        (P.HUMAN_RES, P.HUMAN_NEEDLES, 18),
        (P.MODEL_REWRITABLE_RES, P.MODEL_NEEDLES, 10),
    ):
        seen = set()
        for text in texts:
            for k, (pattern, groups) in enumerate(zip(patterns, needles, strict=True)):
                for m in pattern.finditer(text):
                    seen.add(k)
                    if groups is not None:
                        span = m.group().casefold()
                        assert all(any(n in span for n in g) for g in groups), (k, m.group())
        assert len(seen) >= least, sorted(seen)
