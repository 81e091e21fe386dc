"""The model of untreated outcomes shared by the two-stage and the imputation estimators.

Y_it(0) = α_i + λ_t + x_it'γ + ε_it is fitted by (weighted) least squares on the untreated
observations only (never-treated units and not-yet-treated periods). The unit effects are
absorbed by the within transform of :mod:`evaluation.impact._absorb` (one dimension: exact
in one pass); the period effects and covariates stay as R explicit columns ``Z``, R = T − 1 + K.

Both estimators' standard errors need, for some n×K matrix C, the projection

    P = Z_full (Z0'W Z0)⁻¹ Z_full' C,

with Z_full = [unit dummies, Z]: Gardner's GMM correction (C = W·X₂) and the implied weights
of Borusyak, Jaravel & Spiess's Theorem 3 (C = the estimand's weights on treated rows).
:meth:`UntreatedModel.project` solves it without unit dummies by eliminating the unit block
(the Schur complement is the within-transformed cross product Z̃'WZ̃, R×R).

Example
-------
>>> import numpy as np, pandas as pd
>>> from evaluation.impact._robust_common import prepare_staggered
>>> df = pd.DataFrame({"u": np.repeat([1, 2, 3], 3), "t": np.tile([1, 2, 3], 3),
...                    "g": np.repeat([3, 0, 0], 3), "y": [1.0, 2, 6, 0, 1, 2, 1, 2, 3]})
>>> model = fit_untreated(restrict_to_imputable(prepare_staggered(df, "y", "u", "t", "g"), None)[0])
>>> round(float(model.resid[2]), 6)   # unit 1 in period 3: y - (α_1 + λ_3) = 6 - 3
3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.errors import EstimationError
from evaluation.impact._absorb import demean
from evaluation.impact._robust_common import StaggeredPanel, drop_always_treated
from evaluation.impact.covariance import least_squares


def restrict_to_imputable(sp: StaggeredPanel, cluster: str | None) -> tuple[StaggeredPanel, list[str]]:
    """Leave out rows whose untreated outcome cannot be imputed: units never observed untreated
    and periods in which every unit is treated (their effects have no untreated data)."""
    notes = []
    while True:
        sp, always = drop_always_treated(sp, cluster, sp.absorb)
        if always:
            notes.append(f"{always} unit(s) are treated in every period observed: no untreated outcome "
                         "to compare with, left out")
        untreated_by_period = np.bincount(sp.time, weights=(~sp.treated).astype(float),
                                          minlength=int(sp.time.max()) + 1)
        no_control = untreated_by_period[sp.time] == 0
        if not no_control.any():
            break
        periods = np.unique(sp.panel.period[no_control]).astype(int).tolist()
        notes.append(f"no untreated unit is observed in period(s) {periods}: their rows are left out "
                     "(no comparison)")
        sp = sp.subset(~no_control, "periods in which every observed unit is treated", cluster)
    if not sp.treated.any():
        raise EstimationError("no treated observation remains once rows without an untreated "
                              "comparison are left out")
    return sp, notes


@dataclass(frozen=True)
class UntreatedModel:
    """Fitted Y(0) model: ``fitted`` and ``resid`` (y − Ŷ(0)) for every row."""

    untreated: np.ndarray    # bool, rows used in the fit
    weights: np.ndarray      # regression weights (ones if none)
    unit: np.ndarray
    Z: np.ndarray            # n × R: period dummies (first period left out) and covariates
    unit_mass: np.ndarray    # Σ_untreated w by unit
    unit_means: np.ndarray   # n_units × R: weighted means of Z over each unit's untreated rows
    schur_inverse: np.ndarray  # (Z̃'WZ̃)⁻¹ on the untreated rows
    fitted: np.ndarray
    resid: np.ndarray

    def project(self, C: np.ndarray) -> np.ndarray:
        """Z_full (Z0'WZ0)⁻¹ Z_full'C for every row (n×K), Z_full = [unit dummies, Z]."""
        C = np.asarray(C, float).reshape(len(self.unit), -1)
        n_units = self.unit_mass.size
        b_unit = np.column_stack([np.bincount(self.unit, weights=C[:, k], minlength=n_units)
                                  for k in range(C.shape[1])])
        rhs = self.Z.T @ C - self.unit_means.T @ b_unit
        theta = self.schur_inverse @ rhs
        alpha = b_unit / self.unit_mass[:, None] - self.unit_means @ theta
        return alpha[self.unit] + self.Z @ theta


def fit_untreated(sp: StaggeredPanel) -> UntreatedModel:
    """Fit unit (or ``sp.absorb``) and period effects and covariates on the untreated rows."""
    untreated = ~sp.treated
    w = np.ones(sp.n_rows) if sp.weights is None else sp.weights
    n_periods = int(sp.time.max()) + 1
    dummies = (sp.time[:, None] == np.arange(1, n_periods)[None, :]).astype(float)
    Z = np.column_stack([dummies, sp.covariates]) if sp.covariates.shape[1] else dummies
    names = tuple(f"period {p:g}" for p in np.unique(sp.panel.period)[1:]) + sp.covariate_names
    n_units = int(sp.absorb.max()) + 1
    unit0, w0 = sp.absorb[untreated], w[untreated]
    unit_mass = np.bincount(unit0, weights=w0, minlength=n_units)
    block = demean(np.column_stack([sp.y[untreated], Z[untreated]]), [unit0], w0)
    root = np.sqrt(w0)[:, None]
    try:
        fit = least_squares(block[:, 0] * root[:, 0], block[:, 1:] * root, names)
    except EstimationError as error:
        raise EstimationError(f"the model of untreated outcomes cannot be fitted: {error}") from None
    unit_means = np.column_stack([np.bincount(unit0, weights=w0 * Z[untreated, r], minlength=n_units)
                                  for r in range(Z.shape[1])]) / unit_mass[:, None]
    alpha = np.bincount(unit0, weights=w0 * (sp.y[untreated] - Z[untreated] @ fit.coef),
                        minlength=n_units) / unit_mass
    fitted = alpha[sp.absorb] + Z @ fit.coef
    return UntreatedModel(untreated=untreated, weights=w, unit=sp.absorb, Z=Z, unit_mass=unit_mass,
                          unit_means=unit_means, schur_inverse=fit.bread, fitted=fitted,
                          resid=sp.y - fitted)


def cluster_totals(values: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
    """G×K sums of the rows of ``values`` (n×K) by cluster code."""
    values = np.asarray(values, float).reshape(clusters.size, -1)
    return np.column_stack([np.bincount(clusters, weights=values[:, k], minlength=n_clusters)
                            for k in range(values.shape[1])])
