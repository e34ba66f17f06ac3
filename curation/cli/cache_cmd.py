"""`curate cache show | prune`: the local copies of object-store runs (curation/run_cache.py)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

cache_app = typer.Typer(
    help="The local copies of runs kept in an object store (under CURATION_CACHE).", no_args_is_help=True
)


def _gb(n: int) -> str:
    return f"{n / 1e9:,.2f} GB"


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


@cache_app.command("show")
def show() -> None:
    """List the cached copies, least recently used first, with their size and last use."""
    from rich.table import Table

    from curation.cli.main import console
    from curation.run_cache import cache_entries
    from curation.run_store import cache_root

    entries, now = cache_entries(), time.time()
    if not entries:
        console().print(f"nothing cached in {cache_root()}")
        return
    table = Table("kind", "copy", "size", "last used", title=str(cache_root()))
    for e in entries:
        table.add_row(e.kind, e.path.name, _gb(e.bytes), f"{_age(now - e.last_used)} ago")
    console().print(table)
    console().print(f"{len(entries)} entries, {_gb(sum(e.bytes for e in entries))}")


@cache_app.command("prune")
def prune(
    older_than: Annotated[
        float, typer.Option("--older-than", help="Remove copies not used for this many days.")
    ] = 7.0,
    max_gb: Annotated[
        float | None,
        typer.Option("--max-gb", help="Then remove the least recently used until the cache holds at most this."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be removed; remove nothing.")] = False,
) -> None:
    """Remove cached copies not used lately; a copy used in the last hour is always kept."""
    from curation.cli.main import _fail, console
    from curation.run_cache import cache_entries, plan_prune, remove_entry

    if older_than < 0:
        _fail(f"--older-than must be 0 or more days, got {older_than}")
    if max_gb is not None and max_gb < 0:
        _fail(f"--max-gb must be 0 or more, got {max_gb}")
    entries, now = cache_entries(), time.time()
    max_bytes = None if max_gb is None else int(max_gb * 1e9)
    remove = plan_prune(entries, older_than * 86400, max_bytes, now)
    verb = "would remove" if dry_run else "removed"
    for e in remove:
        if not dry_run:
            remove_entry(e)
        console().print(f"{verb} {e.kind}/{e.path.name} ({_gb(e.bytes)}, last used {_age(now - e.last_used)} ago)")
    freed = sum(e.bytes for e in remove)
    left = sum(e.bytes for e in entries) - freed
    console().print(f"{verb} {len(remove)} of {len(entries)} entries, {_gb(freed)}; {_gb(left)} left")
    if max_bytes is not None and left > max_bytes:
        console().print(f"still over --max-gb {max_gb}: the rest was used within the last hour")
