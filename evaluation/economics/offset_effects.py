"""The programme's effect on one resource, month by month after entry, with its uncertainty.

An :class:`OffsetEffect` holds, per programme household, the change the programme makes to the
use of one resource in each month ``k = 0 .. H - 1`` after entry (``monthly``: shelter nights,
child-months in care, or the probability of losing the home in that month) and the covariance of
those monthly changes. Every total the economic evaluation needs is a weighted sum of them::

    total over the horizon        U = 1' m           SE(U) = sqrt(1' C 1)
    discounted at rate r          V = d_r' m         SE(V) = sqrt(d_r' C d_r)

with ``d_r`` the discount factors of :mod:`evaluation.economics.discounting`. The effect is
*established* when its finding (:func:`evaluation.findings.assess_effect`) has the status
``effect``; only then does it count in the base case.

Effects come from the data (:mod:`evaluation.economics.resource_profiles`,
:mod:`evaluation.economics.eviction_effect`) or are given (:meth:`OffsetEffect.given`: a total over
the horizon with its standard error, spread evenly over the months, e.g. from a trial).

Example
-------
>>> e = OffsetEffect.given("shelter_nights", total=-240.0, std_error=12.0, horizon=24)
>>> round(e.total(), 6), round(e.std_error(), 6), e.interval()[1] < 0
(-240.0, 12.0, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from evaluation.economics.discounting import discount_factors
from evaluation.economics.settings import OFFSETS
from evaluation.errors import ConfigError


@dataclass(frozen=True)
class OffsetEffect:
    """The effect of the programme on one resource by month since entry (see the module docstring).

    ``method`` is the estimator key (:data:`evaluation.findings.sms.ESTIMATOR_DESIGNS`);
    ``conf_low``/``conf_high`` the interval of the undiscounted total as the estimator gives it
    (default: normal, from the standard error); ``with_programme`` the programme households' own
    monthly use of the resource (for the cost of outcomes with and without the programme);
    ``evidence`` the estimator's result the pre-trend test is read from."""

    item: str
    monthly: np.ndarray
    covariance: np.ndarray
    method: str
    alpha: float = 0.05
    conf_low: float | None = None
    conf_high: float | None = None
    n_programme: int | None = None
    n_units: int | None = None
    n_pre_periods: int | None = None
    with_programme: np.ndarray | None = field(default=None, repr=False, compare=False)
    finding: Any = field(default=None, repr=False, compare=False)
    evidence: Any = field(default=None, repr=False, compare=False)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.item not in OFFSETS:
            raise ConfigError(f"an offset effect's item must be one of {', '.join(OFFSETS)}, not {self.item!r}")
        monthly = np.asarray(self.monthly, float)
        cov = np.asarray(self.covariance, float)
        if monthly.ndim != 1 or cov.shape != (monthly.size, monthly.size):
            raise ConfigError(f"the {self.item} effect needs one value per month and a months x months covariance")
        if not (np.isfinite(monthly).all() and np.isfinite(cov).all()):
            raise ConfigError(f"the {self.item} effect has a month without a finite estimate")
        object.__setattr__(self, "monthly", monthly)
        object.__setattr__(self, "covariance", cov)

    @property
    def horizon(self) -> int:
        return int(self.monthly.size)

    def weights(self, rate: float = 0.0) -> np.ndarray:
        return discount_factors(self.horizon, rate)

    def total(self, rate: float = 0.0) -> float:
        """Change per programme household over the horizon, discounted at ``rate`` (0: undiscounted)."""
        return float(self.weights(rate) @ self.monthly)

    def std_error(self, rate: float = 0.0) -> float:
        w = self.weights(rate)
        return float(math.sqrt(max(float(w @ self.covariance @ w), 0.0)))

    def interval(self) -> tuple[float, float]:
        """The ``1 - alpha`` interval of the undiscounted total."""
        if self.conf_low is not None and self.conf_high is not None:
            return float(self.conf_low), float(self.conf_high)
        z = float(stats.norm.ppf(1 - self.alpha / 2))
        return self.total() - z * self.std_error(), self.total() + z * self.std_error()

    def p_value(self) -> float:
        se = self.std_error()
        return float(2 * stats.norm.sf(abs(self.total() / se))) if se > 0 else float("nan")

    @property
    def status(self) -> str:
        """The finding's status (``effect``, ``no_clear_change``, ...), ``given`` without a finding."""
        return self.finding.status if self.finding is not None else "given"

    @property
    def grade(self) -> str | None:
        return self.finding.grade if self.finding is not None else None

    @property
    def established(self) -> bool:
        """The finding states an effect: its interval excludes zero and no diagnostic rules it out."""
        return self.finding is not None and self.finding.status == "effect"

    def estimate(self) -> Any:
        """The undiscounted total as an :class:`evaluation.findings.Estimate` (for grading)."""
        from evaluation.findings import Estimate

        low, high = self.interval()
        return Estimate(self.method, self.total(), low, high, p_value=self.p_value(), std_error=self.std_error(),
                        alpha=self.alpha, n_treated=self.n_programme, n_units=self.n_units,
                        n_pre_periods=self.n_pre_periods)

    def with_finding(self, finding: Any) -> OffsetEffect:
        from dataclasses import replace

        return replace(self, finding=finding)

    @classmethod
    def given(cls, item: str, total: float, std_error: float, horizon: int, *, method: str = "itt",
              alpha: float = 0.05, conf_low: float | None = None, conf_high: float | None = None,
              finding: Any = None, n_programme: int | None = None, note: str = "") -> OffsetEffect:
        """An effect known by its total over ``horizon`` months and standard error, spread evenly over
        the months (perfectly correlated between months). ``method``: the estimator key of its design."""
        if not (isinstance(horizon, int) and horizon > 0):
            raise ConfigError(f"horizon must be a positive whole number of months, not {horizon!r}")
        if not (math.isfinite(total) and math.isfinite(std_error) and std_error >= 0):
            raise ConfigError(f"the {item} effect needs a finite total and a non-negative standard error")
        per_month = np.full(horizon, total / horizon)
        cov = np.full((horizon, horizon), (std_error / horizon) ** 2)
        return cls(item, per_month, cov, method, alpha=alpha, conf_low=conf_low, conf_high=conf_high,
                   n_programme=n_programme, finding=finding, notes=(note,) if note else ())


__all__ = ["OffsetEffect"]
