"""The planning notebook 00_design: opt-in in the runner, parameters in step with the registry,
committed clean, and running end to end on synthetic data."""
import json
from pathlib import Path

import nbformat
import papermill
import pytest

from evaluation.errors import ConfigError
from evaluation.runner.config import parse_config
from evaluation.runner.parameters import declared_parameters
from evaluation.runner.plan import job_parameters
from evaluation.runner.registry import ALL_STRANDS, OPT_IN_STRANDS, STRANDS, strand_parameters
from evaluation.runner.strands import design as strand

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "00_design.ipynb"


def test_design_is_opt_in(tmp_path):
    (tmp_path / "data").mkdir()
    assert "design" in OPT_IN_STRANDS and "design" not in STRANDS and "design" in ALL_STRANDS
    default = parse_config({"data": "data", "output": "out"}, base_dir=tmp_path)
    assert "design" not in default.strands
    chosen = parse_config({"data": "data", "output": "out", "strands": ["retention", "design"],
                           "parameters": {"design": {"n_treated": 50, "n_control": 100}}}, base_dir=tmp_path)
    assert chosen.strands == ("retention", "design")
    params = job_parameters(chosen, "design", None)
    assert params["n_treated"] == 50 and set(params) == set(declared_parameters(NOTEBOOK))


def test_notebook_is_clean_and_declares_the_registry_parameters():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert set(papermill.inspect_notebook(str(NOTEBOOK))) == set(strand_parameters("design"))
    for cell in code:
        last = cell.source.strip().splitlines()[-1]
        assert "session.data" not in last and ".tidy()" not in last


def test_strand_on_synthetic_data_and_what_it_stores(tmp_path):
    from evaluation.reporting.store import ResultsStore
    from evaluation.runner.selection import select_scope
    from evaluation.runner.session import Session
    from evaluation.synthetic import simulate

    data = simulate(seed=11, scale=1.0).to_dataset()
    output = strand.analyse(data, simulations=60, seed=3)
    assert set(output.results) == {"covariance", "did_analytic", "did_simulation", "event_study", "two_means",
                                   "retention_proportions", "retention_logrank"}
    did = output["did_analytic"]
    assert did.solved_for == "effect" and did.values["n_treated"] == 30 and did.values["n_control"] == 60
    assert output["covariance"].estimated and output["covariance"].pre == 12
    cs = strand.sentences(output, "cs")
    assert any("minimální zjistitelný efekt (rozdíl v rozdílech)" in s for s in cs)
    from evaluation.reporting.publication import publish_results

    store = ResultsStore(tmp_path / "internal", strand="design", scope="all", threshold=5)
    session = Session(strand="design", selection=select_scope(data), store=store, parameters={}, lang="cs")
    strand.save(session, output)
    publish_results(tmp_path / "internal", tmp_path / "published", langs=("cs",))
    folder = tmp_path / "published" / "all" / "design"
    assert (folder / "tables" / "did_analytic.csv").is_file()
    assert (folder / "figures" / "did_analytic.cs.png").is_file()
    figures = json.loads((folder / "key_figures.json").read_text("utf-8"))
    assert figures["mde_did"]["value"] == pytest.approx(did.effect, rel=1e-3)  # as published: four digits
    texts = json.loads((folder / "texts.json").read_text("utf-8"))
    assert "minimální zjistitelný efekt" in texts["headline"]["cs"]


def test_power_of_a_given_effect_and_one_design_only():
    from evaluation.synthetic import simulate

    data = simulate(seed=11, scale=0.5).to_dataset()
    output = strand.analyse(data, design_kind="logrank", hazard_ratio=0.3, n_treated=50, n_control=100,
                            control_retention=0.7)
    assert set(output.results) == {"retention_logrank"}
    assert output["retention_logrank"].solved_for == "power"
    with pytest.raises(ConfigError, match="design_kind"):
        strand.analyse(data, design_kind="anova")


def test_notebook_runs_with_papermill(tmp_path):
    """The runner's papermill execution of the committed notebook with its defaults on synthetic data
    (fewer simulations, English)."""
    from evaluation.runner.execute import NotebookJob, execute_job
    from evaluation.synthetic import generate

    generate(tmp_path / "data", seed=5, scale=1.0, formats=("parquet",))
    out = tmp_path / "executed.ipynb"
    parameters = {**strand_parameters("design"), "data_dir": str(tmp_path / "data" / "parquet"),
                  "results_dir": str(tmp_path / "results"), "simulations": 50, "lang": "en"}
    outcome = execute_job(NotebookJob("design", "pooled", NOTEBOOK, out, parameters))
    assert outcome.ok, outcome.error
    executed = nbformat.read(out, as_version=4)
    text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert "The minimum detectable effect (difference-in-differences)" in text
    assert (tmp_path / "results" / "all" / "design" / "meta.json").is_file()
