"""Goodman-Bacon (2021) decomposition of the two-way fixed effects DiD coefficient.

With staggered adoption in a balanced panel, the TWFE coefficient of a 0/1 absorbing treatment
is a weighted average of every 2×2 DiD between timing groups (Goodman-Bacon 2021, Theorem 1):

* **Treated vs Untreated** — a cohort against the never-treated units, all periods;
* **Earlier vs Later Treated** — an earlier cohort against a later one before the later one
  enters (the later one is still untreated: a clean comparison);
* **Later vs Earlier Treated** — a later cohort against an earlier, *already treated* one after
  the earlier one's entry ("forbidden": the control's own effect changes over time, so a
  growing effect biases it, even to the wrong sign);
* **Later vs Always Treated** — a cohort against units treated before the panel starts
  (forbidden for the same reason).

Each comparison's weight is its share of the sample squared times the variance of the
two-way-demeaned treatment within it, divided by that variance in the whole panel; the weights
sum to one and Σ weight × estimate equals the TWFE coefficient exactly (checked, to 1e-10 of
its scale). Types and numbers follow R ``bacondecomp::bacon`` and Stata ``bacondecomp``.
Covariates (Goodman-Bacon's within/between split) are not offered: asked for, it refuses.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(4)
>>> df = pd.DataFrame({"id": np.repeat(np.arange(30), 6), "t": np.tile(np.arange(6), 30)})
>>> df["g"] = np.repeat(rng.choice([0, 2, 4], size=30), 6)
>>> df["y"] = rng.normal(size=len(df)) + np.where((df.g > 0) & (df.t >= df.g), 1.0, 0.0)
>>> res = bacon_decomposition(df, "y", "id", "t", "g")
>>> bool(abs((res.comparisons.weight * res.comparisons.estimate).sum() - res.twfe_estimate) < 1e-10)
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._absorb import demean
from evaluation.impact._design import (
    complete_rows,
    group_codes,
    indicator,
    period_codes,
    require_columns,
)
from evaluation.impact._robust_common import phrase
from evaluation.results import Result

TYPES = ("Treated vs Untreated", "Earlier vs Later Treated", "Later vs Earlier Treated",
         "Later vs Always Treated")
FORBIDDEN = ("Later vs Earlier Treated", "Later vs Always Treated")


@dataclass(frozen=True)
class BaconResult(Result):
    """Every 2×2 comparison (``comparisons``: treated, control, type, estimate, weight) and the
    TWFE coefficient they average to."""

    comparisons: pd.DataFrame
    twfe_estimate: float
    n_obs: int
    n_units: int
    n_periods: int
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return "Goodman-Bacon decomposition of the TWFE coefficient"

    def tidy(self) -> pd.DataFrame:
        """One row per comparison type: total weight and weighted average estimate."""
        return self.by_type()

    def by_type(self) -> pd.DataFrame:
        """``bacon_summary``: weight and average estimate per type, with its part of TWFE."""
        c = self.comparisons
        rows = []
        for kind in TYPES:
            part = c[c["type"] == kind]
            if part.empty:
                continue
            weight = float(part["weight"].sum())
            estimate = float((part["weight"] * part["estimate"]).sum() / weight) if weight else np.nan
            rows.append({"term": kind, "weight": weight, "estimate": estimate,
                         "contribution": weight * estimate, "comparisons": len(part),
                         "forbidden": kind in FORBIDDEN})
        return pd.DataFrame(rows)

    @property
    def forbidden_weight(self) -> float:
        c = self.comparisons
        return float(c.loc[c["type"].isin(FORBIDDEN), "weight"].sum())

    @property
    def forbidden_estimate(self) -> float:
        c = self.comparisons[self.comparisons["type"].isin(FORBIDDEN)]
        weight = c["weight"].sum()
        return float((c["weight"] * c["estimate"]).sum() / weight) if weight > 0 else float("nan")

    @property
    def clean_estimate(self) -> float:
        c = self.comparisons[~self.comparisons["type"].isin(FORBIDDEN)]
        weight = c["weight"].sum()
        return float((c["weight"] * c["estimate"]).sum() / weight) if weight > 0 else float("nan")

    def explain(self, lang: str = "cs", reference: float | None = None) -> str:
        """Why TWFE may differ from a heterogeneity-robust estimate (``reference``, e.g. the
        Callaway–Sant'Anna ATT), in Czech or English."""
        from evaluation.reporting.formatting import format_number, format_percent
        from evaluation.reporting.labels import check_lang

        check_lang(lang)

        def num(x: float) -> str:
            return format_number(x, lang, 3)

        share = format_percent(self.forbidden_weight, lang, 1)
        if lang == "cs":
            text = (f"Koeficient TWFE ({num(self.twfe_estimate)}) je vážený průměr všech srovnání 2×2. "
                    f"{share} váhy připadá na „zakázaná“ srovnání, v nichž jako kontrola slouží již "
                    "léčené jednotky")
            text += (f"; jejich průměrný odhad je {num(self.forbidden_estimate)}, zatímco čistá srovnání "
                     f"(s nikdy či dosud neléčenými) dávají {num(self.clean_estimate)}."
                     if self.forbidden_weight > 0 else ".")
            text += (" Mění-li se efekt v čase, zakázaná srovnání odečítají změnu efektu u kontrol a "
                     "TWFE se vychyluje, případně až ke změně znaménka.")
            if reference is not None:
                text += (f" Odhad odolný vůči heterogenitě (Callaway & Sant'Anna) je {num(reference)}; "
                         f"rozdíl oproti TWFE je {num(self.twfe_estimate - reference)}.")
            return text
        text = (f"The TWFE coefficient ({num(self.twfe_estimate)}) is a weighted average of all 2×2 "
                f"comparisons. {share} of the weight falls on 'forbidden' comparisons that use "
                "already-treated units as controls")
        text += (f"; their average estimate is {num(self.forbidden_estimate)}, while the clean "
                 f"comparisons (with never- or not-yet-treated units) give {num(self.clean_estimate)}."
                 if self.forbidden_weight > 0 else ".")
        text += (" When effects change over time, forbidden comparisons subtract the controls' "
                 "changing effect and bias TWFE, possibly to the wrong sign.")
        if reference is not None:
            text += (f" The heterogeneity-robust estimate (Callaway & Sant'Anna) is {num(reference)}; "
                     f"TWFE differs from it by {num(self.twfe_estimate - reference)}.")
        return text

    def summary(self) -> str:
        return super().summary() + f"\n\nTWFE coefficient: {self.twfe_estimate:.6g}\n" + self.explain("en")

    def plot(self, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
        """Estimate against weight of every comparison, by type (as bacondecomp's figure)."""
        import matplotlib.pyplot as plt

        from evaluation.reporting import plot_labels as pl
        from evaluation.reporting.formatting import format_number

        pl.check_lang(lang)
        ax = ax if ax is not None else plt.subplots(figsize=kwargs.pop("figsize", (6.5, 4)))[1]
        markers = dict(zip(TYPES, ("o", "^", "x", "s")))
        for index, kind in enumerate(TYPES):
            part = self.comparisons[self.comparisons["type"] == kind]
            if len(part):
                ax.scatter(part["weight"], part["estimate"], marker=markers[kind], color=f"C{index}",
                           label=phrase(kind, lang), **kwargs)
        ax.axhline(0, color="0.4", linewidth=0.8)
        ax.axhline(self.twfe_estimate, color="C3", linestyle="--", linewidth=0.8,
                   label=phrase("twfe_line", lang, value=format_number(self.twfe_estimate, lang, 3)))
        ax.set_xlabel(phrase("weight", lang))
        ax.set_ylabel(phrase("estimate_2x2", lang))
        pl.number_axis(ax, lang, axis="y")
        pl.number_axis(ax, lang, axis="x")
        pl.legend_above(ax)
        return ax


def _variance(D: np.ndarray) -> float:
    """Population variance of a (units × periods) 0/1 matrix after two-way demeaning."""
    dd = D - D.mean(axis=1, keepdims=True) - D.mean(axis=0, keepdims=True) + D.mean()
    return float((dd ** 2).mean())


def _did(Y: np.ndarray, treated: int, control: int, window: np.ndarray, post: np.ndarray) -> float:
    """2×2 DiD of group means ``Y`` (groups × periods) within ``window``, post = ``post``."""
    pre = window & ~post
    inside = window & post
    return float((Y[treated, inside].mean() - Y[treated, pre].mean())
                 - (Y[control, inside].mean() - Y[control, pre].mean()))


def bacon_decomposition(data: pd.DataFrame, outcome: str, unit: str, time: str,
                        first_treated: str | None = None, *, treatment: str | None = None,
                        covariates: Any = None) -> BaconResult:
    """All 2×2 comparisons behind the TWFE coefficient of a balanced staggered panel.

    Give the timing as ``first_treated`` (each unit's first treated period; missing or 0:
    never treated) or as a 0/1 ``treatment`` column that never switches off.

    Example
    -------
    >>> res = bacon_decomposition(panel, "evictions_per_1000", "municipality", "period",
    ...                           "pilot_start_period")  # doctest: +SKIP
    >>> res.by_type(); res.explain("cs"); res.plot(lang="en")  # doctest: +SKIP
    """
    if covariates:
        raise ConfigError("the decomposition with covariates (Goodman-Bacon's within/between split) is "
                          "not available: decompose the TWFE regression without covariates, or use the "
                          "heterogeneity-robust estimators, which accept covariates")
    if (first_treated is None) == (treatment is None):
        raise ConfigError("give exactly one of first_treated (period of entry) and treatment (0/1 column)")
    timing = first_treated or treatment
    require_columns(data, [outcome, unit, time, timing])
    frame, excluded = complete_rows(data, [outcome, unit, time] + ([treatment] if treatment else []))
    if excluded.total:
        raise DataError(f"{excluded.total} row(s) have missing values ({'; '.join(excluded.notes())}): "
                        "the decomposition needs a balanced panel with no gaps")
    if frame.duplicated([unit, time]).any():
        raise DataError(f"duplicated ({unit}, {time}) pairs: a panel needs one row per {unit} and {time}")
    period = period_codes(frame[time], time)
    units, n_units = group_codes(frame[unit])
    times, n_periods = group_codes(pd.Series(period))
    if len(frame) != n_units * n_periods:
        raise EstimationError(f"the panel is unbalanced ({len(frame)} rows for {n_units} units × "
                              f"{n_periods} periods): the decomposition holds for balanced panels only; "
                              "keep the units observed in every period")
    Y = np.full((n_units, n_periods), np.nan)
    Y[units, times] = frame[outcome].to_numpy(float)
    periods = np.unique(period)
    if treatment:
        D = np.zeros((n_units, n_periods))
        D[units, times] = indicator(frame, treatment)
        if (np.diff(D, axis=1) < 0).any():
            raise DataError(f"column {treatment!r} switches off for some units: the decomposition "
                            "needs treatment that stays on once it starts")
        start = np.where(D.any(axis=1), periods[np.argmax(D, axis=1)], np.inf)
    else:
        first = period_codes(frame[timing], timing)
        first = np.where(np.isnan(first) | (first == 0), np.inf, first)
        start = np.full(n_units, np.nan)
        start[units] = first
        if pd.Series(first).groupby(units).nunique().gt(1).any():
            raise DataError(f"column {first_treated!r} changes within a unit; it must be constant")
        D = (periods[None, :] >= start[:, None]).astype(float)
    start = np.where(start <= periods[0], -np.inf, start)  # treated before the panel: always treated
    groups = np.unique(start)
    share = np.array([(start == g).mean() for g in groups])
    means = np.vstack([Y[start == g].mean(axis=0) for g in groups])
    total_variance = _variance(D)
    if total_variance <= 0:
        raise EstimationError("the treatment does not vary once unit and period effects are removed: "
                              "there is nothing to decompose")
    rows = []
    for a, ga in enumerate(groups):
        if not np.isfinite(ga):
            continue  # never- and always-treated units serve only as controls
        for b, gb in enumerate(groups):
            if a == b:
                continue
            if gb == np.inf:
                kind, window = "Treated vs Untreated", np.ones(n_periods, bool)
            elif gb == -np.inf:
                kind, window = "Later vs Always Treated", np.ones(n_periods, bool)
            elif ga < gb:
                kind, window = "Earlier vs Later Treated", periods < gb
            else:
                kind, window = "Later vs Earlier Treated", periods >= gb
            post = periods >= ga
            if not (window & post).any() or not (window & ~post).any():
                continue
            pair = np.vstack([post[window], periods[window] >= gb]).astype(float)
            variance = _pair_variance(pair, share[a] / (share[a] + share[b]))
            weight = ((share[a] + share[b]) * window.mean()) ** 2 * variance / total_variance
            rows.append({"treated": ga, "control": gb, "type": kind,
                         "estimate": _did(means, a, b, window, post), "weight": weight})
    comparisons = pd.DataFrame(rows, columns=["treated", "control", "type", "estimate", "weight"])
    d_within = demean(D[units, times][:, None], [units, times])[:, 0]
    twfe_estimate = float(d_within @ Y[units, times] / (d_within @ d_within))
    implied = float((comparisons["weight"] * comparisons["estimate"]).sum())
    scale = max(1.0, abs(twfe_estimate), float(np.abs(Y).max()))
    if abs(implied - twfe_estimate) > 1e-8 * scale or abs(comparisons["weight"].sum() - 1) > 1e-8:
        raise EstimationError(f"internal check failed: the comparisons give {implied:.10g}, TWFE "
                              f"{twfe_estimate:.10g} (weights sum to {comparisons['weight'].sum():.10g})")
    never = int((start == np.inf).sum())
    always = int((start == -np.inf).sum())
    notes = ((f"{len(frame)} observations, {n_units} units × {n_periods} periods (balanced); "
              f"{int(np.isfinite(groups).sum())} entry cohorts, {never} never-treated and {always} "
              "always-treated unit(s)"),
             ("weights sum to 1; Σ weight × estimate = TWFE coefficient (difference "
              f"{abs(implied - twfe_estimate):.1e})"))
    return BaconResult(comparisons=comparisons, twfe_estimate=twfe_estimate, n_obs=len(frame),
                       n_units=n_units, n_periods=n_periods, notes=notes)


def _pair_variance(D_sub: np.ndarray, inner: float) -> float:
    """Variance of two-way-demeaned treatment in a 2-group sub-panel (group rows weighted by
    their unit shares ``inner`` and 1 − ``inner``)."""
    w = np.array([inner, 1 - inner])
    unit_means = D_sub.mean(axis=1)
    time_means = w @ D_sub
    grand = w @ unit_means
    dd = D_sub - unit_means[:, None] - time_means[None, :] + grand
    return float(w @ (dd ** 2).mean(axis=1))
