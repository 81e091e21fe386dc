"""The result shared by the linear impact estimators, and the step that builds it.

``fit_linear`` runs least squares on an already transformed design (weights applied,
fixed effects absorbed), computes the named covariance and keeps the design so that
:meth:`RegressionResult.wild_bootstrap` can re-use it without refitting.

Example
-------
>>> import numpy as np
>>> X = np.column_stack([np.ones(6), [0.0, 0, 0, 1, 1, 1]]); y = np.array([1.0, 2, 3, 5, 6, 7])
>>> res = fit_linear(y, X, ("const", "d"), cov_type="robust", alpha=0.05)
>>> round(float(res.coefficients.loc[1, "estimate"]), 3)
4.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError
from evaluation.impact._absorb import absorbed_dof, transform
from evaluation.impact.covariance import (
    Covariance,
    cov_name,
    covariance,
    estimate_table,
    least_squares,
)
from evaluation.results import ESTIMATE_COLUMNS, Result


@dataclass(frozen=True)
class Design:
    """A fitted model's raw outcome and regressors, weights, fixed effects and clusters.

    Kept so that the wild bootstrap can rebuild the design it needs: effects nested in the
    clusters are partialled out (exact, since a cluster's weight is constant within them);
    other effects enter as dummies, because partialling them out would leave bootstrap
    residuals that are not orthogonal to them.
    """

    y: np.ndarray
    X: np.ndarray
    names: tuple[str, ...]
    clusters: np.ndarray | None
    n_clusters: int | None
    dof_k: int
    groups: tuple[np.ndarray, ...] = ()
    weights: np.ndarray | None = None


@dataclass(frozen=True)
class Fitted:
    coefficients: pd.DataFrame
    covariance: Covariance
    design: Design
    X_within: np.ndarray  # regressors after the within transform (and √w)


def fit_linear(y: np.ndarray, X: np.ndarray, names: tuple[str, ...], *, cov_type: str, alpha: float,
               clusters: np.ndarray | None = None, n_clusters: int | None = None,
               groups: Sequence[np.ndarray] = (), weights: np.ndarray | None = None) -> Fitted:
    """Weighted least squares with fixed effects ``groups`` absorbed and the named covariance."""
    check_alpha(alpha)
    yt, Xt = transform(y, X, groups, weights)
    fit = least_squares(yt, Xt, names)
    absorbed = absorbed_dof(groups, clusters if cov_name(cov_type) == "cluster" else None)
    dof_k = X.shape[1] + absorbed
    cov = covariance(fit, Xt, cov_type, dof_k, clusters, n_clusters)
    table = estimate_table(names, fit.coef, cov, alpha)
    design = Design(y, X, tuple(names), clusters, n_clusters, dof_k, tuple(groups), weights)
    return Fitted(table, cov, design, Xt)


def check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha must lie strictly between 0 and 1, got {alpha}")


@dataclass(frozen=True)
class RegressionResult(Result):
    """Coefficients of a linear impact model with their covariance and diagnostics.

    ``coefficients`` is the full tidy table; ``term`` names the effect of interest,
    reported first by :meth:`tidy`.
    """

    coefficients: pd.DataFrame
    vcov: pd.DataFrame
    term: str
    n_obs: int
    cov_type: str
    alpha: float
    n_clusters: int | None = None
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))
    design: Design | None = field(default=None, repr=False, compare=False)

    def tidy(self) -> pd.DataFrame:
        table = self.coefficients.copy()
        first = table["term"] == self.term
        table = pd.concat([table[first], table[~first]], ignore_index=True)
        table["n_obs"] = self.n_obs
        return table

    def _row(self) -> pd.Series:
        return self.coefficients.set_index("term").loc[self.term]

    @property
    def estimate(self) -> float:
        """The effect of interest."""
        return float(self._row()["estimate"])

    @property
    def std_error(self) -> float:
        return float(self._row()["std_error"])

    @property
    def conf_int(self) -> tuple[float, float]:
        row = self._row()
        return float(row["conf_low"]), float(row["conf_high"])

    @property
    def p_value(self) -> float:
        return float(self._row()["p_value"])

    def wild_bootstrap(self, param: str | None = None, *, B: int = 9999, weights: str = "rademacher",
                       impose_null: bool = True, alpha: float | None = None, null: float = 0.0,
                       seed: int | None = None) -> Any:
        """Wild cluster (restricted) bootstrap test and interval for ``param`` (default: the effect).

        Re-uses this fit's design (weights applied, fixed effects partialled out) and clusters.
        """
        from evaluation.impact.wild_bootstrap import bootstrap_design

        if self.design is None or self.design.clusters is None:
            raise EstimationError("the wild cluster bootstrap needs clusters: refit with cov_type='cluster'")
        return bootstrap_design(self.design, param or self.term, B=B, weights=weights,
                                impose_null=impose_null, alpha=self.alpha if alpha is None else alpha,
                                null=null, seed=seed)


def empty_exclusions() -> pd.DataFrame:
    return pd.DataFrame(columns=["reason", "rows"])


__all__ = ["ESTIMATE_COLUMNS", "Design", "RegressionResult", "fit_linear"]
