"""Influence-function inference for staggered DiD: analytic standard errors and the multiplier bootstrap.

Every estimate ``theta_k`` carries an influence function ``psi_ik`` over the n sampling units
(``theta_hat - theta ~ mean_i psi_i``). Clustering sums ``psi`` within clusters first, so the
variance is ``sum_c S_c S_c' / n^2`` with ``S_c = sum_{i in c} psi_i`` (no small-sample factor,
as R ``did``). The multiplier bootstrap draws one weight ``v_c`` per cluster (Mammen's two-point
weights as R ``did``, or Rademacher) and forms ``sum_c v_c S_c / n`` for all estimates at once
(one matrix product per chunk of draws). Standard errors are the robust interquartile-range
scale of the draws, and the uniform critical value is the 1-alpha quantile of the largest
studentised draw across estimates (Callaway & Sant'Anna 2021, section 4.1).

Example
-------
>>> import numpy as np
>>> psi = np.random.default_rng(1).normal(size=(400, 2))
>>> boot = multiplier_bootstrap(psi, n_units=400, n_draws=499, seed=3)
>>> boot.std_error.shape, bool(boot.crit_value > 1.96)
((2,), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evaluation.errors import ConfigError

#: Below this a standard error counts as zero (R did: sqrt(machine eps) * 10).
ZERO_SE = np.sqrt(np.finfo(float).eps) * 10
#: Roughly this many weights are drawn at once; bounds the bootstrap's memory.
CHUNK_ELEMENTS = 4_000_000


def cluster_sums(psi: np.ndarray, clusters: np.ndarray | None) -> np.ndarray:
    """Influence functions summed within clusters (integer codes 0..C-1); unchanged without clusters."""
    if clusters is None:
        return psi
    n_clusters = int(clusters.max()) + 1
    order = np.argsort(clusters, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(clusters[order])) + 1]
    sums = np.add.reduceat(psi[order], starts, axis=0)
    if sums.shape[0] != n_clusters:  # some codes unused: scatter into place
        full = np.zeros((n_clusters,) + psi.shape[1:])
        full[np.unique(clusters)] = sums
        sums = full
    return sums


def analytic_se(scores: np.ndarray, n_units: int) -> np.ndarray:
    """Standard errors from (cluster-summed) influence functions: sqrt(sum S^2) / n."""
    return np.sqrt(np.einsum("ij,ij->j", scores, scores)) / n_units  # no n x cells temporary


def analytic_vcov(scores: np.ndarray, n_units: int) -> np.ndarray:
    """Covariance matrix of the estimates: S'S / n^2."""
    return scores.T @ scores / n_units ** 2


def _draw_weights(rng: np.random.Generator, shape: tuple[int, int], kind: str) -> np.ndarray:
    if kind == "rademacher":
        return rng.integers(0, 2, size=shape, dtype=np.int8).astype(np.float64) * 2.0 - 1.0
    # Mammen (1993): mean 0, variance 1, third moment 1
    sqrt5 = np.sqrt(5.0)
    low, high = (1.0 - sqrt5) / 2.0, (1.0 + sqrt5) / 2.0
    p_low = (1.0 + sqrt5) / (2.0 * sqrt5)
    return np.where(rng.random(shape) < p_low, low, high)


@dataclass(frozen=True)
class BootstrapDraws:
    """Bootstrap standard errors, the uniform critical value and the centred draws (draws x estimates)."""

    std_error: np.ndarray
    crit_value: float
    draws: np.ndarray
    weights: str
    n_draws: int


def multiplier_bootstrap(scores: np.ndarray, n_units: int, n_draws: int = 999, *, alpha: float = 0.05,
                         seed: int | None = None, weights: str = "mammen") -> BootstrapDraws:
    """Multiplier bootstrap of estimates with (cluster-summed) influence functions ``scores``.

    The same seed gives the same weights, so ATT(g,t) and any aggregation of them computed with
    one seed share their bootstrap draws.
    """
    if weights not in ("mammen", "rademacher"):
        raise ConfigError(f"bootstrap weights must be 'mammen' or 'rademacher', not {weights!r}")
    if n_draws < 100:
        raise ConfigError(f"n_bootstrap must be at least 100 (got {n_draws})")
    scores = np.atleast_2d(scores.T).T if scores.ndim == 1 else scores
    clean = np.nan_to_num(scores)
    rng = np.random.default_rng(seed)
    n_clusters = clean.shape[0]
    chunk = max(1, CHUNK_ELEMENTS // max(n_clusters, 1))
    draws = np.empty((n_draws, clean.shape[1]))
    for start in range(0, n_draws, chunk):
        stop = min(n_draws, start + chunk)
        v = _draw_weights(rng, (stop - start, n_clusters), weights)
        draws[start:stop] = v @ clean / n_units
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0, method="inverted_cdf")
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    se = np.where(se > ZERO_SE / np.sqrt(n_units), se, np.nan)
    se[np.isnan(scores).any(axis=0)] = np.nan
    valid = np.isfinite(se)
    if valid.any():
        t_max = np.max(np.abs(draws[:, valid] / se[valid]), axis=1)
        crit = float(np.quantile(t_max, 1.0 - alpha, method="inverted_cdf"))
    else:
        crit = float("nan")
    return BootstrapDraws(std_error=se, crit_value=crit, draws=draws, weights=weights, n_draws=n_draws)


def wald_pretest(estimates: np.ndarray, vcov: np.ndarray) -> tuple[float, int, float, str | None]:
    """Chi-square test that all estimates are zero: statistic, df, p-value and a note if it cannot run."""
    k = len(estimates)
    if k == 0:
        return float("nan"), 0, float("nan"), "no pre-treatment ATT(g,t) to test parallel trends"
    if not np.all(np.isfinite(vcov)) or not np.all(np.isfinite(estimates)):
        return float("nan"), k, float("nan"), ("pre-test of parallel trends not reported: some "
                                               "pre-treatment ATT(g,t) are not estimable")
    # R did: no test when the reciprocal condition number is at machine precision
    if 1.0 / np.linalg.cond(vcov, p=1) <= np.finfo(float).eps:
        return float("nan"), k, float("nan"), ("pre-test of parallel trends not reported: the "
                                               "covariance of the pre-treatment ATT(g,t) is singular")
    stat = float(estimates @ np.linalg.solve(vcov, estimates))
    return stat, k, float(stats.chi2.sf(stat, k)), None
