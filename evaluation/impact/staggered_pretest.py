"""Pre-tests of parallel trends for Callaway & Sant'Anna ATT(g,t): that all pre-treatment ATT(g,t) are 0.

R ``did`` reports a Wald test of the pre-treatment ATT(g,t) against chi-square(k), with the
covariance estimated from their influence functions. That covariance is, group by group, the
sample covariance of the treated units' outcome changes: with n_g treated units (clusters) and
p_g pre-treatment cells the statistic behaves like Hotelling's T^2 (reference
p_g n_g / (n_g - p_g) F(p_g, n_g - p_g)), not chi-square. With 5 units and 3-5 cells a nominal
5% test rejects true parallel trends more than half of the time. :func:`wald_reliability`
measures this (the size the chi-square test would have under normal errors) and the methods
below give a test that stays valid with few treated units:

``"wald"``
    R did's test: chi-square(k) reference (kept for compatibility; unreliable with few units).
``"sup_t"``
    max_k |ATT_k| / se_k against the multiplier-bootstrap distribution of the same maximum --
    the test implied by R did's uniform band (the band excludes 0 somewhere iff it rejects).
    The bootstrap does not re-estimate the standard errors, so with few treated units it
    inherits the heavy tails of a t statistic with few degrees of freedom.
``"wald_bootstrap"``, ``"sup_t_bootstrap"``
    Studentised wild (sign-flip) bootstrap with the null imposed: each unit's (cluster's)
    influence-function contribution is re-centred at the null (the treated units' share of
    ATT_k is added back), flipped with one Rademacher sign per cluster for all cells, and the
    statistic -- Wald with its covariance, or max |t| with its standard errors -- is recomputed
    from the flipped contributions in every draw. When the contributions are symmetric under
    the null this is a randomisation test, valid with few treated units.
``"f"``
    Hotelling-type small-sample test: per group, F_g = W_g (n_g - p_g) / (p_g n_g) against
    F(p_g, n_g - p_g), combined over groups by Fisher's method (groups with n_g <= p_g are left
    out and said so).

Which test the summary shows. ``result.pretest()`` ("auto") and the result's notes give R did's
Wald test when :func:`wald_reliability` finds it reliable, else ``ROBUST_METHOD``. That choice
comes from a Monte Carlo (benchmarks/bench_staggered_pretest.py, 1,000 panels per design) on
the synthetic municipality design (5, 5, 6 treated units, 3-5 pre-periods per group): under
parallel trends the 5% tests rejected, on the arrears rate / evictions per 1,000 / normal /
skewed noise: wald 0.90/0.88/0.92/0.92, sup_t 0.49/0.14/0.48/0.37, wald_bootstrap
0.07/0.10/0.07/0.10, sup_t_bootstrap 0.057/0.052/0.036/0.053, f 0/0/0/0 (the control units'
share of the covariance makes the F reference far too conservative). Only sup_t_bootstrap
holds its size in every design, so it is the robust default; wald_bootstrap has more power
against smooth pre-trends (0.26 against 0.08 at a 0.3 SD/year trend, 0.77 against 0.17 at 0.6)
but over-rejects by up to a factor of two with skewed outcomes. With 5-6 treated units per
group no test has much power: a pre-test that does not reject is weak evidence. With 60 treated
units per group (not flagged) the tests rejected 0.080/0.061/0.047/0.049/0.047 (wald, sup_t,
wald_bootstrap, sup_t_bootstrap, f) under the null and 0.46/0.14/0.36/0.12/0.38 at a 0.1
SD/year pre-trend: sup-t tests are weak against smooth (dense) violations, which is why R did's
Wald test stays the default when it is reliable.

Example
-------
>>> res = staggered_did(panel, "y", "id", "t", "g", seed=1)    # doctest: +SKIP
>>> res.pretest("sup_t_bootstrap").p_value                        # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import ConfigError
from evaluation.impact.staggered_bootstrap import (
    ZERO_SE,
    analytic_vcov,
    cluster_sums,
    multiplier_bootstrap,
    wald_pretest,
)
from evaluation.results import Result

if TYPE_CHECKING:  # pragma: no cover
    from evaluation.impact.staggered import StaggeredDiDResult

PRETEST_METHODS = ("wald", "sup_t", "wald_bootstrap", "sup_t_bootstrap", "f")
#: The test shown in summaries when R did's Wald test is flagged unreliable (chosen by the
#: Monte Carlo in benchmarks/bench_staggered_pretest.py; see the module docstring).
ROBUST_METHOD = "sup_t_bootstrap"
METHOD_LABELS = {
    "wald": "Wald, chi-square reference (as R did)",
    "sup_t": "sup-t, multiplier bootstrap (R did's uniform band)",
    "wald_bootstrap": "Wald, studentised wild bootstrap with the null imposed",
    "sup_t_bootstrap": "sup-t, studentised wild bootstrap with the null imposed",
    "f": "Hotelling-type F by group, combined by Fisher's method",
}
#: The chi-square test is flagged when its size under normal errors exceeds this multiple of alpha.
SIZE_INFLATION_LIMIT = 2.0
#: ... or when the reciprocal condition number of the covariance is below this.
MIN_RCOND = 1e-10
#: Roughly this many numbers are held at once in the studentised bootstrap; bounds its memory.
CHUNK_ELEMENTS = 4_000_000


class PretestReliabilityWarning(UserWarning):
    """R did's chi-square Wald pre-test is unreliable here (few treated units per pre-period cell):
    it over-rejects true parallel trends; use ``result.pretest("sup_t_bootstrap")``."""


@dataclass(frozen=True)
class PretestResult(Result):
    """One pre-test of parallel trends: H0 all pre-treatment ATT(g,t) are zero."""

    method: str
    statistic: float
    df: float                 # chi-square / numerator df; number of cells for the bootstrap tests
    p_value: float
    n_cells: int
    reference: str            # the reference distribution, in words
    alpha: float
    n_bootstrap: int | None = None
    seed: int | None = None
    extra_notes: tuple[str, ...] = ()
    title: str = "Pre-test of parallel trends (all pre-treatment ATT(g,t) = 0)"

    @property
    def rejected(self) -> bool:
        """Whether parallel trends are rejected at level ``alpha`` (False when no p-value)."""
        return bool(np.isfinite(self.p_value) and self.p_value < self.alpha)

    @property
    def notes(self) -> tuple[str, ...]:
        return (f"method: {METHOD_LABELS[self.method]}; reference: {self.reference}",) + self.extra_notes

    def describe(self) -> str:
        """One line for a summary: method, statistic and p-value (or why there is none)."""
        if not np.isfinite(self.p_value):
            return f"pre-test of parallel trends ({METHOD_LABELS[self.method]}) not available" + (
                f": {self.extra_notes[0]}" if self.extra_notes else "")
        name = {"wald": f"chi2({self.df:g})", "f": f"Fisher chi2({self.df:g})", "wald_bootstrap": "Wald"}.get(
            self.method, "max |t|")
        draws = f", {self.n_bootstrap} draws" if self.n_bootstrap else ""
        return (f"pre-test of parallel trends ({METHOD_LABELS[self.method]}{draws}; {self.n_cells} pre-treatment "
                f"ATT(g,t) = 0): {name} = {self.statistic:.3f}, p = {self.p_value:.5f}")

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"term": "pre-trends: all pre-treatment ATT(g,t) = 0", "method": self.method,
                              "statistic": self.statistic, "df": self.df, "p_value": self.p_value,
                              "n_cells": self.n_cells, "reference": self.reference}])


@dataclass(frozen=True)
class Reliability:
    """Whether the chi-square Wald pre-test can be trusted, and why not."""

    reliable: bool
    implied_size: dict          # group -> size of the nominal-alpha chi-square test under normal errors
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ shared pieces
def pre_treatment(groups: np.ndarray, times: np.ndarray, anticipation: int) -> np.ndarray:
    """Which ATT(g,t) the pre-test may assume to be zero: t + anticipation < g. Cells inside the
    anticipation window may carry an effect by assumption, so they are no placebo."""
    return np.asarray(times, dtype=float) + anticipation < np.asarray(groups, dtype=float)


def pre_cells(res: StaggeredDiDResult) -> np.ndarray:
    """Indices of the pre-treatment ATT(g,t) that enter the pre-test (as R did: finite, non-zero SE)."""
    cells = res.cells
    return np.flatnonzero(pre_treatment(cells["group"].to_numpy(), cells["time"].to_numpy(), res.anticipation)
                          & np.isfinite(cells["estimate"].to_numpy(float))
                          & np.isfinite(cells["analytic_std_error"].to_numpy(float)))


def treated_clusters(res: StaggeredDiDResult, group: float) -> int:
    """Number of independent treated units of ``group``: its clusters, or its units without clusters."""
    member = res.entity_group == group
    if res.entity_cluster is None:
        return int(member.sum())
    return int(np.unique(res.entity_cluster[member]).size)


def chi2_size_under_hotelling(n: int, p: int, alpha: float) -> float:
    """Size of the nominal-alpha chi-square(p) test when the statistic is n/(n-1) Hotelling T^2 of n units."""
    if n <= p:
        return 1.0
    critical = stats.chi2.ppf(1 - alpha, p)
    return float(stats.f.sf(critical * (n - p) / (p * n), p, n - p))


def wald_reliability(res: StaggeredDiDResult, alpha: float | None = None) -> Reliability:
    """Flag R did's Wald pre-test when some group has too few treated units for its pre-period cells.

    With n_g treated units (clusters) behind p_g pre-treatment cells, the chi-square test of
    that group's cells has size ``chi2_size_under_hotelling(n_g, p_g, alpha)`` under normal
    errors; the test is flagged when that exceeds ``SIZE_INFLATION_LIMIT * alpha`` for some group
    (n_g <= p_g always is), or when the covariance is nearly singular.
    """
    alpha = res.alpha if alpha is None else alpha
    idx = pre_cells(res)
    if idx.size == 0:
        return Reliability(True, {})
    groups = res.cells["group"].to_numpy()[idx]
    implied, notes = {}, []
    for g in np.unique(groups):
        p = int((groups == g).sum())
        n = treated_clusters(res, g)
        implied[float(g)] = chi2_size_under_hotelling(n, p, alpha)
        if implied[float(g)] > SIZE_INFLATION_LIMIT * alpha:
            unit = "clusters" if res.entity_cluster is not None else "units"
            notes.append(f"group {g:g}: {n} treated {unit} for {p} pre-treatment ATT(g,t); a nominal "
                         f"{100 * alpha:g}% chi-square test has size about {100 * implied[float(g)]:.0f}%")
    vcov = _vcov(res, idx)
    if np.all(np.isfinite(vcov)):
        rcond = 1.0 / np.linalg.cond(vcov, p=1)
        if rcond < MIN_RCOND:
            notes.append(f"the covariance of the pre-treatment ATT(g,t) is nearly singular "
                         f"(reciprocal condition number {rcond:.1e})")
    return Reliability(not notes, implied, tuple(notes))


def _scores(res: StaggeredDiDResult, idx: np.ndarray) -> np.ndarray:
    return cluster_sums(np.nan_to_num(res.influence[:, idx]), res.entity_cluster)


def _vcov(res: StaggeredDiDResult, idx: np.ndarray) -> np.ndarray:
    return analytic_vcov(_scores(res, idx), res.n_units)


def _not_available(method: str, k: int, alpha: float, why: str, **extra) -> PretestResult:
    return PretestResult(method=method, statistic=float("nan"), df=float(k), p_value=float("nan"), n_cells=k,
                         reference="none", alpha=alpha, extra_notes=(why,), **extra)


# ------------------------------------------------------------------------------ the tests
def pretest(res: StaggeredDiDResult, method: str = "wald", *, n_bootstrap: int | None = None,
            seed: int | None = None, alpha: float | None = None) -> PretestResult:
    """Test that all pre-treatment ATT(g,t) of ``res`` are zero with ``method`` (module docstring).

    The bootstrap methods use ``n_bootstrap`` draws (default: the result's) and ``seed``
    (default: the result's seed, so the answer is reproducible).
    """
    if method not in PRETEST_METHODS:
        raise ConfigError(f"pre-test method must be one of {PRETEST_METHODS}, not {method!r}")
    alpha = res.alpha if alpha is None else alpha
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1, not {alpha!r}")
    n_bootstrap = res.n_bootstrap if n_bootstrap is None else int(n_bootstrap)
    if method != "wald" and method != "f" and n_bootstrap < 100:
        raise ConfigError(f"n_bootstrap must be at least 100, not {n_bootstrap!r}")
    seed = res.seed if seed is None else seed
    idx = pre_cells(res)
    k = int(idx.size)
    theta = res.cells["estimate"].to_numpy(float)[idx]
    if k == 0:
        return _not_available(method, 0, alpha, "no pre-treatment ATT(g,t) to test parallel trends")
    if method == "wald":
        return _wald(res, idx, theta, alpha)
    if method == "f":
        return _hotelling_f(res, idx, theta, alpha)
    if method == "sup_t":
        return _sup_t_multiplier(res, idx, theta, alpha, n_bootstrap, seed)
    return _studentised_bootstrap(res, idx, theta, alpha, n_bootstrap, seed, method)


def _wald(res: StaggeredDiDResult, idx: np.ndarray, theta: np.ndarray, alpha: float) -> PretestResult:
    stat, df, p_value, why = wald_pretest(theta, _vcov(res, idx))
    if why:
        return _not_available("wald", df, alpha, why)
    reliability = wald_reliability(res, alpha)
    notes = ()
    if not reliability.reliable:
        notes = ("unreliable with few treated units per pre-period cell (over-rejects): "
                 + "; ".join(reliability.notes),)
    return PretestResult(method="wald", statistic=stat, df=float(df), p_value=p_value, n_cells=df,
                         reference=f"chi-square({df})", alpha=alpha, extra_notes=notes)


def _hotelling_f(res: StaggeredDiDResult, idx: np.ndarray, theta: np.ndarray, alpha: float) -> PretestResult:
    groups = res.cells["group"].to_numpy()[idx]
    vcov = _vcov(res, idx)
    p_values, notes, parts = [], [], []
    for g in np.unique(groups):
        block = groups == g
        p, n = int(block.sum()), treated_clusters(res, g)
        if n <= p:
            notes.append(f"group {g:g} left out: {n} treated units for {p} pre-treatment ATT(g,t) "
                         "(an F test needs more units than cells)")
            continue
        stat, _, _, why = wald_pretest(theta[block], vcov[np.ix_(block, block)])
        if why:
            notes.append(f"group {g:g} left out: {why}")
            continue
        f_value = stat * (n - p) / (p * n)
        p_values.append(float(stats.f.sf(f_value, p, n - p)))
        parts.append(f"group {g:g}: F({p}, {n - p}) = {f_value:.3f}, p = {p_values[-1]:.4f}")
    if not p_values:
        return _not_available("f", int(idx.size), alpha, "; ".join(notes) or "no group can be tested")
    fisher = float(-2.0 * np.sum(np.log(np.maximum(p_values, 1e-300))))
    df = 2 * len(p_values)
    notes.append("conservative: the comparison units' share of the covariance shrinks the statistic below "
                 "Hotelling's T^2 when a group has few more units than cells (Monte Carlo size near 0)")
    return PretestResult(method="f", statistic=fisher, df=float(df), p_value=float(stats.chi2.sf(fisher, df)),
                         n_cells=int(idx.size), reference=f"Fisher's chi-square({df}) of {len(p_values)} "
                         "group F tests", alpha=alpha, extra_notes=tuple(parts + notes))


def _sup_t_multiplier(res: StaggeredDiDResult, idx: np.ndarray, theta: np.ndarray, alpha: float,
                      n_bootstrap: int, seed: int | None) -> PretestResult:
    boot = multiplier_bootstrap(_scores(res, idx), res.n_units, n_bootstrap, alpha=alpha, seed=seed,
                                weights=res.bootstrap_weights)
    valid = np.isfinite(boot.std_error)
    if not valid.any():
        return _not_available("sup_t", int(idx.size), alpha, "no pre-treatment ATT(g,t) has a bootstrap "
                              "standard error", n_bootstrap=n_bootstrap, seed=seed)
    stat = float(np.max(np.abs(theta[valid] / boot.std_error[valid])))
    t_max = np.max(np.abs(boot.draws[:, valid] / boot.std_error[valid]), axis=1)
    p_value = float((1 + np.sum(t_max >= stat)) / (n_bootstrap + 1))
    notes = () if wald_reliability(res, alpha).reliable else (
        "unreliable with few treated units per pre-period cell (over-rejects): the multiplier bootstrap does "
        f"not re-estimate the standard errors; use {ROBUST_METHOD!r}",)
    return PretestResult(method="sup_t", statistic=stat, df=float(valid.sum()), p_value=p_value,
                         n_cells=int(idx.size), reference=f"multiplier bootstrap of max |t| ({n_bootstrap} "
                         f"{res.bootstrap_weights} draws)", alpha=alpha, n_bootstrap=n_bootstrap, seed=seed,
                         extra_notes=notes)


def _treated_shares(res: StaggeredDiDResult, idx: np.ndarray) -> np.ndarray:
    """n * w_i / sum of w over group g's units, for the units of each cell's group (units x cells)."""
    groups = res.cells["group"].to_numpy()[idx]
    member = res.entity_group[:, None] == groups[None, :]
    weighted = res.entity_weight[:, None] * member
    return res.n_units * weighted / weighted.sum(axis=0, keepdims=True)


def _studentised_bootstrap(res: StaggeredDiDResult, idx: np.ndarray, theta: np.ndarray, alpha: float,
                           n_bootstrap: int, seed: int | None, method: str) -> PretestResult:
    n = res.n_units
    scores = _scores(res, idx)
    shares = cluster_sums(_treated_shares(res, idx), res.entity_cluster)
    # re-centre so that the scores sum to zero exactly (as an influence function should), then
    # impose the null: add the treated units' share of each ATT back, so the contributions of
    # unit (cluster) c average theta and are symmetric about 0 when parallel trends hold
    scores = scores - shares * (scores.sum(axis=0) / n)
    null_scores = scores + shares * theta
    wald = method == "wald_bootstrap"
    observed = _statistics(np.ones((1, scores.shape[0])), null_scores, shares, n, wald)[0]
    name = "Wald" if wald else "max |t|"
    if not np.isfinite(observed):
        return _not_available(method, int(idx.size), alpha, f"the {name} statistic cannot be computed (singular "
                              "covariance of the pre-treatment ATT(g,t))", n_bootstrap=n_bootstrap, seed=seed)
    rng = np.random.default_rng(seed)
    n_clusters, k = null_scores.shape
    chunk = max(1, CHUNK_ELEMENTS // max(n_clusters * (k if wald else 1), 1))
    draws = np.empty(n_bootstrap)
    for start in range(0, n_bootstrap, chunk):
        stop = min(n_bootstrap, start + chunk)
        signs = rng.integers(0, 2, size=(stop - start, n_clusters), dtype=np.int8).astype(float) * 2.0 - 1.0
        draws[start:stop] = _statistics(signs, null_scores, shares, n, wald)
    # a draw whose statistic cannot be computed counts as at least as extreme (conservative)
    exceed = int(np.sum(~np.isfinite(draws) | (draws >= observed * (1 - 1e-12))))
    p_value = float((1 + exceed) / (n_bootstrap + 1))
    notes = () if np.isfinite(draws).all() else (f"{int((~np.isfinite(draws)).sum())} bootstrap draws with a "
                                                 "singular covariance counted as rejections",)
    return PretestResult(method=method, statistic=float(observed), df=float(k), p_value=p_value, n_cells=k,
                         reference=f"studentised wild bootstrap of the {name} statistic with the null imposed "
                         f"({n_bootstrap} Rademacher draws)", alpha=alpha, n_bootstrap=n_bootstrap, seed=seed,
                         extra_notes=notes)


def _statistics(signs: np.ndarray, null_scores: np.ndarray, shares: np.ndarray, n: int, wald: bool) -> np.ndarray:
    """Statistic of each row of Rademacher ``signs`` (draws x clusters), recomputed from the flipped scores.

    Flipped contributions v_c U_c estimate theta* = sum_c v_c U_c / n; their influence function is
    v_c U_c - theta* C_c (C: treated shares), from which the covariance is re-estimated.
    """
    theta = signs @ null_scores / n                                     # draws x cells
    if not wald:
        # v^2 = 1: sum_c (v U - theta C)^2 = sum U^2 - 2 theta sum v U C + theta^2 sum C^2
        cross = signs @ (null_scores * shares)
        var = (np.sum(null_scores ** 2, axis=0) - 2 * theta * cross + theta ** 2 * np.sum(shares ** 2, axis=0))
        se = np.sqrt(np.maximum(var, 0.0)) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(theta) / np.where(se > ZERO_SE / np.sqrt(n), se, np.nan)
        return np.where(np.isnan(t).any(axis=1), np.inf, np.nanmax(np.where(np.isnan(t), -np.inf, t), axis=1))
    flipped = signs[:, :, None] * null_scores[None, :, :] - theta[:, None, :] * shares[None, :, :]
    vcov = np.einsum("bci,bcj->bij", flipped, flipped) / n ** 2
    out = np.full(len(signs), np.inf)
    rcond = 1.0 / np.linalg.cond(vcov, p=1)
    ok = np.isfinite(rcond) & (rcond > np.finfo(float).eps)
    if ok.any():
        solved = np.linalg.solve(vcov[ok], theta[ok][:, :, None])[:, :, 0]
        out[ok] = np.sum(theta[ok] * solved, axis=1)
    return out
