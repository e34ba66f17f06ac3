"""Source files for the code corpus: Python modules built from the coding tasks, plus a few
SQL and shell files, each with a repository, a path and a licence."""

from __future__ import annotations

import random
import re

from curation.demo import codegen
from curation.demo.codegen_records import DOMAINS

OWNERS = (
    "tidewater-labs", "jmoreau", "quietfox", "northbeam", "okafor-dev", "lindqvist", "paperplane-io",
    "kestrel-tools", "hollowtree", "brightmoss", "saltmarsh", "tanaka-k",
)
PROJECTS = (
    "pyutils", "datakit", "tinytools", "ledger", "homebase", "fieldnotes", "snippets", "reportgen",
    "cli-helpers", "inventory", "scratchpad", "etl-lite",
)
LICENSES = ("mit", "apache-2.0", "bsd-3-clause", "mit", "apache-2.0", "gpl-3.0", "isc")
MODULE_DOCS = (
    "Small helpers used across the project.", "Utility functions for data cleanup.",
    "Pure functions with no I/O.", "Text and list helpers.", "Helpers for summarising records.",
    "Algorithms used by the report generator.",
)


def python_module(rng: random.Random) -> tuple[str, str] | None:
    """(content, module name) of a module with 2-4 functions and a tiny self-test; None
    when two drawn functions share a name."""
    tasks = [codegen.code_task(rng) for _ in range(rng.randint(2, 4))]
    imports: list[str] = []
    bodies: list[str] = []
    for t in tasks:
        lines = t.code.rstrip().split("\n")
        while lines and (lines[0].startswith(("import ", "from ")) or not lines[0].strip()):
            if lines[0].strip() and lines[0] not in imports:
                imports.append(lines[0])
            lines.pop(0)
        bodies.append("\n".join(lines))
    names = [t.entry_point for t in tasks]
    if len(set(names)) != len(names):
        return None
    head = f'"""{rng.choice(MODULE_DOCS)}"""\n\n'
    head += "\n".join(sorted(imports)) + "\n\n\n" if imports else "\n"
    main = ""
    if rng.random() < 0.5:
        checks = "\n".join("    " + t.tests[0] for t in tasks)
        main = f"\n\n\nif __name__ == \"__main__\":\n{checks}\n    print(\"ok\")"
    module = re.sub(r"[^a-z0-9_]", "_", rng.choice(["helpers", "utils", "core", "records", "text_tools",
                                                    "algorithms", "misc"]))
    return head + "\n\n\n".join(bodies) + main + "\n", module


def sql_file(rng: random.Random) -> str:
    d = rng.choice(DOMAINS)
    return (f"-- Schema and report queries for {d.plural}.\n\nCREATE TABLE {d.plural} (\n"
            f"    id TEXT PRIMARY KEY,\n    {d.key} TEXT NOT NULL,\n"
            f"    {d.value} INTEGER NOT NULL CHECK ({d.value} >= {min(d.low, 0)})\n);\n\n"
            f"CREATE INDEX idx_{d.plural}_{d.key} ON {d.plural} ({d.key});\n\n"
            f"-- Total {d.value} per {d.key}.\nSELECT {d.key}, SUM({d.value}) AS total_{d.value}\n"
            f"FROM {d.plural}\nGROUP BY {d.key}\nORDER BY total_{d.value} DESC;\n\n"
            f"-- {d.plural.capitalize()} above the average {d.value}.\nSELECT id, {d.value}\n"
            f"FROM {d.plural}\nWHERE {d.value} > (SELECT AVG({d.value}) FROM {d.plural})\n"
            f"ORDER BY {d.value} DESC\nLIMIT {rng.choice([5, 10, 20, 50])};\n")


def shell_file(rng: random.Random) -> str:
    src = rng.choice(["$HOME/Documents", "/srv/data", "./reports", "/var/www/uploads"])
    keep = rng.randint(3, 30)
    return (f"#!/usr/bin/env bash\n# Archive {src} into a dated tarball and keep the newest {keep} "
            f"archives.\nset -euo pipefail\n\nSRC=\"{src}\"\nDEST=\"${{BACKUP_DIR:-$HOME/backups}}\"\n"
            "STAMP=\"$(date +%Y-%m-%d)\"\n\nmkdir -p \"$DEST\"\n"
            "tar -czf \"$DEST/backup-$STAMP.tar.gz\" -C \"$(dirname \"$SRC\")\" \"$(basename \"$SRC\")\"\n\n"
            f"# Remove all but the newest {keep} archives.\n"
            f"ls -1t \"$DEST\"/backup-*.tar.gz | tail -n +{keep + 1} | xargs -r rm --\n"
            "echo \"backup written to $DEST/backup-$STAMP.tar.gz\"\n")


def code_file(rng: random.Random) -> dict | None:
    """One row of the code corpus: {content, path, language, repo_name, license}."""
    repo = f"{rng.choice(OWNERS)}/{rng.choice(PROJECTS)}"
    kind = rng.random()
    if kind < 0.82:
        made = python_module(rng)
        if made is None:
            return None
        content, module = made
        pkg = repo.split("/")[1].replace("-", "_")
        path = rng.choice([f"src/{pkg}/{module}.py", f"{pkg}/{module}.py", f"{module}.py"])
        lang = "Python"
    elif kind < 0.92:
        content, path, lang = sql_file(rng), rng.choice(["sql/schema.sql", "db/reports.sql",
                                                         "queries.sql"]), "SQL"
    else:
        content, path, lang = shell_file(rng), rng.choice(["scripts/backup.sh", "bin/archive.sh",
                                                           "backup.sh"]), "Shell"
    return {"content": content, "path": path, "language": lang, "repo_name": repo,
            "license": rng.choice(LICENSES)}


def secrets_file(rng: random.Random) -> dict:
    """A config module with a hard-coded email and an API-key-like token (pii)."""
    token = "sk_live_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(24))
    user = rng.choice(["ana.moreau", "k.tanaka", "devops", "j.okafor"])
    content = ('"""Deployment settings. TODO: move these to environment variables."""\n\n'
               f'SMTP_HOST = "smtp.mailbox.example"\nALERT_EMAIL = "{user}@mailbox.example"\n'
               f'PAYMENT_API_KEY = "{token}"\nRETRY_LIMIT = {rng.randint(2, 9)}\n')
    return {"content": content, "path": "config/settings.py", "language": "Python",
            "repo_name": f"{rng.choice(OWNERS)}/{rng.choice(PROJECTS)}", "license": rng.choice(LICENSES)}


def generated_table_file(rng: random.Random) -> dict:
    """An auto-generated data file: the same line over and over (quality:repetition)."""
    value = rng.randint(0, 255)
    rows = f"    {value},\n" * rng.randint(120, 240)
    content = f"# Auto-generated lookup table. Do not edit.\nTABLE = [\n{rows}]\n"
    return {"content": content, "path": "src/generated/lookup_table.py", "language": "Python",
            "repo_name": f"{rng.choice(OWNERS)}/{rng.choice(PROJECTS)}", "license": rng.choice(LICENSES)}
