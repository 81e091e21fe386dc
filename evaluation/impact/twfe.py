"""Two-way fixed effects (entity and time effects) on a panel.

y_it = α_i + λ_t + β·D_it + X_it'γ + ε_it. The effects are absorbed by the within
transform (alternating projections, :mod:`evaluation.impact._absorb`), which gives the
same β as linearmodels ``PanelOLS(entity_effects=True, time_effects=True)`` and
pyfixest ``feols("y ~ d | unit + time")`` but scales to millions of rows.

Covariance: ``"clustered"`` (default, CR1 by entity) matches pyfixest's
``vcov={"CRV1": entity}`` exactly: G/(G−1)·(N−1)/(N−K) with K = slopes + time
effects (entity effects are nested in the entity clusters; fixest's "nonnested" rule),
and t(G−1) reference. ``"robust"`` (HC1) and ``"unadjusted"`` count all absorbed effects in K.

With staggered adoption, β is a weighted average of all 2×2 comparisons, including
"forbidden" ones that use already-treated units as controls; with effects that change
over time some weights are negative (Goodman-Bacon 2021; de Chaisemartin &
D'Haultfœuille 2020). The result reports those weights and a
:class:`~evaluation.impact._design.StaggeredTimingWarning` is raised; use ``staggered_did``.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"unit": np.repeat(np.arange(40), 6), "t": np.tile(np.arange(6), 40)})
>>> df["d"] = ((df.unit < 20) & (df.t >= 3)).astype(int)
>>> df["y"] = df.unit * 0.1 + df.t * 0.2 + 1.5 * df.d + rng.normal(size=len(df))
>>> abs(twfe(df, "y", "d", "unit", "t").estimate - 1.5) < 0.3
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.errors import EstimationError
from evaluation.impact._absorb import demean
from evaluation.impact._design import (
    StaggeredTimingWarning,
    check_covariates,
    numeric,
    warn_few_clusters,
)
from evaluation.impact._panel import Panel, panel_notes, prepare_panel
from evaluation.impact._regression import RegressionResult, fit_linear
from evaluation.impact.covariance import cov_name


@dataclass(frozen=True)
class TWFEResult(RegressionResult):
    """TWFE coefficient (``term``) with diagnostics of the implicit weights on treated cells."""

    n_entities: int = 0
    n_periods: int = 0
    n_cohorts: int = 0
    negative_weight_share: float = float("nan")
    negative_weight_sum: float = float("nan")

    @property
    def title(self) -> str:
        return "Two-way fixed effects"

    def diagnostics(self) -> pd.DataFrame:
        """Treatment timing and the de Chaisemartin–D'Haultfœuille weights on treated observations."""
        return pd.DataFrame({
            "diagnostic": ["entities", "periods", "adoption cohorts",
                           "share of treated observations with negative weight",
                           "sum of negative weights"],
            "value": [self.n_entities, self.n_periods, self.n_cohorts,
                      self.negative_weight_share, self.negative_weight_sum]})


@dataclass(frozen=True)
class TWFE:
    """Specification of a two-way fixed effects regression; :meth:`fit` takes the panel."""

    outcome: str
    treatment: str
    entity: str
    time: str
    covariates: Sequence[str] = ()
    cov_type: str = "clustered"
    cluster: str | None = None
    weights: str | None = None
    alpha: float = 0.05

    def fit(self, data: pd.DataFrame) -> TWFEResult:
        kind = cov_name(self.cov_type)
        cluster = (self.cluster or self.entity) if kind == "cluster" else None
        covariates = list(self.covariates)
        panel = prepare_panel(data, outcome=self.outcome, entity=self.entity, time=self.time,
                              columns=[self.treatment, *covariates], weights=self.weights,
                              cluster=cluster)
        d = numeric(panel.frame, self.treatment)
        if np.ptp(d) == 0:
            raise EstimationError(f"treatment {self.treatment!r} does not vary (always {d[0]:g}); "
                                  "there is no comparison")
        check_covariates(panel.frame, covariates)
        names = (self.treatment, *covariates)
        X = np.column_stack([d, *(numeric(panel.frame, c) for c in covariates)])
        groups = [panel.entity, panel.time]
        d_within = demean(d[:, None], groups, panel.weights)[:, 0]
        if np.abs(d_within).max() < 1e-10 * max(1.0, np.abs(d).max()):
            raise EstimationError(
                f"treatment {self.treatment!r} is fully explained by the {self.entity} and {self.time} "
                "effects (e.g. no comparison units, or every unit starts at the same time with no "
                "untreated periods); the effect is not identified")
        fitted = fit_linear(panel.y, X, names, cov_type=kind, alpha=self.alpha,
                            clusters=panel.clusters, n_clusters=panel.n_clusters, groups=groups,
                            weights=panel.weights)
        notes = panel_notes(panel, self.entity, self.time)
        notes.append({"cluster": f"cluster-robust (CR1) errors by {cluster}, {panel.n_clusters} "
                                 f"clusters, t with {(panel.n_clusters or 1) - 1} df",
                      "robust": "heteroskedasticity-robust (HC1) errors",
                      "classical": "classical (homoskedastic) errors"}[kind])
        timing = _timing(panel, d, self.treatment)
        notes.extend(timing.notes)
        weights = _treated_weights(d, d_within, panel.weights)
        if kind == "cluster":
            treated_clusters = int(np.unique(panel.clusters[d != 0]).size)
            message = warn_few_clusters(panel.n_clusters, treated_clusters)
            if message:
                notes.append(message)
        if timing.cohorts > 1:
            message = (f"treatment starts at {timing.cohorts} different times (staggered adoption): the "
                       "TWFE coefficient weights cohort-period effects with weights that can be negative; "
                       f"{weights[0]:.0%} of treated observations have negative weight (sum "
                       f"{weights[1]:.3g}); prefer staggered_did (Callaway & Sant'Anna)")
            warnings.warn(message, StaggeredTimingWarning, stacklevel=3)
            notes.append(message)
        notes.extend(panel.exclusions.notes())
        return TWFEResult(
            coefficients=fitted.coefficients,
            vcov=pd.DataFrame(fitted.covariance.matrix, index=names, columns=names),
            term=self.treatment, n_obs=len(panel.frame), cov_type=kind, alpha=self.alpha,
            n_clusters=panel.n_clusters, notes=tuple(notes), exclusions=panel.exclusions.table(),
            design=fitted.design, n_entities=panel.n_entities, n_periods=panel.n_periods,
            n_cohorts=timing.cohorts, negative_weight_share=weights[0],
            negative_weight_sum=weights[1])


def twfe(data: pd.DataFrame, outcome: str, treatment: str, entity: str, time: str, *,
         covariates: Sequence[str] = (), cov_type: str = "clustered", cluster: str | None = None,
         weights: str | None = None, alpha: float = 0.05) -> TWFEResult:
    """Two-way fixed effects estimate of the effect of ``treatment`` (0/1 or intensity).

    ``cov_type``: "clustered" (CR1 by ``cluster``, default ``entity``), "robust" (HC1) or
    "unadjusted". ``weights`` names a column of regression weights. Rows with missing
    values and singleton entities/periods are excluded and counted in ``notes``.

    Example
    -------
    >>> res = twfe(panel, "arrears_czk", "in_programme", "household_id", "month")  # doctest: +SKIP
    >>> res.wild_bootstrap(B=9999).p_value  # doctest: +SKIP
    """
    return TWFE(outcome, treatment, entity, time, tuple(covariates), cov_type, cluster, weights,
                alpha).fit(data)


@dataclass(frozen=True)
class _Timing:
    cohorts: int
    notes: tuple[str, ...]


def _timing(panel: Panel, d: np.ndarray, name: str) -> _Timing:
    """Adoption cohorts of a 0/1 treatment (units switching on inside the sample), and reversals."""
    if not set(np.unique(d).tolist()) <= {0.0, 1.0}:
        return _Timing(0, (f"{name} is not 0/1: timing diagnostics skipped",))
    frame = pd.DataFrame({"e": panel.entity, "p": panel.period, "d": d}).sort_values(["e", "p"])
    change = frame.groupby("e")["d"].diff()
    switch_on = frame.loc[change == 1]
    reversals = int(frame.loc[change == -1, "e"].nunique())
    cohorts = int(switch_on.groupby("e")["p"].min().nunique())
    notes = []
    if reversals:
        notes.append(f"treatment switches off in {reversals} unit(s): effects are assumed to stop "
                     "at once (no carry-over)")
    always = frame.groupby("e")["d"].min().eq(1).sum()
    if always:
        notes.append(f"{int(always)} unit(s) are treated in every observed period")
    return _Timing(cohorts, tuple(notes))


def _treated_weights(d: np.ndarray, d_within: np.ndarray, w: np.ndarray | None) -> tuple[float, float]:
    """de Chaisemartin & D'Haultfœuille (2020) weights on treated observations.

    The TWFE coefficient equals Σ_{D=1} ω_i Δ_i with ω_i ∝ w_i ε_i, ε the residual of D on both
    effects (the weighted within transform of D); returns (share negative, sum of negatives).
    """
    treated = d == 1
    if not treated.any():
        return float("nan"), float("nan")
    weight = np.ones_like(d) if w is None else w
    omega = weight[treated] * d_within[treated]
    omega = omega / omega.sum()
    negative = omega < -1e-12
    return float(negative.mean()), float(omega[negative].sum())
