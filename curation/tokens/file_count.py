"""Token counts of a file or directory of rows, for `curate tokens count`.

Inputs: `.parquet`, `.jsonl`/`.ndjson`, `.json` (an array of objects), `.txt` (one document
per line, the LLaMA-Factory text-dataset layout), or a directory: a run directory's kept
parts (`sources/*/data/*.parquet`) or else every such file under it (`dropped.parquet`
left out). The field to count: a string column, or a list of message structs (every
`content` and `reasoning`, or `value` for ShareGPT, is counted). `auto` takes the canonical
record's text for text rows and its message strings for chat rows, else a `text` column.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa

from curation.tokens.registry import DEFAULT_TOKENIZER, get_tokenizer

FORMATS = (".parquet", ".jsonl", ".ndjson", ".json", ".txt")
MESSAGE_TEXT_FIELDS = ("content", "reasoning", "value")


@dataclass
class FileCount:
    """Totals over all files: rows (records), strings counted (one per text row, one per
    message field of chat rows), tokens, bytes (UTF-8 of the strings), chars (code points),
    seconds (tokenising only) and throughput in MB (1e6 bytes) per second."""

    path: str
    tokenizer: str
    field: str
    files: int
    rows: int
    strings: int
    tokens: int
    bytes: int
    chars: int
    strings_with_special_text: int
    seconds: float

    @property
    def chars_per_token(self) -> float:
        return self.chars / self.tokens if self.tokens else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "chars_per_token": self.chars_per_token, "mb_per_s": self.mb_per_s}


def input_files(path: Path) -> list[Path]:
    """The files `path` names (sorted), or a ValueError saying why there are none."""
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {path}")
    if path.is_file():
        if path.suffix.lower() not in FORMATS:
            raise ValueError(
                f"{path}: unsupported file type {path.suffix!r}; use one of {', '.join(FORMATS)}"
            )
        return [path]
    if (path / "summary.json").is_file():
        files = sorted(path.glob("sources/*/data/*.parquet"))
    else:
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in FORMATS
            and not p.name.endswith(("dropped.parquet", "rewritten.parquet"))
        )
    if not files:
        raise ValueError(f"{path}: no {', '.join(FORMATS)} files in this directory")
    return files


def read_frame(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix in (".jsonl", ".ndjson"):
            return pl.read_ndjson(path)
        if suffix == ".json":
            return pl.read_json(path)
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return pl.DataFrame({"text": pl.Series(lines, dtype=pl.String)})
    except (pl.exceptions.PolarsError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"{path}: cannot read as {suffix}: {exc}") from exc


def _message_strings(column: pl.Series) -> pl.Series:
    messages = column.explode().drop_nulls().struct.unnest()
    fields = [f for f in MESSAGE_TEXT_FIELDS if f in messages.columns and messages[f].dtype == pl.String]
    if not fields:
        raise ValueError(
            f"column {column.name!r} holds structs without a string {'/'.join(MESSAGE_TEXT_FIELDS)} field"
        )
    return pl.concat([messages[f] for f in fields])


def strings_of(df: pl.DataFrame, field: str) -> pl.Series:
    """The strings to count in one frame (nulls allowed)."""
    if field == "auto":
        if "messages" in df.columns and "text" in df.columns:  # canonical rows
            parts = [df["text"].cast(pl.String)]
            if isinstance(df["messages"].dtype, pl.List):
                parts.append(_message_strings(df["messages"]))
            return pl.concat(parts)
        for name in ("text", "messages", "conversations"):
            if name in df.columns:
                return strings_of(df, name)
        raise ValueError(f"no text column found (columns: {', '.join(df.columns)}); name one with --field")
    if field not in df.columns:
        raise ValueError(f"no column {field!r} (columns: {', '.join(df.columns)})")
    column = df[field]
    if column.dtype in (pl.String, pl.Null):
        return column.cast(pl.String)
    if isinstance(column.dtype, pl.List) and isinstance(column.dtype.inner, pl.Struct):
        return _message_strings(column)
    raise ValueError(f"column {field!r} is {column.dtype}; expected strings or a list of message structs")


def count_file(
    path: Path,
    field: str = "auto",
    tokenizer: str = DEFAULT_TOKENIZER,
    allow_special: bool = True,
    threads: int | None = None,
) -> FileCount:
    tok = get_tokenizer(tokenizer)
    files = input_files(Path(path))
    total = FileCount(str(path), tok.name, field, len(files), 0, 0, 0, 0, 0, 0, 0.0)
    for file in files:
        df = read_frame(file)
        strings = strings_of(df, field).to_arrow()
        strings = strings.cast(pa.large_string()) if strings.type != pa.large_string() else strings
        t0 = time.perf_counter()
        counts = tok.count_batch(strings, allow_special=allow_special, threads=threads)
        total.seconds += time.perf_counter() - t0
        series = pl.Series(values=strings)
        total.rows += df.height
        total.strings += len(strings)
        total.tokens += int(counts.sum())
        total.bytes += int(series.str.len_bytes().sum() or 0)
        total.chars += int(series.str.len_chars().sum() or 0)
        total.strings_with_special_text += int(tok.find_special_text(strings).sum())
    return total
