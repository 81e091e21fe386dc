"""Sun & Abraham interaction-weighted event study against fixest's algorithm (via pyfixest)
and diff-diff.

References
----------
* The interaction regression is fixest's ``feols(y ~ sunab(g, t) | id + t)``: cohort x
  event-time dummies (reference -1, never-treated cohort as control), unit and period effects,
  CR1 errors by unit. Run here with pyfixest ``feols`` on the same dummies (pyfixest reproduces
  fixest's feols and its small-sample correction): coefficients and SEs to 1e-6 (pyfixest's
  demeaning tolerance).
* The aggregation is fixest's ``aggregate.fixest`` (R/did.R): shares = observation counts of
  each cohort x event-time cell among the cells of that event time, variance s'Vs (shares
  fixed). Recomputed here from pyfixest's coefficients and covariance: 1e-6.
* diff-diff ``SunAbraham`` (3.13) on did2s's ``df_het``: event-time effects, ATT and SEs, 1e-8.
* The cohort-share variance (``share_variance=True``, eventstudyinteract's addition) against a
  direct delta-method computation from cluster counts (pandas), 1e-10.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact import sun_abraham
from tests.impact.robust_reference import df_het, staggered_sim

pf = pytest.importorskip("pyfixest")


def _fixest_sunab(frame: pd.DataFrame, first: str = "g", lo: int | None = None, hi: int | None = None):
    """pyfixest feols with sunab's dummies, and fixest's aggregation by event time."""
    frame = frame.copy()
    rel = np.where(frame[first] > 0, frame["t"] - frame[first], np.nan)
    if lo is not None:
        rel = np.clip(rel, lo, hi)
    cells = (pd.DataFrame({"g": frame[first], "e": rel}).dropna().drop_duplicates()
             .query("e != -1").sort_values(["g", "e"]))
    names = []
    for g, e in zip(cells["g"], cells["e"]):
        name = f"c{int(g)}_{'m' if e < 0 else 'p'}{abs(int(e))}"
        frame[name] = ((frame[first] == g) & (rel == e)).astype(float)
        names.append(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols(f"y ~ {' + '.join(names)} | id + t", frame, vcov={"CRV1": "id"})
    beta, V = fit.coef()[names].to_numpy(), fit._vcov
    counts = frame[names].sum().to_numpy()
    rows = {}
    for e in np.unique(cells["e"]):
        m = (cells["e"] == e).to_numpy()
        s = counts[m] / counts[m].sum()
        rows[int(e)] = (s @ beta[m], np.sqrt(s @ V[np.ix_(m, m)] @ s))
    post = (cells["e"] >= 0).to_numpy()
    s = counts[post] / counts[post].sum()
    att = (s @ beta[post], np.sqrt(s @ V[np.ix_(post, post)] @ s))
    return fit, names, rows, att


def test_interactions_and_aggregation_match_fixest_algorithm():
    frame = staggered_sim(seed=21, unbalanced=0.05)
    res = sun_abraham(frame, "y", "id", "t", "g", share_variance=False)
    fit, names, rows, att = _fixest_sunab(frame)
    np.testing.assert_allclose(res.cohort_effects["estimate"], fit.coef()[names], atol=1e-6)
    np.testing.assert_allclose(res.cohort_effects["std_error"], fit.se()[names], rtol=1e-6)
    table = res.table[~res.table["reference"]]
    for _, row in table.iterrows():
        est, se = rows[int(row["event_time"])]
        assert row["estimate"] == pytest.approx(est, abs=1e-6)
        assert row["std_error"] == pytest.approx(se, rel=1e-6)
    assert res.estimate == pytest.approx(att[0], abs=1e-6)
    assert res.std_error == pytest.approx(att[1], rel=1e-6)
    assert res.table.loc[res.table["reference"], "event_time"].tolist() == [-1.0]


def test_binned_end_points_match_fixest_algorithm():
    frame = staggered_sim(seed=22)
    res = sun_abraham(frame, "y", "id", "t", "g", leads=3, lags=2, share_variance=False)
    _, _, rows, att = _fixest_sunab(frame, lo=-3, hi=2)
    for _, row in res.table[~res.table["reference"]].iterrows():
        assert row["estimate"] == pytest.approx(rows[int(row["event_time"])][0], abs=1e-6)
    assert res.table["term"].iloc[0] == "e<=-3" and res.table["term"].iloc[-1] == "e>=+2"
    assert res.estimate == pytest.approx(att[0], abs=1e-6)


def test_last_treated_control_matches_fixest_algorithm():
    frame = staggered_sim(seed=23)
    frame = frame[frame["g"] > 0]  # no never treated: cohort 8 is the control before period 8
    with pytest.raises(EstimationError, match="last_treated"):
        sun_abraham(frame, "y", "id", "t", "g")
    res = sun_abraham(frame, "y", "id", "t", "g", control="last_treated", share_variance=False)
    sub = frame[frame["t"] < 8].assign(g=lambda d: d["g"].where(d["g"] != 8, 0))
    _, _, rows, att = _fixest_sunab(sub)
    assert res.estimate == pytest.approx(att[0], abs=1e-6)
    for _, row in res.table[~res.table["reference"]].iterrows():
        assert row["std_error"] == pytest.approx(rows[int(row["event_time"])][1], rel=1e-6)


def test_matches_diff_diff_on_df_het():
    dd = pytest.importorskip("diff_diff")
    het = df_het()
    res = sun_abraham(het, "dep_var", "unit", "year", "g", share_variance=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = dd.SunAbraham(cluster="unit").fit(het, "dep_var", "unit", "year", "g")
    assert res.estimate == pytest.approx(peer.overall_att, abs=1e-8)
    assert res.std_error == pytest.approx(peer.overall_se, rel=1e-8)
    for _, row in res.table[~res.table["reference"]].iterrows():
        effect = peer.event_study_effects[int(row["event_time"])]
        assert row["estimate"] == pytest.approx(effect["effect"], abs=1e-8)
        assert row["std_error"] == pytest.approx(effect["se"], rel=1e-8)


def test_share_variance_is_the_delta_method_term():
    frame = staggered_sim(seed=24)
    fixed = sun_abraham(frame, "y", "id", "t", "g", share_variance=False)
    full = sun_abraham(frame, "y", "id", "t", "g", share_variance=True)
    effects = full.cohort_effects
    rel = frame["t"] - frame["g"]
    for e in (0, 2):
        cells = effects[effects["event_time"] == e]
        at_e = frame[(frame["g"] > 0) & (rel == e)]
        n_e = len(at_e)
        share = at_e.groupby("g").size().reindex(cells["cohort"]).to_numpy() / n_e
        by_unit = at_e.groupby(["id", "g"]).size().unstack(fill_value=0).reindex(
            columns=cells["cohort"], fill_value=0).to_numpy()
        psi = (by_unit - share[None, :] * by_unit.sum(axis=1, keepdims=True)) / n_e
        G = frame["id"].nunique()
        extra = G / (G - 1) * ((psi @ cells["estimate"].to_numpy()) ** 2).sum()
        row_fixed, row_full = fixed.effect(e), full.effect(e)
        assert row_full["std_error"] ** 2 == pytest.approx(row_fixed["std_error"] ** 2 + extra, rel=1e-10)
        assert row_full["estimate"] == pytest.approx(row_fixed["estimate"], abs=1e-12)


def test_recovers_growing_effects():
    frame = staggered_sim(seed=25, n_units=600)
    res = sun_abraham(frame, "y", "id", "t", "g")
    treated = frame["effect"] != 0
    assert abs(res.estimate - frame.loc[treated, "effect"].mean()) < 3 * res.std_error
    for e in range(6):
        cell = frame.loc[treated & (frame["t"] - frame["g"] == e), "effect"].mean()
        assert abs(res.effect(e)["estimate"] - cell) < 4 * res.effect(e)["std_error"]
    for e in (-2, -3):
        assert abs(res.effect(e)["estimate"]) < 4 * res.effect(e)["std_error"]


def test_bad_input_is_named():
    frame = staggered_sim(seed=26)
    with pytest.raises(ConfigError, match="control"):
        sun_abraham(frame, "y", "id", "t", "g", control="not_yet")
    with pytest.raises(ConfigError, match="reference"):
        sun_abraham(frame, "y", "id", "t", "g", reference=0)
    with pytest.raises(ConfigError, match="leads"):
        sun_abraham(frame, "y", "id", "t", "g", leads=0)
    with pytest.raises(KeyError, match="not estimated"):
        sun_abraham(frame, "y", "id", "t", "g").effect(40)
