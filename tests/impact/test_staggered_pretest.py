"""Pre-tests of parallel trends for staggered_did: R did's Wald test, its reliability flag, robust tests.

References:
* mpdta Wald pre-test p-value 0.16812 (chi-square(5)): R did vignette "Getting Started with the
  did Package", summary(mw.attgt), "P-value for pre-test of parallel trends assumption".
* Size of the chi-square test when the statistic is Hotelling's T^2: T^2 (n - p) / (p (n - 1))
  ~ F(p, n - p) for n normal observations in p dimensions (Anderson, An Introduction to
  Multivariate Statistical Analysis, 3rd ed., section 5.2), checked here against a direct
  simulation.
* Size and power of the robust tests: Monte Carlo on simulated panels with known truth
  (parallel trends hold, or the treated units trend apart before they start). The full study
  is benchmarks/bench_staggered_pretest.py (results in benchmarks/results/).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from test_staggered_sim import simulate  # rootdir-less import: pytest puts this folder on sys.path

from evaluation.errors import ConfigError
from evaluation.impact.staggered import staggered_did
from evaluation.impact.staggered_pretest import (
    PRETEST_METHODS,
    ROBUST_METHOD,
    PretestReliabilityWarning,
    chi2_size_under_hotelling,
    pretest,
    wald_reliability,
)

MPDTA = pd.read_csv(__import__("pathlib").Path(__file__).parent / "reference" / "mpdta.csv")


def few_units_panel(seed: int, trend: float = 0.0, sizes=(5, 5, 6), n_never: int = 150,
                    starts=(2016, 2017, 2018), periods=tuple(range(2012, 2025)), per_cluster: int = 1):
    """The synthetic municipality design (evaluation.synthetic.panel): 16 treated units starting
    2016-2018 in groups of 5, 5, 6, 150 never treated, 2012-2024; unit and year effects, N(0,1)
    noise. Treated units drift apart by ``trend`` per year before (and after) they start."""
    rng = np.random.default_rng(seed)
    first = np.concatenate([np.full(n, s, float) for n, s in zip(sizes, starts)] + [np.zeros(n_never)])
    years = np.asarray(periods, float)
    n = len(first)
    y = (rng.normal(size=n)[:, None] + np.sin(years)[None, :] + rng.normal(size=(n, len(years)))
         + trend * (first > 0)[:, None] * (years - years[0])[None, :])
    return pd.DataFrame({"unit": np.repeat(np.arange(n), len(years)), "period": np.tile(years, n),
                         "first": np.repeat(first, len(years)), "y": y.ravel(),
                         "cluster": np.repeat(np.arange(n) // per_cluster, len(years))})


def fit(frame, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(frame, "y", "unit", "period", "first", bootstrap=False, **kwargs)


def fit_mpdta(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(MPDTA, "lemp", "countyreal", "year", "first.treat", **kwargs)


# ------------------------------------------------------------------ R compatibility (mpdta)
def test_mpdta_wald_pretest_unchanged_and_not_flagged():
    with warnings.catch_warnings():
        warnings.simplefilter("error", PretestReliabilityWarning)  # must not fire on mpdta
        res = staggered_did(MPDTA, "lemp", "countyreal", "year", "first.treat", seed=5, n_bootstrap=199)
    assert round(res.pretest_p_value, 5) == 0.16812 and res.pretest_df == 5  # R did vignette
    wald = res.pretest("wald")
    assert round(wald.p_value, 5) == 0.16812 and wald.df == 5 and wald.statistic == res.pretest_statistic
    assert res.pretest_reliable and res.robust_pretest is None
    assert res.pretest() == wald  # "auto" is R did's test when it is reliable
    # groups 2006 (40 counties, 2 pre-periods) and 2007 (131, 3): chi-square size 7% and 6%
    reliability = wald_reliability(res)
    assert reliability.implied_size == pytest.approx({2006.0: 0.0705, 2007.0: 0.0590}, abs=5e-4)
    assert any("pre-test of parallel trends (Wald" in note and "p = 0.16812" in note for note in res.notes)


def test_mpdta_robust_tests_agree_with_wald_when_groups_are_large():
    # 20-131 counties per group: every test should tell the same story as chi-square (p = 0.168);
    # bootstrap p-values carry Monte Carlo error ~0.012 at 999 draws
    res = fit_mpdta(seed=11, bootstrap=False)
    for method in PRETEST_METHODS:
        test = res.pretest(method, n_bootstrap=999, seed=3)
        assert 0.10 < test.p_value < 0.30, (method, test.p_value)
        assert not test.rejected
    # with the null imposed and no flip, the studentised statistics are the ordinary ones
    assert res.pretest("wald_bootstrap").statistic == pytest.approx(res.pretest_statistic, rel=1e-10)
    pre = res.cells[res.cells["group"] > res.cells["time"]]
    assert res.pretest("sup_t_bootstrap").statistic == pytest.approx(
        np.max(np.abs(pre["estimate"] / pre["analytic_std_error"])), rel=1e-10)


# ------------------------------------------------------------------ the reliability flag
def test_hotelling_size_formula_matches_simulation():
    # n = 5 normal units, p = 3 cells: the chi-square(3) test of n/(n-1) T^2 at 5% rejects ~52%
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20000, 5, 3))
    mean = x.mean(axis=1)
    centred = x - mean[:, None, :]
    vcov = np.einsum("bni,bnj->bij", centred, centred) / 5 ** 2  # influence-function covariance (1/n)
    wald = np.einsum("bi,bi->b", mean, np.linalg.solve(vcov, mean[:, :, None])[:, :, 0])
    simulated = np.mean(wald > stats.chi2.ppf(0.95, 3))
    assert chi2_size_under_hotelling(5, 3, 0.05) == pytest.approx(simulated, abs=0.015)
    assert chi2_size_under_hotelling(4, 4, 0.05) == 1.0


def test_warning_fires_on_few_units_design_and_summary_shows_robust_test():
    frame = few_units_panel(seed=1)
    with pytest.warns(PretestReliabilityWarning, match="group 2018: 6 treated units for 5 pre-treatment"):
        staggered_did(frame, "y", "unit", "period", "first", bootstrap=False, seed=2)
    res = fit(frame, seed=2)
    assert not res.pretest_reliable
    assert len(res.wald_pretest_issues) == 3  # every group: 5-6 units for 3-5 cells
    assert res.pretest().method == ROBUST_METHOD and res.pretest() is res.robust_pretest
    assert res.pretest("wald").method == "wald" and "unreliable" in res.pretest("wald").notes[-1]
    assert "over-rejects" in res.pretest("sup_t", n_bootstrap=199).notes[-1]  # R did's band: not studentised
    text = res.summary()
    assert "studentised wild bootstrap" in text
    assert "R did's Wald pre-test (chi2(12)" in text and "not used" in text and "over-rejects" in text
    # seeded: the robust p-value is reproducible
    assert res.pretest(ROBUST_METHOD, seed=2).p_value == res.robust_pretest.p_value


def test_flag_counts_treated_clusters_not_units():
    # 60 units per group but in clusters of 12: 5 treated clusters per group for 2-4 cells
    frame = few_units_panel(seed=3, sizes=(60, 60, 60), starts=(4, 5, 6), n_never=300,
                            periods=tuple(range(1, 9)), per_cluster=12)
    assert fit(frame).pretest_reliable
    clustered = fit(frame, cluster="cluster")
    assert not clustered.pretest_reliable
    assert "5 treated clusters" in clustered.wald_pretest_issues[0]


def test_no_pre_periods_and_bad_method():
    data = simulate(300, seed=3, periods=3)
    short = data[(data["t"] >= 2) & data["g"].isin([0, 3])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = staggered_did(short, "y", "id", "t", "g", bootstrap=False)
    for method in PRETEST_METHODS:
        test = res.pretest(method)
        assert np.isnan(test.p_value) and not test.rejected and "no pre-treatment" in test.describe()
    with pytest.raises(ConfigError, match="pre-test method"):
        res.pretest("chi2")
    with pytest.raises(ConfigError, match="n_bootstrap"):
        pretest(res, "sup_t", n_bootstrap=10)


# ------------------------------------------------------------------ size and power (Monte Carlo)
def rejection_rate(reps: int, trend: float = 0.0, seed: int = 0) -> float:
    """Share of few-units panels in which result.pretest() (the robust test here) rejects at 5%.
    Outcome regression: without covariates the same ATT(g,t) as doubly robust, and faster."""
    rejected = []
    for rep in range(reps):
        res = fit(few_units_panel(seed=seed + rep, trend=trend), estimation="reg", n_bootstrap=199, seed=rep)
        test = res.pretest()
        assert test.method == ROBUST_METHOD
        rejected.append(test.rejected)
    return float(np.mean(rejected))


def test_robust_pretest_size_with_few_treated_units():
    # 300 panels with parallel trends, 5-6 treated units per group. A 5% test rejects 15 of 300
    # on average (binomial SD 3.8): accept 4-27 (3 SD; measured 12). R did's Wald test rejects
    # about 90% here (benchmarks/results/bench_staggered_pretest.md); the reliability flag is on.
    reps = 300
    rate = rejection_rate(reps, seed=100)
    sd = np.sqrt(0.05 * 0.95 / reps)
    assert 0.05 - 3 * sd < rate < 0.05 + 3 * sd, rate


def test_robust_pretest_power_against_diverging_trends():
    # Treated units trend apart by 2 noise SDs a year before they start: every pre-treatment cell
    # is off by 2 SD (t about 3 per cell, but on 4-5 degrees of freedom). Measured power of the
    # sup-t test: 0.72 in these 60 panels (0.75 of 100 others; 0.58 at 1.5 SD); accept > 0.5.
    assert rejection_rate(60, trend=2.0, seed=5000) > 0.5
    # With 60 treated units per group the Wald test is reliable, so result.pretest() is R did's
    # test; a trend of 0.15 SD a year is found in most panels (measured 30 of 30).
    rejected = []
    for s in range(30):
        res = fit(few_units_panel(seed=s, trend=0.15, sizes=(60, 60, 60), starts=(4, 5, 6), n_never=300,
                                  periods=tuple(range(1, 9))), estimation="reg")
        assert res.pretest_reliable
        rejected.append(res.pretest().rejected)
    assert np.mean(rejected) > 0.7
