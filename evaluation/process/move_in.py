"""Time from referral to move-in, and drop-out within the support period, by step.

Time to move-in runs from ``households.referral_date`` to the start of the household's first
programme spell. Households referred but not housed by the as-of date are *still waiting*: they
are counted, and their waiting time so far is given, but the distribution summaries (mean,
quartiles) describe the households that moved in. For a censoring-aware median use
:func:`evaluation.process.contact_points.processing_time`-style survival estimates.

Drop-out: a spell that ends within the step's support period (pilot plan) for a reason other
than moving up the staircase or taking a standard lease (eviction, abandonment, leaving
voluntarily, other). Deaths are reported separately and are not drop-out. Spells still running
and shorter than the support period are *censored* (their outcome is not yet known) and are left
out of the denominator of the drop-out share, which is over spells with a known outcome.

Example
-------
>>> import pandas as pd
>>> frames = {
...     "households": pd.DataFrame({"household_id": ["H1", "H2"], "group": ["programme"] * 2,
...         "referral_date": pd.to_datetime(["2020-01-01", "2020-01-01"])}),
...     "tenancies": pd.DataFrame({"tenancy_id": ["T1"], "household_id": ["H1"], "step": ["crisis"],
...         "start_date": pd.to_datetime(["2020-01-31"]), "end_date": pd.NaT,
...         "exit_reason": ["still_housed"]}),
... }
>>> time_to_move_in(frames, as_of="2020-12-31").tidy()[["moved_in", "still_waiting", "median_days"]].values.tolist()
[[1.0, 1.0, 30.0]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.process._tables import (
    DAYS_PER_MONTH,
    ExclusionLog,
    Tables,
    as_timestamp,
    codes,
    default_as_of,
    filter_rows,
    share,
    spells_in_scope,
    table,
)
from evaluation.process.plan import PilotPlan
from evaluation.reporting.identities import ColumnRelation
from evaluation.reporting.labels import category_label
from evaluation.results import Result

POSITIVE_EXITS = ("moved_up", "standard_lease")
DROPOUT_EXITS = ("eviction", "abandonment", "left_voluntarily", "other")


def _summary(days: pd.Series) -> dict[str, float]:
    if len(days) == 0:
        return dict.fromkeys(("mean_days", "median_days", "q1_days", "q3_days", "min_days", "max_days"), np.nan)
    q = np.percentile(days.to_numpy(float), [25, 50, 75])
    return {"mean_days": float(days.mean()), "median_days": float(q[1]), "q1_days": float(q[0]),
            "q3_days": float(q[2]), "min_days": float(days.min()), "max_days": float(days.max())}


@dataclass(frozen=True)
class TimeToMoveIn(Result):
    """Days from referral to first move-in: distribution among movers, count still waiting."""

    table: pd.DataFrame
    durations: pd.DataFrame  # household-level, kept private to plots (not for publication)
    by: tuple[str, ...]
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Time from referral to move-in"

    count_columns: ClassVar[tuple[str, ...]] = ("referred", "moved_in", "still_waiting")
    n_column: ClassVar[str | None] = "moved_in"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = [f"As of {self.as_of:%Y-%m-%d}. Quartiles (linear interpolation) and mean describe "
                 "households that moved in; households still waiting are counted separately with the "
                 "median of their waiting time so far (a lower bound)."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """Box plot of days to move-in by group."""
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(7, 3.5))[1]
        moved = self.durations.loc[self.durations["moved_in"]]
        if self.by:
            groups = list(moved.groupby(list(self.by), sort=False, observed=True))
            names = [" / ".join(category_label("step", k, lang) for k in (g if isinstance(g, tuple) else (g,)))
                     for g, _ in groups]
            values = [part["days"].to_numpy() for _, part in groups]
        else:
            names, values = ["all"], [moved["days"].to_numpy()]
        if values:
            ax.boxplot(values, orientation="horizontal", **kwargs)
            ax.set_yticks(range(1, len(names) + 1), names)
        ax.set_xlabel("dny od doporučení do nastěhování" if lang == "cs" else "days from referral to move-in")
        return ax


def time_to_move_in(data: Tables, *, by: tuple[str, ...] | str = (), as_of: Any = None,
                    municipality: str | None = None) -> TimeToMoveIn:
    """Days from referral to first programme move-in, by ``entry_step`` or a households column.

    Households still waiting at ``as_of`` get ``entry_step`` "not_housed".

    Example: ``time_to_move_in(dataset, by="entry_step").tidy()``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    households = table(data, "households", ("household_id", "group", "referral_date"))
    tenancies = table(data, "tenancies", ("household_id", "step", "start_date"))
    if municipality is not None:
        households = filter_rows(households, "households", municipality=municipality)
    as_of = as_timestamp(as_of, "as_of") if as_of is not None else default_as_of(
        tenancies["start_date"], households["referral_date"])
    programme = codes(households["group"]).eq("programme").to_numpy(dtype=bool)
    log.add("households", "comparison_group", int((~programme).sum()), "comparison-group household")
    people = households.loc[programme]
    no_date = people["referral_date"].isna().to_numpy(dtype=bool)
    log.add("households", "missing_referral_date", int(no_date.sum()), "referral date is empty")
    people = people.loc[~no_date]
    late = (people["referral_date"] > as_of).to_numpy(dtype=bool)
    log.add("households", "referred_after_as_of", int(late.sum()), "referred after the as-of date")
    people = people.loc[~late]
    spells = tenancies.loc[(tenancies["start_date"] <= as_of).to_numpy(dtype=bool)]
    first = (spells.sort_values(["household_id", "start_date"], kind="stable").drop_duplicates("household_id")
             .set_index("household_id"))
    entry = first["start_date"].reindex(people["household_id"]).reset_index(drop=True)
    step = codes(first["step"]).reindex(people["household_id"]).fillna("not_housed").to_numpy()
    moved = entry.notna().to_numpy(dtype=bool)
    days = (entry.where(moved, as_of) - people["referral_date"].reset_index(drop=True)).dt.days
    frame = people.reset_index(drop=True).assign(entry_step=step, moved_in=moved,
                                                 days=days.to_numpy(dtype=float))
    negative = (frame["moved_in"] & (frame["days"] < 0)).to_numpy(dtype=bool)
    log.add("households", "moved_in_before_referral", int(negative.sum()),
            "first move-in precedes the referral date (referral recorded late)")
    frame = frame.loc[~negative]
    for column in by:
        if column not in frame.columns:
            raise DataError(f"time_to_move_in: cannot group by {column!r}")
    rows = []
    groups = frame.groupby([frame[c].astype("object") for c in by], sort=False) if by else [((), frame)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        moved_part = part.loc[part["moved_in"], "days"]
        waiting = part.loc[~part["moved_in"], "days"]
        row = dict(zip(by, key))
        row.update({"referred": len(part), "moved_in": len(moved_part), "still_waiting": len(waiting),
                    **_summary(moved_part),
                    "median_days_waiting_so_far": float(waiting.median()) if len(waiting) else np.nan})
        rows.append(row)
    out = pd.DataFrame(rows)
    durations = frame[[*by, "entry_step", "moved_in", "days"]].loc[:, lambda f: ~f.columns.duplicated()]
    return TimeToMoveIn(table=out, durations=durations, by=by, exclusions=log.frame(), as_of=as_of)


@dataclass(frozen=True)
class DropOut(Result):
    """Spells ended by drop-out within the support period, by step."""

    table: pd.DataFrame
    exclusions: pd.DataFrame
    as_of: pd.Timestamp
    title: str = "Drop-out within the support period"

    count_columns: ClassVar[tuple[str, ...]] = ("spells", "dropout", "positive_exit", "death",
                                                "completed_support", "censored")
    n_column: ClassVar[str | None] = "known_outcome"
    # Five parts: longer than disclosure control's automatic search for identities.
    count_relations: ClassVar[tuple[Any, ...]] = (
        ColumnRelation("spells", ("dropout", "positive_exit", "death", "completed_support", "censored")),)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = ["Drop-out = eviction, abandonment, leaving voluntarily or other exit within the support "
                 "period; deaths are not drop-out. dropout_share = dropout / known_outcome, where spells "
                 f"still running and shorter than the support period at {self.as_of:%Y-%m-%d} are censored "
                 "and left out of known_outcome (a crude share; for time-to-event estimates use "
                 "evaluation.retention)."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)


def dropout(data: Tables, plan: PilotPlan | None = None, *, as_of: Any = None,
            municipality: str | None = None) -> DropOut:
    """Count spells by how they stood at the end of the step's support period.

    Example: ``dropout(dataset, PilotPlan.ostrava()).tidy()``
    """
    plan = plan or PilotPlan.ostrava()
    log = ExclusionLog()
    spells, as_of = spells_in_scope(data, ("household_id", "step", "start_date", "end_date", "exit_reason"),
                                    municipality, as_of, log)
    spells["exit_reason"] = codes(spells["exit_reason"])
    # a spell ending after the as-of date is still running as far as the analysis can know
    ended = spells["end_date"].notna() & (spells["end_date"] <= as_of)
    support = spells["step"].map(plan.support_months())
    off_plan = support.isna().to_numpy(dtype=bool)
    log.add("tenancies", "step_not_in_plan", int(off_plan.sum()), "step not in the pilot plan")
    spells, ended, support = spells.loc[~off_plan], ended.loc[~off_plan], support.loc[~off_plan]
    months = (spells["end_date"].where(ended, as_of) - spells["start_date"]).dt.days / DAYS_PER_MONTH
    within = months < support
    reason = spells["exit_reason"]
    status = np.select(
        [ended & within & reason.isin(DROPOUT_EXITS), ended & within & reason.isin(POSITIVE_EXITS),
         ended & within & reason.eq("death"), ~within, ~ended & within],
        ["dropout", "positive_exit", "death", "completed_support", "censored"], default="censored")
    spells = spells.assign(status=status)
    rows = []
    for step in plan.step_names:
        part = spells.loc[spells["step"] == step, "status"].value_counts()
        row = {"step": step, "support_months": plan.step(step).support_months,
               "spells": int(part.sum())}
        for s in ("dropout", "positive_exit", "death", "completed_support", "censored"):
            row[s] = int(part.get(s, 0))
        row["known_outcome"] = row["spells"] - row["censored"]
        rows.append(row)
    out = pd.DataFrame(rows)
    out["dropout_share"] = share(out["dropout"], out["known_outcome"])
    return DropOut(table=out, exclusions=log.frame(), as_of=as_of)
