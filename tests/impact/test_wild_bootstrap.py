"""Wild cluster bootstrap against wildboottest (the Python port of boottest) and known properties."""
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from impact_simulate import staggered_panel
from wildboottest.wildboottest import WildboottestCL

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import twfe, wild_cluster_bootstrap


def _clustered(seed=0, G=10, n=300, beta=0.1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"g": rng.integers(0, G, n), "x": rng.normal(size=n), "z": rng.normal(size=n)})
    df["y"] = 1 + beta * df.x + 0.5 * df.z + rng.normal(size=n) + rng.normal(size=G)[df.g]
    return df


def _wildboottest(df, formula, column, weights, B, impose_null=True, seed=1):
    model = smf.ols(formula, df)
    R = np.array([name == column for name in model.exog_names], dtype=float)
    wb = WildboottestCL(X=model.exog, Y=model.endog, cluster=df["g"].to_numpy(), R=R, B=B, seed=seed)
    wb.get_scores(bootstrap_type="11", impose_null=impose_null)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb.get_weights(weights)
    wb.get_numer(); wb.get_denom(); wb.get_tboot(); wb.get_vcov(); wb.get_tstat(); wb.get_pvalue()
    return wb


@pytest.mark.parametrize("impose_null", [True, False])
def test_full_enumeration_matches_wildboottest(impose_null):
    # Reference: wildboottest 0.3 (WildboottestCL, bootstrap type "11"), full enumeration of the
    # 2^10 Rademacher sign vectors: the bootstrap t distribution agrees to 1e-10.
    df = _clustered(seed=5)
    ours = wild_cluster_bootstrap(df, "y ~ x + z", "x", "g", impose_null=impose_null)
    wb = _wildboottest(df, "y ~ x + z", "x", "rademacher", B=9999, impose_null=impose_null)
    assert ours.full_enumeration and ours.n_draws == 1024
    np.testing.assert_allclose(np.sort(ours.t_boot), np.sort(np.ravel(wb.t_boot)), atol=1e-10)
    assert ours.statistic == pytest.approx(float(np.ravel(wb.t_stat)[0]), rel=1e-10)
    # wildboottest counts |t*| > |t| strictly; we count ties (the draws v = ±1 reproduce t) as
    # extreme, the exact randomisation p-value
    ties = np.isclose(np.abs(ours.t_boot), abs(ours.statistic), rtol=1e-9).sum()
    assert ours.p_value == pytest.approx(wb.pvalue + ties / 1024 * impose_null, abs=1e-12) or \
        ours.p_value == pytest.approx(wb.pvalue + ties / 1024, abs=1e-12)


def test_webb_draws_agree_with_wildboottest_within_monte_carlo_error():
    # Reference: wildboottest with Webb weights, B = 4999 each: p-values differ only by
    # simulation noise (4 binomial standard errors of the difference).
    df = _clustered(seed=8, G=20, n=600, beta=0.12)
    ours = wild_cluster_bootstrap(df, "y ~ x + z", "x", "g", weights="webb", B=4999, seed=2)
    wb = _wildboottest(df, "y ~ x + z", "x", "webb", B=4999, seed=3)
    p = (ours.p_value + wb.pvalue) / 2
    assert abs(ours.p_value - wb.pvalue) < 4 * np.sqrt(2 * p * (1 - p) / 4999) + 1e-3
    assert not ours.full_enumeration and ours.n_draws == 4999


def test_webb_with_six_clusters_is_less_discrete():
    # Webb (2023): with G = 6 Rademacher gives only 2^6 = 64 distinct draws (32 |t*| values);
    # the six-point distribution gives far more, hence a finer p-value.
    df = _clustered(seed=9, G=6, n=240)
    rad = wild_cluster_bootstrap(df, "y ~ x + z", "x", "g")
    webb = wild_cluster_bootstrap(df, "y ~ x + z", "x", "g", weights="webb", B=1999, seed=4)
    assert rad.n_draws == 64 and rad.full_enumeration
    assert np.unique(np.round(np.abs(rad.t_boot), 10)).size <= 32
    assert np.unique(np.round(np.abs(webb.t_boot), 10)).size > 500
    assert 0 < webb.p_value <= 1


def test_interval_by_test_inversion():
    df = _clustered(seed=10, G=14, n=420, beta=0.3)
    res = wild_cluster_bootstrap(df, "y ~ x + z", "x", "g", B=999, seed=5)
    assert res.conf_low < res.estimate < res.conf_high
    # p-value is 1 at the estimate, above alpha inside the interval, at most alpha outside,
    # and falls as the null moves away from the estimate
    width = res.conf_high - res.conf_low
    inside = [res.estimate + f * (res.conf_high - res.estimate) for f in (0.0, 0.5, 0.95)]
    outside = [res.conf_high + f * width for f in (0.05, 0.5, 1.0)]
    p_in = [wild_cluster_bootstrap(df, "y ~ x + z", "x", "g", B=999, seed=5, null=r).p_value for r in inside]
    p_out = [wild_cluster_bootstrap(df, "y ~ x + z", "x", "g", B=999, seed=5, null=r).p_value for r in outside]
    assert p_in[0] == 1.0
    assert all(p > 0.05 for p in p_in) and all(p <= 0.05 for p in p_out)
    assert p_in == sorted(p_in, reverse=True) and p_out == sorted(p_out, reverse=True)


def test_fixed_effects_partialled_out_equal_dummies():
    # Frisch-Waugh: absorbing entity and time effects gives the same bootstrap as explicit dummies.
    df = staggered_panel(seed=21, n_units=12, n_periods=6, cohorts=(3, None), drop=0.05)
    with_fe = wild_cluster_bootstrap(df, "y ~ d + x", "d", "unit", fixed_effects=["unit", "time"])
    dummies = pd.get_dummies(df[["unit", "time"]].astype(str), drop_first=True, dtype=float)
    wide = pd.concat([df, dummies], axis=1)
    formula = ("y", ["d", "x", *dummies.columns])
    explicit = wild_cluster_bootstrap(wide, formula, "d", "unit")
    # explicit unit dummies count in K (N-K small-sample factor) while absorbed effects nested in
    # the clusters count once, so t statistics differ by one common factor: compare t*/t
    np.testing.assert_allclose(np.sort(with_fe.t_boot / with_fe.statistic),
                               np.sort(explicit.t_boot / explicit.statistic), atol=1e-8)
    assert with_fe.estimate == pytest.approx(explicit.estimate, abs=1e-10)
    assert with_fe.p_value == explicit.p_value
    assert with_fe.conf_low == pytest.approx(explicit.conf_low, abs=1e-5)


def test_result_method_reuses_the_twfe_fit():
    df = staggered_panel(seed=22, n_units=10, n_periods=6, cohorts=(3, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = twfe(df, "y", "d", "unit", "time", covariates=["x"])
    boot = fit.wild_bootstrap()
    direct = wild_cluster_bootstrap(df, "y ~ d + x", "d", "unit", fixed_effects=["unit", "time"])
    assert boot.estimate == pytest.approx(fit.estimate, rel=1e-12)
    assert boot.std_error == pytest.approx(fit.std_error, rel=1e-10)  # same CR1 convention
    assert boot.p_value == direct.p_value
    assert boot.full_enumeration and "enumerated" in " ".join(boot.notes)
    assert boot.tidy().loc[0, "method"] == "WCR"
    assert boot.plot() is not None


def test_bad_inputs():
    df = _clustered()
    with pytest.raises(ConfigError, match="not a term"):
        wild_cluster_bootstrap(df, "y ~ x", "z", "g")
    with pytest.raises(ConfigError, match="weights"):
        wild_cluster_bootstrap(df, "y ~ x", "x", "g", weights="normal")
    with pytest.raises(EstimationError, match="at least 2 clusters"):
        wild_cluster_bootstrap(df.assign(g=1), "y ~ x", "x", "g")
    with pytest.raises(EstimationError, match="collinear"):
        wild_cluster_bootstrap(df.assign(x2=df.x * 3), "y ~ x + x2", "x", "g")
    missing = df.copy()
    missing.loc[:4, "y"] = np.nan
    res = wild_cluster_bootstrap(missing, "y ~ x", "x", "g")
    assert "excluded 5 row(s): missing y" in res.notes
