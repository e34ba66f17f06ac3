"""The tiktoken backend: byte-level BPE over a `.tiktoken` ranks file, NFC first (as the
Hugging Face Qwen tokenizers normalise), added tokens matched as single ids."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import tiktoken

from curation.text_buffers import TextBatch
from curation.tokens.base import Tokenizer, check_text, check_threads
from curation.tokens.joined_count import SEPARATOR, count_joined
from curation.tokens.qwen import Vocabulary
from curation.tokens.specials import special_regex, split_on_specials
from curation.tokens.texts import string_array


def _nfc(text: str) -> str:
    # is_normalized is a quick check that skips the copy for the common, already-NFC text.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


class TiktokenTokenizer(Tokenizer):
    def __init__(self, vocab: Vocabulary):
        self.name = vocab.name
        self.special_tokens = dict(vocab.special_tokens)
        self.vocab_size = max(self.special_tokens.values(), default=len(vocab.mergeable_ranks) - 1) + 1
        # SEPARATOR gets the first unused id; it is only ever allowed inside count_batch.
        self._sep_id = self.vocab_size
        self._enc = tiktoken.Encoding(
            f"curation-{vocab.name}",
            pat_str=vocab.pat_str,
            mergeable_ranks=vocab.mergeable_ranks,
            special_tokens={**self.special_tokens, SEPARATOR: self._sep_id},
        )
        self._allowed = frozenset(self.special_tokens)
        self._allowed_count = {
            True: self._allowed | {SEPARATOR},
            False: frozenset({SEPARATOR}),
        }
        self._specials = tuple(self.special_tokens)
        self._special_re = special_regex(self.special_tokens)

    def encode(self, text: str, allow_special: bool = True) -> list[int]:
        check_text(text)
        if not allow_special:
            return self.encode_ordinary(text)
        if unicodedata.is_normalized("NFC", text):
            # Pieces between specials of an NFC string are NFC too, so one call is exact.
            return self._enc.encode(text, allowed_special=self._allowed, disallowed_special=())
        ids: list[int] = []
        for piece, is_special in split_on_specials(text, self._special_re):
            if is_special:
                ids.append(self.special_tokens[piece])
            else:
                ids.extend(self._enc.encode_ordinary(unicodedata.normalize("NFC", piece)))
        return ids

    def encode_ordinary(self, text: str) -> list[int]:
        return self._enc.encode_ordinary(_nfc(check_text(text)))

    def decode(self, ids: Sequence[int]) -> str:
        arr = np.asarray(ids)
        if arr.size == 0:
            return ""
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"decode takes a sequence of integer token ids, got {arr.dtype} of shape {arr.shape}"
            )
        bad = arr[(arr < 0) | (arr >= self.vocab_size)]
        if bad.size:
            raise ValueError(
                f"token id {int(bad[0])} is not in the {self.name} vocabulary (0-{self.vocab_size - 1})"
            )
        return self._enc.decode(arr.tolist())

    def count_batch(
        self, texts: TextBatch, allow_special: bool = True, threads: int | None = None
    ) -> np.ndarray:
        n_threads = check_threads(threads)
        arr = string_array(texts)
        allow = bool(allow_special)
        return count_joined(
            self._enc,
            arr,
            self._allowed_count[allow],
            self._sep_id,
            self._specials,
            (lambda s: len(self.encode(s))) if allow else (lambda s: len(self.encode_ordinary(s))),
            n_threads,
        )
