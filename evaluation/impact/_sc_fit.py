"""One synthetic control fit (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010), as
R/Stata ``Synth`` computes it.

Predictors (covariate averages over chosen periods, outcome values in chosen periods) are scaled
by their standard deviation across the treated unit and the donors. Donor weights W minimise
``(X1 - X0 W)' V (X1 - X0 W)`` over the simplex, solved exactly by an active-set method. The
predictor weights V (diagonal, summing to one) are

* ``"nested"``: chosen to minimise the mean squared prediction error of the outcome over the
  optimisation periods, searched as Synth does (Nelder–Mead and BFGS from equal weights and from
  the regression-based weights, best of the four runs);
* ``"regression"``: the regression-based weights alone (Synth's second starting value, Stata
  synth's default without ``nested``): squared coefficients of a regression of the pre-period
  outcomes on the scaled predictors, normalised;
* ``"equal"``, or given values.

Without predictors the synthetic control matches the pre-treatment outcome path itself
(unscaled, all periods equally weighted), i.e. minimises the pre-period MSPE directly.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> Z0 = rng.normal(size=(10, 6)); Z1 = Z0[:, :2].mean(axis=1)
>>> fit = fit_weights(Z1, Z0, Z1, Z0, v_method="equal", scale=False)
>>> np.round(fit.weights[:2], 6).tolist()
[0.5, 0.5]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from evaluation.impact._simplex import simplex_least_squares

V_METHODS = ("nested", "regression", "equal")


@dataclass(frozen=True)
class WeightFit:
    weights: np.ndarray      # donors
    v: np.ndarray            # predictor weights (sum 1), over the kept predictors
    loss_v: float            # MSPE of the outcome over the optimisation periods
    loss_w: float            # V-weighted predictor discrepancy (scaled predictors)
    kept: np.ndarray         # which predictors were used (non-constant across units)


def scale_predictors(X1: np.ndarray, X0: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Divide each predictor by its standard deviation across all units (Synth); drop constant ones."""
    allx = np.column_stack([X0, X1])
    sd = allx.std(axis=1, ddof=1)
    kept = sd > 1e-12 * np.maximum(np.abs(allx).max(axis=1), 1e-300)
    return X1[kept] / sd[kept], X0[kept] / sd[kept][:, None], kept


def regression_v(X1s: np.ndarray, X0s: np.ndarray, Z1: np.ndarray, Z0: np.ndarray) -> np.ndarray | None:
    """Synth's regression-based V: diag(B B') normalised, B = coefficients of Z on [1, X]."""
    X = np.column_stack([np.ones(X0s.shape[1] + 1), np.column_stack([X0s, X1s]).T])
    Z = np.column_stack([Z0, Z1]).T
    if np.linalg.matrix_rank(X) < X.shape[1]:
        return None
    beta = np.linalg.solve(X.T @ X, X.T @ Z)[1:]
    v = (beta ** 2).sum(axis=1)
    return v / v.sum() if v.sum() > 0 else None


class _Nested:
    """The outer objective of the nested optimisation, with a warm-started inner solve."""

    def __init__(self, X1s, X0s, Z1, Z0):
        self.X1s, self.X0s, self.Z1, self.Z0 = X1s, X0s, Z1, Z0
        self.warm: np.ndarray | None = None

    def weights(self, v: np.ndarray) -> np.ndarray:
        root = np.sqrt(v)[:, None]
        w = simplex_least_squares(root * self.X0s, root[:, 0] * self.X1s, start=self.warm)
        self.warm = w
        return w

    def loss(self, par: np.ndarray) -> float:
        a = np.abs(par)
        if not np.isfinite(a).all() or a.sum() <= 0:
            return np.inf
        w = self.weights(a / a.sum())
        return float(np.mean((self.Z1 - self.Z0 @ w) ** 2))


def _search_v(nested: _Nested, starts: list[np.ndarray], max_evaluations: int) -> np.ndarray:
    best_par, best_loss = starts[0], np.inf
    for start in starts:
        for method, options in (("Nelder-Mead", {"maxfev": max_evaluations, "xatol": 1e-8, "fatol": 1e-12}),
                                ("BFGS", {"maxiter": max(max_evaluations // 5, 1), "gtol": 1e-10})):
            nested.warm = None
            res = optimize.minimize(nested.loss, start, method=method, options=options)
            loss = nested.loss(res.x)
            if loss < best_loss - 1e-15:
                best_par, best_loss = res.x, loss
    a = np.abs(best_par)
    return a / a.sum()


def fit_weights(X1: np.ndarray, X0: np.ndarray, Z1: np.ndarray, Z0: np.ndarray, *, v_method: str = "nested",
                v_custom: np.ndarray | None = None, scale: bool = True,
                max_evaluations: int = 500) -> WeightFit:
    """Donor and predictor weights for predictors X (k x units) and outcomes Z (periods x units)."""
    if scale:
        X1s, X0s, kept = scale_predictors(X1, X0)
    else:
        X1s, X0s, kept = X1, X0, np.ones(X1.shape[0], bool)
    k = X1s.shape[0]
    nested = _Nested(X1s, X0s, Z1, Z0)
    if v_custom is not None:
        v = np.asarray(v_custom, float)[kept]
        v = v / v.sum()
    elif v_method == "equal" or k == 1:
        v = np.full(k, 1.0 / k)
    else:
        reg = regression_v(X1s, X0s, Z1, Z0)
        if v_method == "regression":
            v = reg if reg is not None else np.full(k, 1.0 / k)
        else:
            starts = [np.full(k, 1.0 / k)] + ([reg] if reg is not None else [])
            v = _search_v(nested, starts, max_evaluations)
    nested.warm = None
    w = nested.weights(v)
    gap = X1s - X0s @ w
    return WeightFit(weights=w, v=v, loss_v=float(np.mean((Z1 - Z0 @ w) ** 2)),
                     loss_w=float(gap @ (v * gap)), kept=kept)
