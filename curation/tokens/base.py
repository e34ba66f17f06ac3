"""The Tokenizer interface every backend implements, and what follows from it alone:
segment encoding for rendered templates, special-text detection and escaping."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa

from curation.text_buffers import TextBatch
from curation.tokens import specials as _specials


def default_threads() -> int:
    """Worker threads when none are asked for: CURATION_THREADS where set (a process pool's
    workers get 1: executor.py), else the CPUs this process may run on."""
    env = os.environ.get("CURATION_THREADS", "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"CURATION_THREADS must be a positive integer, got {env!r}")
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_threads(threads: int | None) -> int:
    if threads is None:
        return default_threads()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    return threads


def check_text(text: object) -> str:
    if not isinstance(text, str):
        raise ValueError(f"expected a string to tokenize, got {type(text).__name__}")
    return text


class Tokenizer(ABC):
    """Text -> token ids for one vocabulary.

    `special_tokens` maps the text of every added token the tokenizer matches as one id
    (Qwen3: `<|im_start|>`, `<think>`, ...) to that id. `allow_special=True` (the default)
    turns such text into its single id, which a rendered chat template needs; the ordinary
    path (`encode_ordinary`, `allow_special=False`) tokenises it as plain text.
    """

    name: str
    special_tokens: dict[str, int]

    @abstractmethod
    def encode(self, text: str, allow_special: bool = True) -> list[int]:
        """Token ids of `text`."""

    @abstractmethod
    def encode_ordinary(self, text: str) -> list[int]:
        """Token ids of `text`, special-token text tokenised as ordinary text."""

    @abstractmethod
    def decode(self, ids: Sequence[int]) -> str:
        """Text of token ids (invalid UTF-8 across a cut is replaced with U+FFFD)."""

    @abstractmethod
    def count_batch(
        self, texts: TextBatch, allow_special: bool = True, threads: int | None = None
    ) -> np.ndarray:
        """int64[n]: tokens per string (a null counts 0), equal to len(encode(text)) per row."""

    def count(self, text: str, allow_special: bool = True) -> int:
        """Tokens in one string."""
        return len(self.encode(text, allow_special=allow_special))

    def special_id(self, text: str) -> int:
        """The id of one special token's text; ValueError naming the known ones otherwise."""
        try:
            return self.special_tokens[text]
        except KeyError:
            raise ValueError(
                f"{text!r} is not a special token of {self.name}; known: {', '.join(self.special_tokens)}"
            ) from None

    def encode_segments(self, segments: Iterable[tuple[str, bool]]) -> list[int]:
        """Token ids of a rendered string given as (text, is_markup) segments in order.

        Special-token text inside markup segments (the template's own `<|im_start|>`, ...)
        becomes its single id; inside content segments (what users or data wrote) it stays
        ordinary text. Ordinary text is tokenised in runs that span segment boundaries, so
        the result equals `encode("".join(texts))` whenever no content segment holds
        special-token text and no special token straddles two segments.
        """
        pattern = _specials.special_regex(self.special_tokens)
        ids: list[int] = []
        run: list[str] = []

        def flush() -> None:
            if run:
                ids.extend(self.encode_ordinary("".join(run)))
                run.clear()

        for item in segments:
            if not (isinstance(item, tuple) and len(item) == 2):
                raise ValueError(f"segments are (text, is_markup) pairs, got {item!r:.80}")
            text, markup = item
            check_text(text)
            if not markup:
                run.append(text)
                continue
            for piece, is_special in _specials.split_on_specials(text, pattern):
                if is_special:
                    flush()
                    ids.append(self.special_tokens[piece])
                else:
                    run.append(piece)
        flush()
        return ids

    def find_special_text(self, texts: TextBatch) -> np.ndarray:
        """bool[n]: which strings hold the text of one of this tokenizer's special tokens
        (drop them as `injection:special_token`, or escape them); nulls are False."""
        return _specials.find_special_text(texts, self.special_tokens)

    def escape_special_text(self, texts: TextBatch) -> pa.LargeStringArray:
        """`texts` with every special token's text broken by U+200B after its first character,
        so that it tokenises as ordinary text here and in any later tokenizer."""
        return _specials.escape_special_text(texts, self.special_tokens)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {len(self.special_tokens)} special tokens>"
