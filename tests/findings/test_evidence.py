"""Reading the evidence from the estimators' results (evaluation.findings.evidence).

Each reader is checked against the attribute of the result it reads (the reference is the result
itself), on a small simulated staggered panel (tests/findings/sim.py: 3 cohorts of 20 units, 10
periods, a true effect of 1). The event study's average post-entry effect is checked against the
mean of its coefficients and a hand-computed variance.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation import impact
from evaluation.design import detectable_effect
from evaluation.errors import ConfigError
from evaluation.findings import estimate_of, pretest_of
from evaluation.findings.evidence import (
    Estimate,
    attrition_of,
    balance_of,
    decomposition_of,
    mde_from_estimate,
    mde_of,
    sensitivity_of,
)
from tests.findings import sim


@pytest.fixture(scope="module")
def frame():
    return sim.staggered(seed=3, n=20, cohorts=(4, 7, 0), effect=1.0)


def quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def test_callaway_santanna_and_its_pretest(frame):
    res = sim.cs(frame, "y", unit="unit", first="first")
    est = estimate_of(res)
    agg = res.aggregate("dynamic")
    assert (est.method, est.estimate, est.conf_low, est.conf_high) == (
        "callaway_santanna", agg.overall_estimate, agg.overall_conf_low, agg.overall_conf_high)
    assert (est.n_treated, est.n_units, est.n_pre_periods) == (40, 60, 3)
    assert estimate_of(res, aggregation="simple").estimate == pytest.approx(res.aggregate("simple").overall_estimate)
    assert estimate_of(agg).n_treated is None and estimate_of(agg, n_treated=40).n_treated == 40
    pre = pretest_of(res)
    assert pre.p_value == pytest.approx(res.pretest().p_value) and pre.n_treated == 20 and pre.n_pre_periods == 3


def test_regression_results_count_treated_clusters(frame):
    twfe = quiet(impact.twfe, frame, "y", "d", "unit", "period")
    est = estimate_of(twfe)
    assert (est.method, est.estimate, (est.conf_low, est.conf_high)) == ("twfe", twfe.estimate, twfe.conf_int)
    assert est.n_treated == 40 and est.n_clusters == 60
    two = frame[frame["period"].isin([3, 8]) & frame["first"].isin([0, 4])].assign(
        group=lambda f: (f["first"] > 0).astype(int), post=lambda f: (f["period"] == 8).astype(int))
    did = impact.did_2x2(two, "y", "group", "post", unit="unit")
    assert estimate_of(did).method == "did_2x2" and estimate_of(did).n_treated == 20


def test_event_study_average_of_post_entry_effects(frame):
    es = quiet(impact.event_study, frame, "y", "unit", "period", "first", leads=3, lags=3)
    est = estimate_of(es)
    post = es.coefficients[(es.coefficients["event_time"] >= 0) & ~es.coefficients["term"].isin(es.pooled_terms)]
    assert est.estimate == pytest.approx(post["estimate"].mean())
    v = es.vcov.loc[post["term"], post["term"]].to_numpy()
    assert est.std_error == pytest.approx(math.sqrt(v.sum()) / len(post))
    assert est.n_treated == es.n_treated == 40
    pre = pretest_of(es)
    assert pre.method == "f_leads" and pre.p_value == es.pretrend.p_value


def test_robust_event_studies(frame):
    for function, key in ((impact.sun_abraham, "sun_abraham"), (impact.two_stage, "two_stage"),
                          (impact.imputation, "imputation")):
        res = quiet(function, frame, "y", "unit", "period", "first")
        est = estimate_of(res)
        assert (est.method, est.estimate, est.n_treated) == (key, res.estimate, 40)
        assert abs(est.estimate - 1.0) < 4 * est.std_error
    imputed = quiet(impact.imputation, frame, "y", "unit", "period", "first", pretrend_leads=2)
    assert pretest_of(imputed).method == "f_untreated"


def test_inference_results(frame):
    wb = quiet(impact.wild_cluster_bootstrap, frame, "y ~ d", "d", "unit", B=199, seed=1,
               fixed_effects=["unit", "period"])
    est = estimate_of(wb, n_treated=40)
    assert (est.method, est.p_value, est.conf_low, est.n_treated) == ("wild_bootstrap", wb.p_value, wb.conf_low, 40)
    small = frame[frame["unit"] % 5 == 0]
    ri = quiet(impact.randomization_inference, small, "y", "unit", "period", first_treated="first",
               n_permutations=199, seed=1)
    est = estimate_of(ri)
    assert (est.method, est.n_treated, est.estimate) == ("randomization_inference", ri.n_treated_clusters, ri.estimate)


def test_trial_results():
    rng = np.random.default_rng(5)
    n = 300
    trial = pd.DataFrame({"assigned": rng.integers(0, 2, n), "x": rng.normal(size=n)})
    trial["received"] = trial["assigned"] * (rng.uniform(size=n) < 0.8)
    trial["y"] = 1 + 0.5 * trial["x"] - 2.0 * trial["received"] + rng.normal(size=n)
    itt = impact.itt(trial, "y", "assigned", covariates=["x"])
    est = estimate_of(itt)
    assert (est.method, est.estimate, est.n_treated) == ("itt", itt.estimate, int(trial["assigned"].sum()))
    cace = quiet(impact.cace, trial, "y", "assigned", "received")
    assert estimate_of(cace).method == "cace" and estimate_of(cace).estimate == pytest.approx(cace.estimate)
    trial.loc[rng.uniform(size=n) < 0.25, "y"] = np.nan
    lost = attrition_of(impact.attrition(trial, "assigned", "y"))
    assert lost.overall == pytest.approx(trial["y"].isna().mean())


def test_diagnostics_readers(frame):
    es = quiet(impact.event_study, frame, "y", "unit", "period", "first", leads=3, lags=3)
    honest = impact.honest_did(es, restriction="relative_magnitude", values=[0.5, 1.0], grid_points=100,
                               lf_draws=200)
    sens = sensitivity_of(honest)
    assert (sens.restriction, sens.upper) == ("relative_magnitude", honest.breakdown_upper)
    assert sens.breakdown == honest.breakdown or (math.isnan(sens.breakdown) and math.isnan(honest.breakdown))
    balanced = frame.groupby("unit").size().eq(frame["period"].nunique()).all()
    assert balanced
    bacon = impact.bacon_decomposition(frame, "y", "unit", "period", "first")
    deco = decomposition_of(bacon)
    assert deco.forbidden_weight == pytest.approx(bacon.forbidden_weight)
    units = frame.drop_duplicates("unit").assign(treated=lambda f: (f["first"] > 0).astype(int),
                                                 x=lambda f: np.random.default_rng(0).normal(size=len(f)))
    match = quiet(impact.match, units, "treated", ["x"], ratio=1, caliper=0.5)
    assert balance_of(match).max_abs_smd == pytest.approx(match.tidy()["smd_after"].abs().max())


def test_minimum_detectable_effect():
    est = Estimate("twfe", -1.0, -1.5, -0.5, std_error=0.25, n_clusters=30)
    assert mde_from_estimate(est) == pytest.approx(detectable_effect(std_error=0.25, df=29).minimum_detectable_effect)
    assert mde_from_estimate(Estimate("twfe", -1.0, -1.5, -0.5)) is None
    assert mde_of(detectable_effect(std_error=0.25)) == pytest.approx(0.25 * 2.8016, abs=1e-4)
    assert mde_of(0.3) == 0.3 and mde_of(float("nan")) is None


def test_unknown_result_is_refused():
    with pytest.raises(ConfigError, match="cannot read an effect estimate from a DataFrame"):
        estimate_of(pd.DataFrame())
    assert pretest_of(pd.DataFrame()) is None
