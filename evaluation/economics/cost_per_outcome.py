"""Cost per household supported and per tenancy sustained at 12 months.

Costs (table ``costs``) are summed by municipality and cost centre (programme step).
Shared costs (cost centre ``shared``) are allocated to the steps of the same
municipality in proportion to the households each step supported
(``shared="households"``, default) or reported as a line of their own
(``shared="separate"``). Contact-point costs are reported on their own line.

Households supported: programme households whose first spell is in the step.
Sustained tenancies at the horizon: ``n * S(horizon)`` with ``S`` the Kaplan–Meier
probability of still being housed under the housing definition of
:func:`evaluation.retention.housing_episodes`, counting every exit that is not a move
up or a standard lease (eviction, abandonment, leaving, death) as a failure — so
households followed for less than the horizon are handled by censoring, not dropped.

The interval for cost per sustained tenancy is a household bootstrap (percentile,
seeded): costs are totals (no sampling error), the number sustained is re-estimated
in each replicate. Cost per household supported is a census ratio without interval.

Example
-------
>>> # cost_per_outcome(dataset).tidy()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.economics.bootstrap import percentile_interval
from evaluation.errors import DataError
from evaluation.results import Result
from evaluation.retention.episodes import housing_episodes
from evaluation.retention.kaplan_meier import product_limit

STEP_CENTRES = ("crisis", "social", "affordable", "housing_first")


def _survival_at(entry: np.ndarray, stop: np.ndarray, event: np.ndarray, t: float) -> float:
    if stop.size == 0:
        return np.nan
    curve = product_limit(entry, stop, event.astype(np.int64))
    if stop.max() < t:  # beyond follow-up: known only when everyone has already failed
        return 0.0 if curve["survival"].iloc[-1] == 0 else np.nan
    i = np.searchsorted(curve["time"].to_numpy(), t, side="right") - 1
    return 1.0 if i < 0 else float(curve["survival"].iloc[i])


def missing_cost_months(costs: pd.DataFrame) -> pd.DataFrame:
    """Months with no cost row between a municipality's first and last costed month."""
    rows = []
    for muni, c in costs.groupby("municipality", observed=True):
        months = pd.to_datetime(c["month"]).dt.to_period("M")
        full = pd.period_range(months.min(), months.max(), freq="M")
        gap = sorted(set(full) - set(months))
        if gap:
            rows.append({"municipality": muni, "missing_months": len(gap),
                         "first_missing": str(gap[0]), "last_missing": str(gap[-1])})
    return pd.DataFrame(rows, columns=["municipality", "missing_months", "first_missing", "last_missing"])


@dataclass(frozen=True)
class CostPerOutcomeResult(Result):
    table: pd.DataFrame  # municipality, cost_centre, cost_czk, households, sustained, ...
    horizon: float
    shared: str
    missing_months: pd.DataFrame
    extra_notes: tuple[str, ...] = ()

    count_columns = ("households",)
    n_column = "households"

    @property
    def title(self) -> str:
        return f"Cost per household supported and per tenancy sustained at {self.horizon:g} months"

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [f"Shared costs: {'allocated to steps in proportion to households supported' if self.shared == 'households' else 'reported separately'}.",
                 f"Sustained tenancies = households x Kaplan–Meier probability of still being housed at "
                 f"{self.horizon:g} months (any exit other than a move up or a standard lease is a failure).",
                 "Interval for cost per sustained tenancy: household bootstrap, percentile; costs are totals."]
        for _, r in self.missing_months.iterrows():
            notes.append(f"{r['municipality']}: {r['missing_months']} months without cost records between "
                         f"{r['first_missing']} and {r['last_missing']} (costs may be understated).")
        return tuple(notes) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        if ax is None:
            import matplotlib.pyplot as plt
            _, ax = plt.subplots(figsize=(7, 4))
        t = self.table.dropna(subset=["cost_per_sustained"])
        labels = t["municipality"].astype(str) + " / " + t["cost_centre"].astype(str)
        y = np.arange(len(t))
        ax.barh(y, t["cost_per_sustained"], xerr=[t["cost_per_sustained"] - t["conf_low"],
                                                  t["conf_high"] - t["cost_per_sustained"]], **kwargs)
        ax.set_yticks(y)
        ax.set_yticklabels(labels)
        ax.set_xlabel("CZK per sustained tenancy")
        ax.set_title(self.title)
        return ax


def cost_per_outcome(data: Any, *, horizon: float = 12.0, shared: str = "households", n_boot: int = 499,
                     seed: int = 12345, alpha: float = 0.05, censor_date: Any = None,
                     data_start: Any = None) -> CostPerOutcomeResult:
    """Cost per household supported and per sustained tenancy by municipality and step.

    ``data``: a Dataset (or mapping) with tables ``tenancies``, ``households`` and ``costs``.
    """
    tables = getattr(data, "tables", data)
    for name in ("tenancies", "households", "costs"):
        if name not in tables:
            raise DataError(f"cost per outcome needs table {name!r}")
    if shared not in ("households", "separate"):
        raise DataError(f"shared must be 'households' or 'separate' (got {shared!r})")
    costs, households = tables["costs"].copy(), tables["households"]
    for col in ("municipality", "month", "cost_centre", "amount_czk"):
        if col not in costs.columns:
            raise DataError(f"table 'costs' lacks column {col!r}")
    if costs["amount_czk"].isna().any() or (costs["amount_czk"] < 0).any():
        raise DataError("table 'costs', column 'amount_czk': amounts must be present and non-negative")
    costs["cost_centre"] = costs["cost_centre"].astype(object)
    episodes = housing_episodes(tables["tenancies"], households, definition="housing", censor_date=censor_date,
                                data_start=data_start, failures=("lost_home", "left", "death"))
    ep = episodes.data
    if "group" in ep.columns:
        ep = ep[ep["group"].astype(object) == "programme"]
    ep = ep.assign(municipality=ep["municipality"].astype(object), first_step=ep["first_step"].astype(object))

    totals = costs.groupby(["municipality", "cost_centre"], observed=True)["amount_czk"].sum()
    supported = ep.groupby(["municipality", "first_step"]).size()
    rows, notes = [], []
    for muni in sorted(set(costs["municipality"].astype(object)) | set(ep["municipality"])):
        steps = [s for s in STEP_CENTRES if (muni, s) in totals.index or (muni, s) in supported.index]
        shared_cost = float(totals.get((muni, "shared"), 0.0))
        n_by_step = {s: int(supported.get((muni, s), 0)) for s in steps}
        n_all = sum(n_by_step.values())
        for s in steps:
            cost = float(totals.get((muni, s), 0.0))
            if shared == "households" and n_all:
                cost += shared_cost * n_by_step[s] / n_all
            cell = ep[(ep["municipality"] == muni) & (ep["first_step"] == s)]
            n = len(cell)
            e, t, ev = cell["entry"].to_numpy(), cell["exit_time"].to_numpy(), cell["event"].to_numpy()
            surv = _survival_at(e, t, ev, horizon) if n else np.nan
            sustained = n * surv
            per_sustained = cost / sustained if sustained > 0 else np.nan
            lo = hi = np.nan
            if n and np.isfinite(per_sustained):
                def stat(idx: np.ndarray) -> float:
                    s_b = _survival_at(e[idx], t[idx], ev[idx], horizon)
                    return cost / (n * s_b) if s_b > 0 else np.nan
                lo, hi, bad = percentile_interval(stat, np.zeros(n, int), n_boot=n_boot, seed=seed, alpha=alpha)
                if bad:
                    notes.append(f"{muni} / {s}: {bad} bootstrap replicates had no sustained tenancy and were dropped.")
            if n and not np.isfinite(surv):
                notes.append(f"{muni} / {s}: follow-up shorter than {horizon:g} months; sustained tenancies not estimable.")
            elif n and sustained == 0:
                notes.append(f"{muni} / {s}: no tenancy sustained to {horizon:g} months; cost per sustained tenancy undefined.")
            rows.append({"municipality": muni, "cost_centre": s, "cost_czk": cost, "households": n,
                         "cost_per_household": cost / n if n else np.nan, "retained_share": surv,
                         "sustained": sustained, "cost_per_sustained": per_sustained, "conf_low": lo,
                         "conf_high": hi})
            if n == 0 and cost > 0:
                notes.append(f"{muni} / {s}: costs but no programme households; cost per household undefined.")
        extra = ["contact_point"] + (["shared"] if shared == "separate" or n_all == 0 else [])
        for centre in extra:
            if (muni, centre) in totals.index:
                rows.append({"municipality": muni, "cost_centre": centre, "cost_czk": float(totals[(muni, centre)]),
                             "households": np.nan, "cost_per_household": np.nan, "retained_share": np.nan,
                             "sustained": np.nan, "cost_per_sustained": np.nan, "conf_low": np.nan,
                             "conf_high": np.nan})
    return CostPerOutcomeResult(table=pd.DataFrame(rows), horizon=horizon, shared=shared,
                                missing_months=missing_cost_months(costs),
                                extra_notes=tuple(notes) + episodes.notes[1:])
