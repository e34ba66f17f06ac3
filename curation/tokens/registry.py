"""get_tokenizer(name): one cached tokenizer per name (building one loads its ranks file,
~0.3-0.6 s)."""

from __future__ import annotations

import threading

from curation.tokens.base import Tokenizer

KNOWN_NAMES = ("qwen3", "qwen3.5")
DEFAULT_TOKENIZER = "qwen3"
# Names people write for the same vocabularies (Qwen2/2.5 share Qwen3's ids 0-151642 and its
# first three added tokens; Qwen3.6 shares Qwen3.5's vocabulary).
ALIASES = {"qwen2": "qwen3", "qwen2.5": "qwen3", "qwen3.6": "qwen3.5"}

_cache: dict[str, Tokenizer] = {}
_lock = threading.Lock()


def _build(name: str) -> Tokenizer:
    if name.startswith("hf:"):
        from curation.tokens.hf_backend import HFTokenizer

        return HFTokenizer(name[3:])
    from curation.tokens import qwen
    from curation.tokens.tiktoken_backend import TiktokenTokenizer

    return TiktokenTokenizer(qwen.qwen3() if name == "qwen3" else qwen.qwen3_5())


def get_tokenizer(name: str = DEFAULT_TOKENIZER) -> Tokenizer:
    """The tokenizer called `name`: "qwen3" (default, offline), "qwen3.5", or "hf:<Hub id or
    local path to tokenizer.json or its directory>" (needs the `tokenizers` package)."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(
            f"tokenizer name must be a non-empty string, got {name!r}; known: {', '.join(KNOWN_NAMES)}"
        )
    key = name.strip()
    key = ALIASES.get(key.lower(), key.lower()) if not key.startswith("hf:") else key
    if key not in KNOWN_NAMES and not key.startswith("hf:"):
        raise ValueError(
            f"unknown tokenizer {name!r}; known: {', '.join(KNOWN_NAMES)} "
            f"(aliases {', '.join(ALIASES)}), or hf:<name or path>"
        )
    with _lock:
        if key not in _cache:
            _cache[key] = _build(key)
        return _cache[key]
