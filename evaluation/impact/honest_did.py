"""Sensitivity of event-study effects to violations of parallel trends (Rambachan & Roth 2023,
"A More Credible Approach to Parallel Trends", Review of Economic Studies; R package HonestDiD).

The event-study coefficients are beta = tau + delta, with delta the difference in trends. Instead
of assuming delta_post = 0, a set Delta restricts how far delta_post may depart from what the
pre-periods show, and the robust confidence set covers theta = l'tau_post uniformly over Delta:

* relative magnitudes, Delta^RM(Mbar): every post-period change |delta_{t+1} - delta_t| is at
  most Mbar times the largest pre-period change (Mbar = 1: no worse than the worst pre-trend);
  confidence sets by the conditional-least-favourable hybrid test of Andrews, Roth & Pakes
  ("C-LF", HonestDiD's default) or the conditional test ("Conditional"), inverted over theta;
* smoothness, Delta^SD(M): the slope of delta changes by at most M between periods (M = 0:
  delta is a linear trend, extrapolated); the optimal fixed-length interval ("FLCI", HonestDiD's
  default), or the C-LF hybrid / conditional test.

``honest_did`` takes an :func:`~evaluation.impact.event_study` result, a Callaway–Sant'Anna
dynamic aggregation (``staggered_did(..., base_period="universal").aggregate("dynamic")``) or raw
coefficients and covariance, and returns the robust sets over a grid of Mbar (or M), the original
interval, and the breakdown value: the smallest Mbar (M) at which the robust set includes zero.
The linear programmes are solved exactly through the vertices of the dual polytope
(:mod:`evaluation.impact._honest_arp`); intervals come from HonestDiD's grid and are then refined
at each end (a search that narrows the bracket 17-fold per call of the test), so they do not
depend on the grid spacing.

Example
-------
>>> import numpy as np
>>> beta = np.array([0.01, -0.005, 0.0, 0.05, 0.06])
>>> sigma = np.diag([1e-4] * 5)
>>> res = honest_did(beta, sigma, num_pre=3, num_post=2, restriction="relative_magnitude",
...                  values=[0.0, 1.0])
>>> res.tidy()[["term", "conf_low", "conf_high"]].shape
(3, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._honest_arp import MomentProblem, arp_accepts, dual_rays, least_favourable_cv
from evaluation.impact._honest_flci import _FLCIProblem, optimal_flci
from evaluation.results import Result

RESTRICTIONS = {"relative_magnitude": ("C-LF", "Conditional"),
                "smoothness": ("FLCI", "C-LF", "Conditional")}
_ALIASES = {"rm": "relative_magnitude", "relative_magnitudes": "relative_magnitude",
            "sd": "smoothness", "smooth": "smoothness"}
_LABELS = {
    "relative_magnitude": ("M̄ (násobek největší změny před vstupem)",
                           "M̄ (multiple of the largest pre-entry change)"),
    "smoothness": ("M (největší změna sklonu trendu mezi obdobími)",
                   "M (largest change in the trend's slope between periods)"),
    "original": ("původní", "original"),
    "robust": ("robustní {level} interval", "robust {level} interval"),
    "original_ci": ("původní {level} interval (paralelní trendy)", "original {level} interval (parallel trends)"),
    "breakdown": ("bod zlomu {value}", "breakdown value {value}"),
    "effect": ("Efekt ({target})", "Effect ({target})"),
}


# ----------------------------------------------------------------------------- restrictions
def rm_matrix(num_pre: int, num_post: int, mbar: float, s: int, positive: bool) -> np.ndarray:
    """Rows of Delta^RM for one location ``s`` (-(num_pre-1)..0) and sign of the largest pre-period
    change: |delta_{t+1} - delta_t| <= (sign)(delta_{s+1} - delta_s) before entry and <= Mbar times
    that after, with delta_0 = 0 at the reference period (its column removed). ``A delta <= 0``."""
    T = num_pre + num_post
    diffs = np.zeros((T, T + 1))
    diffs[np.arange(T), np.arange(T)] = -1.0
    diffs[np.arange(T), np.arange(T) + 1] = 1.0
    largest = np.zeros(T + 1)
    largest[num_pre - 1 + s] = -1.0
    largest[num_pre + s] = 1.0
    if not positive:
        largest = -largest
    scale = np.r_[np.ones(num_pre), np.full(num_post, mbar)][:, None]
    bound = scale * largest[None, :]
    A = np.vstack([diffs - bound, -diffs - bound])
    A = A[(A ** 2).sum(axis=1) > 1e-10]
    return np.delete(A, num_pre, axis=1)


def sd_matrix(num_pre: int, num_post: int) -> np.ndarray:
    """Rows of Delta^SD: second differences of delta (delta_0 = 0 removed), both signs; ``A delta <= M``."""
    T = num_pre + num_post
    rows = np.zeros((T - 1, T + 1))
    for r in range(T - 1):
        rows[r, r:r + 3] = (1.0, -2.0, 1.0)
    rows = np.delete(rows, num_pre, axis=1)
    return np.vstack([rows, -rows])


def _post_rows(A: np.ndarray, num_pre: int) -> np.ndarray:
    return np.flatnonzero(np.abs(A[:, num_pre:]).sum(axis=1) > 0)


def _gamma(l_vec: np.ndarray) -> np.ndarray:
    """Invertible matrix with l' as first row (the unit vectors of the other coordinates below)."""
    first = int(np.flatnonzero(l_vec)[0])
    others = [j for j in range(len(l_vec)) if j != first]
    return np.vstack([l_vec, np.eye(len(l_vec))[others]])


@dataclass(frozen=True)
class _Moments:
    """Moment inequalities A(beta - tau) <= d written in theta = l'tau and nuisance parameters."""

    Y: np.ndarray          # A beta - d (all rows)
    a: np.ndarray          # coefficient of theta
    X: np.ndarray          # coefficients of the nuisance parameters
    sigma: np.ndarray      # A Sigma A'
    d: np.ndarray


def _moments(beta: np.ndarray, sigma: np.ndarray, A: np.ndarray, d: np.ndarray, num_pre: int,
             l_vec: np.ndarray) -> _Moments:
    post = A[:, num_pre:] @ np.linalg.inv(_gamma(l_vec))
    return _Moments(Y=A @ beta - d, a=post[:, 0], X=post[:, 1:], sigma=A @ sigma @ A.T, d=d)


def _problem(m: _Moments, rows: np.ndarray, rays: np.ndarray | None) -> MomentProblem:
    X = m.X[rows]
    no_nuisance = X.shape[1] == 0
    if rays is None:
        rays = dual_rays(X)
    return MomentProblem(Y=m.Y[rows], a=m.a[rows], sigma=m.sigma[np.ix_(rows, rows)], rays=rays,
                         d=m.d[rows], no_nuisance=no_nuisance)


# ----------------------------------------------------------------------------- one robust set
@dataclass(frozen=True)
class _Spec:
    beta: np.ndarray
    sigma: np.ndarray
    num_pre: int
    num_post: int
    l_vec: np.ndarray
    alpha: float
    method: str
    kappa: float
    lf_draws: int
    seed: int

    @property
    def sd_theta(self) -> float:
        post = slice(self.num_pre, self.num_pre + self.num_post)
        return float(np.sqrt(self.l_vec @ self.sigma[post, post] @ self.l_vec))

    @property
    def hybrid(self) -> str:
        return "LF" if self.method == "C-LF" else "ARP"


class _Tester:
    """Acceptance of theta values under one restriction at one Mbar / M (a union over problems)."""

    def __init__(self, spec: _Spec, problems: list[MomentProblem]) -> None:
        self.spec = spec
        self.problems = problems
        self.cvs = [least_favourable_cv(p, spec.kappa, spec.lf_draws, spec.seed)
                    if spec.hybrid == "LF" else np.inf for p in problems]

    def accepts(self, thetas: np.ndarray) -> np.ndarray:
        thetas = np.atleast_1d(np.asarray(thetas, float))
        accept = np.zeros(thetas.shape, bool)
        for problem, cv in zip(self.problems, self.cvs):
            accept |= arp_accepts(problem, thetas, self.spec.alpha, hybrid=self.spec.hybrid,
                                  kappa=self.spec.kappa, lf_cv=cv)
        return accept


def _rm_tester(spec: _Spec, mbar: float, rays_cache: dict) -> _Tester:
    problems = []
    for s in range(-(spec.num_pre - 1), 1):
        for positive in (True, False):
            A = rm_matrix(spec.num_pre, spec.num_post, mbar, s, positive)
            rows = _post_rows(A, spec.num_pre)  # HonestDiD's postPeriodMomentsOnly
            if spec.num_post == 1:
                A = A[rows]
                rows = np.arange(A.shape[0])
            m = _moments(spec.beta, spec.sigma, A, np.zeros(A.shape[0]), spec.num_pre, spec.l_vec)
            key = (m.X[rows].round(12).tobytes(), m.X[rows].shape)
            if key not in rays_cache:
                rays_cache[key] = dual_rays(m.X[rows])
            problems.append(_problem(m, rows, rays_cache[key]))
    return _Tester(spec, problems)


def _sd_tester(spec: _Spec, M: float, rays_cache: dict) -> _Tester:
    A = sd_matrix(spec.num_pre, spec.num_post)
    rows = _post_rows(A, spec.num_pre) if spec.num_post > 1 else np.arange(A.shape[0])
    m = _moments(spec.beta, spec.sigma, A, np.full(A.shape[0], float(M)), spec.num_pre, spec.l_vec)
    key = "sd"
    if key not in rays_cache:
        rays_cache[key] = dual_rays(m.X[rows])
    return _Tester(spec, [_problem(m, rows, rays_cache[key])])


def _sd_identified_half_width(spec: _Spec, M: float) -> float:
    """max l'delta_post over Delta^SD(M) with delta_pre = 0 (the identified set at beta = 0)."""
    A = sd_matrix(spec.num_pre, spec.num_post)
    T = spec.num_pre + spec.num_post
    c = -np.r_[np.zeros(spec.num_pre), spec.l_vec]
    bounds = [(0.0, 0.0)] * spec.num_pre + [(None, None)] * spec.num_post
    res = optimize.linprog(c, A_ub=A, b_ub=np.full(A.shape[0], float(M)), bounds=bounds[:T],
                           method="highs")
    return float(-res.fun) if res.status == 0 else np.inf


def _invert(tester: _Tester, grid: np.ndarray, refine: bool) -> tuple[float, float, bool]:
    """Smallest and largest accepted theta: on HonestDiD's grid, then searched to 1e-9 * grid span
    at each end (the grid is widened if the set reaches its edge). Returns (low, high, open)."""
    for _ in range(6):
        accepted = tester.accepts(grid)
        if not accepted.any():
            return np.nan, np.nan, False
        edge = accepted[0] or accepted[-1]
        if not edge or not refine:
            break
        centre, half = (grid[0] + grid[-1]) / 2, (grid[-1] - grid[0])
        grid = np.linspace(centre - 2 * half, centre + 2 * half, len(grid))
    idx = np.flatnonzero(accepted)
    low, high = grid[idx[0]], grid[idx[-1]]
    if not refine:
        return float(low), float(high), bool(edge)
    tol = 1e-9 * (grid[-1] - grid[0])
    ends = [(low, grid[idx[0] - 1]) if idx[0] > 0 else None,
            (high, grid[idx[-1] + 1]) if idx[-1] < len(grid) - 1 else None]
    inside = _refine_ends(tester, [e for e in ends if e is not None], tol)
    low = inside.pop(0) if ends[0] is not None else -np.inf
    high = inside.pop(0) if ends[1] is not None else np.inf
    return float(low), float(high), bool(edge)


#: Points tried between the last accepted and the first rejected value in each round of the search
#: for the sets' end points (a round narrows the bracket 17-fold; one test call tries them all).
_SECTIONS = 16


def _refine_ends(tester: _Tester, brackets: list[tuple[float, float]], tol: float) -> list[float]:
    """For each (accepted, rejected) pair, the accepted value within ``tol`` of where acceptance ends
    (as bisection would find it, with both ends searched in the same call of the test)."""
    brackets = [(float(a), float(r)) for a, r in brackets]
    steps = np.arange(1, _SECTIONS + 1) / (_SECTIONS + 1)
    while brackets and any(abs(r - a) > tol for a, r in brackets):
        points = [a + steps * (r - a) for a, r in brackets]
        accepted = tester.accepts(np.concatenate(points)).reshape(len(brackets), _SECTIONS)
        narrowed = []
        for (a, r), tried, ok in zip(brackets, points, accepted):
            if abs(r - a) <= tol:
                narrowed.append((a, r))
                continue
            first_rejected = int(np.argmin(ok)) if not ok.all() else _SECTIONS
            a = tried[first_rejected - 1] if first_rejected > 0 else a
            r = tried[first_rejected] if first_rejected < _SECTIONS else r
            narrowed.append((a, r))
        brackets = narrowed
    return [a for a, _ in brackets]


def _grid(spec: _Spec, restriction: str, value: float, points: int) -> np.ndarray:
    sd = spec.sd_theta
    if restriction == "relative_magnitude":
        return np.linspace(-20 * sd, 20 * sd, points)
    half = _sd_identified_half_width(spec, value)
    return np.linspace(-half - 20 * sd, half + 20 * sd, points)


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class HonestDiDResult(Result):
    """Robust confidence sets for ``target`` under violations of parallel trends.

    ``robust`` has one row per value of Mbar (relative magnitudes) or M (smoothness) with
    ``conf_low``/``conf_high``; ``original`` is the interval under exact parallel trends;
    ``breakdown`` is the smallest value at which the robust set includes zero (NaN if it never
    does up to ``breakdown_upper``; 0 if even the original interval includes zero).
    """

    restriction: str
    method: str
    target: str
    l_vec: tuple[float, ...]
    event_times: tuple[float, ...]
    estimate: float
    std_error: float
    original_low: float
    original_high: float
    robust: pd.DataFrame
    breakdown: float
    breakdown_upper: float
    alpha: float
    num_pre: int
    num_post: int
    extra_notes: tuple[str, ...] = ()

    @property
    def parameter(self) -> str:
        return "Mbar" if self.restriction == "relative_magnitude" else "M"

    @property
    def title(self) -> str:
        kind = "relative magnitudes" if self.restriction == "relative_magnitude" else "smoothness"
        return f"Sensitivity to violations of parallel trends ({kind}, {self.method}): {self.target}"

    @property
    def notes(self) -> tuple[str, ...]:
        meaning = ("post-entry changes in the difference in trends at most Mbar times the largest "
                   "pre-entry change" if self.restriction == "relative_magnitude" else
                   "the slope of the difference in trends changes by at most M between periods "
                   "(M = 0: a linear pre-trend, extrapolated)")
        lines = [f"Rambachan & Roth (2023): {meaning}",
                 f"{self.num_pre} pre-entry and {self.num_post} post-entry coefficients; "
                 f"{100 * (1 - self.alpha):g}% sets; original interval uses the normal distribution "
                 "(as HonestDiD)"]
        if np.isnan(self.breakdown):
            lines.append(f"breakdown value: the robust set excludes zero for every {self.parameter} "
                         f"up to {self.breakdown_upper:.4g}")
        elif self.breakdown == 0:
            lines.append("breakdown value 0: the effect is not significant even under exact parallel trends")
        else:
            lines.append(f"breakdown value: {self.parameter} = {self.breakdown:.4g} (smallest value at "
                         "which the robust set includes zero)")
        return tuple(lines) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        original = pd.DataFrame({"term": ["original"], "estimate": [self.estimate],
                                 "std_error": [self.std_error], "conf_low": [self.original_low],
                                 "conf_high": [self.original_high], "p_value": [np.nan],
                                 "restriction": ["parallel trends"], "value": [np.nan],
                                 "method": ["original"]})
        robust = pd.DataFrame({"term": [f"{self.parameter}={v:g}" for v in self.robust["value"]],
                               "estimate": self.estimate, "std_error": np.nan,
                               "conf_low": self.robust["conf_low"], "conf_high": self.robust["conf_high"],
                               "p_value": np.nan, "restriction": self.restriction,
                               "value": self.robust["value"], "method": self.method})
        return pd.concat([original, robust], ignore_index=True)

    def summary(self) -> str:
        return super().summary()

    def plot(self, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
        """Robust intervals against Mbar (or M), the original interval on the left (as
        HonestDiD's createSensitivityPlot), zero and the breakdown value marked."""
        import matplotlib.pyplot as plt

        from evaluation.reporting import plot_labels as pl

        pl.check_lang(lang)
        i = 0 if lang == "cs" else 1
        ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
        values = self.robust["value"].to_numpy(float)
        step = np.min(np.diff(values)) if len(values) > 1 else max(abs(values[0]), 1.0)
        x_orig = values.min() - step
        level = pl.level_text(self.alpha, lang)
        ax.errorbar([x_orig], [self.estimate],
                    yerr=[[self.estimate - self.original_low], [self.original_high - self.estimate]],
                    fmt="none", capsize=4, elinewidth=2, color=kwargs.pop("original_color", "C3"),
                    label=_LABELS["original_ci"][i].format(level=level))
        mid = (self.robust["conf_low"] + self.robust["conf_high"]).to_numpy(float) / 2
        ax.errorbar(values, mid, yerr=[mid - self.robust["conf_low"].to_numpy(float),
                                       self.robust["conf_high"].to_numpy(float) - mid],
                    fmt="none", capsize=4, elinewidth=2, color=kwargs.pop("color", "C0"),
                    label=_LABELS["robust"][i].format(level=level))
        ax.axhline(0, color="0.4", linewidth=0.8)
        if np.isfinite(self.breakdown) and self.breakdown > 0:
            ax.axvline(self.breakdown, color="0.5", linestyle=":", linewidth=1)
            text = f"{self.breakdown:.3g}".replace(".", ",") if lang == "cs" else f"{self.breakdown:.3g}"
            ax.annotate(_LABELS["breakdown"][i].format(value=text), xy=(self.breakdown, 1.0),
                        xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points",
                        ha="left", va="top", fontsize="small", color="0.3")
        ticks = list(values)
        ax.set_xticks([x_orig] + ticks)
        labels = [_LABELS["original"][i]] + [f"{v:g}".replace(".", ",") if lang == "cs" else f"{v:g}"
                                             for v in ticks]
        ax.set_xticklabels(labels)
        ax.set_xlabel(_LABELS[self.restriction][i])
        ax.set_ylabel(_LABELS["effect"][i].format(target=self.target))
        pl.number_axis(ax, lang, axis="y")
        ax.legend(fontsize="small", loc="best")
        return ax


# ----------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class _Inputs:
    beta: np.ndarray
    sigma: np.ndarray
    event_times: np.ndarray
    num_pre: int
    num_post: int
    notes: tuple[str, ...]


def _from_result(result: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    from evaluation.impact.event_study import EventStudyResult
    from evaluation.impact.staggered_aggregate import AggregateResult

    notes: list[str] = []
    if isinstance(result, EventStudyResult):
        if result.reference != -1:
            raise ConfigError(f"honest_did needs the event study normalised at event time -1 "
                              f"(reference=-1); this one uses {result.reference}")
        vcov = result.event_time_vcov
        rows = result.coefficients[result.coefficients["event_time"].notna()]
        binned = rows["term"].isin(result.pooled_terms).to_numpy()
        if binned.any():
            notes.append("binned end points (" + ", ".join(rows["term"][binned]) + ") pool several event "
                         "times and are left out")
        keep = ~binned
        beta = rows["estimate"].to_numpy(float)[keep]
        times = rows["event_time"].to_numpy(float)[keep]
        sigma = vcov.to_numpy()[np.ix_(keep, keep)]
        return beta, sigma, times, notes
    if isinstance(result, AggregateResult):
        if result.kind != "dynamic" or result.vcov is None:
            raise ConfigError("honest_did needs the dynamic (event-study) aggregation: "
                              "result.aggregate('dynamic')")
        times = result.vcov.index.to_numpy(float)
        beta = result.table.set_index("event_time").loc[times, "estimate"].to_numpy(float)
        sigma = result.vcov.to_numpy()
        at_ref = np.flatnonzero(times == -1)
        if at_ref.size:
            j = int(at_ref[0])
            if sigma[j, j] > 1e-12 * max(np.abs(np.diag(sigma)).max(), 1e-300) or abs(beta[j]) > 1e-12:
                raise ConfigError("honest_did needs pre-treatment effects measured against one base period: "
                                  "estimate with staggered_did(..., base_period='universal')")
            keep = np.arange(len(times)) != j
            beta, times, sigma = beta[keep], times[keep], sigma[np.ix_(keep, keep)]
        return beta, sigma, times, notes
    raise ConfigError(f"honest_did takes an event_study result, a dynamic aggregation of staggered_did, "
                      f"or coefficients with their covariance; got {type(result).__name__}")


def _inputs(data: Any, sigma: Any, num_pre: int | None, num_post: int | None) -> _Inputs:
    notes: list[str] = []
    if sigma is None:
        beta, sig, times, notes = _from_result(data)
    else:
        beta = np.asarray(data, float).ravel()
        sig = np.asarray(sigma, float)
        if isinstance(data, pd.Series):
            times = data.index.to_numpy(float)
        elif num_pre is not None and num_post is not None:
            times = np.r_[np.arange(-num_pre - 1, -1), np.arange(num_post)].astype(float)
        else:
            raise ConfigError("give num_pre and num_post (or beta as a Series indexed by event time)")
    if sig.shape != (len(beta), len(beta)):
        raise DataError(f"the covariance matrix is {sig.shape[0]}x{sig.shape[1]} but there are "
                        f"{len(beta)} coefficients")
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(sig))):
        raise DataError("coefficients or covariance contain missing or infinite values")
    if np.abs(sig - sig.T).max() > 1e-8 * max(np.abs(sig).max(), 1e-300):
        raise DataError("the covariance matrix is not symmetric")
    order = np.argsort(times)
    beta, sig, times = beta[order], sig[np.ix_(order, order)], times[order]
    pre, post = times[times < -1], times[times >= 0]
    if (times == -1).any():
        raise ConfigError("event time -1 is the reference period (normalised to zero) and must not be "
                          "among the coefficients")
    if pre.size == 0 or post.size == 0:
        raise EstimationError("honest_did needs at least one pre-entry (event time <= -2) and one "
                              "post-entry (>= 0) coefficient")
    if not (np.array_equal(pre, np.arange(-pre.size - 1, -1)) and np.array_equal(post, np.arange(post.size))):
        raise EstimationError("honest_did needs consecutive event times ending at -2 before entry and "
                              "starting at 0 after it; got " + ", ".join(f"{t:g}" for t in times))
    eig = np.linalg.eigvalsh(sig)
    if eig.min() < -1e-8 * max(eig.max(), 1e-300):
        raise DataError("the covariance matrix is not positive semi-definite")
    return _Inputs(beta, sig, times, int(pre.size), int(post.size), tuple(notes))


def _target(e: int | Sequence[int] | None, l_vec: Sequence[float] | None, num_post: int) -> tuple[np.ndarray, str]:
    if l_vec is not None:
        vec = np.asarray(l_vec, float).ravel()
        if vec.size != num_post or not np.any(vec):
            raise ConfigError(f"l_vec must have one weight per post-entry period ({num_post}), not all zero")
        return vec, "l'tau = " + " + ".join(f"{w:g}*tau[{j}]" for j, w in enumerate(vec) if w)
    periods = [0] if e is None else ([int(e)] if np.isscalar(e) else [int(x) for x in e])
    bad = [p for p in periods if not 0 <= p < num_post]
    if bad:
        raise ConfigError(f"event time(s) {bad} are not post-entry periods 0..{num_post - 1}")
    vec = np.zeros(num_post)
    vec[periods] = 1.0 / len(periods)
    label = f"e={periods[0]}" if len(periods) == 1 else "mean of e=" + ",".join(map(str, periods))
    return vec, label


# ----------------------------------------------------------------------------- entry point
def honest_did(data: Any, sigma: Any = None, *, restriction: str = "relative_magnitude",
               values: Sequence[float] | None = None, e: int | Sequence[int] | None = 0,
               l_vec: Sequence[float] | None = None, method: str | None = None, alpha: float = 0.05,
               num_pre: int | None = None, num_post: int | None = None, grid_points: int = 1000,
               refine: bool = True, lf_draws: int = 10_000, seed: int = 0,
               breakdown: bool = True) -> HonestDiDResult:
    """Robust confidence sets for an event-study effect under violations of parallel trends.

    ``data``: an ``event_study`` result (reference -1), a dynamic aggregation of ``staggered_did``
    with ``base_period="universal"``, or coefficients (array, or Series indexed by event time)
    with ``sigma`` their covariance and ``num_pre``/``num_post`` (pre coefficients -num_pre-1..-2,
    post 0..num_post-1, as HonestDiD's betahat). ``restriction``: "relative_magnitude" (Mbar) or
    "smoothness" (M); ``values``: the Mbar/M grid (default: Mbar 0..2 in 10 steps; M 0 up to the
    pre-period bound of HonestDiD's DeltaSD_upperBound_Mpre). ``e`` chooses the post period (0 =
    entry) or a list of periods to average; ``l_vec`` any weights instead. ``method``: "C-LF"
    (default for relative magnitudes), "Conditional", or "FLCI" (default for smoothness).
    ``refine=False`` reports HonestDiD's grid end points instead of the refined ones.

    Example
    -------
    >>> es = event_study(panel, "y", "municipality", "year", "first_year", leads=5, lags=3)  # doctest: +SKIP
    >>> honest_did(es, restriction="relative_magnitude", values=[0.5, 1, 1.5, 2]).plot()  # doctest: +SKIP
    """
    restriction = _ALIASES.get(restriction, restriction)
    if restriction not in RESTRICTIONS:
        raise ConfigError(f"restriction must be 'relative_magnitude' or 'smoothness', not {restriction!r}")
    method = method or RESTRICTIONS[restriction][0]
    if method not in RESTRICTIONS[restriction]:
        raise ConfigError(f"method for {restriction} must be one of {RESTRICTIONS[restriction]}, not {method!r}")
    if not 0 < alpha < 0.5:
        raise ConfigError(f"alpha must lie between 0 and 0.5, got {alpha}")
    if grid_points < 10 or lf_draws < 100:
        raise ConfigError("grid_points must be at least 10 and lf_draws at least 100")
    inputs = _inputs(data, sigma, num_pre, num_post)
    vec, target = _target(e, l_vec, inputs.num_post)
    spec = _Spec(inputs.beta, inputs.sigma, inputs.num_pre, inputs.num_post, vec, alpha, method,
                 alpha / 10, int(lf_draws), int(seed))
    if values is None:
        values = _default_values(spec, restriction)
    values = np.asarray(values, float)
    if values.ndim != 1 or values.size == 0 or (values < 0).any():
        raise ConfigError("values (Mbar or M) must be a non-empty list of numbers >= 0")
    if restriction == "relative_magnitude" and inputs.num_pre < 1:
        raise EstimationError("relative magnitudes need at least one pre-entry coefficient")
    robust_set = _RobustSet(spec, restriction, grid_points, refine)
    rows = [robust_set.interval(v) for v in values]
    robust = pd.DataFrame(rows, columns=["conf_low", "conf_high", "open"])
    robust.insert(0, "value", values)
    post = slice(spec.num_pre, spec.num_pre + spec.num_post)
    estimate = float(vec @ spec.beta[post])
    se = spec.sd_theta
    z = stats.norm.ppf(1 - alpha / 2)
    notes = list(inputs.notes)
    if robust["open"].any():
        notes.append("the robust set reaches the edge of the search range for some values: it may be "
                     "unbounded there")
    upper = float(max(values.max(), 1e-12))
    point = robust_set.breakdown(upper) if breakdown else np.nan
    if np.isfinite(point) and point > upper:
        point = np.nan
    return HonestDiDResult(
        restriction=restriction, method=method, target=target, l_vec=tuple(vec.tolist()),
        event_times=tuple(inputs.event_times.tolist()), estimate=estimate, std_error=se,
        original_low=estimate - z * se, original_high=estimate + z * se,
        robust=robust[["value", "conf_low", "conf_high"]], breakdown=point, breakdown_upper=upper,
        alpha=alpha, num_pre=spec.num_pre, num_post=spec.num_post, extra_notes=tuple(notes))


def _default_values(spec: _Spec, restriction: str) -> np.ndarray:
    if restriction == "relative_magnitude":
        return np.linspace(0, 2, 10)
    if spec.num_pre == 1:
        return np.linspace(0, np.sqrt(spec.sigma[0, 0]), 10)
    A = sd_matrix(spec.num_pre, 0)
    pre = slice(0, spec.num_pre)
    se = np.sqrt(np.diag(A @ spec.sigma[pre, pre] @ A.T))
    upper = float(np.max(A @ spec.beta[pre] + stats.norm.ppf(1 - spec.alpha) * se))
    return np.linspace(0, max(upper, 0.0), 10)


@dataclass
class _RobustSet:
    """Robust sets at any Mbar / M for one specification; vertex sets cached across values."""

    spec: _Spec
    restriction: str
    grid_points: int
    refine: bool
    rays: dict = field(default_factory=dict)
    flci_problem: Any = None

    def _flci(self, M: float) -> Any:
        if self.flci_problem is None:
            self.flci_problem = _FLCIProblem(self.spec.sigma, self.spec.num_pre, self.spec.num_post,
                                             self.spec.l_vec)
        return optimal_flci(self.spec.beta, self.spec.sigma, self.spec.num_pre, self.spec.num_post,
                            self.spec.l_vec, M, self.spec.alpha, self.flci_problem)

    def _tester(self, value: float) -> _Tester:
        if self.restriction == "relative_magnitude":
            return _rm_tester(self.spec, value, self.rays)
        return _sd_tester(self.spec, value, self.rays)

    def interval(self, value: float) -> tuple[float, float, bool]:
        if self.spec.method == "FLCI":
            low, high = self._flci(value).interval
            return low, high, False
        tester = self._tester(value)
        grid = _grid(self.spec, self.restriction, value, self.grid_points)
        low, high, edge = _invert(tester, grid, self.refine)
        if np.isnan(low):  # HonestDiD's grid is centred at zero; look around the estimate as well
            post = slice(self.spec.num_pre, self.spec.num_pre + self.spec.num_post)
            centre = float(self.spec.l_vec @ self.spec.beta[post])
            half = grid[-1] - grid[0] + abs(centre)
            low, high, edge = _invert(tester, np.linspace(centre - half, centre + half, self.grid_points),
                                      self.refine)
        return low, high, edge

    def includes_zero(self, value: float) -> bool:
        if self.spec.method == "FLCI":
            low, high = self._flci(value).interval
            return low <= 0 <= high
        return bool(self._tester(value).accepts(0.0)[0])

    def breakdown(self, upper: float) -> float:
        """Smallest value in [0, 4*upper] at which the set includes zero, by bisection (the sets grow
        with Mbar/M); NaN when it never does."""
        if self.includes_zero(0.0):
            return 0.0
        high = upper
        for _ in range(3):
            if self.includes_zero(high):
                break
            high *= 2
        else:
            return np.nan
        low = 0.0
        while high - low > 1e-4 * upper:
            middle = 0.5 * (low + high)
            if self.includes_zero(middle):
                high = middle
            else:
                low = middle
        return float(high)
