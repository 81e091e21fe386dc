"""Support dose: contacts and hours per household-month against the planned intensity.

Each contact is attributed to the household's programme spell in force on the contact date
(move-in day to move-out day inclusive). Exposure is household-months in that spell up to the
as-of date, split into the step's *support period* (the first ``support_months`` of the spell
per the pilot plan) and the time after it; planned intensity applies within the support period.
Contacts outside any programme spell (before move-in, after move-out) have no exposure to be
divided by and are left out of the rates, counted in the exclusions.

Example
-------
>>> import pandas as pd
>>> from evaluation.process.plan import PilotPlan, PlanStep
>>> frames = {
...     "tenancies": pd.DataFrame({"tenancy_id": ["T1"], "household_id": ["H1"], "step": ["crisis"],
...         "start_date": pd.to_datetime(["2020-01-01"]), "end_date": pd.NaT}),
...     "support_contacts": pd.DataFrame({"contact_id": ["C1", "C2"], "household_id": ["H1", "H1"],
...         "contact_date": pd.to_datetime(["2020-01-05", "2020-02-05"]), "minutes": [60, 120],
...         "worker_role": ["ngo_worker"] * 2, "topic": ["housing", "benefits"]}),
... }
>>> plan = PilotPlan((PlanStep("crisis", units=1, households=1, support_months=6,
...                            planned_hours_per_month=8.0),))
>>> row = support_dose(frames, plan, as_of="2020-12-31").tidy().iloc[0]
>>> float(round(row["hours"], 1)), float(round(row["household_months"], 1))
(3.0, 6.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.process._tables import (
    DAYS_PER_MONTH,
    ExclusionLog,
    Tables,
    check_lang,
    share,
    spells_in_scope,
    table,
)
from evaluation.process.plan import PilotPlan
from evaluation.reporting.labels import category_label
from evaluation.results import FigureTable, Result

PERIODS = ("within_support", "after_support")


def attribute_to_spells(contacts: pd.DataFrame, spells: pd.DataFrame) -> np.ndarray:
    """Position (row number in ``spells``) of the spell in force on each contact's date, -1 if none.

    ``spells`` needs household_id, start_date and end (last day, filled). Works on integer
    household codes so that millions of contacts attribute in seconds.
    """
    n_contacts = len(contacts)
    household = pd.factorize(pd.concat([contacts["household_id"], spells["household_id"]], ignore_index=True)
                             .astype("object"))[0]
    left = pd.DataFrame({"household": household[:n_contacts], "date": contacts["contact_date"].to_numpy(),
                         "row": np.arange(n_contacts)}).sort_values("date", kind="stable")
    right = pd.DataFrame({"household": household[n_contacts:], "start": spells["start_date"].to_numpy(),
                          "spell": np.arange(len(spells))}).sort_values("start", kind="stable")
    merged = pd.merge_asof(left, right, left_on="date", right_on="start", by="household", direction="backward")
    position = np.full(n_contacts, -1, dtype=np.int64)
    found = merged["spell"].notna().to_numpy()
    rows = merged["row"].to_numpy()[found]
    spell = merged["spell"].to_numpy()[found].astype(np.int64)
    inside = merged["date"].to_numpy()[found] <= spells["end"].to_numpy()[spell]
    position[rows[inside]] = spell[inside]
    return position


@dataclass(frozen=True)
class SupportDose(Result):
    """Contacts and hours per household-month by step (tidy), months since entry, role and topic."""

    table: pd.DataFrame
    months_since_entry: pd.DataFrame
    roles: pd.DataFrame
    topics: pd.DataFrame
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Support dose against plan"

    count_columns: ClassVar[tuple[str, ...]] = ("households",)
    n_column: ClassVar[str | None] = "households"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def by_month_since_entry(self) -> pd.DataFrame:
        return self.months_since_entry.copy()

    def by_role(self) -> pd.DataFrame:
        return self.roles.copy()

    def by_topic(self) -> pd.DataFrame:
        return self.topics.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"Exposure up to {self.as_of:%Y-%m-%d}; a household-month is 30.44 days. Planned "
                 "intensity applies within the support period of each step (first months of the spell)."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    figure_drawer: ClassVar[str] = "evaluation.process.dose:draw_support_dose"

    def figure_tables(self) -> dict[str, FigureTable]:
        """The figure shows support by month since entry, each month's mean resting on its households."""
        return {"by_month": FigureTable(self.months_since_entry, count_columns=("households",),
                                        n_column="households",
                                        title_cs="Intenzita podpory podle měsíce od nastěhování",
                                        title_en="Support dose by month since move-in")}


def draw_support_dose(table: pd.DataFrame, ax: Any = None, lang: str = "cs", measure: str = "hours",
                      **kwargs: Any) -> Any:
    """Hours (or contacts) per household-month by month since entry, planned level dashed.

    ``table`` is :meth:`SupportDose.by_month_since_entry` or its published form (a month resting
    on too few households is a gap).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.style import step_colour

    check_lang(lang)
    ax = ax if ax is not None else plt.subplots(figsize=(8, 3.5))[1]
    any_plan = False
    for step, part in table.groupby("step", sort=False, observed=True):
        colour = step_colour(step)
        line = ax.plot(part["month_since_entry"], pd.to_numeric(part[f"{measure}_per_household_month"],
                                                                 errors="coerce"),
                       label=category_label("step", step, lang), color=colour, **kwargs)[0]
        planned = pd.to_numeric(part[f"planned_{measure}_per_month"], errors="coerce")
        if planned.notna().any():
            any_plan = True
            ax.step(part["month_since_entry"], planned, where="post", ls="--", color=line.get_color())
    ax.set_xlabel(pl.text("months_since_move_in", lang))
    ax.set_ylabel(pl.text("support_hours" if measure == "hours" else "support_contacts", lang))
    ax.set_ylim(bottom=0)
    pl.number_axis(ax, lang, axis="x", integer=True)
    pl.number_axis(ax, lang, axis="y")
    handles, labels = ax.get_legend_handles_labels()
    if any_plan:
        handles.append(Line2D([], [], color="0.3", ls="--"))
        labels.append(pl.text("planned_level", lang))
    pl.legend_above(ax, handles=handles, labels=labels)
    return ax


def _spells(data: Tables, municipality: Any, as_of: Any, log: ExclusionLog) -> tuple[pd.DataFrame, pd.Timestamp]:
    spells, as_of = spells_in_scope(data, ("tenancy_id", "household_id", "step", "start_date", "end_date"),
                                    municipality, as_of, log)
    spells["end"] = spells["end_date"].fillna(as_of).clip(upper=as_of)
    spells["months"] = (spells["end"] - spells["start_date"]).dt.days.to_numpy() / DAYS_PER_MONTH
    return spells, as_of


def support_dose(data: Tables, plan: PilotPlan | None = None, *, as_of: Any = None,
                 municipality: str | None = None, max_months: int | None = None) -> SupportDose:
    """Contacts and hours per household-month by step, by month since entry, by worker role and topic.

    ``max_months`` limits the months-since-entry table (default: the longest spell observed).

    Example: ``support_dose(dataset, PilotPlan.ostrava(), as_of="2021-12-31").by_month_since_entry()``
    """
    plan = plan or PilotPlan.ostrava()
    log = ExclusionLog()
    spells, as_of = _spells(data, municipality, as_of, log)
    contacts = table(data, "support_contacts", ("household_id", "contact_date", "minutes", "worker_role"))
    contacts = contacts[[c for c in ("household_id", "contact_date", "minutes", "worker_role", "topic")
                         if c in contacts.columns]]
    contacts = contacts.loc[contacts["household_id"].isin(spells["household_id"]).to_numpy(dtype=bool)
                            | (municipality is None)]
    late = (contacts["contact_date"] > as_of).to_numpy(dtype=bool)
    log.add("support_contacts", "after_as_of", int(late.sum()), "contact after the as-of date")
    contacts = contacts.loc[~late]
    no_minutes = contacts["minutes"].isna().to_numpy(dtype=bool)
    log.add("support_contacts", "missing_minutes", int(no_minutes.sum()), "duration (minutes) is empty")
    contacts = contacts.loc[~no_minutes]
    support = spells["step"].map(plan.support_months())
    spells = spells.assign(support_months=support.to_numpy(float)).reset_index(drop=True)
    position = attribute_to_spells(contacts, spells)
    outside = position < 0
    log.add("support_contacts", "outside_spell", int(outside.sum()),
            "contact not during a programme spell (before move-in or after move-out)")
    not_planned = spells["support_months"].isna().to_numpy()
    if not_planned.any():
        off_plan_steps = ", ".join(sorted(spells.loc[not_planned, "step"].unique()))
        log.add("tenancies", "step_not_in_plan", int(not_planned.sum()),
                f"spell at a step not in the pilot plan ({off_plan_steps})")
        off = ~outside & not_planned[np.where(outside, 0, position)]
        log.add("support_contacts", "step_not_in_plan", int(off.sum()),
                f"contact during a spell at a step not in the pilot plan ({off_plan_steps})")
        outside = outside | off
    keep = ~outside
    spell = position[keep]
    start = spells["start_date"].to_numpy()[spell]
    step_order = list(plan.step_names)
    months_since = (contacts["contact_date"].to_numpy()[keep] - start) / np.timedelta64(1, "D") / DAYS_PER_MONTH
    merged = pd.DataFrame({
        "step": pd.Categorical(spells["step"].to_numpy()[spell], categories=step_order),
        "household_code": pd.factorize(spells["household_id"])[0][spell],
        "month_since_entry": months_since,
        "hours": contacts["minutes"].to_numpy(dtype=float, na_value=np.nan)[keep] / 60.0,
        "worker_role": contacts["worker_role"].to_numpy()[keep]})
    if "topic" in contacts.columns:
        merged["topic"] = contacts["topic"].to_numpy()[keep]
    merged["period"] = np.where(months_since < spells["support_months"].to_numpy()[spell], PERIODS[0], PERIODS[1])
    spells = spells.loc[~not_planned]
    planned = plan.to_frame().set_index("step")
    counted = merged.groupby(["step", "period"], observed=True).agg(contacts=("hours", "size"),
                                                                   hours=("hours", "sum"))
    inside = np.minimum(spells["months"], spells["support_months"]).clip(lower=0)
    after = (spells["months"] - spells["support_months"]).clip(lower=0)
    exposure = spells.assign(inside=inside, after=after).groupby("step").agg(
        households=("household_id", "nunique"), inside=("inside", "sum"), after=("after", "sum"))
    rows = []
    for step in step_order:
        for period, column in zip(PERIODS, ("inside", "after")):
            is_support = period == PERIODS[0]
            found = (step, period) in counted.index
            rows.append({"step": step, "period": period,
                         "households": int(exposure.at[step, "households"]) if step in exposure.index else 0,
                         "household_months": float(exposure.at[step, column]) if step in exposure.index else 0.0,
                         "contacts": int(counted.at[(step, period), "contacts"]) if found else 0,
                         "hours": float(counted.at[(step, period), "hours"]) if found else 0.0,
                         "planned_contacts_per_month": planned.at[step, "planned_contacts_per_month"]
                         if is_support else np.nan,
                         "planned_hours_per_month": planned.at[step, "planned_hours_per_month"]
                         if is_support else np.nan})
    by_step = pd.DataFrame(rows)
    by_step["planned_contacts_per_month"] = by_step["planned_contacts_per_month"].astype(float)
    by_step["planned_hours_per_month"] = by_step["planned_hours_per_month"].astype(float)
    by_step["contacts_per_household_month"] = share(by_step["contacts"], by_step["household_months"])
    by_step["hours_per_household_month"] = share(by_step["hours"], by_step["household_months"])
    by_step["percent_of_planned_hours"] = 100 * share(by_step["hours_per_household_month"],
                                                      by_step["planned_hours_per_month"])

    months = _by_month_since_entry(spells, merged, planned, step_order, max_months)
    roles = _shares(merged, "worker_role", step_order)
    topics = _shares(merged, "topic", step_order) if "topic" in merged.columns else pd.DataFrame()
    return SupportDose(table=by_step, months_since_entry=months, roles=roles, topics=topics,
                       exclusions=log.frame(), as_of=as_of)


def _by_month_since_entry(spells: pd.DataFrame, merged: pd.DataFrame, planned: pd.DataFrame,
                          steps: list[str], max_months: int | None) -> pd.DataFrame:
    """Exposure in month k since move-in = sum over spells of min(max(duration - k, 0), 1)."""
    frames = []
    longest = int(np.ceil(spells["months"].max())) if len(spells) else 0
    horizon = longest if max_months is None else min(int(max_months), longest)
    k = np.arange(horizon)
    contacts_by_step = dict(iter(merged.groupby("step", observed=True)))
    durations_by_step = {k: v.to_numpy(float) for k, v in spells.groupby("step")["months"]}
    for step in steps:
        durations = durations_by_step.get(step, np.zeros(0))
        exposure, at_risk = _exposure_by_month(durations, horizon)
        c = contacts_by_step.get(step, merged.iloc[0:0])
        index = np.floor(c["month_since_entry"].to_numpy()).astype(int)
        inside = index < horizon
        n_contacts = np.bincount(index[inside], minlength=horizon)[:horizon]
        hours = np.bincount(index[inside], weights=c["hours"].to_numpy()[inside], minlength=horizon)[:horizon]
        support_months = planned.at[step, "support_months"]
        in_support = k < support_months
        frames.append(pd.DataFrame({
            "step": step, "month_since_entry": k, "households": at_risk.astype(int),
            "household_months": exposure, "contacts": n_contacts, "hours": hours,
            "contacts_per_household_month": share(n_contacts, exposure),
            "hours_per_household_month": share(hours, exposure),
            "planned_contacts_per_month": np.where(in_support, planned.at[step, "planned_contacts_per_month"], np.nan),
            "planned_hours_per_month": np.where(in_support, planned.at[step, "planned_hours_per_month"], np.nan)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _exposure_by_month(durations: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Household-months and households observed in each month k since move-in.

    A spell of d months gives a full month to every k < floor(d) and the fraction d - floor(d)
    to month floor(d); counting by floor(d) keeps this linear in the number of spells.
    """
    whole = np.floor(durations).astype(np.int64)
    fraction = durations - whole
    size = max(horizon, int(whole.max()) + 1 if len(whole) else 0) + 1
    per_floor = np.bincount(whole, minlength=size)
    longer = per_floor[::-1].cumsum()[::-1]  # number of spells with floor(d) >= k
    full = np.append(longer[1:], 0)[:horizon]  # floor(d) > k: month k fully observed
    partial = np.bincount(whole, weights=fraction, minlength=size)[:horizon]
    started = np.bincount(whole[fraction > 0], minlength=size)[:horizon]
    return full + partial, full + started


def _shares(merged: pd.DataFrame, column: str, steps: list[str]) -> pd.DataFrame:
    values = pd.Categorical(merged[column])
    if values.isna().any():
        values = values.add_categories(["missing"]).fillna("missing")
    lean = pd.DataFrame({"step": merged["step"], "category": values, "hours": merged["hours"],
                         "household_code": merged["household_code"]})
    grouped = lean.groupby(["step", "category"], sort=False, observed=True)
    out = grouped.agg(contacts=("hours", "size"), hours=("hours", "sum"),
                      households=("household_code", "nunique")).reset_index()
    total = out.groupby("step", observed=True)["hours"].transform("sum")
    out["share_of_hours"] = share(out["hours"], total)
    out = out.rename(columns={"category": column}).sort_values(["step", column]).reset_index(drop=True)
    out["step"] = out["step"].astype("object")
    return out
