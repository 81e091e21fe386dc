"""Two-arm trials: a difference in means or in proportions, unequal allocation, cluster randomisation.

``n`` is always the total number of individuals (households) in both arms; ``allocation`` is the
number in the programme arm per person in the comparison arm (Stata's ``nratio``; Brno's Housing
First trial: 50 housed, about 100 controls, ``allocation=0.5``).

Cluster randomisation (``cluster_size`` m > 1 and an intra-cluster correlation ``icc``) inflates
the variance by the design effect ``1 + ((cv**2 + 1) m - 1) icc`` (Kish; Eldridge, Ashby & Kerry
2006 for unequal clusters with coefficient of variation ``cluster_size_cv``); the rounded result is
then a whole number of clusters per arm.

Tests:

* means, ``test="t"`` (default): the noncentral t distribution with ``n - 2`` degrees of freedom
  (``clusters - 2`` in a cluster design), as statsmodels' ``TTestIndPower`` and Stata's
  ``power twomeans``; ``test="z"``: the normal approximation (``NormalIndPower``; Stata's cluster
  designs use it).
* proportions, ``method="normal"`` (default): the z test of two proportions with the pooled
  variance under the null and the unpooled one under the alternative (Fleiss; Stata's ``power
  twoproportions`` Pearson chi-squared test); ``method="arcsine"``: Cohen's h with the normal
  approximation (statsmodels ``NormalIndPower`` with ``proportion_effectsize``).

Two-sided power counts both rejection regions, as statsmodels does.

Example
-------
>>> res = two_means(effect=4, n=None, power=0.8, sd=9)      # Stata: power twomeans 8 12, sd(9)
>>> res.values["n_treated"], res.values["n_control"]
(81, 81)
>>> round(two_proportions(0.7, 0.85, n=150, power=None, allocation=0.5).power, 3)
0.518
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from evaluation.design._common import (
    check_alpha,
    check_alternative,
    check_positive,
    check_power,
    check_share,
    design_effect,
    free_quantity,
    normal_critical,
    solve_bracket,
    solve_increasing,
    t_critical,
)
from evaluation.design.result import PowerResult, power_curve, rounded_groups
from evaluation.errors import ConfigError

TESTS = ("t", "z")
PROPORTION_METHODS = ("normal", "arcsine")


def noncentral_power(noncentrality: float, alpha: float, alternative: str, df: float | None) -> float:
    """Power of a t (``df``) or z test (``df=None``) whose statistic has the given noncentrality;
    two-sided power counts both tails."""
    crit = t_critical(alpha, alternative, df)
    if df is None:
        upper = stats.norm.sf(crit - noncentrality)
        lower = stats.norm.cdf(-crit - noncentrality)
    else:
        # P(T < -c | nc) = P(T > c | -nc): scipy's nct.cdf returns NaN far in the lower tail
        upper = stats.nct.sf(crit, df, noncentrality)
        lower = stats.nct.sf(crit, df, -noncentrality)
        if not np.isfinite(upper) or not np.isfinite(lower):
            upper, lower = stats.norm.sf(crit - noncentrality), stats.norm.cdf(-crit - noncentrality)
    if alternative == "two-sided":
        return float(upper + lower)
    return float(upper if alternative == "larger" else lower)


class _Clusters:
    """The cluster part of a two-arm design: design effect and the unit counted by the df."""

    def __init__(self, icc: float, cluster_size: float, cluster_size_cv: float) -> None:
        self.icc, self.m, self.cv = float(icc), float(cluster_size), float(cluster_size_cv)
        self.deff = design_effect(self.icc, self.m, self.cv)
        self.clustered = self.m > 1

    def df(self, n_treated: float, n_control: float, test: str) -> float | None:
        if test == "z":
            return None
        units = (n_treated + n_control) / self.m if self.clustered else n_treated + n_control
        return units - 2.0

    def settings(self) -> dict[str, float]:
        if not self.clustered and self.icc == 0:
            return {}
        return {"icc": self.icc, "cluster_size": self.m, "cluster_size_cv": self.cv}


def _groups(n: float, allocation: float) -> tuple[float, float]:
    control = n / (1.0 + allocation)
    return n - control, control


def _check_common(alpha: float, alternative: str, allocation: float, power: float | None) -> None:
    check_alpha(alpha)
    check_alternative(alternative)
    check_positive("allocation (programme households per comparison household)", allocation, allow_none=False)
    check_power(power)


def two_means(effect: float | None = None, n: float | None = None, power: float | None = None, *,
              sd: float = 1.0, allocation: float = 1.0, alpha: float = 0.05, alternative: str = "two-sided",
              test: str = "t", icc: float = 0.0, cluster_size: float = 1.0,
              cluster_size_cv: float = 0.0) -> PowerResult:
    """Power, total sample size or minimum detectable difference in means of two arms.

    Leave exactly one of ``effect`` (difference in means, in the outcome's units), ``n`` (total
    individuals) and ``power`` as None. ``sd`` is the outcome's standard deviation within arms.

    >>> round(two_means(effect=0.5, n=128, power=None).power, 4)   # statsmodels: 0.8015
    0.8015
    """
    free = free_quantity(effect=effect, n=n, power=power)
    _check_common(alpha, alternative, allocation, power)
    check_positive("sd", sd, allow_none=False)
    check_positive("n", n)
    if test not in TESTS:
        raise ConfigError(f"test must be 't' or 'z' (got {test!r})")
    clusters = _Clusters(icc, cluster_size, cluster_size_cv)
    # a t test needs at least one degree of freedom: three individuals (or clusters)
    minimum_n = 3.0 * clusters.m if test == "t" else 2.0

    def se(n_t: float, n_c: float) -> float:
        return sd * np.sqrt(clusters.deff * (1.0 / n_t + 1.0 / n_c))

    def power_sizes(n_t: float, n_c: float, eff: float) -> float:
        return noncentral_power(eff / se(n_t, n_c), alpha, alternative, clusters.df(n_t, n_c, test))

    def power_at(size: float, eff: float) -> float:
        return power_sizes(*_groups(size, allocation), eff)

    sign = -1.0 if alternative == "smaller" else 1.0

    def effect_at(size: float, target: float) -> float:
        start = 3.0 * (normal_critical(alpha, alternative) + 1.0) * se(*_groups(size, allocation))
        return sign * solve_increasing(lambda e: power_at(size, sign * e), target, 1e-12, start,
                                       what="effect", upper_limit=1e6 * sd)

    if free == "n":
        if effect == 0:
            raise ConfigError("effect must not be 0 when solving for the sample size")
        n = solve_increasing(lambda s: power_at(s, effect), power, minimum_n, 100.0 * clusters.m,
                             what="sample size")
    else:
        if n < minimum_n:
            raise ConfigError(f"n must be at least {minimum_n:g} for this test (at least one degree of freedom)")
        if free == "effect":
            effect = effect_at(n, power)
        else:
            power = power_at(n, effect)
    values = _size_values(free, n, allocation, clusters, lambda t, c: power_sizes(t, c, effect))
    n_t, n_c = (values["n_treated"], values["n_control"])
    values = {"effect": float(effect), "power": float(power), **values,
              "standardized_effect": float(effect) / sd, "std_error": float(se(n_t, n_c)),
              "design_effect": clusters.deff}
    settings = {"alpha": alpha, "alternative": alternative, "test": test, "sd": sd, "allocation": allocation,
                **clusters.settings(), "target_power": float(power)}
    curve = power_curve(power_at, effect_at, float(n), float(effect), float(power), minimum=minimum_n + 1.0)
    return PowerResult("two_means", free, values, settings, curve, size_name="n",
                       extra_notes=_cluster_notes(clusters, test))


def _size_values(free: str, n: float, allocation: float, clusters: _Clusters, power_sizes: Any) -> dict[str, Any]:
    """Group sizes: exact shares of ``n`` unless ``n`` was solved for, then whole numbers (of
    clusters in a cluster design) rounded up as Stata rounds them, with the power they achieve."""
    if free != "n":
        n_t, n_c = _groups(n, allocation)
        out: dict[str, Any] = {"n": float(n), "n_treated": n_t, "n_control": n_c}
        if clusters.clustered:
            out.update(clusters_treated=n_t / clusters.m, clusters_control=n_c / clusters.m)
        return out
    if clusters.clustered:
        k_t, k_c = rounded_groups(n / clusters.m, allocation)
        n_t, n_c = k_t * clusters.m, k_c * clusters.m
        out = {"n": n_t + n_c, "n_exact": float(n), "n_treated": n_t, "n_control": n_c,
               "clusters_treated": k_t, "clusters_control": k_c}
    else:
        n_t, n_c = rounded_groups(n, allocation)
        out = {"n": n_t + n_c, "n_exact": float(n), "n_treated": n_t, "n_control": n_c}
    out["power_achieved"] = float(power_sizes(n_t, n_c))
    return out


def _cluster_notes(clusters: _Clusters, test: str) -> tuple[str, ...]:
    if not clusters.clustered:
        return ()
    df_text = ("normal (z) critical values, as Stata's cluster designs" if test == "z"
               else "t critical values with clusters - 2 degrees of freedom")
    return ((f"Cluster randomisation: {clusters.m:g} individuals per cluster, ICC {clusters.icc:g}, "
             f"design effect {clusters.deff:.3f}; {df_text}."),)


def two_proportions(p_control: float, p_treated: float | None = None, n: float | None = None,
                    power: float | None = None, *, allocation: float = 1.0, alpha: float = 0.05,
                    alternative: str = "two-sided", method: str = "normal", icc: float = 0.0,
                    cluster_size: float = 1.0, cluster_size_cv: float = 0.0,
                    direction: str = "increase") -> PowerResult:
    """Power, total sample size or the detectable proportion in the programme arm.

    ``p_control`` is the proportion in the comparison arm (e.g. still housed at 12 months);
    leave one of ``p_treated``, ``n`` and ``power`` as None. Solving for ``p_treated`` looks for
    the proportion above ``p_control`` (``direction="increase"``) or below it (``"decrease"``).

    >>> two_proportions(0.3, 0.5, n=None, power=0.8).values["n_control"]   # Stata: 93 per group
    93
    """
    free = free_quantity(p_treated=p_treated, n=n, power=power)
    free = "effect" if free == "p_treated" else free
    _check_common(alpha, alternative, allocation, power)
    check_share("p_control", p_control)
    if p_treated is not None:
        check_share("p_treated", p_treated)
    check_positive("n", n)
    if method not in PROPORTION_METHODS:
        raise ConfigError(f"method must be one of {', '.join(PROPORTION_METHODS)} (got {method!r})")
    if direction not in ("increase", "decrease"):
        raise ConfigError(f"direction must be 'increase' or 'decrease' (got {direction!r})")
    clusters = _Clusters(icc, cluster_size, cluster_size_cv)

    def power_sizes(n_t: float, n_c: float, p_t: float) -> float:
        n_t, n_c = n_t / clusters.deff, n_c / clusters.deff
        if method == "arcsine":
            h = 2.0 * np.arcsin(np.sqrt(p_t)) - 2.0 * np.arcsin(np.sqrt(p_control))
            return noncentral_power(h * np.sqrt(n_t * n_c / (n_t + n_c)), alpha, alternative, None)
        diff = p_t - p_control
        pooled = (n_t * p_t + n_c * p_control) / (n_t + n_c)
        sigma0 = np.sqrt(pooled * (1 - pooled) * (1.0 / n_t + 1.0 / n_c))
        sigma1 = np.sqrt(p_t * (1 - p_t) / n_t + p_control * (1 - p_control) / n_c)
        crit = normal_critical(alpha, alternative)
        upper = stats.norm.cdf((diff - crit * sigma0) / sigma1)
        lower = stats.norm.cdf((-diff - crit * sigma0) / sigma1)
        if alternative == "two-sided":
            return float(upper + lower)
        return float(upper if alternative == "larger" else lower)

    def power_at(size: float, p_t: float) -> float:
        return power_sizes(*_groups(size, allocation), p_t)

    def effect_at(size: float, target: float) -> float:
        if direction == "increase":
            return solve_bracket(lambda p: power_at(size, p), target, p_control + 1e-9, 1 - 1e-9,
                                 what="proportion")
        return solve_bracket(lambda p: -power_at(size, p), -target, 1e-9, p_control - 1e-9, what="proportion")

    if free == "n":
        if p_treated == p_control:
            raise ConfigError("p_treated must differ from p_control when solving for the sample size")
        n = solve_increasing(lambda s: power_at(s, p_treated), power, 2.0, 100.0, what="sample size")
    elif free == "effect":
        p_treated = effect_at(n, power)
    else:
        power = power_at(n, p_treated)
    values = _size_values(free, n, allocation, clusters, lambda t, c: power_sizes(t, c, p_treated))
    h = 2.0 * np.arcsin(np.sqrt(p_treated)) - 2.0 * np.arcsin(np.sqrt(p_control))
    values = {"effect": float(p_treated), "power": float(power), **values,
              "difference": float(p_treated - p_control), "standardized_effect": float(h),
              "design_effect": clusters.deff}
    settings = {"alpha": alpha, "alternative": alternative, "method": method, "p_control": p_control,
                "allocation": allocation, **clusters.settings(), "target_power": float(power)}
    curve = power_curve(power_at, effect_at, float(n), float(p_treated), float(power), minimum=4.0)
    notes = _cluster_notes(clusters, "z") + (
        f"Proportion {p_control:g} in the comparison group; {'Cohen h (arcsine)' if method == 'arcsine' else 'pooled-variance z test'}.",)
    return PowerResult("two_proportions", free, values, settings, curve, size_name="n", extra_notes=notes)


__all__ = ["noncentral_power", "two_means", "two_proportions"]
