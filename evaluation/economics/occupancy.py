"""Where each programme household is in each month after its entry, and who is still followed.

A programme household enters on the start of its first spell in a housing step. For the months
``k = 0 .. H - 1`` after entry its *state* is the step of the spell that covers the middle of the
month (entry + (k + 0.5) x 30.4375 days): ``crisis``, ``social``, ``affordable``,
``housing_first``, or out of the programme (a standard lease, an exit, or no spell). The month is
*known* when its middle falls on or before the censoring date (the extraction date of the data).

Censoring is administrative: whether a month is known depends only on the entry date, not on what
happened to the household, so the share of known households in a state estimates the
probability of being in it (the state occupation probability), and the expected months in each
step within the horizon is the sum of those shares over the months. Households that left, lost
their home or died stay in the denominator as *out of the programme*: they cost nothing more.

Example
-------
>>> import pandas as pd
>>> ten = pd.DataFrame({"household_id": ["H1", "H1"], "step": ["crisis", "social"],
...                     "start_date": pd.to_datetime(["2019-01-01", "2019-03-01"]),
...                     "end_date": pd.to_datetime(["2019-03-01", pd.NaT]), "exit_reason": ["moved_up", "still_housed"]})
>>> hh = pd.DataFrame({"household_id": ["H1"], "municipality": ["Brno"], "group": ["programme"]})
>>> occ = occupancy(ten, hh, horizon=4, censor_date="2020-01-01")
>>> occ.state_names[occ.states[0, 0]], occ.state_names[occ.states[0, 3]]
('crisis', 'social')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.economics.step_costs import STEPS
from evaluation.errors import DataError
from evaluation.retention._riskset import DAYS_PER_MONTH

#: State code of a month outside the programme steps.
OUT = -1


@dataclass(frozen=True)
class Occupancy:
    """Monthly states (households x horizon; codes into :attr:`state_names`, ``OUT`` outside the
    programme) and whether each month is known, with the households behind the rows (analysis only)."""

    households: pd.DataFrame  # household_id, municipality, entry_date, entry_step
    states: np.ndarray
    known: np.ndarray
    state_names: tuple[str, ...]
    horizon: int
    censor_date: pd.Timestamp
    notes: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.households)

    def mean_profile(self, monthly: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Mean over the known households of a households x months array, month by month (NaN when no
        household is known in a month)."""
        known = self.known if rows is None else self.known[rows]
        values = monthly if rows is None else monthly[rows]
        count = known.sum(axis=0)
        total = np.where(known, values, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def in_programme_share(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Share of the known households in any programme step, month by month."""
        return self.mean_profile((self.states != OUT).astype(float), rows)


def _entries(spells: pd.DataFrame) -> pd.DataFrame:
    first = spells.sort_values(["household_id", "start_date"], kind="stable").groupby("household_id").first()
    return pd.DataFrame({"household_id": first.index, "entry_date": first["start_date"].to_numpy(),
                         "entry_step": first["step"].astype(str).to_numpy()})


def occupancy(tenancies: pd.DataFrame, households: pd.DataFrame, *, horizon: int,
              censor_date: Any = None) -> Occupancy:
    """The monthly states of the programme households over ``horizon`` months since entry (see the
    module docstring). ``censor_date``: extraction date of the tenancy records (default: the latest date
    in them)."""
    for col in ("household_id", "step", "start_date", "end_date"):
        if col not in tenancies.columns:
            raise DataError(f"table 'tenancies' lacks column {col!r}")
    for col in ("household_id", "municipality", "group"):
        if col not in households.columns:
            raise DataError(f"table 'households' lacks column {col!r}")
    t = pd.DataFrame({"household_id": tenancies["household_id"].to_numpy(),
                      "step": tenancies["step"].astype(object).to_numpy(),
                      "start_date": pd.to_datetime(tenancies["start_date"]).to_numpy(),
                      "end_date": pd.to_datetime(tenancies["end_date"]).to_numpy()})
    censor = pd.Timestamp(censor_date) if censor_date is not None else max(t["start_date"].max(),
                                                                            t["end_date"].max())
    programme = households.loc[households["group"].astype(object) == "programme", ["household_id", "municipality"]]
    t = t[t["household_id"].isin(programme["household_id"])]
    notes = []
    bad = t["start_date"].isna() | (t["end_date"].notna() & (t["end_date"] < t["start_date"]))
    if bad.any():
        ids = set(t.loc[bad, "household_id"])
        notes.append(f"{len(ids)} programme households with a spell without a start or ending before it were "
                     "excluded from the months in the programme.")
        t = t[~t["household_id"].isin(ids)]
    steps = t[t["step"].isin(STEPS)]
    entries = _entries(steps).merge(programme.assign(municipality=programme["municipality"].astype(str)),
                                    on="household_id", how="left")
    without = len(set(programme["household_id"])) - len(entries)
    if without > 0:
        notes.append(f"{without} programme households have no spell in a housing step (no entry) and cost nothing "
                     "here.")
    late = entries["entry_date"] > censor
    if late.any():
        notes.append(f"{int(late.sum())} programme households entered after the censoring date and were left out.")
        entries = entries[~late.to_numpy()]
    entries = entries.sort_values("household_id").reset_index(drop=True)
    if entries.empty:
        raise DataError("no programme household has a spell in a housing step before the censoring date")
    row_of = pd.Series(np.arange(len(entries)), index=entries["household_id"])
    entry_days = entries["entry_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    midpoints = entry_days[:, None] + (np.arange(horizon)[None, :] + 0.5) * DAYS_PER_MONTH
    known = midpoints <= np.datetime64(censor, "D").astype(np.int64) + 1.0
    states = np.full((len(entries), horizon), OUT, dtype=np.int8)
    rows = steps[steps["household_id"].isin(row_of.index)]
    r = row_of.loc[rows["household_id"]].to_numpy()
    start = rows["start_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    end_dates = rows["end_date"].fillna(censor + pd.Timedelta(days=1)).to_numpy()
    end = end_dates.astype("datetime64[D]").astype(np.int64)
    code = np.array([STEPS.index(s) for s in rows["step"]], dtype=np.int8)
    rel_start = (start - entry_days[r]) / DAYS_PER_MONTH - 0.5
    rel_end = (end - entry_days[r]) / DAYS_PER_MONTH - 0.5
    first = np.clip(np.ceil(rel_start), 0, horizon).astype(np.int64)
    stop = np.clip(np.ceil(rel_end), 0, horizon).astype(np.int64)
    for i, a, b, c in zip(r, first, stop, code):
        if b > a:
            states[i, a:b] = c
    return Occupancy(households=entries, states=states, known=known, state_names=STEPS, horizon=int(horizon),
                     censor_date=censor, notes=tuple(notes))


__all__ = ["OUT", "Occupancy", "occupancy"]
