"""Retention estimators against published numbers and reference implementations.

References: Rossi recidivism data (lifelines.datasets.load_rossi); coefficients and SEs from
Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R" (appendix to
An R Companion to Applied Regression); Wald 32.11 and score 33.53 as printed by R
summary(coxph) for that model; lifelines 0.30 (KaplanMeierFitter, AalenJohansenFitter,
CoxPHFitter, logrank tests) and statsmodels PHReg computed the other reference numbers.
"""
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from lifelines import AalenJohansenFitter, CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import logrank_test as ll_logrank
from lifelines.statistics import multivariate_logrank_test

from evaluation.retention import AalenJohansen, CoxPH, KaplanMeier, logrank_test
from evaluation.retention import _cox_math as cm

PUBLISHED = {"fin": (-0.37942, 0.19138), "age": (-0.05744, 0.02200), "race": (0.31390, 0.30799),
             "wexp": (-0.14980, 0.21222), "mar": (-0.43370, 0.38187), "paro": (-0.08487, 0.19576),
             "prio": (0.09150, 0.02865)}


@pytest.fixture(scope="module")
def rossi():
    return load_rossi()


def late_entry_data(seed=1, n=400):
    rng = np.random.default_rng(seed)
    t = rng.exponential(15, n)
    c = rng.uniform(0, 30, n)
    entry = rng.uniform(0, 5, n) * (rng.random(n) < 0.4)
    keep = np.minimum(t, c) > entry
    return np.minimum(t, c)[keep], (t <= c)[keep].astype(int), entry[keep]


def test_cox_rossi_matches_fox_weisberg(rossi):
    fit = CoxPH().fit(rossi, "week", "arrest")
    tidy = fit.tidy().set_index("term")
    for term, (coef, se) in PUBLISHED.items():
        assert tidy.loc[term, "estimate"] == pytest.approx(coef, abs=5e-5)
        assert tidy.loc[term, "std_error"] == pytest.approx(se, abs=5e-5)
    tests = fit.tests().set_index("test")["statistic"]
    assert tests["likelihood ratio"] == pytest.approx(33.27, abs=0.005)
    assert tests["Wald (model)"] == pytest.approx(32.11, abs=0.005)
    assert tests["score (log-rank)"] == pytest.approx(33.53, abs=0.005)


def test_cox_efron_and_breslow_match_lifelines_and_statsmodels(rossi):
    efron = CoxPH(ties="efron").fit(rossi, "week", "arrest")
    life = CoxPHFitter().fit(rossi, "week", "arrest")
    np.testing.assert_allclose(efron.params, life.params_.to_numpy(), atol=1e-6)
    np.testing.assert_allclose(efron.std_errors, life.standard_errors_.to_numpy(), atol=1e-6)
    assert efron.concordance == pytest.approx(life.concordance_index_, abs=1e-9)
    x = rossi.drop(columns=["week", "arrest"])
    for ties in ("breslow", "efron"):
        ours = CoxPH(ties=ties).fit(rossi, "week", "arrest")
        ref = sm.PHReg(rossi["week"], x, status=rossi["arrest"], ties=ties).fit()
        np.testing.assert_allclose(ours.params, ref.params, atol=1e-6)
        np.testing.assert_allclose(ours.std_errors, ref.bse, atol=1e-6)
        assert ours.loglik == pytest.approx(ref.llf, abs=1e-6)


def test_cox_late_entry_and_clusters_match_lifelines():
    rng = np.random.default_rng(5)
    n = 500
    x1, x2 = rng.normal(size=n), rng.binomial(1, 0.5, n)
    t = rng.exponential(1 / np.exp(0.5 * x1 - 0.7 * x2))
    c = rng.exponential(2, n)
    entry = rng.uniform(0, 0.3, n) * (rng.random(n) < 0.5)
    df = pd.DataFrame({"t": np.minimum(t, c), "e": (t <= c).astype(int), "x1": x1, "x2": x2, "a": entry,
                       "g": rng.integers(0, 40, n)})
    df = df[df["t"] > df["a"]]
    ours = CoxPH().fit(df, "t", "e", covariates=["x1", "x2"], entry="a")
    life = CoxPHFitter().fit(df.drop(columns=["g"]), "t", "e", entry_col="a")
    np.testing.assert_allclose(ours.params, life.params_.to_numpy(), atol=1e-6)
    np.testing.assert_allclose(ours.std_errors, life.standard_errors_.to_numpy(), atol=1e-6)
    # clustered sandwich (Lin-Wei) without late entry: lifelines robust=True, cluster_col
    plain = df.drop(columns=["a"])
    ours = CoxPH(cluster="g").fit(plain, "t", "e", covariates=["x1", "x2"])
    life = CoxPHFitter().fit(plain, "t", "e", robust=True, cluster_col="g")
    np.testing.assert_allclose(ours.std_errors, life.standard_errors_.to_numpy(), atol=1e-6)
    assert ours.n_clusters == 40


def test_cox_zph_identity_approximation_matches_lifelines(rossi):
    from lifelines.statistics import proportional_hazard_test
    fit = CoxPH().fit(rossi, "week", "arrest")
    ours = fit.check_proportional_hazards(transform="identity", method="approximate").table.set_index("term")
    ref = proportional_hazard_test(CoxPHFitter().fit(rossi, "week", "arrest"), rossi,
                                   time_transform="identity").summary["test_statistic"]
    for term in PUBLISHED:
        assert ours.loc[term, "statistic"] == pytest.approx(ref[term], rel=1e-6)


def test_cox_zph_score_test_equals_time_split_score_test(rossi):
    """The cox.zph score test is the score test of adding x*g(t): check it on a time-split fit."""
    fit = CoxPH().fit(rossi, "week", "arrest")
    zph = fit.check_proportional_hazards(transform="identity", method="score").table.set_index("term")
    assert zph.loc["age", "p_value"] < 0.05 and zph.loc["wexp", "p_value"] < 0.05  # Fox & Weisberg: PH doubtful
    x = rossi.drop(columns=["week", "arrest"]).to_numpy(float)
    x = x - x.mean(axis=0)
    times = np.unique(rossi.loc[rossi["arrest"] == 1, "week"])
    rows = []
    for i, (w, a) in enumerate(zip(rossi["week"], rossi["arrest"])):
        cuts = np.concatenate([[0], times[times < w], [w]])
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            rows.append((lo, hi, int(a == 1 and hi == w), i))
    split = np.array(rows)
    g = split[:, 1] - times.mean()  # identity transform at the interval end (an event time)
    base = x[split[:, 3].astype(int)]
    z = np.hstack([base, base * g[:, None]])
    s = cm.stratum_data(z, split[:, 0], split[:, 1], split[:, 2].astype(bool), efron=True)
    beta = np.concatenate([fit.params, np.zeros(7)])
    _, u, info = cm.loglik_derivatives(beta, [s])
    glob = u @ np.linalg.solve(info, u)
    # g is centred differently in the split fit; the joint test with beta is invariant to that shift
    assert zph.loc["GLOBAL", "statistic"] == pytest.approx(glob, rel=1e-6)
    jj = [1, 8]
    assert zph.loc["age", "statistic"] == pytest.approx(u[jj] @ np.linalg.solve(info[np.ix_(jj, jj)], u[jj]), rel=1e-6)


def test_km_with_late_entry_matches_lifelines():
    d, e, entry = late_entry_data()
    ours = KaplanMeier(times=(3, 6, 12, 20)).fit(d, e, entry=entry)
    ref = KaplanMeierFitter().fit(d, e, entry=entry)
    ts = np.array([3, 6, 12, 20.0])
    np.testing.assert_allclose(ours.tidy()["estimate"], ref.survival_function_at_times(ts).to_numpy(), atol=1e-7)
    ci = ref.confidence_interval_survival_function_
    idx = [ci.index[ci.index <= t].max() for t in ts]
    np.testing.assert_allclose(ours.tidy()["conf_low"], ci.loc[idx].iloc[:, 0], atol=1e-6)
    np.testing.assert_allclose(ours.tidy()["conf_high"], ci.loc[idx].iloc[:, 1], atol=1e-6)
    assert ours.median()["estimate"].iloc[0] == pytest.approx(ref.median_survival_time_)


def test_km_hand_example_greenwood():
    # times 1,2,2,3+,4 ; S(2) = (4/5)(2/4) = 0.4; Greenwood var(log S) = 1/(5*4) + 2/(4*2) = 0.3
    r = KaplanMeier(times=(2,), conf_type="log").fit([1, 2, 2, 3, 4], [1, 1, 1, 0, 1])
    row = r.tidy().iloc[0]
    assert row["estimate"] == pytest.approx(0.4)
    assert row["std_error"] == pytest.approx(0.4 * np.sqrt(0.3))
    assert row["conf_low"] == pytest.approx(0.4 * np.exp(-1.959963985 * np.sqrt(0.3)))
    assert row["n_risk"] == 4 and row["n_events"] == 3


def test_aalen_johansen_matches_lifelines_on_tie_free_data():
    rng = np.random.default_rng(2)
    n = 400
    t1, t2, c = rng.exponential(20, n), rng.exponential(30, n), rng.uniform(0, 40, n)
    d = np.minimum.reduce([t1, t2, c])
    cause = np.where(d == c, 0, np.where(d == t1, 1, 2))
    labels = np.where(cause == 0, "censored", np.where(cause == 1, "positive", "negative"))
    ours = AalenJohansen(times=(6, 12, 20)).fit(d, labels).tidy().set_index(["cause", "time"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, name in ((1, "positive"), (2, "negative")):
            ref = AalenJohansenFitter(jitter_level=0).fit(d, cause, event_of_interest=k)
            for t in (6, 12, 20):
                i = ref.cumulative_density_.index[ref.cumulative_density_.index <= t].max()
                assert ours.loc[(name, t), "estimate"] == pytest.approx(ref.cumulative_density_.loc[i].iloc[0], abs=1e-9)
                lo, hi = ref.confidence_interval_.loc[i]
                assert ours.loc[(name, t), "conf_low"] == pytest.approx(lo, abs=1e-6)
                assert ours.loc[(name, t), "conf_high"] == pytest.approx(hi, abs=1e-6)


def test_aalen_johansen_hand_example_with_ties():
    # t=1: n=5, one 'a' -> F_a=0.2, S=0.8; t=2: n=4, 'a' and 'b' tied -> F_a=0.2+0.8/4=0.4, F_b=0.2, S=0.4
    r = AalenJohansen(times=(2,)).fit([1, 2, 2, 3, 5], ["a", "a", "b", "censored", "b"]).tidy()
    assert r["estimate"].tolist() == pytest.approx([0.4, 0.2])


def test_logrank_matches_lifelines():
    rng = np.random.default_rng(3)
    n = 300
    g = rng.integers(0, 3, n)
    t, c = rng.exponential(10 * (1 + 0.3 * g)), rng.uniform(0, 30, n)
    d, e = np.minimum(t, c).round(1) + 0.1, (t <= c).astype(int)  # ties on purpose
    ours = logrank_test(d, e, g)
    assert ours.statistic == pytest.approx(multivariate_logrank_test(d, g, e).test_statistic, rel=1e-9)
    m0, m1 = g == 0, g == 1
    two = logrank_test(d[m0 | m1], e[m0 | m1], g[m0 | m1])
    assert two.statistic == pytest.approx(ll_logrank(d[m0], d[m1], e[m0], e[m1]).test_statistic, rel=1e-9)


def test_stratified_logrank_is_sum_over_strata():
    rng = np.random.default_rng(4)
    n = 200
    g, s = rng.integers(0, 2, n), rng.integers(0, 2, n)
    d, e = rng.exponential(5 + 3 * g + 10 * s), rng.binomial(1, 0.8, n)
    strat = logrank_test(d, e, g, strata=s)
    # two groups: statistic = (sum O-E)^2 / sum V; recompute from per-stratum results
    parts = [logrank_test(d[s == k], e[s == k], g[s == k]) for k in (0, 1)]
    ome = sum(p.table["observed"].iloc[0] - p.table["expected"].iloc[0] for p in parts)
    var = sum((p.table["observed"].iloc[0] - p.table["expected"].iloc[0]) ** 2 / p.statistic for p in parts)
    assert strat.statistic == pytest.approx(ome ** 2 / var, rel=1e-9)
