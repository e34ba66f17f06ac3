"""Chat templates by name or by path, compiled once.

Named templates are the project's own Jinja2 files in ``templates/``:

- ``qwen3``: Qwen3 hybrid thinking; byte-identical to the official template.
- ``qwen3-nothink``: serving template of a no-thinking Qwen3-compatible model; needs the
  identity system message (``default_system_message``).
- ``qwen2.5``: ChatML with Qwen2.5's default system message.
- ``proof``: the STEM proof format (one question, a derivation, a final answer).

Any other chat template loads by path: a ``.jinja`` file, or a Hugging Face
``tokenizer_config.json`` whose ``chat_template`` is a string or a list of
``{name, template}`` (the one named ``default`` is used). A foreign template carries no
``{% generation %}`` marks; its spans come from the serving-prompt prefix trick instead
(``curation.render.spans``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2 import nodes

from curation.render.environment import environment

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
NAMED = ("qwen3", "qwen3-nothink", "qwen2.5", "proof")


@dataclass(frozen=True, eq=False)
class ChatTemplate:
    """A compiled template. name: the registry name or the file path; source: the Jinja text;
    marked: True when the template wraps learned text in ``{% generation %}``."""

    name: str
    source: str
    compiled: jinja2.Template
    marked: bool

    def same_as(self, other: ChatTemplate) -> bool:
        """Same bytes of template text (two names for one file are the same template)."""
        return self.source == other.source


def known_templates() -> tuple[str, ...]:
    return NAMED


@functools.cache
def _compile(name: str, source: str) -> ChatTemplate:
    env = environment()
    try:
        tree = env.parse(source)
        compiled = env.from_string(tree)
    except jinja2.TemplateSyntaxError as e:
        raise ValueError(f"chat template {name!r} does not compile: {e.message} (line {e.lineno})") from e
    # Marked = it has a {% generation %} / {% proof %} block (a call into the SpanMarks extension),
    # read from the syntax tree: a comment mentioning the tag does not count.
    marked = any(True for _ in tree.find_all(nodes.ExtensionAttribute))
    return ChatTemplate(name, source, compiled, marked)


def _from_tokenizer_config(path: Path) -> str:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not valid JSON ({e})") from e
    template = config.get("chat_template") if isinstance(config, dict) else None
    if isinstance(template, list):
        by_name = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = by_name.get("default")
    if not isinstance(template, str) or not template:
        raise ValueError(f"{path}: no chat_template string (or list entry named 'default') in it")
    return template


def load_template(name_or_path: str | Path) -> ChatTemplate:
    """The compiled template named `name_or_path` (one of NAMED), or loaded from that path.

    Raises ValueError for an unknown name (listing the known ones), a missing file or a
    file with no chat template in it.
    """
    if isinstance(name_or_path, ChatTemplate):
        return name_or_path
    text = str(name_or_path)
    if text in NAMED:
        path = TEMPLATE_DIR / f"{text}.jinja"
        return _compile(text, path.read_text(encoding="utf-8"))
    path = Path(text)
    looks_like_path = path.suffix in (".jinja", ".json", ".j2") or "/" in text or "\\" in text
    if not looks_like_path:
        raise ValueError(
            f"unknown chat template {text!r}: known templates are {', '.join(NAMED)}, "
            "or give the path of a .jinja file or a tokenizer_config.json"
        )
    if not path.is_file():
        raise ValueError(f"chat template file not found: {path}")
    source = _from_tokenizer_config(path) if path.suffix == ".json" else path.read_text(encoding="utf-8")
    return _compile(str(path), source)
