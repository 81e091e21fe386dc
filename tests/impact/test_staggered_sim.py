"""Staggered DiD on simulated panels with a known ATT(g,t): recovery, coverage, options.

The data-generating process (in the style of R did's ``build_sim_dataset``): periods 1..T,
cohorts first treated in 3, 4, 5 or never; unit effects that differ by cohort; a covariate whose
effect on the outcome grows over time and whose mean differs between treated and never-treated
units (so parallel trends hold only conditionally when ``covariate_trend`` is on); and a true
effect that differs by cohort and grows with exposure:
ATT(g,t) = (1 + 0.5 (t - g)) (1 + 0.25 (g - 3)) for t >= g, and 0 before.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation.impact.staggered import staggered_did

GROUPS = (0, 3, 4, 5)


def true_att(g: float, t: float) -> float:
    return 0.0 if t < g else (1 + 0.5 * (t - g)) * (1 + 0.25 * (g - 3))


def simulate(n: int, seed: int, periods: int = 6, covariate_trend: bool = False,
             probs=(0.4, 0.2, 0.2, 0.2)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.choice(GROUPS, size=n, p=probs)
    x = rng.normal(loc=np.where(g == 0, 1.0, 0.0), size=n)
    eta = rng.normal(loc=g / 2.0, size=n)
    t = np.arange(1, periods + 1)
    beta = 0.5 * t if covariate_trend else np.zeros(periods)
    y0 = t[None, :] + eta[:, None] + x[:, None] * beta[None, :] + rng.normal(size=(n, periods))
    effect = np.vectorize(true_att)(np.repeat(g[:, None], periods, 1), np.repeat(t[None, :], n, 0))
    effect = np.where(g[:, None] > 0, effect, 0.0)
    y = y0 + effect + np.where((g[:, None] > 0) & (t[None, :] >= g[:, None]), rng.normal(size=(n, periods)), 0.0)
    return pd.DataFrame({"id": np.repeat(np.arange(n), periods), "t": np.tile(t, n),
                         "g": np.repeat(g, periods), "x": np.repeat(x, periods), "y": y.ravel(),
                         "cluster": np.repeat(np.arange(n) // 5, periods)})


def truth_for(cells: pd.DataFrame) -> np.ndarray:
    return np.array([true_att(g, t) for g, t in zip(cells["group"], cells["time"])])


def quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return staggered_did(*args, **kwargs)


def true_dynamic(frame: pd.DataFrame, e: int, periods: int = 6) -> float:
    """Event-time truth weighted by cohort sizes (only cohorts observed at e)."""
    sizes = frame.groupby("g")["id"].nunique()
    cohorts = [g for g in (3, 4, 5) if 1 <= g + e <= periods]
    w = np.array([sizes[g] for g in cohorts], float)
    return float(np.dot(w / w.sum(), [true_att(g, g + e) for g in cohorts]))


@pytest.mark.parametrize("estimation", ["dr", "ipw", "reg", "dr_improved"])
def test_recovers_heterogeneous_effects_with_covariates(estimation):
    frame = simulate(4000, seed=1, covariate_trend=True)
    res = quiet(frame, "y", "id", "t", "g", covariates=["x"], estimation=estimation, bootstrap=False)
    z = (res.estimates - truth_for(res.cells)) / res.std_errors
    assert np.max(np.abs(z)) < 4.0
    dyn = res.aggregate("dynamic")
    for e, est, se in zip(dyn.table["event_time"], dyn.table["estimate"], dyn.table["std_error"]):
        assert abs(est - true_dynamic(frame, int(e))) < 4 * se


def test_ignoring_the_covariate_is_biased_when_trends_depend_on_it():
    frame = simulate(4000, seed=1, covariate_trend=True)
    res = quiet(frame, "y", "id", "t", "g", bootstrap=False)
    z = (res.estimates - truth_for(res.cells)) / res.std_errors
    assert np.max(np.abs(z)) > 6.0  # the covariate is what makes parallel trends hold


def test_not_yet_treated_and_group_calendar_aggregations():
    frame = simulate(3000, seed=2)
    res = quiet(frame, "y", "id", "t", "g", control_group="not_yet_treated", bootstrap=False)
    assert np.max(np.abs((res.estimates - truth_for(res.cells)) / res.std_errors)) < 4.0
    sizes = frame.groupby("g")["id"].nunique()
    grp = res.aggregate("group")
    for g, est, se in zip(grp.table["group"], grp.table["estimate"], grp.table["std_error"]):
        truth = np.mean([true_att(g, t) for t in range(int(g), 7)])
        assert abs(est - truth) < 4 * se
    w = np.array([sizes[g] for g in (3, 4, 5)], float)
    truth_overall = np.dot(w / w.sum(), [np.mean([true_att(g, t) for t in range(g, 7)]) for g in (3, 4, 5)])
    assert abs(grp.overall_estimate - truth_overall) < 4 * grp.overall_std_error
    cal = res.aggregate("calendar")
    for t, est, se in zip(cal.table["time"], cal.table["estimate"], cal.table["std_error"]):
        cohorts = [g for g in (3, 4, 5) if g <= t]
        wt = np.array([sizes[g] for g in cohorts], float)
        assert abs(est - np.dot(wt / wt.sum(), [true_att(g, t) for g in cohorts])) < 4 * se


def test_pointwise_and_uniform_coverage_monte_carlo():
    """Analytic 95% intervals cover ATT(g,t) in ~95% of replications; the bootstrap uniform band
    covers the whole dynamic path (e = -3..3) in ~95%."""
    reps, n = 400, 300
    cover_cells, cover_paths = [], []
    for rep in range(reps):
        frame = simulate(n, seed=1000 + rep, periods=5, probs=(0.4, 0.2, 0.2, 0.2))
        res = quiet(frame, "y", "id", "t", "g", seed=rep, n_bootstrap=199)
        truth = truth_for(res.cells)
        se = res.cells["analytic_std_error"].to_numpy()
        cover_cells.append(np.abs(res.estimates - truth) <= 1.959964 * se)
        dyn = res.aggregate("dynamic")
        e_truth = np.array([true_dynamic(frame, int(e), periods=5) for e in dyn.table["event_time"]])
        low, high = dyn.table["conf_low"].to_numpy(float), dyn.table["conf_high"].to_numpy(float)
        cover_paths.append(bool(np.all((low <= e_truth) & (e_truth <= high))))
    pointwise = np.mean(np.concatenate(cover_cells))
    uniform = np.mean(cover_paths)
    # 400 reps x 12 cells: binomial sd of the pointwise rate about 0.3 points; of the uniform 1.1 points
    print(f"coverage: pointwise {pointwise:.3f}, uniform {uniform:.3f}")
    assert 0.93 <= pointwise <= 0.97, pointwise
    assert 0.91 <= uniform <= 0.985, uniform


def test_unbalanced_panel_kept_or_balanced_with_a_count():
    frame = simulate(2000, seed=4)
    rng = np.random.default_rng(0)
    drop = rng.random(len(frame)) < 0.05
    holes = frame.loc[~drop]
    n_incomplete = frame.loc[drop, "id"].nunique()
    with pytest.warns(UserWarning, match="not observed in every period"):
        balanced = staggered_did(holes, "y", "id", "t", "g", bootstrap=False)
    reasons = dict(balanced.exclusions.counts)
    assert reasons["unit not observed in every period (panel balanced)"] == \
        holes["id"].isin(frame.loc[drop, "id"]).sum()
    assert balanced.n_units == 2000 - n_incomplete
    assert any("dropped to balance" in note for note in balanced.notes)
    kept = quiet(holes, "y", "id", "t", "g", allow_unbalanced=True, bootstrap=False)
    assert kept.n_units == 2000
    assert np.max(np.abs((kept.estimates - truth_for(kept.cells)) / kept.std_errors)) < 4.0


def test_clustering_by_unit_changes_nothing_and_coarser_clusters_are_used():
    frame = simulate(1500, seed=5)
    base = quiet(frame, "y", "id", "t", "g", bootstrap=False)
    by_unit = quiet(frame, "y", "id", "t", "g", cluster="id", bootstrap=False)
    np.testing.assert_allclose(base.std_errors, by_unit.std_errors, rtol=1e-12)
    coarse = quiet(frame, "y", "id", "t", "g", cluster="cluster", seed=1)
    assert coarse.n_clusters == 300
    np.testing.assert_allclose(coarse.estimates, base.estimates)
    ratio = coarse.std_errors / base.std_errors
    assert np.all((ratio > 0.6) & (ratio < 1.6))  # independent units: similar, not identical


def test_universal_base_period_and_anticipation():
    frame = simulate(3000, seed=6)
    res = quiet(frame, "y", "id", "t", "g", base_period="universal", bootstrap=False)
    ref_cells = res.cells[res.cells["time"] == res.cells["group"] - 1]
    assert (ref_cells["estimate"] == 0).all() and ref_cells["std_error"].isna().all()
    assert np.max(np.abs((res.estimates - truth_for(res.cells)) / res.std_errors)[
        np.isfinite(res.std_errors)]) < 4.0
    # with one anticipation period the base period moves back one: post effects still recovered
    ant = quiet(frame, "y", "id", "t", "g", anticipation=1, bootstrap=False)
    post = ant.cells["post"].to_numpy()
    assert (ant.cells.loc[ant.cells["post"], "base_time"] == ant.cells.loc[ant.cells["post"], "group"] - 2).all()
    z = (ant.estimates - truth_for(ant.cells)) / ant.std_errors
    assert np.max(np.abs(z[post])) < 4.0


def test_integer_weights_equal_duplicated_units():
    frame = simulate(600, seed=7)
    frame["w"] = np.where(frame["id"] % 3 == 0, 2.0, 1.0)
    weighted = quiet(frame, "y", "id", "t", "g", weights="w", covariates=["x"], bootstrap=False)
    copy = frame[frame["id"] % 3 == 0].assign(id=lambda f: f["id"] + 10_000)
    doubled = quiet(pd.concat([frame, copy]), "y", "id", "t", "g", covariates=["x"], bootstrap=False)
    np.testing.assert_allclose(weighted.estimates, doubled.estimates, atol=1e-8)
    agg_w = weighted.aggregate("group")
    agg_d = doubled.aggregate("group")
    assert agg_w.overall_estimate == pytest.approx(agg_d.overall_estimate, abs=1e-8)
