"""Cost per household supported and per tenancy sustained at 12 months.

Costs (table ``costs``) are summed by municipality and cost centre (programme step).
Shared costs (cost centre ``shared``) are allocated to the steps of the same
municipality in proportion to the households each step supported
(``shared="households"``, default) or reported as a line of their own
(``shared="separate"``). Contact-point costs are reported on their own line, with the
applications submitted in that municipality in the months the costs cover and the cost per
application (when table ``applications`` is given).

Households supported: programme households with any spell in the step — those who entered
the staircase there (``direct_entrants``, also reported) and those who moved up into it —
since the step's costs include the months of both. Sustained tenancies at the horizon:
``n * S(horizon)`` with ``S`` the Kaplan–Meier probability of still being housed, counted
from the household's first spell in the step, under the housing definition of
:func:`evaluation.retention.housing_episodes` (the episode follows later moves up), counting
every exit that is not a move up or a standard lease (eviction, abandonment, leaving, death)
as a failure — so households followed for less than the horizon are handled by censoring,
not dropped.

The interval for cost per sustained tenancy is a household bootstrap (percentile,
seeded): costs are totals (no sampling error), the number sustained is re-estimated
in each replicate. Cost per household supported is a census ratio without interval.

Example
-------
>>> # cost_per_outcome(dataset).tidy()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.economics.bootstrap import percentile_interval
from evaluation.errors import DataError
from evaluation.results import Result
from evaluation.retention.episodes import housing_episodes
from evaluation.retention.kaplan_meier import product_limit

STEP_CENTRES = ("crisis", "social", "affordable", "housing_first")
COLUMNS = ["municipality", "cost_centre", "cost_czk", "households", "direct_entrants", "cost_per_household",
           "retained_share", "sustained", "cost_per_sustained", "conf_low", "conf_high", "applications",
           "cost_per_application"]


def _survival_at(entry: np.ndarray, stop: np.ndarray, event: np.ndarray, t: float) -> float:
    if stop.size == 0:
        return np.nan
    curve = product_limit(entry, stop, event.astype(np.int64))
    if stop.max() < t:  # beyond follow-up: known only when everyone has already failed
        return 0.0 if curve["survival"].iloc[-1] == 0 else np.nan
    i = np.searchsorted(curve["time"].to_numpy(), t, side="right") - 1
    return 1.0 if i < 0 else float(curve["survival"].iloc[i])


def _step_episodes(tenancies: pd.DataFrame, households: pd.DataFrame, step: str, options: dict) -> pd.DataFrame:
    """Housing episodes of the households with a spell in ``step``, from their first spell in it."""
    empty = pd.DataFrame(columns=["municipality", "entry", "exit_time", "event"])
    in_step = tenancies["step"].astype(object) == step
    if not in_step.any():
        return empty
    first = pd.to_datetime(tenancies.loc[in_step, "start_date"]).groupby(tenancies.loc[in_step, "household_id"]).min()
    since = tenancies["household_id"].map(first)
    spells = tenancies[since.notna().to_numpy() & (pd.to_datetime(tenancies["start_date"]) >= since).to_numpy()]
    try:
        data = housing_episodes(spells, households, **options).data
    except DataError:  # every household of the step excluded: counted in the episodes of all households
        return empty
    return data.assign(municipality=data["municipality"].astype(object))


def _applications_in_cost_months(applications: pd.DataFrame, costs: pd.DataFrame, municipality: Any) -> int:
    """Applications submitted in ``municipality`` during the months its contact-point costs cover."""
    for col in ("municipality", "submitted_date"):
        if col not in applications.columns:
            raise DataError(f"table 'applications' lacks column {col!r}")
    months = pd.to_datetime(costs.loc[(costs["municipality"].astype(object) == municipality)
                                      & (costs["cost_centre"] == "contact_point"), "month"]).dt.to_period("M")
    submitted = pd.to_datetime(applications.loc[applications["municipality"].astype(object) == municipality,
                                                "submitted_date"]).dt.to_period("M")
    return int(submitted.between(months.min(), months.max()).sum())


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

    count_columns = ("households", "direct_entrants", "applications")
    n_column = "households"

    @property
    def title(self) -> str:
        return f"Cost per household supported and per tenancy sustained at {self.horizon:g} months"

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [f"Shared costs: {'allocated to steps in proportion to households supported' if self.shared == 'households' else 'reported separately'}.",
                 ("Households supported: programme households with any spell in the step (direct entrants and "
                  "households that moved up into it; direct entrants are shown separately)."),
                 (f"Sustained tenancies = households x Kaplan–Meier probability of still being housed "
                  f"{self.horizon:g} months after entering the step (any exit other than a move up or a standard "
                  "lease is a failure)."),
                 "Interval for cost per sustained tenancy: household bootstrap, percentile; costs are totals."]
        for _, r in self.missing_months.iterrows():
            notes.append(f"{r['municipality']}: {r['missing_months']} months without cost records between "
                         f"{r['first_missing']} and {r['last_missing']} (costs may be understated).")
        return tuple(notes) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    figure_drawer: ClassVar[str] = "evaluation.economics.cost_per_outcome:draw_cost_per_outcome"


def draw_cost_per_outcome(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """Cost per sustained tenancy by municipality and cost centre with its bootstrap interval; cost
    centres labelled in ``lang`` (programme steps in their colours), amounts with the language's
    thousands separator. A figure hidden in the published table is left out."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label
    from evaluation.reporting.style import step_colour

    pl.check_lang(lang)
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4))
    numeric = {c: pd.to_numeric(table[c], errors="coerce") for c in ("cost_per_sustained", "conf_low", "conf_high")}
    t = table.assign(**numeric).dropna(subset=["cost_per_sustained"])
    labels = [f"{m} – {category_label('cost_centre', c, lang)}"
              for m, c in zip(t["municipality"].astype(str), t["cost_centre"].astype(str))]
    y = np.arange(len(t))
    error = np.nan_to_num(np.vstack([t["cost_per_sustained"] - t["conf_low"], t["conf_high"] - t["cost_per_sustained"]]))
    ax.barh(y, t["cost_per_sustained"], xerr=error, error_kw={"capsize": 3, "elinewidth": 1},
            color=[step_colour(c, "#0072B2") for c in t["cost_centre"].astype(str)], **kwargs)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel(pl.text("czk_per_sustained", lang))
    pl.number_axis(ax, lang, axis="x")
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
    tenancies = tables["tenancies"]
    if "group" in households.columns:
        programme_ids = households.loc[households["group"].astype(object) == "programme", "household_id"]
        tenancies = tenancies[tenancies["household_id"].isin(programme_ids)]
    options = {"definition": "housing", "censor_date": censor_date, "data_start": data_start,
               "failures": ("lost_home", "left", "death")}
    episodes = housing_episodes(tenancies, households, **options)
    ep = episodes.data.assign(municipality=lambda f: f["municipality"].astype(object),
                              first_step=lambda f: f["first_step"].astype(object))
    direct = ep.groupby(["municipality", "first_step"]).size()
    by_step = {s: _step_episodes(tenancies, households, s, options) for s in STEP_CENTRES}
    supported = pd.concat([e.groupby("municipality").size().rename(s) for s, e in by_step.items()], axis=1)

    totals = costs.groupby(["municipality", "cost_centre"], observed=True)["amount_czk"].sum()
    rows, notes = [], []
    for muni in sorted(set(costs["municipality"].astype(object)) | set(ep["municipality"])):
        counts = supported.loc[muni] if muni in supported.index else pd.Series(dtype=float)
        n_by_step = {s: int(counts.get(s, 0) if pd.notna(counts.get(s, 0)) else 0) for s in STEP_CENTRES}
        steps = [s for s in STEP_CENTRES if (muni, s) in totals.index or n_by_step[s] > 0]
        shared_cost = float(totals.get((muni, "shared"), 0.0))
        n_all = sum(n_by_step[s] for s in steps)
        for s in steps:
            cost = float(totals.get((muni, s), 0.0))
            if shared == "households" and n_all:
                cost += shared_cost * n_by_step[s] / n_all
            cell = by_step[s][by_step[s]["municipality"] == muni]
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
                         "direct_entrants": int(direct.get((muni, s), 0)),
                         "cost_per_household": cost / n if n else np.nan, "retained_share": surv,
                         "sustained": sustained, "cost_per_sustained": per_sustained, "conf_low": lo,
                         "conf_high": hi})
            if n == 0 and cost > 0:
                notes.append(f"{muni} / {s}: costs but no programme households; cost per household undefined.")
        extra = ["contact_point"] + (["shared"] if shared == "separate" or n_all == 0 else [])
        for centre in extra:
            if (muni, centre) in totals.index:
                row = {"municipality": muni, "cost_centre": centre, "cost_czk": float(totals[(muni, centre)])}
                if centre == "contact_point" and "applications" in tables:
                    handled = _applications_in_cost_months(tables["applications"], costs, muni)
                    row.update(applications=handled,
                               cost_per_application=row["cost_czk"] / handled if handled else np.nan)
                rows.append(row)
    table = pd.DataFrame(rows).reindex(columns=COLUMNS)
    return CostPerOutcomeResult(table=table, horizon=horizon, shared=shared,
                                missing_months=missing_cost_months(costs),
                                extra_notes=tuple(notes) + episodes.notes[1:])
