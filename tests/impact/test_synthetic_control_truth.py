"""Synthetic control and synthetic DiD against the known truth of the synthetic municipality panel.

Design (evaluation.synthetic.panel.simulate_panel): one pilot municipality — Ostrava, which starts
in 2016 — is kept with the 150 municipalities that never have the pilot (the other 15 pilots are
left out, as an evaluation of one city would). Its true effect on the arrears rate is known: the
*sample* truth is the mean over 2016–2024 of Y(1) − Y(0) from the generator's potential outcomes,
the DGP truth the mean of ``arrears_rate_effect`` (−(0.010 + 0.004 e), e = years since start).
Pilots start from higher arrears (+0.03: selection on level), so the treated municipality can lie
above every donor: SDID's intercept and the ridge augmentation absorb the level, plain SC (no
intercept) matches the path only as well as the donors' hull allows — its error is checked against
the spread of its own placebo estimates. ``households_in_need_per_1000`` has no effect (placebo
outcome). Tolerances: 3 standard errors for SDID (placebo SE), 3 placebo standard deviations for
SC/ASCM. The slow tests redraw the panel 100 times: SDID's placebo interval must cover the truth
at a rate inside the 99% binomial band around 0.95, and SC placebo p-values under no effect must
not reject more often than the band around the nominal rate allows.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.impact import synthetic_control, synthetic_did
from evaluation.synthetic import calibration as cal
from evaluation.synthetic.panel import arrears_rate_effect, simulate_panel

TREATED = "Ostrava"


def one_city(seed: int) -> tuple[pd.DataFrame, float, float]:
    """(panel of Ostrava + never-treated municipalities, sample truth, DGP truth) for one draw."""
    panel, potential = simulate_panel(np.random.default_rng(seed))
    keep = panel["pilot_start_period"].isna() | (panel["municipality"] == TREATED)
    frame = panel.loc[keep].copy()
    frame["pilot"] = ((frame["municipality"] == TREATED) & (frame["period"] >= 2016)).astype(int)
    frame["need_per_1000"] = frame["households_in_need"] / frame["population"] * 1000
    pot = potential[(potential["municipality"] == TREATED) & (potential["period"] >= 2016)]
    sample = float((pot["arrears_rate_1"] - pot["arrears_rate_0"]).mean())
    dgp = float(arrears_rate_effect(pot["group"].to_numpy(), pot["period"].to_numpy()).mean())
    return frame, sample, dgp


@pytest.fixture(scope="module")
def draw():
    return one_city(2019)


def test_truth_is_what_the_calibration_says(draw):
    _, sample, dgp = draw
    a, b = cal.PANEL_ARREARS_EFFECT
    assert dgp == pytest.approx(-np.mean(a + b * np.arange(9)) * cal.PANEL_ARREARS_MULTIPLIER[2016])
    assert sample == pytest.approx(dgp, abs=0.002)        # rounding and clipping only


def test_sdid_recovers_one_municipality_effect(draw):
    frame, sample, _ = draw
    res = synthetic_did(frame, "arrears_rate", "municipality", "period", "pilot", se_method="placebo",
                        replications=100, seed=7)
    assert abs(res.estimate - sample) < 3 * res.std_error, (res.estimate, sample, res.std_error)
    placebo = synthetic_did(frame, "need_per_1000", "municipality", "period", "pilot", se_method="placebo",
                            replications=100, seed=7)
    assert abs(placebo.estimate) < 3 * placebo.std_error


def test_sc_and_ridge_ascm_recover_one_municipality_effect(draw):
    frame, sample, _ = draw
    for augment in (None, "ridge"):
        res = synthetic_control(frame, "arrears_rate", "municipality", "period", treatment="pilot", augment=augment)
        placebo = res.placebo_in_space()
        spread = float(placebo.table.loc[~placebo.table["treated"], "att"].std())
        assert abs(res.estimate - sample) < 3 * spread, (augment, res.estimate, sample, spread)


def test_staggered_sdid_on_all_pilots_with_bootstrap():
    """All 16 pilots (three start years) against the never-treated: the Stata-style aggregate
    (cohorts weighted by treated unit-years) targets the mean effect over treated unit-years."""
    panel, potential = simulate_panel(np.random.default_rng(2019))
    panel = panel.copy()
    panel["pilot"] = (panel["period"] >= panel["pilot_start_period"].fillna(9999)).astype(int)
    treated = potential[potential["treated"]]
    truth = float((treated["arrears_rate_1"] - treated["arrears_rate_0"]).mean())
    res = synthetic_did(panel, "arrears_rate", "municipality", "period", "pilot", se_method="bootstrap",
                        replications=30, seed=11)
    assert res.cohorts["cohort"].tolist() == [2016, 2017, 2018]
    assert abs(res.estimate - truth) < 3 * res.std_error, (res.estimate, truth, res.std_error)


@pytest.mark.slow
def test_sdid_placebo_interval_coverage_over_draws():
    hits, n = 0, 100
    for seed in range(n):
        frame, sample, _ = one_city(30_000 + seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = synthetic_did(frame, "arrears_rate", "municipality", "period", "pilot", se_method="placebo",
                                replications=100, seed=seed)
        lo, hi = res.conf_int
        hits += lo <= sample <= hi
    band = stats.binom.interval(0.99, n, 0.95)
    assert band[0] <= hits <= band[1], hits


@pytest.mark.slow
def test_sc_placebo_p_values_under_no_effect():
    rejections, n = 0, 60
    for seed in range(n):
        frame, _, _ = one_city(40_000 + seed)
        res = synthetic_control(frame, "need_per_1000", "municipality", "period", treatment="pilot")
        rejections += res.placebo_in_space().p_value <= 0.10
    assert rejections <= stats.binom.ppf(0.99, n, 0.10), rejections
