"""Risk-set counting by sorting (Kaplan–Meier, Aalen–Johansen) equals counting row by row.

Reference: a direct count over the rows (np.unique + np.add.at, as the estimators did before
they counted by sorting) and per-group fits on the subsets; exact equality (integers) and 1e-12.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.retention import AalenJohansen, KaplanMeier
from evaluation.retention._riskset import at_risk, event_counts, group_labels, prepare, sorted_times


def _rows(n: int = 3000, seed: int = 1):
    rng = np.random.default_rng(seed)
    stop = np.round(rng.exponential(10, n), 0) + 1  # many ties
    entry = np.where(rng.random(n) < 0.3, rng.uniform(0, 1, n), 0.0)
    cause = rng.choice([0, 1, 2, 3], n, p=[0.4, 0.3, 0.2, 0.1])
    return entry, stop, cause


def test_event_counts_equal_row_by_row_counts():
    entry, stop, cause = _rows()
    times, d_k, censored = event_counts(stop, cause, 3)
    ref_times, inverse = np.unique(stop, return_inverse=True)
    ref = np.zeros((ref_times.size, 4), dtype=np.int64)
    np.add.at(ref, (inverse, cause), 1)
    np.testing.assert_array_equal(times, ref_times)
    np.testing.assert_array_equal(d_k, ref[:, 1:])
    np.testing.assert_array_equal(censored, ref[:, 0])
    ordered = sorted_times(entry, stop)
    direct = np.array([np.sum((entry < t) & (t <= stop)) for t in times[:50]])
    np.testing.assert_array_equal(at_risk(*ordered, times[:50], presorted=True), direct)
    no_entry = sorted_times(np.full(stop.size, -np.inf), stop)
    np.testing.assert_array_equal(at_risk(*no_entry, times[:50], presorted=True),
                                  [np.sum(t <= stop) for t in times[:50]])


def test_group_labels_and_curves_by_group_equal_fits_on_subsets():
    entry, stop, cause = _rows()
    groups = pd.Series([None if c == 3 else (1 if s > 8 else "1") for c, s in zip(cause, stop)], dtype=object)
    groups[np.arange(stop.size) % 7 == 0] = 2.5
    labels = group_labels(groups, stop.size)
    assert set(labels) == {None, "1", "2.5"}  # 1 and "1" are one label, as str() reads them
    data = prepare(stop, (cause == 1).astype(int), entry, groups)
    assert data.group_names == ("1", "2.5") and int(data.excluded["rows"].sum()) == int(pd.isna(labels).sum())
    fit = KaplanMeier().fit(stop, (cause == 1).astype(int), entry=entry, groups=groups)
    for name in data.group_names:
        m = labels == name
        alone = KaplanMeier().fit(stop[m], (cause[m] == 1).astype(int), entry=entry[m])
        curve = fit.curves[fit.curves["group"] == name]
        np.testing.assert_allclose(curve["survival"].to_numpy(), alone.curves["survival"].to_numpy(), atol=1e-12)
        assert alone.tidy()["n_risk"].tolist() == fit.tidy().loc[fit.tidy()["group"] == name, "n_risk"].tolist()


@pytest.mark.parametrize("censored", ["none", None])
def test_exit_type_codes_with_missing_values(censored):
    stop = np.array([1.0, 2, 3, 4, 5, 6])
    causes = pd.Series(["a", 2, None, "none", "a", 2], dtype=object)
    fit = AalenJohansen(times=(6,)).fit(stop, causes, censored=censored)
    assert fit.causes == (("2", "a") if censored == "none" else ("2", "a", "none"))
    rows = int(fit.group_sizes["n"].iloc[0])
    # censored="none": the missing value is excluded; censored=None: it is the censored episode
    assert rows == (5 if censored == "none" else 6)

