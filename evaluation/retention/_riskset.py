"""Shared machinery of the retention estimators: input checks and risk-set counts.

Time is in months (days / 30.4375, the mean Gregorian month). Every estimator uses
the counting-process convention of R's ``survival`` package: a household with entry
time ``a`` and exit time ``b`` is at risk at time ``t`` when ``a < t <= b``; late entry
(left truncation) is therefore handled by the same count that handles right censoring.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError

#: Days in a month used to express durations in months (365.25 / 12).
DAYS_PER_MONTH = 30.4375
#: Label of the single group when no grouping is asked for.
ALL = "all"


def to_months(delta: pd.Series | pd.TimedeltaIndex | Any) -> np.ndarray:
    """Durations (timedeltas) in months of 30.4375 days.

    >>> to_months(pd.Series(pd.to_timedelta([30.4375, 365.25], unit="D"))).round(3).tolist()
    [1.0, 12.0]
    """
    days = pd.to_timedelta(delta) / pd.Timedelta(days=1)
    return np.asarray(days, dtype=float) / DAYS_PER_MONTH


def z_value(alpha: float) -> float:
    """Two-sided normal quantile for a ``1 - alpha`` interval, with the argument checked."""
    if not 0 < alpha < 1:
        raise DataError(f"alpha must lie strictly between 0 and 1 (got {alpha!r})")
    return float(stats.norm.ppf(1 - alpha / 2))


@dataclass(frozen=True)
class SurvivalInput:
    """Checked, aligned arrays for one analysis (rows with missing values already removed)."""
    entry: np.ndarray
    stop: np.ndarray
    event: np.ndarray  # int codes: 0 = censored, 1.. = event type (1 only for single-event data)
    group_index: np.ndarray  # per row: index into group_names
    group_names: tuple[str, ...]
    excluded: pd.DataFrame  # reason, rows

    @property
    def groups(self) -> np.ndarray:
        """Group label of every row (object array; ``ALL`` when ungrouped)."""
        return np.asarray(self.group_names, dtype=object)[self.group_index]

    def by_group(self) -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray, int]]:
        """(name, entry, stop, event, number of rows) per group, without copies when there is one group."""
        if len(self.group_names) == 1:
            yield self.group_names[0], self.entry, self.stop, self.event, self.stop.size
            return
        for i, name in enumerate(self.group_names):
            m = self.group_index == i
            yield name, self.entry[m], self.stop[m], self.event[m], int(m.sum())


def _as_array(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy(dtype=float, na_value=np.nan)
    try:
        return np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise DataError(f"{name} must be numeric (months); could not read it as numbers") from None


def group_labels(groups: Any, n: int) -> np.ndarray:
    """One text label per row from a Series, an array or a DataFrame of grouping columns
    (several columns are joined with ' / '); missing values stay ``None``."""
    if groups is None:
        return np.full(n, ALL, dtype=object)
    if isinstance(groups, pd.DataFrame):
        parts = [groups[c].astype(object) for c in groups.columns]
        missing = np.zeros(n, dtype=bool)
        for p in parts:
            missing |= p.isna().to_numpy()
        joined = parts[0].astype(str)
        for p in parts[1:]:
            joined = joined + " / " + p.astype(str)
        out = joined.to_numpy(dtype=object)
        out[missing] = None
        return out
    series = pd.Series(np.asarray(groups, dtype=object) if not isinstance(groups, pd.Series) else groups.to_numpy(dtype=object))
    if len(series) != n:
        raise DataError(f"groups has {len(series)} values but there are {n} durations")
    missing = series.isna().to_numpy()
    codes, uniques = pd.factorize(series.where(~missing, None))  # str() once per distinct value
    names = np.array([str(v) for v in uniques] + [None], dtype=object)
    return names[np.where(missing, -1, codes)]


def prepare(durations: Any, events: Any, entry: Any = None, groups: Any = None,
            *, event_codes: np.ndarray | None = None) -> SurvivalInput:
    """Check and align the inputs of a survival estimator.

    ``events`` is 0/1 (or boolean) unless ``event_codes`` (already integer-coded causes)
    is given. Rows with a missing duration, event or group are excluded and counted;
    a duration that is not after its entry time is an error, because it means the
    episode was built wrongly (``housing_episodes`` removes such spells and reports them).
    """
    stop = _as_array(durations, "durations")
    n = stop.size
    if n == 0:
        raise DataError("no episodes to analyse: durations is empty")
    if event_codes is None:
        ev = _as_array(events, "events")
        if ev.size != n:
            raise DataError(f"events has {ev.size} values but there are {n} durations")
        bad = ~np.isnan(ev) & ~np.isin(ev, (0.0, 1.0))
        if bad.any():
            raise DataError(f"events must be 0 (censored) or 1 (event); {int(bad.sum())} values are neither")
        ev_missing = np.isnan(ev)
        codes = np.where(ev_missing, 0, ev).astype(np.int64)
    else:
        codes = np.asarray(event_codes, dtype=np.int64)
        ev_missing = codes < 0
    # without entry times everyone is at risk from the start, including at time 0 (as R ``Surv(time, status)``)
    start = np.full(n, -np.inf) if entry is None else _as_array(entry, "entry")
    if start.size != n:
        raise DataError(f"entry has {start.size} values but there are {n} durations")
    if groups is None:
        label_codes, label_names, label_missing = np.zeros(n, dtype=np.int64), np.array([ALL], dtype=object), None
    else:
        labels = group_labels(groups, n)
        label_missing = pd.isna(labels)
        label_codes, label_names = pd.factorize(labels)

    reasons = {
        "missing duration": np.isnan(stop),
        "missing event indicator": ev_missing & ~np.isnan(stop),
        "missing entry time": np.isnan(start) & ~np.isnan(stop) & ~ev_missing,
    }
    keep = ~(reasons["missing duration"] | reasons["missing event indicator"] | reasons["missing entry time"])
    reasons["missing group"] = keep & label_missing if label_missing is not None else np.zeros(n, dtype=bool)
    keep &= ~reasons["missing group"]
    if not keep.any():
        raise DataError("no usable episodes: every row has a missing duration, event, entry or group")
    if np.isfinite(start[keep]).all() and (start[keep] < 0).any():
        raise DataError(f"entry times must be >= 0 months; {int((start[keep] < 0).sum())} are negative")
    if (stop[keep] < 0).any():
        raise DataError(f"durations must be >= 0 months; {int((stop[keep] < 0).sum())} are negative")
    bad = keep & (stop <= start)
    if bad.any():
        raise DataError(f"{int(bad.sum())} episodes end at or before their entry time (duration <= entry); "
                        "an episode must last a positive time after the household enters the risk set")
    excluded = pd.DataFrame({"reason": list(reasons), "rows": [int(v.sum()) for v in reasons.values()]})
    excluded = excluded[excluded["rows"] > 0].reset_index(drop=True)
    everything = bool(keep.all())
    present = label_codes if everything else label_codes[keep]
    used = np.flatnonzero(np.bincount(present, minlength=len(label_names)))
    names = sorted({str(label_names[i]) for i in used}, key=str)
    renumber = np.zeros(len(label_names), dtype=np.int64)
    renumber[used] = [names.index(str(label_names[i])) for i in used]
    if everything:
        return SurvivalInput(start, stop, codes, renumber[present], tuple(names), excluded)
    return SurvivalInput(start[keep], stop[keep], codes[keep], renumber[present], tuple(names), excluded)


def at_risk(entry: np.ndarray, stop: np.ndarray, times: np.ndarray, *, presorted: bool = False) -> np.ndarray:
    """Number at risk (``entry < t <= stop``) at each of ``times``, by sorted counting
    (``presorted``: entry and stop are already sorted)."""
    t = np.asarray(times, dtype=float)
    if not presorted:
        entry, stop = _sorted_entry(entry), np.sort(stop)
    # without entry times (all -inf) everyone has entered: no search needed
    entered = entry.size if entry.size and entry[-1] == -np.inf else np.searchsorted(entry, t, side="left")
    return (entered - np.searchsorted(stop, t, side="left")).astype(np.int64)


def _sorted_entry(entry: np.ndarray) -> np.ndarray:
    # without entry times every value is -inf: already sorted
    return entry if entry.size and entry[0] == -np.inf and np.isneginf(entry).all() else np.sort(entry)


def sorted_times(entry: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entry and exit times sorted (for :func:`at_risk` with ``presorted=True``, and counters)."""
    return _sorted_entry(entry), np.sort(stop)


def display_at_risk(entry: np.ndarray, stop: np.ndarray, times: np.ndarray, *,
                    presorted: bool = False) -> np.ndarray:
    """At-risk counts for tables under a plot: as :func:`at_risk`, except that at time 0
    the households entering at 0 are counted (R's ``survfit`` prints n at time 0)."""
    counts = at_risk(entry, stop, times, presorted=presorted)
    zero = np.asarray(times) <= 0
    if zero.any():
        counts[zero] = int(((entry <= 0) & (stop > 0)).sum())
    return counts


def _runs(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and how often each occurs."""
    first = np.empty(ordered.size, dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, ordered.size))


def event_counts(stop: np.ndarray, codes: np.ndarray, n_causes: int,
                 sorted_stop: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct exit times, events per cause (columns 1..n_causes) and censorings at each.

    Counted from sorted exit times (all of them, ``sorted_stop`` if already sorted, and those of
    each cause), not by scattering row by row.
    """
    times, total = _runs(np.sort(stop) if sorted_stop is None else sorted_stop)
    counts = np.zeros((times.size, n_causes + 1), dtype=np.int64)
    for k in range(1, n_causes + 1):
        these, how_many = _runs(np.sort(stop[codes == k]))
        counts[np.searchsorted(times, these), k] = how_many
    counts[:, 0] = total - counts[:, 1:].sum(axis=1)
    return times, counts[:, 1:], counts[:, 0]


def loglog_interval(estimate: np.ndarray, se_log: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Log(-log) interval for a probability ``p`` given the standard error of ``log p``
    (R ``survfit(conf.type="log-log")``): ``p ** exp(±z se / log p)``; (1, 1) where p = 1,
    NaN where p = 0 (the interval is not defined there)."""
    p = np.asarray(estimate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.log(p)
        low = np.exp(logp * np.exp(-z * se_log / logp))
        high = np.exp(logp * np.exp(z * se_log / logp))
    one = p >= 1
    low[one], high[one] = 1.0, 1.0
    zero = p <= 0
    low[zero], high[zero] = np.nan, np.nan
    return low, high
