"""Checks and numerics shared by the power calculations: one quantity left free, critical values,
design effects and the root finding that solves for the free quantity.

Every design function takes the three quantities of a power calculation -- the effect, the sample
size and the power -- and solves for the one given as ``None`` (as statsmodels' ``solve_power``
and Stata's ``power`` do).

Example
-------
>>> free_quantity(effect=None, n=100, power=0.8)
'effect'
>>> round(design_effect(icc=0.05, cluster_size=20), 3)
1.95
>>> round(design_effect(icc=0.05, cluster_size=20, cluster_size_cv=0.5), 3)
2.2
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scipy import optimize, stats

from evaluation.errors import ConfigError, EstimationError

ALTERNATIVES = ("two-sided", "larger", "smaller")


def free_quantity(**quantities: float | None) -> str:
    """The name of the one quantity given as None (the one to solve for)."""
    free = [name for name, value in quantities.items() if value is None]
    if len(free) != 1:
        names = ", ".join(quantities)
        raise ConfigError(f"give all but one of {names} and leave the one to compute as None "
                          f"(now {'none' if not free else ', '.join(free)} left as None)")
    return free[0]


def check_alpha(alpha: float) -> float:
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 0.5:
        raise ConfigError(f"alpha (the significance level) must lie between 0 and 0.5, e.g. 0.05 (got {alpha!r})")
    return float(alpha)


def check_power(power: float | None) -> float | None:
    if power is not None and (not isinstance(power, (int, float)) or not 0 < power < 1):
        raise ConfigError(f"power must lie strictly between 0 and 1, e.g. 0.8 (got {power!r})")
    return None if power is None else float(power)


def check_alternative(alternative: str) -> str:
    if alternative not in ALTERNATIVES:
        raise ConfigError(f"alternative must be one of {', '.join(ALTERNATIVES)} (got {alternative!r})")
    return alternative


def check_positive(name: str, value: float | None, *, allow_none: bool = True, integer: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive number (got {value!r})")
    if integer and abs(value - round(value)) > 1e-9:
        raise ConfigError(f"{name} must be a whole number (got {value!r})")
    return float(value)


def check_share(name: str, value: float, *, closed: bool = False) -> float:
    low_ok = value >= 0 if closed else value > 0
    if not isinstance(value, (int, float)) or not (low_ok and value < 1):
        raise ConfigError(f"{name} must lie between 0 and 1 (got {value!r})")
    return float(value)


def tails(alternative: str) -> int:
    return 2 if alternative == "two-sided" else 1


def normal_critical(alpha: float, alternative: str) -> float:
    """z_{1-alpha/2} for a two-sided test, z_{1-alpha} for a one-sided one."""
    return float(stats.norm.ppf(1 - alpha / tails(alternative)))


def t_critical(alpha: float, alternative: str, df: float | None) -> float:
    """The t critical value with ``df`` degrees of freedom (normal when ``df`` is None)."""
    if df is None:
        return normal_critical(alpha, alternative)
    return float(stats.t.ppf(1 - alpha / tails(alternative), df))


def design_effect(icc: float = 0.0, cluster_size: float = 1.0, cluster_size_cv: float = 0.0) -> float:
    """Variance inflation of a cluster-randomised design: ``1 + ((cv**2 + 1) * m - 1) * icc``.

    With equal clusters (``cv = 0``) this is Kish's ``1 + (m - 1) * icc``; the coefficient of
    variation of the cluster sizes corrects it for unequal clusters (Eldridge, Ashby & Kerry 2006,
    Int J Epidemiol 35:1292, eq. 3: exact for an analysis that weights individuals equally, with
    ``cv`` the standard deviation of the cluster sizes divided by their mean ``m``).
    """
    if not 0 <= icc < 1:
        raise ConfigError(f"the intra-cluster correlation (icc) must lie in [0, 1) (got {icc!r})")
    if cluster_size < 1:
        raise ConfigError(f"cluster_size (mean number of individuals per cluster) must be at least 1 "
                          f"(got {cluster_size!r})")
    if cluster_size_cv < 0:
        raise ConfigError(f"cluster_size_cv must not be negative (got {cluster_size_cv!r})")
    return 1.0 + ((cluster_size_cv ** 2 + 1.0) * cluster_size - 1.0) * icc


def solve_increasing(func: Callable[[float], float], target: float, low: float, high: float, *,
                     what: str, upper_limit: float = 1e9) -> float:
    """The x in [low, ...) with ``func(x) = target`` for a function increasing in x; the upper
    bracket is widened (doubling) up to ``upper_limit``."""
    f_low = func(low) - target
    if f_low >= 0:
        return low
    while func(high) - target < 0:
        if high >= upper_limit:
            raise EstimationError(f"no {what} up to {upper_limit:g} reaches the requested power; "
                                  "the effect is too small for any feasible design")
        low, high = high, min(high * 2.0, upper_limit)
    return float(optimize.brentq(lambda x: func(x) - target, low, high, xtol=1e-12, rtol=1e-14, maxiter=500))


def solve_bracket(func: Callable[[float], float], target: float, low: float, high: float, *, what: str) -> float:
    """The x in (low, high) with ``func(x) = target`` (func monotone, values of opposite sign at the ends)."""
    a, b = func(low) - target, func(high) - target
    if a * b > 0:
        raise EstimationError(f"no {what} in the admissible range gives the requested power "
                              "(the design is too small to reach it)")
    return float(optimize.brentq(lambda x: func(x) - target, low, high, xtol=1e-13, rtol=1e-14, maxiter=500))


__all__ = ["ALTERNATIVES", "check_alpha", "check_alternative", "check_positive", "check_power", "check_share",
           "design_effect", "free_quantity", "normal_critical", "solve_bracket", "solve_increasing", "t_critical",
           "tails"]
