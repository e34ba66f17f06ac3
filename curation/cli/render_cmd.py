"""`curate render RUN_DIR --out OUT_DIR`: canonical rows -> rendered text + loss spans + token counts."""

from __future__ import annotations

from typing import Annotated

import typer


def render(
    run_dir: Annotated[str, typer.Argument(help="A run directory of canonical rows (ingested, deduplicated or filtered); a path or an object store URL.")],
    out: Annotated[str, typer.Option("--out", "-o", help="New run directory for the rendered rows and the report; a path or an object store URL.")],
    template: Annotated[str, typer.Option(help="Chat template: qwen3, qwen3-nothink, qwen2.5, proof, or a path.")] = "qwen3-nothink",
    serving_template: Annotated[
        str | None, typer.Option(help="The template the model is served with (default: --template); a mismatch fails before any row.")
    ] = None,
    enable_thinking: Annotated[bool, typer.Option("--thinking/--no-thinking", help="Render reasoning (thinking mix).")] = False,
    identity_name: Annotated[str | None, typer.Option(help="Model name of the identity system message (e.g. Wind-Edge-1.6).")] = None,
    identity_maker: Annotated[str | None, typer.Option(help="Maker of the identity system message.")] = None,
    tokenizer: Annotated[str, typer.Option(help="Tokenizer: qwen3, qwen3.5 or hf:<name or path>.")] = "qwen3",
    special_text: Annotated[str, typer.Option(help="Special-token text in content: drop the row or escape it.")] = "drop",
    check: Annotated[bool, typer.Option("--check/--no-check", help="Train/serve prefix check (template_mismatch).")] = True,
) -> None:
    """Render every row through the chat template, with loss spans and exact token counts."""
    from curation.cli.main import _fail, _user_errors
    from curation.cli.tables import console, funnel_table, reasons_table
    from curation.render.stage import STAGE, RenderOptions, render_run
    from curation.run_store import fetched_run, run_output

    try:
        options = RenderOptions(
            template=template,
            serving_template=serving_template,
            enable_thinking=enable_thinking,
            identity_name=identity_name,
            identity_maker=identity_maker,
            tokenizer=tokenizer,
            special_text=special_text,
            check=check,
        )
        with run_output(out) as local_out:
            summary = render_run(fetched_run(run_dir), local_out, options)
    except _user_errors() as exc:
        _fail(str(exc))
    con = console()
    con.print(funnel_table(summary, stage=STAGE))
    con.print(reasons_table(summary, stage=STAGE, by_source=True))
    con.print(f"Rendered rows (text, spans, token_spans, n_tokens): {out}/sources/*/data   report: curate report {out} --stage {STAGE}")
