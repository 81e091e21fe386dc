"""Aggregations of group-time ATTs: simple, dynamic (event study), group and calendar.

The weights are those of R ``did``'s ``aggte`` (Callaway & Sant'Anna 2021, section 3): each
ATT(g,t) is weighted by the share of group g in the sample, ``P(G = g)``, estimated from the
(sampling-weighted) units. Because these shares are estimated, the influence function of an
aggregate adds the term of the estimated weights (``wif``) to the weighted ATT(g,t) influence
functions. ``simple`` averages all post-treatment ATT(g,t); ``group`` averages each group's
post-treatment ATTs and then the groups; ``dynamic`` averages by event time e = t - g (with the
overall effect the mean over e >= 0); ``calendar`` averages by period (overall: mean over periods).

Example
-------
>>> agg = result.aggregate("dynamic", min_e=-3, max_e=3)      # doctest: +SKIP
>>> agg.tidy()[["term", "estimate", "conf_low", "conf_high"]]  # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import ConfigError, EstimationError
from evaluation.results import Result

if TYPE_CHECKING:  # pragma: no cover
    from evaluation.impact.staggered import StaggeredDiDResult

KINDS = ("simple", "dynamic", "group", "calendar")
KIND_LABELS = {"simple": "simple weighted average of post-treatment ATT(g,t)",
               "dynamic": "event-study (dynamic) aggregation", "group": "group (cohort) aggregation",
               "calendar": "calendar-time aggregation"}
COLUMN_OF = {"dynamic": "event_time", "group": "group", "calendar": "time"}


@dataclass(frozen=True)
class AggregateResult(Result):
    """An aggregation of ATT(g,t): the overall effect and (except ``simple``) effects by e, g or t."""

    kind: str
    table: pd.DataFrame               # one row per event time / group / period
    overall_estimate: float
    overall_std_error: float
    overall_conf_low: float
    overall_conf_high: float
    overall_p_value: float
    band: str
    crit_value: float
    alpha: float
    inference: str                    # "bootstrap" or "analytic"
    min_e: float
    max_e: float
    balance_e: int | None
    source_notes: tuple[str, ...] = ()
    #: Covariance of the effects in ``table`` (indexed by event time, group or period), from the
    #: influence functions summed within clusters: S'S / n^2 (analytic, as R ``honest_did`` uses).
    vcov: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def title(self) -> str:
        return f"Callaway & Sant'Anna ATT: {KIND_LABELS[self.kind]}"

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"overall effect: {self._overall_meaning()}",
                 f"standard errors: {self.inference}; {self.band} {100 * (1 - self.alpha):g}% "
                 f"{'bands' if self.band == 'simultaneous' else 'intervals'} for the "
                 f"{COLUMN_OF.get(self.kind, 'overall')} effects"
                 + (f" (critical value {self.crit_value:.3f})" if self.band == "simultaneous" else "")]
        if self.balance_e is not None:
            lines.append(f"event study balanced in event time: groups observed for at least "
                         f"{self.balance_e} period(s) after treatment")
        if self.kind != "group" and (np.isfinite(self.min_e) or np.isfinite(self.max_e)):
            lines.append(f"event times limited to [{self.min_e:g}, {self.max_e:g}]")
        return tuple(lines) + self.source_notes

    def _overall_meaning(self) -> str:
        return {"simple": "average of all post-treatment ATT(g,t) weighted by group size",
                "dynamic": "average of the event-time effects for e >= 0",
                "group": "average of the group effects weighted by group size",
                "calendar": "average of the period effects"}[self.kind]

    def tidy(self) -> pd.DataFrame:
        overall = pd.DataFrame([{"term": "overall ATT", "group": np.nan, "time": np.nan, "event_time": np.nan,
                                 "estimate": self.overall_estimate, "std_error": self.overall_std_error,
                                 "conf_low": self.overall_conf_low, "conf_high": self.overall_conf_high,
                                 "p_value": self.overall_p_value, "band": "pointwise"}])
        if self.table.empty:
            return overall
        return pd.concat([overall, self.table], ignore_index=True)

    figure_drawer: ClassVar[str] = "evaluation.impact.staggered_plot:draw_aggregate"

    def figure_options(self) -> dict[str, Any]:
        return {"kind": self.kind, "band": self.band, "alpha": float(self.alpha)}


def estimated_weights_if(keepers: np.ndarray, pg: np.ndarray, cell_group: np.ndarray,
                         entity_group: np.ndarray, entity_weight: np.ndarray) -> np.ndarray:
    """Influence function of the estimated weights P(G=g)/sum P(G=g) of the kept cells (entities x kept)."""
    pk = pg[keepers]
    total = pk.sum()
    member = (entity_weight[:, None] * (entity_group[:, None] == cell_group[keepers][None, :])) - pk[None, :]
    return member / total - np.outer(member.sum(axis=1), pk / total ** 2)


def _combine(res: StaggeredDiDResult, keepers: np.ndarray, pg: np.ndarray,
             with_weights_if: bool = True) -> tuple[float, np.ndarray]:
    att = res.cells["estimate"].to_numpy()
    weights = pg[keepers] / pg[keepers].sum()
    estimate = float(att[keepers] @ weights)
    psi = res.influence[:, keepers] @ weights
    if with_weights_if:
        wif = estimated_weights_if(keepers, pg, res.cells["group"].to_numpy(), res.entity_group,
                                   res.entity_weight)
        psi = psi + wif @ att[keepers]
    return estimate, psi


def _group_shares(res: StaggeredDiDResult) -> tuple[np.ndarray, dict]:
    """P(G = g) per cell and per group, from the sampling-weighted units."""
    shares = {g: float(np.mean(res.entity_weight * (res.entity_group == g))) for g in res.groups}
    return res.cells["group"].map(shares).to_numpy(float), shares


def aggregate(res: StaggeredDiDResult, kind: str = "group", *, min_e: float = -math.inf,
              max_e: float = math.inf, balance_e: int | None = None, bootstrap: bool | None = None,
              alpha: float | None = None, n_bootstrap: int | None = None) -> AggregateResult:
    """Aggregate the ATT(g,t) of ``res`` as R did's ``aggte`` (see the module docstring)."""
    from evaluation.impact.staggered import infer

    if kind not in KINDS:
        raise ConfigError(f"aggregation kind must be one of {KINDS}, not {kind!r}")
    if balance_e is not None and (kind != "dynamic" or balance_e < 0):
        raise ConfigError("balance_e (a number of periods >= 0) applies to the 'dynamic' aggregation only")
    bootstrap = res.bootstrap if bootstrap is None else bootstrap
    alpha = res.alpha if alpha is None else alpha
    n_bootstrap = res.n_bootstrap if n_bootstrap is None else n_bootstrap
    cells = res.cells
    group = cells["group"].to_numpy()
    time = cells["time"].to_numpy()
    event = cells["event_time"].to_numpy()
    finite = np.isfinite(cells["estimate"].to_numpy())
    notes: list[str] = []
    if not finite.all():
        notes.append(f"{int((~finite).sum())} ATT(g,t) not estimable and left out of the aggregation")
    pg, shares = _group_shares(res)
    post = (group <= time) & finite

    labels: list[float] = []
    estimates: list[float] = []
    psis: list[np.ndarray] = []
    if kind == "simple":
        keepers = np.flatnonzero(post & (event <= max_e))
        if keepers.size == 0:
            raise EstimationError("no post-treatment ATT(g,t) to aggregate")
        overall, overall_psi = _combine(res, keepers, pg)
    elif kind == "group":
        kept_groups = []
        for g in res.groups:
            keepers = np.flatnonzero(post & (group == g) & (event <= max_e))
            if keepers.size == 0:
                notes.append(f"group {g:g} has no post-treatment ATT(g,t) and is left out")
                continue
            est, psi = _combine(res, keepers, pg, with_weights_if=False)
            labels.append(g), estimates.append(est), psis.append(psi), kept_groups.append(g)
        if not kept_groups:
            raise EstimationError("no post-treatment ATT(g,t) to aggregate")
        gg = np.array(kept_groups)
        pgg = np.array([shares[g] for g in gg])
        att_g = np.array(estimates)
        w = pgg / pgg.sum()
        overall = float(att_g @ w)
        wif = estimated_weights_if(np.arange(len(gg)), pgg, gg, res.entity_group, res.entity_weight)
        overall_psi = np.column_stack(psis) @ w + wif @ att_g
    elif kind == "dynamic":
        include = finite.copy()
        last, first = max(res.periods), min(res.periods)
        if balance_e is not None:
            include &= (last - group) >= balance_e
        e_values = np.unique(event[include])
        if balance_e is not None:
            e_values = e_values[(e_values <= balance_e) & (e_values >= balance_e - (last - first))]
        e_values = e_values[(e_values >= min_e) & (e_values <= max_e)]
        for e in e_values:
            keepers = np.flatnonzero((event == e) & include)
            est, psi = _combine(res, keepers, pg)
            labels.append(float(e)), estimates.append(est), psis.append(psi)
        positive = np.array(labels) >= 0
        if not positive.any():
            raise EstimationError("no event time e >= 0 to aggregate")
        overall = float(np.mean(np.array(estimates)[positive]))
        overall_psi = np.column_stack(psis)[:, positive].mean(axis=1)
    else:  # calendar
        for t in [t for t in res.periods if t >= min(group)]:
            keepers = np.flatnonzero((time == t) & post)
            if keepers.size == 0:
                continue
            est, psi = _combine(res, keepers, pg)
            labels.append(float(t)), estimates.append(est), psis.append(psi)
        if not labels:
            raise EstimationError("no post-treatment ATT(g,t) to aggregate")
        overall = float(np.mean(estimates))
        overall_psi = np.column_stack(psis).mean(axis=1)

    shared = dict(n_units=res.n_units, clusters=res.entity_cluster, alpha=alpha, bootstrap=bootstrap,
                  n_bootstrap=n_bootstrap, seed=res.seed, bootstrap_weights=res.bootstrap_weights)
    z = float(stats.norm.ppf(1 - alpha / 2))
    overall_inf = infer(np.array([overall]), overall_psi[:, None], uniform=False, **shared)
    overall_se = float(overall_inf.std_error[0])
    table = pd.DataFrame(columns=["term", "group", "time", "event_time", "estimate", "std_error", "conf_low",
                                  "conf_high", "p_value", "band"])
    band, crit = "pointwise", z
    if labels:
        est = np.array(estimates)
        inference = infer(est, np.column_stack(psis), **shared)
        notes += list(inference.notes)
        band, crit = inference.band, inference.crit_value
        se = inference.std_error
        column = COLUMN_OF[kind]
        prefix = {"dynamic": "e=", "group": "group ", "calendar": "period "}[kind]
        table = pd.DataFrame({"term": [f"{prefix}{v:g}" for v in labels],
                              "group": labels if kind == "group" else np.nan,
                              "time": labels if kind == "calendar" else np.nan,
                              "event_time": labels if kind == "dynamic" else np.nan,
                              "estimate": est, "std_error": se, "conf_low": est - crit * se,
                              "conf_high": est + crit * se, "p_value": 2 * stats.norm.sf(np.abs(est / se)),
                              "band": band})
        table[column] = labels
        vcov = _effects_vcov(res, np.column_stack(psis), labels, column)
    return AggregateResult(
        kind=kind, table=table, overall_estimate=overall, overall_std_error=overall_se,
        overall_conf_low=overall - z * overall_se, overall_conf_high=overall + z * overall_se,
        overall_p_value=float(2 * stats.norm.sf(abs(overall / overall_se))) if overall_se > 0 else float("nan"),
        band=band, crit_value=crit, alpha=alpha, inference=overall_inf.method, min_e=float(min_e),
        max_e=float(max_e), balance_e=balance_e, source_notes=tuple(notes),
        vcov=vcov if labels else None)


def _effects_vcov(res: StaggeredDiDResult, psi: np.ndarray, labels: list[float], column: str) -> pd.DataFrame:
    """Analytic covariance of aggregated effects from their influence functions (cluster sums)."""
    from evaluation.impact.staggered_bootstrap import analytic_vcov, cluster_sums

    matrix = analytic_vcov(cluster_sums(np.nan_to_num(psi), res.entity_cluster), res.n_units)
    index = pd.Index(np.asarray(labels, float), name=column)
    return pd.DataFrame(matrix, index=index, columns=index)
