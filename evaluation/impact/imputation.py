"""Borusyak, Jaravel & Spiess (2024) imputation estimator (R didimputation, Stata did_imputation).

1. Fit Y(0) = α_i + λ_t (+ x'γ) on the untreated observations (never treated and not yet
   treated; ``anticipation`` periods before entry count as treated).
2. Impute Y(0) for every treated observation; τ̂_it = Y_it − Ŷ_it(0).
3. Average with the estimand's weights: the static ATT weights every treated observation
   equally, the event-time effect at horizon h every treated observation with t − E_i = h.

Standard errors follow the paper's Theorem 3 as did_imputation computes them: the estimator is
linear in Y with implied weights v_it (the estimand's weights on treated rows,
−Z(Z0'Z0)⁻¹Z1'w on untreated rows); σ̂² = Σ_clusters (Σ v_it ε̃_it)², with ε̃ the Y(0)
residual on untreated rows and τ̂_it − τ̄ on treated rows, τ̄ the v²-weighted average of τ̂
within cohort × event time. These errors are conservative (Theorem 3). ``leave_out=True``
computes τ̄ leaving out the unit's own observations (Stata's ``leaveout``), which the paper
recommends when cohorts are small. Intervals use the normal reference (as didimputation).

The pre-trend test is the paper's (Section 4.4, Test 1): on untreated observations only,
regress Y on unit and period effects and indicators of the last ``pretrend_leads`` periods
before entry; a joint Wald test that their coefficients are zero (cluster-robust, F with
G − 1 denominator df). Unlike event-study leads, this test does not use the estimation's own
imputation, so it keeps the efficiency of the main estimates.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(2)
>>> n, T = 200, 8
>>> g = rng.choice([0, 4, 6], size=n)
>>> df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n),
...                    "g": np.repeat(g, T)})
>>> df["y"] = rng.normal(size=len(df)) + np.where((df.g > 0) & (df.t >= df.g), 1.0, 0.0)
>>> res = imputation(df, "y", "id", "t", "g", pretrend_leads=2)
>>> bool(abs(res.estimate - 1.0) < 4 * res.std_error), res.pretrend.df_num
(True, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact._regression import check_alpha, fit_linear
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
from evaluation.impact.covariance import WaldTest, wald_test
from evaluation.impact.two_stage import event_window


@dataclass(frozen=True)
class ImputationResult(EventTimeResult):
    """Post-entry effects by event time (``table``), the static ATT (``overall``), the
    pre-trend coefficients (``pretrend_table``) and their joint test (``pretrend``)."""

    pretrend_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    pretrend: WaldTest | None = None
    leave_out: bool = False
    phrase_key: str = field(default="imputation", repr=False)

    def tidy(self) -> pd.DataFrame:
        """Pre-trend coefficients (``kind`` "pretrend"), event-time effects, then the ATT."""
        effects = super().tidy().assign(kind="effect")
        if self.pretrend_table.empty:
            return effects
        pre = self.pretrend_table.assign(kind="pretrend", n_obs=self.n_obs)
        return pd.concat([pre, effects], ignore_index=True)

    def summary(self) -> str:
        text = super().summary()
        if self.pretrend is not None:
            p = self.pretrend
            text += (f"\n\nPre-trend test (Borusyak, Jaravel & Spiess, untreated observations, "
                     f"{p.df_num} leads = 0): F({p.df_num}, {p.df_denom:g}) = {p.statistic:.3f}, "
                     f"p = {p.p_value:.3g}")
        return text


def imputation_weights(sp: StaggeredPanel, horizons: Sequence[int]) -> tuple[np.ndarray, list[str]]:
    """n×K estimand weights: column 0 the static ATT, then one column per horizon."""
    w = np.ones(sp.n_rows) if sp.weights is None else sp.weights
    columns = [np.where(sp.treated, w, 0.0)]
    columns += [np.where(sp.treated & (sp.rel == h), w, 0.0) for h in horizons]
    weights = np.column_stack(columns)
    return weights / weights.sum(axis=0), ["ATT"] + [event_term(h) for h in horizons]


def centred_residuals(sp: StaggeredPanel, model: UntreatedModel, v: np.ndarray,
                      leave_out: bool) -> np.ndarray:
    """ε̃ per estimand (n×K): Y(0) residuals on untreated rows, τ̂ − τ̄ on treated rows, τ̄ the
    v²-weighted mean within cohort × event time (leaving out the unit's rows if asked)."""
    treated = sp.treated
    cell = pd.factorize(pd.Series(sp.first).astype(str) + "|" + pd.Series(sp.rel).astype(str))[0]
    out = np.repeat(model.resid[:, None], v.shape[1], axis=1)
    tau = np.where(treated, model.resid, 0.0)
    for k in range(v.shape[1]):
        v2 = np.where(treated, v[:, k] ** 2, 0.0)
        num = np.bincount(cell, weights=v2 * tau)
        den = np.bincount(cell, weights=v2)
        if leave_out:
            key = pd.factorize(pd.Series(cell).astype(str) + "|" + pd.Series(sp.unit).astype(str))[0]
            own_num = np.bincount(key, weights=v2 * tau)[key]
            own_den = np.bincount(key, weights=v2)[key]
            rest = den[cell] - own_den
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.where(rest > 0, (num[cell] - own_num) / rest, num[cell] / den[cell])
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = num[cell] / den[cell]
        out[:, k] = np.where(treated, tau - np.nan_to_num(mean), model.resid)
    return out


def _pretrend(sp: StaggeredPanel, leads: int, alpha: float) -> tuple[pd.DataFrame, WaldTest | None]:
    untreated = ~sp.treated
    if leads < 1:
        return pd.DataFrame(), None
    times = list(range(-leads, 0))
    X = (sp.rel[untreated][:, None] == np.array(times)[None, :]).astype(float)
    empty = [t for t, col in zip(times, X.T) if not col.any()]
    if empty:
        raise EstimationError(f"no untreated observations at event time(s) {empty} for the pre-trend "
                              "test: lower pretrend_leads")
    if sp.covariates.shape[1]:
        X = np.column_stack([X, sp.covariates[untreated]])
    names = tuple(event_term(t) for t in times) + sp.covariate_names
    sub = sp.subset(untreated, "", None)
    clusters = pd.factorize(sp.panel.clusters[untreated])[0]
    try:
        fitted = fit_linear(sub.y, X, names, cov_type="cluster", alpha=alpha, clusters=clusters,
                            n_clusters=int(clusters.max()) + 1, groups=[sub.absorb, sub.time],
                            weights=sub.weights)
    except EstimationError as error:
        raise EstimationError(f"pre-trend test: {error}; with no never-treated units the earliest "
                              "leads cannot all be tested: lower pretrend_leads") from None
    table = fitted.coefficients.iloc[:len(times)].copy()
    table["event_time"] = np.array(times, float)
    test = wald_test(names, fitted.coefficients["estimate"].to_numpy(), fitted.covariance,
                     names[:len(times)])
    return table.drop(columns=["statistic", "df"]), test


def imputation(data: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str, *,
               lags: int | None = None, pretrend_leads: int | None = None,
               covariates: Sequence[str] = (), cov_type: str = "clustered", cluster: str | None = None,
               weights: str | None = None, anticipation: int = 0, leave_out: bool = False,
               absorb: str | None = None, alpha: float = 0.05) -> ImputationResult:
    """The imputation estimator: static ATT, effects at horizons 0..``lags`` (default: all
    observed) and the pre-trend test on ``pretrend_leads`` leads (default: up to 5 observed).

    ``first_treated``: each unit's first treated period (missing or 0: never treated).
    Errors are clustered by ``cluster`` (default: the unit); ``leave_out`` as Stata's option;
    ``absorb`` names a column whose effects replace the unit effects in the Y(0) model.

    Example
    -------
    >>> res = imputation(panel, "evictions_per_1000", "municipality", "period",
    ...                  "pilot_start_period", lags=6, pretrend_leads=3)  # doctest: +SKIP
    >>> res.pretrend.p_value, res.plot(lang="en")  # doctest: +SKIP
    """
    check_alpha(alpha)
    if pretrend_leads is not None and pretrend_leads < 0:
        raise ConfigError("pretrend_leads must be 0 (no test) or more")
    cluster = cluster_column(cov_type, cluster, unit)
    sp = prepare_staggered(data, outcome, unit, time, first_treated, covariates=covariates,
                           weights=weights, cluster=cluster, anticipation=anticipation, absorb=absorb)
    sp, notes = restrict_to_imputable(sp, cluster)
    model = fit_untreated(sp)
    horizons = [e for e in event_window(sp, 0, lags) if e >= -anticipation and
                (sp.treated & (sp.rel == e)).any()]
    omega, terms = imputation_weights(sp, horizons)
    estimates = omega.T @ np.where(sp.treated, model.resid, 0.0)
    v = np.where(sp.treated[:, None], omega, -model.weights[:, None] * model.project(omega))
    residuals = centred_residuals(sp, model, v, leave_out)
    clusters, n_clusters = sp.panel.clusters, int(sp.panel.n_clusters)
    totals = cluster_totals(v * residuals, clusters, n_clusters)
    se = np.sqrt((totals ** 2).sum(axis=0))
    table = effect_rows(terms[1:], estimates[1:], se[1:], alpha, event_time=horizons,
                        n_obs=(omega[:, 1:] > 0).sum(axis=0))
    overall = effect_rows(["ATT"], estimates[:1], se[:1], alpha, event_time=np.nan,
                          n_obs=int(sp.treated.sum()))
    available = int(-np.nanmin(sp.rel[~sp.treated])) if (~np.isnan(sp.rel[~sp.treated])).any() else 0
    leads = min(5, available) if pretrend_leads is None else pretrend_leads
    if pretrend_leads is None and not np.isnan(sp.first).any() and leads == available:
        leads -= 1  # without never-treated units the earliest lead is the reference
    pretrend_table, pretrend = _pretrend(sp, leads, alpha)
    n_treated = int(np.unique(sp.unit[~np.isnan(sp.first)]).size)
    notes = [sample_note(sp, f"Y(0) fitted on {int(model.untreated.sum())} untreated observations"),
             ("conservative errors (Borusyak, Jaravel & Spiess 2024, Theorem 3"
              + (", leave-out" if leave_out else "") + f"), clustered by {cluster} ({n_clusters} "
              "clusters), normal intervals"), *notes, *sp.exclusions.notes()]
    return ImputationResult(table=table, overall=overall,
                            method="Imputation estimator (Borusyak, Jaravel & Spiess 2024)",
                            n_obs=sp.n_rows, n_units=int(sp.unit.max()) + 1, n_treated_units=n_treated,
                            alpha=alpha, cluster=cluster, n_clusters=n_clusters, notes=tuple(notes),
                            exclusions=sp.exclusions.table(), pretrend_table=pretrend_table,
                            pretrend=pretrend, leave_out=leave_out)
