"""Gardner's (2022) two-stage difference-in-differences (R package did2s, Butts & Gardner).

Stage 1 fits unit and period effects (and covariates) on the untreated observations only;
stage 2 regresses the residualised outcome y − α̂_i − λ̂_t on the treatment: the treated
indicator (static ATT) and event-time indicators (event study; leads included, as in the
did2s documentation). Because the unit and period effects come from untreated rows, treated
cohorts never serve as controls and the estimates are robust to effects that differ by cohort
or grow with time.

Standard errors are Gardner's GMM errors, which account for the estimated first stage
(did2s's default; Butts & Gardner 2022, eq. 6): with stage-1 design X₁ (unit and period
dummies, covariates), X₁₀ its untreated rows, stage-2 design X₂ and residuals e₁, e₂,

    V = (X₂'X₂)⁻¹ Σ_g (X₂g'e₂g − Γ' X₁₀g'e₁g)(…)' (X₂'X₂)⁻¹,   Γ = (X₁₀'X₁₀)⁻¹ X₁'X₂,

summed over clusters g, without small-sample factor, with normal intervals (as did2s).
Point estimates equal the imputation estimator's for the same weights (Borusyak, Jaravel &
Spiess 2024); the standard errors differ in how treated residuals are centred.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(1)
>>> n, T = 200, 8
>>> g = rng.choice([0, 4, 6], size=n)
>>> df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n),
...                    "g": np.repeat(g, T)})
>>> df["y"] = rng.normal(size=len(df)) + np.where((df.g > 0) & (df.t >= df.g), 2.0, 0.0)
>>> res = two_stage(df, "y", "id", "t", "g")
>>> bool(abs(res.estimate - 2.0) < 4 * res.std_error)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError
from evaluation.impact._regression import check_alpha
from evaluation.impact._robust_common import (
    EventTimeResult,
    StaggeredPanel,
    cluster_column,
    effect_rows,
    event_term,
    prepare_staggered,
    sample_note,
)
from evaluation.impact._untreated_model import (
    UntreatedModel,
    cluster_totals,
    fit_untreated,
    restrict_to_imputable,
)


@dataclass(frozen=True)
class TwoStageResult(EventTimeResult):
    """Event-time effects (``table``) and the static ATT (``overall``) with GMM errors."""

    vcov: pd.DataFrame = field(default_factory=pd.DataFrame)
    phrase_key: str = field(default="two_stage", repr=False)


@dataclass(frozen=True)
class SecondStage:
    coef: np.ndarray
    vcov: np.ndarray


def second_stage(model: UntreatedModel, X2: np.ndarray, clusters: np.ndarray,
                 n_clusters: int) -> SecondStage:
    """Stage 2 of did2s: OLS of the residualised outcome on ``X2`` with GMM covariance."""
    w = model.weights
    xtx = X2.T @ (X2 * w[:, None])
    bread = np.linalg.inv(xtx)
    coef = bread @ (X2.T @ (w * model.resid))
    e2 = model.resid - X2 @ coef
    correction = model.project(X2 * w[:, None])
    e1 = np.where(model.untreated, model.resid, 0.0)
    scores = X2 * (w * e2)[:, None] - correction * (w * e1)[:, None]
    meat = cluster_totals(scores, clusters, n_clusters)
    return SecondStage(coef, bread @ (meat.T @ meat) @ bread)


def event_window(sp: StaggeredPanel, leads: int | None, lags: int | None) -> list[int]:
    """Event times to estimate: every observed one in [−leads, lags] (default: all)."""
    observed = np.unique(sp.rel[~np.isnan(sp.rel)]).astype(int)
    if leads is not None and leads < 0 or lags is not None and lags < 0:
        raise ConfigError("leads and lags must be at least 0")
    lo = -leads if leads is not None else observed.min()
    hi = lags if lags is not None else observed.max()
    return [int(e) for e in observed if lo <= e <= hi]


def two_stage(data: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str, *,
              leads: int | None = None, lags: int | None = None, covariates: Sequence[str] = (),
              cov_type: str = "clustered", cluster: str | None = None, weights: str | None = None,
              anticipation: int = 0, absorb: str | None = None,
              alpha: float = 0.05) -> TwoStageResult:
    """Gardner's two-stage DiD: the static ATT and event-time effects in [−leads, lags].

    ``first_treated``: each unit's first treated period (missing or 0: never treated).
    ``anticipation`` periods before entry count as treated (left out of stage 1).
    Errors are clustered by ``cluster`` (default: the unit). ``absorb`` names a column whose
    effects stage 1 uses instead of the unit effects (did2s's ``first_stage = ~ 0 | state + year``).

    Example
    -------
    >>> res = two_stage(panel, "evictions_per_1000", "municipality", "period",
    ...                 "pilot_start_period", leads=4, lags=6)  # doctest: +SKIP
    >>> res.tidy(); res.plot(lang="en")  # doctest: +SKIP
    """
    check_alpha(alpha)
    cluster = cluster_column(cov_type, cluster, unit)
    sp = prepare_staggered(data, outcome, unit, time, first_treated, covariates=covariates,
                           weights=weights, cluster=cluster, anticipation=anticipation,
                           absorb=absorb)
    sp, notes = restrict_to_imputable(sp, cluster)
    model = fit_untreated(sp)
    clusters, n_clusters = sp.panel.clusters, int(sp.panel.n_clusters)
    static = second_stage(model, sp.treated.astype(float)[:, None], clusters, n_clusters)
    times = event_window(sp, leads, lags)
    X2 = (sp.rel[:, None] == np.array(times)[None, :]).astype(float)
    dynamic = second_stage(model, X2, clusters, n_clusters)
    terms = [event_term(e) for e in times]
    table = effect_rows(terms, dynamic.coef, np.sqrt(np.diag(dynamic.vcov)), alpha,
                        event_time=times, n_obs=X2.sum(axis=0).astype(int))
    overall = effect_rows(["ATT"], static.coef, np.sqrt(np.diag(static.vcov)), alpha,
                          event_time=np.nan, n_obs=int(sp.treated.sum()))
    n_treated = int(np.unique(sp.unit[~np.isnan(sp.first)]).size)
    notes = [sample_note(sp, f"stage 1 on {int(model.untreated.sum())} untreated observations"),
             (f"GMM errors accounting for stage 1 (did2s), clustered by {cluster} ({n_clusters} "
              "clusters), normal intervals"), *notes, *sp.exclusions.notes()]
    return TwoStageResult(table=table, overall=overall, method="Two-stage DiD (Gardner 2022)",
                          n_obs=sp.n_rows, n_units=int(sp.unit.max()) + 1, n_treated_units=n_treated,
                          alpha=alpha, cluster=cluster, n_clusters=n_clusters, notes=tuple(notes),
                          exclusions=sp.exclusions.table(),
                          vcov=pd.DataFrame(dynamic.vcov, index=terms, columns=terms))
