"""Prefect flows and deployments: thin, each task a call into curation/ (which imports no Prefect).

flows.mix            build-mix, pretrain-phase, regenerate-mix
flows.curate_source  curate-source: one source through ingest -> dedup -> filter -> render
flows.source         the per-source tasks (cached on input fingerprints, sources in parallel)
flows.artifacts      the tables and reports a run leaves in the UI
flows.serve          a local Prefect server + the deployments (`curate serve`)
"""

import os

# Before Prefect reads its settings: no analytics, and time for the ephemeral server (started when
# a flow is called with no PREFECT_API_URL) to migrate its database on a busy machine (default 20 s).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
