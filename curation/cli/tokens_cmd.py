"""`curate tokens count FILE`: tokens, rows and throughput of a file or run directory.

The lead registers it as a sub-command group:
    from curation.cli.tokens_cmd import tokens_app
    app.add_typer(tokens_app, name="tokens")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

tokens_app = typer.Typer(help="Count tokens with the tokenizer a mix is built for.", no_args_is_help=True)


@tokens_app.command("count")
def count(
    file: Annotated[
        Path,
        typer.Argument(
            help="A .parquet, .jsonl, .json or .txt (one document per line) file, or a directory / run directory."
        ),
    ],
    field: Annotated[
        str,
        typer.Option(
            help="Column to count: a string column or a list of messages; auto = canonical text/messages."
        ),
    ] = "auto",
    tokenizer: Annotated[
        str, typer.Option("--tokenizer", "-t", help="qwen3, qwen3.5 or hf:<name or path>.")
    ] = "qwen3",
    specials: Annotated[
        bool,
        typer.Option(
            "--specials/--no-specials",
            help="Count special-token text (<|im_end|>, <think>) as one token (rendered text) or as plain text.",
        ),
    ] = True,
    threads: Annotated[int | None, typer.Option(help="Tokenizer threads (default: all CPUs).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the totals as one JSON object.")] = False,
) -> None:
    """Count the tokens of a file's text: total tokens, rows, chars per token and MB/s."""
    from curation.cli.main import _fail, _user_errors
    from curation.cli.tables import console
    from curation.tokens.file_count import count_file

    try:
        result = count_file(file, field=field, tokenizer=tokenizer, allow_special=specials, threads=threads)
    except _user_errors() as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    from rich.table import Table

    table = Table(title=f"Tokens of {file} ({result.tokenizer}, field {field})")
    for name in ("files", "rows", "strings", "tokens", "MB", "chars/token", "MB/s", "special-token text"):
        table.add_column(name, justify="right")
    table.add_row(
        f"{result.files:,}",
        f"{result.rows:,}",
        f"{result.strings:,}",
        f"{result.tokens:,}",
        f"{result.bytes / 1e6:,.2f}",
        f"{result.chars_per_token:.2f}",
        f"{result.mb_per_s:.1f}",
        f"{result.strings_with_special_text:,}",
    )
    out = console()
    out.print(table)
    if result.strings_with_special_text:
        out.print(
            f"{result.strings_with_special_text:,} strings hold special-token text; "
            + (
                "counted as single tokens (--no-specials counts them as text)."
                if specials
                else "counted as text."
            )
        )
