"""Sun & Abraham (2021) interaction-weighted event study (fixest ``sunab``, Stata eventstudyinteract).

Step 1 regresses the outcome on cohort × event-time indicators (one for every treated cohort
e and event time ℓ except the reference ``-1``), unit and period effects (and covariates);
the comparison group is the never-treated units or, with ``control="last_treated"``, the
last cohort to be treated (periods from its entry on are then left out). Each coefficient
β_{e,ℓ} is a cohort-specific effect that no other cohort's effects contaminate.

Step 2 averages them by event time with the cohorts' shares of the observations at that event
time (fixest's ``aggregate``: observation counts of each cohort × event-time cell), and the
overall ATT over all post-entry cells with their shares (fixest's ``agg = "ATT"``).

Standard errors: the cluster-robust (CR1) covariance of the interactions, as fixest (t with
G − 1 df). fixest treats the shares as fixed; Sun & Abraham's eventstudyinteract adds the
uncertainty of the estimated shares (the paper's Proposition 6). ``share_variance=True``
(default) adds it from the shares' cluster influence functions, ψ_c = (n_{e,ℓ,c} − π̂_{e,ℓ}
n_{ℓ,c}) / n_ℓ, with the CR1 factor G/(G − 1); ``share_variance=False`` gives fixest's
numbers.

Far leads and lags can be binned as fixest's ``bin.rel`` does for the end points: with
``leads``/``lags`` and ``bin_endpoints=True`` every cohort's event times below −leads share
one indicator (and above ``lags`` another).

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> n, T = 300, 8
>>> g = rng.choice([0, 4, 6], size=n)
>>> df = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n),
...                    "g": np.repeat(g, T)})
>>> df["y"] = rng.normal(size=len(df)) + np.where((df.g > 0) & (df.t >= df.g), 1.0, 0.0)
>>> res = sun_abraham(df, "y", "id", "t", "g")
>>> bool(abs(res.estimate - 1.0) < 4 * res.std_error)
True
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
    drop_always_treated,
    effect_rows,
    event_term,
    prepare_staggered,
)
from evaluation.impact._untreated_model import cluster_totals

CONTROLS = ("never_treated", "last_treated")


@dataclass(frozen=True)
class SunAbrahamResult(EventTimeResult):
    """Interaction-weighted effects by event time (``table``, the reference row has estimate 0),
    the overall ATT (``overall``) and every cohort-specific effect (``cohort_effects``)."""

    cohort_effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    vcov: pd.DataFrame = field(default_factory=pd.DataFrame)
    control: str = "never_treated"
    share_variance: bool = True
    phrase_key: str = field(default="sun_abraham", repr=False)


@dataclass(frozen=True)
class _Cells:
    cohort: np.ndarray   # cohort of each interaction
    event: np.ndarray    # (binned) event time of each interaction
    X: np.ndarray        # n × K indicators
    lo: int | None
    hi: int | None


def _cells(sp: StaggeredPanel, leads: int | None, lags: int | None, reference: Sequence[int],
           bin_endpoints: bool) -> tuple[_Cells, np.ndarray]:
    """Cohort × event-time indicators; also the rows kept (outside the window when not binned)."""
    rel = sp.rel.copy()
    observed = rel[~np.isnan(rel)]
    lo = -int(leads) if leads is not None else None
    hi = int(lags) if lags is not None else None
    keep = np.ones(sp.n_rows, dtype=bool)
    if bin_endpoints:
        rel = np.clip(rel, lo if lo is not None else observed.min(), hi if hi is not None else observed.max())
    else:
        keep = np.isnan(rel) | ((rel >= (lo if lo is not None else -np.inf)) &
                                (rel <= (hi if hi is not None else np.inf)))
    pairs = (pd.DataFrame({"g": sp.first, "e": rel})[keep & ~np.isnan(rel)].drop_duplicates()
             .sort_values(["g", "e"]))
    pairs = pairs[~pairs["e"].isin(list(reference))]
    cohort, event = pairs["g"].to_numpy(float), pairs["e"].to_numpy(float)
    X = ((sp.first[:, None] == cohort[None, :]) & (rel[:, None] == event[None, :])).astype(float)
    return _Cells(cohort, event, X[keep], lo if bin_endpoints else None,
                  hi if bin_endpoints else None), keep


def _aggregate(beta: np.ndarray, vcov: np.ndarray, counts: np.ndarray, members: np.ndarray,
               cluster_counts: np.ndarray | None) -> tuple[float, float]:
    """Share-weighted average of the cells in ``members`` and its standard error."""
    share = counts[members] / counts[members].sum()
    estimate = float(share @ beta[members])
    variance = float(share @ vcov[np.ix_(members, members)] @ share)
    if cluster_counts is not None:
        n_c = cluster_counts[:, members]
        psi = (n_c - share[None, :] * n_c.sum(axis=1, keepdims=True)) / counts[members].sum()
        g = n_c.shape[0]
        variance += g / (g - 1) * float(((psi @ beta[members]) ** 2).sum())
    return estimate, float(np.sqrt(variance))


def sun_abraham(data: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str, *,
                control: str = "never_treated", leads: int | None = None, lags: int | None = None,
                reference: int | Sequence[int] = -1, bin_endpoints: bool = True,
                share_variance: bool = True, covariates: Sequence[str] = (),
                cov_type: str = "clustered", cluster: str | None = None, weights: str | None = None,
                alpha: float = 0.05) -> SunAbrahamResult:
    """Sun & Abraham's interaction-weighted estimator of event-time effects and the ATT.

    ``first_treated``: each unit's first treated period (missing or 0: never treated);
    ``control``: "never_treated" or "last_treated"; ``reference``: omitted event time(s);
    ``share_variance``: add the cohort shares' uncertainty (see the module docstring).

    Example
    -------
    >>> res = sun_abraham(panel, "evictions_per_1000", "municipality", "period",
    ...                   "pilot_start_period", leads=4, lags=6)  # doctest: +SKIP
    >>> res.cohort_effects; res.plot(lang="en")  # doctest: +SKIP
    """
    check_alpha(alpha)
    if control not in CONTROLS:
        raise ConfigError(f"control must be one of {', '.join(CONTROLS)} (got {control!r})")
    refs = (reference,) if isinstance(reference, int | np.integer) else tuple(reference)
    if not refs or any(r >= 0 for r in refs):
        raise ConfigError("reference must name one or more event times before entry (e.g. -1)")
    if leads is not None and leads < 1 or lags is not None and lags < 0:
        raise ConfigError("leads must be at least 1 and lags at least 0")
    cluster = cluster_column(cov_type, cluster, unit)
    sp = prepare_staggered(data, outcome, unit, time, first_treated, covariates=covariates,
                           weights=weights, cluster=cluster)
    notes: list[str] = []
    sp, always = drop_always_treated(sp, cluster)
    if always:
        notes.append(f"{always} unit(s) treated in every period observed are left out (no pre-period)")
    if control == "last_treated":
        last = float(np.nanmax(sp.first))
        late = sp.panel.period >= last
        sp = sp.subset(~late, f"periods from the entry of the last cohort ({last:g}) on "
                              "(control='last_treated')", cluster)
        first = np.where(sp.first == last, np.nan, sp.first)
        sp = StaggeredPanel(sp.panel, first, sp.panel.period - first, ~np.isnan(first) &
                            (sp.panel.period >= first), sp.covariates, sp.covariate_names,
                            sp.exclusions, sp.absorb)
        notes.append(f"comparison: the last cohort to be treated (entry {last:g}), before its entry")
    elif np.isnan(sp.first).sum() == 0:
        raise EstimationError("no never-treated units: use control='last_treated' (the last cohort "
                              "to be treated as the comparison)")
    if np.isnan(sp.first).all() or not (~np.isnan(sp.first)).any():
        raise EstimationError("no treated cohort remains to compare with the control units")
    cells, keep = _cells(sp, leads, lags, refs, bin_endpoints)
    if not keep.all():
        sp = sp.subset(keep, "treated-unit rows outside the event window (bin_endpoints=False)",
                       cluster)
    names = tuple(f"g={g:g}:{event_term(e)}" for g, e in zip(cells.cohort, cells.event))
    X = np.column_stack([cells.X, sp.covariates]) if sp.covariates.shape[1] else cells.X
    clusters, n_clusters = sp.panel.clusters, int(sp.panel.n_clusters)
    try:
        fitted = fit_linear(sp.y, X, names + sp.covariate_names, cov_type="cluster", alpha=alpha,
                            clusters=clusters, n_clusters=n_clusters, groups=[sp.unit, sp.time],
                            weights=sp.weights)
    except EstimationError as error:
        raise EstimationError(f"{error}. The cohort × event-time interactions are not identified: "
                              "add comparison units, bin the end points or narrow the window") from None
    k = len(names)
    beta = fitted.coefficients["estimate"].to_numpy()[:k]
    vcov = fitted.covariance.matrix[:k, :k]
    w = np.ones(sp.n_rows) if sp.weights is None else sp.weights
    counts = cells.X.T @ w
    by_cluster = cluster_totals(cells.X * w[:, None], clusters, n_clusters) if share_variance else None
    df = float(fitted.covariance.df)
    rows = []
    for e in np.unique(cells.event):
        est, se = _aggregate(beta, vcov, counts, cells.event == e, by_cluster)
        rows.append((event_term(e, cells.lo, cells.hi), est, se, e, int(counts[cells.event == e].sum())))
    table = effect_rows([r[0] for r in rows], np.array([r[1] for r in rows]),
                        np.array([r[2] for r in rows]), alpha, event_time=[r[3] for r in rows],
                        n_obs=[r[4] for r in rows], df=df)
    reference_rows = pd.DataFrame({"term": [event_term(r) for r in refs], "estimate": 0.0,
                                   "event_time": [float(r) for r in refs], "reference": True})
    table = pd.concat([table, reference_rows], ignore_index=True).sort_values("event_time")
    post = cells.event >= 0
    if not post.any():
        raise EstimationError("no treated observation after entry: nothing to estimate")
    att, att_se = _aggregate(beta, vcov, counts, post, by_cluster)
    overall = effect_rows(["ATT"], np.array([att]), np.array([att_se]), alpha, event_time=np.nan,
                          n_obs=int(counts[post].sum()), df=df)
    cohort_effects = fitted.coefficients.iloc[:k].drop(columns=["statistic", "df"]).assign(
        cohort=cells.cohort, event_time=cells.event, n_obs=counts.astype(int))
    n_treated = int(np.unique(sp.unit[~np.isnan(sp.first)]).size)
    notes = [f"{sp.n_rows} observations, {int(sp.unit.max()) + 1} units ({n_treated} in treated "
             f"cohorts); {k} cohort × event-time interactions, reference event time(s) "
             f"{', '.join(map(str, refs))}" + (" (end points binned)" if cells.lo or cells.hi else ""),
             f"cluster-robust (CR1) errors by {cluster} ({n_clusters} clusters), t with "
             f"{n_clusters - 1} df" + ("; cohort-share uncertainty included (eventstudyinteract)"
                                       if share_variance else "; cohort shares treated as fixed (fixest)"),
             *notes, *sp.exclusions.notes()]
    return SunAbrahamResult(table=table.reset_index(drop=True), overall=overall,
                            method="Sun & Abraham interaction-weighted event study", n_obs=sp.n_rows,
                            n_units=int(sp.unit.max()) + 1, n_treated_units=n_treated, alpha=alpha,
                            cluster=cluster, n_clusters=n_clusters, notes=tuple(notes),
                            exclusions=sp.exclusions.table(), cohort_effects=cohort_effects,
                            vcov=pd.DataFrame(vcov, index=names, columns=names), control=control,
                            share_variance=share_variance)
