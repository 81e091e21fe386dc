"""Risk of losing the home (eviction or abandonment) by group, for valuing evictions avoided.

From the tenancy spells (:func:`evaluation.retention.housing_episodes`, housing definition: the
episode follows moves up the staircase), the Aalen–Johansen cumulative incidence of losing the
home (other exits — leaving, death — compete) is read for each group at each programme
household's treated follow-up, and averaged: the expected number of homes lost per household
over the same months the other offsets cover. For comparison households the episode starts at
their first recorded tenancy (e.g. the flat they held when registering on the waiting list).

The standard error is the mean of the pointwise standard errors (an upper bound of the standard
error of the mean). The comparison is descriptive: the groups are not adjusted for differences
in who they are (a Cox model with covariates, :class:`evaluation.retention.CoxPH`, does that).

Example
-------
>>> # lost_home_risk(dataset.tables, np.array([12.0, 24.0])).set_index("group")["estimate"]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.retention.competing import AalenJohansen
from evaluation.retention.episodes import housing_episodes


def lost_home_risk(tables: Mapping[str, pd.DataFrame], times: np.ndarray, *,
                   censor_date: Any = None) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Mean cumulative incidence of losing the home at ``times`` (months) by group.

    Returns a table ``group, estimate, std_error, n, capped`` (``capped``: share of times beyond
    the group's longest follow-up, read at that follow-up) and notes. A group without any
    episode has no row.
    """
    if "tenancies" not in tables:
        raise DataError("the risk of losing the home needs table 'tenancies'")
    episodes = housing_episodes(tables["tenancies"], tables["households"], definition="housing",
                                censor_date=censor_date)
    data = episodes.data
    if "group" not in data.columns:
        raise DataError("table 'households' lacks column 'group'")
    data = data[data["group"].notna()].assign(group=lambda f: f["group"].astype(str))
    notes = list(episodes.notes[1:])
    if not (data["outcome"] == "lost_home").any():
        table = data.groupby("group").size().rename("n").reset_index()
        return table.assign(estimate=0.0, std_error=0.0, capped=0.0), tuple(notes)
    fit = AalenJohansen().fit_episodes(data, by="group", causes_of_interest=["lost_home"])
    sizes = fit.group_sizes.set_index("group")
    distinct, counts = np.unique(np.asarray(times, float), return_counts=True)
    rows = []
    for group in sizes.index:
        max_time = float(sizes.loc[group, "max_time"])
        at = np.minimum(distinct, max_time)
        curve = fit.incidence_at(np.unique(at))
        curve = curve[curve["group"] == group].set_index("time")
        est = curve["estimate"].reindex(at).to_numpy()
        se = curve["std_error"].reindex(at).to_numpy()
        rows.append({"group": str(group), "estimate": float(np.average(est, weights=counts)),
                     "std_error": float(np.average(se, weights=counts)), "n": int(sizes.loc[group, "n"]),
                     "capped": float(counts[distinct > max_time].sum() / counts.sum())})
    return pd.DataFrame(rows), tuple(notes)
