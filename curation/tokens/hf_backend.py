"""`hf:<name or path>`: any Hugging Face tokenizer through the `tokenizers` library.

A local path may be a `tokenizer.json` file or a directory holding one; anything else is a
Hub repository id, fetched by `tokenizers` (network and its cache). Added tokens (special or
not: Qwen3's `<think>` is "not special" yet matched as one id) are the special tokens here.
No BOS/EOS is added: counts are of the text as given, as with the tiktoken backend.

The ordinary path (specials as text) runs the tokenizer's own normaliser, pre-tokenizer and
model piece by piece, because `tokenizers` always matches non-special added tokens; it is
a per-string Python loop, meant for the rare rows that hold special-token text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from curation.text_buffers import TextBatch
from curation.tokens.base import Tokenizer, check_text, check_threads
from curation.tokens.texts import string_array


def _load(spec: str):
    try:
        from tokenizers import Tokenizer as HFTokenizer
    except ImportError:
        raise ValueError(
            f"tokenizer 'hf:{spec}' needs the `tokenizers` package (pip install tokenizers); "
            "the offline default 'qwen3' needs nothing more"
        ) from None
    path = Path(spec).expanduser()
    if path.is_dir():
        path = path / "tokenizer.json"
        if not path.is_file():
            raise ValueError(f"tokenizer 'hf:{spec}': no tokenizer.json in that directory")
    if path.suffix == ".json" or path.is_file():
        if not path.is_file():
            raise ValueError(f"tokenizer 'hf:{spec}': no such file {path}")
        try:
            return HFTokenizer.from_file(str(path))
        except Exception as exc:  # tokenizers raises its own Exception type for bad JSON
            raise ValueError(f"tokenizer 'hf:{spec}': cannot read {path}: {exc}") from exc
    try:
        return HFTokenizer.from_pretrained(spec)
    except Exception as exc:
        raise ValueError(
            f"tokenizer 'hf:{spec}': not a local path and not loadable from the Hub: {exc}"
        ) from exc


class HFTokenizer(Tokenizer):
    def __init__(self, spec: str):
        if not spec:
            raise ValueError("tokenizer 'hf:' needs a name or a local path after the colon")
        self.name = f"hf:{spec}"
        self._tok = _load(spec)
        self.special_tokens = {t.content: i for i, t in sorted(self._tok.get_added_tokens_decoder().items())}
        self.vocab_size = self._tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text: str, allow_special: bool = True) -> list[int]:
        check_text(text)
        if not allow_special:
            return self.encode_ordinary(text)
        return self._tok.encode(text, add_special_tokens=False).ids

    def encode_ordinary(self, text: str) -> list[int]:
        check_text(text)
        tok = self._tok
        normalized = tok.normalizer.normalize_str(text) if tok.normalizer is not None else text
        pieces = (
            tok.pre_tokenizer.pre_tokenize_str(normalized)
            if tok.pre_tokenizer is not None
            else [(normalized, None)]
        )
        return [t.id for piece, _ in pieces for t in tok.model.tokenize(piece)]

    def decode(self, ids: Sequence[int]) -> str:
        ids = [int(i) for i in ids]
        for i in ids:
            if not 0 <= i < self.vocab_size:
                raise ValueError(
                    f"token id {i} is not in the {self.name} vocabulary (0-{self.vocab_size - 1})"
                )
        return self._tok.decode(ids, skip_special_tokens=False)

    def count_batch(
        self, texts: TextBatch, allow_special: bool = True, threads: int | None = None
    ) -> np.ndarray:
        """Counts per string. `tokenizers` parallelises batches on its own Rayon pool (sized by
        RAYON_NUM_THREADS at start-up), so `threads` is only checked here."""
        check_threads(threads)
        arr = string_array(texts)
        values = arr.to_pylist()
        out = np.zeros(len(values), dtype=np.int64)
        rows = [i for i, v in enumerate(values) if v]
        if not rows:
            return out
        if allow_special:
            encodings = self._tok.encode_batch([values[i] for i in rows], add_special_tokens=False)
            out[rows] = [len(e.ids) for e in encodings]
        else:
            out[rows] = [len(self.encode_ordinary(values[i])) for i in rows]
        return out
