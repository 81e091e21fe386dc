"""The fast paths of the impact estimators give the numbers of the general ones.

Reference: the general code path of the same estimator on the same data (rows shuffled, a
weights column of ones, first steps refitted per cell, numpy's BLAS products), which the
reference tests (R did, pyfixest, wildboottest) check; tolerance 1e-10 (rounding only).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation._tallskinny import BLAS_COLUMNS, gram, matvec, tdot
from evaluation.impact.covariance import collinear_columns
from evaluation.impact.staggered import staggered_did
from evaluation.impact.staggered_data import prepare_panel
from evaluation.impact.staggered_estimators import panel_2x2, panel_first_step
from evaluation.impact.wild_bootstrap import wild_cluster_bootstrap


def _panel(n: int = 600, periods: int = 6, varying: bool = False, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.choice([0, 3, 5], size=n, p=[0.5, 0.25, 0.25])
    x = rng.normal(size=n) + 0.5 * (g > 0)
    t = np.arange(1, periods + 1)
    xt = x[:, None] + (0.3 * rng.normal(size=(n, periods)) if varying else 0.0)
    y = (0.2 * t[None, :] + x[:, None] * t[None, :] / periods + np.where((g[:, None] > 0) & (t >= g[:, None]), 1.0, 0.0)
         + rng.normal(size=(n, periods)))
    return pd.DataFrame({"id": np.repeat(np.arange(n), periods), "t": np.tile(t, n), "g": np.repeat(g, periods),
                         "x": np.broadcast_to(xt, (n, periods)).ravel(), "y": y.ravel()})


def _fit(frame: pd.DataFrame, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(frame, "y", "id", "t", "g", bootstrap=False, **kwargs).cells


@pytest.mark.parametrize("covariates", [[], ["x"]])
@pytest.mark.parametrize("estimation", ["dr", "reg", "ipw"])
def test_sorted_panel_fast_path_equals_general_path(covariates, estimation):
    frame = _panel()
    kwargs = {"covariates": covariates, "estimation": estimation}
    fast = _fit(frame, **kwargs)
    shuffled = frame.sample(frac=1.0, random_state=1)  # not sorted: the general path
    general = _fit(shuffled, **kwargs)
    weighted = _fit(frame.assign(w=1.0), weights="w", **kwargs)  # weights: the general path
    for other in (general, weighted):
        np.testing.assert_allclose(fast["estimate"], other["estimate"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(fast["std_error"], other["std_error"], rtol=0, atol=1e-10)


def test_fast_path_only_for_the_layout_it_handles():
    frame = _panel()
    args = {"covariates": ["x"], "weights": None, "cluster": None, "panel": True, "allow_unbalanced": False,
            "anticipation": 0}
    fast = prepare_panel(frame, "y", "id", "t", "g", **args)
    general = prepare_panel(frame.iloc[::-1], "y", "id", "t", "g", **args)
    np.testing.assert_array_equal(fast.outcome_wide, general.outcome_wide)
    np.testing.assert_array_equal(fast.covariates_wide, general.covariates_wide)
    np.testing.assert_array_equal(fast.entity_group, general.entity_group)
    # a missing outcome goes the general way and is counted
    broken = frame.copy()
    broken.loc[7, "y"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prep = prepare_panel(broken, "y", "id", "t", "g", **args)
    assert prep.exclusions.total > 0 and prep.n_entities == fast.n_entities - 1


@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_shared_first_step_equals_refit(method):
    rng = np.random.default_rng(5)
    n = 400
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    d = (rng.random(n) < 1 / (1 + np.exp(-X[:, 1]))).astype(float)
    w = rng.uniform(0.5, 2.0, n)
    first = panel_first_step(d, X, w, method)
    for _ in range(3):  # several outcomes (cells) on one first step
        dy = X @ rng.normal(size=3) + d + rng.normal(size=n)
        att, inf = panel_2x2(dy, d, X, w, method)
        att_shared, inf_shared = panel_2x2(dy, d, X, w, method, first)
        assert att_shared == pytest.approx(att, abs=1e-12)
        np.testing.assert_allclose(inf_shared, inf, rtol=0, atol=1e-10)


def test_time_varying_covariates_use_each_base_period():
    frame = _panel(varying=True)
    cells = _fit(frame, covariates=["x"])
    # ATT(3, 4): base period 2 (the last before treatment); covariates of period 2
    wide = frame.pivot(index="id", columns="t")
    g = wide["g"][1].to_numpy()
    keep = (g == 3) | (g == 0)
    dy = (wide["y"][4] - wide["y"][2]).to_numpy()[keep]
    X = np.column_stack([np.ones(keep.sum()), wide["x"][2].to_numpy()[keep]])
    att, _ = panel_2x2(dy, (g[keep] == 3).astype(float), X, np.ones(keep.sum()), "dr")
    row = cells[(cells["group"] == 3) & (cells["time"] == 4)]
    assert float(row["estimate"].iloc[0]) == pytest.approx(att, abs=1e-12)


@pytest.mark.parametrize("k", [1, 3, BLAS_COLUMNS + 2])
def test_tall_skinny_products_equal_blas(k):
    rng = np.random.default_rng(k)
    X, w, y, b = rng.normal(size=(500, k)), rng.random(500), rng.normal(size=500), rng.normal(size=k)
    np.testing.assert_allclose(gram(X), X.T @ X, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(gram(X, w), (X * w[:, None]).T @ X, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(tdot(X, y), X.T @ y, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(matvec(X, b), X @ b, rtol=1e-12, atol=1e-10)


def test_collinearity_check_of_tall_designs_agrees_with_qr():
    rng = np.random.default_rng(2)
    n = 60_000  # at least GRAM_ROWS: the cross-product path
    a, b = rng.normal(size=n), rng.normal(size=n)
    names = ("one", "a", "b", "c")
    exact = np.column_stack([np.ones(n), a, b, 2 * a - b])
    near = np.column_stack([np.ones(n), a, b, 2 * a - b + 1e-7 * rng.normal(size=n)])
    fine = np.column_stack([np.ones(n), a, b, a * b])
    assert collinear_columns(exact, names) == ["c"]
    assert collinear_columns(near, names) == ["c"]
    assert collinear_columns(fine, names) == []
    assert collinear_columns(exact[:1000], names) == ["c"]  # the QR path says the same


def test_wild_bootstrap_without_interval_has_the_same_p_value():
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"g": np.repeat(np.arange(14), 30), "x": rng.normal(size=420)})
    df["y"] = 0.1 * df["x"] + rng.normal(size=14)[df["g"]] + rng.normal(size=420)
    full = wild_cluster_bootstrap(df, "y ~ x", "x", "g", B=999, seed=2, weights="webb")
    quick = wild_cluster_bootstrap(df, "y ~ x", "x", "g", B=999, seed=2, weights="webb", ci=False)
    assert quick.p_value == full.p_value and quick.statistic == full.statistic
    assert np.isnan(quick.conf_low) and np.isnan(quick.conf_high) and np.isfinite(full.conf_low)
