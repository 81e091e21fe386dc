"""BPW panel power: the formula's special cases, its Appendix E correction, pcpanel's conventions,
and simulation on the synthetic generator (the known truth).

References:

* Burlig, Preonas & Woerman (2020, J Dev Econ 144:102458), eq. for the serial-correlation-robust
  DiD variance and Appendix E (estimated covariances); their Stata package pcpanel 3.0
  (``pc_dd_analytic``: power = 1 - ttail(df, mde/se - t_crit), df = J with serial correlation,
  J (m + r) - (J + m + r) without; ``pc_dd_covar``: the estimation algorithm).
* McKenzie (2012, J Dev Econ 99:210): with a constant correlation the DiD variance is
  (1 - rho) (m + r) / (m r) sigma2 / (P (1 - P) J).
* Truth: the synthetic arrears (evaluation.synthetic.outcomes) are a household level, common
  month effects and AR(1) shocks with coefficient 0.6 and innovation SD 1,500 CZK, so the true
  BPW parameters are those of ar1_covariance(1500**2 / 0.64, 0.6); placebo experiments with a
  planted effect (simulate_did_power) must reject as often as the analytic power says, within
  Monte Carlo error.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.design import (
    ar1_covariance,
    did_power,
    estimate_covariance,
    event_study_power,
    simulate_did_power,
    synthetic_outcome_panel,
)
from evaluation.design.panel import covariance_from_matrix
from evaluation.design.simulation import treatment_matrix, twfe_cluster
from evaluation.errors import ConfigError, DataError

SIGMA2 = 1500.0 ** 2 / (1 - 0.6 ** 2)


def pcpanel_ar1_averages(variance, rho, m, r):
    """pc_dd_analytic's closed-form averages for AR(1) errors, written out from its lag counts."""
    psi_b = sum((m - k) * rho ** k for k in range(1, m)) * 2 / (m * (m - 1)) * variance if m > 1 else 0.0
    psi_a = sum((r - k) * rho ** k for k in range(1, r)) * 2 / (r * (r - 1)) * variance if r > 1 else 0.0
    # lag k between a pre period s and a post period t: number of pairs with t - s = k
    pairs = {k: sum(1 for s in range(m) for t in range(m, m + r) if t - s == k) for k in range(1, m + r)}
    psi_x = sum(n * rho ** k for k, n in pairs.items()) / (m * r) * variance
    return psi_b, psi_a, psi_x


@pytest.mark.parametrize("m,r", [(1, 1), (3, 3), (5, 2), (2, 7), (12, 12)])
def test_ar1_averages_match_pcpanel(m, r):
    cov = ar1_covariance(2.5, 0.7, m, r)
    psi_b, psi_a, psi_x = pcpanel_ar1_averages(2.5, 0.7, m, r)
    assert (cov.cov_pre, cov.cov_post, cov.cov_cross) == pytest.approx((psi_b, psi_a, psi_x), rel=1e-12)
    assert cov.variance == 2.5


def test_constant_correlation_is_mckenzie():
    m, r, rho, s2 = 4, 6, 0.35, 3.0
    matrix = s2 * ((1 - rho) * np.eye(m + r) + rho)
    res = did_power(None, 120, 0.8, pre=m, post=r, covariance=covariance_from_matrix(matrix, m, r), df=None)
    se = np.sqrt((1 - rho) * (m + r) / (m * r) * s2 / (0.25 * 120))
    assert res.values["std_error"] == pytest.approx(se, rel=1e-12)
    assert res.effect == pytest.approx((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * se, rel=1e-12)


def test_pcpanel_power_and_df_convention():
    cov = ar1_covariance(1.0, 0.9, 3, 3)
    res = did_power(0.3, 100, None, pre=3, post=3, covariance=cov, df="pcpanel")
    se = np.sqrt(cov.bracket() / (0.25 * 100))
    assert res.power == pytest.approx(stats.t.cdf(0.3 / se - stats.t.ppf(0.975, 100), 100), abs=1e-12)
    iid = did_power(0.3, 100, None, pre=3, post=3, variance=1.0, df="pcpanel")
    assert iid.values["df"] == 100 * 6 - (100 + 6)
    assert did_power(0.3, 100, None, pre=3, post=3, covariance=cov).values["df"] == 99
    mde = did_power(None, 100, 0.8, pre=3, post=3, covariance=cov, df="pcpanel")
    assert mde.effect == pytest.approx((stats.t.ppf(0.8, 100) + stats.t.ppf(0.975, 100)) * se, rel=1e-12)


def test_solving_each_quantity_round_trips():
    cov = ar1_covariance(1.0, 0.5, 6, 6)
    mde = did_power(None, 90, 0.8, pre=6, post=6, covariance=cov, treated_share=1 / 3)
    assert did_power(mde.effect, 90, None, pre=6, post=6, covariance=cov, treated_share=1 / 3).power == \
        pytest.approx(0.8, abs=1e-9)
    n = did_power(mde.effect, None, 0.8, pre=6, post=6, covariance=cov, treated_share=1 / 3)
    assert n.values["n_exact"] == pytest.approx(90, rel=1e-8) and n.values["n"] == 90


def ar1_panel(seed, units=400, periods=40, rho=0.6, variance=2.0):
    rng = np.random.default_rng(seed)
    e = np.empty((units, periods))
    e[:, 0] = rng.normal(0, np.sqrt(variance), units)
    for t in range(1, periods):
        e[:, t] = rho * e[:, t - 1] + rng.normal(0, np.sqrt(variance * (1 - rho ** 2)), units)
    y = e + rng.normal(0, 3, units)[:, None] + np.sin(np.arange(periods))[None, :]
    return pd.DataFrame({"u": np.repeat(np.arange(units), periods), "t": np.tile(np.arange(periods), units),
                         "y": y.ravel()})


@pytest.mark.parametrize("m,r", [(1, 1), (3, 3), (6, 2)])
def test_appendix_e_correction_recovers_the_true_variance(m, r):
    """Residual-based estimates are biased (psi_X < 0, variance too small) but the corrected
    bracket equals the true-parameter one in expectation."""
    est = estimate_covariance(ar1_panel(3), "y", "u", "t", pre=m, post=r)
    true = ar1_covariance(2.0, 0.6, m, r)
    assert est.estimated and est.cov_cross < 0 < true.cov_cross and est.variance < true.variance
    assert est.bracket() == pytest.approx(true.bracket(), rel=0.05)
    assert est.windows == 40 - (m + r) + 1 and est.n_units == 400


def test_estimate_covariance_leaves_out_incomplete_units_and_says_so():
    panel = ar1_panel(5, units=50, periods=10)
    panel = panel.drop(panel.index[(panel["u"] == 3) & (panel["t"] == 4)])
    est = estimate_covariance(panel, "y", "u", "t", pre=2, post=2)
    assert est.excluded_units == 4  # unit 3 misses period 4, which lies in 4 of the 7 windows
    assert any("left out" in note for note in est.notes)
    with pytest.raises(DataError, match="needs 12"):
        estimate_covariance(panel, "y", "u", "t", pre=6, post=6)
    with pytest.raises(DataError, match="more than one row"):
        estimate_covariance(pd.concat([panel, panel]), "y", "u", "t", pre=2, post=2)


def test_event_study_coefficient_is_the_two_period_did():
    m, r, rho = 4, 4, 0.6
    res = event_study_power(None, 60, 0.8, pre=m, post=r, event_time=2, variance=1.0, ar1=rho, df=None)
    se = np.sqrt(2 * (1 - rho ** 3) / (0.25 * 60))  # periods 2 and -1 are 3 apart
    assert res.values["std_error"] == pytest.approx(se, rel=1e-12)
    # the same DiD with pre = post = 1 periods 3 apart, by the BPW formula
    two = did_power(None, 60, 0.8, pre=1, post=1, covariance=covariance_from_matrix(
        np.array([[1.0, rho ** 3], [rho ** 3, 1.0]]), 1, 1), df=None)
    assert two.effect == pytest.approx(res.effect, rel=1e-12)


def test_event_study_variance_by_monte_carlo():
    """The analytic SE of an event-study coefficient equals the spread of TWFE event-study
    estimates over simulated AR(1) panels (light: 400 panels)."""
    rng = np.random.default_rng(8)
    units, m, r, rho = 60, 3, 3, 0.6
    estimates = []
    for _ in range(400):
        e = np.empty((units, m + r))
        e[:, 0] = rng.normal(size=units)
        for t in range(1, m + r):
            e[:, t] = rho * e[:, t - 1] + rng.normal(0, np.sqrt(1 - rho ** 2), units)
        treated = e[:30]
        control = e[30:]
        estimates.append((treated[:, m + 1] - treated[:, m - 1]).mean() - (control[:, m + 1] - control[:, m - 1]).mean())
    analytic = event_study_power(0.0 + 1e-9, units, None, pre=m, post=r, event_time=1, variance=1.0, ar1=rho)
    assert np.std(estimates, ddof=1) == pytest.approx(analytic.values["std_error"], rel=0.1)


def test_cluster_design_scales_by_design_effect_over_cluster_size():
    base = did_power(None, 30, 0.8, pre=6, post=6, variance=1.0, ar1=0.5, df=None)
    clustered = did_power(None, 30, 0.8, pre=6, post=6, variance=1.0, ar1=0.5, df=None, cluster_size=10, icc=0.1)
    assert clustered.values["std_error"] == pytest.approx(base.values["std_error"] * np.sqrt(1.9 / 10), rel=1e-12)
    assert clustered.size_name == "clusters"


def test_fast_twfe_equals_the_toolkit_twfe():
    from evaluation.impact import twfe

    rng = np.random.default_rng(2)
    y = rng.normal(size=(40, 10)) + rng.normal(size=40)[:, None]
    for offsets in [(0,), (0, 2, 4)]:
        d = treatment_matrix(15, 40, 4, 6, offsets)
        fast = twfe_cluster(y, d)
        panel = pd.DataFrame({"u": np.repeat(np.arange(40), 10), "t": np.tile(np.arange(10), 40),
                              "y": y.ravel(), "d": d.ravel()})
        with pytest.warns(UserWarning) if len(offsets) > 1 else _nothing():
            ref = twfe(panel, "y", "d", "u", "t").tidy().iloc[0]
        assert (fast.estimate, fast.std_error, fast.p_value) == pytest.approx(
            (ref["estimate"], ref["std_error"], ref["p_value"]), rel=1e-10)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


@pytest.fixture(scope="module")
def synthetic_panel():
    return synthetic_outcome_panel(seed=2019, scale=1.0)


def _analytic_vs_simulated(panel, pre, post, simulations, seed, offsets=(0,)):
    analytic = did_power(None, 90, 0.7, pre=pre, post=post, variance=SIGMA2, ar1=0.6, treated_share=1 / 3)
    sim = simulate_did_power(panel, "arrears_czk", "household_id", "month", effect=analytic.effect, n=90, pre=pre,
                             post=post, treated_share=1 / 3, simulations=simulations, seed=seed,
                             entry_offsets=offsets)
    return analytic, sim


def test_simulation_on_the_synthetic_generator_agrees_with_bpw(synthetic_panel):
    """30 programme and 60 comparison households, 12 months before and after: the simulated power
    at the analytic 70% MDE lies within 3 Monte Carlo SEs of 70%, and the BPW MDE from covariances
    estimated on the same data is within 5% of the true-parameter one."""
    analytic, sim = _analytic_vs_simulated(synthetic_panel, 12, 12, 300, seed=5)
    assert abs(sim.power - 0.7) < 3 * sim.values["mc_std_error"]
    assert sim.values["sd_estimate"] == pytest.approx(analytic.values["std_error"], rel=0.15)
    est = estimate_covariance(synthetic_panel, "arrears_czk", "household_id", "month", pre=12, post=12)
    from_data = did_power(None, 90, 0.7, pre=12, post=12, covariance=est, treated_share=1 / 3)
    assert from_data.effect == pytest.approx(analytic.effect, rel=0.05)


@pytest.mark.slow
@pytest.mark.parametrize("pre,post", [(12, 12), (6, 6), (3, 3)])
def test_simulation_on_the_synthetic_generator_agrees_with_bpw_heavy(synthetic_panel, pre, post):
    _, sim = _analytic_vs_simulated(synthetic_panel, pre, post, 2000, seed=pre)
    assert abs(sim.power - 0.7) < 3 * sim.values["mc_std_error"]


def test_placebo_on_pre_period_data_holds_its_size():
    """Effect 0 on the municipality panel's years before the first pilot: the rejection rate is
    the significance level (within Monte Carlo error)."""
    from evaluation.synthetic import simulate

    panel = simulate(seed=7, scale=0.2).tables["municipality_panel"]
    pre_period = panel[panel["period"] < 2016]
    res = simulate_did_power(pre_period, "arrears_rate", "municipality", "period", effect=0.0, n=100, pre=2, post=2,
                             simulations=400, seed=3)
    assert abs(res.power - 0.05) < 3 * np.sqrt(0.05 * 0.95 / 400)
    staggered = simulate_did_power(synthetic_outcome_panel(seed=3, scale=0.5), "arrears_czk", "household_id",
                                   "month", effect=1500.0, n=90, pre=12, post=24, treated_share=1 / 3,
                                   entry_offsets=(0, 8, 16), simulations=100, seed=1, sizes=(60,))
    assert list(staggered.curve["size"]) == [60, 90]
    assert abs(staggered.values["mean_estimate"] - 1500.0) < 4 * staggered.values["sd_estimate"] / 10


def test_bad_input_is_a_clear_error(synthetic_panel):
    with pytest.raises(ConfigError, match="covariance was computed for 3 \\+ 3"):
        did_power(None, 90, 0.8, pre=6, post=6, covariance=ar1_covariance(1.0, 0.5, 3, 3))
    with pytest.raises(ConfigError, match="residual variance"):
        did_power(None, 90, 0.8, pre=6, post=6)
    with pytest.raises(ConfigError, match="AR\\(1\\) coefficient"):
        ar1_covariance(1.0, 1.2, 3, 3)
    with pytest.raises(ConfigError, match="pre"):
        did_power(None, 90, 0.8, pre=0, post=6, variance=1.0)
    with pytest.raises(ConfigError, match="event_time 9 lies outside"):
        event_study_power(None, 90, 0.8, pre=3, post=3, event_time=9, variance=1.0)
    with pytest.raises(ConfigError, match="entry_offsets"):
        simulate_did_power(synthetic_panel, "arrears_czk", "household_id", "month", effect=1.0, n=50, pre=3,
                           post=3, entry_offsets=(5,))
    with pytest.raises(DataError, match="no window"):
        simulate_did_power(synthetic_panel, "arrears_czk", "household_id", "month", effect=1.0, n=100000, pre=3,
                           post=3)
