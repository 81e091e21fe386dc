"""What the heterogeneity-robust event studies share: the staggered panel, the event-time
result surface and the chart words.

``prepare_staggered`` turns a long panel with each unit's first treated period into codes
(unit, period, cohort), event time and the treated flag, excluding (and counting) rows no
estimator can use. :class:`EventTimeResult` is the one result surface of the robust
estimators (Sun & Abraham, two-stage DiD, imputation): a tidy table of event-time effects
with an optional overall ATT, ``summary()``, ``_repr_html_`` and ``plot(lang=...)``.

Example
-------
>>> import pandas as pd
>>> df = pd.DataFrame({"u": [1, 1, 2, 2, 3, 3], "t": [1, 2, 1, 2, 1, 2],
...                    "g": [2, 2, 0, 0, 0, 0], "y": [0.0, 1, 0, 0, 1, 1]})
>>> sp = prepare_staggered(df, "y", "u", "t", "g")
>>> sp.rel.tolist()
[-1.0, 0.0, nan, nan, nan, nan]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._design import (
    Exclusions,
    check_covariates,
    group_codes,
    numeric,
    period_codes,
)
from evaluation.impact._panel import Panel, prepare_panel
from evaluation.impact.covariance import cov_name
from evaluation.results import Result

#: Words of the robust event-study charts and texts: key -> (Czech, English).
PHRASES: dict[str, tuple[str, str]] = {
    "twfe": ("TWFE (dvousměrné fixní efekty)", "TWFE (two-way fixed effects)"),
    "callaway_santanna": ("Callaway & Sant'Anna", "Callaway & Sant'Anna"),
    "sun_abraham": ("Sun & Abraham", "Sun & Abraham"),
    "two_stage": ("Dvoustupňový DiD (Gardner)", "Two-stage DiD (Gardner)"),
    "imputation": ("Imputace (Borusyak, Jaravel, Spiess)", "Imputation (Borusyak, Jaravel, Spiess)"),
    "estimator": ("Odhad", "Estimator"),
    "weight": ("Váha", "Weight"),
    "estimate_2x2": ("Odhad srovnání 2×2", "2×2 estimate"),
    "Treated vs Untreated": ("léčení vs. nikdy neléčení", "Treated vs Untreated"),
    "Earlier vs Later Treated": ("dřívější vs. pozdější (dosud neléčení)", "Earlier vs Later Treated"),
    "Later vs Earlier Treated": ("pozdější vs. dřívější (již léčení, zakázané)",
                                 "Later vs Earlier Treated (forbidden)"),
    "Later vs Always Treated": ("pozdější vs. vždy léčení (zakázané)",
                                "Later vs Always Treated (forbidden)"),
    "twfe_line": ("TWFE koeficient {value}", "TWFE coefficient {value}"),
}


def phrase(key: str, lang: str, **values: Any) -> str:
    from evaluation.reporting.plot_labels import check_lang

    check_lang(lang)
    text = PHRASES[key][0 if lang == "cs" else 1]
    return text.format(**values) if values else text


@dataclass(frozen=True)
class StaggeredPanel:
    """A staggered-adoption panel as integer codes (rows in ``panel.frame`` order)."""

    panel: Panel
    first: np.ndarray        # first treated period per row (nan: never treated)
    rel: np.ndarray          # event time t - first (nan: never treated)
    treated: np.ndarray      # bool: the row is treated (rel >= -anticipation)
    covariates: np.ndarray   # n x K (K may be 0)
    covariate_names: tuple[str, ...]
    exclusions: Exclusions
    absorb: np.ndarray       # codes of the effects absorbed besides the period (default: the unit)

    @property
    def n_rows(self) -> int:
        return int(self.panel.y.size)

    @property
    def unit(self) -> np.ndarray:
        return self.panel.entity

    @property
    def time(self) -> np.ndarray:
        return self.panel.time

    @property
    def y(self) -> np.ndarray:
        return self.panel.y

    @property
    def weights(self) -> np.ndarray | None:
        return self.panel.weights

    def subset(self, keep: np.ndarray, reason: str, cluster: str | None) -> StaggeredPanel:
        """The rows in ``keep`` (codes made dense again), the others counted under ``reason``."""
        if keep.all():
            return self
        frame = self.panel.frame.loc[keep]
        clusters, n_clusters = (group_codes(frame[cluster]) if cluster else (None, None))
        panel = Panel(frame=frame, y=self.panel.y[keep],
                      entity=group_codes(pd.Series(self.panel.entity[keep]))[0],
                      time=group_codes(pd.Series(self.panel.time[keep]))[0],
                      period=self.panel.period[keep],
                      weights=None if self.panel.weights is None else self.panel.weights[keep],
                      clusters=clusters, n_clusters=n_clusters, exclusions=self.panel.exclusions,
                      gaps=self.panel.gaps)
        return StaggeredPanel(panel, self.first[keep], self.rel[keep], self.treated[keep],
                              self.covariates[keep], self.covariate_names,
                              self.exclusions.add(reason, int((~keep).sum())),
                              group_codes(pd.Series(self.absorb[keep]))[0])


def cluster_column(cov_type: str, cluster: str | None, unit: str) -> str:
    """The cluster column of a robust event study: only cluster-robust inference is offered."""
    if cov_name(cov_type) != "cluster":
        raise ConfigError(f"cov_type {cov_type!r} is not available here: with repeated observations "
                          "of the same units only cluster-robust errors are valid; use "
                          "cov_type='clustered' (by unit unless cluster= names another column)")
    return cluster or unit


def prepare_staggered(data: pd.DataFrame, outcome: str, unit: str, time: str, first_treated: str, *,
                      covariates: Sequence[str] = (), weights: str | None = None,
                      cluster: str | None = None, anticipation: int = 0,
                      absorb: str | None = None) -> StaggeredPanel:
    """Complete rows, codes, event time and treatment status of a staggered-adoption panel.

    ``first_treated`` holds each unit's first treated period in the units of ``time``
    (integers, or dates for monthly data); missing or 0 marks never-treated units.
    ``absorb`` names a column whose effects replace the unit effects where an estimator
    absorbs them (e.g. a region containing the units); default: the unit.
    """
    if int(anticipation) != anticipation or anticipation < 0:
        raise ConfigError(f"anticipation must be a whole number of periods >= 0, got {anticipation!r}")
    covariates = list(covariates)
    panel = prepare_panel(data, outcome=outcome, entity=unit, time=time,
                          columns=covariates + ([absorb] if absorb else []),
                          optional=[first_treated], weights=weights, cluster=cluster)
    frame = panel.frame
    first = period_codes(frame[first_treated], first_treated)
    first = np.where(first == 0, np.nan, first)
    varies = pd.Series(first).fillna(-1).groupby(panel.entity).nunique() > 1
    if varies.any():
        raise DataError(f"column {first_treated!r} changes within {int(varies.sum())} unit(s) of "
                        f"{unit!r}; it must be the same in every row of a unit")
    if np.isnan(first).all():
        raise EstimationError(f"no unit has a first treated period in {first_treated!r}: nothing "
                              "to estimate")
    check_covariates(frame, covariates)
    cov = (np.column_stack([numeric(frame, c) for c in covariates]) if covariates
           else np.empty((len(frame), 0)))
    rel = panel.period - first
    treated = ~np.isnan(rel) & (rel >= -anticipation)
    codes = group_codes(frame[absorb])[0] if absorb else panel.entity
    return StaggeredPanel(panel, first, rel, treated, cov, tuple(covariates), panel.exclusions, codes)


def drop_always_treated(sp: StaggeredPanel, cluster: str | None,
                        codes: np.ndarray | None = None) -> tuple[StaggeredPanel, int]:
    """Units (or groups ``codes``) treated in every period observed carry no untreated outcome:
    left out. Returns the rest and the number of units left out."""
    codes = sp.unit if codes is None else codes
    untreated_rows = np.bincount(codes, weights=(~sp.treated).astype(float),
                                 minlength=int(codes.max()) + 1)
    always = untreated_rows[codes] == 0
    n_units = int(np.unique(sp.unit[always]).size)
    return sp.subset(~always, "units treated in every observed period (no untreated outcome)",
                     cluster), n_units


def normal_table(terms: Sequence[str], estimate: np.ndarray, se: np.ndarray, alpha: float,
                 df: float | None = None) -> pd.DataFrame:
    """Tidy estimate columns with a normal (``df=None``) or Student-t reference."""
    estimate, se = np.asarray(estimate, float), np.asarray(se, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = estimate / se
    dist = stats.norm if df is None else stats.t(df)
    crit = dist.ppf(1 - alpha / 2)
    return pd.DataFrame({"term": list(terms), "estimate": estimate, "std_error": se,
                         "conf_low": estimate - crit * se, "conf_high": estimate + crit * se,
                         "p_value": 2 * dist.sf(np.abs(t))})


def effect_rows(terms: Sequence[str], estimate: np.ndarray, se: np.ndarray, alpha: float, *,
                event_time: Sequence[float] | float, n_obs: Sequence[int] | int,
                df: float | None = None) -> pd.DataFrame:
    """:func:`normal_table` with the ``event_time``, ``reference`` and ``n_obs`` columns of an
    event-time result (``event_time`` NaN for an overall ATT)."""
    table = normal_table(terms, estimate, se, alpha, df)
    table["event_time"] = np.asarray(event_time, float) if np.ndim(event_time) else float(event_time)
    table["reference"] = False
    table["n_obs"] = n_obs
    return table


def sample_note(sp: StaggeredPanel, what: str) -> str:
    """First note of a robust estimator: observations, units, ever-treated units, and ``what``."""
    n_treated = int(np.unique(sp.unit[~np.isnan(sp.first)]).size)
    return (f"{sp.n_rows} observations, {int(sp.unit.max()) + 1} units ({n_treated} ever treated); "
            + what)


def event_term(e: float, lo: float | None = None, hi: float | None = None) -> str:
    """``e=-2``, ``e=0``, ``e=+3``; ``e<=-5`` / ``e>=+8`` for binned end points."""
    e = int(e)
    if lo is not None and e == lo and e < 0:
        return f"e<={e:d}"
    if hi is not None and e == hi and e > 0:
        return f"e>=+{e:d}"
    return "e=0" if e == 0 else f"e={e:+d}"


@dataclass(frozen=True)
class EventTimeResult(Result):
    """Event-time effects of a heterogeneity-robust estimator, with an overall ATT if estimated.

    ``table`` has the tidy columns plus ``event_time`` (float) and ``reference`` (the
    normalised period, estimate 0); ``overall`` is a one-row table (term ``ATT``) or empty.
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    method: str
    n_obs: int
    n_units: int
    n_treated_units: int
    alpha: float
    cluster: str
    n_clusters: int
    notes: tuple[str, ...] = ()
    exclusions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["reason", "rows"]))

    phrase_key: str = field(default="", repr=False)

    @property
    def title(self) -> str:
        return self.method

    def tidy(self) -> pd.DataFrame:
        """Event-time rows in order, then the overall ATT (``event_time`` missing) if estimated."""
        rows = self.table.sort_values("event_time")
        table = pd.concat([rows, self.overall], ignore_index=True) if len(self.overall) else rows
        table = table.reset_index(drop=True)
        table["n_obs"] = self.n_obs
        return table

    def effect(self, event_time: int) -> pd.Series:
        """The row of one event time (a KeyError names the event times estimated)."""
        rows = self.table[self.table["event_time"] == event_time]
        if rows.empty:
            raise KeyError(f"event time {event_time} not estimated; estimated: "
                           f"{sorted(self.table['event_time'].astype(int).tolist())}")
        return rows.iloc[0]

    @property
    def estimate(self) -> float:
        """The overall ATT (NaN when only event-time effects were estimated)."""
        return float(self.overall["estimate"].iloc[0]) if len(self.overall) else float("nan")

    @property
    def std_error(self) -> float:
        return float(self.overall["std_error"].iloc[0]) if len(self.overall) else float("nan")

    def plot(self, ax: Any = None, *, lang: str = "cs", time_unit: str = "period", **kwargs: Any) -> Any:
        """Effects with confidence intervals by event time; entry marked between −1 and 0."""
        return plot_event_times([(self.phrase_key, self.table)], ax=ax, lang=lang,
                                time_unit=time_unit, alpha=self.alpha, legend=False, **kwargs)


def plot_event_times(series: Sequence[tuple[str, pd.DataFrame]], *, ax: Any = None, lang: str = "cs",
                     time_unit: str = "period", alpha: float = 0.05, legend: bool = True,
                     offset: float = 0.12, **kwargs: Any) -> Any:
    """Overlay of event-time estimates (one (phrase key, table) pair per estimator), each
    shifted sideways by ``offset`` so that the intervals do not hide each other."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl

    pl.check_lang(lang)
    if time_unit not in ("month", "quarter", "year", "period"):
        raise ConfigError(f"time_unit must be month, quarter, year or period (got {time_unit!r})")
    ax = ax if ax is not None else plt.subplots(figsize=kwargs.pop("figsize", (7.5, 4)))[1]
    markers = ("o", "s", "D", "^", "v", "P")
    all_x: list[float] = []
    for index, (key, table) in enumerate(series):
        shift = (index - (len(series) - 1) / 2) * offset
        x = table["event_time"].to_numpy(float)
        est = table["estimate"].to_numpy(float)
        low = np.nan_to_num(est - table["conf_low"].to_numpy(float))
        high = np.nan_to_num(table["conf_high"].to_numpy(float) - est)
        reference = (table["reference"].to_numpy(bool) if "reference" in table
                     else np.zeros(len(table), bool))
        colour = f"C{index}"
        label = phrase(key, lang) if key in PHRASES else key
        ax.errorbar(x[~reference] + shift, est[~reference], yerr=[low[~reference], high[~reference]],
                    fmt=markers[index % len(markers)], markersize=3.5, capsize=2, elinewidth=1,
                    color=colour, label=label)
        if reference.any():
            ax.plot(x[reference] + shift, est[reference], marker=markers[index % len(markers)],
                    markersize=4, linestyle="none", markerfacecolor="white", color=colour)
        all_x.extend(x.tolist())
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.axvline(-0.5, color="C3", linestyle="--", linewidth=0.8)
    ax.annotate(pl.text("entry", lang), xy=(-0.5, 1.0), xycoords=("data", "axes fraction"),
                xytext=(3, -3), textcoords="offset points", ha="left", va="top", fontsize="small",
                color="C3")
    pl.integer_ticks(ax, all_x, keep=(-1, 0), lang=lang)
    axis_key = {"month": "relative_month", "quarter": "relative_quarter", "year": "relative_year",
                "period": "relative_period"}[time_unit]
    ax.set_xlabel(pl.text(axis_key, lang))
    ax.set_ylabel(pl.text("estimated_effect", lang) + f" ({pl.level_text(alpha, lang)})")
    pl.number_axis(ax, lang, axis="y")
    if legend:
        pl.legend_above(ax)
    return ax
