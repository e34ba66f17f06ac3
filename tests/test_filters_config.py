"""Filter configs: YAML -> validated filters, per-source overrides, errors that name the field."""

from pathlib import Path

import pytest

from curation.filters.config import CHAIN_ORDER, FILTER_NAMES, load_filter_config, parse_filter_config
from curation.filters.decontam import Decontaminator
from curation.filters.identity import IdentityFilter


def test_switches_defaults_and_parameters():
    config = parse_filter_config(
        {"identity": {"action": "rewrite", "name": "Wind-Edge-1.6", "maker": "Wind-Edge Labs"}, "pii": True, "c4": False}
    )
    assert config.enabled() == ["identity", "pii"]
    assert config.identity == IdentityFilter("rewrite", "Wind-Edge-1.6", "Wind-Edge Labs")
    assert config.pii is not None and config.pii.email == "redact"  # the published default
    assert config.c4 is None


def test_chain_order_is_fixed_whatever_the_written_order():
    config = parse_filter_config({"pattern_cap": True, "fineweb": True, "reasoning": {"mode": "strip"}, "identity": True})
    assert config.stages() == ["reasoning", "pattern_cap", "identity", "fineweb"]
    assert list(FILTER_NAMES) == [CHAIN_ORDER[0], "pattern_cap", *CHAIN_ORDER[1:]]  # the cap after reasoning


def test_per_source_overrides_merge_key_by_key():
    config = parse_filter_config(
        {
            "chat_quality": {"min_response_chars": 5},
            "pii": True,
            "sources": {
                "glaive": {"chat_quality": {"check_refusal": False}, "pii": False},
                "web": {"gopher_quality": {"min_words": 10}},
            },
        }
    )
    glaive = config.for_source("glaive")
    assert glaive.chat_quality.check_refusal is False and glaive.chat_quality.min_response_chars == 5
    assert glaive.pii is None
    web = config.for_source("web")
    assert web.gopher_quality.min_words == 10 and web.pii is not None
    other = config.for_source("openorca")
    assert other.gopher_quality is None and other.chat_quality.check_refusal is True
    # The funnel gets one stage list for every source: the union.
    assert config.stages() == ["pii", "chat_quality", "gopher_quality"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"identty": True}, "identty: unknown parameter"),
        ({"chat_quality": {"check_refusl": False}}, "chat_quality.check_refusl: unknown parameter"),
        ({"gopher_quality": {"min_words": -1}}, "gopher_quality: min_words must be an int >= 0"),
        ({"pii": {"email": "nuke"}}, "pii: email must be one of"),
        ({"sources": {"glaive": {"pii": {"phone": "x"}}}}, "sources.glaive.pii: phone must be one of"),
        ({"identity": {"action": "rewrite"}}, "name must be non-empty"),
        ({"language": {"model_path": "/no/lid.bin"}}, "fastText model not found: /no/lid.bin"),
        ({"decontam": {"benchmarks": []}}, "decontam.benchmarks"),
        ({"decontam": {"benchmarks": [{"name": "gsm8k", "path": "/no/test.jsonl"}]}}, "gsm8k: /no/test.jsonl"),
        ({"pattern_cap": {"max_share": 1.5}}, "max_share must be in (0, 1)"),
        ({"sources": {"web": "yes"}}, "sources.web"),
        (["identity"], "expected a mapping"),
    ],
)
def test_bad_configs_name_the_field(data, message):
    with pytest.raises(ValueError, match="filter config") as err:
        parse_filter_config(data)
    assert message in str(err.value)


def test_yaml_file_relative_paths_and_errors(tmp_path: Path):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "items.jsonl").write_text('{"text": "one two three four five six seven eight nine ten eleven twelve thirteen"}\n')
    path = tmp_path / "filters.yaml"
    path.write_text("decontam:\n  benchmarks:\n    - {name: mine, path: bench/items.jsonl}\n  n: 5\n")
    config = load_filter_config(path)
    assert Path(config.decontam.benchmarks[0].path) == bench / "items.jsonl"
    assert isinstance(config.filter("decontam"), Decontaminator)
    assert config.filter("decontam") is config.filter("decontam")  # one index per config
    with pytest.raises(ValueError, match="no filter config at"):
        load_filter_config(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("identity: [unclosed\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_filter_config(tmp_path / "bad.yaml")
    (tmp_path / "typo.yaml").write_text("chat_quality: {check_refusl: false}\n")
    with pytest.raises(ValueError, match=r"typo.yaml: chat_quality.check_refusl: unknown parameter"):
        load_filter_config(tmp_path / "typo.yaml")
