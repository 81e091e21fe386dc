"""Ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein 2021, JASA), as R augsynth's
``augsynth(..., progfunc = "Ridge", scm = TRUE)`` computes it, with its conformal inference.

The synthetic control weights (on the pre-treatment outcome path) are corrected by a ridge
regression of the controls' outcomes on their pre-treatment outcomes: with X the controls'
pre-treatment outcomes centred at the control mean, x1 the treated place's,

    w_aug = w_scm + X (X'X + lambda I)^-1 (x1 - X'w_scm),

which may be negative and extrapolates when the treated place lies outside the donors' range
(as pilot municipalities chosen for their high arrears do). lambda is chosen as augsynth does:
leave-one-period-out cross-validation over 21 values from the largest squared singular value of
X down by 1e-8, taking the largest lambda within one standard error of the best.

Inference is augsynth's conformal method (Chernozhukov, Wüthrich & Zhu 2021): for each
post-treatment period and a null effect tau0, that period (minus tau0) joins the pre-treatment
periods, the augmented SC is re-fitted, and the null is rejected when the period's residual is
large among the residuals of all periods (1,000 random permutations); the interval collects the
nulls not rejected on a 50-point grid around the estimate. The joint test of no effect in any
post-treatment period gives the ATT's p-value (no interval for the average, as augsynth).

Example
-------
>>> res = synthetic_control(df, "y", "municipality", "year", treated_unit="Ostrava",
...                         treatment_start=2016, augment="ridge")       # doctest: +SKIP
>>> res.tidy()   # conformal intervals per period, p-value of the ATT   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError
from evaluation.impact._simplex import simplex_least_squares

N_LAMBDA = 20
LAMBDA_MIN_RATIO = 1e-8
N_PERMUTATIONS = 1000
GRID_SIZE = 50
SEED = 20210101


def _ridge_weights(X: np.ndarray, x1: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """(augmented weights, SCM weights) for controls X (n0 x t0) and treated x1 (t0)."""
    mean = X.mean(axis=0)
    Xc, x1c = X - mean, x1 - mean
    syn = simplex_least_squares(Xc.T, x1c)
    gap = x1c - Xc.T @ syn
    ridge = Xc @ np.linalg.solve(Xc.T @ Xc + lam * np.eye(Xc.shape[1]), gap)
    return syn + ridge, syn


def cv_lambda(X: np.ndarray, x1: np.ndarray) -> tuple[float, pd.DataFrame]:
    """augsynth's cv_lambda: leave one pre-period out, largest lambda within 1 SE of the best."""
    Xc = X - X.mean(axis=0)
    x1c = x1 - X.mean(axis=0)
    lam_max = float(np.linalg.svd(Xc, compute_uv=False)[0] ** 2)
    lambdas = lam_max * (LAMBDA_MIN_RATIO ** (1 / N_LAMBDA)) ** np.arange(N_LAMBDA + 1)
    t0 = Xc.shape[1]
    errors = np.zeros((max(t0 - 1, 1), lambdas.size))
    for i in range(t0 - 1):
        keep = np.arange(t0) != i
        X0, x1t, X0v, x1v = Xc[:, keep], x1c[keep], Xc[:, i], x1c[i]
        syn = simplex_least_squares(X0.T, x1t)
        gap = x1t - X0.T @ syn
        gram = X0.T @ X0
        for j, lam in enumerate(lambdas):
            aug = syn + X0 @ np.linalg.solve(gram + lam * np.eye(gram.shape[0]), gap)
            errors[i, j] = (x1v - X0v @ aug) ** 2
    mean = errors.mean(axis=0)
    se = errors.std(axis=0, ddof=1) / np.sqrt(errors.shape[0]) if errors.shape[0] > 1 else np.zeros_like(mean)
    best = int(np.argmin(mean))
    chosen = float(lambdas[mean <= mean[best] + se[best]].max())
    return chosen, pd.DataFrame({"lambda": lambdas, "cv_error": mean, "cv_se": se})


def fit_ascm(Y0: np.ndarray, y1: np.ndarray, t0: int, lam: float | None) -> tuple[np.ndarray, float]:
    """Augmented weights from the first t0 columns of the controls' outcomes Y0 (n0 x T)."""
    X, x1 = Y0[:, :t0], y1[:t0]
    if lam is None:
        lam = cv_lambda(X, x1)[0] if t0 > 2 else 0.0
    return _ridge_weights(X, x1, lam)[0], lam


def _statistic(x: np.ndarray) -> np.ndarray:
    """augsynth's default test statistic with q = 1: sum |x| / sqrt(len)."""
    return np.abs(x).sum(axis=-1) / np.sqrt(x.shape[-1])


def _permutation_p(Y0: np.ndarray, y1: np.ndarray, t0: int, post: list[int], h0: np.ndarray,
                   lam: float | None, rng: np.random.Generator) -> float:
    cols = list(range(t0)) + post
    y = y1[cols].copy()
    y[t0:] -= h0
    w, _ = fit_ascm(Y0[:, cols], y, len(cols), lam)
    resid = y - Y0[:, cols].T @ w
    observed = _statistic(resid[t0:])
    perms = np.argsort(rng.random((N_PERMUTATIONS, resid.size)), axis=1)
    stats = _statistic(resid[perms][:, t0:])
    return float(np.mean(observed <= stats))


@dataclass(frozen=True)
class Augmentation:
    """Ridge augmentation of a synthetic control fit and its conformal inference."""

    ridge_lambda: float
    scm_weights: np.ndarray = field(repr=False)
    cv: pd.DataFrame | None = field(default=None, repr=False)
    conformal: pd.DataFrame | None = field(default=None, repr=False)   # per post period: low, high, p
    att_p_value: float = np.nan

    def fill(self, table: pd.DataFrame) -> pd.DataFrame:
        if self.conformal is None:
            return table
        table = table.copy()
        table.loc[0, "p_value"] = self.att_p_value
        for column, source in (("conf_low", "conf_low"), ("conf_high", "conf_high"), ("p_value", "p_value")):
            table.loc[1:, column] = self.conformal[source].to_numpy()
        return table


def augment_ridge(result: Any) -> Any:
    """Replace a fitted synthetic control's weights by ridge-augmented ones (outcome path only)."""
    problem = result.problem
    Y = problem.Y
    pre = [p for p in Y.columns if p < result.treatment_start]
    t0 = len(pre)
    Y0 = Y.loc[list(result.donors)].to_numpy(float)
    y1 = Y.loc[result.treated_unit].to_numpy(float)
    periods = list(Y.columns) if result.periods is None else list(result.periods)
    idx = [list(Y.columns).index(p) for p in periods]
    Y0, y1 = Y0[:, idx], y1[idx]
    cv = None
    lam = problem.ridge_lambda
    if lam is None:
        lam, cv = cv_lambda(Y0[:, :t0], y1[:t0]) if t0 > 2 else (0.0, None)
    weights, syn = _ridge_weights(Y0[:, :t0], y1[:t0], lam)
    synthetic = Y0.T @ weights
    aug = Augmentation(ridge_lambda=float(lam), scm_weights=syn, cv=cv)
    note = (f"ridge-augmented SC (augsynth progfunc='Ridge'): lambda = {lam:.4g}"
            + (" chosen by leave-one-period-out cross-validation (1-SE rule)" if cv is not None else "")
            + f"; {int((weights < -1e-10).sum())} negative donor weight(s)")
    return replace(result, weights=weights, synthetic_path=synthetic, augmentation=aug,
                   extra_notes=result.extra_notes + (note,))


def conformal_inference(result: Any, alpha: float | None = None, seed: int = SEED,
                        refit_lambda: bool = False) -> Any:
    """augsynth's conformal intervals per post-treatment period and the p-value of no effect.

    Each test re-fits the augmented SC; ``refit_lambda=True`` also re-runs the cross-validation of
    lambda in every re-fit (as augsynth does when lambda was not given; slow), otherwise the
    fit's lambda is kept.
    """
    if result.augmentation is None:
        raise EstimationError("conformal inference is for the ridge-augmented synthetic control (augment='ridge')")
    alpha = result.alpha if alpha is None else alpha
    rng = np.random.default_rng(seed)
    Y = result.problem.Y.loc[:, list(result.periods)]
    Y0 = Y.loc[list(result.donors)].to_numpy(float)
    y1 = Y.loc[result.treated_unit].to_numpy(float)
    t0 = int(result.pre.sum())
    T = len(result.periods)
    lam = None if refit_lambda else result.augmentation.ridge_lambda
    gaps = result.gaps
    post_sd = float(np.sqrt(np.mean(gaps[t0:] ** 2)))
    rows = []
    for j in range(t0, T):
        grid = np.append(np.linspace(gaps[j] - 2 * post_sd, gaps[j] + 2 * post_sd, GRID_SIZE), 0.0)
        ps = np.array([_permutation_p(Y0, y1, t0, [j], np.array([h]), lam, rng) for h in grid])
        ok = grid[ps >= alpha]
        rows.append({"period": result.periods[j], "conf_low": ok.min() if ok.size else np.nan,
                     "conf_high": ok.max() if ok.size else np.nan, "p_value": float(ps[-1])})
    joint = _permutation_p(Y0, y1, t0, list(range(t0, T)), np.zeros(T - t0), lam, rng)
    aug = replace(result.augmentation, conformal=pd.DataFrame(rows), att_p_value=joint)
    note = (f"conformal inference (augsynth, {N_PERMUTATIONS} permutations, seed {seed}): per-period "
            f"{100 * (1 - alpha):g}% intervals; the ATT's p-value tests no effect in any post-treatment period")
    return replace(result, augmentation=aug, extra_notes=result.extra_notes + (note,))
