"""Reach against plan (units, households, cohorts by step) and occupancy of the programme flats.

Example
-------
>>> import pandas as pd
>>> from evaluation.process.plan import PilotPlan, PlanStep
>>> frames = {
...     "households": pd.DataFrame({"household_id": ["H1", "H2"], "group": ["programme"] * 2,
...                                 "cohort": [1, 2], "municipality": ["Ostrava"] * 2}),
...     "tenancies": pd.DataFrame({"tenancy_id": ["T1", "T2"], "household_id": ["H1", "H2"],
...                                "unit_id": ["U1", "U2"], "step": ["crisis", "crisis"],
...                                "start_date": pd.to_datetime(["2020-01-01", "2020-06-01"]),
...                                "end_date": pd.NaT}),
... }
>>> plan = PilotPlan((PlanStep("crisis", units=4, households=4, cohorts=2, support_months=6),))
>>> reach_against_plan(frames, plan, as_of="2021-01-01").tidy()["actual"].tolist()
[2, 2, 2]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.process._tables import (
    ExclusionLog,
    Tables,
    as_timestamp,
    check_lang,
    codes,
    default_as_of,
    filter_rows,
    share,
    table,
)
from evaluation.process.plan import PilotPlan
from evaluation.reporting.labels import category_label, column_title
from evaluation.results import Result

MEASURES = ("units", "households", "cohorts")


def _programme_spells(data: Tables, municipality: Any, as_of: Any, log: ExclusionLog
                      ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    """Spells of programme households (optionally of one municipality) that started by ``as_of``."""
    households = table(data, "households", ("household_id", "group"))
    tenancies = table(data, "tenancies", ("household_id", "unit_id", "step", "start_date", "end_date"))
    if municipality is not None:
        households = filter_rows(households, "households", municipality=municipality)
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        tenancies["start_date"], tenancies["end_date"])
    is_programme = codes(households["group"]).eq("programme").to_numpy(dtype=bool)
    log.add("households", "comparison_group", int((~is_programme).sum()),
            "comparison-group households are not programme reach")
    households = households.loc[is_programme]
    spells = tenancies.loc[tenancies["household_id"].isin(households["household_id"]).to_numpy(dtype=bool)]
    late = (spells["start_date"] > as_of).to_numpy(dtype=bool)
    log.add("tenancies", "after_as_of", int(late.sum()), f"spell starts after the as-of date {as_of:%Y-%m-%d}")
    return spells.loc[~late], households, as_of


@dataclass(frozen=True)
class ReachResult(Result):
    """Planned against actual units, households and cohorts by step."""

    table: pd.DataFrame
    as_of: pd.Timestamp
    exclusions: pd.DataFrame
    plan_name: str = ""
    title: str = "Reach against plan"

    count_columns: ClassVar[tuple[str, ...]] = ("actual",)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"Households and flats with a programme spell that started by {self.as_of:%Y-%m-%d}; "
                 "cohorts are the distinct cohort numbers of those households."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    figure_drawer: ClassVar[str] = "evaluation.process.reach:draw_reach"


def draw_reach(table: pd.DataFrame, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
    """Actual as per cent of plan by step (bars for flats, households, cohorts), plan at 100 %.

    ``table`` is :meth:`ReachResult.tidy` or its published form: a bar whose figure is hidden is
    left out and marked "x" where it would stand.
    """
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import step_colour

    check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
    steps = list(dict.fromkeys(table["step"]))
    measures = [m for m in MEASURES if m in set(table["measure"])]
    height = 0.8 / max(1, len(measures))
    shades = {m: 1.0 - 0.3 * i for i, m in enumerate(measures)}
    hatches = {"units": "", "households": "//", "cohorts": ".."}
    top = 100.0
    for i, step in enumerate(steps):
        for j, measure in enumerate(measures):
            row = table.loc[(table["step"] == step) & (table["measure"] == measure)]
            if row.empty:
                continue
            y = i + (j - (len(measures) - 1) / 2) * height
            value = pd.to_numeric(row["percent_of_plan"], errors="coerce").iloc[0]
            planned = pd.to_numeric(row["planned"], errors="coerce").iloc[0]
            if pd.isna(value):
                if not pd.isna(planned):
                    ax.text(2, y, "x", va="center", ha="left", fontsize="x-small", color="0.3")
                continue
            top = max(top, float(value))
            ax.barh(y, value, height=height * 0.9, color=step_colour(step), alpha=shades[measure],
                    hatch=hatches.get(measure, ""), edgecolor="white",
                    label=category_label("measure", measure, lang) if i == 0 else None, **kwargs)
    ax.axvline(100, color="black", lw=1, ls="--", label=pl.text("plan", lang))
    ax.set_yticks(range(len(steps)), [category_label("step", s, lang) for s in steps])
    ax.set_xlabel(column_title("percent_of_plan", lang))
    ax.set_xlim(0, top * 1.08)
    ax.invert_yaxis()  # steps top to bottom in the order of the staircase
    pl.number_axis(ax, lang, axis="x")
    pl.legend_above(ax)
    return ax


def reach_against_plan(data: Tables, plan: PilotPlan | None = None, *, as_of: Any = None,
                       municipality: str | None = None) -> ReachResult:
    """Planned vs actual units, households and cohorts for every step of ``plan``.

    Actual units are distinct flats and actual households distinct programme households with
    at least one spell at the step that started by ``as_of``; a household counts once per step it
    reached. ``percent_of_plan`` is actual / planned * 100 (empty when nothing was planned).

    Example: ``reach_against_plan(dataset, PilotPlan.ostrava(), municipality="Ostrava").tidy()``
    """
    plan = plan or PilotPlan.ostrava()
    log = ExclusionLog()
    spells, households, as_of = _programme_spells(data, municipality, as_of, log)
    cohorts = households.set_index("household_id")["cohort"] if "cohort" in households else None
    step_codes = codes(spells["step"])
    rows = []
    for step in plan.steps:
        at_step = spells.loc[step_codes.eq(step.step).to_numpy(dtype=bool)]
        hh = at_step["household_id"].drop_duplicates()
        actual = {"units": at_step["unit_id"].dropna().nunique(), "households": len(hh),
                  "cohorts": (cohorts.reindex(hh).dropna().nunique() if cohorts is not None else np.nan)}
        planned = {"units": step.units, "households": step.households, "cohorts": step.cohorts}
        for measure in MEASURES:
            p = planned[measure]
            a = actual[measure]
            rows.append({"step": step.step, "measure": measure,
                         "planned": np.nan if p is None else float(p),
                         "actual": pd.NA if pd.isna(a) else int(a),
                         "percent_of_plan": np.nan if (p in (None, 0) or pd.isna(a)) else 100.0 * a / p})
    frame = pd.DataFrame(rows)
    frame["actual"] = frame["actual"].astype("Int64")
    return ReachResult(table=frame, as_of=as_of, exclusions=log.frame(), plan_name=plan.name)


@dataclass(frozen=True)
class OccupancyResult(Result):
    """Unit-days occupied against unit-days available, by step and calendar month."""

    table: pd.DataFrame
    exclusions: pd.DataFrame
    start: pd.Timestamp
    as_of: pd.Timestamp
    title: str = "Occupancy of programme flats"

    n_column: ClassVar[str | None] = "units_available"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def by_step(self) -> pd.DataFrame:
        """Occupancy over the whole window, one row per step."""
        g = self.table.groupby("step", sort=False, observed=True)
        out = g[["unit_days_available", "unit_days_occupied"]].sum()
        out.insert(0, "units_available", g["units_available"].max())
        out["occupancy_rate"] = share(out["unit_days_occupied"], out["unit_days_available"])
        out["vacancy_rate"] = 1 - out["occupancy_rate"]
        return out.reset_index()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"Window {self.start:%Y-%m-%d} to {self.as_of:%Y-%m-%d}. Every flat in the units table "
                 "counts as available for the whole window (the data contract has no availability dates); "
                 "a flat is occupied from the move-in day up to the day before move-out, and overlapping "
                 "spells in one flat count once."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    figure_drawer: ClassVar[str] = "evaluation.process.reach:draw_occupancy"


def draw_occupancy(table: pd.DataFrame, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
    """Monthly occupancy of the programme flats by step (per cent), date ticks in ``lang``."""
    import matplotlib.pyplot as plt

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import percent_axis, step_colour

    check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(8, 3.5))[1]
    for step, part in table.groupby("step", sort=False, observed=True):
        ax.plot(pd.to_datetime(part["month"]), pd.to_numeric(part["occupancy_rate"], errors="coerce"),
                label=category_label("step", step, lang), color=step_colour(step), **kwargs)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(pl.text("occupancy", lang))
    percent_axis(ax, "y", lang)
    pl.date_axis(ax, lang)
    ax.set_xlabel(pl.text("calendar_month", lang))
    pl.legend_above(ax)
    return ax


def _disjoint_per_unit(spells: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Clip overlapping spells within a flat so that each unit-day is counted once."""
    spells = spells.sort_values(["unit_id", "start", "end"]).reset_index(drop=True)
    running_max = spells.groupby("unit_id", sort=False)["end"].cummax()
    prev_end = running_max.groupby(spells["unit_id"], sort=False).shift()
    overlap = (prev_end > spells["start"]).to_numpy(dtype=bool)
    spells.loc[overlap, "start"] = prev_end[overlap]
    kept = spells.loc[spells["end"] > spells["start"]]
    return kept, int(overlap.sum())


def occupancy(data: Tables, *, as_of: Any = None, start: Any = None, municipality: str | None = None,
              steps: tuple[str, ...] | None = None) -> OccupancyResult:
    """Monthly occupancy and vacancy of the programme flats by step.

    ``start`` defaults to the first day of the month of the first move-in into a listed flat;
    ``as_of`` to the last date in the tenancies. Occupied unit-days are counted day by day
    (difference arrays), so a month's rate is exact for partial months.

    Example: ``occupancy(dataset, as_of="2021-12-31").by_step()``
    """
    log = ExclusionLog()
    units = table(data, "units", ("unit_id", "step"))
    tenancies = table(data, "tenancies", ("unit_id", "start_date", "end_date"))
    if municipality is not None:
        units = filter_rows(units, "units", municipality=municipality)
    if steps is not None:
        units = filter_rows(units, "units", step=list(steps))
    no_unit = tenancies["unit_id"].isna().to_numpy(dtype=bool)
    log.add("tenancies", "no_unit", int(no_unit.sum()), "spell not in a programme flat (no unit_id)")
    tenancies = tenancies.loc[~no_unit]
    if municipality is None and steps is None:
        unknown = ~tenancies["unit_id"].isin(units["unit_id"]).to_numpy(dtype=bool)
        log.add("tenancies", "unknown_unit", int(unknown.sum()), "unit_id not in the units table")
    tenancies = tenancies.loc[tenancies["unit_id"].isin(units["unit_id"]).to_numpy(dtype=bool)]
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        tenancies["start_date"], tenancies["end_date"])
    if start is not None:
        start = as_timestamp(start, "start")
    elif tenancies["start_date"].notna().any():
        start = tenancies["start_date"].min().to_period("M").to_timestamp()
    else:
        start = as_of.to_period("M").to_timestamp()
    if start > as_of:
        raise DataError(f"occupancy: start {start:%Y-%m-%d} is after as_of {as_of:%Y-%m-%d}")
    step_of_unit = codes(units.set_index("unit_id")["step"])
    spells = pd.DataFrame({"unit_id": tenancies["unit_id"].to_numpy(),
                           "start": tenancies["start_date"].clip(lower=start).to_numpy(),
                           "end": tenancies["end_date"].fillna(as_of + pd.Timedelta(days=1))
                           .clip(upper=as_of + pd.Timedelta(days=1)).to_numpy()})
    spells = spells.loc[spells["end"] > spells["start"]]
    spells, n_overlap = _disjoint_per_unit(spells)
    log.add("tenancies", "overlap_in_unit", n_overlap,
            "spell overlaps an earlier spell in the same flat (overlap counted once)")
    days = pd.date_range(start, as_of, freq="D")
    month_of_day = days.to_period("M")
    start_idx = ((spells["start"] - start).dt.days).to_numpy()
    end_idx = ((spells["end"] - start).dt.days).to_numpy()
    spell_steps = step_of_unit.reindex(spells["unit_id"]).to_numpy()
    present = set(step_of_unit.unique())
    order = [s for s in (units["step"].cat.categories if isinstance(units["step"].dtype, pd.CategoricalDtype)
                         else sorted(present)) if s in present]
    frames = []
    for step in order:
        mask = spell_steps == step
        diff = np.zeros(len(days) + 1, dtype=np.int64)
        np.add.at(diff, start_idx[mask], 1)
        np.add.at(diff, end_idx[mask], -1)
        occupied = np.cumsum(diff)[:-1]
        n_units = int((step_of_unit == step).sum())
        per_month = pd.DataFrame({"month": month_of_day, "occupied": occupied}).groupby("month").agg(
            days=("occupied", "size"), unit_days_occupied=("occupied", "sum"))
        frames.append(pd.DataFrame({
            "step": step, "month": per_month.index.to_timestamp(), "units_available": n_units,
            "unit_days_available": per_month["days"].to_numpy() * n_units,
            "unit_days_occupied": per_month["unit_days_occupied"].to_numpy()}))
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["step", "month", "units_available", "unit_days_available", "unit_days_occupied"])
    out["occupancy_rate"] = share(out["unit_days_occupied"], out["unit_days_available"])
    out["vacancy_rate"] = 1 - out["occupancy_rate"]
    return OccupancyResult(table=out, exclusions=log.frame(), start=start, as_of=as_of)
