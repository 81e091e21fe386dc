"""Randomisation (permutation) inference for difference-in-differences with few treated clusters.

Treatment is re-assigned among clusters: the vector of clusters' adoption periods (never treated
included) is permuted across clusters, so staggered designs keep their cohort sizes. For each
assignment the statistic is recomputed on the same panel with unit and period effects:

* ``"t"`` (default): the two-way fixed effects coefficient divided by its cluster-robust (CR1)
  standard error -- the studentised statistic, which keeps its size when treated clusters are
  noisier or larger than the controls (MacKinnon & Webb 2020, J. Econometrics 218(2));
* ``"coef"``: the TWFE (2x2 with one adoption date) coefficient (Fisher's statistic; exact under
  the sharp null but it over-rejects when clusters' variances differ);
* ``"cs_att"``: the Callaway–Sant'Anna simple ATT (slow: one ``staggered_did`` fit per draw).

All distinct assignments are enumerated when there are at most ``exact_limit`` of them; otherwise
``n_permutations`` are drawn at random. p-values count the observed assignment (``(1 + #{|T*| >=
|T|}) / (B + 1)`` for draws, the exact share under enumeration); ``p_value="randomised"`` splits
ties at random (the "randomised p-value" of MacKinnon & Webb 2020, exact size with few distinct
values). The interval inverts the test of H0: effect = tau under a constant effect (y - tau*D);
TWFE statistics are linear in tau, so every tau costs O(clusters x draws) once the permuted
regressors are formed.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"m": np.repeat(np.arange(12), 6), "t": np.tile(np.arange(6), 12)})
>>> df["first"] = np.where(df.m < 3, 3, 0)
>>> df["y"] = rng.normal(size=len(df)) + 2.0 * ((df["first"] > 0) & (df.t >= 3))
>>> res = randomization_inference(df, "y", "m", "t", first_treated="first", ci=False)
>>> res.n_assignments, res.exact
(220, True)
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._absorb import absorbed_dof, demean
from evaluation.impact._design import check_covariates, numeric, period_codes
from evaluation.impact._panel import prepare_panel
from evaluation.results import Result

STATISTICS = ("t", "coef", "cs_att")
_LABELS = {
    "t": ("t statistika (studentizovaná)", "t statistic (studentised)"),
    "coef": ("odhad efektu", "effect estimate"),
    "cs_att": ("ATT (Callaway–Sant'Anna)", "ATT (Callaway–Sant'Anna)"),
    "observed": ("pozorováno", "observed"),
    "count": ("počet přiřazení", "assignments"),
    "p": ("p-hodnota {p}", "p-value {p}"),
}
#: Largest (rows x candidate regressors) formed at once.
_MAX_CELLS = 60_000_000


@dataclass(frozen=True)
class RandomizationResult(Result):
    """Randomisation test of no effect (and interval) for a DiD with treatment assigned by cluster."""

    statistic: str
    estimate: float
    observed: float          # the statistic for the actual assignment (t or coefficient or ATT)
    p_value: float
    conf_low: float
    conf_high: float
    alpha: float
    n_clusters: int
    n_treated_clusters: int
    n_assignments: int       # distinct assignments (enumerated) or draws + 1
    exact: bool
    p_value_kind: str
    alternative: str
    distribution: np.ndarray = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"Randomisation inference ({self.statistic}) for the DiD effect"

    @property
    def min_p_value(self) -> float:
        """Smallest attainable p-value: 1 / number of assignments (exact) or draws + 1."""
        return 1.0 / self.n_assignments

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame({"term": ["effect"], "estimate": [self.estimate], "std_error": [np.nan],
                             "conf_low": [self.conf_low], "conf_high": [self.conf_high],
                             "p_value": [self.p_value], "statistic": [self.observed],
                             "method": [f"randomisation ({self.statistic})"],
                             "n_clusters": [self.n_clusters], "n_treated_clusters": [self.n_treated_clusters],
                             "n_assignments": [self.n_assignments], "exact": [self.exact]})

    def plot(self, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
        """Histogram of the randomisation distribution with the observed statistic marked."""
        import matplotlib.pyplot as plt

        from evaluation.reporting import plot_labels as pl
        from evaluation.reporting.formatting import format_p_value

        pl.check_lang(lang)
        i = 0 if lang == "cs" else 1
        ax = ax if ax is not None else plt.subplots(figsize=(6, 4))[1]
        ax.hist(self.distribution, bins=kwargs.pop("bins", min(50, max(10, len(self.distribution) // 20))),
                color=kwargs.pop("color", "0.7"), **kwargs)
        ax.axvline(self.observed, color="C3", linestyle="--", label=_LABELS["observed"][i])
        if self.alternative == "two-sided":
            ax.axvline(-self.observed, color="C3", linestyle=":")
        ax.set_xlabel(_LABELS[self.statistic][i])
        ax.set_ylabel(_LABELS["count"][i])
        ax.text(0.98, 0.95, _LABELS["p"][i].format(p=format_p_value(self.p_value, lang)),
                transform=ax.transAxes, ha="right", va="top", fontsize="small")
        pl.number_axis(ax, lang, axis="y")
        return ax


# ----------------------------------------------------------------------------- assignments
def count_assignments(cohorts: Sequence[float]) -> int:
    """Number of distinct ways to give the clusters' adoption periods to the clusters."""
    _, counts = np.unique(np.asarray(cohorts, float), return_counts=True)
    total = math.factorial(int(counts.sum()))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def enumerate_assignments(cohorts: Sequence[float]) -> np.ndarray:
    """Every distinct permutation of ``cohorts`` (rows), the observed order first."""
    cohorts = np.asarray(cohorts, float)
    values, counts = np.unique(cohorts, return_counts=True)
    n = len(cohorts)
    rows = []

    def fill(current: np.ndarray, free: tuple[int, ...], level: int) -> None:
        if level == len(values) - 1:
            out = current.copy()
            out[list(free)] = values[level]
            rows.append(out)
            return
        for chosen in itertools.combinations(free, int(counts[level])):
            out = current.copy()
            out[list(chosen)] = values[level]
            fill(out, tuple(i for i in free if i not in chosen), level + 1)

    fill(np.empty(n), tuple(range(n)), 0)
    out = np.array(rows)
    observed = np.flatnonzero((out == cohorts).all(axis=1))[0]
    order = np.r_[observed, np.delete(np.arange(len(out)), observed)]
    return out[order]


def _assignments(cohorts: np.ndarray, n_permutations: int, exact_limit: int,
                 rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    if count_assignments(cohorts) <= exact_limit:
        return enumerate_assignments(cohorts).astype(int), True
    draws = np.array([rng.permutation(cohorts) for _ in range(n_permutations)])
    return np.vstack([cohorts, draws]).astype(int), False


# ----------------------------------------------------------------------------- p-values
def permutation_p_value(observed: float, draws: np.ndarray, *, exact: bool, kind: str = "conservative",
                        alternative: str = "two-sided", rng: np.random.Generator | None = None) -> float:
    """p-value of ``observed`` against ``draws`` (which include the observed assignment first).

    ``kind="conservative"`` counts ties as extreme; ``"randomised"`` counts each tie with
    probability U ~ Uniform(0, 1), one U for all ties (MacKinnon & Webb 2020, eq. 6).
    """
    if alternative == "two-sided":
        values, target = np.abs(draws), abs(observed)
    elif alternative == "greater":
        values, target = draws, observed
    else:
        values, target = -draws, -observed
    scale = max(abs(target), 1.0) * 1e-10
    greater = int(np.sum(values > target + scale))
    ties = int(np.sum(np.abs(values - target) <= scale))
    n = len(draws)
    if kind == "randomised":
        u = (rng or np.random.default_rng()).uniform()
        return (greater + u * ties) / n
    return (greater + ties) / n


# ----------------------------------------------------------------------------- the TWFE engine
class _TWFEPermutations:
    """Sufficient cluster sums of the TWFE regression for every assignment (rows of ``assign``)."""

    def __init__(self, y: np.ndarray, period: np.ndarray, cluster_of_row: np.ndarray, n_clusters: int,
                 groups: list[np.ndarray], covariates: np.ndarray, dates: np.ndarray, assign: np.ndarray,
                 dof_k: int) -> None:
        n = len(y)
        self.dates = dates
        columns = np.zeros((n, n_clusters * len(dates)))
        for j, g in enumerate(dates):
            rows = np.flatnonzero(period >= g)
            columns[rows, cluster_of_row[rows] * len(dates) + j] = 1.0
        stacked = demean(np.column_stack([y, columns, covariates]), groups)
        y_t, cols_t, x_t = stacked[:, 0], stacked[:, 1:1 + columns.shape[1]], stacked[:, 1 + columns.shape[1]:]
        if x_t.shape[1]:
            coef = np.linalg.lstsq(x_t, np.column_stack([y_t, cols_t]), rcond=None)[0]
            resid = np.column_stack([y_t, cols_t]) - x_t @ coef
            y_t, cols_t = resid[:, 0], resid[:, 1:]
        self.y, self.cols = y_t, cols_t
        self.order = np.argsort(cluster_of_row, kind="stable")
        self.starts = np.r_[0, np.flatnonzero(np.diff(cluster_of_row[self.order])) + 1]
        self.factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - dof_k)
        self.d_obs = self._regressor(assign[:1])[:, 0]
        self.sums = self._sums(assign)

    def _regressor(self, assign: np.ndarray) -> np.ndarray:
        """Within-transformed treatment (rows x assignments) for assignments of date codes."""
        n_clusters = assign.shape[1]
        k = len(self.dates)
        pick = np.zeros((n_clusters * k, assign.shape[0]))
        for b, row in enumerate(assign):
            treated = np.flatnonzero(row >= 0)
            pick[treated * k + row[treated], b] = 1.0
        return self.cols @ pick

    def _cluster(self, matrix: np.ndarray) -> np.ndarray:
        return np.add.reduceat(matrix[self.order], self.starts, axis=0)

    def _sums(self, assign: np.ndarray) -> dict[str, np.ndarray]:
        batch = max(1, _MAX_CELLS // (4 * max(len(self.y), 1)))
        parts: dict[str, list[np.ndarray]] = {key: [] for key in ("A", "B", "Q", "ny", "nd", "dd")}
        for start in range(0, assign.shape[0], batch):
            D = self._regressor(assign[start:start + batch])
            parts["A"].append(self._cluster(D * self.y[:, None]))
            parts["B"].append(self._cluster(D * self.d_obs[:, None]))
            parts["Q"].append(self._cluster(D * D))
            parts["ny"].append(self.y @ D)
            parts["nd"].append(self.d_obs @ D)
            parts["dd"].append((D * D).sum(axis=0))
        return {key: np.concatenate(value, axis=-1) for key, value in parts.items()}

    def statistics(self, tau: float) -> tuple[np.ndarray, np.ndarray]:
        """(coefficients, t statistics) of every assignment for the outcome y - tau*D_obs."""
        s = self.sums
        with np.errstate(divide="ignore", invalid="ignore"):
            beta = (s["ny"] - tau * s["nd"]) / s["dd"]
            scores = s["A"] - tau * s["B"] - beta * s["Q"]
            se = np.sqrt(self.factor * (scores ** 2).sum(axis=0)) / s["dd"]
            t = beta / se
        return beta, t


def _invert_ci(p_at: Any, estimate: float, scale: float, alpha: float) -> tuple[float, float]:
    from evaluation.impact.wild_bootstrap import _invert

    return _invert(p_at, estimate, scale, alpha)


# ----------------------------------------------------------------------------- entry point
def randomization_inference(data: pd.DataFrame, outcome: str, entity: str, time: str, *,
                            first_treated: str | None = None, treatment: str | None = None,
                            cluster: str | None = None, statistic: str = "t",
                            covariates: Sequence[str] = (), n_permutations: int = 9999,
                            exact_limit: int = 100_000, p_value: str = "conservative",
                            alternative: str = "two-sided", alpha: float = 0.05, ci: bool = True,
                            seed: int | None = None) -> RandomizationResult:
    """Randomisation inference for the effect of a treatment assigned to whole clusters.

    Give either ``first_treated`` (each unit's first treated period; 0 or empty = never) or a 0/1
    ``treatment`` column that switches on for good at one period per cluster. ``cluster`` (default
    ``entity``) names the level at which treatment was assigned: adoption periods are permuted
    across its values. ``statistic`` is "t" (default), "coef" or "cs_att" (see the module
    docstring). ``p_value`` "conservative" or "randomised"; ``alternative`` "two-sided",
    "greater" or "less".

    Example
    -------
    >>> res = randomization_inference(panel, "arrears", "municipality", "month",
    ...                               first_treated="pilot_start")  # doctest: +SKIP
    >>> res.p_value, res.conf_int  # doctest: +SKIP
    """
    if statistic not in STATISTICS:
        raise ConfigError(f"statistic must be one of {STATISTICS}, not {statistic!r}")
    if p_value not in ("conservative", "randomised"):
        raise ConfigError(f"p_value must be 'conservative' or 'randomised', not {p_value!r}")
    if alternative not in ("two-sided", "greater", "less"):
        raise ConfigError(f"alternative must be 'two-sided', 'greater' or 'less', not {alternative!r}")
    if (first_treated is None) == (treatment is None):
        raise ConfigError("give exactly one of first_treated (entry period) or treatment (0/1 column)")
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    if n_permutations < 99:
        raise ConfigError(f"n_permutations must be at least 99, got {n_permutations}")
    cluster = cluster or entity
    rng = np.random.default_rng(seed)
    columns = list(covariates) + ([treatment] if treatment else [])
    panel = prepare_panel(data, outcome=outcome, entity=entity, time=time, columns=columns,
                          optional=[first_treated] if first_treated else [], cluster=cluster)
    frame = panel.frame
    check_covariates(frame, list(covariates))
    cluster_codes, n_clusters = panel.clusters, int(panel.n_clusters)
    if n_clusters < 2:
        raise EstimationError("randomisation inference needs at least 2 clusters")
    first = _adoption(frame, panel.period, cluster_codes, n_clusters, first_treated, treatment, cluster)
    never = np.isnan(first)
    n_treated = int((~never).sum())
    if n_treated == 0 or n_treated == n_clusters:
        raise EstimationError("treatment must be assigned to some clusters and not to others "
                              f"({n_treated} of {n_clusters} clusters treated)")
    dates = np.unique(first[~never])
    codes = np.where(never, -1, np.searchsorted(dates, np.nan_to_num(first))).astype(int)
    assign, exact = _assignments(codes, int(n_permutations), int(exact_limit), rng)
    notes = [f"{n_clusters} clusters ({cluster}), {n_treated} treated; "
             + (f"all {len(assign)} distinct assignments enumerated" if exact else
                f"{len(assign) - 1} random re-assignments (seed {seed}) plus the observed one")]
    if len(dates) > 1:
        notes.append(f"{len(dates)} adoption periods: the vector of adoption periods is permuted across clusters")
    if statistic == "cs_att":
        return _cs_att(frame, outcome, entity, time, cluster, cluster_codes, first, dates, assign, exact,
                       alpha, p_value, alternative, rng, notes, covariates, n_clusters, n_treated)
    groups = [panel.entity, panel.time]
    X = np.column_stack([numeric(frame, c) for c in covariates]) if covariates else np.empty((len(frame), 0))
    dof_k = 1 + X.shape[1] + absorbed_dof(groups, cluster_codes)
    engine = _TWFEPermutations(panel.y, panel.period, cluster_codes, n_clusters, groups, X, dates, assign, dof_k)
    if engine.sums["dd"][0] <= 1e-12:
        raise EstimationError("the treatment is fully explained by the unit and period effects; the effect "
                              "is not identified")

    def stat_at(tau: float) -> np.ndarray:
        beta, t = engine.statistics(tau)
        return t if statistic == "t" else beta

    beta0, t0 = engine.statistics(0.0)
    dist = stat_at(0.0)
    p_rng_state = np.random.default_rng(rng.integers(2 ** 32))
    p = permutation_p_value(dist[0], dist, exact=exact, kind=p_value, alternative=alternative, rng=p_rng_state)
    low, high = np.nan, np.nan
    if ci:
        def p_at(tau: float) -> float:
            values = stat_at(tau)
            return permutation_p_value(values[0], values, exact=exact, kind="conservative",
                                       alternative="two-sided")
        se = float(abs(beta0[0] / t0[0])) if np.isfinite(t0[0]) and t0[0] != 0 else float(np.std(beta0))
        low, high = _invert_ci(p_at, float(beta0[0]), max(se, 1e-12), alpha)
        notes.append("interval: effects tau not rejected at level alpha under a constant effect (test inversion)")
    minimum = 1.0 / len(assign)
    if 2 * minimum > alpha and alternative == "two-sided" or minimum > alpha:
        message = (f"only {len(assign)} possible assignments: the smallest attainable p-value is "
                   f"{minimum:.3g}, so no effect can be significant at {alpha:g}")
        warnings.warn(message, UserWarning, stacklevel=2)
        notes.append(message)
    notes.extend(panel.exclusions.notes())
    return RandomizationResult(
        statistic=statistic, estimate=float(beta0[0]), observed=float(dist[0]), p_value=float(p),
        conf_low=float(low), conf_high=float(high), alpha=alpha, n_clusters=n_clusters,
        n_treated_clusters=n_treated, n_assignments=len(assign), exact=exact, p_value_kind=p_value,
        alternative=alternative, distribution=dist, notes=tuple(notes))


def _adoption(frame: pd.DataFrame, period: np.ndarray, clusters: np.ndarray, n_clusters: int,
              first_treated: str | None, treatment: str | None, cluster: str) -> np.ndarray:
    """Adoption period of each cluster (NaN = never), checked to be assigned at the cluster level."""
    if first_treated is not None:
        first = period_codes(frame[first_treated], first_treated)
        first = np.where(first == 0, np.nan, first)
        by_cluster = pd.Series(first).fillna(-1).groupby(clusters).nunique()
        if (by_cluster > 1).any():
            raise DataError(f"column {first_treated!r} differs within {int((by_cluster > 1).sum())} "
                            f"value(s) of {cluster!r}: treatment must be assigned to whole clusters")
        out = pd.Series(first).groupby(clusters).first().reindex(range(n_clusters)).to_numpy(float)
        return out
    d = numeric(frame, treatment)
    if not set(np.unique(d)) <= {0.0, 1.0}:
        raise DataError(f"column {treatment!r} must be 0/1")
    on = pd.Series(np.where(d == 1, period, np.inf)).groupby(clusters).min().reindex(range(n_clusters))
    out = on.replace(np.inf, np.nan).to_numpy(float)
    implied = (period >= np.nan_to_num(out[clusters], nan=np.inf)).astype(float)
    if not np.array_equal(implied, d):
        raise DataError(f"column {treatment!r} must switch on for good at one period per {cluster!r} "
                        "(the same for all its units); give first_treated for other designs")
    return out


def _cs_att(frame: pd.DataFrame, outcome: str, entity: str, time: str, cluster: str, clusters: np.ndarray,
            first: np.ndarray, dates: np.ndarray, assign: np.ndarray, exact: bool, alpha: float, kind: str,
            alternative: str, rng: np.random.Generator, notes: list[str], covariates: Sequence[str],
            n_clusters: int, n_treated: int) -> RandomizationResult:
    from evaluation.impact.staggered import staggered_did

    work = frame[[outcome, entity, time, *covariates]].copy()
    period_of = frame[time]
    values = []
    for row in assign:
        cluster_first = np.where(row >= 0, dates[np.clip(row, 0, None)], 0.0)
        work["_first"] = cluster_first[clusters]
        if pd.api.types.is_datetime64_any_dtype(period_of.dtype):
            raise ConfigError("statistic='cs_att' needs integer periods")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = staggered_did(work, outcome, entity, time, "_first", covariates=list(covariates),
                                    bootstrap=False, cluster=None)
                values.append(res.aggregate("simple", bootstrap=False).overall_estimate)
            except EstimationError:
                values.append(np.nan)
    dist = np.array(values)
    dist = np.where(np.isfinite(dist), dist, 0.0)
    p = permutation_p_value(dist[0], dist, exact=exact, kind=kind, alternative=alternative, rng=rng)
    notes.append("statistic: Callaway–Sant'Anna simple ATT (never-treated comparison); no interval")
    return RandomizationResult(
        statistic="cs_att", estimate=float(dist[0]), observed=float(dist[0]), p_value=float(p),
        conf_low=np.nan, conf_high=np.nan, alpha=alpha, n_clusters=n_clusters, n_treated_clusters=n_treated,
        n_assignments=len(assign), exact=exact, p_value_kind=kind, alternative=alternative,
        distribution=dist, notes=tuple(notes))


__all__ = ["RandomizationResult", "count_assignments", "enumerate_assignments", "permutation_p_value",
           "randomization_inference"]
