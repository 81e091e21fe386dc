"""The strands after the estimator updates: which parallel-trends pre-test the impact strand
publishes, the economic strand's offsets over the span of the programme cost, and the Czech
wording of analyses left out (Czech sentence, the estimator's English message only quoted).

The pre-test choice is checked against the estimator itself (``res.pretest()`` of
evaluation.impact.staggered, whose Monte Carlo is in benchmarks/bench_staggered_pretest.py):
few treated municipalities per cohort -> the studentised wild-bootstrap sup-t test; many ->
R did's Wald test.
"""

import json
import math
import types
import warnings

import numpy as np
import pandas as pd
import papermill
import pytest

from evaluation.data.dataset import Dataset
from evaluation.errors import EstimationError
from evaluation.impact.staggered_pretest import PretestResult
from evaluation.reporting.recommendations import draft_recommendations
from evaluation.reporting.store import ResultsStore
from evaluation.runner.registry import STRANDS, strand_parameters
from evaluation.runner.strands import economics, impact
from evaluation.runner.strands._common import (
    Collector,
    Reason,
    StrandOutput,
    period_end,
    reason_texts,
    store_skipped,
)
from evaluation.runner.strands.retention import HELPERS as RETENTION_HELPERS
from evaluation.runner.strands.retention import TITLES as RETENTION_TITLES


def _session(root, strand, lang="cs"):
    return types.SimpleNamespace(store=ResultsStore(root / "internal", strand=strand), lang=lang)


def _published(root):
    """Publish what the strand stored (as a run does before its reports) and return the folder."""
    from evaluation.reporting.publication import publish_results

    publish_results(root / "internal", root / "published")
    return root / "published"


def _read(root, strand, file):
    return json.loads((_published(root) / "all" / strand / file).read_text("utf-8"))


def municipality_panel(treated_per_cohort, seed=7, n_comparison=40):
    """Evictions in municipalities with parallel trends (no effect before the pilot), pilots
    starting in 2016 and 2017; populations vary so the rate per 1,000 differs by municipality."""
    rng = np.random.default_rng(seed)
    starts = [2016.0] * treated_per_cohort + [2017.0] * treated_per_cohort + [np.nan] * n_comparison
    rows = []
    for i, start in enumerate(starts):
        population = int(rng.integers(5_000, 50_000))
        level = rng.normal(3.0, 0.5)
        for year in range(2012, 2021):
            treated_now = not np.isnan(start) and year >= start
            rate = level + 0.05 * (year - 2012) + rng.normal(0, 0.3) - (0.4 if treated_now else 0)
            rows.append({"municipality": f"M{i:03d}", "period": year, "population": population,
                         "evictions": max(rate, 0) * population / 1_000, "pilot_start_period": start})
    return Dataset.from_frames({"municipality_panel": pd.DataFrame(rows)})


@pytest.fixture(scope="module")
def few_treated():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return impact.analyse(municipality_panel(5), bootstrap_draws=199, seed=3)


def test_few_treated_municipalities_publish_the_wild_bootstrap_sup_t_pretest(few_treated, tmp_path):
    res = few_treated["staggered_municipalities"]
    assert not res.pretest_reliable  # 5 treated per cohort: R did's chi-square test is flagged
    chosen = res.pretest()
    assert chosen.method == "sup_t_bootstrap" and 0 < chosen.p_value <= 1
    impact.save(_session(tmp_path, "impact"), few_treated)
    figures = _read(tmp_path, "impact", "key_figures.json")
    figure = figures["pretest_p_municipalities"]
    assert figure["value"] == pytest.approx(round(chosen.p_value, 3))  # as precise as the report quotes it
    assert "sup-t" in figure["label_cs"] and "wild bootstrap" in figure["label_en"]
    assert "pretest_p_households" not in figures  # no household panel in these data
    table = pd.read_csv(tmp_path / "published" / "all" / "impact" / "tables" / "pretrend.csv")
    row = table.loc[table["test_en"].str.contains("pilot municipalities")].iloc[0]
    assert row["p_value"] == pytest.approx(chosen.p_value, rel=1e-3)  # published to four digits
    assert row["wald_p_value"] == pytest.approx(res.pretest_p_value, rel=1e-3)  # R did's Wald, for comparison
    notes = json.loads((tmp_path / "published" / "all" / "impact" / "tables" / "pretrend.json")
                       .read_text("utf-8"))["notes"]
    assert any("Waldův test balíku R did" in n["cs"] and "nespolehlivý" in n["cs"] for n in notes)
    texts = _read(tmp_path, "impact", "texts.json")
    assert "sup-t test se studentizovaným wild bootstrapem" in texts["diagnostics"]["cs"]
    assert "malou sílu" in texts["diagnostics"]["cs"]  # 5 treated municipalities: weak evidence


def test_many_treated_municipalities_publish_r_did_wald_pretest(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = impact.analyse(municipality_panel(60, seed=11, n_comparison=80), bootstrap_draws=199, seed=3)
    res = output["staggered_municipalities"]
    assert res.pretest_reliable
    chosen = res.pretest()
    assert chosen.method == "wald" and chosen.p_value == pytest.approx(res.pretest_p_value)
    impact.save(_session(tmp_path, "impact"), output)
    figure = _read(tmp_path, "impact", "key_figures.json")["pretest_p_municipalities"]
    assert figure["value"] == pytest.approx(round(res.pretest_p_value, 3))
    assert "Waldův test" in figure["label_cs"] and "Wald test" in figure["label_en"]
    notes = json.loads((tmp_path / "published" / "all" / "impact" / "tables" / "pretrend.json")
                       .read_text("utf-8"))["notes"]
    assert not any("nespolehlivý" in n["cs"] for n in notes)


def test_singular_wald_covariance_still_publishes_the_robust_pretest():
    """The households design: R did's Wald p-value is NaN (singular covariance), res.pretest() is finite."""
    robust = PretestResult(method="sup_t_bootstrap", statistic=2.4, df=6.0, p_value=0.21, n_cells=6,
                           reference="studentised wild bootstrap", alpha=0.05, n_bootstrap=999, seed=1)
    singular = "the covariance of the pre-treatment ATT(g,t) is nearly singular (reciprocal condition number 1e-17)"
    res = types.SimpleNamespace(pretest=lambda: robust, pretest_p_value=float("nan"), pretest_reliable=False,
                                wald_pretest_issues=(singular,),
                                groups=(4.0, 5.0), group_sizes={0.0: 80, 4.0: 30, 5.0: 25})
    output = StrandOutput("impact", {"staggered_households": res})
    tests = impact.pretests(output)
    assert tests["staggered_households"] is robust
    [row] = impact.pretrend_rows(output, tests)
    assert row["p_value"] == 0.21 and math.isnan(row["wald_p_value"])
    assert "sup-t test se studentizovaným wild bootstrapem" in row["test_cs"]
    [_, (note_cs, note_en)] = impact.pretest_notes(output, tests)
    assert "nelze spočítat" in note_cs and "singular" in note_en
    sentence_cs, _ = impact._pretest_sentence("staggered_households", res, robust)
    assert "nezamítá (p = 0,210)" in sentence_cs and "malou sílu" not in sentence_cs  # 25+ treated units


def _impact_results(root, figures, event_study_p=None):
    store = ResultsStore(root / "internal", strand="impact")
    rows = [{"design": key, "test_cs": key, "test_en": key, "p_value": p} for key, p in figures.items()]
    if event_study_p is not None:
        rows.append({"design": "event_study", "test_cs": "F", "test_en": "F", "p_value": event_study_p})
    store.add_table("pretrend", pd.DataFrame(rows), title_cs="Testy", title_en="Tests")
    for key in figures:
        store.add_key_figure(key, table="pretrend", row={"design": key}, column="p_value", label_cs=key,
                             label_en=key, decimals=3)
    return ResultsStore.read(_published(root)).scopes["all"]


def test_recommendation_reads_the_pretest_key_figures(tmp_path):
    drafts = {r.rule: r for r in draft_recommendations(_impact_results(
        tmp_path / "a", {"pretest_p_households": 0.01, "pretest_p_municipalities": 0.4}))}
    # the design is named; the brief quotes no p-value
    assert "(kohorty domácností)" in drafts["pretrend"].text("cs") and "p =" not in drafts["pretrend"].text("cs")
    assert "pilotní obce" not in drafts["pretrend"].text("cs")
    # the key figures decide: a failing event-study row does not override passing pre-tests
    quiet = draft_recommendations(_impact_results(
        tmp_path / "b", {"pretest_p_households": 0.3, "pretest_p_municipalities": 0.4}, event_study_p=0.001))
    assert "pretrend" not in {r.rule for r in quiet}


class _Boom:
    def __call__(self):
        raise EstimationError("the design matrix is singular.")


def test_skipped_analyses_are_worded_in_czech_with_the_estimator_message_quoted(tmp_path):
    data = Dataset.from_frames({"households": pd.DataFrame({"household_id": ["H1"], "group": ["programme"]})})
    run = Collector("retention", data)
    run.run("retention", ("households",), _Boom())
    run.run("exits", ("tenancies",), lambda: None)
    run.skip("retention_by_step", Reason("the episodes carry no first step", "epizody bydlení neuvádějí první stupeň"))
    run.skip("programme_episodes", "no spells")  # a helper of "exits", which is left out already
    output = run.output()
    output = StrandOutput(output.strand, output.results, output.skipped,
                          (Reason("2 households left out", "Vynechány 2 domácnosti."),))
    store_skipped(_session(tmp_path, "retention"), output, RETENTION_TITLES, helpers=RETENTION_HELPERS)
    texts = _read(tmp_path, "retention", "texts.json")
    limitations = {k: v for k, v in texts.items() if k.startswith("limitation_")}
    assert len(limitations) == 4  # retention, exits, retention_by_step and the note; not the helper
    estimated = limitations["limitation_retention_1"]
    assert estimated["cs"] == ("Analýza „Udržení bydlení (Kaplan–Meier)“ nebyla provedena: data tohoto rozsahu "
                               "odhad neumožňují (technický detail: „the design matrix is singular“).")
    assert estimated["en"].endswith("was not carried out: the design matrix is singular.")
    assert "„Nájemní vztahy“" in limitations["limitation_retention_2"]["cs"]  # the contract's Czech title
    assert "tenancies" not in limitations["limitation_retention_2"]["cs"]
    assert limitations["limitation_retention_3"]["cs"].endswith("epizody bydlení neuvádějí první stupeň.")
    # as published: a small number of households in a note is written "<5"
    assert limitations["limitation_retention_note_1"] == {"cs": "Vynechány <5 domácnosti.",
                                                          "en": "<5 households left out"}
    assert reason_texts(Reason("why", "proč")) == ("proč", "why")


def _economics_data(groups=("programme", "comparison")):
    months = pd.to_datetime(["2020-01-01", "2020-02-01"])
    return Dataset.from_frames({
        "households": pd.DataFrame({"household_id": ["H1", "H2"], "group": list(groups),
                                    "municipality": ["Brno", "Brno"]}),
        "household_outcomes": pd.DataFrame({"household_id": ["H1", "H1"], "month": months,
                                            "shelter_nights": [0, 0]}),
        "tenancies": pd.DataFrame({"tenancy_id": ["T1"], "household_id": ["H1"], "step": ["social"],
                                   "start_date": pd.to_datetime(["2020-01-01"]), "end_date": [pd.NaT]}),
        "costs": pd.DataFrame({"municipality": ["Brno"], "month": months[:1], "cost_centre": ["social"],
                               "amount_czk": [1000.0]}),
    })


def test_economics_strand_passes_the_declared_conventions_and_needs_tenancies(monkeypatch):
    """The notebook's parameters reach economic_evaluation as its settings; without tenancies the strand
    says why in Czech and English; an analysis the data cannot estimate is skipped with its reason."""
    from evaluation import economics as estimators

    seen = {}

    def fake(data, effects=None, settings=None):
        seen["settings"] = settings
        raise EstimationError("stop here")

    monkeypatch.setattr(estimators, "economic_evaluation", fake)
    output = economics.analyse(_economics_data(), perspective="municipal", price_year=2020, discount_rate=0.035,
                               horizon_months=12, offset_confidence=0.9, sensitivity_draws=500, household_bootstrap=60,
                               unit_costs={"shelter_night": 450}, willingness_to_pay=1_000_000)
    settings = seen["settings"]
    assert (settings.perspective, settings.price_year, settings.discount_rate, settings.horizon_months) == \
        ("municipal", 2020, 0.035, 12)
    assert settings.alpha == pytest.approx(0.1) and (settings.n_draws, settings.n_boot) == (500, 60)
    assert settings.unit_costs["shelter_night"].value == 450 and settings.unit_costs["shelter_night"].price_year == 2020
    assert settings.willingness_to_pay == (1_000_000.0,)
    assert output.skipped["economic_evaluation"] == "stop here"
    without_tenancies = Dataset.from_frames({k: v for k, v in _economics_data().tables.items() if k != "tenancies"})
    skipped = economics.analyse(without_tenancies).skipped["economic_evaluation"]
    assert "„Nájemní vztahy“" in skipped.cs


def test_economics_defaults_are_the_documented_conventions():
    """Defaults stated in the registry: public sector, 5 % (EC CBA guide 2014), 24 months, 95 %."""
    from evaluation.economics.discounting import DEFAULT_DISCOUNT_RATE

    defaults = strand_parameters("economics")
    assert defaults["perspective"] == "public_sector" and defaults["discount_rate"] == DEFAULT_DISCOUNT_RATE == 0.05
    assert (defaults["horizon_months"], defaults["offset_confidence"], defaults["price_year"]) == (24, 0.95, None)
    settings = economics.economic_settings()
    assert settings.resolved_price_year() == settings.price_index.last_year and settings.alpha == pytest.approx(0.05)


def test_period_end_censors_only_within_the_data():
    data = _economics_data()
    inside = Dataset.from_frames(dict(data.tables), metadata={"scope": {"period": ["2019-01-01", "2019-12-31"]}})
    beyond = Dataset.from_frames(dict(data.tables), metadata={"scope": {"period": ["2019-01-01", "2030-12-31"]}})
    assert period_end(inside) == pd.Timestamp("2019-12-31")
    assert period_end(beyond) is None  # months after the data were never observed
    assert period_end(data) is None


@pytest.mark.parametrize("strand", list(STRANDS))
def test_papermill_reads_every_declared_parameter(strand):
    """A help comment papermill cannot parse (an apostrophe, an '=') silently drops the parameter."""
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[2] / "notebooks" / STRANDS[strand].notebook
    assert set(papermill.inspect_notebook(str(notebook))) == set(strand_parameters(strand))
