"""The arithmetic of synthetic difference-in-differences for one adoption cohort, for a batch of
problems at once (the fit itself, and the placebo and bootstrap replications).

A problem is one cohort: control rows (padded to a common count, with a mask) and the mean
trajectory of the cohort's treated units, ``T0`` pre-treatment periods. Following R synthdid
(Arkhangelsky et al. 2021, Algorithm 1, ``synthdid_estimate``):

* the outcome is collapsed to (controls + 1) x (T0 + 1): post-treatment periods averaged, treated
  units averaged;
* time weights lambda: Frank–Wolfe for ``zeta_lambda^2 ||lambda||^2 + ||A lambda - b||^2 / N0`` with
  A the controls' pre-treatment outcomes and b their post-treatment means, both centred over
  controls (intercept);
* unit weights omega: the same with A the controls' pre-treatment series (each centred over time)
  and b the treated mean series; ``zeta_omega = eta_omega * sigma``, eta_omega = (N1 T1)^(1/4),
  sigma = the standard deviation of the controls' first differences before treatment;
* both solved in two rounds (100 steps, sparsify, then up to ``max_iter``), stopping when a step
  lowers the objective by less than ``(1e-5 sigma)^2``;
* tau = (treated post mean - lambda' treated pre) - sum_i omega_i (control i post mean - lambda' its pre).

``method="sc"`` is synthdid's ``sc_estimate`` (lambda = 0, no intercept, eta_omega = 1e-6);
``method="did"`` its ``did_estimate`` (uniform weights).

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> Y = rng.normal(size=(1, 20, 8)) + np.arange(8)
>>> treated = Y[:, :3].mean(axis=1) + np.r_[np.zeros(5), np.ones(3)]
>>> fit = fit_cohorts(Y[:, 3:], np.ones((1, 17), bool), treated, 5, method="did", n_treated=3)
>>> round(float(fit.tau[0]), 6) == round(float((treated[0, 5:].mean() - treated[0, :5].mean())
...     - (Y[0, 3:, 5:].mean() - Y[0, 3:, :5].mean())), 6)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.impact._simplex import center, frank_wolfe_sparse_many, simplex_qp, simplex_qp_shared

METHODS = ("sdid", "sc", "did")
#: synthdid's defaults
ETA_LAMBDA = 1e-6
SC_ETA_OMEGA = 1e-6
MIN_DECREASE = 1e-5
MAX_ITER = 10_000
MAX_ITER_PRE_SPARSIFY = 100


@dataclass(frozen=True)
class CohortFit:
    omega: np.ndarray      # (B, n0max) unit weights (0 on padding)
    lambda_: np.ndarray    # (B, T0) time weights
    tau: np.ndarray        # (B,)
    zeta_omega: np.ndarray
    zeta_lambda: np.ndarray
    noise: np.ndarray


def noise_level(controls: np.ndarray, mask: np.ndarray, T0: int) -> np.ndarray:
    """Standard deviation (n - 1) of the controls' first differences before treatment, per problem."""
    diffs = np.diff(controls[:, :, :T0], axis=2)
    weight = np.repeat(mask[:, :, None], max(T0 - 1, 0), axis=2).astype(float)
    count = weight.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (diffs * weight).sum(axis=(1, 2)) / count
        var = (((diffs - mean[:, None, None]) ** 2) * weight).sum(axis=(1, 2)) / (count - 1)
    return np.sqrt(var)


def default_eta_omega(method: str, n_treated: int | np.ndarray, n_post: int) -> np.ndarray:
    if method == "sc":
        return np.broadcast_to(SC_ETA_OMEGA, np.shape(n_treated)).astype(float)
    return (np.asarray(n_treated, dtype=float) * n_post) ** 0.25


def fit_cohorts(controls: np.ndarray, mask: np.ndarray, treated_mean: np.ndarray, T0: int, *, method: str,
                n_treated: int | np.ndarray, eta_omega: float | None = None, eta_lambda: float = ETA_LAMBDA,
                noise: np.ndarray | None = None, omega_init: np.ndarray | None = None,
                lambda_init: np.ndarray | None = None, min_decrease: float = MIN_DECREASE,
                max_iter: int = MAX_ITER) -> CohortFit:
    """Weights and effect for a batch of cohort problems.

    ``controls`` (B, n0max, T) with ``mask`` (B, n0max) marking real control rows (duplicates of a
    bootstrap draw are separate rows), or one pool (n0, T) shared by all problems with ``mask``
    (B, n0) marking the places each problem uses (placebo replications: the unit-weight problems
    then share one Gram matrix); ``treated_mean`` (B, T) the mean of the cohort's treated
    units; ``n_treated`` their number (sets eta_omega). ``noise`` fixes sigma (R synthdid keeps the
    fit's value in its placebo and bootstrap replications); otherwise it is computed per problem
    (Stata sdid). ``omega_init``/``lambda_init`` start Frank–Wolfe (warm start of replications).
    """
    mask = np.asarray(mask, dtype=bool)
    controls = np.asarray(controls, dtype=float)
    pool = controls if controls.ndim == 2 else None
    if pool is not None:
        controls = np.broadcast_to(pool, (mask.shape[0], *pool.shape))
    B, _n0max, T = controls.shape
    n0 = mask.sum(axis=1).astype(float)
    T1 = T - T0
    sigma = noise_level(controls, mask, T0) if noise is None else np.broadcast_to(noise, (B,)).astype(float)
    eta_o = default_eta_omega(method, np.broadcast_to(n_treated, (B,)), T1) if eta_omega is None \
        else np.full(B, float(eta_omega))
    zeta_omega = eta_o * sigma
    zeta_lambda = eta_lambda * sigma
    min_dec = min_decrease * sigma
    pre = controls[:, :, :T0] * mask[:, :, None]
    post_mean = controls[:, :, T0:].mean(axis=2) * mask
    treated_pre = treated_mean[:, :T0]
    treated_post = treated_mean[:, T0:].mean(axis=1)

    if method == "did":
        omega = mask / n0[:, None]
        lam = np.full((B, T0), 1.0 / T0)
    else:
        b = treated_pre
        if method == "sdid":                                # intercept: centre each unit over time
            b = b - b.mean(axis=1, keepdims=True)
        if pool is not None:
            A = pool[:, :T0].T                              # (T0, n0): columns are controls
            A = A - A.mean(axis=0) if method == "sdid" else A
            qps = [simplex_qp_shared(A, b, zeta_omega, min_decrease=min_dec, columns=mask)]
        else:
            A = np.transpose(pre, (0, 2, 1))               # (B, T0, n0max)
            if method == "sdid":
                A = (A - (pre.sum(axis=2) / T0)[:, None, :]) * mask[:, None, :]
            qps = [simplex_qp(A, b, zeta_omega, min_decrease=min_dec, columns=mask)]
        starts = [mask / n0[:, None] if omega_init is None else omega_init]
        if method == "sdid":                                # time weights, solved alongside
            A, b = center(pre, post_mean, mask)
            qps.append(simplex_qp(A, b, zeta_lambda, min_decrease=min_dec, rows=mask))
            starts.append(np.full((B, T0), 1.0 / T0) if lambda_init is None else lambda_init)
        fits = frank_wolfe_sparse_many(qps, starts, max_iter=max_iter)
        omega = fits[0].weights
        lam = fits[1].weights if method == "sdid" else np.zeros((B, T0))
    tau = (treated_post - (lam * treated_pre).sum(axis=1)) \
        - (omega * (post_mean - (pre * lam[:, None, :]).sum(axis=2))).sum(axis=1)
    return CohortFit(omega=omega, lambda_=lam, tau=tau, zeta_omega=zeta_omega, zeta_lambda=zeta_lambda,
                     noise=sigma)


def sum_normalize(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Rows rescaled to sum to one over the mask; uniform where a row sums to zero (synthdid)."""
    w = np.where(mask, weights, 0.0)
    total = w.sum(axis=1, keepdims=True)
    uniform = mask / np.maximum(mask.sum(axis=1, keepdims=True), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, w / total, uniform)


def effect_fixed_weights(controls: np.ndarray, treated_mean: np.ndarray, omega: np.ndarray,
                         lam: np.ndarray, T0: int) -> np.ndarray:
    """tau for given weights (the jackknife's fixed-weight estimates), batched."""
    pre = controls[:, :, :T0]
    post_mean = controls[:, :, T0:].mean(axis=2)
    treated_post = treated_mean[:, T0:].mean(axis=1)
    return (treated_post - (lam * treated_mean[:, :T0]).sum(axis=1)) \
        - (omega * (post_mean - (pre * lam[:, None, :]).sum(axis=2))).sum(axis=1)
