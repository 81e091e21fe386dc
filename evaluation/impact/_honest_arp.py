"""The conditional and hybrid moment-inequality tests of Andrews, Roth & Pakes (ARP, 2023) that
:mod:`evaluation.impact.honest_did` inverts, vectorised over a grid of parameter values.

The test of H0: E[Y - a*theta - X*delta] <= 0 for some nuisance delta uses the statistic

    eta(theta) = min_delta max_i (Y_i - a_i theta - X_i delta) / sd_i,

a linear program whose dual is max_gamma gamma'y over the polytope {gamma >= 0, sd'gamma = 1,
X'gamma = 0}. That polytope does not depend on y, and its vertices are the extreme rays of the
cone {gamma >= 0, X'gamma = 0} scaled to sd'gamma = 1; the rays do not depend on sd either. So the
rays are enumerated once (:func:`dual_rays`) and then eta at every grid point, the optimal vertex,
the conditioning interval [v_lo, v_up] along the line y = s + b*c on which that vertex stays
optimal (ARP's dual approach, their Appendix D; the same interval R HonestDiD finds by
bisection over repeated linear programs), and the least-favourable critical value over
thousands of draws are all matrix products. The critical value is the 1 - alpha quantile of
the standard normal truncated to [v_lo, v_up] (floored at zero), with the least-favourable
("LF") hybrid first rejecting when eta exceeds the 1 - kappa quantile of eta under the least
favourable null, and testing at size (alpha - kappa)/(1 - kappa) (ARP section 6).

Example
-------
>>> import numpy as np
>>> rays = dual_rays(np.array([[1.0], [-1.0], [0.5]]))
>>> rays.round(3).tolist()
[[0.5, 0.5, 0.0], [0.0, 0.333, 0.667]]
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from evaluation.errors import EstimationError

#: Supports of size rank(X)+1 are enumerated up to this many (C(20, 10) = 184,756: ten periods).
MAX_SUPPORTS = 400_000
_CHUNK = 20_000
#: Multiply-adds per matrix product of the least-favourable draws: below OpenBLAS's threshold for
#: threads (m n k < 4 * 65536), since on a busy machine the threads it starts for products this
#: small cost several times the product's own CPU time.
_ONE_THREAD = 200_000


def independent_columns(X: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    """The columns of X that span its column space (QR with pivoting), in their original order."""
    if X.shape[1] == 0:
        return X
    from scipy.linalg import qr

    _, r, piv = qr(X, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int((diag > rtol * max(diag.max(), 1e-300)).sum()) if diag.size else 0
    return X[:, np.sort(piv[:rank])]


def dual_rays(X: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Extreme rays of {gamma >= 0 : X'gamma = 0}, one per row, scaled to sum to one.

    Every extreme ray has a support of rank(X) + 1 rows on which gamma spans the null space of
    X_S'; supports are enumerated (an EstimationError names the problem when there are too many).
    """
    m = X.shape[0]
    Xr = independent_columns(X)
    k = Xr.shape[1]
    if k == 0:
        return np.eye(m)
    size = k + 1
    if size > m:
        return np.empty((0, m))
    n_supports = math.comb(m, size)
    if n_supports > MAX_SUPPORTS:
        raise EstimationError(
            f"the conditional test needs the vertices of a {m}-row moment polytope ({n_supports:,} "
            "candidate supports): too many post-treatment periods; use fewer post periods (e.g. "
            "max_e in the aggregation) or the FLCI for smoothness restrictions")
    found = []
    combos = itertools.combinations(range(m), size)
    while True:
        chunk = np.array(list(itertools.islice(combos, _CHUNK)), dtype=np.intp)
        if chunk.size == 0:
            break
        B = Xr[chunk]                                  # (c, size, k)
        U, sv, _ = np.linalg.svd(B, full_matrices=True)
        full_rank = sv[:, -1] > 1e-9 * np.maximum(sv[:, 0], 1e-300)
        null = U[:, :, -1]                              # left null vector of B: X_S' gamma_S = 0
        null = null * np.where(null.sum(axis=1) < 0, -1.0, 1.0)[:, None]
        scale = np.abs(null).max(axis=1)
        ok = full_rank & (null >= -tol * scale[:, None]).all(axis=1)
        for support, vector in zip(chunk[ok], null[ok]):
            ray = np.zeros(m)
            ray[support] = np.clip(vector, 0.0, None)
            found.append(ray / ray.sum())
    if not found:
        return np.empty((0, m))
    rays = np.array(found)
    _, unique = np.unique(np.round(rays, 9), axis=0, return_index=True)
    return rays[np.sort(unique)]


@dataclass(frozen=True)
class MomentProblem:
    """Moments Y - a*theta - X*delta <= 0 in mean, with Var(Y) = sigma (rows already selected).

    ``d`` is the constant the moments were shifted by (Y = A beta - d): R HonestDiD's test without
    nuisance parameters floors the critical value at -d_B/sd_B rather than at zero.
    ``fixed``: rows whose moment does not involve theta or delta, kept for the LF draws.
    """

    Y: np.ndarray
    a: np.ndarray
    sigma: np.ndarray
    rays: np.ndarray
    d: np.ndarray
    no_nuisance: bool

    @property
    def vertices(self) -> np.ndarray:
        sd = np.sqrt(np.clip(np.diag(self.sigma), 0, None))
        return self.rays / (self.rays @ sd)[:, None]


def truncated_normal_quantile(q: float, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """The ``q`` quantile of the standard normal truncated to [lower, upper], elementwise: the
    inverse of the truncated distribution function from the normal one, worked on the side of zero
    where the normal probabilities are small (so that no precision is lost to 1 - Phi). The same
    numbers as ``scipy.stats.truncnorm.ppf`` (to 1e-9) without its per-call overhead, which the
    bisection of the sets' end points pays thousands of times; intervals so far in the tail that
    the normal probabilities underflow are left to scipy.

    Example
    -------
    >>> truncated_normal_quantile(0.95, np.array([-np.inf, 0.0]), np.array([np.inf, np.inf])).round(4).tolist()
    [1.6449, 1.96]
    """
    lower, upper = np.broadcast_arrays(np.asarray(lower, float), np.asarray(upper, float))
    mirrored = lower > 0  # the interval lies above zero: take its mirror image below zero
    a = np.where(mirrored, -upper, lower)
    b = np.where(mirrored, -lower, upper)
    p = np.where(mirrored, 1.0 - q, q)
    fa, fb = special.ndtr(a), special.ndtr(b)
    mass = fb - fa
    with np.errstate(invalid="ignore"):
        x = special.ndtri(fa + p * mass)
    x = np.clip(np.where(mirrored, -x, x), lower, upper)
    tail = ~np.isfinite(x) | (mass < 1e-250)
    if tail.any():
        x[tail] = stats.truncnorm.ppf(q, lower[tail], upper[tail])
    return x


def least_favourable_cv(problem: MomentProblem, kappa: float, draws: int, seed: int) -> float:
    """1 - kappa quantile of eta when Y ~ N(0, sigma) (ARP section 6.2)."""
    G = problem.vertices
    if G.shape[0] == 0:
        return np.inf
    rng = np.random.default_rng(seed)
    # rng.multivariate_normal(0, sigma, draws, method="eigh") (the same numbers), in blocks of draws
    s, u = np.linalg.eigh(problem.sigma)
    factor_t = (u * np.sqrt(np.abs(s))).T
    z = rng.standard_normal((draws, len(problem.Y)))
    block = max(1, _ONE_THREAD // (z.shape[1] * max(z.shape[1], G.shape[0])))
    eta = np.concatenate([((z[i:i + block] @ factor_t) @ G.T).max(axis=1) for i in range(0, draws, block)])
    return float(np.quantile(eta, 1 - kappa))


def arp_accepts(problem: MomentProblem, thetas: np.ndarray, alpha: float, *, hybrid: str = "ARP",
                kappa: float = 0.0, lf_cv: float = np.inf) -> np.ndarray:
    """Which ``thetas`` the conditional (``"ARP"``) or LF-hybrid (``"LF"``) test does not reject."""
    thetas = np.atleast_1d(np.asarray(thetas, float))
    G = problem.vertices
    if G.shape[0] == 0:  # the moments can be made arbitrarily negative: never reject
        return np.ones(thetas.shape, bool)
    size = alpha if hybrid == "ARP" else (alpha - kappa) / (1 - kappa)
    values = (G @ problem.Y)[None, :] - thetas[:, None] * (G @ problem.a)[None, :]
    star = values.argmax(axis=1)
    rows = np.arange(len(thetas))
    eta = values[rows, star]
    GSG = G @ problem.sigma @ G.T
    var_b = GSG[star, star]
    p = GSG[star, :] / np.where(var_b > 0, var_b, 1.0)[:, None]
    q = values - p * eta[:, None]
    slope = 1.0 - p
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = q / slope
    lower = np.where(slope > 1e-10, bound, -np.inf).max(axis=1)
    upper = np.where(slope < -1e-10, bound, np.inf).min(axis=1)
    if hybrid == "LF" and not problem.no_nuisance:
        upper = np.minimum(upper, lf_cv)
    sigma_b = np.sqrt(np.clip(var_b, 0, None))
    degenerate = var_b < np.finfo(float).eps
    safe = np.where(degenerate, 1.0, sigma_b)
    z, z_lo, z_up = eta / safe, lower / safe, upper / safe
    inside = (z_lo <= z) & (z <= z_up)
    crit = np.full(len(thetas), np.inf)
    if inside.any():
        crit[inside] = truncated_normal_quantile(1 - size, z_lo[inside], z_up[inside])
    crit = np.nan_to_num(crit, nan=np.inf)
    if problem.no_nuisance:
        sd = np.sqrt(np.diag(problem.sigma))
        floor = -problem.d[star] / sd[star]
    else:
        floor = 0.0
    reject = inside & (z > np.maximum(floor, crit))
    reject = np.where(degenerate, eta > 0, reject)
    if hybrid == "LF":
        reject |= eta > lf_cv
    return ~reject
