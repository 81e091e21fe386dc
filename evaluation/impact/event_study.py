"""Event study: leads and lags of programme entry in a two-way fixed effects regression.

y_it = α_i + λ_t + Σ_{e ≠ ref} β_e·1[t − E_i = e] + X_it'γ + ε_it, where E_i is the first
treated period of unit i (missing or 0: never treated, these units are the controls).
Event times beyond the window are binned into the end points (``bin_endpoints=True``,
the usual choice, which keeps the effects identified with staggered entry; Schmidheiny &
Siegloch 2023) or their rows are excluded and counted. β_ref is normalised to zero.

Pre-trend test: Wald test that all lead coefficients are zero, F(q, G−1) with clustered
errors (Stata's ``test`` after ``reghdfe, cluster``). With staggered entry and effects
that differ by cohort the TWFE leads and lags mix cohorts (Sun & Abraham 2021); a note
and :class:`~evaluation.impact._design.StaggeredTimingWarning` say so.

Example
-------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> df = pd.DataFrame({"unit": np.repeat(np.arange(60), 10), "t": np.tile(np.arange(10), 60)})
>>> df["first"] = np.where(df.unit < 30, 5, 0)
>>> df["y"] = np.where((df["first"] > 0) & (df.t >= 5), 2.0, 0.0) + rng.normal(size=len(df))
>>> res = event_study(df, "y", "unit", "t", "first", leads=3, lags=3)
>>> round(res.tidy().set_index("term").loc["e=0", "estimate"])
2
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError, EstimationError
from evaluation.impact._design import (
    StaggeredTimingWarning,
    check_covariates,
    numeric,
    period_codes,
    warn_few_clusters,
)
from evaluation.impact._panel import panel_notes, prepare_panel
from evaluation.impact._regression import RegressionResult, fit_linear
from evaluation.impact.covariance import WaldTest, cov_name, wald_test


@dataclass(frozen=True)
class EventStudyResult(RegressionResult):
    """Coefficients by event time (``event_time`` column; the reference row has estimate 0)."""

    reference: int = -1
    pretrend: WaldTest | None = None
    n_entities: int = 0
    n_treated: int = 0
    n_never_treated: int = 0
    #: End-point terms whose bin holds more than one event time (binned leads/lags).
    pooled_terms: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return "Event study (leads and lags of entry)"

    def tidy(self) -> pd.DataFrame:
        """Event-time coefficients in order, with the reference period as a zero row."""
        table = self.coefficients[self.coefficients["event_time"].notna()].copy()
        reference = pd.DataFrame({"term": [f"e={self.reference:+d}".replace("+0", "0")],
                                  "estimate": [0.0], "event_time": [self.reference],
                                  "reference": [True]})
        table["reference"] = False
        table = pd.concat([table, reference], ignore_index=True).sort_values("event_time")
        table["n_obs"] = self.n_obs
        return table.reset_index(drop=True)

    @property
    def event_time_vcov(self) -> pd.DataFrame:
        """Covariance of the event-time coefficients (reference row left out), indexed by event
        time; the block of ``vcov`` that sensitivity analyses (``honest_did``) need."""
        rows = self.coefficients[self.coefficients["event_time"].notna()]
        terms = rows["term"].tolist()
        times = pd.Index(rows["event_time"].to_numpy(float), name="event_time")
        block = self.vcov.loc[terms, terms].to_numpy()
        return pd.DataFrame(block, index=times, columns=times)

    def summary(self) -> str:
        text = super().summary()
        if self.pretrend is not None:
            p = self.pretrend
            text += (f"\n\nPre-trend test (all leads = 0): F({p.df_num}, {p.df_denom:g}) = "
                     f"{p.statistic:.3f}, p = {p.p_value:.3g}")
        return text

    figure_drawer: ClassVar[str] = "evaluation.impact.event_study:draw_event_study"

    def figure_options(self) -> dict[str, Any]:
        return {"reference": int(self.reference),
                "pretrend_p": None if self.pretrend is None else float(self.pretrend.p_value)}


TIME_UNITS = ("month", "quarter", "year", "period")


def effect_axis_label(lang: str, outcome: Any = None, unit: Any = None) -> str:
    """The y-axis title of an effect chart: the outcome and its unit (``Dluh na nájemném (Kč)``)
    when given as ``(Czech, English)`` pairs, else the general "Estimated effect"."""
    from evaluation.reporting import plot_labels as pl

    def pick(pair: Any) -> str:
        if pair is None:
            return ""
        return str(pair[0] if lang == "cs" else pair[1]) if isinstance(pair, (list, tuple)) else str(pair)

    name, unit_text = pick(outcome), pick(unit)
    if not name:
        return pl.text("estimated_effect", lang)
    effect = "Efekt: " if lang == "cs" else "Effect: "
    return f"{effect}{name}" + (f" ({unit_text})" if unit_text else "")


def draw_event_study(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", time_unit: str = "period",
                     reference: int = -1, pretrend_p: float | None = None, outcome: Any = None, unit: Any = None,
                     **kwargs: Any) -> Any:
    """Coefficients with confidence intervals by event time; entry marked between −1 and 0.

    ``table`` is :meth:`EventStudyResult.tidy` or its published form; ``time_unit`` ("month",
    "quarter", "year" or "period") words the x axis; ``outcome`` and ``unit`` (``(Czech, English)``)
    title the y axis; the pre-trend p-value is written in the corner; no title (the report's caption
    describes the figure). Example: ``result.plot(lang="en", time_unit="month")``.
    """
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.formatting import format_p_value

    pl.check_lang(lang)
    if time_unit not in TIME_UNITS:
        raise ConfigError(f"time_unit must be month, quarter, year or period (got {time_unit!r})")
    ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
    x = pd.to_numeric(table["event_time"], errors="coerce").to_numpy(float)
    est = pd.to_numeric(table["estimate"], errors="coerce").to_numpy(float)
    low = (est - pd.to_numeric(table["conf_low"], errors="coerce").to_numpy(float))
    high = (pd.to_numeric(table["conf_high"], errors="coerce").to_numpy(float) - est)
    err = np.nan_to_num(np.vstack([low, high]))
    is_reference = table["reference"].astype(str).str.lower().isin(("true", "1")).to_numpy(bool)
    colour = kwargs.pop("color", "C0")
    ax.errorbar(x[~is_reference], est[~is_reference], yerr=err[:, ~is_reference], fmt="o", markersize=3.5,
                capsize=2, elinewidth=1, color=colour, **kwargs)
    ax.plot(x[is_reference], est[is_reference], marker="o", markersize=4, linestyle="none",
            markerfacecolor="white", color=colour)
    ax.axhline(0, color="0.4", linewidth=0.8)
    ax.axvline(-0.5, color="C3", linestyle="--", linewidth=0.8)
    ax.annotate(pl.text("entry", lang), xy=(-0.5, 1.0), xycoords=("data", "axes fraction"),
                xytext=(3, -3), textcoords="offset points", ha="left", va="top", fontsize="small",
                color="C3")
    ends = {int(e): _end_label(term) for e, term in zip(x, table["term"]) if _end_label(str(term))}
    pl.integer_ticks(ax, x[~np.isnan(x)], ends, keep=(reference,), lang=lang)
    axis_key = {"month": "relative_month", "quarter": "relative_quarter", "year": "relative_year",
                "period": "relative_period"}[time_unit]
    reference_text = pl.text("reference_period", lang, ref=str(reference).replace("-", "−"))
    ax.set_xlabel(f"{pl.text(axis_key, lang)} ({reference_text})")
    ax.set_ylabel(effect_axis_label(lang, outcome, unit))
    if pretrend_p is not None:
        ax.text(0.01, 0.02, pl.text("pretrend_test", lang, p=format_p_value(pretrend_p, lang)),
                transform=ax.transAxes, ha="left", va="bottom", fontsize="small", color="0.3")
    pl.number_axis(ax, lang, axis="y")
    return ax


@dataclass(frozen=True)
class EventStudy:
    """Specification of an event study; :meth:`fit` takes the panel. See :func:`event_study`."""

    outcome: str
    entity: str
    time: str
    first_treated: str
    leads: int | None = None
    lags: int | None = None
    reference: int = -1
    bin_endpoints: bool = True
    covariates: Sequence[str] = ()
    cov_type: str = "clustered"
    cluster: str | None = None
    weights: str | None = None
    alpha: float = 0.05

    def fit(self, data: pd.DataFrame) -> EventStudyResult:
        kind = cov_name(self.cov_type)
        cluster = (self.cluster or self.entity) if kind == "cluster" else None
        covariates = list(self.covariates)
        panel = prepare_panel(data, outcome=self.outcome, entity=self.entity, time=self.time,
                              columns=covariates, optional=[self.first_treated],
                              weights=self.weights, cluster=cluster)
        frame = panel.frame
        first = period_codes(frame[self.first_treated], self.first_treated)
        first = np.where(first == 0, np.nan, first)  # 0 codes "never treated"
        varies = pd.Series(first).fillna(-1).groupby(panel.entity).nunique() > 1
        if varies.any():
            raise DataError(f"column {self.first_treated!r} changes within {int(varies.sum())} "
                            f"unit(s) of {self.entity!r}; it must be the same in every row of a unit")
        treated = ~np.isnan(first)
        n_treated = int(np.unique(panel.entity[treated]).size)
        n_never = panel.n_entities - n_treated
        if n_treated == 0:
            raise EstimationError(f"no unit has a first treated period in {self.first_treated!r}")
        rel = np.where(treated, panel.period - np.nan_to_num(first), np.nan)
        lo, hi = _window(rel, self.leads, self.lags, self.reference)
        binned_rel = rel.copy()
        exclusions = panel.exclusions
        keep = np.ones(len(frame), dtype=bool)
        pooled: tuple[str, ...] = ()
        if self.bin_endpoints:
            binned_rel = np.clip(rel, lo, hi)
            pooled = tuple(_label(e, lo, hi, True) for e, beyond in
                           ((lo, (rel < lo).any()), (hi, (rel > hi).any())) if beyond)
        else:
            outside = treated & ((rel < lo) | (rel > hi))
            exclusions = exclusions.add("treated-unit rows outside the event window "
                                        f"[{lo}, {hi}] (bin_endpoints=False)", int(outside.sum()))
            keep = ~outside
        event_times = [e for e in range(lo, hi + 1) if e != self.reference]
        names = tuple(_label(e, lo, hi, self.bin_endpoints) for e in event_times)
        columns = [(binned_rel == e).astype(float) for e in event_times]
        X = np.column_stack(columns + [numeric(frame, c) for c in covariates])
        check_covariates(frame, covariates)
        y = panel.y
        entity, time_codes = panel.entity, panel.time
        w, clusters, n_clusters = panel.weights, panel.clusters, panel.n_clusters
        if not keep.all():
            from evaluation.impact._design import group_codes

            X, y, entity, time_codes = X[keep], y[keep], entity[keep], time_codes[keep]
            entity = group_codes(pd.Series(entity))[0]
            time_codes = group_codes(pd.Series(time_codes))[0]
            w = None if w is None else w[keep]
            if clusters is not None:
                clusters, n_clusters = group_codes(pd.Series(clusters[keep]))
        empty = [n for n, col in zip(names, X.T) if not col.any()]
        if empty:
            raise EstimationError(f"no observations at event time(s) {', '.join(empty)}; "
                                  "narrow leads/lags or turn on bin_endpoints")
        groups = [entity, time_codes]
        all_names = names + tuple(covariates)
        try:
            fitted = fit_linear(y, X, all_names, cov_type=kind, alpha=self.alpha, clusters=clusters,
                                n_clusters=n_clusters, groups=groups, weights=w)
        except EstimationError as error:
            raise EstimationError(f"{error}. Event-time dummies are not identified: add never-treated "
                                  "units, bin the end points, or narrow the window") from None
        table = fitted.coefficients
        table["event_time"] = [float(e) for e in event_times] + [np.nan] * len(covariates)
        leads = [n for n, e in zip(names, event_times) if e < 0]
        pretrend = wald_test(all_names, table["estimate"].to_numpy(), fitted.covariance, leads) \
            if leads else None
        notes = panel_notes(panel, self.entity, self.time)
        notes.append(f"{n_treated} treated unit(s), {n_never} never treated; event window "
                     f"[{lo}, {hi}], reference {self.reference}"
                     + (", end points binned" if self.bin_endpoints else ""))
        if n_never == 0:
            notes.append("no never-treated units: the comparison comes from not-yet-treated units only")
        cohorts = int(np.unique(first[treated]).size)
        if cohorts > 1:
            message = (f"{cohorts} entry cohorts: with effects that differ by cohort, TWFE event-study "
                       "coefficients mix cohorts and leads can pick up lagged effects (Sun & Abraham "
                       "2021); compare with staggered_did")
            warnings.warn(message, StaggeredTimingWarning, stacklevel=3)
            notes.append(message)
        if kind == "cluster":
            treated_clusters = int(np.unique(clusters[treated[keep]]).size)
            message = warn_few_clusters(n_clusters, treated_clusters)
            if message:
                notes.append(message)
        notes.extend(exclusions.notes())
        return EventStudyResult(
            coefficients=table,
            vcov=pd.DataFrame(fitted.covariance.matrix, index=all_names, columns=all_names),
            term=_label(0, lo, hi, self.bin_endpoints) if 0 in event_times else names[-1],
            n_obs=int(keep.sum()), cov_type=kind, alpha=self.alpha, n_clusters=n_clusters,
            notes=tuple(notes), exclusions=exclusions.table(), design=fitted.design,
            reference=self.reference, pretrend=pretrend, n_entities=panel.n_entities,
            n_treated=n_treated, n_never_treated=n_never, pooled_terms=pooled)


def event_study(data: pd.DataFrame, outcome: str, entity: str, time: str, first_treated: str, *,
                leads: int | None = None, lags: int | None = None, reference: int = -1,
                bin_endpoints: bool = True, covariates: Sequence[str] = (),
                cov_type: str = "clustered", cluster: str | None = None,
                weights: str | None = None, alpha: float = 0.05) -> EventStudyResult:
    """Event-study regression of ``outcome`` on leads and lags of entry.

    ``first_treated`` holds each unit's first treated period (same units as ``time``:
    integers, or dates for monthly data; missing or 0 = never treated). ``leads``/``lags``
    set the window [−leads, lags] (default: every observed event time); ``reference`` is
    the omitted event time. See the module docstring for binning and the pre-trend test.

    Example
    -------
    >>> res = event_study(panel, "arrears_czk", "household_id", "month", "entry_month",
    ...                   leads=6, lags=12)  # doctest: +SKIP
    >>> res.pretrend.p_value, res.plot()  # doctest: +SKIP
    """
    return EventStudy(outcome, entity, time, first_treated, leads, lags, reference, bin_endpoints,
                      tuple(covariates), cov_type, cluster, weights, alpha).fit(data)


def _window(rel: np.ndarray, leads: int | None, lags: int | None, reference: int) -> tuple[int, int]:
    observed = rel[~np.isnan(rel)]
    lo = -int(leads) if leads is not None else int(observed.min())
    hi = int(lags) if lags is not None else int(observed.max())
    if leads is not None and leads < 1 or lags is not None and lags < 0:
        raise ConfigError("leads must be at least 1 and lags at least 0")
    if not lo <= reference <= hi:
        raise ConfigError(f"reference period {reference} lies outside the event window [{lo}, {hi}]")
    if lo >= 0:
        raise EstimationError("no pre-entry periods are observed for treated units: an event study "
                              "needs at least one period before entry")
    return lo, hi


def _end_label(term: str) -> str:
    """Tick text of a binned end point (``e<=-12`` -> ``≤ −12``); empty for other terms."""
    for code, sign in (("e<=", "≤ "), ("e>=", "≥ ")):
        if term.startswith(code):
            return sign + term[len(code):].replace("-", "−").lstrip("+")
    return ""


def _label(e: int, lo: int, hi: int, binned: bool) -> str:
    if binned and e == lo and lo < 0:
        return f"e<={e:d}"
    if binned and e == hi and hi > 0:
        return f"e>=+{e:d}"
    return "e=0" if e == 0 else f"e={e:+d}"
