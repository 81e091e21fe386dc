"""Least squares with a covariance matrix chosen by name, and the inference built on it.

One engine for every linear impact estimator (``did_2x2``, ``twfe``, ``event_study``):

* ``"classical"`` (alias ``"unadjusted"``): s² (X'X)⁻¹ with s² = Σû²/(N−K);
* ``"robust"``: HC1, N/(N−K) · (X'X)⁻¹ X'diag(û²)X (X'X)⁻¹ (White 1980, Stata ``robust``);
* ``"cluster"`` (alias ``"clustered"``): CR1, G/(G−1) · (N−1)/(N−K) · (X'X)⁻¹ Σ_g s_g s_g' (X'X)⁻¹,
  with s_g = X_g'û_g (Liang & Zeger 1986; the Stata/fixest default).

K counts the slope coefficients plus the parameters of absorbed fixed effects, by
fixest's "nonnested" rule (effects nested in the clusters count once). Tests and
intervals use Student's t with N−K degrees of freedom, or G−1 when clustered
(Stata, fixest). Regression weights enter as √w multiplying y and X.

Example
-------
>>> import numpy as np
>>> X = np.column_stack([np.ones(4), [0.0, 1, 2, 3]]); y = np.array([1.0, 3, 5, 7.5])
>>> fit = least_squares(y, X, ("const", "x"))
>>> fit.coef.round(2)
array([0.9 , 2.15])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from evaluation._tallskinny import BLAS_COLUMNS, gram
from evaluation.errors import EstimationError

COV_ALIASES = {"classical": "classical", "unadjusted": "classical", "homoskedastic": "classical",
               "robust": "robust", "hc1": "robust", "heteroskedastic": "robust",
               "cluster": "cluster", "clustered": "cluster", "cr1": "cluster"}


def cov_name(cov_type: str) -> str:
    """Canonical covariance name ("classical", "robust", "cluster") or a ValueError-like error."""
    from evaluation.errors import ConfigError

    try:
        return COV_ALIASES[str(cov_type).lower()]
    except KeyError:
        raise ConfigError(f"unknown cov_type {cov_type!r}; use one of 'classical' (or 'unadjusted'), "
                          "'robust', 'cluster' (or 'clustered')") from None


@dataclass(frozen=True)
class LeastSquares:
    """Slopes, residuals and the inverse cross-product of a (transformed) design."""

    coef: np.ndarray
    resid: np.ndarray
    bread: np.ndarray  # (X'X)^-1
    names: tuple[str, ...]


def least_squares(y: np.ndarray, X: np.ndarray, names: Sequence[str]) -> LeastSquares:
    """OLS, or an EstimationError naming the columns that are collinear with the others."""
    names = tuple(names)
    if X.shape[0] <= X.shape[1]:
        raise EstimationError(f"{X.shape[0]} observation(s) for {X.shape[1]} coefficient(s): "
                              "the model cannot be estimated")
    collinear = collinear_columns(X, names)
    if collinear:
        raise EstimationError("collinear regressors: " + ", ".join(map(repr, collinear)) +
                              " can be written as a combination of the other terms (or the fixed "
                              "effects) and cannot be estimated; remove them")
    xtx = X.T @ X
    bread = np.linalg.inv(xtx)
    coef = bread @ (X.T @ y)
    return LeastSquares(coef=coef, resid=y - X @ coef, bread=bread, names=names)


#: Tall designs (at least this many rows, few columns) are checked from their cross-product.
GRAM_ROWS = 50_000


def collinear_columns(X: np.ndarray, names: Sequence[str], rtol: float = 1e-9) -> list[str]:
    """Names of columns that add nothing to the span of the columns before them.

    A column is flagged when the diagonal of R in the QR decomposition of the column-scaled X
    (the length of its part orthogonal to the columns before it) is below sqrt(rtol). For tall
    designs R comes from the Cholesky factor of the scaled cross-product (one pass over the
    data instead of a QR of all rows; the threshold, 3e-5, is far above its rounding error).
    """
    k = X.shape[1]
    tall = X.shape[0] >= GRAM_ROWS and k <= BLAS_COLUMNS
    norms = np.sqrt(np.diag(gram(X))) if tall else np.sqrt((X ** 2).sum(axis=0))
    bad = [name for name, norm in zip(names, norms) if norm <= 1e-12 * max(norms.max(), 1.0)]
    if bad:
        return bad
    if tall:
        diag = _cholesky_diagonal(gram(X) / np.outer(norms, norms))
    else:
        _, r = np.linalg.qr(X / norms, mode="reduced")
        diag = np.abs(np.diag(r))
    return [name for name, value in zip(names, diag) if value < rtol ** 0.5]


def _cholesky_diagonal(g: np.ndarray) -> np.ndarray:
    """Diagonal of the Cholesky factor of a positive semi-definite g, column by column without
    pivoting (as QR's R); a column in the span of the earlier ones gets 0 and is skipped."""
    k = g.shape[0]
    L = np.zeros((k, k))
    diag = np.zeros(k)
    for j in range(k):
        rest = g[j, j] - L[j, :j] @ L[j, :j]
        diag[j] = np.sqrt(max(rest, 0.0))
        if diag[j] < 1e-7:
            continue
        L[j, j] = diag[j]
        for i in range(j + 1, k):
            L[i, j] = (g[i, j] - L[i, :j] @ L[j, :j]) / diag[j]
    return diag


def cluster_scores(X: np.ndarray, resid: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    """G×K matrix of s_g = Σ_{i in g} x_i û_i (integer cluster codes 0..G−1)."""
    return np.column_stack([np.bincount(clusters, weights=X[:, j] * resid, minlength=n_clusters)
                            for j in range(X.shape[1])])


@dataclass(frozen=True)
class Covariance:
    matrix: np.ndarray
    df: float  # degrees of freedom of the t reference distribution
    cov_type: str
    n_clusters: int | None = None


def covariance(fit: LeastSquares, X: np.ndarray, cov_type: str, dof_k: int,
               clusters: np.ndarray | None = None, n_clusters: int | None = None) -> Covariance:
    """Covariance of ``fit.coef`` by name; ``dof_k`` is K (slopes plus absorbed parameters)."""
    kind = cov_name(cov_type)
    n = X.shape[0]
    if n - dof_k <= 0:
        raise EstimationError(f"no residual degrees of freedom ({n} observations, {dof_k} parameters)")
    u = fit.resid
    if kind == "classical":
        sigma2 = float(u @ u) / (n - dof_k)
        return Covariance(sigma2 * fit.bread, n - dof_k, kind)
    if kind == "robust":
        meat = (X * (u ** 2)[:, None]).T @ X
        return Covariance(n / (n - dof_k) * fit.bread @ meat @ fit.bread, n - dof_k, kind)
    if clusters is None or n_clusters is None:
        raise EstimationError("cov_type='cluster' needs a cluster column")
    if n_clusters < 2:
        raise EstimationError("cluster-robust errors need at least 2 clusters; the data have 1")
    scores = cluster_scores(X, u, clusters, n_clusters)
    factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - dof_k)
    return Covariance(factor * fit.bread @ (scores.T @ scores) @ fit.bread, n_clusters - 1, kind,
                      n_clusters)


def estimate_table(names: Sequence[str], coef: np.ndarray, cov: Covariance,
                   alpha: float) -> pd.DataFrame:
    """The tidy table: term, estimate, std_error, conf_low, conf_high, p_value, statistic, df."""
    se = np.sqrt(np.clip(np.diag(cov.matrix), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
    crit = stats.t.ppf(1 - alpha / 2, cov.df)
    return pd.DataFrame({
        "term": list(names), "estimate": coef, "std_error": se,
        "conf_low": coef - crit * se, "conf_high": coef + crit * se,
        "p_value": 2 * stats.t.sf(np.abs(t), cov.df), "statistic": t, "df": cov.df,
    })


@dataclass(frozen=True)
class WaldTest:
    """Joint test that several coefficients are zero: F = b'V⁻¹b/q against F(q, df)."""

    terms: tuple[str, ...]
    statistic: float
    df_num: int
    df_denom: float
    p_value: float

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame({"test": ["joint: " + ", ".join(self.terms) + " = 0"],
                             "statistic": [self.statistic], "df_num": [self.df_num],
                             "df_denom": [self.df_denom], "p_value": [self.p_value]})


def wald_test(names: Sequence[str], coef: np.ndarray, cov: Covariance,
              terms: Sequence[str]) -> WaldTest:
    """F form of the Wald test; with clustered errors the denominator df is G−1 (Stata ``test``).

    With clustered errors at most G−1 restrictions can be tested (the covariance has rank ≤ G−1).
    """
    index = [list(names).index(t) for t in terms]
    q = len(index)
    if cov.n_clusters is not None and q > cov.n_clusters - 1:
        raise EstimationError(f"cannot test {q} coefficients jointly with {cov.n_clusters} clusters: "
                              "the cluster-robust covariance has rank at most G-1; use fewer leads")
    b = coef[index]
    v = cov.matrix[np.ix_(index, index)]
    statistic = float(b @ np.linalg.solve(v, b)) / q
    return WaldTest(tuple(terms), statistic, q, cov.df, float(stats.f.sf(statistic, q, cov.df)))
