"""Kaplan–Meier retention curves with Greenwood confidence intervals and late entry.

The estimator is the product-limit ``S(t) = prod_{t_j <= t} (1 - d_j / n_j)`` where
``n_j`` counts households with ``entry < t_j <= exit`` (so households already housed
when the records start enter the risk set at their entry time). The variance of
``log S`` is Greenwood's ``sum d_j / (n_j (n_j - d_j))``; the default interval is the
log(-log) one, ``S ** exp(±z se / log S)``, which stays inside (0, 1) (R ``survfit``
``conf.type="log-log"``, lifelines' "exponential Greenwood"). ``"log"`` (R's default)
and ``"plain"`` are also available.

Example
-------
>>> import numpy as np
>>> fit = KaplanMeier().fit([2, 4, 4, 7, 9], [1, 1, 0, 1, 0])
>>> round(float(fit.survival_at(5).iloc[0]["estimate"]), 4)
0.6
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.results import RESULT_FAMILY, FigureTable, Result
from evaluation.retention._riskset import (
    ALL,
    at_risk,
    display_at_risk,
    event_counts,
    loglog_interval,
    prepare,
    sorted_times,
    z_value,
)

CONF_TYPES = ("log-log", "log", "plain")


def _interval(surv: np.ndarray, se_log: np.ndarray, z: float, conf_type: str) -> tuple[np.ndarray, np.ndarray]:
    if conf_type == "log-log":
        return loglog_interval(surv, se_log, z)
    if conf_type == "log":
        with np.errstate(invalid="ignore", over="ignore"):
            low, high = surv * np.exp(-z * se_log), np.minimum(surv * np.exp(z * se_log), 1.0)
    else:
        se = surv * se_log
        low, high = np.clip(surv - z * se, 0, 1), np.clip(surv + z * se, 0, 1)
    zero = surv <= 0
    low[zero], high[zero] = np.nan, np.nan
    return low, high


def product_limit(entry: np.ndarray, stop: np.ndarray, event: np.ndarray,
                  ordered: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
    """Survival curve of one group at every distinct exit time (events and censorings);
    ``ordered``: (entry, stop) already sorted (:func:`sorted_times`)."""
    entry_sorted, stop_sorted = ordered if ordered is not None else sorted_times(entry, stop)
    times, deaths, censored = event_counts(stop, (event > 0).astype(np.int64), 1, stop_sorted)
    d = deaths[:, 0]
    n = at_risk(entry_sorted, stop_sorted, times, presorted=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(n > 0, d / n, 0.0)
        surv = np.cumprod(1.0 - hazard)
        term = np.where(d > 0, d / (n * (n - d).astype(float)), 0.0)
    greenwood = np.cumsum(term)  # inf once S reaches 0
    return pd.DataFrame({"time": times, "n_risk": n, "n_event": d, "n_censor": censored,
                         "survival": surv, "se_log": np.sqrt(greenwood)})


@dataclass(frozen=True)
class KaplanMeierResult(Result):
    """Survival (retention) curves by group.

    ``tidy()`` gives the survival at the requested times (default 6, 12, 20 months) per
    group; :meth:`survival_table` the whole curve; :meth:`median` median retention;
    :meth:`at_risk_table` the numbers at risk under the plot.
    """
    curves: pd.DataFrame
    times: tuple[float, ...]
    alpha: float
    conf_type: str
    group_sizes: pd.DataFrame  # group, n, n_events, n_late_entry, max_time
    excluded: pd.DataFrame
    data_summary: pd.DataFrame = field(repr=False)  # per group: entry/stop/event arrays are not kept
    label: str = "Retention (Kaplan–Meier)"
    group_name: str = "group"

    count_columns = ("n_risk", "n_events")
    n_column = "n"
    #: a survival estimate gives its number of exits back (n x (1 - S)): hidden when they are
    derived_follow: ClassVar[tuple[str, ...]] = ("n_events",)

    @property
    def title(self) -> str:
        return self.label

    @property
    def notes(self) -> tuple[str, ...]:
        level = round(100 * (1 - self.alpha))
        notes = [f"Time in months (days / 30.4375). {level}% confidence intervals from Greenwood's variance, "
                 f"{self.conf_type} transform.",
                 "Households already housed when records start enter the risk set at that date (late entry)."]
        late = int(self.group_sizes["n_late_entry"].sum())
        if late:
            notes.append(f"{late} households entered the risk set late (left truncation).")
        for _, row in self.excluded.iterrows():
            notes.append(f"Excluded {row['rows']} rows: {row['reason']}.")
        beyond = self._not_estimable()
        if beyond:
            notes.append("Not estimable (follow-up too short): " + "; ".join(beyond) + ".")
        return tuple(notes)

    def _not_estimable(self) -> list[str]:
        out = []
        for _, g in self.group_sizes.iterrows():
            late = [t for t in self.times if t > g["max_time"]]
            if late:
                out.append(f"{g['group']} at {', '.join(f'{t:g}' for t in late)} months "
                           f"(follow-up ends at {g['max_time']:.1f})")
        return out

    def survival_table(self) -> pd.DataFrame:
        """The whole curve: one row per group and distinct exit time."""
        return self.curves.drop(columns=["se_log"]).copy()

    def survival_at(self, times: float | Sequence[float]) -> pd.DataFrame:
        """Survival, standard error and interval at ``times`` (months), per group; NaN beyond follow-up."""
        ts = np.atleast_1d(np.asarray(times, dtype=float))
        rows = []
        for name, curve in self.curves.groupby("group", sort=False, observed=True):
            size = self.group_sizes.set_index("group").loc[name]
            t_curve = curve["time"].to_numpy()
            idx = np.searchsorted(t_curve, ts, side="right") - 1
            summary = self.data_summary[self.data_summary["group"] == name]
            for t, i in zip(ts, idx):
                if t > size["max_time"]:
                    est = se = low = high = np.nan
                elif i < 0:
                    est, se, low, high = 1.0, 0.0, 1.0, 1.0
                else:
                    r = curve.iloc[i]
                    est, se, low, high = r["survival"], r["std_error"], r["conf_low"], r["conf_high"]
                n_risk = int(summary["n_risk_at"].iloc[0](t)) if len(summary) else 0
                events = int(curve.loc[curve["time"] <= t, "n_event"].sum())
                rows.append({"group": name, "term": f"S({t:g})", "time": t, "estimate": est, "std_error": se,
                             "conf_low": low, "conf_high": high, "n_risk": n_risk, "n_events": events,
                             "n": int(size["n"])})
        return pd.DataFrame(rows)

    def tidy(self) -> pd.DataFrame:
        out = self.survival_at(self.times)
        return out.rename(columns={"group": self.group_name}) if self.group_name != "group" else out

    def median(self) -> pd.DataFrame:
        """Median retention per group (first time S <= 0.5) with the interval read off the
        confidence band (first times the upper and lower limits fall to 0.5), NaN when not reached."""
        rows = []
        for name, curve in self.curves.groupby("group", sort=False, observed=True):
            def first_below(col: str) -> float:
                hit = curve.loc[curve[col] <= 0.5, "time"]
                return float(hit.iloc[0]) if len(hit) else np.nan
            n = int(self.group_sizes.set_index("group").loc[name, "n"])
            rows.append({"group": name, "term": "median", "estimate": first_below("survival"),
                         "conf_low": first_below("conf_low"), "conf_high": first_below("conf_high"), "n": n})
        return pd.DataFrame(rows)

    def at_risk_table(self, times: Sequence[float] | None = None) -> pd.DataFrame:
        """Numbers at risk, cumulative events and censorings at ``times`` (default every 6 months)."""
        if times is None:
            top = float(self.group_sizes["max_time"].max())
            times = np.arange(0, top + 1e-9, 6.0)
        rows = []
        for _, s in self.data_summary.iterrows():
            curve = self.curves[self.curves["group"] == s["group"]]
            for t in times:
                past = curve["time"] <= t
                rows.append({"group": s["group"], "time": float(t), "n_risk": int(s["n_display_at"](t)),
                             "n_events": int(curve.loc[past, "n_event"].sum()),
                             "n_censored": int(curve.loc[past, "n_censor"].sum())})
        return pd.DataFrame(rows)

    def restricted_mean(self, tau: float | Sequence[float] = (12, 20), *, reference: str | None = None) -> Any:
        """Restricted mean survival time (mean months housed in the first ``tau``) of each curve, with
        contrasts against ``reference``: see :mod:`evaluation.retention.rmst`."""
        from evaluation.retention.rmst import rmst_from_km

        return rmst_from_km(self, tau, reference=reference)

    figure_drawer: ClassVar[str] = "evaluation.retention._plotting:draw_survival"

    def figure_tables(self) -> dict[str, FigureTable]:
        """The curves (a published step stands for at least the threshold number of exits; the
        households at risk and censorings of each step stay unpublished) and the numbers at risk
        every few months."""
        from evaluation.retention._plotting import time_grid

        curve = self.curves.rename(columns={"survival": "estimate"})[
            ["group", "time", "estimate", "conf_low", "conf_high", "n_event"]]
        top = float(self.group_sizes["max_time"].max()) if len(self.group_sizes) else 0.0
        at_risk = self.at_risk_table(time_grid(top))[["group", "time", "n_risk"]]
        # named as in tidy(), so that publication knows these are the at-risk counts of the table
        at_risk = at_risk.rename(columns={"group": self.group_name})
        return {"curve": FigureTable(curve, curve={"group": ["group"], "time": "time", "events": "n_event",
                                                   "drop": ["n_event"]},
                                     title_cs="Křivka udržení bydlení (Kaplan–Meier)",
                                     title_en="Retention curve (Kaplan–Meier)",
                                     options={"group_column": self.group_name, "end": top}),
                "at_risk": FigureTable(at_risk, count_columns=("n_risk",), title_cs="Počet v riziku",
                                       title_en="Number at risk", family=RESULT_FAMILY,
                                       dimensions=(self.group_name, "time"))}


class KaplanMeier:
    """Kaplan–Meier estimator of retention with late entry.

    Parameters
    ----------
    alpha : 1 - confidence level of the intervals.
    conf_type : "log-log" (default), "log" or "plain" transform of the Greenwood interval.
    times : months at which ``tidy()`` reports survival (default 6, 12, 20).

    Example
    -------
    >>> fit = KaplanMeier(times=(3,)).fit([1, 2, 3, 4], [1, 0, 1, 0], entry=[0, 0, 0.5, 0])
    >>> fit.tidy()[["term", "estimate"]].to_dict("records")
    [{'term': 'S(3)', 'estimate': 0.375}]
    """

    def __init__(self, alpha: float = 0.05, conf_type: str = "log-log",
                 times: Sequence[float] = (6, 12, 20)) -> None:
        if conf_type not in CONF_TYPES:
            raise DataError(f"conf_type must be one of {', '.join(CONF_TYPES)} (got {conf_type!r})")
        self.alpha, self.conf_type, self.times = alpha, conf_type, tuple(float(t) for t in times)
        self._z = z_value(alpha)

    def fit(self, durations: Any, events: Any, entry: Any = None, groups: Any = None,
            *, label: str = "Retention (Kaplan–Meier)", group_name: str = "group") -> KaplanMeierResult:
        """Estimate the curves; ``durations``/``entry`` in months, ``events`` 1 = event, 0 = censored,
        ``groups`` a Series/array or DataFrame of grouping columns (one curve per combination)."""
        data = prepare(durations, events, entry, groups)
        curves, sizes, summaries = [], [], []
        for name, e, s, ev, rows in data.by_group():
            ordered = sorted_times(e, s)
            curve = product_limit(e, s, ev, ordered)
            surv, se_log = curve["survival"].to_numpy(), curve["se_log"].to_numpy()
            low, high = _interval(surv, se_log, self._z, self.conf_type)
            with np.errstate(invalid="ignore"):  # S = 0 with an infinite Greenwood term: NaN, as pandas gives
                std_error = surv * se_log
            curves.append(pd.DataFrame({"group": name, **{c: curve[c].to_numpy() for c in curve.columns},
                                        "std_error": std_error, "conf_low": low, "conf_high": high}))
            sizes.append({"group": name, "n": rows, "n_events": int(np.count_nonzero(ev)),
                          "n_late_entry": int(np.count_nonzero(np.isfinite(e) & (e > 0))),
                          "max_time": float(ordered[1][-1])})
            summaries.append({"group": name,
                              "n_risk_at": _Counter(*ordered, display=False),
                              "n_display_at": _Counter(*ordered, display=True)})
        return KaplanMeierResult(curves=pd.concat(curves, ignore_index=True), times=self.times, alpha=self.alpha,
                                 conf_type=self.conf_type, group_sizes=pd.DataFrame(sizes),
                                 excluded=data.excluded, data_summary=pd.DataFrame(summaries),
                                 label=label, group_name=group_name)

    def fit_episodes(self, episodes: Any, by: str | Sequence[str] | None = None, **kwargs: Any) -> KaplanMeierResult:
        """Fit on the output of :func:`evaluation.retention.housing_episodes` (its ``data``), by columns ``by``."""
        frame = getattr(episodes, "data", episodes)
        groups = None
        if by is not None:
            cols = [by] if isinstance(by, str) else list(by)
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise DataError(f"episodes have no column(s) {', '.join(missing)} to group by; "
                                "pass households= to housing_episodes to add household attributes")
            groups = frame[cols]
            kwargs.setdefault("group_name", " / ".join(cols))
        return self.fit(frame["exit_time"], frame["event"].astype(int), entry=frame["entry"], groups=groups, **kwargs)


class _Counter:
    """Counts households at risk at any time from sorted entry and exit times (keeps no rows)."""

    def __init__(self, entry: np.ndarray, stop: np.ndarray, display: bool) -> None:
        self._entry, self._stop, self._display = entry, stop, display  # sorted (sorted_times)

    def __call__(self, t: float) -> int:
        fn = display_at_risk if self._display else at_risk
        return int(fn(self._entry, self._stop, np.array([t]), presorted=True)[0])

    def __repr__(self) -> str:
        return "<at-risk counter>"


__all__ = ["ALL", "KaplanMeier", "KaplanMeierResult"]
