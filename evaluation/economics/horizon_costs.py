"""The programme cost of a household over the horizon, and cost per sustained tenancy by pathway.

The cost of programme household ``i`` in month ``k`` after entry is the cost of a household-month
in the step it is in (:mod:`evaluation.economics.step_costs`, counting each perspective's share of
each cost item) and nothing outside the programme (:mod:`evaluation.economics.occupancy`). The
programme cost per household entered, month by month, is the mean over the households followed
through that month; over the horizon it is the sum of the months (discounted by month since entry,
:mod:`evaluation.economics.discounting`). Its uncertainty (how long households stay in which step)
is a household bootstrap: the covariance of the monthly means over the replicates.

By entry pathway (municipality and the step a household entered in: the staircase's crisis,
social or affordable flats, Housing First), over the same horizon:

* programme cost per household (every payer) and months in the programme;
* cost per household-year in the programme = cost / (months / 12): what a year of support costs
  whatever the length of stay;
* the share still housed at the horizon (Kaplan–Meier, housing definition of
  :func:`evaluation.retention.housing_episodes`: losing the home, leaving or death ends it; moves up
  and a standard lease do not) and the cost per sustained tenancy = cost per household / share
  housed, with a household-bootstrap percentile interval.

Example
-------
>>> # pathway_costs(occupancy(...), step_costs(...), episodes, settings).tidy()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.economics._figures import TableResult, new_axes, numeric
from evaluation.economics.cost_per_outcome import _survival_at
from evaluation.economics.discounting import discount_factors
from evaluation.economics.occupancy import OUT, Occupancy
from evaluation.economics.step_costs import StepCostsResult
from evaluation.errors import EstimationError

COLUMNS = ["municipality", "entry_step", "households", "months_in_programme", "cost_per_household",
           "cost_per_household_discounted", "cost_per_household_year", "housed_share", "cost_per_sustained_tenancy",
           "conf_low", "conf_high"]


@dataclass(frozen=True)
class ProgrammeCostProfile:
    """Programme cost per household entered by month since entry for each perspective, with the bootstrap
    covariance of the monthly means."""

    profile: Mapping[str, np.ndarray]
    covariance: Mapping[str, np.ndarray]
    in_programme: np.ndarray
    n_households: int

    def total(self, perspective: str, rate: float = 0.0) -> float:
        d = discount_factors(self.in_programme.size, rate)
        return float(d @ self.profile[perspective])

    def std_error(self, perspective: str, rate: float = 0.0) -> float:
        d = discount_factors(self.in_programme.size, rate)
        return float(np.sqrt(max(d @ self.covariance[perspective] @ d, 0.0)))


def monthly_costs(occupancy: Occupancy, steps: StepCostsResult, shares: Mapping[str, float]) -> np.ndarray:
    """Households x months: the cost of each household's month (0 outside the programme)."""
    per_month = steps.cost_per_month(shares)
    munis = occupancy.households["municipality"].astype(str).to_numpy()
    lookup = np.zeros((len(munis), len(occupancy.state_names)))
    for j, step in enumerate(occupancy.state_names):
        lookup[:, j] = [per_month.get((m, step), np.nan) for m in munis]
    states = occupancy.states
    inside = states != OUT
    cost = np.zeros(states.shape)
    rows, cols = np.nonzero(inside)
    cost[rows, cols] = lookup[rows, states[rows, cols]]
    if np.isnan(cost).any():
        bad = sorted({(munis[r], occupancy.state_names[states[r, c]]) for r, c in zip(*np.nonzero(np.isnan(cost)))})
        raise EstimationError("no cost per household-month for " + ", ".join(f"{m} {s}" for m, s in bad)
                              + ": table 'costs' has no cost of that step in that municipality's cost months")
    return cost


def programme_cost_profile(occupancy: Occupancy, steps: StepCostsResult, shares: Mapping[str, Mapping[str, float]],
                           *, n_boot: int = 199, seed: int = 12345) -> ProgrammeCostProfile:
    """Programme cost per household entered by month since entry, for each perspective in ``shares``
    (perspective -> item -> share counted), with the household-bootstrap covariance."""
    costs = {p: monthly_costs(occupancy, steps, s) for p, s in shares.items()}
    profile = {p: occupancy.mean_profile(c) for p, c in costs.items()}
    if any(np.isnan(v).any() for v in profile.values()):
        last = int(np.flatnonzero(occupancy.known.any(axis=0)).max()) + 1 if occupancy.known.any() else 0
        raise EstimationError(f"no programme household is followed for the whole horizon of {occupancy.horizon} "
                              f"months (the longest follow-up is {last} months): choose a shorter horizon_months")
    rng = np.random.default_rng(seed)
    replicates: dict[str, list[np.ndarray]] = {p: [] for p in costs}
    for _ in range(n_boot):
        rows = rng.integers(0, occupancy.n, occupancy.n)
        for p, c in costs.items():
            replicates[p].append(occupancy.mean_profile(c, rows))
    horizon = occupancy.horizon
    covariance = {p: (np.cov(np.nan_to_num(np.asarray(r)), rowvar=False) if n_boot else np.zeros((horizon, horizon)))
                  for p, r in replicates.items()}
    return ProgrammeCostProfile(profile=profile, covariance=covariance, in_programme=occupancy.in_programme_share(),
                                n_households=occupancy.n)


@dataclass(frozen=True)
class PathwayCostsResult(TableResult):
    """Programme cost per household, per household-year in the programme and per sustained tenancy by
    municipality and entry step, over the horizon (see the module docstring)."""

    horizon: int
    price_year: int
    rate: float
    extra_notes: tuple[str, ...] = ()

    count_columns: ClassVar[tuple[str, ...]] = ("households",)
    n_column: ClassVar[str | None] = "households"
    figure_drawer: ClassVar[str | None] = "evaluation.economics.horizon_costs:draw_pathway_costs"

    @property
    def title(self) -> str:
        return (f"Programme cost per household and per sustained tenancy over {self.horizon} months after entry, "
                f"by entry pathway (CZK, {self.price_year} prices)")

    @property
    def notes(self) -> tuple[str, ...]:
        return ((f"Every cost item counted (all payers). Cost per household: expected cost of the programme steps in "
                 f"the first {self.horizon} months after entry, undiscounted and discounted at {self.rate:.1%} a year "
                 "by month since entry."),
                "Cost per household-year in the programme: cost per household / (months in the programme / 12).",
                (f"Housed share: Kaplan–Meier probability of still being housed {self.horizon} months after entry "
                 "(losing the home, leaving or death end the episode; moves up and standard leases do not); cost per "
                 "sustained tenancy = cost per household (undiscounted) / housed share; interval: household "
                 "bootstrap, percentile.")) + self.extra_notes

    def figure_options(self) -> dict[str, Any]:
        return {"horizon": self.horizon}


def draw_pathway_costs(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", horizon: int | None = None,
                       **kwargs: Any) -> Any:
    """Cost per sustained tenancy by entry pathway with its interval (bars), labelled in ``lang``; a hidden
    cell is left out."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 3.2))
    value = numeric(table, "cost_per_sustained_tenancy")
    low, high = numeric(table, "conf_low"), numeric(table, "conf_high")
    keep = value.notna().to_numpy()
    t = table.loc[keep]
    labels = [f"{m} – {category_label('cost_centre', s, lang)}"
              for m, s in zip(t["municipality"].astype(str), t["entry_step"].astype(str))]
    y = np.arange(len(t))
    v = value[keep].to_numpy()
    error = np.nan_to_num(np.vstack([v - low[keep].to_numpy(), high[keep].to_numpy() - v]))
    ax.barh(y, v, xerr=np.clip(error, 0, None), color="#009E73", error_kw={"capsize": 3, "elinewidth": 1}, **kwargs)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    months = f" ({horizon} měsíců od vstupu)" if lang == "cs" and horizon else (
        f" ({horizon} months after entry)" if horizon else "")
    ax.set_xlabel(("Kč na udržené bydlení" if lang == "cs" else "CZK per sustained tenancy") + months)
    pl.number_axis(ax, lang, axis="x")
    return ax


def draw_household_year_costs(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """Cost per household-year by entry pathway (bars): the comparison of steps whose households stay for
    different lengths of time; labelled in ``lang``, a hidden cell left out."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 3.2))
    value = numeric(table, "cost_per_household_year")
    keep = value.notna().to_numpy()
    t = table.loc[keep]
    labels = [f"{m} – {category_label('cost_centre', s, lang)}"
              for m, s in zip(t["municipality"].astype(str), t["entry_step"].astype(str))]
    y = np.arange(len(t))
    ax.barh(y, value[keep].to_numpy(), color="#0072B2", **kwargs)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("Kč na rok podpory domácnosti" if lang == "cs" else "CZK per household-year of support")
    pl.number_axis(ax, lang, axis="x")
    return ax


class _Episodes:
    """Housing episodes laid out by position of the occupancy's households, so that a bootstrap
    sample is a take of arrays rather than a re-index of a frame (households without an episode,
    or without an exit time, are left out as before)."""

    def __init__(self, episodes: pd.DataFrame, ids: np.ndarray) -> None:
        by_id = episodes.set_index("household_id")
        position = by_id.index.get_indexer(ids)
        found = position >= 0
        take = np.where(found, position, 0)
        self.entry = np.where(found, by_id["entry"].to_numpy(float)[take], np.nan)
        self.exit_time = np.where(found, by_id["exit_time"].to_numpy(float)[take], np.nan)
        self.event = by_id["event"].to_numpy()[take]
        self.usable = found & ~np.isnan(self.exit_time)

    def housed(self, members: np.ndarray, horizon: int) -> float:
        rows = members[self.usable[members]]
        if rows.size == 0:
            return np.nan
        return _survival_at(self.entry[rows], self.exit_time[rows], self.event[rows], float(horizon))


def pathway_costs(occupancy: Occupancy, steps: StepCostsResult, shares: Mapping[str, float],
                  episodes: pd.DataFrame, *, rate: float, n_boot: int = 199, seed: int = 12345,
                  alpha: float = 0.05) -> PathwayCostsResult:
    """The pathway table (see the module docstring). ``shares``: item -> share counted (every payer);
    ``episodes``: housing episodes of the programme households (``household_id``, ``entry``,
    ``exit_time``, ``event`` with losing the home, leaving and death as failures)."""
    cost = monthly_costs(occupancy, steps, shares)
    inside = (occupancy.states != OUT).astype(float)
    d = discount_factors(occupancy.horizon, rate)
    laid_out = _Episodes(episodes, occupancy.households["household_id"].to_numpy())
    rng = np.random.default_rng(seed)
    rows, notes = [], []
    groups = occupancy.households.groupby(["municipality", "entry_step"], sort=False).indices
    order = sorted(groups, key=lambda key: (key[0], ("crisis", "social", "affordable", "housing_first").index(key[1])))
    for key in order:
        members = np.asarray(groups[key])
        profile = occupancy.mean_profile(cost, members)
        months = occupancy.mean_profile(inside, members)
        if np.isnan(profile).any():
            notes.append(f"{key[0]}, {key[1]}: no household followed for the whole horizon; not reported.")
            continue
        total = float(profile.sum())
        housed = laid_out.housed(members, occupancy.horizon)
        per_sustained = total / housed if housed > 0 else np.nan
        low = high = np.nan
        if n_boot and np.isfinite(per_sustained):
            values = []
            for _ in range(n_boot):
                sample = rng.choice(members, size=members.size, replace=True)
                share = laid_out.housed(sample, occupancy.horizon)
                values.append(occupancy.mean_profile(cost, sample).sum() / share if share > 0 else np.nan)
            values = np.asarray(values, float)
            if np.isfinite(values).mean() >= 0.5:
                low, high = np.nanquantile(values, [alpha / 2, 1 - alpha / 2])
        in_programme = float(months.sum())
        rows.append({"municipality": key[0], "entry_step": key[1], "households": int(members.size),
                     "months_in_programme": in_programme, "cost_per_household": total,
                     "cost_per_household_discounted": float(d @ profile),
                     "cost_per_household_year": total / (in_programme / 12.0) if in_programme > 0 else np.nan,
                     "housed_share": housed, "cost_per_sustained_tenancy": per_sustained,
                     "conf_low": low, "conf_high": high})
    return PathwayCostsResult(pd.DataFrame(rows, columns=COLUMNS), occupancy.horizon, steps.price_year, rate,
                              tuple(notes))


__all__ = [
    "PathwayCostsResult",
    "ProgrammeCostProfile",
    "draw_household_year_costs",
    "draw_pathway_costs",
    "monthly_costs",
    "pathway_costs",
    "programme_cost_profile",
]
