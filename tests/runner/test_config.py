"""Run configurations: every mistake is a ConfigError naming the file, key, value and rule, before
anything runs; the declaration behind the checks is also the JSON Schema and the README table."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from evaluation.errors import ConfigError
from evaluation.runner.config import (
    commented_configuration,
    configuration_schema,
    load_config,
    parse_config,
)
from evaluation.runner.registry import STRANDS
from evaluation.runner.run import run_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "data").mkdir()
    return tmp_path


def write(folder, content):
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(content) if isinstance(content, dict) else content, encoding="utf-8")
    return path


def problem(folder, content):
    with pytest.raises(ConfigError) as info:
        load_config(write(folder, content))
    return str(info.value)


def test_minimal_configuration_gets_the_documented_defaults(folder):
    config = load_config(write(folder, {"data": "data", "output": "out"}))
    assert config.data_dir == (folder / "data").resolve()
    assert config.output_dir == (folder / "out").resolve()
    assert config.strands == tuple(STRANDS)
    assert config.municipalities == "pooled" and not config.is_batch
    assert (config.lang, config.disclosure_threshold, config.seed) == ("cs", 5, 2019)
    assert config.report_formats == ("html", "pdf", "docx")
    assert config.workers is None


def test_unknown_key_is_an_error_with_did_you_mean(folder):
    message = problem(folder, {"data": "data", "output": "out", "langauge": "en"})
    assert str(folder / "run.yaml") in message
    assert "unknown key 'langauge' (did you mean 'lang'?)" in message


def test_missing_data_folder_is_an_error(folder):
    message = problem(folder, {"data": "nowhere", "output": "out"})
    assert "data: 'nowhere' is not allowed: it must be an existing folder" in message
    assert "nowhere does not exist" in message


def test_data_key_is_required(folder):
    assert "data is missing: it must be the path of an existing folder" in problem(folder, {"output": "out"})


def test_unknown_strand_is_an_error_listing_the_known_ones(folder):
    message = problem(folder, {"data": "data", "output": "out", "strands": ["process", "retension"]})
    assert "strands: ['process', 'retension'] is not allowed" in message
    assert "data_quality, process, retention" in message
    assert "'retension' is not among them (did you mean 'retention'?)" in message


def test_every_problem_is_listed_at_once(folder):
    message = problem(folder, {"data": "data", "output": "out", "lang": "cz", "disclosure_threshold": 0,
                               "report_formats": ["pdf", "odt"], "workers": -1})
    assert "4 problem(s)" in message
    assert "lang: 'cz' is not allowed: it must be one of cs, en (did you mean 'cs'?)" in message
    for key in ("disclosure_threshold: 0", "report_formats: ['pdf', 'odt']", "workers: -1"):
        assert key in message


@pytest.mark.parametrize("content, expected", [
    # the two cases of the issue: a scalar where a list is needed, a threshold that cannot protect anything
    ({"parameters": {"retention": {"horizons_months": 12}}},
     "parameters.retention.horizons_months: 12 is not allowed: it must be a list of one or more numbers "
     "greater than 0"),
    ({"disclosure_threshold": 1}, "disclosure_threshold: 1 is not allowed: it must be a whole number of at least 2"),
    ({"parameters": {"impact": {"event_window": [3, 24]}}},
     "parameters.impact.event_window: [3, 24] is not allowed: it must be a list of two values [first, last]: "
     "first a whole number of at most -1"),
    ({"parameters": {"impact": {"bootstrap_draws": 50}}}, "at least 100"),
    ({"parameters": {"economics": {"offset_confidence": 1.5}}}, "a number of at least 0.5 and below 1"),
    ({"parameters": {"economics": {"perspective": "state"}}}, "one of public_sector, municipal"),
    ({"parameters": {"economics": {"unit_costs": {"shelter_nights": 450}}}},
     "unknown key 'shelter_nights' (did you mean 'shelter_night'?)"),
    ({"parameters": {"economics": {"horizon_month": 12}}},
     "unknown key 'parameters.economics.horizon_month' (did you mean 'horizon_months'?)"),
    ({"parameters": {"process": {"pilot_plan": "plan.yaml"}}}, "must be an existing file"),
    ({"parameters": {"need": {"lang": "en"}}}, "set it at the top level"),
    ({"seed": True}, "seed: True is not allowed"),
    ({"period": {"start": "2021-01-01", "end": "2020-01-01"}}, "ends (2020-01-01) before it starts"),
    ({"period": {"start": "2021-01-01"}}, "end is missing"),
])
def test_values_are_checked_against_their_declared_rule(folder, content, expected):
    assert expected in problem(folder, {"data": "data", "output": "out", **content})


def test_a_bad_strand_parameter_stops_the_run_before_the_data_is_read(folder):
    """horizons_months: 12 used to fail after 17 s inside the retention notebook with a TypeError."""
    path = write(folder, {"data": "data", "output": "out", "parameters": {"retention": {"horizons_months": 12}}})
    with pytest.raises(ConfigError, match="horizons_months: 12"):
        run_config(path, progress=False)
    assert not (folder / "out").exists()


def test_period_and_programme_step(folder):
    config = load_config(write(folder, "data: data\noutput: out\nperiod: {start: 2019-01-01, end: 2020-12-31}\n"))
    assert config.period == ("2019-01-01", "2020-12-31")
    assert "programme_step: 'krizove' is not allowed: it must be null (all steps) or one of crisis" in \
        problem(folder, {"data": "data", "output": "out", "programme_step": "krizove"})
    assert load_config(write(folder, {"data": "data", "output": "out",
                                      "programme_step": "crisis"})).programme_step == "crisis"


def test_strand_parameters_must_name_a_strand_of_the_run(folder):
    message = problem(folder, {"data": "data", "output": "out", "strands": ["process"],
                               "parameters": {"impact": {"bootstrap_draws": 999}}})
    assert "strand 'impact', which this run does not include" in message


def test_valid_strand_parameters_reach_the_configuration(folder):
    (folder / "plan.yaml").write_text("units: {}\n", encoding="utf-8")
    config = load_config(write(folder, {"data": "data", "output": "out", "parameters": {
        "process": {"pilot_plan": "plan.yaml"}, "economics": {"unit_costs": {"eviction": 90000}}}}))
    assert config.parameters["process"]["pilot_plan"] == str((folder / "plan.yaml").resolve())
    assert config.parameters["economics"]["unit_costs"] == {"eviction": 90000}


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


@pytest.mark.parametrize("name", ["example.yaml", "pilots_batch.yaml", "national.yaml"])
def test_committed_example_configurations_are_valid(name, tmp_path):
    raw = yaml.safe_load((REPO / "configs" / name).read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(raw, default=str)), configuration_schema())
    (tmp_path / "data").mkdir()
    raw["data"], raw["output"] = str(tmp_path / "data"), str(tmp_path / "out")
    config = parse_config(raw, base_dir=REPO / "configs", source=name)
    assert config.strands


def test_committed_json_schema_is_generated_from_the_declaration():
    committed = json.loads((REPO / "configs" / "config.schema.json").read_text(encoding="utf-8"))
    assert committed == configuration_schema()
    jsonschema.Draft202012Validator.check_schema(committed)


@pytest.mark.parametrize("content", [
    {"disclosure_threshold": 1}, {"lang": "de"}, {"langauge": "en"}, {"workers": 0},
    {"parameters": {"retention": {"horizons_months": 12}}},
    {"parameters": {"impact": {"event_window": [-12]}}},
    {"parameters": {"economics": {"unit_costs": {"eviction": -1}}}},
    {"period": {"start": "2020-01-01"}},
])
def test_json_schema_and_the_checks_refuse_the_same_values(folder, content):
    raw = {"data": "data", "output": "out", **content}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, configuration_schema())
    with pytest.raises(ConfigError):
        parse_config(raw, base_dir=folder)


def test_readmes_and_schema_are_up_to_date():
    done = subprocess.run([sys.executable, str(REPO / "notebooks" / "build_notebooks.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_commented_configuration_loads_and_lists_every_key(folder):
    (folder / "notebooks").mkdir()
    text = commented_configuration({"data": "data", "output": "out", "notebooks": "notebooks"})
    config = load_config(write(folder, text))
    assert config.data_dir == (folder / "data").resolve()
    keys = {line.removeprefix("# ").split(":")[0] for line in text.splitlines()
            if line.removeprefix("# ").split(":")[0].isidentifier() and ":" in line}
    assert keys >= set(configuration_schema()["properties"])
    assert "# disclosure_threshold: 5" in text and "data: data" in text.splitlines()
