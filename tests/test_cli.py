"""The curate CLI: user mistakes get one line naming the problem and exit status 2."""

import json

import pytest
from typer.testing import CliRunner

from curation.cli.main import app

runner = CliRunner()


def _alpaca_file(tmp_path, rows=3):
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"instruction": f"q{i}", "input": "", "output": f"a{i}"}) + "\n" for i in range(rows)))
    return path


def test_ingest_then_report(tmp_path):
    run = tmp_path / "run"
    result = runner.invoke(app, ["ingest", str(_alpaca_file(tmp_path)), "--adapter", "alpaca", "-o", str(run)])
    assert result.exit_code == 0, result.output
    assert "alpaca" in result.output and "3" in result.output
    result = runner.invoke(app, ["report", str(run), "--examples", "2"])
    assert result.exit_code == 0, result.output
    assert "Funnel" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "{tmp}/missing.jsonl", "--adapter", "alpaca"], "missing.jsonl"),
        (["ingest", "{file}", "--adapter", "no_such"], "no_such"),
        (["ingest", "{file}", "--adapter", "alpaca", "--option", "oops"], "KEY=VALUE"),
        (["ingest", "{file}", "--adapter", "alpaca", "--option", "domain=x"], "domain"),
        (["ingest", "{file}", "--adapter", "alpaca", "--format", "xml"], "xml"),
        (["ingest", "{file}", "--adapter", "alpaca", "--compression", "brotli"], "brotli"),
        (["report", "{tmp}"], "not a run directory"),
    ],
)
def test_user_errors_are_one_line(tmp_path, args, message):
    file = _alpaca_file(tmp_path)
    args = [a.format(tmp=tmp_path, file=file) for a in args]
    if args[0] == "ingest":
        args += ["-o", str(tmp_path / "run")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "error:" in result.output and message in result.output
    assert "Traceback" not in result.output


def test_report_names_an_unknown_source(tmp_path):
    run = tmp_path / "run"
    assert runner.invoke(app, ["ingest", str(_alpaca_file(tmp_path)), "-a", "alpaca", "-o", str(run)]).exit_code == 0
    result = runner.invoke(app, ["report", str(run), "--source", "nope"])
    assert result.exit_code == 2 and "no source 'nope'" in result.output


def test_schemas_check_passes():
    result = runner.invoke(app, ["schemas", "--check"])
    assert result.exit_code == 0, result.output


def test_readme_lists_every_adapter():
    from pathlib import Path

    from curation.adapters import ADAPTERS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [name for name in ADAPTERS if f"| `{name}` |" not in readme]
    assert not missing, f"README's adapters table lacks {missing}"
