"""Mix manifests: YAML -> validated model; every bad input is an error naming its field."""

import copy
import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from adapter_rows import fixture

from curation.filters.identity import IdentityFilter
from curation.mix.manifest import (
    MixManifest,
    MixPart,
    check_reachable,
    load_manifest,
    parse_manifest,
)
from curation.mix.manifest_types import parse_token_count


@pytest.fixture
def mix_dir(tmp_path: Path) -> Path:
    """A manifest directory with two small local sources."""
    (tmp_path / "data" / "claude").mkdir(parents=True)
    (tmp_path / "data" / "claude" / "a.jsonl").write_text('{"messages": []}\n')
    (tmp_path / "data" / "claude" / "b.jsonl").write_text('{"messages": []}\n')
    (tmp_path / "alpaca.jsonl").write_text('{"instruction": "x", "input": "", "output": "y"}\n')
    return tmp_path


def base() -> dict:
    return {
        "name": "wind-edge-1.6-distill-12m",
        "budget_tokens": "12M",
        "template": {"name": "qwen3-nothink", "identity": {"name": "Wind-Edge-1.6", "maker": "North AI"}},
        "sources": [
            {"name": "claude", "adapter": "distill_messages", "location": "data/claude/*.jsonl", "weight": 5},
            {
                "name": "alpaca",
                "adapter": "alpaca",
                "location": "alpaca.jsonl",
                "weight": 1,
                "max_epochs": 2.5,
            },
            {
                "name": "orca",
                "adapter": "openorca",
                "location": "hf:Open-Orca/OpenOrca",
                "revision": "abc123",
                "weight": 2,
            },
        ],
    }


def staged() -> dict:
    data = base()
    del data["budget_tokens"]
    for s in data["sources"]:
        del s["weight"]
    data["stages"] = [
        {"name": "reasoning-sft", "budget_tokens": 600, "weights": {"claude": 1}},
        {"name": "fast-sft", "budget_tokens": "1k", "weights": {"alpaca": 1, "orca": 3}},
    ]
    return data


def test_a_valid_manifest_with_defaults(mix_dir: Path):
    m = parse_manifest(base(), mix_dir)
    assert m.budget_tokens == 12_000_000 and m.seed == 0 and m.tokenizer == "qwen3"
    assert m.template.system_message() == "You are Wind-Edge-1.6, a helpful assistant created by North AI."
    assert [s.name for s in m.sources] == ["claude", "alpaca", "orca"]
    alpaca = m.source("alpaca")
    assert alpaca.max_epochs == 2.5 and alpaca.split == "train" and alpaca.priority == 0
    assert m.dedup.exact and m.dedup.near and m.dedup.scope == "source" and m.dedup.threshold == 0.8
    assert (
        m.split.eval_fraction == 0.0
        and m.output.max_shard_rows == 50_000
        and m.output.max_shard_bytes == 256 << 20
    )
    assert m.base_dir == mix_dir.resolve()
    assert m.parts() == [MixPart("main", 12_000_000, {"claude": 5.0, "alpaca": 1.0, "orca": 2.0})]
    assert m.total_budget == 12_000_000


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("12M", 12_000_000),
        ("1.2T", 1_200_000_000_000),
        ("150B", 150 * 10**9),
        ("500k", 500_000),
        ("12_000_000", 12_000_000),
        ("2,500", 2500),
        (1.0e12, 10**12),
        ("1e12", 10**12),
        ("2.5e3k", 2_500_000),
        (7, 7),
    ],
)
def test_token_counts(text, tokens):
    assert parse_token_count(text) == tokens


def test_load_from_yaml_resolves_paths_against_the_manifest_dir(mix_dir: Path, monkeypatch, tmp_path_factory):
    path = mix_dir / "mix.yaml"
    path.write_text(yaml.safe_dump(base()))
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    m = load_manifest(path)
    loc = m.source("claude").location_spec(m.base_dir)
    assert loc.path == str(mix_dir.resolve() / "data/claude/*.jsonl")
    hub = m.source("orca").location_spec(m.base_dir)
    assert (hub.hub, hub.revision, hub.split) == ("Open-Orca/OpenOrca", "abc123", "train")
    spec = m.source("alpaca").source_spec(m.base_dir)
    assert spec.name == "alpaca" and spec.adapter == "alpaca" and Path(spec.location.path).is_file()
    assert m.source("claude").location == "data/claude/*.jsonl"  # the manifest text is kept as written


def test_inputs_may_live_outside_the_manifest_dir(tmp_path: Path):
    """Inputs are only read: absolute paths and `..` are allowed (a corpus on another disk)."""
    alpaca = fixture("instruct/llamafactory/alpaca_en_demo.json")
    data = copy.deepcopy(base())
    data["sources"] = [
        {"name": "abs", "adapter": "alpaca", "location": str(alpaca), "weight": 1},
        {"name": "rel", "adapter": "alpaca", "location": os.path.relpath(alpaca, tmp_path), "weight": 1},
    ]
    m = parse_manifest(data, tmp_path)
    assert m.source("rel").location.startswith("..")
    assert Path(m.source("rel").location_spec(m.base_dir).path).resolve() == alpaca.resolve()


def _error(data: dict, base_dir: Path, **kwargs) -> str:
    with pytest.raises(ValueError) as info:
        parse_manifest(data, base_dir, where="mix.yaml", **kwargs)
    return str(info.value)


def _edit(path: str, value, data=None):
    """base() with `value` at the dotted `path` (list entries by index); value DELETE removes it."""
    data = copy.deepcopy(data or base())
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node.setdefault(key, {})
    if value is DELETE:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return data


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("name", "Wind Edge", "name: String should match pattern"),
        ("name", "../escape", "name: String should match pattern"),
        ("sources.0.name", "a/b", "sources.a/b.name: String should match pattern"),
        ("sources.1.name", "claude", "sources.claude: name used twice"),
        ("sources.0.name", DELETE, "sources[0].name: required field is missing"),
        ("sources.0.weight", -1, "sources.claude.weight: Input should be greater than or equal to 0"),
        ("sources.0.weight", float("nan"), "sources.claude.weight: Input should be a finite number"),
        ("sources.0.weight", True, "sources.claude.weight: Input should be a valid number"),
        ("sources.0.weight", DELETE, "sources.claude.weight: required field is missing"),
        (
            "sources.0.adapter",
            "openorka",
            "sources.claude.adapter: unknown adapter 'openorka'; known adapters: alpaca",
        ),
        (
            "sources.1.options",
            {"domian": "math"},
            "sources.alpaca.options.domian: adapter 'alpaca' has no such option",
        ),
        ("sources.0.options", {"x": 1}, "sources.claude.options.x: Input should be a valid string"),
        ("sources.1.location", "missing/*.jsonl", "sources.alpaca.location: "),
        ("sources.1.location", "nope.jsonl", "no such file or directory"),
        ("sources.1.location", "", "sources.alpaca.location: location is empty"),
        (
            "sources.1.revision",
            "main",
            "sources.alpaca.revision: only a Hub location (hf:...) has a revision",
        ),
        ("sources.1.subset", "en", "sources.alpaca.subset: only a Hub location"),
        ("sources.2.location", "hf:", "sources.orca.location: 'hf:' is not a Hub dataset id"),
        ("sources.2.location", "hf:a/b/../c", "is not a Hub dataset id"),
        ("sources.1.format", "xml", "sources.alpaca.format: unknown format 'xml'"),
        (
            "sources.1.max_epochs",
            -0.5,
            "sources.alpaca.max_epochs: Input should be greater than or equal to 0",
        ),
        ("sources.1.max_epochs", 0, "sources.alpaca.max_epochs: 0, but it has weight 1"),
        ("sources.1.priority", 1.5, "sources.alpaca.priority: Input should be a valid integer"),
        ("sources.1.wieght", 1, "sources.alpaca.wieght: unknown field"),
        ("sources", [], "sources: List should have at least 1 item"),
        ("budget_tokens", 0, "budget_tokens: Input should be greater than 0"),
        ("budget_tokens", -5, "budget_tokens: Input should be greater than 0"),
        ("budget_tokens", "1.2345k", "budget_tokens: '1.2345k' is not a whole number of tokens"),
        ("budget_tokens", "twelve", "budget_tokens: expected a whole number of tokens"),
        ("budget_tokens", True, "budget_tokens: Input should be a valid integer"),
        ("budget_tokens", DELETE, "budget_tokens: required field is missing (or give stages or phases)"),
        ("seed", "0", "seed: Input should be a valid integer"),
        ("tokenizer", "llama3", "tokenizer: unknown tokenizer 'llama3'; known: qwen3, qwen3.5"),
        ("tokenizer", "hf:", "tokenizer: hf: needs a tokenizer name"),
        ("tokenizer", "hf:./no-such-tokenizer", "tokenizer: tokenizer path not found"),
        (
            "template.name",
            "chatml",
            "template.name: unknown chat template 'chatml'; known: qwen3, qwen3-nothink",
        ),
        ("template.name", "templates/missing.jinja", "template.name: chat template file not found"),
        ("template.serving", "vicuna", "template.serving: unknown chat template 'vicuna'"),
        ("template.identity", DELETE, "template.identity: name and maker are required"),
        ("template.identity.maker", " ", "template.identity.maker: String should match pattern"),
        ("dedup.threshold", 0, "dedup.threshold: Input should be greater than 0"),
        ("dedup.scope", "global", "dedup.scope: Input should be 'source' or 'mix'"),
        ("dedup.key", "title", "dedup.key: Input should be 'auto'"),
        ("dedup.ngram", 0, "dedup.ngram: Input should be greater than or equal to 1"),
        ("dedup.num_perm", 0, "dedup.num_perm: Input should be greater than or equal to 1"),
        ("dedup.verify", "maybe", "dedup.verify: Input should be 'exact', 'signature' or 'none'"),
        ("split.eval_fraction", 0.5, "split.eval_fraction: Input should be less than 0.5"),
        ("split.by", "near_duplicate_cluster", None),  # valid with near dedup on (the default)
        ("output.max_shard_rows", 0, "output.max_shard_rows: Input should be greater than or equal to 1"),
        ("output.pack", True, "output.context_length: required when output.pack is true"),
        ("filters", {"identty": True}, "filters.identty: unknown parameter"),
        ("filters", {"pii": {"email": "nuke"}}, "filters.pii: email must be one of"),
        (
            "filters",
            {"sources": {"web": {"pii": True}}},
            "filters.sources.web: unknown source; sources are alpaca",
        ),
        ("sources.0.filters", {"pii": {"phone": "x"}}, "sources.claude.filters.pii: phone must be one of"),
        ("extra", 1, "extra: unknown field"),
    ],
)
def test_bad_input_names_the_field(mix_dir: Path, path, value, message):
    data = _edit(path, value)
    if message is None:
        parse_manifest(data, mix_dir)
        return
    assert message in _error(data, mix_dir)


def test_all_zero_weights(mix_dir: Path):
    data = base()
    for s in data["sources"]:
        s["weight"] = 0
    assert "sources: every weight is 0" in _error(data, mix_dir)


def test_eval_split_by_cluster_needs_near_dedup(mix_dir: Path):
    data = _edit("split", {"by": "near_duplicate_cluster"}, _edit("dedup.near", False))
    assert "split.by: near_duplicate_cluster needs near dedup" in _error(data, mix_dir)


def test_filter_overrides_written_in_two_places(mix_dir: Path):
    data = _edit(
        "filters", {"sources": {"claude": {"pii": True}}}, _edit("sources.0.filters", {"pii": False})
    )
    assert "sources.claude.filters: also given under filters.sources.claude" in _error(data, mix_dir)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "stages.0.weights",
            {"claud": 1},
            "stages.reasoning-sft.weights.claud: unknown source; sources are claude",
        ),
        ("stages.1.weights", {"alpaca": 0, "orca": 0}, "stages.fast-sft.weights: every weight is 0"),
        (
            "stages.1.weights",
            {"alpaca": -1},
            "stages.fast-sft.weights.alpaca: Input should be greater than or equal",
        ),
        ("stages.1.weights", {}, "stages.fast-sft.weights: Dictionary should have at least 1 item"),
        ("stages.1.name", "reasoning-sft", "stages.reasoning-sft: name used twice"),
        ("stages.1.budget_tokens", DELETE, "stages.fast-sft.budget_tokens: required field is missing"),
        ("sources.0.weight", 1, "sources.claude.weight: the mix has stages; give the weights per stage"),
        ("budget_tokens", 1000, "budget_tokens: 1,000 differs from the sum of the stages' budgets 1,600"),
        ("sources.0.max_epochs", 0, "sources.claude.max_epochs: 0, but it has weight 1 in reasoning-sft"),
        (
            "phases",
            [{"name": "p1", "budget_tokens": 10, "context_length": 4096, "weights": {"claude": 1}}],
            "stages, phases: give a curriculum (stages) or pretraining phases, not both",
        ),
    ],
)
def test_bad_stages_name_the_field(mix_dir: Path, path, value, message):
    assert message in _error(_edit(path, value, staged()), mix_dir)


def test_phases_need_a_context_length(mix_dir: Path):
    data = staged()
    data["phases"] = [{"name": "p1", "budget_tokens": "1T", "weights": {"claude": 1}}]
    del data["stages"]
    assert "phases.p1.context_length: required field is missing" in _error(data, mix_dir)


def test_stages_and_phases_become_parts(mix_dir: Path):
    m = parse_manifest(staged(), mix_dir)
    assert m.budget_tokens is None and m.total_budget == 1600
    assert m.parts() == [
        MixPart("reasoning-sft", 600, {"claude": 1.0}),
        MixPart("fast-sft", 1000, {"alpaca": 1.0, "orca": 3.0}),
    ]
    data = staged()
    del data["stages"]
    data["phases"] = [
        {
            "name": "p1",
            "budget_tokens": "1.0T",
            "context_length": 4096,
            "weights": {"claude": 50, "alpaca": 20},
        },
        {
            "name": "p2",
            "budget_tokens": "150B",
            "context_length": 8192,
            "weights": {"claude": 1},
            "min_doc_tokens": 2048,
        },
    ]
    data["budget_tokens"] = "1.15T"
    data["output"] = {"pack": True}  # phases carry the context length
    m = parse_manifest(data, mix_dir)
    assert m.parts()[1] == MixPart("p2", 150 * 10**9, {"claude": 1.0}, 8192, 2048)
    assert m.total_budget == 1_150_000_000_000


def test_scaled_multiplies_every_budget(mix_dir: Path):
    m = parse_manifest(base(), mix_dir).scaled(0.001)
    assert m.budget_tokens == 12_000 and m.base_dir == mix_dir.resolve()
    s = parse_manifest(_edit("budget_tokens", 1600, staged()), mix_dir).scaled(0.25)
    assert [p.budget_tokens for p in s.stages] == [150, 250] and s.budget_tokens == 400
    assert parse_manifest(staged(), mix_dir).scaled(1e-9).total_budget == 2  # at least 1 token per stage
    with pytest.raises(ValueError, match="scale factor must be a positive number"):
        m.scaled(0)


def test_filters_merge_per_source_overrides(mix_dir: Path):
    data = base()
    data["filters"] = {
        "identity": {"action": "rewrite", "name": "Wind-Edge-1.6", "maker": "North AI"},
        "pii": True,
        "sources": {"orca": {"pii": False}},
    }
    data["sources"][0]["filters"] = {"identity": {"action": "drop"}, "chat_quality": {}}
    config = parse_manifest(data, mix_dir).source_filter_config()
    claude = config.for_source("claude")
    assert claude.identity == IdentityFilter("drop", "Wind-Edge-1.6", "North AI")  # merged key by key
    assert claude.chat_quality is not None and claude.pii is not None
    assert config.for_source("orca").pii is None
    assert config.for_source("alpaca").identity.action == "rewrite"
    assert config.stages() == ["identity", "pii", "chat_quality"]


def test_filter_paths_resolve_against_the_manifest_dir(mix_dir: Path):
    (mix_dir / "bench.jsonl").write_text('{"question": "q", "answer": "a"}\n')
    data = _edit(
        "filters",
        {"decontam": {"benchmarks": [{"name": "b", "path": "bench.jsonl", "fields": ["question"]}]}},
    )
    config = parse_manifest(data, mix_dir).source_filter_config()
    assert Path(config.decontam.benchmarks[0].path) == mix_dir / "bench.jsonl"


def test_template_and_tokenizer_paths(mix_dir: Path):
    (mix_dir / "tpl").mkdir()
    (mix_dir / "tpl" / "chat.jinja").write_text("{% for m in messages %}{{ m.content }}{% endfor %}")
    (mix_dir / "tpl" / "bad.jinja").write_text("{% for m in messages %}")
    (mix_dir / "tok").mkdir()
    data = _edit("template", {"name": "tpl/chat.jinja", "serving": "qwen3"}, _edit("tokenizer", "hf:./tok"))
    m = parse_manifest(data, mix_dir)
    assert m.template.template_ref(m.base_dir) == str(mix_dir.resolve() / "tpl/chat.jinja")
    assert m.template.serving_ref(m.base_dir) == "qwen3" and m.template.system_message() is None
    assert m.tokenizer_name() == f"hf:{mix_dir.resolve() / 'tok'}"
    (mix_dir / "tok" / "tokenizer.json").write_text("{}")
    (mix_dir / "tok" / ".cache").mkdir()
    (mix_dir / "tok" / ".cache" / "lock").write_text("")
    # what the lock fingerprints and the flows' cache keys cover besides the inputs
    assert m.referenced_files() == [mix_dir.resolve() / "tok" / "tokenizer.json", mix_dir.resolve() / "tpl" / "chat.jinja"]
    assert (
        parse_manifest(_edit("tokenizer", "hf:Qwen/Qwen3-8B"), mix_dir).tokenizer_name() == "hf:Qwen/Qwen3-8B"
    )
    assert parse_manifest(_edit("tokenizer", "Qwen3.5"), mix_dir).tokenizer == "Qwen3.5"
    bad = _edit("template", {"name": "tpl/bad.jinja"})
    assert "template.name: chat template" in _error(bad, mix_dir) and "does not compile" in _error(
        bad, mix_dir
    )


def test_serving_nothink_needs_identity_too(mix_dir: Path):
    data = _edit("template", {"name": "qwen3", "serving": "qwen3-nothink"})
    assert "template.identity: name and maker are required" in _error(data, mix_dir)


def test_check_files_false_skips_input_checks(mix_dir: Path, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    assert "sources.claude.location" in _error(base(), empty)
    m = parse_manifest(base(), empty, check_files=False)
    assert m.source("claude").location == "data/claude/*.jsonl"


def test_dedup_options_for_the_dedup_stage(mix_dir: Path):
    m = parse_manifest(
        _edit("dedup", {"scope": "mix", "threshold": 0.7, "num_perm": 112, "ngram": 3, "verify": "signature"}), mix_dir
    )
    near = m.dedup.near_options()
    assert (near.threshold, near.num_perm, near.ngram, near.key, near.verify) == (0.7, 112, 3, "auto", "signature")
    assert parse_manifest(_edit("dedup", {}), mix_dir).dedup.near_options().verify == "exact"
    assert m.dedup.exact_options().scope == "mix"
    assert parse_manifest(_edit("dedup.near", False), mix_dir).dedup.near_options() is None


def test_load_manifest_errors(tmp_path: Path):
    with pytest.raises(ValueError, match="no mix manifest at"):
        load_manifest(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ValueError, match="bad.yaml: not valid YAML"):
        load_manifest(bad)
    bad.write_text("- a\n- b\n")
    with pytest.raises(ValueError, match="bad.yaml: expected a mapping .* got list"):
        load_manifest(bad)
    bad.write_bytes(b"name: \xff\xfe\n")
    with pytest.raises(ValueError, match="not UTF-8"):
        load_manifest(bad)
    # Data only: a Python tag is a YAML error, never an object.
    bad.write_text("name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_manifest(bad)


def test_check_reachable():
    check_reachable(
        {"a": 2500, "b": 10, "c": 0}, {"a": 1000, "b": 10, "c": 0}, {"a": 2.5, "b": 1.0, "c": 0.0}
    )
    with pytest.raises(
        ValueError, match=r"source 'a': target 2,501 tokens > max_epochs 2.5 x 1,000 available"
    ):
        check_reachable({"a": 2501, "b": 10}, {"a": 1000, "b": 10}, {"a": 2.5, "b": 1.0})
    with pytest.raises(ValueError, match="source 'b': .* has none left"):
        check_reachable({"b": 1}, {"b": 0}, {"b": 1.0})
    with pytest.raises(ValueError, match="source 'z': no available token count"):
        check_reachable({"z": 1}, {}, {})
    # 0.1 x 30 is 3.0000000000000004 in floats; exact arithmetic on the float still admits 3.
    check_reachable({"a": 3}, {"a": 30}, {"a": 0.1})


def test_json_schema_is_valid_and_matches_the_model(mix_dir: Path):
    schema = MixManifest.model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(json.loads(json.dumps(staged()))))
    assert not list(validator.iter_errors(base()))  # "12M" is a valid budget in the schema too
    assert list(validator.iter_errors({**base(), "extra": 1}))
    assert list(validator.iter_errors(_edit("sources.0.name", "Bad Name")))
    # Every field documents itself.
    for name, model in schema["$defs"].items():
        for field, prop in model.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"
    assert all(p.get("description") for p in schema["properties"].values())


def test_dump_round_trips(mix_dir: Path):
    m = parse_manifest(staged(), mix_dir)
    again = parse_manifest(json.loads(m.model_dump_json()), mix_dir)
    assert again == m
