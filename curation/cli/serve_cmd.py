"""`curate serve`: a local Prefect server and UI with every flow deployed, on 127.0.0.1.

Prefect lives in flows/ (the library imports none of it); it is imported only when this
command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_HOME = Path("runs/prefect")


def serve(
    host: Annotated[
        str, typer.Option(help="Address the server listens on (keep 127.0.0.1 unless you mean it).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the server and its UI.")] = 4200,
    home: Annotated[Path, typer.Option(help="PREFECT_HOME: the server's SQLite database and logs.")] = DEFAULT_HOME,
) -> None:
    """Start a Prefect server (SQLite, analytics off), serve the flows as deployments
    (build-mix, curate-source, pretrain-phase, regenerate-mix), print the UI address; Ctrl-C stops."""
    from curation.cli.main import _fail

    if not 0 < port < 65536:
        _fail(f"--port must be 1-65535, got {port}")
    try:
        from flows.serve import serve as serve_flows
    except ImportError as exc:
        _fail(f"the Prefect flows are not importable ({exc}); install the project with its dependencies")
    try:
        serve_flows(host, port, home)
    except RuntimeError as exc:
        _fail(str(exc))
