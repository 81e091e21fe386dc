"""Comparison groups from propensity scores: logit scores, nearest-neighbour matching, and
inverse-probability weights, each with a covariate balance table and a love plot.

* :func:`propensity_score` fits a logit of treatment on the covariates (statsmodels).
* :func:`match` pairs each treated unit with its nearest comparison unit(s) on the logit of
  the score, greedily (hardest to match — highest score — first), with or without
  replacement, within a caliper of 0.2 standard deviations of the logit score (Austin 2011).
  Treated units with no comparison inside the caliper are excluded and counted: the
  estimand becomes the effect on the matched treated.
* :func:`weight` gives ATT weights (treated 1, comparison e/(1−e)) or ATE weights
  (1/e, 1/(1−e), stabilised by the group shares), normalised to sum to the group size.

Balance: standardised mean difference (SMD) = (mean_t − mean_c)/s, with s the treated-group
SD for the ATT and √((s_t² + s_c²)/2) for the ATE, both from the sample before
matching so before and after are comparable (Austin 2009; the ``cobalt`` defaults); variance
ratios s_t²/s_c². |SMD| < 0.1 is the usual threshold.

The matched/weighted rows stay inside the result (:meth:`MatchResult.matched_data`, for
the outcome analysis); ``tidy()`` is the balance table, which holds no unit-level rows.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"age": rng.normal(40, 10, 400), "debt": rng.exponential(1, 400)})
>>> df["pilot"] = (rng.uniform(size=400) < 1 / (1 + np.exp(3 - 0.05 * df.age))).astype(int)
>>> res = match(df, "pilot", ["age", "debt"])
>>> bool((res.tidy()["smd_after"].abs() < 0.1).all())
True
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import ConfigError, EstimationError
from evaluation.impact._design import (
    Exclusions,
    check_covariates,
    complete_rows,
    indicator,
    numeric,
    require_columns,
)
from evaluation.impact.covariance import collinear_columns
from evaluation.results import Result


@dataclass(frozen=True)
class PropensityScoreResult(Result):
    """Logit coefficients and the fitted scores (kept internal, aligned to ``index``)."""

    coefficients: pd.DataFrame
    score: np.ndarray = field(repr=False)
    treated: np.ndarray = field(repr=False)
    index: pd.Index = field(repr=False)
    n_treated: int = 0
    n_control: int = 0
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)

    count_columns = ()

    @property
    def title(self) -> str:
        return "Propensity score (logit)"

    @property
    def logit(self) -> np.ndarray:
        return np.log(self.score / (1 - self.score))

    def tidy(self) -> pd.DataFrame:
        return self.coefficients.copy()

    def overlap(self) -> pd.DataFrame:
        """Score range by group: comparison units outside the treated range cannot be matched."""
        rows = []
        for label, mask in (("treated", self.treated == 1), ("comparison", self.treated == 0)):
            s = self.score[mask]
            rows.append({"group": label, "n": int(mask.sum()), "min": s.min(), "median": np.median(s),
                         "max": s.max()})
        return pd.DataFrame(rows)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Histograms of the score by group (common support)."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 4))[1]
        bins = np.linspace(0, 1, kwargs.pop("bins", 30))
        ax.hist(self.score[self.treated == 0], bins=bins, alpha=0.6, label="comparison", density=True)
        ax.hist(self.score[self.treated == 1], bins=bins, alpha=0.6, label="treated", density=True)
        ax.set_xlabel("propensity score")
        ax.set_ylabel("density")
        ax.legend(frameon=False)
        return ax


@dataclass(frozen=True)
class BalanceResult(Result):
    """A comparison group (matched or weighted) with its balance table (``tidy()``)."""

    balance: pd.DataFrame
    counts: pd.DataFrame
    method: str
    estimand: str
    propensity: PropensityScoreResult = field(repr=False)
    weights: np.ndarray = field(repr=False)  # per row of the input sample (0 = not used)
    data: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def title(self) -> str:
        return f"Covariate balance after {self.method} ({self.estimand})"

    def tidy(self) -> pd.DataFrame:
        return self.balance.copy()

    def summary(self) -> str:
        return super().summary() + "\n\n" + self.counts.to_string(index=False)

    def matched_data(self, weight_column: str = "weight") -> pd.DataFrame:
        """Rows in the comparison (weight > 0) with their weight, for the outcome analysis.

        Holds unit-level rows: for analysis only, never for publication.
        """
        out = self.data.loc[self.weights > 0].copy()
        out[weight_column] = self.weights[self.weights > 0]
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Love plot: absolute SMD of each covariate before and after, with the 0.1 threshold."""
        import matplotlib.pyplot as plt

        table = self.balance.iloc[::-1]
        ax = ax or plt.subplots(figsize=(6, 0.4 * len(table) + 1.5))[1]
        y = np.arange(len(table))
        ax.scatter(table["smd_before"].abs(), y, marker="o", facecolors="none", edgecolors="C3",
                   label="before")
        ax.scatter(table["smd_after"].abs(), y, marker="o", color="C0", label="after")
        ax.axvline(0.1, color="0.5", linestyle="--", linewidth=0.8)
        ax.set_yticks(y, table["term"])
        ax.set_xlabel("absolute standardised mean difference")
        ax.legend(frameon=False)
        return ax


def propensity_score(data: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> PropensityScoreResult:
    """Logit propensity score of ``treatment`` (0/1) on numeric ``covariates``.

    Example
    -------
    >>> ps = propensity_score(households, "pilot", ["adults", "children", "income_czk"])  # doctest: +SKIP
    >>> ps.overlap()  # doctest: +SKIP
    """
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    covariates = list(covariates)
    if not covariates:
        raise ConfigError("propensity_score needs at least one covariate")
    require_columns(data, [treatment, *covariates])
    frame, excl = complete_rows(data, [treatment, *covariates])
    d = indicator(frame, treatment)
    n_t, n_c = int(d.sum()), int((1 - d).sum())
    if n_t == 0 or n_c == 0:
        raise EstimationError(f"column {treatment!r}: {'no treated' if n_t == 0 else 'no comparison'} "
                              "units; a comparison group cannot be built")
    if min(n_t, n_c) < 2:
        raise EstimationError(f"only {min(n_t, n_c)} unit in the smaller group of {treatment!r}")
    check_covariates(frame, covariates)
    X = np.column_stack([np.ones(len(frame))] + [numeric(frame, c) for c in covariates])
    names = ["Intercept", *covariates]
    collinear = collinear_columns(X, names)
    if collinear:
        raise EstimationError("collinear covariates in the propensity score: " + ", ".join(collinear))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PerfectSeparationWarning)
        try:
            fit = sm.Logit(d, X).fit(disp=0, maxiter=200)
        except (PerfectSeparationError, PerfectSeparationWarning, np.linalg.LinAlgError) as error:
            raise EstimationError("the covariates separate treated and comparison units perfectly "
                                  f"(no overlap): {error}") from None
    score = np.clip(fit.predict(X), 1e-12, 1 - 1e-12)
    if (np.minimum(score, 1 - score) < 1e-8).any():
        raise EstimationError("some propensity scores are 0 or 1: the groups do not overlap on the "
                              "covariates; restrict the sample to common support")
    crit = stats.norm.ppf(0.975)
    coef = pd.DataFrame({"term": names, "estimate": fit.params, "std_error": fit.bse,
                         "conf_low": fit.params - crit * fit.bse, "conf_high": fit.params + crit * fit.bse,
                         "p_value": fit.pvalues})
    notes = [f"{n_t} treated, {n_c} comparison units; logit converged: {bool(fit.mle_retvals['converged'])}",
             *excl.notes()]
    return PropensityScoreResult(coefficients=coef, score=score, treated=d.astype(int),
                                 index=frame.index, n_treated=n_t, n_control=n_c, notes=tuple(notes),
                                 exclusions=excl.table())


def match(data: pd.DataFrame, treatment: str, covariates: Sequence[str], *, ratio: int = 1,
          replace: bool = False, caliper: float | None = 0.2) -> BalanceResult:
    """Nearest-neighbour matching on the logit propensity score, for the ATT.

    ``ratio`` comparison units per treated unit; ``caliper`` in SDs of the logit score
    (None: no caliper); ``replace`` lets a comparison unit serve several treated units.
    Comparison weights are Σ 1/(matches of its treated unit), so the weighted comparison
    group mirrors the matched treated.

    Example
    -------
    >>> res = match(households, "pilot", ["adults", "income_czk"], ratio=2)  # doctest: +SKIP
    >>> res.plot()  # doctest: +SKIP
    """
    if int(ratio) < 1:
        raise ConfigError(f"ratio must be at least 1, got {ratio}")
    ps = propensity_score(data, treatment, covariates)
    logit = ps.logit
    width = None if caliper is None else caliper * float(np.std(logit, ddof=1))
    treated_rows = np.flatnonzero(ps.treated == 1)
    control_rows = np.flatnonzero(ps.treated == 0)
    order = treated_rows[np.argsort(-logit[treated_rows], kind="stable")]
    available = np.ones(control_rows.size, dtype=bool)
    control_logit = logit[control_rows]
    weights = np.zeros(len(logit))
    unmatched, short = 0, 0
    for row in order:
        distance = np.abs(control_logit - logit[row])
        if not replace:
            distance = np.where(available, distance, np.inf)
        nearest = np.argsort(distance, kind="stable")[:ratio]
        nearest = nearest[np.isfinite(distance[nearest])]
        if width is not None:
            nearest = nearest[distance[nearest] <= width]
        if nearest.size == 0:
            unmatched += 1
            continue
        short += nearest.size < ratio
        weights[row] = 1.0
        weights[control_rows[nearest]] += 1.0 / nearest.size
        if not replace:
            available[nearest] = False
    if unmatched == treated_rows.size:
        raise EstimationError("no treated unit has a comparison unit within the caliper "
                              f"({caliper} SD of the logit score); widen it or check overlap")
    frame = data.loc[ps.index]
    counts = pd.DataFrame({
        "group": ["treated", "comparison"],
        "n": [treated_rows.size, control_rows.size],
        "matched": [int((weights[treated_rows] > 0).sum()), int((weights[control_rows] > 0).sum())],
        "unmatched": [unmatched, int((weights[control_rows] == 0).sum())],
    })
    notes = [f"nearest neighbour 1:{ratio} on the logit score, {'with' if replace else 'without'} "
             "replacement, greedy from the highest score"
             + (f", caliper {caliper} SD = {width:.3g}" if width is not None else ", no caliper")]
    excl = Exclusions(tuple(map(tuple, ps.exclusions.itertuples(index=False))))
    if unmatched:
        notes.append(f"{unmatched} treated unit(s) excluded: no comparison unit within the caliper; "
                     "the estimand is the effect on the matched treated")
        excl = excl.add("treated unit without a comparison within the caliper", unmatched)
    if short:
        notes.append(f"{short} treated unit(s) matched to fewer than {ratio} comparison units")
    notes.extend(ps.notes)
    balance = balance_table(frame, covariates, ps.treated, weights, "ATT")
    return BalanceResult(balance=balance, counts=counts, method="matching", estimand="ATT",
                         propensity=ps, weights=weights, data=frame, notes=tuple(notes),
                         exclusions=excl.table())


def weight(data: pd.DataFrame, treatment: str, covariates: Sequence[str], *, estimand: str = "ATT",
           trim: float | None = None) -> BalanceResult:
    """Inverse-probability weights for the ATT or the ATE.

    ``trim`` (e.g. 0.01) excludes units with scores outside [trim, 1 − trim] (counted);
    the weights are normalised so that each group's weights sum to its size.

    Example
    -------
    >>> res = weight(households, "pilot", ["adults", "income_czk"], estimand="ATE")  # doctest: +SKIP
    >>> res.counts  # effective sample sizes  # doctest: +SKIP
    """
    estimand = str(estimand).upper()
    if estimand not in ("ATT", "ATE"):
        raise ConfigError(f"estimand must be 'ATT' or 'ATE', got {estimand!r}")
    ps = propensity_score(data, treatment, covariates)
    e, d = ps.score, ps.treated
    keep = np.ones(e.size, dtype=bool)
    excl = Exclusions(tuple(map(tuple, ps.exclusions.itertuples(index=False))))
    if trim is not None:
        if not 0 < trim < 0.5:
            raise ConfigError(f"trim must lie in (0, 0.5), got {trim}")
        keep = (e >= trim) & (e <= 1 - trim)
        excl = excl.add(f"propensity score outside [{trim}, {1 - trim}]", int((~keep).sum()))
    if estimand == "ATT":
        w = np.where(d == 1, 1.0, e / (1 - e))
    else:
        w = np.where(d == 1, 1.0 / e, 1.0 / (1 - e))
    w = np.where(keep, w, 0.0)
    for group in (0, 1):
        mask = (d == group) & keep
        if not mask.any():
            raise EstimationError(f"no {'treated' if group else 'comparison'} units left after trimming")
        w[mask] *= mask.sum() / w[mask].sum()
    frame = data.loc[ps.index]
    ess = [float(w[d == g].sum() ** 2 / (w[d == g] ** 2).sum()) for g in (1, 0)]
    counts = pd.DataFrame({"group": ["treated", "comparison"],
                           "n": [int((d == 1).sum()), int((d == 0).sum())],
                           "used": [int(((d == 1) & keep).sum()), int(((d == 0) & keep).sum())],
                           "effective_n": ess, "max_weight": [w[d == 1].max(), w[d == 0].max()]})
    notes = [f"inverse-probability weights for the {estimand}, normalised within group",
             f"effective sample sizes (Kish): treated {ess[0]:.1f}, comparison {ess[1]:.1f}"]
    if max(counts["max_weight"]) > 10:
        notes.append("some weights exceed 10: estimates lean on few units; consider trim=")
    notes.extend(ps.notes)
    notes.extend(n for n in excl.notes() if n not in ps.notes)
    balance = balance_table(frame, covariates, d, w, estimand)
    return BalanceResult(balance=balance, counts=counts, method="weighting", estimand=estimand,
                         propensity=ps, weights=w, data=frame, notes=tuple(notes),
                         exclusions=excl.table())


def balance_table(frame: pd.DataFrame, covariates: Sequence[str], treated: np.ndarray,
                  weights: np.ndarray, estimand: str = "ATT") -> pd.DataFrame:
    """SMD and variance ratio of each covariate before (unweighted) and after (``weights``)."""
    rows = []
    t, c = treated == 1, treated == 0
    for name in covariates:
        x = numeric(frame, name)
        sd_t, sd_c = x[t].std(ddof=1), x[c].std(ddof=1)
        scale = sd_t if estimand == "ATT" else np.sqrt((sd_t ** 2 + sd_c ** 2) / 2)
        scale = scale if scale > 0 else np.sqrt((sd_t ** 2 + sd_c ** 2) / 2)
        mt_after, vt_after = _weighted_moments(x[t], weights[t])
        mc_after, vc_after = _weighted_moments(x[c], weights[c])
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append({
                "term": name, "mean_treated": x[t].mean(), "mean_comparison": x[c].mean(),
                "smd_before": (x[t].mean() - x[c].mean()) / scale,
                "mean_treated_after": mt_after, "mean_comparison_after": mc_after,
                "smd_after": (mt_after - mc_after) / scale,
                "var_ratio_before": sd_t ** 2 / sd_c ** 2, "var_ratio_after": vt_after / vc_after,
            })
    return pd.DataFrame(rows)


def _weighted_moments(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    used = w > 0
    if not used.any():
        return float("nan"), float("nan")
    mean = float(np.average(x[used], weights=w[used]))
    v1, v2 = w[used].sum(), (w[used] ** 2).sum()
    denom = v1 - v2 / v1
    var = float((w[used] * (x[used] - mean) ** 2).sum() / denom) if denom > 0 else float("nan")
    return mean, var
