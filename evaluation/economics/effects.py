"""The programme's effect on each resource use, for valuing cost offsets.

Design: staggered difference-in-differences (Callaway & Sant'Anna 2021,
:func:`evaluation.impact.staggered_did`) on a household-by-quarter panel built from
``household_outcomes``. Programme households are treated from their first spell in a housing
programme step (``crisis``, ``social``, ``affordable``, ``housing_first`` in ``tenancies``);
comparison households are never treated. Each household-quarter holds the mean of the household's
observed months, so the outcome stays "per household-month" and a missing month does not remove
the household. Comparing each entry cohort's change from before entry with the comparison group's
change over the same quarters nets out baseline differences between the groups (e.g. a less acute
waiting list, or a different share of children in care).

Quarters, not months: with monthly periods the panel is never balanced (a few months are missing
for most households), and the unbalanced estimator treats rows as repeated cross-sections
(about 15 times slower at scale 10 for the same answer). The quarter of entry, when entry is not in
its first month, mixes months before and after entry: it is a transition quarter, left out of the
effect (``anticipation=1``; the entry cohort is the first full quarter after entry, and its base
period is the quarter before the entry quarter).

The effect reported is the ``simple`` aggregation (the average over treated household-quarters;
with ``horizon`` only event quarters within the horizon), i.e. the average effect per treated
household-month. Being linear in the outcome, the effect on the valued total (sum of
unit cost x resource use) equals the sum of the valued effects; it is estimated on its own so
that its standard error includes the covariance of the resources. The programme households'
observed outcome cost (with the system) and its counterfactual (without the system = observed
minus effect) are aggregated over the same cells with influence functions, so their intervals
are coherent with the effect's.

Example
-------
>>> # effects = resource_effects(dataset.tables, {"shelter_nights": 400.0}).effects
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.errors import DataError, EstimationError
from evaluation.impact import staggered_did

#: Steps whose first spell marks a household's entry into the programme.
HOUSING_STEPS = ("crisis", "social", "affordable", "housing_first")
#: Name of the valued total outcome (CZK per household-month).
TOTAL = "outcome_cost"
#: Programme households dropped above this share trigger a warning.
DROPPED_WARNING_SHARE = 0.2


@dataclass(frozen=True)
class ResourceEffects:
    """Effects per treated household-month (``effects``: term, estimate, std_error, ...) and the
    quantities the offsets need. ``effects`` rows: one per resource, ``outcome_cost`` (valued
    total, CZK), ``with_system`` (programme households' observed outcome cost per treated month)
    and ``no_system`` (their counterfactual outcome cost per treated month)."""
    effects: pd.DataFrame
    treated_months: np.ndarray  # per programme household in the panel (analysis only, never published)
    n_programme: int
    n_comparison: int
    notes: tuple[str, ...]

    @property
    def treated_months_per_household(self) -> float:
        return float(self.treated_months.mean())


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


def _row(term: str, agg) -> dict:
    return {"term": term, "estimate": agg.overall_estimate, "std_error": agg.overall_std_error,
            "conf_low": agg.overall_conf_low, "conf_high": agg.overall_conf_high, "p_value": agg.overall_p_value}


def _cell_means(res, wide: np.ndarray, periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean outcome of each ATT(g,t) cell's group at t, and its influence function (units x cells)."""
    group = res.entity_group
    n = len(group)
    cells = res.cells
    means = np.full(len(cells), np.nan)
    psi = np.zeros((n, len(cells)))
    for k, (g, t) in enumerate(zip(cells["group"].to_numpy(), cells["time"].to_numpy())):
        members = group == g
        y = wide[members, np.searchsorted(periods, t)]
        means[k] = y.mean()
        psi[members, k] = (n / members.sum()) * (y - means[k])
    return means, psi


def _pretest_note(res) -> str:
    """Parallel-trends pre-test of the valued outcome. The transition quarter (event time -1, which
    holds months after entry) is the anticipation period, so the pre-test leaves it out; with few
    households per entry quarter R did's Wald test over-rejects and the robust test is used."""
    return f"Valued outcome: {res.pretest().describe()}."


def resource_effects(tables: Mapping[str, pd.DataFrame], prices: Mapping[str, float], *,
                     horizon: float | None = None, n_boot: int = 999, seed: int = 12345,
                     alpha: float = 0.05) -> ResourceEffects:
    """Effect of the programme on each resource per treated household-month (see module docstring).

    ``prices``: resource column of ``household_outcomes`` -> unit cost (CZK). ``horizon``: months
    since entry over which the effect is averaged (``None``: every treated month observed).
    ``n_boot``: multiplier-bootstrap draws for the standard errors (0: analytic influence-function
    standard errors); households are the clusters.
    """
    measures = list(prices)
    price = np.array([float(prices[m]) for m in measures])
    notes: list[str] = []
    panel, treated_months = _panel(tables, measures, price, notes)
    max_e = math.inf if horizon is None else math.ceil(horizon / 3.0) - 1
    if horizon is not None:
        treated_months = treated_months.clip(upper=horizon)
    periods = np.sort(panel["quarter"].unique())
    n_units = panel["unit"].nunique()
    # no covariates: outcome regression is the difference of mean changes (doubly robust gives the same
    # number but fits an intercept-only logit in every cell)
    options = {"anticipation": 1, "control_group": "never_treated", "estimation": "reg", "bootstrap": n_boot > 0,
               "n_bootstrap": max(n_boot, 100), "seed": seed, "alpha": alpha}
    rows = []
    fits = {}
    with warnings.catch_warnings():
        # the pre-trend test and small-cohort warnings are reported in the notes instead
        warnings.simplefilter("ignore", UserWarning)
        for outcome in [*measures, TOTAL]:
            fits[outcome] = staggered_did(panel, outcome, "unit", "quarter", "first_treated", **options)
    for outcome, res in fits.items():
        if res.n_units != n_units:
            raise EstimationError("the staggered DiD dropped households from a balanced panel (internal error)")
        rows.append(_row(outcome, res.aggregate("simple", max_e=max_e)))
    res = fits[TOTAL]
    notes.append(_pretest_note(res))
    notes += [n for n in res.extra_notes if "not estimable" in n or "single unit" in n]
    wide = panel[TOTAL].to_numpy(float).reshape(n_units, len(periods))
    means, psi = _cell_means(res, wide, periods)
    observed = dataclasses.replace(res, cells=res.cells.assign(estimate=means), influence=psi)
    counterfactual = dataclasses.replace(res, cells=res.cells.assign(estimate=means - res.cells["estimate"]),
                                         influence=psi - res.influence)
    rows.append(_row("with_system", observed.aggregate("simple", max_e=max_e)))
    rows.append(_row("no_system", counterfactual.aggregate("simple", max_e=max_e)))
    sizes = res.group_sizes
    n_comparison = int(sizes.get(0.0, 0))
    return ResourceEffects(effects=pd.DataFrame(rows), treated_months=treated_months.to_numpy(float),
                           n_programme=n_units - n_comparison, n_comparison=n_comparison, notes=tuple(notes))
