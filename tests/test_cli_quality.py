"""`curate quality train`: a fastText quality classifier from positive and negative runs."""

import json
import random

from typer.testing import CliRunner

from curation.cli.main import app

runner = CliRunner()
GOOD = "the committee reviewed the proposal carefully and explained its reasoning to every member in plain words".split()  # noqa: SIM905
BAD = "click here buy now cheap deals free free win prize login subscribe casino offer".split()  # noqa: SIM905


def _run(tmp_path, name, words, rows=120):
    rng = random.Random(name)
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps({"text": " ".join(rng.choices(words, k=40))}) + "\n" for _ in range(rows)))
    run = tmp_path / name
    result = runner.invoke(app, ["ingest", str(path), "--adapter", "documents", "-o", str(run)])
    assert result.exit_code == 0, result.output
    return run


def test_train_reports_holdout_accuracy_and_writes_a_model(tmp_path):
    good, bad = _run(tmp_path, "good", GOOD), _run(tmp_path, "bad", BAD)
    model = tmp_path / "quality.bin"
    result = runner.invoke(
        app, ["quality", "train", "--positive", str(good), "--negative", str(bad), "--out", str(model), "--holdout", "0.2"]
    )
    assert result.exit_code == 0, result.output
    assert model.is_file()
    text = " ".join(result.output.split())
    assert "trained on 96 positive + 96 negative texts" in text
    assert "held-out accuracy 1.000 on 24 + 24 texts" in text


def test_train_bad_input(tmp_path):
    good = _run(tmp_path, "good", GOOD, rows=5)
    for args, message in (
        (["--holdout", "1.5"], "--holdout must be in [0, 1)"),
        (["--negative", str(tmp_path / "nope")], "not a run directory"),
    ):
        base = {"--positive": str(good), "--negative": str(good), "--out": str(tmp_path / "m.bin")}
        for flag, value in zip(args[::2], args[1::2], strict=True):
            base[flag] = value
        result = runner.invoke(app, ["quality", "train", *[x for kv in base.items() for x in kv]])
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split())
    result = runner.invoke(app, ["quality", "train", "--positive", str(good), "--negative", str(good), "--out", str(tmp_path / "no" / "m.bin")])
    assert result.exit_code == 2 and "does not exist" in result.output
