"""k-group log-rank test with optional strata and late entry.

At each distinct event time the expected events of group ``g`` are ``d n_g / n``; the
statistic is ``(O - E)' V^- (O - E)`` on ``k - 1`` degrees of freedom with the
hypergeometric covariance ``V_gh = sum d (n - d) / (n - 1) * n_g / n * (1[g=h] - n_h / n)``
(R ``survdiff``). With strata, ``O - E`` and ``V`` are summed over strata. Risk sets
use ``entry < t <= exit``.

Example
-------
>>> r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], groups=["a", "b", "a", "b", "a", "b"])
>>> round(r.statistic, 4)
0.4849
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.errors import DataError
from evaluation.results import Result
from evaluation.retention._riskset import at_risk, group_labels, prepare


@dataclass(frozen=True)
class LogRankResult(Result):
    table: pd.DataFrame  # group, n, observed, expected
    statistic: float
    df: int
    p_value: float
    strata: int
    excluded: pd.DataFrame
    label: str = "Log-rank test"

    count_columns = ("n", "observed")
    n_column = "n"

    @property
    def title(self) -> str:
        return self.label

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [f"Chi-square {self.statistic:.3f} on {self.df} df, p = {self.p_value:.3g}"
                 + (f"; stratified over {self.strata} strata." if self.strata > 1 else ".")]
        for _, row in self.excluded.iterrows():
            notes.append(f"Excluded {row['rows']} rows: {row['reason']}.")
        return tuple(notes)

    def tidy(self) -> pd.DataFrame:
        out = self.table.copy()
        out["statistic"], out["df"], out["p_value"] = self.statistic, self.df, self.p_value
        return out


def logrank_test(durations: Any, events: Any, groups: Any, entry: Any = None, strata: Any = None) -> LogRankResult:
    """Compare retention between groups; ``strata`` (optional) gives separate risk sets per stratum."""
    n_rows = len(np.asarray(durations))
    strata_lab = group_labels(strata, n_rows) if strata is not None else np.full(n_rows, "all", dtype=object)
    combined = pd.DataFrame({"g": group_labels(groups, n_rows), "s": strata_lab})
    # encode the stratum into the group label so `prepare` drops rows missing either
    both = np.array([None if g is None or s is None else f"{s}\x1f{g}" for g, s in zip(combined["g"], combined["s"])],
                    dtype=object)
    data = prepare(durations, events, entry, both)
    g_of = np.array([v.split("\x1f", 1)[1] for v in data.groups], dtype=object)
    s_of = np.array([v.split("\x1f", 1)[0] for v in data.groups], dtype=object)
    names = sorted(set(g_of), key=str)
    k = len(names)
    if k < 2:
        raise DataError(f"the log-rank test needs at least two groups; found {k}")
    o_minus_e, var = np.zeros(k), np.zeros((k, k))
    observed, expected = np.zeros(k), np.zeros(k)
    strata_names = sorted(set(s_of), key=str)
    for s in strata_names:
        m = s_of == s
        e, t, ev, g = data.entry[m], data.stop[m], data.event[m] > 0, g_of[m]
        times = np.unique(t[ev])
        if times.size == 0:
            continue
        n_g = np.column_stack([at_risk(e[g == name], t[g == name], times) for name in names]).astype(float)
        d_g = np.column_stack([np.bincount(np.searchsorted(times, t[ev & (g == name)]), minlength=times.size)
                               for name in names]).astype(float)
        n, d = n_g.sum(axis=1), d_g.sum(axis=1)
        share = n_g / n[:, None]
        exp_g = d[:, None] * share
        observed += d_g.sum(axis=0)
        expected += exp_g.sum(axis=0)
        o_minus_e += (d_g - exp_g).sum(axis=0)
        factor = np.where(n > 1, d * (n - d) / np.maximum(n - 1, 1), 0.0)
        var += np.diag((factor[:, None] * share).sum(axis=0)) - np.einsum("t,tg,th->gh", factor, share, share)
    # the k x k covariance has rank k - 1 (rows sum to zero): drop the last group
    try:
        stat = float(o_minus_e[:-1] @ np.linalg.solve(var[:-1, :-1], o_minus_e[:-1]))
    except np.linalg.LinAlgError:
        stat = float(o_minus_e @ np.linalg.pinv(var) @ o_minus_e)
    df = k - 1
    sizes = pd.Series(g_of).value_counts()
    table = pd.DataFrame({"group": names, "n": [int(sizes[nm]) for nm in names],
                          "observed": observed.astype(int), "expected": expected})
    return LogRankResult(table=table, statistic=stat, df=df, p_value=float(stats.chi2.sf(stat, df)),
                         strata=len(strata_names), excluded=data.excluded)


__all__ = ["LogRankResult", "logrank_test"]
