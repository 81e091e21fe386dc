"""Power and minimum detectable effects: before a pilot (planning) and beside its impact estimates.

Each function solves for the one quantity left as None among the effect, the sample size and the
power (as statsmodels' ``solve_power``) and returns a :class:`PowerResult` (``tidy()``,
``summary()``, ``sentence(lang)``, ``plot(lang=...)``, Czech and English):

* two-arm trials: :func:`two_means`, :func:`two_proportions` (unequal allocation, cluster
  randomisation with an ICC and unequal cluster sizes);
* survival: :func:`logrank` (Schoenfeld, Freedman; accrual, follow-up, withdrawal),
  :func:`cox` (one covariate, Hsieh & Lavori); retention at a horizon with :func:`two_proportions`;
* panels: :func:`did_power` and :func:`event_study_power` (Burlig, Preonas & Woerman 2020:
  serial correlation, covariances from :func:`ar1_covariance` or estimated from pre-period data
  with :func:`estimate_covariance`), and :func:`simulate_did_power` (placebo experiments on the
  user's pre-period panel or on the synthetic generator's untreated outcomes,
  :func:`synthetic_outcome_panel`);
* after the fact: :func:`detectable_effect` -- the MDE of a design that was run, from the standard
  error of an impact estimate (and the design's BPW MDE beside it).

Example
-------
>>> from evaluation.design import two_means
>>> round(two_means(effect=None, n=90, power=0.8, allocation=0.5).effect, 3)   # 30 vs 60, SD units
0.633
"""

from evaluation.design.mde import DetectableEffect, detectable_effect, mde_from_se
from evaluation.design.panel import (
    ResidualCovariance,
    ar1_covariance,
    did_power,
    estimate_covariance,
    event_study_power,
)
from evaluation.design.result import PowerResult
from evaluation.design.simulation import (
    SimulatedPowerResult,
    simulate_did_power,
    synthetic_outcome_panel,
)
from evaluation.design.survival import cox, logrank
from evaluation.design.two_arm import two_means, two_proportions

__all__ = [
    "DetectableEffect",
    "PowerResult",
    "ResidualCovariance",
    "SimulatedPowerResult",
    "ar1_covariance",
    "cox",
    "detectable_effect",
    "did_power",
    "estimate_covariance",
    "event_study_power",
    "logrank",
    "mde_from_se",
    "simulate_did_power",
    "synthetic_outcome_panel",
    "two_means",
    "two_proportions",
]
