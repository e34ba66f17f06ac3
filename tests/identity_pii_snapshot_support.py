"""Shared by the identity and PII snapshot tests: the recording code and the snapshot it wrote
(benchmarks/filters/identity_pii_snapshot.py -> tests/data/identity_pii_verdicts.json), and the
row-by-row comparison, whole batch and split over several chunks."""

import importlib.util
import json
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "tests" / "data" / "identity_pii_verdicts.json"
SCRIPT = ROOT / "benchmarks" / "filters" / "identity_pii_snapshot.py"


def load_snapshot():
    """(the recording module, the snapshot data)."""
    spec = importlib.util.spec_from_file_location("identity_pii_snapshot", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def assert_rows_match(module, data, config: str) -> None:
    """The stored rows give the recorded outcomes under `config`, whole and chunked."""
    rows = data["rows"]
    table = module.rows_table(rows)
    chunked = pa.concat_tables([table.slice(0, 7), table.slice(7, 150), table.slice(157)])
    for t in (table, chunked):
        got, group = module.outcomes(config, t)
        diff = [(r["id"], r["outcome"].get(config), g) for r, g in zip(rows, got, strict=True) if r["outcome"].get(config) != g]
        assert not diff, diff[:3]
        assert group == data["groups"][config]
    assert sum(config in r["outcome"] for r in rows) > 100
