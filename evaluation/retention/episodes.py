"""Analysis episodes for retention, built from the tenancy spells (one row per household).

Two definitions:

``"housing"`` (keeping a home): the episode runs from the household's first spell
through every move up the staircase; it ends at the first spell that does not end
with a move up (``moved_up``) or a standard lease (``standard_lease``). Outcomes:

* ``lost_home`` – eviction or abandonment: the event by default;
* ``left`` – left voluntarily or for another reason: the destination is unknown, so this
  is a *competing* exit (censored in Kaplan–Meier unless ``failures`` says otherwise;
  an exit type of its own in Aalen–Johansen);
* ``death`` – competing exit, treated like ``left``;
* ``censored`` – still housed at the censoring date. A standard lease at the end of the
  staircase counts as still housed up to the censoring date (``standard_lease="housed"``,
  the household keeps a home) or, with ``standard_lease="censored"``, is censored on the
  lease date (when nothing is known after it). A move up with no next spell in the
  records is censored at the move date and counted in the notes.

``"programme"`` (staying in the programme step): the household's first spell; any exit
ends it. Outcomes ``positive`` (moved up, standard lease), ``lost_home``, ``left``,
``death``, ``censored``; every non-censored outcome is an event by default.

Time is in months since the episode start (days / 30.4375). Dates are whole days, so an
episode that ends on the day it starts (e.g. an eviction on the entry day) is kept with its
exit at half a day (:data:`SAME_DAY_EXIT`) and counted in the notes. Late entry: an episode that
began before ``data_start`` enters the risk set at ``data_start`` (``entry`` > 0);
episodes that ended by ``data_start`` are excluded (not observable). Episodes are
censored at ``censor_date`` (default: the latest date in the tenancy table).

Households whose spells are inconsistent (end before start, end date and exit reason
disagreeing, overlapping spells, no household record) are excluded as a whole and
counted by reason in ``exclusions``.

Example
-------
>>> import pandas as pd
>>> t = pd.DataFrame({"tenancy_id": ["T1", "T2"], "household_id": ["H1", "H1"], "unit_id": ["U1", "U2"],
...                   "step": ["crisis", "social"],
...                   "start_date": pd.to_datetime(["2019-01-01", "2019-07-01"]),
...                   "end_date": pd.to_datetime(["2019-07-01", "2020-01-01"]),
...                   "exit_reason": ["moved_up", "eviction"]})
>>> housing_episodes(t).data[["exit_time", "outcome"]].round(2).to_dict("records")
[{'exit_time': 11.99, 'outcome': 'lost_home'}]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import DataError
from evaluation.results import Result
from evaluation.retention._riskset import DAYS_PER_MONTH, to_months

POSITIVE = ("moved_up", "standard_lease")
OUTCOME_OF_REASON = {"eviction": "lost_home", "abandonment": "lost_home", "left_voluntarily": "left",
                     "other": "left", "death": "death", "still_housed": "censored",
                     "moved_up": "positive", "standard_lease": "positive"}
REQUIRED = ("tenancy_id", "household_id", "step", "start_date", "end_date", "exit_reason")
HOUSEHOLD_COLUMNS = ("municipality", "district", "cohort", "group", "programme")
#: Time (months) of an exit on the day the episode starts: half a day.
SAME_DAY_EXIT = 0.5 / DAYS_PER_MONTH


@dataclass(frozen=True)
class Episodes(Result):
    """Episodes for the retention estimators. ``data`` holds one row per household and is
    for analysis only (not for publication); ``tidy()`` gives outcome counts."""
    data: pd.DataFrame
    exclusions: pd.DataFrame  # reason, households, spells
    definition: str
    data_start: pd.Timestamp | None
    censor_date: pd.Timestamp
    extra_notes: tuple[str, ...] = ()

    count_columns = ("households",)
    n_column = None

    @property
    def title(self) -> str:
        return f"Retention episodes ({self.definition} definition)"

    @property
    def notes(self) -> tuple[str, ...]:
        notes = [f"{len(self.data)} households; censoring date {self.censor_date.date()}"
                 + (f"; records start {self.data_start.date()} (late entry before it)" if self.data_start is not None
                    else "") + ". Time in months (days / 30.4375)."]
        for _, row in self.exclusions.iterrows():
            notes.append(f"Excluded {row['households']} households ({row['spells']} spells): {row['reason']}.")
        return tuple(notes) + self.extra_notes

    def tidy(self) -> pd.DataFrame:
        out = self.data.groupby("outcome", observed=True).size().rename("households").reset_index()
        out["event"] = out["outcome"].map(self.data.groupby("outcome", observed=True)["event"].first())
        return out


def _check_columns(tenancies: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in tenancies.columns]
    if missing:
        raise DataError(f"table 'tenancies' lacks column(s) {', '.join(missing)}")
    reasons = set(tenancies["exit_reason"].dropna().astype(str))
    unknown = reasons - set(OUTCOME_OF_REASON)
    if unknown:
        raise DataError(f"table 'tenancies', column 'exit_reason': unknown code(s) {', '.join(sorted(unknown))}; "
                        f"expected {', '.join(OUTCOME_OF_REASON)}")


def _spell_problems(t: pd.DataFrame, households: pd.DataFrame | None) -> pd.Series:
    """First problem of each spell (empty string when fine), checked in a fixed order."""
    reason = pd.Series("", index=t.index, dtype=object)

    def flag(mask: pd.Series, text: str) -> None:
        reason[mask & (reason == "")] = text

    flag(t["household_id"].isna(), "spell without a household identifier")
    flag(t["start_date"].isna(), "spell without a start date")
    flag(t["exit_reason"].isna(), "spell without an exit reason")
    flag(t["end_date"].notna() & (t["end_date"] < t["start_date"]), "spell ends before it starts")
    still = t["exit_reason"].astype(object) == "still_housed"
    flag(t["end_date"].isna() & ~still & t["exit_reason"].notna(), "spell has an exit reason but no end date")
    flag(t["end_date"].notna() & still, "spell has an end date but is marked still housed")
    if households is not None:
        flag(~t["household_id"].isin(households["household_id"]), "no record in table 'households'")
    order = t.sort_values(["household_id", "start_date"])
    prev_end = order.groupby("household_id", observed=True)["end_date"].shift()
    # an earlier spell of the same household still open (no end date): cumulative count of open
    # spells before this one, computed for all households at once
    open_spell = order["end_date"].isna().astype(np.int64)
    prev_open = (open_spell.groupby(order["household_id"], observed=True).cumsum() - open_spell) > 0
    overlap = (prev_end.notna() & (order["start_date"] < prev_end)) | prev_open
    flag(overlap.reindex(t.index).fillna(False).astype(bool), "overlapping spells (two flats at once)")
    return reason


def housing_episodes(tenancies: pd.DataFrame | Any, households: pd.DataFrame | None = None, *,
                     definition: str = "housing", data_start: Any = None, censor_date: Any = None,
                     standard_lease: str = "housed", failures: Sequence[str] | None = None) -> Episodes:
    """Build one retention episode per household from the spells (see module docstring)."""
    if hasattr(tenancies, "tables"):  # a Dataset
        households = tenancies.tables.get("households") if households is None else households
        tenancies = tenancies["tenancies"]
    if definition not in ("housing", "programme"):
        raise DataError(f"definition must be 'housing' or 'programme' (got {definition!r})")
    if standard_lease not in ("housed", "censored"):
        raise DataError(f"standard_lease must be 'housed' or 'censored' (got {standard_lease!r})")
    _check_columns(tenancies)
    if len(tenancies) == 0:
        raise DataError("table 'tenancies' is empty: no episodes to build")
    t = tenancies[list(REQUIRED)].copy()
    for col in ("start_date", "end_date"):
        t[col] = pd.to_datetime(t[col])
    t["exit_reason"] = t["exit_reason"].astype(object)
    t["step"] = t["step"].astype(object)
    problems = _spell_problems(t, households)
    bad_households = set(t.loc[problems != "", "household_id"].dropna())
    bad_rows = t["household_id"].isin(bad_households) | t["household_id"].isna()
    excl = []
    first_problem = problems[problems != ""].groupby(t["household_id"].fillna("<missing>")).first()
    for text, hh in first_problem.groupby(first_problem):
        ids = set(hh.index)
        excl.append({"reason": text, "households": len(ids),
                     "spells": int(t["household_id"].fillna("<missing>").isin(ids).sum())})
    t = t[~bad_rows].sort_values(["household_id", "start_date"], kind="stable")
    if t.empty:
        raise DataError("no household has consistent tenancy spells; see the exclusions: "
                        + "; ".join(f"{e['reason']} ({e['households']})" for e in excl))

    censor = pd.Timestamp(censor_date) if censor_date is not None else pd.concat(
        [t["start_date"], t["end_date"]]).max()
    start_records = pd.Timestamp(data_start) if data_start is not None else None
    notes = []

    grp = t.groupby("household_id", sort=False)
    if definition == "housing":
        positive = t["exit_reason"].isin(POSITIVE)
        # the episode ends at the first spell that is not a positive move (or at the last spell)
        ended_before = (~positive).groupby(t["household_id"], sort=False).cumsum() - (~positive).astype(int)
        in_episode = ended_before == 0
        later = int((~in_episode).sum())
        if later:
            notes.append(f"{later} spells after a household's first loss or exit are not analysed "
                         "(first episode only).")
        ep = t[in_episode]
    else:
        ep = t[grp.cumcount() == 0]
    g = ep.groupby("household_id", sort=False)
    last = g.tail(1).set_index("household_id")
    first = g.head(1).set_index("household_id")
    out = pd.DataFrame({"household_id": first.index, "start_date": first["start_date"].to_numpy(),
                        "first_step": first["step"].to_numpy(), "last_step": last["step"].to_numpy(),
                        "exit_reason": last["exit_reason"].to_numpy(), "exit_date": last["end_date"].to_numpy(),
                        "n_spells": g.size().to_numpy()})
    outcome = out["exit_reason"].map(OUTCOME_OF_REASON)
    exit_date = out["exit_date"].copy()
    if definition == "housing":
        lease = out["exit_reason"] == "standard_lease"
        moved = out["exit_reason"] == "moved_up"
        if moved.any():
            notes.append(f"{int(moved.sum())} households moved up but no next spell is recorded: "
                         "censored at the move date.")
        if standard_lease == "housed":
            exit_date[lease] = pd.NaT  # still housed until the censoring date
        outcome[lease | moved] = "censored"
    open_ = exit_date.isna() | (exit_date > censor)
    outcome[open_] = "censored"
    exit_date = exit_date.where(~open_, censor)
    out["exit_date"] = exit_date
    out["outcome"] = outcome

    drop = []
    late_start = out["start_date"] > censor
    drop.append(("episode starts after the censoring date", late_start))
    if start_records is not None:
        drop.append(("episode ended before records start (not observable)", out["exit_date"] <= start_records))
    removed = pd.Series(False, index=out.index)
    for text, mask in drop:
        new = mask & ~removed
        if new.any():
            ids = set(out.loc[new, "household_id"])
            excl.append({"reason": text, "households": int(new.sum()),
                         "spells": int(tenancies["household_id"].isin(ids).sum())})
        removed |= mask
    out = out[~removed].reset_index(drop=True)
    if out.empty:
        raise DataError("no episode remains after the exclusions: "
                        + "; ".join(f"{e['reason']} ({e['households']})" for e in excl))

    origin = out["start_date"] if start_records is None else out["start_date"].clip(lower=start_records)
    out["entry"] = to_months(origin - out["start_date"])
    out["exit_time"] = to_months(out["exit_date"] - out["start_date"])
    # dates are whole days: an exit on the entry day happened within that day, so it is placed at
    # half a day rather than dropped (dropping an eviction on the first day would bias retention up)
    same_day = out["exit_time"] <= 0
    if same_day.any():
        out.loc[same_day, "exit_time"] = SAME_DAY_EXIT
        counts = out.loc[same_day, "outcome"].value_counts()
        notes.append(f"{int(same_day.sum())} episodes end on their first day "
                     f"({', '.join(f'{k}: {v}' for k, v in counts.items())}): exit placed at half a day.")
    if failures is None:
        failures = ("lost_home",) if definition == "housing" else ("positive", "lost_home", "left", "death")
    unknown = set(failures) - {"positive", "lost_home", "left", "death"}
    if unknown:
        raise DataError(f"failures must be among positive, lost_home, left, death (got {', '.join(sorted(unknown))})")
    out["event"] = out["outcome"].isin(failures)
    if households is not None:
        cols = [c for c in HOUSEHOLD_COLUMNS if c in households.columns]
        out = out.merge(households[["household_id", *cols]], on="household_id", how="left")
    exclusions = pd.DataFrame(excl, columns=["reason", "households", "spells"])
    return Episodes(data=out, exclusions=exclusions, definition=definition, data_start=start_records,
                    censor_date=censor, extra_notes=tuple(notes))


__all__ = ["OUTCOME_OF_REASON", "POSITIVE", "SAME_DAY_EXIT", "Episodes", "housing_episodes"]
