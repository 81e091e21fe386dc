"""Run configurations: every mistake is a ConfigError that names the key, before anything runs."""

from pathlib import Path

import pytest
import yaml

from evaluation.errors import ConfigError
from evaluation.runner.config import load_config, parse_config
from evaluation.runner.registry import STRANDS

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data").mkdir()
    return tmp_path


def write(folder, content):
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(content) if isinstance(content, dict) else content, encoding="utf-8")
    return path


def test_minimal_configuration_gets_the_documented_defaults(folder):
    config = load_config(write(folder, {"data": "data", "output": "out"}))
    assert config.data_dir == (folder / "data").resolve()
    assert config.output_dir == (folder / "out").resolve()
    assert config.strands == tuple(STRANDS)
    assert config.municipalities == "pooled" and not config.is_batch
    assert (config.lang, config.disclosure_threshold, config.seed) == ("cs", 5, 2019)
    assert config.report_formats == ("html", "pdf", "docx")
    assert config.workers is None


def test_unknown_key_is_an_error_naming_the_key(folder):
    with pytest.raises(ConfigError, match="unknown key 'langauge'"):
        load_config(write(folder, {"data": "data", "output": "out", "langauge": "en"}))


def test_missing_data_folder_is_an_error(folder):
    with pytest.raises(ConfigError, match="'data': folder .*nowhere does not exist"):
        load_config(write(folder, {"data": "nowhere", "output": "out"}))


def test_data_key_is_required(folder):
    with pytest.raises(ConfigError, match="'data' must be given"):
        load_config(write(folder, {"output": "out"}))


def test_unknown_strand_is_an_error_listing_the_known_ones(folder):
    with pytest.raises(ConfigError, match="unknown strand.*'retension'.*known strands: data_quality"):
        load_config(write(folder, {"data": "data", "output": "out", "strands": ["process", "retension"]}))


def test_every_problem_is_listed_at_once(folder):
    with pytest.raises(ConfigError) as info:
        load_config(write(folder, {"data": "data", "output": "out", "lang": "de", "disclosure_threshold": 0,
                                   "report_formats": ["pdf", "odt"], "workers": -1}))
    message = str(info.value)
    assert "4 problem(s)" in message
    for key in ("'lang'", "'disclosure_threshold'", "'report_formats'", "'workers'"):
        assert key in message


def test_period_must_be_ordered_dates(folder):
    with pytest.raises(ConfigError, match="ends .* before it starts"):
        load_config(write(folder, "data: data\noutput: out\nperiod: {start: 2021-01-01, end: 2020-01-01}\n"))
    config = load_config(write(folder, "data: data\noutput: out\nperiod: {start: 2019-01-01, end: 2020-12-31}\n"))
    assert config.period == ("2019-01-01", "2020-12-31")


def test_programme_step_must_be_a_code_of_the_data_contract(folder):
    with pytest.raises(ConfigError, match="'programme_step' 'krizove' is not a programme step"):
        load_config(write(folder, {"data": "data", "output": "out", "programme_step": "krizove"}))
    assert load_config(write(folder, {"data": "data", "output": "out",
                                      "programme_step": "crisis"})).programme_step == "crisis"


def test_strand_parameters_must_name_a_strand_of_the_run(folder):
    with pytest.raises(ConfigError, match="strand 'impact', which this run does not include"):
        load_config(write(folder, {"data": "data", "output": "out", "strands": ["process"],
                                   "parameters": {"impact": {"bootstrap_draws": 99}}}))


def test_municipalities_all_or_list(folder):
    assert load_config(write(folder, {"data": "data", "output": "out", "municipalities": "all"})).is_batch
    config = load_config(write(folder, {"data": "data", "output": "out", "municipalities": ["Most", "Kadaň"],
                                        "pooled": False}))
    assert config.municipalities == ("Most", "Kadaň") and config.pooled is False


def test_not_yaml_and_not_a_mapping(folder):
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(folder, "data: [unclosed\n"))
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(write(folder, "- data\n- output\n"))
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(folder / "absent.yaml")


@pytest.mark.parametrize("name", ["example.yaml", "pilots_batch.yaml"])
def test_committed_example_configurations_are_valid(name, tmp_path):
    raw = yaml.safe_load((REPO / "configs" / name).read_text(encoding="utf-8"))
    (tmp_path / "data").mkdir()
    raw["data"], raw["output"] = str(tmp_path / "data"), str(tmp_path / "out")
    config = parse_config(raw, base_dir=REPO / "configs", source=name)
    assert config.strands
