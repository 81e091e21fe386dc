"""Standard errors of synthetic DiD: placebo, bootstrap and jackknife (Arkhangelsky et al. 2021,
Algorithms 4, 2 and 3), as R synthdid's ``vcov(method=...)`` and, for staggered adoption, Stata
sdid's ``vce()`` define them.

* placebo: the treated places are left out; as many never-treated places as there are treated
  ones, drawn at random, get the treated places' start dates; the estimator is re-run (weights
  re-optimised, started from the fit's weights) and the standard error is the standard deviation
  of the placebo estimates times sqrt((B-1)/B).
* bootstrap: places are resampled with replacement (draws with no treated or no comparison place
  are redrawn); the estimator is re-run on each draw; cohorts absent from a draw drop out of its
  average. Needs two or more treated places.
* jackknife: each place left out in turn with the weights held fixed (renormalised); the usual
  jackknife variance. Needs two or more treated places in every cohort.

Replications of one cohort run as one batch through the Frank–Wolfe solver (no Python loop over
replications); placebo replications, whose comparison places are all drawn from the one pool of
never-treated places, share that pool's Gram matrix. With one adoption date the noise level
(hence zeta) is the fit's, as R synthdid keeps it; with staggered adoption it is recomputed in
each replication, as Stata sdid does.

Example
-------
>>> res = synthetic_did(panel, "y", "unit", "year", "d", se_method=None)   # doctest: +SKIP
>>> res.inference("placebo", replications=500, seed=1).std_error             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evaluation.errors import EstimationError
from evaluation.impact import _sdid_core as core

#: Replications of one cohort solved together; bounds memory (replications x controls x periods).
BATCH_CELLS = 8_000_000


def _population_sd(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    if values.size < 2:
        return np.nan
    return float(np.sqrt((values.size - 1) / values.size) * np.std(values, ddof=1))


def _jackknife_sd(values: np.ndarray) -> float:
    n = values.size
    return float(np.sqrt((n - 1) / n * (n - 1) * np.var(values, ddof=1)))


def _fit_batches(res: Any, k: int, controls: list[np.ndarray], treated: list[np.ndarray],
                 omega_init: list[np.ndarray], *, pooled: bool = False) -> np.ndarray:
    """tau of cohort k for each replication (controls/treated: row indices into the design's Y).

    ``pooled``: the replications' controls are subsets of the never-treated places without
    repeats (placebo); they are then solved over that one pool, weights of the others held at 0
    (unless two places have the same pre-treatment path: Frank–Wolfe then breaks their tie by
    the order of each replication's places, as R synthdid does, so each keeps its own order).
    """
    d, opt, fit = res.design, res.options, res.fits[k]
    T0, Y = d.cohort_T0[k], d.Y
    pooled = pooled and not _has_twins(Y[d.controls, :T0], centred=opt.method == "sdid")
    n0max = len(d.controls) if pooled else max(len(c) for c in controls)
    per_batch = max(1, BATCH_CELLS // max(n0max * Y.shape[1], n0max * n0max, 1))
    noise = None if res.staggered else fit.noise[0]
    taus = np.empty(len(controls))
    for lo in range(0, len(controls), per_batch):
        chunk = range(lo, min(lo + per_batch, len(controls)))
        B = len(chunk)
        ctrl = Y[d.controls] if pooled else np.zeros((B, n0max, Y.shape[1]))
        mask = np.zeros((B, n0max), bool)
        init = np.zeros((B, n0max))
        tmean = np.empty((B, Y.shape[1]))
        n_tr = np.empty(B)
        for j, r in enumerate(chunk):
            c = controls[r]
            at = c if pooled else slice(0, len(c))      # design rows of controls are 0..n_controls-1
            if not pooled:
                ctrl[j, at] = Y[c]
            mask[j, at] = True
            init[j, at] = omega_init[r]
            tmean[j] = Y[treated[r]].mean(axis=0)
            n_tr[j] = len(treated[r])
        init = core.sum_normalize(init, mask)
        lam0 = np.repeat(fit.lambda_, B, axis=0)
        out = core.fit_cohorts(ctrl, mask, tmean, T0, method=opt.method, n_treated=n_tr,
                               eta_omega=opt.eta_omega, eta_lambda=opt.eta_lambda, noise=noise,
                               omega_init=init, lambda_init=lam0, min_decrease=opt.min_decrease,
                               max_iter=opt.max_iter)
        taus[lo:lo + B] = out.tau
    return taus


def _has_twins(pre: np.ndarray, *, centred: bool) -> bool:
    """Whether two places' (centred) pre-treatment paths coincide to 1e-9 of their scale."""
    A = pre - pre.mean(axis=1, keepdims=True) if centred else pre
    tol = 1e-9 * max(float(np.abs(A).max(initial=0.0)), 1e-300)
    step = max(1, 2_000_000 // max(A.size, 1))              # bounds the (step, n, T0) array
    for lo in range(0, A.shape[0], step):
        gap = np.abs(A[lo:lo + step, None, :] - A[None, :, :]).max(axis=2)
        gap[np.arange(gap.shape[0]), np.arange(lo, lo + gap.shape[0])] = np.inf
        if (gap <= tol).any():
            return True
    return False


def _aggregate(taus: np.ndarray, n_treated: np.ndarray, n_post: np.ndarray) -> np.ndarray:
    """ATT per replication: cohort estimates weighted by treated unit-periods present in the draw."""
    w = n_treated * n_post[None, :]
    w = np.where(np.isfinite(taus), w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nansum(np.nan_to_num(taus) * w, axis=1) / w.sum(axis=1)


def _placebo(res: Any, replications: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    d = res.design
    n_controls, n_treated = len(d.controls), d.n_treated
    if n_controls <= n_treated:
        raise EstimationError(f"placebo standard errors need more never-treated places ({n_controls}) than "
                              f"treated ones ({n_treated})")
    sizes = [len(m) for m in d.cohort_members]
    K = len(sizes)
    ctrl_sets, tr_sets = [[] for _ in range(K)], [[] for _ in range(K)]
    inits = [[] for _ in range(K)]
    for _ in range(replications):
        perm = d.controls[rng.permutation(n_controls)]
        remaining, pseudo = perm[:n_controls - n_treated], perm[n_controls - n_treated:]
        at = 0
        for k in range(K):
            tr_sets[k].append(pseudo[at:at + sizes[k]])
            at += sizes[k]
            ctrl_sets[k].append(remaining)
            inits[k].append(res.fits[k].omega[0][remaining])
    taus = np.column_stack([_fit_batches(res, k, ctrl_sets[k], tr_sets[k], inits[k], pooled=True)
                            for k in range(K)])
    counts = np.tile(np.array(sizes, float), (replications, 1))
    return taus, counts


def _bootstrap(res: Any, replications: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    d = res.design
    if d.n_treated < 2:
        raise EstimationError("the bootstrap needs at least two treated places (with one it is undefined, "
                              "as in R synthdid); use the placebo method")
    N = d.Y.shape[0]
    cohort_of = np.full(N, -1)
    for k, members in enumerate(d.cohort_members):
        cohort_of[members] = k
    K = len(d.cohort_members)
    draws = []
    while len(draws) < replications:
        sample = np.sort(rng.integers(0, N, N))
        c = cohort_of[sample]
        if np.all(c < 0) or np.all(c >= 0):
            continue
        draws.append(sample)
    taus = np.full((replications, K), np.nan)
    counts = np.zeros((replications, K))
    for k in range(K):
        rows, ctrl_sets, tr_sets, inits = [], [], [], []
        for r, sample in enumerate(draws):
            tr = sample[cohort_of[sample] == k]
            if tr.size == 0:
                continue
            ctrl = sample[cohort_of[sample] < 0]
            rows.append(r)
            tr_sets.append(tr)
            ctrl_sets.append(ctrl)
            inits.append(res.fits[k].omega[0][ctrl])   # design rows of controls are 0..n_controls-1
            counts[r, k] = tr.size
        if rows:
            taus[rows, k] = _fit_batches(res, k, ctrl_sets, tr_sets, inits)
    return taus, counts


def _jackknife(res: Any) -> tuple[float, np.ndarray, np.ndarray]:
    d = res.design
    small = [str(s) for s, m in zip(d.cohort_starts, d.cohort_members) if len(m) < 2]
    if small:
        raise EstimationError(f"the jackknife needs at least two treated places in every cohort (not so for "
                              f"{', '.join(small)}); use the placebo method (or the bootstrap)")
    for s, fit in zip(d.cohort_starts, res.fits):
        if np.count_nonzero(fit.omega[0]) == 1:
            raise EstimationError(f"the jackknife is undefined when one comparison place carries all the weight "
                                  f"(cohort {s}); use the placebo method")
    N, K = d.Y.shape[0], len(d.cohort_members)
    n_post = np.array([d.post_periods(k) for k in range(K)], float)
    taus = np.empty((N, K))
    counts = np.empty((N, K))
    for k in range(K):
        fit, members, T0 = res.fits[k], d.cohort_members[k], d.cohort_T0[k]
        ctrl_all = d.controls
        omega = np.tile(fit.omega[0], (N, 1))
        keep = np.ones((N, ctrl_all.size), bool)
        keep[ctrl_all, np.arange(ctrl_all.size)] = False           # leaving out control i
        omega = core.sum_normalize(omega, keep)
        in_cohort = np.zeros((N, d.Y.shape[0]), bool)
        in_cohort[:, members] = True
        in_cohort[np.arange(N), np.arange(N)] = False               # leaving out treated unit i
        treated_mean = (in_cohort @ d.Y) / in_cohort.sum(axis=1, keepdims=True)
        controls = np.broadcast_to(d.Y[ctrl_all], (N, *d.Y[ctrl_all].shape))
        taus[:, k] = core.effect_fixed_weights(controls, treated_mean, omega,
                                               np.repeat(fit.lambda_, N, axis=0), T0)
        counts[:, k] = in_cohort.sum(axis=1)
    att = _aggregate(taus, counts, n_post)
    cohort_se = np.array([_jackknife_sd(taus[:, k]) for k in range(K)])
    return _jackknife_sd(att), cohort_se, att


def standard_errors(res: Any, method: str, replications: int,
                    seed: int | None) -> tuple[float, np.ndarray, np.ndarray, list[str]]:
    """(ATT standard error, per-cohort standard errors, replicate ATTs, notes)."""
    d = res.design
    notes: list[str] = []
    if method == "jackknife":
        se, cohort_se, draws = _jackknife(res)
        return se, cohort_se, draws, notes
    rng = np.random.default_rng(seed)
    taus, counts = (_placebo if method == "placebo" else _bootstrap)(res, replications, rng)
    n_post = np.array([d.post_periods(k) for k in range(len(d.cohort_members))], float)
    att = _aggregate(taus, counts, n_post)
    cohort_se = np.array([_population_sd(taus[:, k]) for k in range(taus.shape[1])])
    if method == "placebo" and d.n_treated == 1:
        notes.append("one treated place: the placebo standard error assumes its effect-free outcome behaves "
                     "like a comparison place's (homoskedasticity across places)")
    notes.append(f"seed {seed}")
    return _population_sd(att), cohort_se, att, notes
