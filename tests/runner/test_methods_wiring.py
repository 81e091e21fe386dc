"""The trial strand, the RMST of the retention strand and the fidelity review of the process strand,
wired into a run: stored names, the synthetic truth, and what publication protects.

One run on the synthetic pilots (seed 2019, scale 1: the Brno trial has 50 programme and 100 control
families with a known truth, written by the generator to truth.json): the trial, retention and
process strands stored as the notebooks store them, then published and attacked by
tests/reporting/run_attacker.py (written independently of the publication code).
"""

from __future__ import annotations

import importlib
import json
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from evaluation.errors import ConfigError
from evaluation.reporting.publication import publish_results
from evaluation.reporting.store import ResultsStore
from evaluation.runner.config import parse_config
from evaluation.runner.demo import demo_fidelity_ratings
from evaluation.runner.registry import STRANDS, strand_parameters
from evaluation.runner.session import open_session

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reporting"))
from run_attacker import (
    figures_not_from_published_tables,
    numbers_in_texts_not_published,
    recovered_cells,
    small_counts_from_shares,
)


def _store(root: Path, strand: str, municipality: str | None = None, **overrides):
    module = importlib.import_module(f"evaluation.runner.strands.{strand}")
    params = {k: v for k, v in strand_parameters(strand).items() if k in STRANDS[strand].extra_parameters}
    params.update(overrides)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = open_session(strand, data_dir=str(root / "data" / "parquet"), results_dir=str(root / "internal"),
                               municipality=municipality, **params)
        output = module.analyse(session.data, **params)
        module.save(session, output)
        session.finish()
    return output


def _analyse(root: Path, strand: str, municipality: str, **overrides):
    """A strand's analyses in a municipality's scope, not stored (the run attacked is the pooled one)."""
    module = importlib.import_module(f"evaluation.runner.strands.{strand}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = open_session(strand, data_dir=str(root / "data" / "parquet"), results_dir=str(root / "unused"),
                               municipality=municipality, **overrides)
        return module.analyse(session.data, **overrides)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from evaluation.synthetic import generate

    root = tmp_path_factory.mktemp("methods")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        generate(root / "data", seed=2019, scale=1.0, formats=("parquet",))
    ratings = demo_fidelity_ratings(root / "data")
    outputs = {"trial": _store(root, "trial", randomisation_draws=2000),
               "retention": _store(root, "retention"),
               "process": _store(root, "process", fidelity_ratings=str(ratings)),
               "process_ostrava": _analyse(root, "process", "Ostrava", fidelity_ratings=str(ratings))}
    publish_results(root / "internal", root / "published", langs=("cs",))
    truth = json.loads((root / "data" / "truth.json").read_text("utf-8"))["tables"]["trial"]
    return root, outputs, pd.DataFrame(truth["rows"], columns=truth["columns"])


def _published(root: Path, strand: str, scope: str = "all"):
    return ResultsStore.read(root / "published").scopes[scope][strand]


# ------------------------------------------------------------------------------------------ trial
def test_trial_runs_only_where_the_data_have_an_assignment_table():
    assert STRANDS["trial"].missing_tables({"households", "tenancies"})
    assert STRANDS["trial"].missing_tables({"assignment", "households", "tenancies"}) == ()


def test_trial_recovers_the_synthetic_truth_within_its_intervals(run):
    """The generator's truth (synthetic/trial.py): ITT = first stage x CACE on arrears at the follow-up
    month and on being stably housed; each 95% interval of the run covers it."""
    _, outputs, truth = run
    trial = outputs["trial"]
    dgp = truth[truth["version"] == "dgp"].set_index("outcome")
    for outcome in ("arrears_czk", "stably_housed"):
        row = trial[f"itt_{outcome}"].tidy().set_index("term").loc["itt_lin"]
        assert row["conf_low"] <= dgp.at[outcome, "itt"] <= row["conf_high"], outcome
        cace = trial[f"cace_{outcome}"].tidy().set_index("term")
        assert cace.at["cace", "conf_low"] <= dgp.at[outcome, "cace"] <= cace.at["cace", "conf_high"], outcome
        first = cace.loc["first_stage"]
        assert first["conf_low"] <= dgp.at[outcome, "first_stage"] <= first["conf_high"]
    # the randomisation test agrees with the t-test on a clear effect on arrears
    assert trial["randomisation_arrears_czk"].tidy()["p_value"].iloc[0] < 0.01


def test_trial_stored_names_and_texts(run):
    root, _, _ = run
    folder = root / "internal" / "all" / "trial"
    assert {p.stem for p in (folder / "tables").glob("*.csv")} == {
        "trial_effects", "trial_lee_bounds", "trial_attrition", "trial_balance", "trial_flow"}
    assert {p.stem for p in (folder / "figures").glob("*.json")} == {"trial_flow"}
    key_figures = json.loads((folder / "key_figures.json").read_text("utf-8"))
    texts = json.loads((folder / "texts.json").read_text("utf-8"))
    assert {"trial_itt", "trial_itt_p", "trial_cace", "trial_n_programme", "trial_n_control"} <= set(key_figures)
    assert {"headline", "finding_cace", "evidence_headline"} <= set(texts)
    effects = pd.read_csv(folder / "tables" / "trial_effects.csv")
    # the headline outcome is the first of trial_outcomes, an effect on a share in percentage points
    headline = effects[(effects["outcome"] == "stably_housed") & (effects["term"] == "itt_lin")].iloc[0]
    published = _published(root, "trial")
    assert published.key_figures["trial_itt"].value == pytest.approx(round(headline["estimate"], 1))
    assert "{trial_itt}" in texts["headline"]["cs"]
    # the design is rated on the Maryland scale: a trial, level 4 here because attrition differs by arm
    evidence = published.text("evidence_headline", "en")
    assert "randomised trial, level 4 of 5" in evidence and "Attrition" in evidence


def test_publication_protects_the_trial_counts(run):
    root, _, _ = run
    attrition = pd.read_csv(root / "published" / "all" / "trial" / "tables" / "trial_attrition.csv", dtype=str)
    programme = attrition[attrition["arm"] == "programme"]
    # 2-3 programme households were lost: hidden, and so are the cells that would give them back
    assert set(programme["lost"]) == {"<5"}
    assert set(programme["observed"]) == {"x"} and set(programme["attrition_rate"]) == {"x"}
    flow = pd.read_csv(root / "published" / "all" / "trial" / "tables" / "trial_flow.csv", dtype=str)
    lost = flow[(flow["arm"] == "programme") & (flow["stage"].isin(["lost", "followed_up"]))]
    assert not lost["count"].str.fullmatch(r"\d+").any()


def test_nothing_hidden_is_recovered_from_the_run(run):
    root, _, _ = run
    assert recovered_cells(root / "published", root / "internal") == []
    assert small_counts_from_shares(root / "published") == []
    assert numbers_in_texts_not_published(root / "published", root / "internal") == []
    assert figures_not_from_published_tables(root / "published", root / "internal") == []


def test_consort_drawer_prints_hidden_counts_as_symbols(run):
    import matplotlib

    matplotlib.use("Agg")
    from evaluation.impact.trial_flow import draw_trial_flow

    root, _, _ = run
    table = pd.read_csv(root / "published" / "all" / "trial" / "tables" / "trial_flow.csv", dtype=str,
                        keep_default_na=False)
    table["count"] = pd.to_numeric(table["count"], errors="coerce")
    ax = draw_trial_flow(table, lang="cs", n_strata=3)
    texts = " ".join(t.get_text() for a in ax.figure.axes for t in a.texts)
    assert "Randomizováno: n = 150 (vrstvy: 3)" in texts
    assert "n = x" in texts or "x" in texts


# ------------------------------------------------------------------------------------------ RMST
def test_months_housed_key_figures_quote_the_estimator(run):
    from evaluation.retention import RestrictedMeanSurvival

    root, outputs, _ = run
    rmst = outputs["retention"]["rmst"].tidy().set_index("term")
    published = _published(root, "retention")
    for tau in (12, 20):
        figure = published.key_figures[f"months_housed_{tau}m"]
        assert figure.value == pytest.approx(round(rmst.at[f"RMST({tau})", "estimate"], 1))
        assert 0 < figure.value <= tau
    # the strand's RMST is the estimator's on the programme episodes (late entry included)
    episodes = outputs["retention"]["episodes"]
    frame = episodes.data[episodes.data["group"].astype(str) == "programme"]
    direct = RestrictedMeanSurvival(tau=20).fit_episodes(frame).tidy()["estimate"].iloc[0]
    assert rmst.at["RMST(20)", "estimate"] == pytest.approx(direct)
    text = published.text("finding_months_housed", "cs")
    assert "během prvních 20 měsíců" in text and f"{figure.value:.1f}".replace(".", ",") in text


def test_rmst_contrasts_are_left_out_where_they_would_reveal_a_hidden_step(run):
    root, _, _ = run
    table = pd.read_csv(root / "published" / "all" / "retention" / "tables" / "rmst.csv", dtype=str,
                        keep_default_na=False)
    for tau, rows in table[table["first_step"] != "all"].groupby("tau"):
        if rows["estimate"].isin(["x", ""]).any():  # a step's RMST is hidden: no contrast at that horizon
            assert (rows["difference"] == "").all() and (rows["ratio"] == "").all(), tau


# ------------------------------------------------------------------------------------------ fidelity
def test_fidelity_is_scored_stored_and_drawn(run):
    root, outputs, _ = run
    result = outputs["process"]["fidelity"]
    score, percent = result.total("Housing First Brno")
    # the bundled example: 37 of 38 items rated, the service-array domain pro-rated from 9 items
    assert score == pytest.approx(123.5556, abs=1e-3) and percent == pytest.approx(75.0487, abs=1e-3)
    published = _published(root, "process")
    assert "fidelity" in published.tables and "fidelity" in published.figures
    assert published.key_figures["fidelity_percent_1"].value == 75
    assert "Nabídka služeb" in published.text("finding_fidelity", "cs")


def test_fidelity_of_another_municipality_is_not_shown_in_its_scope(run):
    _, outputs, _ = run
    ostrava = outputs["process_ostrava"]
    assert "fidelity" not in ostrava
    assert "Ostrava" in str(ostrava.skipped["fidelity"])


def test_a_bad_ratings_file_stops_the_configuration_naming_row_column_value_and_rule(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "ratings.csv").write_text("program;položka;hodnocení\nHF Brno;HC1;4\nHF Brno;HC2;5\n"
                                          "HF Brno;XX9;3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        parse_config({"data": "data", "output": "out",
                      "parameters": {"process": {"fidelity_ratings": "ratings.csv"}}}, base_dir=tmp_path)
    message = str(error.value)
    assert "ratings.csv" in message
    assert "row 3, column “hodnocení”, value “5”: the rating must lie between 1 and 4" in message
    assert "row 4, column “položka”, value “XX9”" in message


def test_a_trial_without_attrition_has_no_attrition_test_rather_than_an_error():
    """Found by the 20-household pilot: nobody lost in either arm gave 0/0 in the attrition test."""
    from evaluation.impact.trial_attrition import attrition

    frame = pd.DataFrame({"z": [1, 1, 0, 0], "y": [1.0, 2.0, 3.0, 4.0]})
    result = attrition(frame, "z", "y")
    assert result.difference == 0 and result.tidy()["lost"].tolist() == [0, 0]
