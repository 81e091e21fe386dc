"""Staggered difference-in-differences: Callaway & Sant'Anna (2021) group-time ATTs.

``staggered_did`` estimates every group-time average treatment effect ATT(g,t) -- the effect in
period t on the units first treated in period g -- by a 2x2 comparison of group g with units not
(yet) treated, between a base period before g and period t. Inference comes from the influence
function of each ATT(g,t) (analytic standard errors) and from a multiplier bootstrap that also
gives uniform (simultaneous) confidence bands. Aggregations (simple, dynamic/event-study, group,
calendar) are a separate step on the result: ``result.aggregate("dynamic")``. The design follows
the R package ``did`` (``att_gt`` and ``aggte``) and reproduces its numbers, including its Wald
pre-test of parallel trends (``pretest_p_value``); when too few treated units stand behind the
pre-treatment cells for that test to be trusted it is flagged (PretestReliabilityWarning) and
``result.pretest()`` and the summary give a robust test instead (see staggered_pretest).

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> n, periods = 300, [1, 2, 3, 4]
>>> g = rng.choice([0, 3, 4], size=n)
>>> frame = pd.DataFrame({"id": np.repeat(np.arange(n), 4), "t": np.tile(periods, n),
...                       "g": np.repeat(g, 4)})
>>> frame["y"] = rng.normal(size=len(frame)) + np.where((frame.g > 0) & (frame.t >= frame.g), 1.0, 0.0)
>>> res = staggered_did(frame, "y", "id", "t", "g", bootstrap=False)
>>> agg = res.aggregate("simple", bootstrap=False)
>>> bool(abs(agg.overall_estimate - 1.0) < 3 * agg.overall_std_error)
True
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, EstimationError
from evaluation.impact._design import Exclusions
from evaluation.impact.staggered_bootstrap import (
    ZERO_SE,
    analytic_se,
    analytic_vcov,
    cluster_sums,
    multiplier_bootstrap,
    wald_pretest,
)
from evaluation.impact.staggered_data import PreparedPanel, prepare_panel
from evaluation.impact.staggered_estimators import (
    CellNotEstimable,
    panel_2x2,
    panel_first_step,
    rc_2x2,
)
from evaluation.impact.staggered_pretest import (
    ROBUST_METHOD,
    PretestReliabilityWarning,
    PretestResult,
    pre_treatment,
    pretest,
    wald_reliability,
)
from evaluation.results import Result

CONTROL_GROUPS = ("never_treated", "not_yet_treated")
ESTIMATION_METHODS = ("dr", "ipw", "reg", "dr_improved")
BASE_PERIODS = ("varying", "universal")
METHOD_LABELS = {"dr": "doubly robust (Sant'Anna & Zhao 2020, as R did)",
                 "dr_improved": "improved doubly robust (Sant'Anna & Zhao 2020)",
                 "ipw": "inverse probability weighting (standardised)", "reg": "outcome regression"}


@dataclass(frozen=True)
class Inference:
    """Standard errors and bands of a set of estimates sharing one influence-function matrix."""

    std_error: np.ndarray
    analytic_std_error: np.ndarray
    crit_value: float
    band: str            # "simultaneous" or "pointwise"
    method: str          # "bootstrap" or "analytic"
    notes: tuple[str, ...] = ()


def infer(estimates: np.ndarray, psi: np.ndarray, *, n_units: int, clusters: np.ndarray | None,
          alpha: float, bootstrap: bool, n_bootstrap: int, seed: int | None,
          bootstrap_weights: str = "mammen", uniform: bool = True) -> Inference:
    """SEs (bootstrap or analytic), and the critical value of the band (uniform if bootstrapped)."""
    scores = cluster_sums(psi, clusters)
    se_analytic = analytic_se(scores, n_units)
    se_analytic = np.where(se_analytic > ZERO_SE / np.sqrt(n_units), se_analytic, np.nan)
    se_analytic[~np.isfinite(estimates)] = np.nan
    z = float(stats.norm.ppf(1 - alpha / 2))
    notes: list[str] = []
    if not bootstrap:
        return Inference(se_analytic, se_analytic, z, "pointwise", "analytic")
    boot = multiplier_bootstrap(scores, n_units, n_bootstrap, alpha=alpha, seed=seed, weights=bootstrap_weights)
    se = boot.std_error
    se[~np.isfinite(estimates)] = np.nan
    crit, band = boot.crit_value, "simultaneous"
    if not uniform or len(estimates) == 1:
        crit, band = z, "pointwise"
    elif not np.isfinite(crit):
        notes.append("simultaneous critical value not available (no finite standard errors); "
                     "pointwise intervals reported")
        crit, band = z, "pointwise"
    elif crit < z:
        notes.append("simultaneous critical value below the pointwise one; pointwise intervals reported")
        crit, band = z, "pointwise"
    elif crit >= 7:
        notes.append(f"simultaneous critical value {crit:.2f} is too large to be reliable "
                     "(small groups or little variation)")
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=3)
    return Inference(se, se_analytic, float(crit), band, "bootstrap", tuple(notes))


@dataclass(frozen=True)
class StaggeredDiDResult(Result):
    """Group-time average treatment effects ATT(g,t) with their influence functions.

    ``cells`` has one row per (group, time) with the estimate and inference; ``influence``
    (entities x cells) is kept for aggregation and is never shown or exported.
    """

    cells: pd.DataFrame
    influence: np.ndarray = field(repr=False)
    entity_group: np.ndarray = field(repr=False)
    entity_weight: np.ndarray = field(repr=False)
    entity_cluster: np.ndarray | None = field(repr=False)
    n_units: int
    n_clusters: int | None
    periods: tuple[float, ...]
    groups: tuple[float, ...]
    group_sizes: dict
    control_group: str
    estimation: str
    anticipation: int
    base_period: str
    panel: bool
    alpha: float
    bootstrap: bool
    n_bootstrap: int
    seed: int | None
    bootstrap_weights: str
    band: str
    crit_value: float
    pretest_statistic: float
    pretest_df: int
    pretest_p_value: float
    exclusions: Exclusions
    extra_notes: tuple[str, ...] = ()
    wald_pretest_issues: tuple[str, ...] = ()      # why R did's chi-square pre-test is unreliable here
    robust_pretest: PretestResult | None = field(default=None, repr=False)  # shown instead when it is
    title: str = "Group-time average treatment effects (Callaway & Sant'Anna)"

    count_columns = ("n_treated", "n_comparison")

    @property
    def estimates(self) -> np.ndarray:
        return self.cells["estimate"].to_numpy()

    @property
    def std_errors(self) -> np.ndarray:
        return self.cells["std_error"].to_numpy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"comparison units: {self.control_group.replace('_', ' ')}; estimation: "
                 f"{METHOD_LABELS[self.estimation]}; anticipation periods: {self.anticipation}; "
                 f"base period: {self.base_period}",
                 f"{self.n_units} {'units' if self.panel else 'observations'}"
                 + (f" in {self.n_clusters} clusters" if self.n_clusters else ""),
                 (f"standard errors: multiplier bootstrap ({self.n_bootstrap} draws, {self.bootstrap_weights} "
                  f"weights); {'simultaneous' if self.band == 'simultaneous' else 'pointwise'} "
                  f"{100 * (1 - self.alpha):g}% bands (critical value {self.crit_value:.3f})")
                 if self.bootstrap else
                 f"standard errors: analytic (influence function); pointwise {100 * (1 - self.alpha):g}% intervals"]
        wald = (f"chi2({self.pretest_df}) = {self.pretest_statistic:.3f}, p = {self.pretest_p_value:.5f}"
                if np.isfinite(self.pretest_p_value) else "")
        if self.pretest_reliable and wald:
            lines.append(f"pre-test of parallel trends (Wald, all pre-treatment ATT(g,t) = 0): {wald}")
        elif not self.pretest_reliable:
            if self.robust_pretest is not None:
                lines.append(self.robust_pretest.describe())
            lines.append((f"R did's Wald pre-test ({wald}) not used: " if wald else "R did's Wald pre-test: ")
                         + "unreliable with this few treated units per pre-treatment cell, it over-rejects "
                         "true parallel trends (" + "; ".join(self.wald_pretest_issues) + ")")
        lines += list(self.extra_notes)
        lines += list(self.exclusions.notes())
        return tuple(lines)

    def tidy(self) -> pd.DataFrame:
        table = self.cells.copy()
        table.insert(0, "term", [f"ATT({g:g},{t:g})" for g, t in zip(table["group"], table["time"])])
        return table

    @property
    def pretest_reliable(self) -> bool:
        """Whether R did's chi-square Wald pre-test (``pretest_p_value``) can be trusted here."""
        return not self.wald_pretest_issues

    def pretest(self, method: str = "auto", **kwargs: Any) -> PretestResult:
        """Pre-test of parallel trends (all pre-treatment ATT(g,t) = 0); see staggered_pretest.

        ``method="auto"`` (default) is the test the summary shows: R did's Wald test when it is
        reliable, else the studentised wild bootstrap sup-t test; ``"wald"`` is always R did's.
        Other methods: "sup_t", "wald_bootstrap", "sup_t_bootstrap", "f". ``n_bootstrap``,
        ``seed`` and ``alpha`` may be given (defaults: the result's).

        Example
        -------
        >>> res.pretest().p_value, res.pretest("wald").p_value   # doctest: +SKIP
        """
        if method == "auto":
            method = "wald" if self.pretest_reliable else ROBUST_METHOD
        if method == ROBUST_METHOD and not kwargs and self.robust_pretest is not None:
            return self.robust_pretest
        return pretest(self, method, **kwargs)

    def aggregate(self, kind: str = "group", **kwargs: Any) -> Any:
        """Aggregate ATT(g,t): "simple", "dynamic" (event study), "group" or "calendar" (see staggered_aggregate)."""
        from evaluation.impact.staggered_aggregate import aggregate

        return aggregate(self, kind, **kwargs)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """One panel per group: ATT(g,t) over time with the (uniform) band; pre-treatment in grey."""
        from evaluation.impact.staggered_plot import plot_group_time

        return plot_group_time(self, ax=ax, **kwargs)


# ------------------------------------------------------------------------------ estimation
def _check_options(control_group: str, estimation: str, base_period: str, anticipation: int,
                   alpha: float, panel: bool, n_bootstrap: int) -> None:
    if control_group not in CONTROL_GROUPS:
        raise ConfigError(f"control_group must be one of {CONTROL_GROUPS}, not {control_group!r}")
    if estimation not in ESTIMATION_METHODS:
        raise ConfigError(f"estimation must be one of {ESTIMATION_METHODS}, not {estimation!r}")
    if estimation == "dr_improved" and not panel:
        raise ConfigError("estimation='dr_improved' is available for panel data only; use 'dr' "
                          "(locally efficient doubly robust) for repeated cross-sections")
    if base_period not in BASE_PERIODS:
        raise ConfigError(f"base_period must be one of {BASE_PERIODS}, not {base_period!r}")
    if int(anticipation) != anticipation or anticipation < 0:
        raise ConfigError(f"anticipation must be a whole number of periods >= 0, not {anticipation!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1, not {alpha!r}")
    if n_bootstrap < 100:
        raise ConfigError(f"n_bootstrap must be at least 100, not {n_bootstrap!r}")


def _cell_plan(prep: PreparedPanel, base_period: str, anticipation: int) -> tuple[list, list[str]]:
    """(group, current period index, base period index) for every ATT(g,t), as R did's att_gt loop."""
    periods = prep.periods
    plan, notes = [], []
    offset = 1 if base_period == "varying" else 0
    for g in prep.groups:
        before = np.flatnonzero(periods + anticipation < g)
        if before.size == 0:
            notes.append(f"group {g:g} has no period before treatment starts; it is dropped")
            continue
        last_pre = int(before[-1])
        for i in range(len(periods) - offset):
            current = i + offset
            base = i if base_period == "varying" else last_pre
            if g <= periods[current]:
                base = last_pre
            plan.append((float(g), current, base))
    return plan, notes


def _comparison_mask(group_of: np.ndarray, g: float, threshold: float, control_group: str) -> np.ndarray:
    never = group_of == 0
    if control_group == "never_treated":
        return never
    return never | ((group_of > threshold) & (group_of != g))


def _estimate_cells(prep: PreparedPanel, plan: list, control_group: str, estimation: str,
                    anticipation: int, base_period: str) -> tuple[list[dict], np.ndarray, list[str]]:
    n = prep.n_entities
    periods = prep.periods
    psi = np.zeros((n, len(plan)), order="F")  # column-major: each cell writes one contiguous column
    rows: list[dict] = []
    notes: list[str] = []
    wide = prep.layout == "wide"
    # Cells with the same treated group, comparison units and covariates share the first step
    # (propensity score, comparison regression design): fitted once per key, not once per cell.
    first_steps: dict[tuple, Any] = {}
    covariate_period = _covariate_periods(prep) if wide else None
    for j, (g, current, base) in enumerate(plan):
        row = dict(group=g, time=float(periods[current]), base_time=float(periods[base]),
                   event_time=float(periods[current] - g), post=bool(g <= periods[current]),
                   estimate=np.nan, n_treated=0, n_comparison=0)
        rows.append(row)
        if base_period == "universal" and base == current:
            row["estimate"] = 0.0  # the reference period, normalised to zero (as R did)
            row["reference"] = True
            continue
        threshold = periods[max(current, base)] + anticipation
        try:
            if wide:
                comparison_groups = _comparison_groups(prep.groups, g, threshold, control_group)
                key = (g, comparison_groups, covariate_period[min(current, base)])
                if key not in first_steps:
                    first_steps[key] = _first_step(prep, g, comparison_groups, min(current, base), estimation)
                cached = first_steps[key]
                if isinstance(cached, Exception):
                    raise cached
                index, d, first, row["n_treated"], row["n_comparison"], outcome = cached
                dy = outcome[:, current] - outcome[:, base]
                x = first.X if first is not None else prep.covariates_wide[min(current, base)][index]
                att, inf = panel_2x2(dy, d, x, prep.entity_weight[index], estimation, first)
                psi[index, j] = inf * (n / index.size)
            else:
                in_periods = (prep.row_period == current) | (prep.row_period == base)
                treated = prep.row_group == g
                comparison = _comparison_mask(prep.row_group, g, threshold, control_group)
                keep = in_periods & (treated | comparison)
                row["n_treated"] = int(np.unique(prep.row_entity[keep & treated]).size)
                row["n_comparison"] = int(np.unique(prep.row_entity[keep & comparison]).size)
                if row["n_comparison"] == 0 or row["n_treated"] == 0:
                    raise CellNotEstimable("no comparison units" if row["n_treated"] else "no treated units")
                post = (prep.row_period[keep] == current).astype(float)
                att, inf = rc_2x2(prep.row_outcome[keep], post, treated[keep].astype(float),
                                  prep.row_covariates[keep], prep.row_weight[keep], estimation)
                n_rows = len(prep.row_outcome)
                # row-level influence -> per entity (a unit's rows are summed; rows are entities in RCS)
                scaled = inf * (n_rows / keep.sum()) * (n / n_rows)
                psi[:, j] = np.bincount(prep.row_entity[keep], weights=scaled, minlength=n)
            row["estimate"] = att
        except (CellNotEstimable, np.linalg.LinAlgError) as err:
            message = f"ATT({g:g},{periods[current]:g}) not estimable: {err}"
            warnings.warn(message, UserWarning, stacklevel=3)
            notes.append(message)
            psi[:, j] = np.nan
    return rows, psi, notes


def _covariate_periods(prep: PreparedPanel) -> list[int]:
    """For each period, the first period with the same covariate values (all 0 when time-invariant)."""
    cov = prep.covariates_wide
    out = [0]
    for p in range(1, cov.shape[0]):
        same = next((q for q in sorted(set(out)) if np.array_equal(cov[p], cov[q])), p)
        out.append(same)
    return out


def _comparison_groups(groups: np.ndarray, g: float, threshold: float, control_group: str) -> tuple[float, ...]:
    """Cohorts (0 = never treated) whose units serve as comparisons for group g at this threshold."""
    if control_group == "never_treated":
        return (0.0,)
    return (0.0,) + tuple(float(c) for c in groups if c > threshold and c != g)


def _first_step(prep: PreparedPanel, g: float, comparison_groups: tuple[float, ...], x_period: int,
                estimation: str) -> tuple | Exception:
    """Units of one comparison (row indices), treatment indicator, first step (None for dr_improved),
    the counts and the units' outcomes; or the CellNotEstimable every cell with this comparison raises."""
    treated = prep.entity_group == g
    comparison = np.isin(prep.entity_group, comparison_groups)
    keep = treated | comparison
    n_treated, n_comparison = int(treated.sum()), int(comparison.sum())
    if n_comparison == 0 or n_treated == 0:
        return CellNotEstimable("no comparison units" if n_treated else "no treated units")
    index = np.flatnonzero(keep)
    d = treated[index].astype(float)
    outcome = np.empty((index.size, prep.outcome_wide.shape[1]), order="F")  # these units, every period
    for period in range(outcome.shape[1]):
        outcome[:, period] = prep.outcome_wide[index, period]
    if estimation == "dr_improved":
        return index, d, None, n_treated, n_comparison, outcome
    try:
        first = panel_first_step(d, prep.covariates_wide[x_period][index], prep.entity_weight[index], estimation)
    except (CellNotEstimable, np.linalg.LinAlgError) as err:
        return err
    return index, d, first, n_treated, n_comparison, outcome


def staggered_did(data: pd.DataFrame | Dataset, outcome: str, unit: str | None, time: str, first_treated: str, *,
                  covariates: Sequence[str] = (), control_group: str = "never_treated",
                  estimation: str = "dr", anticipation: int = 0, base_period: str = "varying",
                  panel: bool = True, allow_unbalanced: bool = False, cluster: str | None = None,
                  weights: str | None = None, alpha: float = 0.05, bootstrap: bool = True,
                  n_bootstrap: int = 999, seed: int | None = None,
                  bootstrap_weights: str = "mammen") -> StaggeredDiDResult:
    """Callaway & Sant'Anna (2021) group-time average treatment effects ATT(g,t).

    ``data`` is a long table (or a Dataset, whose ``municipality_panel`` is used) with one row
    per unit and period. ``first_treated`` holds the first treated period; 0 or empty means never
    treated. ``control_group`` is "never_treated" or "not_yet_treated"; ``estimation`` is "dr"
    (locally efficient doubly robust, R did's default), "dr_improved" (panel only), "ipw" or
    "reg". ``base_period`` "varying" compares pre-treatment periods with the period before;
    "universal" compares every period with the last one before treatment. ``panel=False`` treats
    rows as repeated cross-sections; unbalanced panels are balanced by dropping units (counted)
    unless ``allow_unbalanced=True``. ``cluster`` names one column (constant within unit) whose
    clusters the influence functions are summed over. With ``bootstrap=True`` the standard errors
    come from the multiplier bootstrap (R did's default) and the band is simultaneous.

    Example
    -------
    >>> res = staggered_did(panel, "lemp", "countyreal", "year", "first.treat",
    ...                     covariates=["lpop"], seed=1)   # doctest: +SKIP
    >>> res.aggregate("dynamic").plot()                     # doctest: +SKIP
    """
    if isinstance(data, Dataset):
        data = data["municipality_panel"]
    if bootstrap and seed is None:  # fix the draws so that aggregations reuse the same weights
        seed = int(np.random.SeedSequence().entropy % (2 ** 63))
    _check_options(control_group, estimation, base_period, anticipation, alpha, panel, n_bootstrap)
    prep = prepare_panel(data, outcome, unit, time, first_treated, covariates=covariates, weights=weights,
                         cluster=cluster, panel=panel, allow_unbalanced=allow_unbalanced,
                         anticipation=int(anticipation))
    notes = list(prep.notes)
    if control_group == "never_treated" and prep.group_sizes.get(0.0, 0) == 0:
        raise EstimationError(f"no never-treated units ({first_treated!r} 0 or empty) to compare with; "
                              "use control_group='not_yet_treated'")
    n_cov = len(prep.covariate_names)
    for g, size in prep.group_sizes.items():
        label = "the never-treated group" if g == 0 else f"group {g:g}"
        if size == 1:
            notes.append(f"{label} has a single unit: its ATT(g,t) rest on one unit and their "
                         "standard errors are unreliable")
            warnings.warn(notes[-1], UserWarning, stacklevel=2)
        elif size < n_cov + 5:
            notes.append(f"{label} has only {size} units (fewer than covariates + 5)")
            warnings.warn(notes[-1], UserWarning, stacklevel=2)
    plan, plan_notes = _cell_plan(prep, base_period, int(anticipation))
    for note in plan_notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    notes += plan_notes
    if not plan:
        raise EstimationError("no group has a period before treatment: no ATT(g,t) can be estimated")
    rows, psi, cell_notes = _estimate_cells(prep, plan, control_group, estimation, int(anticipation), base_period)
    notes += cell_notes
    cells = pd.DataFrame(rows)
    if "reference" in cells:
        cells["reference"] = cells["reference"].fillna(False).astype(bool)
    estimates = cells["estimate"].to_numpy(float)
    if not np.isfinite(estimates).any():
        raise EstimationError("no ATT(g,t) could be estimated (see the warnings)")
    inference = infer(estimates, psi, n_units=prep.n_entities, clusters=prep.entity_cluster, alpha=alpha,
                      bootstrap=bootstrap, n_bootstrap=n_bootstrap, seed=seed,
                      bootstrap_weights=bootstrap_weights)
    notes += list(inference.notes)
    z = float(stats.norm.ppf(1 - alpha / 2))
    se = inference.std_error
    cells = cells.assign(std_error=se, analytic_std_error=inference.analytic_std_error,
                         conf_low=estimates - inference.crit_value * se,
                         conf_high=estimates + inference.crit_value * se,
                         point_conf_low=estimates - z * se, point_conf_high=estimates + z * se,
                         p_value=2 * stats.norm.sf(np.abs(estimates / se)), band=inference.band)
    # Wald pre-test on the analytic covariance (as R did), skipping zero-variance cells
    pre = np.flatnonzero(pre_treatment(cells["group"].to_numpy(), cells["time"].to_numpy(), anticipation)
                         & np.isfinite(inference.analytic_std_error))
    scores = cluster_sums(np.nan_to_num(psi[:, pre]), prep.entity_cluster)
    stat, df, p_value, pre_note = wald_pretest(estimates[pre], analytic_vcov(scores, prep.n_entities))
    if pre_note:
        notes.append(pre_note)
        if "singular" in pre_note:
            warnings.warn(pre_note, UserWarning, stacklevel=2)
    cells = cells[["group", "time", "event_time", "base_time", "post", "estimate", "std_error", "conf_low",
                   "conf_high", "p_value", "band", "point_conf_low", "point_conf_high", "analytic_std_error",
                   "n_treated", "n_comparison"]]
    result = StaggeredDiDResult(
        cells=cells, influence=psi, entity_group=prep.entity_group, entity_weight=prep.entity_weight,
        entity_cluster=prep.entity_cluster, n_units=prep.n_entities, n_clusters=prep.n_clusters,
        periods=tuple(prep.periods.tolist()), groups=tuple(prep.groups.tolist()), group_sizes=prep.group_sizes,
        control_group=control_group, estimation=estimation, anticipation=int(anticipation),
        base_period=base_period, panel=panel, alpha=alpha, bootstrap=bootstrap, n_bootstrap=n_bootstrap,
        seed=seed, bootstrap_weights=bootstrap_weights, band=inference.band, crit_value=inference.crit_value,
        pretest_statistic=stat, pretest_df=df, pretest_p_value=p_value, exclusions=prep.exclusions,
        extra_notes=tuple(notes))
    return _check_pretest(result)


def _check_pretest(result: StaggeredDiDResult) -> StaggeredDiDResult:
    """Flag R did's Wald pre-test when too few treated units stand behind the pre-treatment cells,
    and attach the robust pre-test that the summary shows instead."""
    reliability = wald_reliability(result)
    if reliability.reliable:
        return result
    seed = result.seed if result.seed is not None else int(np.random.SeedSequence().entropy % (2 ** 63))
    robust = pretest(result, ROBUST_METHOD, seed=seed)
    if np.isfinite(result.pretest_p_value):  # (a singular covariance has already been warned about)
        warnings.warn(f"R did's Wald pre-test of parallel trends (p = {result.pretest_p_value:.4f}) is unreliable "
                      f"here and over-rejects true parallel trends: {'; '.join(reliability.notes)}. Reported "
                      f"instead: {robust.describe()} (result.pretest())", PretestReliabilityWarning, stacklevel=3)
    return dataclasses.replace(result, wald_pretest_issues=reliability.notes, robust_pretest=robust)
