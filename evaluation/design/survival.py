"""Power for survival outcomes: the log-rank test (Schoenfeld, Freedman) and a Cox model covariate.

The number of events a two-group comparison of hazards needs, for a hazard ratio ``HR`` (programme
over comparison) and ``allocation`` k programme households per comparison household:

* Schoenfeld (1983, Biometrics 39:499): ``D = (z_a + z_b)**2 (1 + k)**2 / (k ln(HR)**2)``;
* Freedman (1982, Stat Med 1:121): ``D = (z_a + z_b)**2 (1 + k HR)**2 / (k (1 - HR)**2)``.

The sample size is ``N = D / P(event) / (1 - withdrawal)``, with ``P(event)`` the share of
households expected to have the event during the study. It is given directly
(``event_probability``: one overall share, or a pair for the comparison and programme groups as
lifelines' ``sample_size_necessary_under_cph`` takes them), or follows from the comparison
group's survival ``control_survival`` at ``survival_time`` under exponential survival, with
uniform accrual over ``accrual`` and a further ``follow_up`` after the last entry (Collett,
*Modelling Survival Data in Medical Research*, 3rd ed., sec. 17.6):
``P = 1 - (exp(-l f) - exp(-l (f + a))) / (l a)``, ``P = 1 - exp(-l f)`` without accrual; by default
the follow-up is ``survival_time``, so that ``P = 1 - S(t)`` as Stata's ``power logrank s1 s2``.
Power uses the one rejection region the formula describes (as Stata and lifelines do).

Retention at a fixed horizon (e.g. still housed at 12 months) as a proportion is
:func:`evaluation.design.two_proportions` with ``p_control`` the comparison group's retention.

Example
-------
>>> res = logrank(hazard_ratio=0.5, n=None, power=0.8)         # no censoring: N = D
>>> res.values["events"], res.values["n"]
(66, 66)
>>> brno = logrank(hazard_ratio=0.3, n=150, power=None, allocation=0.5, control_survival=0.7,
...                survival_time=12)
>>> round(brno.power, 3)
0.919
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from evaluation.design._common import (
    check_alpha,
    check_alternative,
    check_positive,
    check_power,
    check_share,
    free_quantity,
    normal_critical,
    solve_bracket,
)
from evaluation.design.result import PowerResult, power_curve, rounded_groups
from evaluation.errors import ConfigError

METHODS = ("schoenfeld", "freedman")


def exponential_event_probability(hazard: float, follow_up: float, accrual: float = 0.0) -> float:
    """Probability of an event under a constant ``hazard`` with uniform accrual over ``accrual``
    and at least ``follow_up`` after the last entry."""
    if accrual <= 0:
        return float(-np.expm1(-hazard * follow_up))
    return float(1.0 - (np.exp(-hazard * follow_up) - np.exp(-hazard * (follow_up + accrual))) / (hazard * accrual))


def events_needed(hazard_ratio: float, power: float, *, method: str = "schoenfeld", allocation: float = 1.0,
                  alpha: float = 0.05, alternative: str = "two-sided") -> float:
    """Events (unrounded) the log-rank test needs (see the module docstring)."""
    z = normal_critical(alpha, alternative) + stats.norm.ppf(power)
    k = allocation
    if method == "schoenfeld":
        return float(z ** 2 * (1 + k) ** 2 / (k * np.log(hazard_ratio) ** 2))
    return float(z ** 2 * (1 + k * hazard_ratio) ** 2 / (k * (1 - hazard_ratio) ** 2))


def events_power(hazard_ratio: float, events: float, *, method: str = "schoenfeld", allocation: float = 1.0,
                 alpha: float = 0.05, alternative: str = "two-sided") -> float:
    """Power of the log-rank test with ``events`` events."""
    k = allocation
    if method == "schoenfeld":
        drift = np.sqrt(events * k) / (1 + k) * abs(np.log(hazard_ratio))
    else:
        drift = np.sqrt(events * k) * abs(1 - hazard_ratio) / (1 + k * hazard_ratio)
    return float(stats.norm.cdf(drift - normal_critical(alpha, alternative)))


class _EventModel:
    """P(event) in each group for a hazard ratio: given, or from exponential survival with accrual."""

    def __init__(self, event_probability: float | Sequence[float] | None, control_survival: float | None,
                 survival_time: float | None, accrual: float, follow_up: float | None) -> None:
        given = event_probability is not None
        if given == (control_survival is not None):
            if not given:
                self.kind = "none"
                return
            raise ConfigError("give either event_probability or control_survival (with survival_time), not both")
        if given:
            pair = np.atleast_1d(np.asarray(event_probability, dtype=float))
            if pair.size not in (1, 2) or np.any((pair <= 0) | (pair > 1)):
                raise ConfigError("event_probability must be one probability in (0, 1] or a pair "
                                  "(comparison, programme)")
            self.kind = "overall" if pair.size == 1 else "pair"
            self.pair = pair
            return
        check_share("control_survival", control_survival)
        check_positive("survival_time", survival_time, allow_none=False)
        if accrual < 0:
            raise ConfigError(f"accrual must not be negative (got {accrual!r})")
        self.kind = "exponential"
        self.hazard = -np.log(control_survival) / survival_time
        self.accrual = float(accrual)
        self.follow_up = float(survival_time if follow_up is None else follow_up)
        check_positive("follow_up", self.follow_up, allow_none=False)

    def probabilities(self, hazard_ratio: float) -> tuple[float, float]:
        """(comparison, programme) probabilities of an event."""
        if self.kind == "none":
            return 1.0, 1.0
        if self.kind == "overall":
            return float(self.pair[0]), float(self.pair[0])
        if self.kind == "pair":
            return float(self.pair[0]), float(self.pair[1])
        return (exponential_event_probability(self.hazard, self.follow_up, self.accrual),
                exponential_event_probability(self.hazard * hazard_ratio, self.follow_up, self.accrual))

    def overall(self, hazard_ratio: float, allocation: float) -> float:
        p_c, p_t = self.probabilities(hazard_ratio)
        return (p_c + allocation * p_t) / (1 + allocation)


def logrank(hazard_ratio: float | None = None, n: float | None = None, power: float | None = None, *,
            method: str = "schoenfeld", allocation: float = 1.0, alpha: float = 0.05,
            alternative: str = "two-sided", event_probability: float | Sequence[float] | None = None,
            control_survival: float | None = None, survival_time: float | None = None,
            accrual: float = 0.0, follow_up: float | None = None, withdrawal: float = 0.0,
            direction: str = "decrease") -> PowerResult:
    """Power, sample size or detectable hazard ratio of the log-rank test (see the module docstring).

    Leave one of ``hazard_ratio`` (programme over comparison), ``n`` (total households) and ``power``
    as None. Without ``event_probability`` or ``control_survival`` every household has the event
    (``N = D``). Solving for the hazard ratio looks below 1 (``direction="decrease"``, the
    programme lowers the hazard) or above it (``"increase"``).

    >>> logrank(0.5, None, 0.8, method="freedman").values["events"]
    71
    """
    free = free_quantity(hazard_ratio=hazard_ratio, n=n, power=power)
    free = "effect" if free == "hazard_ratio" else free
    check_alpha(alpha)
    check_alternative(alternative)
    check_power(power)
    check_positive("allocation (programme households per comparison household)", allocation, allow_none=False)
    check_positive("n", n)
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    if not 0 <= withdrawal < 1:
        raise ConfigError(f"withdrawal must lie in [0, 1) (got {withdrawal!r})")
    if hazard_ratio is not None and (hazard_ratio <= 0 or hazard_ratio == 1):
        raise ConfigError(f"hazard_ratio must be positive and different from 1 (got {hazard_ratio!r})")
    if direction not in ("decrease", "increase"):
        raise ConfigError(f"direction must be 'decrease' or 'increase' (got {direction!r})")
    model = _EventModel(event_probability, control_survival, survival_time, accrual, follow_up)
    options = {"method": method, "allocation": allocation, "alpha": alpha, "alternative": alternative}

    def power_at(size: float, hr: float) -> float:
        expected = size * (1 - withdrawal) * model.overall(hr, allocation)
        return events_power(hr, expected, **options)

    def size_for(hr: float, target: float) -> float:
        return events_needed(hr, target, **options) / model.overall(hr, allocation) / (1 - withdrawal)

    def effect_at(size: float, target: float) -> float:
        if direction == "decrease":
            return solve_bracket(lambda h: -power_at(size, h), -target, 1e-6, 1 - 1e-9, what="hazard ratio")
        return solve_bracket(lambda h: power_at(size, h), target, 1 + 1e-9, 1e4, what="hazard ratio")

    if free == "n":
        n = size_for(hazard_ratio, power)
    elif free == "effect":
        hazard_ratio = effect_at(n, power)
    else:
        power = power_at(n, hazard_ratio)
    p_c, p_t = model.probabilities(hazard_ratio)
    overall = model.overall(hazard_ratio, allocation)
    events_exact = float(n) * (1 - withdrawal) * overall
    values: dict[str, float | int] = {"effect": float(hazard_ratio), "power": float(power)}
    if free == "n":
        events_exact = events_needed(hazard_ratio, power, **options)
        treated, control = rounded_groups(n, allocation)
        values.update(n=treated + control, n_exact=float(n), n_treated=treated, n_control=control,
                      events=int(np.ceil(events_exact - 1e-9)), events_exact=events_exact,
                      power_achieved=power_at(treated + control, hazard_ratio))
    else:
        values.update(n=float(n), n_treated=allocation * n / (1 + allocation), n_control=n / (1 + allocation),
                      events_exact=events_exact)
    values.update(event_probability=overall, event_probability_control=p_c, event_probability_treated=p_t,
                  log_hazard_ratio=float(np.log(hazard_ratio)))
    settings = {"alpha": alpha, "alternative": alternative, "method": method, "allocation": allocation,
                "withdrawal": withdrawal, "target_power": float(power)}
    if model.kind == "exponential":
        settings.update(control_survival=control_survival, survival_time=survival_time, accrual=accrual,
                        follow_up=model.follow_up)
    curve = power_curve(power_at, effect_at, float(n), float(hazard_ratio), float(power), minimum=4.0)
    notes = ((f"Log-rank test, {method.capitalize()} formula; events needed "
              f"{events_needed(hazard_ratio, power, **options):.1f} at the stated power."),)
    return PowerResult("logrank", free, values, settings, curve, size_name="n", extra_notes=notes)


def cox(hazard_ratio: float | None = None, n: float | None = None, power: float | None = None, *,
        sd: float = 0.5, r2: float = 0.0, event_probability: float = 1.0, withdrawal: float = 0.0,
        alpha: float = 0.05, alternative: str = "two-sided") -> PowerResult:
    """Power, sample size or detectable hazard ratio (per unit) of one covariate in a Cox model.

    Hsieh & Lavori (2000, Controlled Clinical Trials 21:552): ``D = (z_a + z_b)**2 /
    (sd**2 ln(HR)**2 (1 - r2))`` events, ``N = D / event_probability / (1 - withdrawal)``; ``sd``
    is the covariate's standard deviation (0.5 for a balanced binary one, as Stata's ``power cox``
    default) and ``r2`` its squared multiple correlation with the other covariates.

    >>> res = cox(hazard_ratio=2, n=None, power=0.8, event_probability=0.8)   # Stata: E 66, N 82
    >>> res.values["events"], res.values["n"]
    (66, 82)
    """
    free = free_quantity(hazard_ratio=hazard_ratio, n=n, power=power)
    free = "effect" if free == "hazard_ratio" else free
    check_alpha(alpha)
    check_alternative(alternative)
    check_power(power)
    check_positive("n", n)
    check_positive("sd", sd, allow_none=False)
    if not 0 <= r2 < 1:
        raise ConfigError(f"r2 must lie in [0, 1) (got {r2!r})")
    if not 0 < event_probability <= 1:
        raise ConfigError(f"event_probability must lie in (0, 1] (got {event_probability!r})")
    if not 0 <= withdrawal < 1:
        raise ConfigError(f"withdrawal must lie in [0, 1) (got {withdrawal!r})")
    if hazard_ratio is not None and (hazard_ratio <= 0 or hazard_ratio == 1):
        raise ConfigError(f"hazard_ratio must be positive and different from 1 (got {hazard_ratio!r})")
    z_alpha = normal_critical(alpha, alternative)
    information = sd ** 2 * (1 - r2)
    scale = event_probability * (1 - withdrawal)

    def power_at(size: float, hr: float) -> float:
        return float(stats.norm.cdf(np.sqrt(size * scale * information) * abs(np.log(hr)) - z_alpha))

    def events_for(hr: float, target: float) -> float:
        return float((z_alpha + stats.norm.ppf(target)) ** 2 / (information * np.log(hr) ** 2))

    def effect_at(size: float, target: float) -> float:
        beta = (z_alpha + stats.norm.ppf(target)) / np.sqrt(size * scale * information)
        return float(np.exp(beta if (hazard_ratio or 2.0) > 1 else -beta))

    if free == "n":
        n = events_for(hazard_ratio, power) / scale
    elif free == "effect":
        hazard_ratio = float(np.exp((z_alpha + stats.norm.ppf(power)) / np.sqrt(n * scale * information)))
    else:
        power = power_at(n, hazard_ratio)
    values: dict[str, float | int] = {"effect": float(hazard_ratio), "power": float(power)}
    if free == "n":
        events_exact = events_for(hazard_ratio, power)
        values.update(n=int(np.ceil(n - 1e-9)), n_exact=float(n), events=int(np.ceil(events_exact - 1e-9)),
                      events_exact=events_exact)
    else:
        values.update(n=float(n), events_exact=float(n) * scale)
    values.update(log_hazard_ratio=float(np.log(hazard_ratio)), event_probability=event_probability)
    settings = {"alpha": alpha, "alternative": alternative, "sd": sd, "r2": r2, "withdrawal": withdrawal,
                "target_power": float(power)}
    curve = power_curve(power_at, effect_at, float(n), float(hazard_ratio), float(power), minimum=4.0)
    return PowerResult("cox", free, values, settings, curve, size_name="n",
                       extra_notes=("Cox model, Wald test of one covariate (Hsieh & Lavori 2000).",))


__all__ = ["cox", "events_needed", "events_power", "exponential_event_probability", "logrank"]
