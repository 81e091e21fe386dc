"""Cumulative incidence of competing exits (Aalen–Johansen), e.g. positive vs negative exits.

With causes ``k`` and all-cause Kaplan–Meier ``S``, the cumulative incidence is
``F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j``. This is *not* ``1 - KM`` of one cause
with the others censored, which overstates each cause when the others are common.

Variance: the delta-method (Greenwood-type) estimator given by Collett, *Modelling
Survival Data in Medical Research* (3rd ed., 2015, section 12.2) and used by SAS
PROC LIFETEST and lifelines' ``AalenJohansenFitter``::

    Var F_k(t) = sum_j (F_k(t) - F_k(t_j))^2 d_j / (n_j (n_j - d_j))
               + sum_j S(t_j-)^2 d_kj (n_j - d_kj) / n_j^3
               - 2 sum_j (F_k(t) - F_k(t_j)) S(t_j-) d_kj / n_j^2

Intervals use the log(-log) transform, ``F ** exp(±z se / (F log F))``, which keeps
them in (0, 1). Tied times need no jitter here: all causes at a time are handled together.

Example
-------
>>> fit = AalenJohansen(times=(5,)).fit([1, 2, 3, 4, 6], ["a", "b", "censored", "a", "b"])
>>> fit.tidy()[["cause", "estimate"]].round(3).to_dict("records")
[{'cause': 'a', 'estimate': 0.5}, {'cause': 'b', 'estimate': 0.2}]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.results import FigureTable, Result
from evaluation.retention._riskset import (
    at_risk,
    event_counts,
    group_labels,
    loglog_interval,
    prepare,
    sorted_times,
    z_value,
)


def cumulative_incidence(entry: np.ndarray, stop: np.ndarray, codes: np.ndarray, n_causes: int) -> dict[str, np.ndarray]:
    """Aalen–Johansen estimates for one group at each distinct exit time (arrays per cause in columns)."""
    entry_sorted, stop_sorted = sorted_times(entry, stop)
    times, d_k, censored = event_counts(stop, codes, n_causes, stop_sorted)
    n = at_risk(entry_sorted, stop_sorted, times, presorted=True).astype(float)
    d = d_k.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(n > 0, 1 - d / n, 1.0))
        s_prev = np.concatenate([[1.0], surv[:-1]])
        inc = s_prev[:, None] * d_k / n[:, None]
        cif = np.cumsum(inc, axis=0)
        a = np.where((d > 0) & (n > d), d / (n * (n - d)), 0.0)[:, None]
        b = s_prev[:, None] ** 2 * d_k * (n[:, None] - d_k) / n[:, None] ** 3
        c = s_prev[:, None] * d_k / n[:, None] ** 2
    cum = np.cumsum
    var = (cif ** 2 * cum(a * np.ones_like(cif), axis=0) - 2 * cif * cum(a * cif, axis=0) + cum(a * cif ** 2, axis=0)
           + cum(b, axis=0) - 2 * (cif * cum(c, axis=0) - cum(c * cif, axis=0)))
    return {"time": times, "n_risk": n.astype(np.int64), "d_k": d_k, "n_censor": censored, "cif": cif,
            "var": np.maximum(var, 0.0), "survival": surv}


@dataclass(frozen=True)
class CumulativeIncidenceResult(Result):
    """Cumulative incidence of each exit type by group; ``tidy()`` at the requested times."""
    curves: pd.DataFrame  # group, cause, time, n_risk, n_event, estimate, std_error, conf_low, conf_high
    times: tuple[float, ...]
    alpha: float
    group_sizes: pd.DataFrame
    excluded: pd.DataFrame
    causes: tuple[str, ...]
    label: str = "Cumulative incidence of exits (Aalen–Johansen)"

    count_columns = ("n_events",)
    n_column = "n"

    @property
    def title(self) -> str:
        return self.label

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [f"Time in months. Aalen–Johansen estimator; {round(100 * (1 - self.alpha))}% intervals from the "
                 "delta-method variance (Collett 2015) on the log(-log) scale.",
                 "Each exit type's incidence accounts for the competing exits (it is not 1 - Kaplan–Meier)."]
        for _, row in self.excluded.iterrows():
            notes.append(f"Excluded {row['rows']} rows: {row['reason']}.")
        return tuple(notes)

    def incidence_at(self, times: float | Sequence[float]) -> pd.DataFrame:
        ts = np.atleast_1d(np.asarray(times, dtype=float))
        sizes = self.group_sizes.set_index("group")
        rows = []
        for (group, cause), curve in self.curves.groupby(["group", "cause"], sort=False, observed=True):
            idx = np.searchsorted(curve["time"].to_numpy(), ts, side="right") - 1
            for t, i in zip(ts, idx):
                if t > sizes.loc[group, "max_time"]:
                    est = se = low = high = np.nan
                elif i < 0:
                    est, se, low, high = 0.0, 0.0, 0.0, 0.0
                else:
                    r = curve.iloc[i]
                    est, se, low, high = r["estimate"], r["std_error"], r["conf_low"], r["conf_high"]
                rows.append({"group": group, "cause": cause, "term": f"F_{cause}({t:g})", "time": t,
                             "estimate": est, "std_error": se, "conf_low": low, "conf_high": high,
                             "n_events": int(curve.loc[curve["time"] <= t, "n_event"].sum()),
                             "n": int(sizes.loc[group, "n"])})
        return pd.DataFrame(rows)

    def tidy(self) -> pd.DataFrame:
        return self.incidence_at(self.times)

    figure_drawer: ClassVar[str] = "evaluation.retention._plotting:draw_cumulative_incidence"
    derived_follow: ClassVar[tuple[str, ...]] = ("n_events",)

    def figure_tables(self) -> dict[str, FigureTable]:
        """The cumulative-incidence curves; a published step stands for at least the threshold
        number of exits of its type."""
        curve = self.curves[["group", "cause", "time", "estimate", "conf_low", "conf_high", "n_event"]]
        end = float(self.group_sizes["max_time"].max()) if len(self.group_sizes) else 0.0
        return {"curve": FigureTable(curve, curve={"group": ["group", "cause"], "time": "time",
                                                   "events": "n_event", "drop": ["n_event"]},
                                     title_cs="Kumulativní podíl odchodů podle typu",
                                     title_en="Cumulative share of exits by type",
                                     options={"group_column": getattr(self, "group_name", "group"), "end": end})}


def _cause_codes(causes: Any, censored: Any) -> tuple[np.ndarray, list[str]]:
    """Integer codes of the exit types (0 = censored, 1.. = the sorted labels, -1 = missing) and
    the labels; each distinct value is looked at once, not each row."""
    row_codes, uniques = pd.factorize(np.asarray(causes, dtype=object))
    is_censored = np.array([u == censored for u in uniques], dtype=bool)
    labels = sorted({str(u) for u, c in zip(uniques, is_censored) if not c})
    if not labels:
        raise DataError("no exits to analyse: every episode is censored")
    per_unique = np.array([0 if c else labels.index(str(u)) + 1 for u, c in zip(uniques, is_censored)] +
                          [0 if censored is None else -1], dtype=np.int64)  # the last: missing values
    return per_unique[row_codes], labels


class AalenJohansen:
    """Aalen–Johansen cumulative incidence for competing exit types, with late entry.

    ``fit(durations, causes, entry=None, groups=None, censored="censored")``: ``causes``
    holds the exit type of each episode (any labels) and ``censored`` the label of
    episodes still going on. ``causes_of_interest`` limits the reported types.

    Example
    -------
    >>> r = AalenJohansen(times=(2,)).fit([1, 2, 3], ["pos", "neg", "censored"])
    >>> r.tidy()["estimate"].round(4).tolist()
    [0.3333, 0.3333]
    """

    def __init__(self, alpha: float = 0.05, times: Sequence[float] = (6, 12, 20)) -> None:
        self.alpha, self.times = alpha, tuple(float(t) for t in times)
        self._z = z_value(alpha)

    def fit(self, durations: Any, causes: Any, entry: Any = None, groups: Any = None, *,
            censored: Any = "censored", causes_of_interest: Sequence[str] | None = None,
            label: str = "Cumulative incidence of exits (Aalen–Johansen)") -> CumulativeIncidenceResult:
        codes, labels = _cause_codes(causes, censored)
        data = prepare(durations, None, entry, groups, event_codes=codes)
        wanted = labels if causes_of_interest is None else [c for c in causes_of_interest]
        unknown = [c for c in wanted if c not in labels]
        if unknown:
            raise DataError(f"exit types {', '.join(unknown)} do not occur; types present: {', '.join(labels)}")
        frames, sizes = [], []
        for name, group_entry, group_stop, group_event, rows in data.by_group():
            est = cumulative_incidence(group_entry, group_stop, group_event, len(labels))
            for k, cause in enumerate(labels):
                if cause not in wanted:
                    continue
                f, se = est["cif"][:, k], np.sqrt(est["var"][:, k])
                with np.errstate(divide="ignore", invalid="ignore"):
                    low, high = loglog_interval(f, np.where(f > 0, se / f, 0.0), self._z)
                low[f <= 0], high[f <= 0] = 0.0, 0.0
                frames.append(pd.DataFrame({"group": name, "cause": cause, "time": est["time"],
                                            "n_risk": est["n_risk"], "n_event": est["d_k"][:, k],
                                            "estimate": f, "std_error": se, "conf_low": low, "conf_high": high}))
            sizes.append({"group": name, "n": rows, "max_time": float(est["time"][-1])})
        return CumulativeIncidenceResult(curves=pd.concat(frames, ignore_index=True), times=self.times,
                                         alpha=self.alpha, group_sizes=pd.DataFrame(sizes),
                                         excluded=data.excluded, causes=tuple(wanted), label=label)

    def fit_episodes(self, episodes: Any, by: str | Sequence[str] | None = None, **kwargs: Any) -> CumulativeIncidenceResult:
        """Fit on :func:`housing_episodes` output: exit types from its ``outcome`` column."""
        frame = getattr(episodes, "data", episodes)
        groups = None if by is None else frame[[by] if isinstance(by, str) else list(by)]
        return self.fit(frame["exit_time"], frame["outcome"].astype(object), entry=frame["entry"], groups=groups,
                        censored="censored", **kwargs)


__all__ = ["AalenJohansen", "CumulativeIncidenceResult", "cumulative_incidence", "group_labels"]
