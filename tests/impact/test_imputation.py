"""Borusyak, Jaravel & Spiess imputation estimator against didimputation's algorithm,
diff-diff's ImputationDiD and pyfixest.

References
----------
* diff-diff ``ImputationDiD`` (3.13; implements BJS Theorem 3 with did_imputation's
  cohort x horizon auxiliary model and its ``leave_one_out`` option): static ATT, event-time
  effects and their standard errors on did2s's ``df_het``, to 1e-8.
* R didimputation's algorithm, written out with dense dummy matrices (``_dense_reference``
  below, following did_imputation.R: v* = -Z (Z0'Z0)^-1 Z1'w, tau-bar by cohort x event time
  weighted by v^2, sigma^2 = sum over clusters of (sum v * residual)^2), on a small unbalanced
  panel with a covariate: to 1e-10. It checks the unit-effect elimination of the fast solver.
* The pre-trend regression against pyfixest ``feols`` on the untreated observations (CR1): 1e-8 on estimates, 1e-6 on SEs (pyfixest's demeaning tolerance on unbalanced panels).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import imputation
from tests.impact.robust_reference import df_het, staggered_sim


@pytest.fixture(scope="module")
def het():
    return df_het()


@pytest.mark.parametrize("leave_out", [False, True])
def test_matches_diff_diff(het, leave_out):
    dd = pytest.importorskip("diff_diff")
    res = imputation(het, "dep_var", "unit", "year", "g", leave_out=leave_out, pretrend_leads=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = dd.ImputationDiD(cluster="unit", leave_one_out=leave_out).fit(
            het, "dep_var", "unit", "year", "g", aggregate="all")
    assert res.estimate == pytest.approx(peer.overall_att, abs=1e-8)
    assert res.std_error == pytest.approx(peer.overall_se, rel=1e-8)
    for _, row in res.table.iterrows():
        effect = peer.event_study_effects[int(row["event_time"])]
        assert row["estimate"] == pytest.approx(effect["effect"], abs=1e-8)
        assert row["std_error"] == pytest.approx(effect["se"], rel=1e-8)


def _dense_reference(frame: pd.DataFrame, horizons: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """didimputation's computation with explicit unit/period dummies (no weights)."""
    treat = ((frame["g"] > 0) & (frame["t"] >= frame["g"])).to_numpy()
    rel = np.where(frame["g"] > 0, frame["t"] - frame["g"], -np.inf)
    Z = np.column_stack([pd.get_dummies(frame["id"]).to_numpy(float),
                         pd.get_dummies(frame["t"]).to_numpy(float)[:, 1:], frame["x"].to_numpy()])
    y = frame["y"].to_numpy()
    Z0, y0 = Z[~treat], y[~treat]
    coef = np.linalg.lstsq(Z0, y0, rcond=None)[0]
    adj = y - Z @ coef
    W = np.column_stack([treat] + [treat & (rel == h) for h in horizons]).astype(float)
    W /= W.sum(axis=0)
    estimates = W.T @ np.where(treat, adj, 0)
    v = -Z @ np.linalg.solve(Z0.T @ Z0, Z[treat].T @ W[treat])
    v[treat] = W[treat]
    se = []
    for k in range(W.shape[1]):
        cell = pd.Series(frame["g"].astype(str) + "|" + pd.Series(rel).astype(str))
        v2 = v[:, k] ** 2
        tau = cell.map(pd.Series(v2 * adj).groupby(cell).sum() / pd.Series(v2).groupby(cell).sum())
        resid = adj - np.where(treat, tau.fillna(0).to_numpy(), 0)
        totals = pd.Series(v[:, k] * resid).groupby(frame["id"].to_numpy()).sum()
        se.append(np.sqrt((totals ** 2).sum()))
    return estimates, np.array(se)


def test_matches_dense_didimputation_algorithm():
    frame = staggered_sim(seed=11, n_units=60, unbalanced=0.08, covariate=True)
    res = imputation(frame, "y", "id", "t", "g", covariates=["x"], lags=3, pretrend_leads=0)
    estimates, se = _dense_reference(frame, [0, 1, 2, 3])
    assert res.estimate == pytest.approx(estimates[0], abs=1e-10)
    assert res.std_error == pytest.approx(se[0], rel=1e-10)
    np.testing.assert_allclose(res.table["estimate"], estimates[1:], atol=1e-10)
    np.testing.assert_allclose(res.table["std_error"], se[1:], rtol=1e-10)


def test_pretrend_regression_matches_pyfixest():
    pf = pytest.importorskip("pyfixest")
    frame = staggered_sim(seed=12, unbalanced=0.05)
    res = imputation(frame, "y", "id", "t", "g", pretrend_leads=3)
    untreated = frame[~((frame["g"] > 0) & (frame["t"] >= frame["g"]))].copy()
    rel = np.where(untreated["g"] > 0, untreated["t"] - untreated["g"], 99)
    for lead in (1, 2, 3):
        untreated[f"lead{lead}"] = (rel == -lead).astype(float)
    fit = pf.feols("y ~ lead3 + lead2 + lead1 | id + t", untreated, vcov={"CRV1": "id"})
    np.testing.assert_allclose(res.pretrend_table["estimate"], fit.coef().to_numpy(), atol=1e-8)
    np.testing.assert_allclose(res.pretrend_table["std_error"], fit.se().to_numpy(), rtol=1e-6)
    assert res.pretrend.df_num == 3 and 0 <= res.pretrend.p_value <= 1
    assert "Pre-trend test" in res.summary()
    assert (res.tidy()["kind"] == "pretrend").sum() == 3


def test_recovers_growing_effects_where_twfe_is_biased():
    # effects 1 + 0.5 e (cohort 4 10% larger): the true ATT is the mean effect on treated rows
    from evaluation.impact import twfe

    frame = staggered_sim(seed=13, n_units=600)
    treated = frame["effect"] != 0
    truth = frame.loc[treated, "effect"].mean()
    res = imputation(frame, "y", "id", "t", "g", pretrend_leads=0)
    assert abs(res.estimate - truth) < 3 * res.std_error
    frame["d"] = treated.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        biased = twfe(frame, "y", "d", "id", "t")
    assert abs(biased.estimate - truth) > 5 * biased.std_error  # TWFE misses by far
    for _, row in res.table.iterrows():
        cell = frame.loc[treated & (frame["t"] - frame["g"] == row["event_time"]), "effect"].mean()
        assert abs(row["estimate"] - cell) < 4 * row["std_error"]


def test_bad_input_is_named():
    frame = staggered_sim(seed=14)
    with pytest.raises(ConfigError, match="pretrend_leads"):
        imputation(frame, "y", "id", "t", "g", pretrend_leads=-1)
    with pytest.raises(EstimationError, match="pre-trend test"):
        imputation(frame, "y", "id", "t", "g", pretrend_leads=9)
    with pytest.raises(ConfigError, match="anticipation"):
        imputation(frame, "y", "id", "t", "g", anticipation=-1)
