"""Log-rank and Cox power against Stata's output, lifelines and the textbook formulas.

References:

* Stata ``stpower logrank 0.62 0.75, nratio(1.5) wdprob(0.01)`` as reported in a trial protocol's
  statistical analysis plan (Freedman method; displayed hazard ratio 0.6018, p1 = 0.40,
  E = 120, N = 400, N1 = 160, N2 = 240).
* Stata ``power cox, hratio(2) eventprob(.0125)`` and ``eventprob(0.8)``: E = 66 with N = 5,228
  and N = 82 (Stata 15 session log run from R with RStata).
* lifelines 0.30 ``sample_size_necessary_under_cph`` (its documented example: 0.8 power, equal
  allocation, event probabilities 0.25 and 0.35, hazard ratio 0.7 -> (421, 421)) and
  ``power_under_cph`` (Freedman's formula, powerSurvEpi / Rosner 2006 sec. 14.12), to 1e-12.
* Schoenfeld (1983) and Freedman (1982) without censoring at hazard ratio 0.5: 66 and 71 events
  (4 (z_.975 + z_.8)**2 / ln(0.5)**2 = 65.3; (z + z)**2 1.5**2 / 0.5**2 = 70.6).
* Exponential event probability with uniform accrual against numerical integration.
"""
import numpy as np
import pytest
from lifelines.statistics import power_under_cph, sample_size_necessary_under_cph
from scipy import integrate

from evaluation.design import cox, logrank
from evaluation.design.survival import events_needed, exponential_event_probability
from evaluation.errors import ConfigError


def test_stata_logrank_protocol_example():
    hr = np.log(0.75) / np.log(0.62)
    res = logrank(hr, None, 0.8, method="freedman", allocation=1.5, control_survival=0.62, survival_time=1,
                  withdrawal=0.01)
    assert round(hr, 4) == 0.6018
    assert (res.values["events"], res.values["n"], res.values["n_control"], res.values["n_treated"]) == \
        (120, 400, 160, 240)
    assert res.values["event_probability_treated"] == pytest.approx(0.25)


def test_events_without_censoring():
    assert logrank(0.5, None, 0.8).values["events"] == 66
    assert logrank(0.5, None, 0.8).values["n"] == 66
    assert logrank(0.5, None, 0.8, method="freedman").values["events"] == 71
    assert events_needed(0.5, 0.8) == pytest.approx(4 * (1.959964 + 0.841621) ** 2 / np.log(0.5) ** 2, rel=1e-6)


def test_lifelines_sample_size_and_power():
    res = logrank(0.7, None, 0.8, method="freedman", event_probability=(0.35, 0.25))
    assert (res.values["n_treated"], res.values["n_control"]) == sample_size_necessary_under_cph(
        0.8, 1.0, 0.25, 0.35, 0.7)
    for n_exp, n_con, hr in [(50, 100, 0.3), (200, 200, 0.8), (120, 60, 1.6)]:
        ref = power_under_cph(n_exp, n_con, 0.15, 0.3, hr)
        ours = logrank(hr, n_exp + n_con, None, method="freedman", allocation=n_exp / n_con,
                       event_probability=(0.3, 0.15)).power
        assert ours == pytest.approx(ref, abs=1e-12)
    for ratio in (1.0, 2.0, 0.5):
        exact = logrank(0.6, None, 0.9, method="freedman", allocation=ratio, event_probability=(0.4, 0.3))
        n_exp, n_con = sample_size_necessary_under_cph(0.9, ratio, 0.3, 0.4, 0.6)
        total = exact.values["n_exact"]
        assert (int(np.ceil(total * ratio / (1 + ratio))), int(np.ceil(total / (1 + ratio)))) == (n_exp, n_con)


@pytest.mark.parametrize("event_probability,n", [(0.0125, 5228), (0.8, 82)])
def test_stata_power_cox(event_probability, n):
    res = cox(2.0, None, 0.8, event_probability=event_probability)
    assert res.values["events"] == 66 and res.values["n"] == n


def test_cox_binary_covariate_is_schoenfeld():
    schoenfeld = logrank(1.8, None, 0.8, allocation=1.0).values["events_exact"]
    assert cox(1.8, None, 0.8, sd=0.5).values["events_exact"] == pytest.approx(schoenfeld, rel=1e-12)


def test_accrual_event_probability_matches_integration():
    hazard, accrual, follow = 0.05, 12.0, 6.0
    # entry uniform on [0, a]; an event is seen if it happens before the analysis at a + f
    numeric, _ = integrate.quad(lambda u: 1 - np.exp(-hazard * (accrual + follow - u)), 0, accrual)
    assert exponential_event_probability(hazard, follow, accrual) == pytest.approx(numeric / accrual, rel=1e-10)


def test_solving_hazard_ratio_round_trips():
    mde = logrank(None, 150, 0.8, allocation=0.5, control_survival=0.7, survival_time=12)
    assert 0 < mde.effect < 1
    back = logrank(mde.effect, 150, None, allocation=0.5, control_survival=0.7, survival_time=12)
    assert back.power == pytest.approx(0.8, abs=1e-8)
    up = logrank(None, 150, 0.8, allocation=0.5, control_survival=0.7, survival_time=12, direction="increase")
    assert up.effect > 1


def test_accrual_and_withdrawal_increase_the_sample_size():
    base = logrank(0.6, None, 0.8, control_survival=0.7, survival_time=12)
    accrual = logrank(0.6, None, 0.8, control_survival=0.7, survival_time=12, accrual=12, follow_up=6)
    withdrawn = logrank(0.6, None, 0.8, control_survival=0.7, survival_time=12, withdrawal=0.1)
    assert accrual.values["events"] == base.values["events"]
    assert accrual.values["n"] > base.values["n"]  # 6-18 months of follow-up, shorter on average than 12
    assert withdrawn.values["n_exact"] == pytest.approx(base.values["n_exact"] / 0.9, rel=1e-12)


def test_bad_input_is_a_clear_error():
    with pytest.raises(ConfigError, match="different from 1"):
        logrank(1.0, None, 0.8)
    with pytest.raises(ConfigError, match="either event_probability or control_survival"):
        logrank(0.5, None, 0.8, event_probability=0.3, control_survival=0.7, survival_time=12)
    with pytest.raises(ConfigError, match="method"):
        logrank(0.5, None, 0.8, method="lachin")
    with pytest.raises(ConfigError, match="survival_time"):
        logrank(0.5, None, 0.8, control_survival=0.7)
    with pytest.raises(ConfigError, match="r2"):
        cox(2.0, None, 0.8, r2=1.0)
