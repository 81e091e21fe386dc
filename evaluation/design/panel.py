"""Analytic power for difference-in-differences and event studies with serially correlated outcomes.

Burlig, Preonas & Woerman (2020, J. Dev. Econ. 144:102458, "Panel data and experimental design";
BPW) give the variance of the two-way fixed effects DiD estimate with ``J`` units (a share ``P``
treated), ``m`` periods before and ``r`` after a common start, and idiosyncratic errors of
variance ``s2`` with average within-unit covariances ``psi_B`` (between pre periods), ``psi_A``
(between post periods) and ``psi_X`` (across):

    Var = [ (m + r)/(m r) s2 + (m - 1)/m psi_B + (r - 1)/r psi_A - 2 psi_X ] / (P (1 - P) J)

and ``MDE = (t_{1-kappa} + t_{alpha/2}) sqrt(Var)`` (their "serial-correlation-robust" formula).
With covariances *estimated* from fixed-effects residuals of pre-existing data
(:func:`estimate_covariance`, the algorithm of their Stata command ``pc_dd_covar``) the residuals
understate the errors' variance and make ``psi_X`` negative; BPW's Appendix E correction then
replaces the bracket by ``J_e (m + r)**2 / (J_e - 1) [ (m + r)/(2 m**2 r**2) s2 + (r - 1)/(2 m**2 r)
psi_A + (m - 1)/(2 m r**2) psi_B ]`` (``J_e`` units behind the estimates), as ``pc_dd_analytic``
does. An AR(1) error (:func:`ar1_covariance`) gives the true averages in closed form.

A cluster-randomised design (``cluster_size`` households per randomised unit with
intra-cluster correlation ``icc``) multiplies the variance of the unit means by the design effect
over the cluster size (the household-level serial correlation then describes the cluster means
too); ``n`` then counts clusters.

An event-study coefficient for event time ``e`` against the reference period is the DiD of those
two periods in a balanced panel with common timing: ``Var = w' S w / (P (1 - P) J)`` with
``w`` = +1 at ``e`` and -1 at the reference and ``S`` the errors' covariance matrix
(:func:`event_study_power`).

Degrees of freedom of the t critical values: ``df="cluster"`` (default) uses ``J - 1``, the
inference of the toolkit's cluster-robust (CR1) DiD; ``df="pcpanel"`` reproduces
``pc_dd_analytic`` (``J`` with serial correlation, ``J (m + r) - (J + m + r)`` without);
``df=None`` the normal distribution. Staggered entry has no closed form here: use
:func:`evaluation.design.simulate_did_power`.

Example
-------
>>> cov = ar1_covariance(variance=1.0, rho=0.5, pre=3, post=3)
>>> round(cov.cov_cross, 4)
0.1701
>>> res = did_power(effect=None, n=90, power=0.8, pre=3, post=3, covariance=cov, treated_share=1/3)
>>> round(res.effect, 3)
0.595
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.design._common import (
    check_alpha,
    check_alternative,
    check_positive,
    check_power,
    check_share,
    design_effect,
    free_quantity,
    solve_increasing,
    t_critical,
)
from evaluation.design.result import PowerResult, power_curve
from evaluation.errors import ConfigError, DataError
from evaluation.results import Result

DF_RULES = ("cluster", "pcpanel")


@dataclass(frozen=True)
class ResidualCovariance(Result):
    """Variance and average within-unit covariances of the idiosyncratic errors (BPW's ``s2``,
    ``psi_B``, ``psi_A``, ``psi_X``) for ``pre`` and ``post`` periods.

    ``estimated`` says whether they come from fixed-effects residuals (then BPW's Appendix E
    correction applies, with ``n_units`` units behind them) or are true parameters.
    """

    variance: float
    cov_pre: float
    cov_post: float
    cov_cross: float
    pre: int
    post: int
    estimated: bool
    n_units: float = np.nan
    windows: int = 0
    source: str = ""
    excluded_units: int = 0

    @property
    def title(self) -> str:
        return "Residual variance and average within-unit covariances (BPW)"

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [self.source] if self.source else []
        if self.estimated:
            notes.append(f"Estimated from two-way fixed-effects residuals over {self.windows} window(s) of "
                         f"{self.pre + self.post} periods, {self.n_units:.1f} units on average; "
                         "BPW's Appendix E correction applies.")
            if self.excluded_units:
                notes.append(f"{self.excluded_units} unit-window(s) left out: not observed in every period "
                             "of the window.")
        return tuple(notes)

    @property
    def correlations(self) -> tuple[float, float, float]:
        """The average covariances over the variance (pre, post, cross)."""
        return (self.cov_pre / self.variance, self.cov_post / self.variance, self.cov_cross / self.variance)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"variance": self.variance, "cov_pre": self.cov_pre, "cov_post": self.cov_post,
                              "cov_cross": self.cov_cross, "pre": self.pre, "post": self.post,
                              "estimated": self.estimated, "n_units": self.n_units, "windows": self.windows}])

    def bracket(self) -> float:
        """BPW's bracketed term (true-parameter formula, or the Appendix E one when estimated)."""
        m, r = self.pre, self.post
        psi_b = self.cov_pre if m > 1 else 0.0
        psi_a = self.cov_post if r > 1 else 0.0
        if self.estimated:
            j = self.n_units
            if not j > 1:
                raise DataError("the covariances were estimated from fewer than two units")
            return (j * (m + r) ** 2 / (j - 1)) * ((m + r) / (2 * m ** 2 * r ** 2) * self.variance
                                                   + (r - 1) / (2 * m ** 2 * r) * psi_a
                                                   + (m - 1) / (2 * m * r ** 2) * psi_b)
        return ((m + r) / (m * r) * self.variance + (m - 1) / m * psi_b + (r - 1) / r * psi_a
                - 2 * self.cov_cross)

    @property
    def serially_correlated(self) -> bool:
        return any(abs(v) > 0 for v in (self.cov_pre if self.pre > 1 else 0.0,
                                         self.cov_post if self.post > 1 else 0.0, self.cov_cross))


def _check_periods(pre: int, post: int) -> tuple[int, int]:
    for name, value in (("pre", pre), ("post", post)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ConfigError(f"{name} (number of periods {'before' if name == 'pre' else 'after'} the start) "
                              f"must be a whole number of at least 1 (got {value!r})")
    return int(pre), int(post)


def ar1_matrix(variance: float, rho: float, periods: int) -> np.ndarray:
    """Covariance matrix ``variance * rho**|s - t|`` of a stationary AR(1) error over ``periods``."""
    if not -1 < rho < 1:
        raise ConfigError(f"the AR(1) coefficient must lie strictly between -1 and 1 (got {rho!r})")
    check_positive("variance", variance, allow_none=False)
    lags = np.abs(np.subtract.outer(np.arange(periods), np.arange(periods)))
    return variance * rho ** lags


def covariance_from_matrix(matrix: np.ndarray, pre: int, post: int, *, source: str = "") -> ResidualCovariance:
    """BPW's averages from a (pre + post) x (pre + post) covariance matrix of the errors."""
    pre, post = _check_periods(pre, post)
    s = np.asarray(matrix, dtype=float)
    if s.shape != (pre + post, pre + post):
        raise ConfigError(f"the covariance matrix must be {pre + post} x {pre + post} (got {s.shape})")
    before, after = s[:pre, :pre], s[pre:, pre:]

    def off_mean(block: np.ndarray) -> float:
        k = block.shape[0]
        return float((block.sum() - np.trace(block)) / (k * (k - 1))) if k > 1 else 0.0

    return ResidualCovariance(variance=float(np.mean(np.diag(s))), cov_pre=off_mean(before), cov_post=off_mean(after),
                              cov_cross=float(s[:pre, pre:].mean()), pre=pre, post=post, estimated=False,
                              source=source)


def ar1_covariance(variance: float, rho: float, pre: int, post: int) -> ResidualCovariance:
    """True averages for errors following a stationary AR(1) with the given ``variance`` (of the
    error itself, not of its innovation) and coefficient ``rho`` (``pc_dd_analytic``'s ``ar1()``)."""
    pre, post = _check_periods(pre, post)
    return covariance_from_matrix(ar1_matrix(variance, rho, pre + post), pre, post,
                                  source=f"AR(1) errors: variance {variance:g}, coefficient {rho:g}.")


def _balanced_window(frame: pd.DataFrame, periods: np.ndarray) -> tuple[np.ndarray, int]:
    """Units x periods matrix of the units observed in every one of ``periods`` (and how many were not)."""
    window = frame[frame["_t"].isin(periods)]
    wide = window.pivot(index="_u", columns="_t", values="_y").reindex(columns=periods)
    complete = wide.notna().all(axis=1)
    return wide.loc[complete].to_numpy(float), int((~complete).sum())


def two_way_residuals(y: np.ndarray) -> np.ndarray:
    """Residuals of a balanced units x periods panel on unit and period fixed effects."""
    return y - y.mean(axis=1, keepdims=True) - y.mean(axis=0, keepdims=True) + y.mean()


def prepare_panel(data: pd.DataFrame, outcome: str, unit: str, time: str) -> pd.DataFrame:
    """Check a long panel (one row per unit and period) and keep its three columns as ``_u, _t, _y``."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"the panel must be a pandas DataFrame (got {type(data).__name__})")
    missing = [c for c in (outcome, unit, time) if c not in data.columns]
    if missing:
        raise DataError(f"the panel has no column(s) {', '.join(map(repr, missing))}")
    frame = pd.DataFrame({"_u": data[unit].to_numpy(), "_t": data[time].to_numpy(),
                          "_y": pd.to_numeric(data[outcome], errors="coerce").to_numpy(float)})
    frame = frame.dropna()
    if frame.empty:
        raise DataError(f"the panel has no rows with {outcome!r}, {unit!r} and {time!r} all present")
    if frame.duplicated(["_u", "_t"]).any():
        raise DataError(f"the panel has more than one row for some {unit!r} and {time!r}: "
                        "give one row per unit and period")
    return frame


def estimate_covariance(data: pd.DataFrame, outcome: str, unit: str, time: str, *, pre: int, post: int,
                        max_windows: int = 5000, seed: int | None = None) -> ResidualCovariance:
    """Estimate BPW's variance and average covariances from a panel of pre-existing data.

    As ``pc_dd_covar``: for every window of ``pre + post`` consecutive periods (a random 5,000 when
    there are more), regress the outcome on unit and period fixed effects, and average the
    residuals' variance and the within-unit covariances between pre periods, between post periods
    and across them (moments divided by the number of units); average over windows. Units not
    observed in every period of a window are left out of that window (counted in the notes).

    >>> rng = np.random.default_rng(1)
    >>> panel = pd.DataFrame({"u": np.repeat(np.arange(200), 8), "t": np.tile(np.arange(8), 200)})
    >>> panel["y"] = rng.normal(size=len(panel))
    >>> cov = estimate_covariance(panel, "y", "u", "t", pre=2, post=2)
    >>> cov.estimated, cov.windows
    (True, 5)
    """
    pre, post = _check_periods(pre, post)
    frame = prepare_panel(data, outcome, unit, time)
    periods = np.sort(frame["_t"].unique())
    length = pre + post
    if periods.size < length:
        raise DataError(f"the panel has {periods.size} periods; a window of {pre} + {post} periods needs {length}")
    starts = np.arange(periods.size - length + 1)
    if starts.size > max_windows:
        starts = np.sort(np.random.default_rng(seed).choice(starts, max_windows, replace=False))
    sums = np.zeros(4)
    units, excluded, used = [], 0, 0
    for start in starts:
        y, left_out = _balanced_window(frame, periods[start:start + length])
        excluded += left_out
        if y.shape[0] < 2:
            continue
        e = two_way_residuals(y)
        j = e.shape[0]
        cov = e.T @ e / j
        before, after = cov[:pre, :pre], cov[pre:, pre:]
        sums += [float(np.mean(e ** 2)),
                 (before.sum() - np.trace(before)) / (pre * (pre - 1)) if pre > 1 else 0.0,
                 (after.sum() - np.trace(after)) / (post * (post - 1)) if post > 1 else 0.0,
                 float(cov[:pre, pre:].mean())]
        units.append(j)
        used += 1
    if not used:
        raise DataError(f"no window of {length} periods has at least two units observed in every period")
    variance, psi_b, psi_a, psi_x = sums / used
    return ResidualCovariance(variance=variance, cov_pre=psi_b, cov_post=psi_a, cov_cross=psi_x, pre=pre, post=post,
                              estimated=True, n_units=float(np.mean(units)), windows=used,
                              source=f"Estimated from {outcome!r} by {unit!r} and {time!r}.",
                              excluded_units=excluded)


def _degrees(df: Any, units: float, correlated: bool, periods: int) -> float | None:
    if df is None:
        return None
    if df == "cluster":
        return units - 1.0
    if df == "pcpanel":
        return units if correlated else units * periods - (units + periods)
    if isinstance(df, (int, float)) and df > 0:
        return float(df)
    raise ConfigError(f"df must be 'cluster', 'pcpanel', a positive number or None (got {df!r})")


def _power_from_se(effect: float, se: float, alpha: float, alternative: str, df: float | None) -> float:
    """Power of the t (or z) test for an effect with standard error ``se``: the rejection region on
    the effect's side (as ``pc_dd_analytic``)."""
    crit = t_critical(alpha, alternative, df)
    shift = (-effect if alternative == "smaller" else abs(effect) if alternative == "two-sided" else effect) / se
    return float(stats.norm.cdf(shift - crit) if df is None else stats.t.cdf(shift - crit, df))


def _mde_from_se(se: float, power: float, alpha: float, alternative: str, df: float | None) -> float:
    crit = t_critical(alpha, alternative, df)
    quantile = stats.norm.ppf(power) if df is None else stats.t.ppf(power, df)
    return float((crit + quantile) * se)


@dataclass(frozen=True)
class _PanelDesign:
    """What the power of a panel design depends on besides the three quantities."""

    bracket: float
    treated_share: float
    scale: float  # design effect over the cluster size (1 without clusters)
    df_rule: Any
    correlated: bool
    periods: int
    alpha: float
    alternative: str

    def se(self, units: float) -> float:
        return float(np.sqrt(self.bracket * self.scale / (self.treated_share * (1 - self.treated_share) * units)))

    def df(self, units: float) -> float | None:
        return _degrees(self.df_rule, units, self.correlated, self.periods)

    def power(self, units: float, effect: float) -> float:
        return _power_from_se(effect, self.se(units), self.alpha, self.alternative, self.df(units))

    def mde(self, units: float, power: float) -> float:
        return _mde_from_se(self.se(units), power, self.alpha, self.alternative, self.df(units))


def _solve_panel(design: _PanelDesign, kind: str, effect: float | None, n: float | None,
                 power: float | None, settings: dict[str, Any], notes: tuple[str, ...]) -> PowerResult:
    free = free_quantity(effect=effect, n=n, power=power)
    minimum = 3.0
    if free == "n":
        if effect == 0:
            raise ConfigError("effect must not be 0 when solving for the number of units")
        n = solve_increasing(lambda j: design.power(j, effect), power, minimum, 100.0, what="number of units")
    elif n < minimum:
        raise ConfigError(f"n (units or clusters) must be at least {minimum:g}")
    if free == "effect":
        effect = design.mde(n, power)
    elif free == "power":
        power = design.power(n, effect)
    size = float(np.ceil(n - 1e-9)) if free == "n" else float(n)
    treated = round(design.treated_share * size, 9)
    values = {"effect": float(effect), "power": float(power), "n": size,
              "n_treated": treated, "n_control": round(size - treated, 9),
              "std_error": design.se(size)}
    if free == "n":
        values.update(n_exact=float(n), power_achieved=design.power(size, effect))
    df = design.df(size)
    values["df"] = np.nan if df is None else df
    settings = {"alpha": design.alpha, "alternative": design.alternative, "treated_share": design.treated_share,
                "df_rule": "normal" if design.df_rule is None else str(design.df_rule), **settings,
                "target_power": float(power)}
    curve = power_curve(design.power, design.mde, size, float(effect), float(power), minimum=minimum)
    size_name = "clusters" if settings.get("cluster_size", 1) > 1 else "units"
    return PowerResult(kind, free, values, settings, curve, size_name=size_name, extra_notes=notes)


def _cluster_scale(icc: float, cluster_size: float, cluster_size_cv: float) -> float:
    return design_effect(icc, cluster_size, cluster_size_cv) / cluster_size


def _covariance_argument(covariance: ResidualCovariance | None, variance: float | None, ar1: float | None,
                         pre: int, post: int) -> ResidualCovariance:
    if covariance is not None:
        if variance is not None or ar1 is not None:
            raise ConfigError("give either covariance or variance (with ar1), not both")
        if (covariance.pre, covariance.post) != (pre, post):
            raise ConfigError(f"the covariance was computed for {covariance.pre} + {covariance.post} periods, "
                              f"not {pre} + {post}: average covariances depend on the window")
        return covariance
    if variance is None:
        raise ConfigError("give the residual variance (variance=, with ar1= for serial correlation) or a "
                          "covariance from ar1_covariance() / estimate_covariance()")
    if ar1 is None:
        return covariance_from_matrix(np.eye(pre + post) * float(variance), pre, post,
                                      source=f"Independent errors (no serial correlation), variance {variance:g}.")
    return ar1_covariance(variance, ar1, pre, post)


def did_power(effect: float | None = None, n: float | None = None, power: float | None = None, *,
              pre: int, post: int, covariance: ResidualCovariance | None = None, variance: float | None = None,
              ar1: float | None = None, treated_share: float = 0.5, alpha: float = 0.05,
              alternative: str = "two-sided", df: Any = "cluster", icc: float = 0.0, cluster_size: float = 1.0,
              cluster_size_cv: float = 0.0) -> PowerResult:
    """Power, number of units or minimum detectable effect of a DiD with serial correlation (BPW).

    ``n`` counts the units randomised (households, or clusters when ``cluster_size > 1``), a share
    ``treated_share`` of them treated, observed ``pre`` periods before and ``post`` after a common
    start. The errors' covariance is ``covariance`` (from :func:`ar1_covariance` or
    :func:`estimate_covariance`) or ``variance`` with an AR(1) coefficient ``ar1`` (independent
    errors without it).

    >>> round(did_power(0.5, None, 0.8, pre=1, post=1, variance=1.0, df=None).n, 0)   # two periods: 2 x 126
    252.0
    """
    pre, post = _check_periods(pre, post)
    check_alpha(alpha)
    check_alternative(alternative)
    check_power(power)
    check_positive("n", n)
    check_share("treated_share", treated_share)
    cov = _covariance_argument(covariance, variance, ar1, pre, post)
    design = _PanelDesign(cov.bracket(), treated_share, _cluster_scale(icc, cluster_size, cluster_size_cv), df,
                          cov.serially_correlated, pre + post, alpha, alternative)
    settings: dict[str, Any] = {"pre": pre, "post": post, "variance": cov.variance, "cov_pre": cov.cov_pre,
                                "cov_post": cov.cov_post, "cov_cross": cov.cov_cross, "estimated": cov.estimated}
    if cluster_size > 1 or icc > 0:
        settings.update(icc=icc, cluster_size=cluster_size, cluster_size_cv=cluster_size_cv)
    notes = cov.notes + (("Common start for every treated unit (BPW); for staggered entry use "
                          "simulate_did_power()."),)
    return _solve_panel(design, "did", effect, n, power, settings, notes)


def event_study_power(effect: float | None = None, n: float | None = None, power: float | None = None, *,
                      pre: int, post: int, event_time: int = 0, reference: int = -1,
                      variance: float | None = None, ar1: float | None = None,
                      covariance_matrix: np.ndarray | None = None, treated_share: float = 0.5,
                      alpha: float = 0.05, alternative: str = "two-sided", df: Any = "cluster", icc: float = 0.0,
                      cluster_size: float = 1.0, cluster_size_cv: float = 0.0) -> PowerResult:
    """Power, units or MDE of one event-study coefficient (event time ``event_time`` against
    ``reference``) in a balanced panel with common timing; event times run from ``-pre`` to
    ``post - 1``. The errors' covariance is ``covariance_matrix`` ((pre + post) square) or AR(1)
    with ``variance`` and ``ar1`` (independent without ``ar1``).

    >>> res = event_study_power(None, 90, 0.8, pre=6, post=6, event_time=3, variance=1.0, ar1=0.6,
    ...                         treated_share=1/3)
    >>> round(res.effect, 3)
    0.836
    """
    pre, post = _check_periods(pre, post)
    check_alpha(alpha)
    check_alternative(alternative)
    check_power(power)
    check_positive("n", n)
    check_share("treated_share", treated_share)
    times = np.arange(-pre, post)
    for name, value in (("event_time", event_time), ("reference", reference)):
        if value not in times:
            raise ConfigError(f"{name} {value} lies outside the event times {-pre}..{post - 1}")
    if event_time == reference:
        raise ConfigError("event_time must differ from the reference period")
    if covariance_matrix is not None:
        if variance is not None or ar1 is not None:
            raise ConfigError("give either covariance_matrix or variance (with ar1), not both")
        s = np.asarray(covariance_matrix, dtype=float)
        if s.shape != (pre + post, pre + post):
            raise ConfigError(f"covariance_matrix must be {pre + post} x {pre + post} (got {s.shape})")
        source = "Given covariance matrix of the errors."
    else:
        if variance is None:
            raise ConfigError("give variance (with ar1) or covariance_matrix")
        s = ar1_matrix(variance, 0.0 if ar1 is None else ar1, pre + post)
        source = f"AR(1) errors: variance {variance:g}, coefficient {0.0 if ar1 is None else ar1:g}."
    w = np.zeros(pre + post)
    w[np.searchsorted(times, event_time)] = 1.0
    w[np.searchsorted(times, reference)] = -1.0
    bracket = float(w @ s @ w)
    correlated = bool(np.any(np.abs(s - np.diag(np.diag(s))) > 0))
    design = _PanelDesign(bracket, treated_share, _cluster_scale(icc, cluster_size, cluster_size_cv), df,
                          correlated, pre + post, alpha, alternative)
    settings: dict[str, Any] = {"pre": pre, "post": post, "event_time": event_time, "reference": reference}
    if cluster_size > 1 or icc > 0:
        settings.update(icc=icc, cluster_size=cluster_size, cluster_size_cv=cluster_size_cv)
    notes = (source, (f"Coefficient of event time {event_time} against {reference}: the DiD of those two periods "
                      "(balanced panel, common timing, all other event times with their own coefficient)."))
    return _solve_panel(design, "event_study", effect, n, power, settings, notes)


__all__ = ["ResidualCovariance", "ar1_covariance", "ar1_matrix", "covariance_from_matrix", "did_power",
           "estimate_covariance", "event_study_power", "prepare_panel", "two_way_residuals"]
