"""Where a manifest's relative paths point: the manifest's own directory.

Input paths (source locations, template files, a local tokenizer) resolve against the
directory of the manifest file, so a manifest means the same thing from any working
directory. They may be absolute or climb out with ``..``: inputs are only read, and a corpus
on another disk is normal. What a manifest can never do is name where output goes: no field
is an output path, and every name that becomes part of one is a slug (manifest_types.py).

Validation takes two context keys (``model_validate(data, context=...)``): ``base_dir``
(default: the working directory) and ``check_files`` (default True; False skips the checks
that files exist, e.g. to read a lock file on a machine without the inputs).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationInfo


def context_base_dir(info: ValidationInfo | None) -> Path:
    context = (info.context if info is not None else None) or {}
    return Path(context.get("base_dir") or Path.cwd())


def context_check_files(info: ValidationInfo | None) -> bool:
    context = (info.context if info is not None else None) or {}
    return bool(context.get("check_files", True))


def resolve(base_dir: Path, text: str) -> Path:
    """`text` (a path or glob; ``~`` expanded) made absolute against `base_dir`."""
    path = Path(os.path.expanduser(text))
    return path if path.is_absolute() else Path(base_dir) / path
