"""The household-by-quarter panel of resource use on which the programme's effects are estimated.

Design (used by :mod:`evaluation.economics.resource_profiles`): staggered difference-in-differences
(Callaway & Sant'Anna 2021, :func:`evaluation.impact.staggered_did`) on a household-by-quarter panel
built from ``household_outcomes``. Programme households are treated from their first spell in a housing
programme step (``crisis``, ``social``, ``affordable``, ``housing_first`` in ``tenancies``); comparison
households are never treated. Each household-quarter holds the mean of the household's observed months,
so the outcome stays "per household-month" and a missing month does not remove the household. Comparing
each entry cohort's change from before entry with the comparison group's change over the same quarters
nets out baseline differences between the groups (e.g. a less acute waiting list, or a different share of
children in care).

Quarters, not months: with monthly periods the panel is never balanced (a few months are missing for most
households), and the unbalanced estimator treats rows as repeated cross-sections (about 15 times slower at
scale 10 for the same answer). The quarter of entry, when entry is not in its first month, mixes months
before and after entry: it is a transition quarter, left out of the effect (``anticipation=1``).

(The earlier ``resource_effects``, which valued the effect per treated month over every treated month and
a "no-system" counterfactual, was retired with ``cost_offsets``.)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from evaluation.errors import DataError

#: Steps whose first spell marks a household's entry into the programme.
HOUSING_STEPS = ("crisis", "social", "affordable", "housing_first")
#: Name of the valued total outcome (CZK per household-month).
TOTAL = "outcome_cost"
#: Programme households dropped above this share trigger a warning.
DROPPED_WARNING_SHARE = 0.2


def _quarter(month: pd.Series) -> np.ndarray:
    return (month.dt.year * 4 + (month.dt.month - 1) // 3).to_numpy(np.int64)


def _entry_dates(tables: Mapping[str, pd.DataFrame], programme_ids: pd.Index) -> pd.Series:
    if "tenancies" not in tables:
        raise DataError("cost offsets need table 'tenancies' to know when programme households entered")
    ten = tables["tenancies"]
    for col in ("household_id", "step", "start_date"):
        if col not in ten.columns:
            raise DataError(f"table 'tenancies' lacks column {col!r}")
    spells = ten[ten["step"].astype(object).isin(HOUSING_STEPS) & ten["household_id"].isin(programme_ids)]
    return pd.to_datetime(spells["start_date"]).groupby(spells["household_id"]).min().dropna()


def _panel(tables: Mapping[str, pd.DataFrame], measures: list[str], prices: np.ndarray,
           notes: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Balanced household x quarter panel of the measures and their valued total, with entry."""
    hh = tables["households"][["household_id", "group"]].assign(group=lambda f: f["group"].astype(object))
    out = tables["household_outcomes"]
    if "month" not in out.columns:
        raise DataError("table 'household_outcomes' lacks column 'month'")
    rows = out[["household_id", "month", *measures]].merge(hh, on="household_id", how="left")
    for mask, why in ((rows["group"].isna(), "without a household record (or group)"),
                      (rows["month"].isna(), "without a month"),
                      (rows[measures].isna().any(axis=1), f"with {' or '.join(measures)} missing")):
        k = int(mask.sum())
        if k:
            notes.append(f"{k} household-months {why} were excluded.")
            rows = rows[~mask.to_numpy()]
    if rows.empty:
        raise DataError("table 'household_outcomes' has no usable household-month")
    programme = pd.Index(hh.loc[hh["group"] == "programme", "household_id"].unique())
    entry = _entry_dates(tables, programme)
    no_entry = programme.difference(entry.index)
    if len(no_entry):
        notes.append(f"{len(no_entry)} programme households have no spell in a housing programme step "
                     "(no entry date) and were excluded.")
    rows = rows[(rows["group"] == "comparison") | rows["household_id"].isin(entry.index)]
    rows = rows.assign(quarter=_quarter(pd.to_datetime(rows["month"])),
                       **{TOTAL: rows[measures].to_numpy(float) @ prices})
    panel = rows.groupby(["household_id", "quarter"], as_index=False)[[*measures, TOTAL]].mean()
    quarters = np.arange(panel["quarter"].min(), panel["quarter"].max() + 1)
    # cohort: the first full quarter after entry (the entry quarter itself when entry is in its first month)
    entry_q = _quarter(entry) + ((entry.dt.month - 1) % 3 != 0).to_numpy(np.int64)
    panel["first_treated"] = panel["household_id"].map(pd.Series(entry_q, index=entry.index)).fillna(0)
    complete = panel.groupby("household_id")["quarter"].transform("size") == len(quarters)
    dropped = panel.loc[~complete, ["household_id", "first_treated"]].drop_duplicates("household_id")
    if len(dropped):
        k_prog = int((dropped["first_treated"] > 0).sum())
        notes.append(f"{len(dropped)} households ({k_prog} programme) without an outcome in every quarter "
                     f"(e.g. after a death) were excluded to balance the panel.")
        if k_prog > DROPPED_WARNING_SHARE * len(entry):
            warnings.warn(notes[-1], UserWarning, stacklevel=4)
    panel = panel[complete.to_numpy()]
    # the entry quarter is a transition period: an entry cohort needs two quarters of data before it
    early = (panel["first_treated"] > 0) & (panel["first_treated"] - 1 <= quarters[0])
    if early.any():
        notes.append(f"{panel.loc[early, 'household_id'].nunique()} programme households entered too early "
                     "(no quarter of outcomes before entry) and were excluded.")
        panel = panel[~early.to_numpy()]
    late = panel["first_treated"] > quarters[-1]
    if late.any():
        notes.append(f"{panel.loc[late, 'household_id'].nunique()} programme households entered after the last "
                     "full quarter of outcomes and were excluded.")
        panel = panel[~late.to_numpy()]
    if panel.empty or not (panel["first_treated"] > 0).any() or not (panel["first_treated"] == 0).any():
        raise DataError("cost offsets need household outcomes before and after entry for programme households "
                        "and for comparison households (table 'household_outcomes')")
    # units coded 0..n-1 in household order: the estimator keeps this order (alignment below)
    panel["unit"] = pd.factorize(panel["household_id"], sort=True)[0]
    last = pd.to_datetime(rows["month"]).max()
    entered = entry.reindex(panel.loc[panel["first_treated"] > 0, "household_id"].unique())
    # months from the entry month to the last month of outcomes, both included
    treated_months = ((last.year - entered.dt.year) * 12 + last.month - entered.dt.month + 1).astype(float)
    return panel.sort_values(["unit", "quarter"]).reset_index(drop=True), treated_months
