"""Synthetic control for one treated place (Abadie & Gardeazabal 2003; Abadie, Diamond &
Hainmueller 2010), with the inference and robustness checks of ADH 2010 and, optionally, the
ridge-augmented synthetic control of Ben-Michael, Feller & Rothstein (2021).

A city's pilot (Ostrava's staircase, Brno's Housing First) is compared with a weighted average of
places without the programme, the weights chosen so that the average resembles the city before
the start: in predictors (covariate averages over chosen periods, outcome values in chosen
periods) weighted by importance V, or in the pre-programme outcome path itself. Estimation and
inference are separate steps on the frozen result:

* ``result.placebo_in_space()`` — every donor in turn treated as if it had the programme; the
  permutation p-value is the rank of the treated place's post/pre RMSPE ratio (ADH 2010), and
  placebos that fit badly before the start can be left out (``max_pre_mspe_ratio``);
* ``result.placebo_in_time(start)`` — a fake start before the real one;
* ``result.leave_one_out()`` — re-fit without each donor that has positive weight;
* ``augment="ridge"`` — ridge-augmented SC (R augsynth's ``progfunc="Ridge"``), see
  :mod:`evaluation.impact.augsynth`.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> years = np.arange(2012, 2025)
>>> base = rng.normal(size=(25, 1)) + 0.2 * rng.normal(size=(25, len(years))).cumsum(axis=1)
>>> y = base.copy(); y[0] = 0.5 * base[1] + 0.5 * base[2]; y[0, years >= 2019] -= 1.0
>>> df = pd.DataFrame({"municipality": np.repeat([f"m{i}" for i in range(25)], len(years)),
...                    "year": np.tile(years, 25), "y": y.ravel()})
>>> res = synthetic_control(df, "y", "municipality", "year", treated_unit="m0", treatment_start=2019)
>>> round(res.estimate, 2)
-1.0
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._sc_fit import V_METHODS, WeightFit, fit_weights
from evaluation.impact._synth_panel import adoption_periods, check_frame, outcome_matrix
from evaluation.results import Result

#: A donor counts as used when its weight exceeds this.
POSITIVE = 1e-6


@dataclass(frozen=True)
class PredictorSpec:
    """One predictor: the mean of ``column`` over ``periods`` (None: all pre-treatment periods)."""

    column: str
    periods: tuple | None = None

    @property
    def name(self) -> str:
        if self.periods is None:
            return self.column
        if len(self.periods) == 1:
            return f"{self.column} ({self.periods[0]})"
        return f"{self.column} ({self.periods[0]}–{self.periods[-1]})"


def parse_predictors(predictors: Sequence[Any] | None) -> tuple[PredictorSpec, ...]:
    """``"x"`` (mean over the pre-treatment periods), ``("x", 1988)`` or ``("x", [1984, ..., 1988])``."""
    if predictors is None:
        return ()
    specs = []
    for item in predictors:
        if isinstance(item, PredictorSpec):
            specs.append(item)
        elif isinstance(item, str):
            specs.append(PredictorSpec(item))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            periods = item[1]
            periods = tuple(periods) if isinstance(periods, (list, tuple, range, np.ndarray)) else (periods,)
            if not periods:
                raise ConfigError(f"predictor {item[0]!r} is given an empty list of periods")
            specs.append(PredictorSpec(item[0], periods))
        else:
            raise ConfigError(f"a predictor is a column name or a (column, periods) pair, not {item!r}")
    return tuple(specs)


@dataclass(frozen=True)
class SCProblem:
    """Everything a (re-)fit needs: the outcome matrix and the predictor values of every unit."""

    Y: pd.DataFrame = field(repr=False)            # units x periods (outcome), complete for used units
    X: pd.DataFrame = field(repr=False)            # units x predictors (empty: match the outcome path)
    specs: tuple
    v_method: str
    v_custom: tuple | None
    optimization_periods: tuple
    augment: str | None = None
    ridge_lambda: float | None = None
    data: pd.DataFrame | None = field(default=None, repr=False)   # long rows of the predictor columns


def _predictor_table(data: pd.DataFrame, unit: str, time: str, specs: tuple, pre_periods: list,
                     units: list) -> pd.DataFrame:
    columns = {}
    for spec in specs:
        if spec.column not in data.columns:
            raise DataError(f"predictor column {spec.column!r} is not in the data")
        periods = list(spec.periods) if spec.periods is not None else pre_periods
        values = pd.to_numeric(data[spec.column], errors="coerce")
        sel = data[time].isin(periods)
        if not sel.any():
            raise DataError(f"predictor {spec.name}: none of its periods {periods} are in the data")
        columns[spec.name] = values[sel].groupby(data.loc[sel, unit]).mean()   # NaNs skipped, as Synth
    return pd.DataFrame(columns).reindex(units)


@dataclass(frozen=True)
class SyntheticControlResult(Result):
    """Synthetic control of one treated place: weights, fit, balance, gaps and the effect."""

    outcome: str
    unit: str
    time: str
    treated_unit: Any
    treatment_start: Any
    periods: tuple
    treated_path: np.ndarray = field(repr=False)
    synthetic_path: np.ndarray = field(repr=False)
    donors: tuple = field(repr=False)
    weights: np.ndarray = field(repr=False)
    v: pd.Series = field(repr=False)
    balance: pd.DataFrame = field(repr=False)
    loss_v: float = np.nan
    problem: SCProblem = field(default=None, repr=False, compare=False)
    alpha: float = 0.05
    kind: str = "synthetic control"
    extra_notes: tuple[str, ...] = ()
    augmentation: Any = field(default=None, repr=False, compare=False)

    # -------------------------------------------------------------- reading the fit
    @property
    def title(self) -> str:
        return f"Synthetic control for {self.treated_unit} ({self.kind})"

    @property
    def pre(self) -> np.ndarray:
        return np.array([p < self.treatment_start for p in self.periods])

    @property
    def gaps(self) -> np.ndarray:
        return self.treated_path - self.synthetic_path

    @property
    def estimate(self) -> float:
        """Average gap over the post-treatment periods (the ATT on the treated place)."""
        return float(self.gaps[~self.pre].mean())

    @property
    def pre_rmspe(self) -> float:
        return float(np.sqrt(np.mean(self.gaps[self.pre] ** 2)))

    @property
    def post_rmspe(self) -> float:
        return float(np.sqrt(np.mean(self.gaps[~self.pre] ** 2)))

    @property
    def unit_weights(self) -> pd.Series:
        return pd.Series(self.weights, index=pd.Index(self.donors, name=self.unit), name="weight")

    @property
    def notes(self) -> tuple[str, ...]:
        used = int((self.weights > POSITIVE).sum())
        lines = [(f"{len(self.donors)} donor {self.unit}(s), {used} with positive weight; "
                 f"{int(self.pre.sum())} pre-treatment and {int((~self.pre).sum())} post-treatment periods"),
                 (f"pre-treatment RMSPE {self.pre_rmspe:.4g} (outcome scale); post/pre RMSPE ratio "
                 f"{self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf:.3g}"),
                 "no standard error: run .placebo_in_space() for the permutation p-value (ADH 2010)"]
        return tuple(lines) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        post = ~self.pre
        rows = [{"term": "ATT", "estimate": self.estimate}]
        rows += [{"term": f"gap({p})", "estimate": g} for p, g in zip(np.asarray(self.periods)[post],
                                                                         self.gaps[post])]
        table = pd.DataFrame(rows)
        for column in ("std_error", "conf_low", "conf_high", "p_value"):
            table[column] = np.nan
        if self.augmentation is not None:
            table = self.augmentation.fill(table)
        return table

    def summary(self) -> str:
        w = self.unit_weights
        with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
            return (super().summary() + "\n\nDonor weights\n" + w[w > POSITIVE].sort_values(ascending=False)
                    .to_string() + "\n\nPredictor balance\n" + self.balance.to_string())

    def paths(self) -> pd.DataFrame:
        return pd.DataFrame({"period": self.periods, "treated": self.treated_path,
                             "synthetic": self.synthetic_path, "gap": self.gaps})

    # -------------------------------------------------------------- inference and robustness
    def placebo_in_space(self, max_pre_mspe_ratio: float | None = None,
                         include_treated: bool = True) -> SCPlaceboResult:
        """Re-fit with each donor as the treated place (ADH 2010, section 3.4); see :class:`SCPlaceboResult`.

        ``include_treated``: the treated place joins each placebo's donor pool (ADH 2010).
        """
        from evaluation.impact.sc_inference import placebo_in_space

        return placebo_in_space(self, max_pre_mspe_ratio, include_treated)

    def placebo_in_time(self, start: Any, predictors: Sequence[Any] | None = None) -> SyntheticControlResult:
        """Re-fit with a fake start before the real one, on pre-treatment data only.

        Predictor periods at or after the fake start are dropped (or give ``predictors``).
        """
        from evaluation.impact.sc_inference import placebo_in_time

        return placebo_in_time(self, start, predictors)

    def leave_one_out(self) -> SCLeaveOneOutResult:
        """Re-fit without each donor with positive weight, one at a time (ADH 2015)."""
        from evaluation.impact.sc_inference import leave_one_out

        return leave_one_out(self)

    def conformal(self, alpha: float | None = None, seed: int = 20210101,
                  refit_lambda: bool = False) -> SyntheticControlResult:
        """augsynth's conformal inference for the ridge-augmented fit (see :mod:`evaluation.impact.augsynth`)."""
        from evaluation.impact.augsynth import conformal_inference

        if self.augmentation is None:
            raise EstimationError("conformal inference needs the ridge-augmented fit: augment='ridge'")
        return conformal_inference(self, alpha, seed, refit_lambda)

    def plot(self, ax: Any = None, *, lang: str = "cs", kind: str = "paths", **kwargs: Any) -> Any:
        """``kind="paths"`` (treated and synthetic), ``"gap"``, or ``"weights"`` (donor weights)."""
        from evaluation.impact.sc_plot import plot_result

        return plot_result(self, ax=ax, lang=lang, kind=kind, **kwargs)


from evaluation.impact.sc_inference import SCLeaveOneOutResult, SCPlaceboResult


# ------------------------------------------------------------------------------ fitting
def fit_problem(problem: SCProblem, treated: Any, donors: Sequence[Any], start: Any,
                periods: Sequence[Any] | None = None) -> tuple[WeightFit, np.ndarray, np.ndarray, pd.DataFrame]:
    """Weights, treated and synthetic paths over ``periods`` (default all), and the balance table."""
    Y = problem.Y if periods is None else problem.Y.loc[:, list(periods)]
    opt = [p for p in problem.optimization_periods if p in Y.columns and p < start]
    Z1 = Y.loc[treated, opt].to_numpy(float)
    Z0 = Y.loc[list(donors), opt].to_numpy(float).T
    if problem.X.shape[1]:
        X1 = problem.X.loc[treated].to_numpy(float)
        X0 = problem.X.loc[list(donors)].to_numpy(float).T
        fit = fit_weights(X1, X0, Z1, Z0, v_method=problem.v_method,
                          v_custom=None if problem.v_custom is None else np.asarray(problem.v_custom))
        names = list(problem.X.columns)
    else:
        pre = [p for p in Y.columns if p < start]
        X1, X0 = Y.loc[treated, pre].to_numpy(float), Y.loc[list(donors), pre].to_numpy(float).T
        fit = fit_weights(X1, X0, Z1, Z0, v_method="equal", scale=False)
        names = [f"{problem.Y.columns.name or 'outcome'} ({p})" for p in pre]
    treated_path = Y.loc[treated].to_numpy(float)
    synthetic = Y.loc[list(donors)].to_numpy(float).T @ fit.weights
    v = np.full(len(names), np.nan)
    v[fit.kept] = fit.v
    balance = pd.DataFrame({"treated": X1, "synthetic": X0 @ fit.weights, "donor_mean": X0.mean(axis=1),
                            "v_weight": v}, index=pd.Index(names, name="predictor"))
    return fit, treated_path, synthetic, balance


def _build(problem: SCProblem, treated: Any, donors: Sequence[Any], start: Any, outcome: str, unit: str,
           time: str, alpha: float, kind: str, notes: Sequence[str], periods: Sequence[Any] | None = None
           ) -> SyntheticControlResult:
    fit, treated_path, synthetic, balance = fit_problem(problem, treated, donors, start, periods)
    used_periods = tuple(problem.Y.columns if periods is None else periods)
    result = SyntheticControlResult(
        outcome=outcome, unit=unit, time=time, treated_unit=treated, treatment_start=start,
        periods=used_periods, treated_path=treated_path, synthetic_path=synthetic, donors=tuple(donors),
        weights=fit.weights, v=balance["v_weight"], balance=balance, loss_v=fit.loss_v, problem=problem,
        alpha=alpha, kind=kind, extra_notes=tuple(notes))
    if problem.augment == "ridge":
        from evaluation.impact.augsynth import augment_ridge

        result = augment_ridge(result)
    return result


def synthetic_control(data: pd.DataFrame | Dataset, outcome: str, unit: str, time: str, *,
                      treated_unit: Any = None, treatment_start: Any = None, treatment: str | None = None,
                      predictors: Sequence[Any] | None = None, v: str | Sequence[float] = "nested",
                      optimization_periods: Sequence[Any] | None = None, donors: Sequence[Any] | None = None,
                      augment: str | None = None, ridge_lambda: float | None = None,
                      alpha: float = 0.05) -> SyntheticControlResult:
    """Synthetic control estimate for one treated place.

    Give the treated place and its first treated period (``treated_unit``, ``treatment_start``)
    or a 0/1 ``treatment`` column that is 1 for exactly one place from its start on (other places
    that are ever 1 are left out of the donor pool). ``predictors``: column names (mean over the
    pre-treatment periods) or ``(column, periods)`` pairs, e.g. ``("cigsale", 1988)`` or
    ``("beer", range(1984, 1989))``; without them the pre-treatment outcome path itself is
    matched. ``v``: "nested" (Synth's data-driven V), "regression", "equal" or one weight per
    predictor. ``optimization_periods``: where the nested V minimises the outcome MSPE (default
    all pre-treatment periods). ``donors`` restricts the pool. ``augment="ridge"`` gives the
    ridge-augmented SC (``ridge_lambda`` fixed, or chosen by cross-validation as augsynth does).

    Example
    -------
    >>> res = synthetic_control(smoking, "cigsale", "state", "year", treated_unit="California",
    ...     treatment_start=1989, predictors=["lnincome", "age15to24", "retprice",
    ...     ("beer", range(1984, 1989)), ("cigsale", 1988), ("cigsale", 1980), ("cigsale", 1975)],
    ...     optimization_periods=range(1970, 1989))                        # doctest: +SKIP
    >>> res.placebo_in_space().p_value                                      # doctest: +SKIP
    """
    if isinstance(data, Dataset):
        data = data["municipality_panel"]
    if not 0 < alpha < 1:
        raise ConfigError(f"alpha must be between 0 and 1, not {alpha!r}")
    if augment not in (None, "ridge"):
        raise ConfigError(f"augment must be None or 'ridge', not {augment!r}")
    if isinstance(v, str):
        if v not in V_METHODS:
            raise ConfigError(f"v must be one of {V_METHODS} or a list of weights, not {v!r}")
        v_method, v_custom = v, None
    else:
        v_custom = tuple(float(x) for x in v)
        if any(x < 0 for x in v_custom) or sum(v_custom) <= 0:
            raise ConfigError("custom V weights must be non-negative and not all zero")
        v_method = "custom"
    check_frame(data, [unit, time, outcome])
    if augment and predictors is not None:
        raise ConfigError("augment='ridge' matches the pre-treatment outcome path (as augsynth's ridge "
                          "augmentation); leave predictors out")
    notes: list[str] = []
    treated, start, excluded = _treatment(data, unit, time, treated_unit, treatment_start, treatment)
    if excluded:
        notes.append(f"{len(excluded)} other treated {unit}(s) left out of the donor pool: "
                     f"{', '.join(map(str, excluded[:8]))}")
    wide = outcome_matrix(data, outcome, unit, time, allow_missing=True)
    periods = list(wide.columns)
    if treated not in wide.index:
        raise DataError(f"treated {unit} {treated!r} is not in the data")
    if start not in periods and not any(p >= start for p in periods):
        raise EstimationError(f"no period at or after the start {start!r}: nothing to estimate")
    pre = [p for p in periods if p < start]
    if not pre:
        raise EstimationError(f"no period before the start {start!r}: synthetic control needs pre-treatment data")
    if len(pre) == 1:
        notes.append("a single pre-treatment period: the fit before the start cannot be judged")
        warnings.warn(notes[-1], UserWarning, stacklevel=2)
    missing_treated = wide.columns[wide.loc[treated].isna().to_numpy()]
    if len(missing_treated):
        raise DataError(f"{outcome!r} is missing for the treated {unit} {treated} in {time} "
                        f"{', '.join(map(str, missing_treated[:8]))}")
    pool = [u for u in wide.index if u != treated and u not in excluded]
    if donors is not None:
        unknown = [d for d in donors if d not in wide.index]
        if unknown:
            raise DataError(f"donor(s) not in the data: {', '.join(map(str, unknown[:8]))}")
        pool = [u for u in pool if u in set(donors)]
    gappy = [u for u in pool if wide.loc[u].isna().any()]
    if gappy:
        notes.append(f"{len(gappy)} donor(s) left out for missing {outcome} in some period: "
                     f"{', '.join(map(str, gappy[:8]))}")
        pool = [u for u in pool if u not in gappy]
    specs = parse_predictors(predictors)
    opt = tuple(pre if optimization_periods is None else [p for p in optimization_periods if p in pre])
    if not opt:
        raise EstimationError("none of the optimization_periods is a pre-treatment period in the data")
    X = _predictor_table(data, unit, time, specs, pre, [treated, *pool]) if specs \
        else pd.DataFrame(index=[treated, *pool])
    if specs:
        if X.loc[treated].isna().any():
            bad = X.columns[X.loc[treated].isna().to_numpy()]
            raise DataError(f"the treated {unit} {treated} has no value of predictor(s) {', '.join(bad)} "
                            "in their periods")
        empty = [u for u in pool if X.loc[u].isna().any()]
        if empty:
            notes.append(f"{len(empty)} donor(s) left out for a predictor with no value in its periods: "
                         f"{', '.join(map(str, empty[:8]))}")
            pool = [u for u in pool if u not in empty]
        if v_custom is not None and len(v_custom) != len(specs):
            raise ConfigError(f"v has {len(v_custom)} weights for {len(specs)} predictors")
    if len(pool) < 2:
        raise EstimationError(f"{len(pool)} usable donor {unit}(s): synthetic control needs at least two")
    Y = wide.loc[[treated, *pool]]
    Y.columns.name = outcome
    problem = SCProblem(Y=Y, X=X.loc[[treated, *pool]], specs=specs,
                        v_method="nested" if v_method == "custom" else v_method, v_custom=v_custom,
                        optimization_periods=opt, augment=augment, ridge_lambda=ridge_lambda,
                        data=data[[unit, time, *dict.fromkeys(s.column for s in specs)]] if specs else None)
    kind = "augmented, ridge" if augment else ("nested V" if specs and v_method == "nested"
                                                else f"{v_method} V" if specs else "outcome path")
    return _build(problem, treated, pool, start, outcome, unit, time, alpha, kind, notes)


def _treatment(data: pd.DataFrame, unit: str, time: str, treated_unit: Any, treatment_start: Any,
               treatment: str | None) -> tuple[Any, Any, list]:
    if treatment is not None:
        adoption = adoption_periods(data, unit, time, treatment).dropna()
        if adoption.empty:
            raise EstimationError(f"no {unit} is ever treated ({treatment!r} is 0 everywhere)")
        if treated_unit is None:
            if len(adoption) > 1:
                raise EstimationError(f"{len(adoption)} {unit}s are treated ({', '.join(map(str, adoption.index[:8]))}"
                                      "): synthetic control is for one treated place; name it with "
                                      "treated_unit=, or use synthetic_did for several")
            treated_unit = adoption.index[0]
        if treated_unit not in adoption.index:
            raise EstimationError(f"{unit} {treated_unit!r} is never treated in {treatment!r}")
        start = adoption.loc[treated_unit] if treatment_start is None else treatment_start
        start = next((p for p in data[time].unique() if p == start), start)
        return treated_unit, start, [u for u in adoption.index if u != treated_unit]
    if treated_unit is None or treatment_start is None:
        raise ConfigError("give treated_unit and treatment_start, or a treatment column")
    return treated_unit, treatment_start, []


def rebuild(result: SyntheticControlResult, *, treated: Any = None, donors: Sequence[Any] | None = None,
            start: Any = None, problem: SCProblem | None = None, periods: Sequence[Any] | None = None,
            kind: str | None = None, notes: Sequence[str] = ()) -> SyntheticControlResult:
    """The same specification re-fitted with another treated unit, donor pool, start or periods."""
    return _build(problem or result.problem, result.treated_unit if treated is None else treated,
                  result.donors if donors is None else donors,
                  result.treatment_start if start is None else start, result.outcome, result.unit, result.time,
                  result.alpha, kind or result.kind, notes, periods)


__all__ = ["PredictorSpec", "SCLeaveOneOutResult", "SCPlaceboResult", "SyntheticControlResult",
           "synthetic_control"]
