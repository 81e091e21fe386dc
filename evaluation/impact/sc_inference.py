"""Inference and robustness for synthetic control (Abadie, Diamond & Hainmueller 2010, 2015).

* Placebo in space: every donor in turn is treated as if it had the programme and gets its own
  synthetic control, with the same predictors and V method, from the other donors and — as ADH
  2010 (section 3.4: "shifting California to the donor pool") — the treated place; with
  ``include_treated=False`` the treated place is left out of the placebos' pools (the convention
  of SCtools, tidysynth and pysyncon). The permutation p-value is the share of places (treated included)
  whose post/pre RMSPE ratio is at least the treated place's: 1/(J+1) is the smallest possible,
  so with fewer than 19 donors p < 0.05 cannot occur. ``max_pre_mspe_ratio`` leaves out placebos
  whose pre-treatment MSPE exceeds that multiple of the treated place's (ADH 2010 Figures 5–7 use
  20, 5 and 2). Per-period p-values rank |gap| in that period the same way.
* Placebo in time: a fake start before the real one, on pre-treatment data only.
* Leave-one-out: the fit again without each donor that has positive weight.

Example
-------
>>> placebo = result.placebo_in_space(max_pre_mspe_ratio=5)   # doctest: +SKIP
>>> placebo.p_value, placebo.plot()                           # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, EstimationError
from evaluation.results import Result

POSITIVE = 1e-6


@dataclass(frozen=True)
class SCPlaceboResult(Result):
    """Placebo-in-space inference for a synthetic control (permutation p-value, placebo gaps)."""

    result: Any = field(repr=False)
    table: pd.DataFrame
    gaps: pd.DataFrame = field(repr=False)        # periods x units (treated first)
    max_pre_mspe_ratio: float | None = None
    include_treated: bool = True
    title: str = "Synthetic control: placebo-in-space inference"

    @property
    def included(self) -> pd.DataFrame:
        return self.table[self.table["included"]]

    @property
    def p_value(self) -> float:
        """Share of places (treated included) with a post/pre RMSPE ratio at least the treated's."""
        t = self.included
        treated = float(t.loc[t["treated"], "ratio"].iloc[0])
        threshold = treated - 1e-12 * abs(treated) if np.isfinite(treated) else treated
        return float((t["ratio"] >= threshold).mean())

    def restrict(self, max_pre_mspe_ratio: float | None) -> SCPlaceboResult:
        """The same placebos, leaving out those with pre-treatment MSPE above ``max_pre_mspe_ratio``
        times the treated place's (no re-fitting)."""
        return replace(self, table=_included(self.table, max_pre_mspe_ratio), max_pre_mspe_ratio=max_pre_mspe_ratio)

    def period_p_values(self) -> pd.Series:
        post = [p for p in self.gaps.index if not p < self.result.treatment_start]
        g = self.gaps.loc[post, list(self.included["unit"])].abs()
        treated = g.iloc[:, 0]
        return (g.ge(treated - 1e-12 * treated.abs(), axis=0)).mean(axis=1)

    @property
    def notes(self) -> tuple[str, ...]:
        n = len(self.included)
        lines = [f"{n - 1} placebo {self.result.unit}(s) and the treated one; smallest possible p-value 1/{n} = {1 / n:.3f}",
                 "the treated place is " + ("in" if self.include_treated else "left out of")
                 + " each placebo's donor pool" + (" (ADH 2010)" if self.include_treated else "")]
        if self.max_pre_mspe_ratio is not None:
            dropped = int((~self.table["included"]).sum())
            lines.append(f"{dropped} placebo(s) left out: pre-treatment MSPE above {self.max_pre_mspe_ratio:g} times "
                         "the treated place's")
        if n < 20:
            lines.append(f"with {n} places a p-value below 0.05 is impossible")
        return tuple(lines)

    def tidy(self) -> pd.DataFrame:
        res = self.result
        pv = self.period_p_values()
        rows = [{"term": "ATT", "estimate": res.estimate, "p_value": self.p_value}]
        rows += [{"term": f"gap({p})", "estimate": g, "p_value": pv.loc[p]}
                 for p, g in zip(np.asarray(res.periods)[~res.pre], res.gaps[~res.pre])]
        table = pd.DataFrame(rows)
        for column in ("std_error", "conf_low", "conf_high"):
            table[column] = np.nan
        table["n_units"] = len(self.included)
        return table[["term", "estimate", "std_error", "conf_low", "conf_high", "p_value", "n_units"]]

    def summary(self) -> str:
        with pd.option_context("display.float_format", "{:.4g}".format, "display.width", 120):
            return super().summary() + "\n\nPlacebo fits\n" + self.table.to_string(index=False)

    def plot(self, ax: Any = None, *, lang: str = "cs", kind: str = "gaps", **kwargs: Any) -> Any:
        """``kind="gaps"``: placebo gaps (grey) and the treated place's (black); ``"ratio"``: the ratios."""
        from evaluation.impact.sc_plot import plot_placebo

        return plot_placebo(self, ax=ax, lang=lang, kind=kind, **kwargs)


@dataclass(frozen=True)
class SCLeaveOneOutResult(Result):
    """The synthetic control re-fitted without each donor with positive weight."""

    result: Any = field(repr=False)
    table: pd.DataFrame
    paths: pd.DataFrame = field(repr=False)       # periods x dropped donor: synthetic path
    title: str = "Synthetic control: leave-one-out"

    def tidy(self) -> pd.DataFrame:
        rows = [{"term": "ATT", "estimate": self.result.estimate, "dropped": None,
                 "pre_rmspe": self.result.pre_rmspe}]
        rows += [{"term": f"ATT without {r.dropped}", "estimate": r.estimate, "dropped": r.dropped,
                  "pre_rmspe": r.pre_rmspe} for r in self.table.itertuples(index=False)]
        table = pd.DataFrame(rows)
        for column in ("std_error", "conf_low", "conf_high", "p_value"):
            table[column] = np.nan
        return table[["term", "estimate", "std_error", "conf_low", "conf_high", "p_value", "dropped", "pre_rmspe"]]

    def plot(self, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
        from evaluation.impact.sc_plot import plot_leave_one_out

        return plot_leave_one_out(self, ax=ax, lang=lang, **kwargs)


def _included(table: pd.DataFrame, max_pre_mspe_ratio: float | None) -> pd.DataFrame:
    table = table.copy()
    mspe = table["pre_rmspe"].to_numpy() ** 2
    included = np.ones(len(table), bool)
    if max_pre_mspe_ratio is not None:
        if max_pre_mspe_ratio <= 0:
            raise ConfigError(f"max_pre_mspe_ratio must be positive, not {max_pre_mspe_ratio!r}")
        included = mspe <= max_pre_mspe_ratio * mspe[0] * (1 + 1e-12)
        included[0] = True
    table["included"] = included
    return table


def placebo_in_space(res: Any, max_pre_mspe_ratio: float | None = None,
                     include_treated: bool = True) -> SCPlaceboResult:
    from evaluation.impact.synthetic_control import rebuild

    if max_pre_mspe_ratio is not None and max_pre_mspe_ratio <= 0:
        raise ConfigError(f"max_pre_mspe_ratio must be positive, not {max_pre_mspe_ratio!r}")
    donors = list(res.donors)
    if len(donors) < 3:
        raise EstimationError("placebo inference needs at least three donors (each placebo needs two of its own)")
    fits = [res]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for d in donors:
            pool = ([res.treated_unit] if include_treated else []) + [u for u in donors if u != d]
            fits.append(rebuild(res, treated=d, donors=pool, notes=()))
    units = [res.treated_unit, *donors]
    pre_mspe = np.array([f.pre_rmspe ** 2 for f in fits])
    post = np.array([f.post_rmspe for f in fits])
    pre = np.sqrt(pre_mspe)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pre > 0, post / pre, np.inf)
    table = pd.DataFrame({"unit": units, "treated": [True] + [False] * len(donors), "pre_rmspe": pre,
                          "post_rmspe": post, "ratio": ratio, "att": [f.estimate for f in fits]})
    table["rank"] = table["ratio"].rank(ascending=False, method="max").astype(int)
    table = _included(table, max_pre_mspe_ratio)
    gaps = pd.DataFrame({u: f.gaps for u, f in zip(units, fits)}, index=pd.Index(res.periods, name=res.time))
    return SCPlaceboResult(result=res, table=table, gaps=gaps, max_pre_mspe_ratio=max_pre_mspe_ratio,
                           include_treated=include_treated)


def placebo_in_time(res: Any, start: Any, predictors: Sequence[Any] | None = None) -> Any:
    from evaluation.impact.synthetic_control import (
        PredictorSpec,
        _predictor_table,
        parse_predictors,
        rebuild,
    )

    pre_periods = [p for p in res.periods if p < res.treatment_start]
    if not (start in pre_periods and start != pre_periods[0]):
        raise EstimationError(f"the placebo start must be a pre-treatment period after the first "
                              f"({pre_periods[1] if len(pre_periods) > 1 else 'none possible'} to {pre_periods[-1]}), "
                              f"not {start!r}")
    problem = res.problem
    fake_pre = [p for p in pre_periods if p < start]
    notes = [f"in-time placebo: fake start {start}, real start {res.treatment_start}; data before the real start only"]
    specs = parse_predictors(predictors) if predictors is not None else problem.specs
    if predictors is None and specs:
        kept = []
        for s in specs:
            if s.periods is None:
                kept.append(s)
                continue
            periods = tuple(p for p in s.periods if p < start)
            if periods:
                kept.append(PredictorSpec(s.column, periods))
        if len(kept) < len(specs):
            notes.append(f"{len(specs) - len(kept)} predictor(s) with periods only at or after the fake start dropped")
        specs = tuple(kept)
    units = [res.treated_unit, *res.donors]
    if specs:
        X = _predictor_table(problem.data, res.unit, res.time, specs, fake_pre, units)
    else:
        X = pd.DataFrame(index=units)
    opt = tuple(p for p in problem.optimization_periods if p < start) or tuple(fake_pre)
    new = replace(problem, X=X, specs=specs, optimization_periods=opt)
    return rebuild(res, start=start, problem=new, periods=pre_periods, kind=res.kind + ", in-time placebo",
                   notes=notes)


def leave_one_out(res: Any) -> SCLeaveOneOutResult:
    from evaluation.impact.synthetic_control import rebuild

    used = [d for d, w in zip(res.donors, res.weights) if w > POSITIVE]
    if len(res.donors) - 1 < 2:
        raise EstimationError("leave-one-out needs at least three donors")
    rows, paths = [], {}
    for d in used:
        fit = rebuild(res, donors=[u for u in res.donors if u != d], notes=())
        rows.append({"dropped": d, "weight": float(res.weights[list(res.donors).index(d)]),
                     "estimate": fit.estimate, "pre_rmspe": fit.pre_rmspe})
        paths[d] = fit.synthetic_path
    return SCLeaveOneOutResult(result=res, table=pd.DataFrame(rows),
                               paths=pd.DataFrame(paths, index=pd.Index(res.periods, name=res.time)))
