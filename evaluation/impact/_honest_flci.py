"""Optimal fixed-length confidence intervals (FLCI) under smoothness restrictions Delta^SD(M)
(Rambachan & Roth 2023, section 4.1; Armstrong & Kolesár 2018).

The estimator is affine in the event-study coefficients: theta_hat = l_pre'beta_pre + l'beta_post.
Writing the pre-period weights in "w space" (l_pre = first differences of w), its worst-case
bias over Delta^SD(M) is M * (C + sum_k |w_1 + ... + w_k|) subject to sum(w) = sum_t t*l_t, and
the interval is theta_hat +/- cv_alpha(bias/sd) * sd, cv the 1 - alpha quantile of |N(b, 1)|.
For each bound h on the standard deviation the smallest bias is a convex programme (solved here
with SLSQP on the linear reformulation U_k >= |cumulative sum|); the half-length is then
minimised over h in [h_min, h_0] (h_0: all weight on the last pre-period; h_min: least variance).
R HonestDiD draws the folded-normal quantile by simulation; here it is exact.

Example
-------
>>> import numpy as np
>>> sigma = np.diag([0.01, 0.01, 0.01])
>>> flci = optimal_flci(np.array([0.0, 0.0, 1.0]), sigma, 2, 1, np.array([1.0]), M=0.0)
>>> round(flci.half_length, 3)  # M = 0: linear extrapolation of the pre-trend, exact
0.439
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats


@dataclass(frozen=True)
class FLCI:
    weights: np.ndarray     # on (beta_pre, beta_post)
    half_length: float
    estimate: float
    bias: float
    std_error: float

    @property
    def interval(self) -> tuple[float, float]:
        return self.estimate - self.half_length, self.estimate + self.half_length


def folded_normal_quantile(p: float, mean: float) -> float:
    """Quantile of |N(mean, 1)|."""
    return float(stats.foldnorm.ppf(p, abs(mean))) if mean != 0 else float(stats.norm.ppf((1 + p) / 2))


class _FLCIProblem:
    """Bias and variance of the affine estimators of l'tau_post, as functions of w."""

    def __init__(self, sigma: np.ndarray, num_pre: int, num_post: int, l_vec: np.ndarray) -> None:
        self.k = num_pre
        t = np.arange(1, num_post + 1)
        self.total = float(t @ l_vec)
        self.constant = sum(abs(float(np.arange(1, s + 1) @ l_vec[num_post - s:])) for s in range(1, num_post + 1)) \
            - self.total
        self.D = np.eye(num_pre) - np.eye(num_pre, k=-1)          # l_pre = D w
        pre = slice(0, num_pre)
        post = slice(num_pre, num_pre + num_post)
        self.Q = self.D.T @ sigma[pre, pre] @ self.D
        self.q = 2 * self.D.T @ sigma[pre, post] @ l_vec
        self.c = float(l_vec @ sigma[post, post] @ l_vec)
        self.l_vec = l_vec

    def variance(self, w: np.ndarray) -> float:
        return float(w @ self.Q @ w + self.q @ w + self.c)

    def abs_bias(self, w: np.ndarray) -> float:
        return self.constant + float(np.abs(np.cumsum(w)).sum())

    def h0(self) -> float:
        w = np.zeros(self.k)
        w[-1] = self.total
        return float(np.sqrt(max(self.variance(w), 0.0)))

    def least_variance(self) -> np.ndarray:
        """argmin w'Qw + q'w subject to sum(w) = total (KKT system)."""
        k = self.k
        kkt = np.block([[2 * self.Q, np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
        rhs = np.concatenate([-self.q, [self.total]])
        return np.linalg.lstsq(kkt, rhs, rcond=None)[0][:k]

    def min_bias(self, h: float, start: np.ndarray | None = None) -> tuple[float, np.ndarray]:
        """Smallest sum |cumsum w| subject to sum w = total and sd(w) <= h; returns (bias/M, w)."""
        k = self.k
        L = np.tril(np.ones((k, k)))
        h2 = h * h
        w0 = self.least_variance() if start is None else start
        x0 = np.concatenate([np.abs(L @ w0) + 1e-9, w0])
        cons = [
            {"type": "ineq", "fun": lambda x: x[:k] - L @ x[k:],
             "jac": lambda x: np.hstack([np.eye(k), -L])},
            {"type": "ineq", "fun": lambda x: x[:k] + L @ x[k:],
             "jac": lambda x: np.hstack([np.eye(k), L])},
            {"type": "eq", "fun": lambda x: np.array([x[k:].sum() - self.total]),
             "jac": lambda x: np.concatenate([np.zeros(k), np.ones(k)])[None, :]},
            {"type": "ineq", "fun": lambda x: np.array([1.0 - self.variance(x[k:]) / h2]),
             "jac": lambda x: np.concatenate([np.zeros(k), -(2 * self.Q @ x[k:] + self.q) / h2])[None, :]},
        ]
        objective = np.concatenate([np.ones(k), np.zeros(k)])
        res = optimize.minimize(lambda x: objective @ x, x0, jac=lambda x: objective, constraints=cons,
                                method="SLSQP", options={"ftol": 1e-12, "maxiter": 500})
        w = res.x[k:]
        return self.abs_bias(w), w


def optimal_flci(betahat: np.ndarray, sigma: np.ndarray, num_pre: int, num_post: int, l_vec: np.ndarray,
                 M: float, alpha: float = 0.05, problem: _FLCIProblem | None = None) -> FLCI:
    """The shortest fixed-length CI for l'tau_post over Delta^SD(M) (see the module docstring)."""
    problem = problem or _FLCIProblem(sigma, num_pre, num_post, l_vec)
    h_min = float(np.sqrt(max(problem.variance(problem.least_variance()), 0.0)))
    h_0 = problem.h0()
    cache: dict[float, tuple[float, np.ndarray]] = {}

    def bias_at(h: float) -> tuple[float, np.ndarray]:
        if h not in cache:
            cache[h] = problem.min_bias(h)
        return cache[h]

    def half_length(h: float) -> float:
        bias, _ = bias_at(h)
        return folded_normal_quantile(1 - alpha, M * bias / h) * h

    if M == 0 or h_0 - h_min <= 1e-12 * max(h_0, 1e-300):
        h_star = h_min if M == 0 else h_0
    else:
        lo, hi = h_min * (1 + 1e-9), h_0
        res = optimize.minimize_scalar(half_length, bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-7 * (hi - lo)})
        h_star = float(res.x)
        ends = {lo: half_length(lo), hi: half_length(hi)}
        best_end = min(ends, key=ends.get)
        if ends[best_end] < half_length(h_star):
            h_star = best_end
    if M == 0 and h_star == h_min:
        w = problem.least_variance()
        bias = problem.abs_bias(w)
    else:
        bias, w = bias_at(h_star)
    weights = np.concatenate([problem.D @ w, l_vec])
    sd = float(np.sqrt(max(problem.variance(w), 0.0)))
    half = folded_normal_quantile(1 - alpha, M * bias / sd) * sd if sd > 0 else M * bias
    return FLCI(weights=weights, half_length=half, estimate=float(weights @ betahat), bias=M * bias,
                std_error=sd)
