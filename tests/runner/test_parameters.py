"""Notebook parameters are checked against what the run passes before anything runs."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from evaluation.errors import ConfigError
from evaluation.runner.config import parse_config
from evaluation.runner.parameters import check_parameters, declared_parameters
from evaluation.runner.plan import plan_jobs
from evaluation.runner.run import run_config


def notebook(path, parameters_source, tagged=True):
    cells = [new_code_cell(parameters_source, metadata={"tags": ["parameters"]} if tagged else {}),
             new_code_cell("print(a)")]
    nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python",
                                                                     "display_name": "Python 3"}}), path)
    return path


def test_declared_parameters_read_the_tagged_cell(tmp_path):
    path = notebook(tmp_path / "n.ipynb", "a = 1  # the a\nb = None")
    declared = declared_parameters(path)
    assert sorted(declared) == ["a", "b"]
    assert declared["a"]["help"] == "the a"


def test_a_notebook_without_parameters_cell_is_refused(tmp_path):
    path = notebook(tmp_path / "n.ipynb", "a = 1", tagged=False)
    with pytest.raises(ConfigError, match="n.ipynb has no cell tagged 'parameters'"):
        declared_parameters(path)


def test_unknown_and_missing_parameters_are_named(tmp_path):
    path = notebook(tmp_path / "n.ipynb", "a = 1\nb = 2")
    check_parameters(path, {"a": 5, "b": 6})
    with pytest.raises(ConfigError, match="passes parameter\\(s\\) c that the notebook does not declare"):
        check_parameters(path, {"a": 5, "b": 6, "c": 7})
    with pytest.raises(ConfigError, match="declares parameter\\(s\\) b that the run gives no value"):
        check_parameters(path, {"a": 5})


def test_strand_parameter_that_no_notebook_declares_is_refused_with_did_you_mean(tmp_path):
    (tmp_path / "data").mkdir()
    with pytest.raises(ConfigError, match="unknown key 'parameters.impact.bootstrap_drawz' "
                                          "\\(did you mean 'bootstrap_draws'\\?\\)"):
        parse_config({"data": "data", "output": "out", "strands": ["impact"],
                      "parameters": {"impact": {"bootstrap_drawz": 99}}}, base_dir=tmp_path)


def test_a_notebook_missing_a_parameter_stops_the_run_before_anything(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "nb").mkdir()
    notebook(tmp_path / "nb" / "06_need.ipynb", "data_dir = None\nresults_dir = None")
    config = parse_config({"data": "data", "output": "out", "strands": ["need"], "notebooks": "nb"},
                          base_dir=tmp_path)
    with pytest.raises(ConfigError, match="06_need.ipynb: the run passes parameter\\(s\\) "
                                          "disclosure_threshold, lang, municipality"):
        run_config(config, progress=False)
    assert not (tmp_path / "out").exists()


def test_common_parameters_cannot_be_overridden_per_strand(tmp_path):
    (tmp_path / "data").mkdir()
    with pytest.raises(ConfigError, match="parameters.need.lang: every notebook shares lang; set it at the top level"):
        parse_config({"data": "data", "output": "out", "parameters": {"need": {"lang": "en"}}}, base_dir=tmp_path)


def test_strand_overrides_reach_the_notebook(tmp_path):
    (tmp_path / "data").mkdir()
    config = parse_config({"data": "data", "output": "out", "strands": ["impact"], "lang": "en",
                           "parameters": {"impact": {"bootstrap_draws": 199}}}, base_dir=tmp_path)
    [job] = plan_jobs(config, [None])
    assert job.parameters["bootstrap_draws"] == 199
    assert job.results_dir == tmp_path.resolve() / "out" / "internal" / "results" / "all" / "impact"
    assert job.parameters["lang"] == "en" and job.parameters["municipality"] is None
    assert job.parameters["results_dir"] == str(tmp_path.resolve() / "out" / "internal" / "results")
    assert job.output_path == tmp_path.resolve() / "out" / "internal" / "notebooks" / "all" / "04_impact.ipynb"
