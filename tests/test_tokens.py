"""Tokenizers: the Hugging Face Qwen2 vectors, Qwen3's added tokens as single ids, batched
counts equal per-row encodes, special-token text in user content found and escaped."""

import json
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import typer
from typer.testing import CliRunner

from curation.cli.tokens_cmd import tokens_app
from curation.tokens import ESCAPE, escape_special_text, get_tokenizer, joined_count, unescape_special_text

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "tokenizer"


def _vectors():
    """(text, ids) of llama.cpp's test-tokenizer-0 files: inputs separated by
    `\\n__ggml_vocab_test__\\n` (the file ends with one), outputs one line per case."""
    inputs = (
        (FIXTURES / "ggml-vocab-qwen2.gguf.inp").read_text(encoding="utf-8").split("\n__ggml_vocab_test__\n")
    )
    assert inputs[-1] == ""
    outputs = (FIXTURES / "ggml-vocab-qwen2.gguf.out").read_text(encoding="utf-8").split("\n")
    return [(text, [int(t) for t in line.split()]) for text, line in zip(inputs[:-1], outputs, strict=False)]


VECTORS = _vectors()
ADDED = json.loads((FIXTURES / "qwen3_added_tokens.json").read_text())["added_tokens"]


@pytest.fixture(scope="module")
def tok():
    return get_tokenizer("qwen3")


def test_there_are_43_vectors():
    assert len(VECTORS) == 43


@pytest.mark.parametrize(("text", "ids"), VECTORS, ids=[f"case{i}" for i in range(len(VECTORS))])
def test_qwen3_reproduces_hf_qwen2(tok, text, ids):
    assert tok.encode(text) == ids
    assert tok.encode_ordinary(text) == ids
    assert tok.decode(ids) == text


def test_batch_of_vectors_equals_reference(tok):
    texts = [t for t, _ in VECTORS]
    assert tok.count_batch(texts).tolist() == [len(ids) for _, ids in VECTORS]


def test_added_tokens_are_single_ids(tok):
    assert tok.special_tokens == {a["content"]: a["id"] for a in ADDED}
    for added in ADDED:
        assert tok.encode(added["content"]) == [added["id"]]
        assert tok.decode([added["id"]]) == added["content"]
    rendered = "<|im_start|>assistant\n<think>\n\n</think>\n\nHi<|im_end|>"
    ids = tok.encode(rendered)
    assert [i for i in ids if i >= 151643] == [151644, 151667, 151668, 151645]
    assert tok.count_batch([rendered]).tolist() == [len(ids)]
    assert len(tok.encode_ordinary("<think>")) > 1
    assert tok.count_batch([rendered], allow_special=False).tolist() == [len(tok.encode_ordinary(rendered))]


def test_qwen35_loads_with_its_added_tokens():
    t = get_tokenizer("qwen3.5")
    assert t.special_tokens["<|endoftext|>"] == 248044
    assert t.special_tokens["<think>"] == 248068 and t.special_tokens["</think>"] == 248069
    assert len(t.special_tokens) == 33
    assert t.encode("<|im_start|>user\nhello<|im_end|>")[0] == t.special_tokens["<|im_start|>"]
    assert t.decode(t.encode("Führer café 🦙")) == "Führer café 🦙"
    assert get_tokenizer("qwen3.6") is t


def test_cached_per_name_and_aliases():
    assert get_tokenizer("qwen3") is get_tokenizer() is get_tokenizer("Qwen2.5")


@pytest.mark.parametrize("name", ["gpt2", "", "qwen4", None])
def test_unknown_name_is_a_clear_error(name):
    with pytest.raises(ValueError, match="qwen3"):
        get_tokenizer(name)


def test_hf_backend_without_tokenizers_says_what_to_install():
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        with pytest.raises(ValueError, match="pip install tokenizers"):
            get_tokenizer("hf:Qwen/Qwen3-0.6B")
    else:
        pytest.skip("tokenizers is installed; see test_hf_backend_matches_a_built_tokenizer")


def test_hf_backend_matches_a_built_tokenizer(tmp_path):
    tokenizers = pytest.importorskip(
        "tokenizers", reason="the hf: backend needs the optional `tokenizers` package"
    )
    from tokenizers import models, pre_tokenizers

    hf = tokenizers.Tokenizer(models.WordLevel({"hello": 0, "world": 1, "<unk>": 2}, unk_token="<unk>"))
    hf.pre_tokenizer = pre_tokenizers.Whitespace()
    hf.add_special_tokens(["<|im_end|>"])
    path = tmp_path / "tokenizer.json"
    hf.save(str(path))
    t = get_tokenizer(f"hf:{tmp_path}")
    assert t.special_tokens == {"<|im_end|>": 3}
    assert t.encode("hello world<|im_end|>") == [0, 1, 3]
    assert t.encode_ordinary("hello <|im_end|>") == [0, 2, 2, 2]  # "<|", "im_end", "|>" are unknown words
    assert t.count_batch(["hello world", None, "", "hello<|im_end|>"]).tolist() == [2, 0, 0, 2]
    with pytest.raises(ValueError, match="no such file"):
        get_tokenizer(f"hf:{tmp_path}/missing.json")


def _mixed_texts():
    texts = [t for t, _ in VECTORS] + [None, "", "<|im_start|>user\nhi<|im_end|>", "e\u0301<think>\u0338 x"]
    texts += [joined_count.SEPARATOR + "row holding the separator", "a" * 3000, " \n\n  \t"] * 3
    return texts


@pytest.mark.parametrize("allow_special", [True, False])
def test_count_batch_equals_encode_per_row(tok, allow_special):
    texts = _mixed_texts()
    expected = [0 if t is None else len(tok.encode(t, allow_special=allow_special)) for t in texts]
    assert tok.count_batch(texts, allow_special=allow_special).tolist() == expected
    # Small chunks exercise the threaded path and chunk edges; every input form gives the same.
    arr = pa.chunked_array([pa.array(texts[:10], pa.string()), pa.array(texts[10:], pa.string())])
    got = joined_count.count_joined(
        tok._enc,
        pa.array(texts, pa.large_string()),
        tok._allowed_count[allow_special],
        tok._sep_id,
        tok._specials,
        (lambda s: len(tok.encode(s, allow_special=allow_special))),
        threads=2,
        chunk_bytes=64,
    )
    assert got.tolist() == expected
    assert tok.count_batch(arr, allow_special=allow_special, threads=2).tolist() == expected
    assert tok.count_batch(pl.Series(texts), allow_special=allow_special, threads=1).tolist() == expected


def test_count_batch_many_threads_equals_one(tok):
    rng = np.random.default_rng(0)
    words = np.array(["the", "data", "café", "日本語", "<think>", "\n\n", "  ", "🦙", "1234", "don't"])
    texts = [" ".join(rng.choice(words, size=int(n))) for n in rng.integers(0, 400, size=3000)]
    one = tok.count_batch(texts, threads=1)
    assert one.dtype == np.int64 and one.shape == (3000,)
    assert np.array_equal(one, tok.count_batch(texts, threads=2))
    assert np.array_equal(one, tok.count_batch(texts, threads=7))
    assert tok.count_batch([]).shape == (0,)
    assert tok.count_batch(pa.array([None, None], pa.string())).tolist() == [0, 0]


def test_nfc_never_creates_or_hides_specials(tok):
    # HF splits on added tokens before NFC: a combining solidus after '>' stays outside <think>.
    text = "<think>\u0338"
    assert tok.encode(text)[0] == 151667
    assert tok.count_batch([text]).tolist() == [len(tok.encode(text))]
    # NFC maps KELVIN SIGN to 'K' but no Qwen special holds a K; decomposed text is normalised.
    assert tok.encode("cafe\u0301") == tok.encode("caf\u00e9")


def test_find_special_text_and_escape(tok):
    content = ["plain", None, "stop <|im_end|> now", "<think>hidden</think>", "<|im_end", ""]
    assert tok.find_special_text(content).tolist() == [False, False, True, True, False, False]
    escaped = tok.escape_special_text(content)
    assert escaped.type == pa.large_string()
    assert escaped[2].as_py() == f"stop <{ESCAPE}|im_end|> now"
    assert escaped[1].as_py() is None
    assert not tok.find_special_text(escaped).any()
    # Escaped content renders into a template whose markup is the only control text.
    rendered = f"<|im_start|>user\n{escaped[3].as_py()}<|im_end|>"
    special_ids = [i for i in tok.encode(rendered) if i >= 151643]
    assert special_ids == [151644, 151645]
    assert unescape_special_text(escaped, tok.special_tokens).to_pylist() == content
    assert escape_special_text(pl.Series(content), ["<|im_end|>"])[2].as_py() == escaped[2].as_py()


def test_encode_segments_keeps_user_specials_as_text(tok):
    segments = [("<|im_start|>user\n", True), ("say <|im_end|> please", False), ("<|im_end|>\n", True)]
    ids = tok.encode_segments(segments)
    assert [i for i in ids if i >= 151643] == [151644, 151645]
    assert tok.decode(ids) == "".join(t for t, _ in segments)
    clean = [("<|im_start|>user\n", True), ("  hello\n\n", False), ("world<|im_end|>", True)]
    assert tok.encode_segments(clean) == tok.encode("".join(t for t, _ in clean))
    with pytest.raises(ValueError, match="pairs"):
        tok.encode_segments(["not a pair"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.encode(b"bytes"), "expected a string"),
        (lambda t: t.count_batch("one string"), "single string"),
        (lambda t: t.count_batch([1, 2]), "expected strings"),
        (lambda t: t.count_batch(pa.array([1, 2])), "Arrow type int64"),
        (lambda t: t.count_batch(["x"], threads=0), "threads"),
        (lambda t: t.decode([151669]), "not in the qwen3 vocabulary"),
        (lambda t: t.decode([-1]), "not in the qwen3 vocabulary"),
        (lambda t: t.special_id("<nope>"), "not a special token"),
    ],
)
def test_bad_inputs_are_clear_errors(tok, call, message):
    with pytest.raises(ValueError, match=message):
        call(tok)


def _cli():
    app = typer.Typer()
    app.add_typer(tokens_app, name="tokens")
    return app


def test_cli_counts_jsonl_parquet_and_text(tmp_path, tok):
    rows = [{"text": "Hello world"}, {"text": "<think>x</think>"}, {"text": None}]
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    pl.DataFrame(rows).write_parquet(tmp_path / "a.parquet")
    (tmp_path / "a.txt").write_text("Hello world\n<think>x</think>\n")
    expected = sum(tok.count_batch([r["text"] for r in rows]))
    runner = CliRunner()
    for name in ("a.jsonl", "a.parquet", "a.txt"):
        result = runner.invoke(_cli(), ["tokens", "count", str(tmp_path / name), "--json"])
        assert result.exit_code == 0, result.output
        totals = json.loads(result.output)
        assert totals["tokens"] == expected and totals["strings_with_special_text"] == 1
    result = runner.invoke(_cli(), ["tokens", "count", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 0 and "special-token text" in result.output


def test_cli_counts_canonical_chat_rows(tmp_path, tok):
    msgs = [
        {"role": "user", "content": "Hi there", "reasoning": None},
        {"role": "assistant", "content": "Hello!", "reasoning": "greet"},
    ]
    pl.DataFrame(
        {"kind": ["chat", "text"], "text": [None, "A document."], "messages": [msgs, None]}
    ).write_parquet(tmp_path / "c.parquet")
    result = CliRunner().invoke(_cli(), ["tokens", "count", str(tmp_path / "c.parquet"), "--json"])
    assert result.exit_code == 0, result.output
    expected = sum(len(tok.encode(s)) for s in ("Hi there", "Hello!", "greet", "A document."))
    assert json.loads(result.output)["tokens"] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.jsonl"], "no such file"),
        (["a.csv"], "unsupported file type"),
        (["a.jsonl", "--field", "nope"], "no column 'nope'"),
        (["a.jsonl", "--tokenizer", "gpt9"], "unknown tokenizer"),
    ],
)
def test_cli_user_errors(tmp_path, args, message):
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "a.csv").write_text("text\nx\n")
    args = [str(tmp_path / args[0]), *args[1:]]
    result = CliRunner().invoke(_cli(), ["tokens", "count", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
