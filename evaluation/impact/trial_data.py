"""One row per randomised household, from the ``assignment`` table of a Dataset, ready for the
trial estimators.

:func:`trial_data` joins the assignment to the households and reads, for each household:

* ``assigned`` (1 = programme arm) and ``received`` (the ``received`` column; where it is empty,
  whether the household started a programme tenancy — any step but a standard lease — between
  randomisation and the follow-up);
* the outcome at follow-up, ``months`` after randomisation: a column of ``household_outcomes`` in
  the calendar month of the follow-up, or ``stably_housed`` (1 when no tenancy ended in eviction or
  abandonment between randomisation and the follow-up date, from ``tenancies``);
* attrition: a household whose ``followed_up`` is false has no outcome, whatever the records
  say (the trial's outcome is its follow-up); a household without a record that month neither
  (``attrition_reason`` = ``no_outcome_record``);
* baseline covariates of ``households`` and, for a monthly outcome, its value in the month before
  randomisation (``baseline_<outcome>``). Following the usual practice for experiments, a missing
  numeric covariate is set to the mean and flagged by an indicator ``<name>_missing``, and a missing
  category becomes the category ``missing``, so that no randomised household is dropped for it.

:class:`TrialData` holds the frame (household-level rows: for analysis, never for publication)
and runs every analysis with its columns filled in: ``itt``, ``randomisation_test``, ``balance``,
``attrition``, ``lee_bounds``, ``cace`` and ``flow``.

Example
-------
>>> from evaluation.synthetic import simulate
>>> trial = trial_data(simulate(seed=2019, scale=1.0).tables, "arrears_czk")
>>> len(trial.frame), trial.strata
(150, 'stratum')
>>> round(trial.itt().estimate, -3)  # doctest: +SKIP
-7000.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.errors import ConfigError, DataError
from evaluation.impact._design import Exclusions
from evaluation.impact.trial import ITTResult, itt
from evaluation.impact.trial_attrition import (
    AttritionResult,
    LeeBoundsResult,
    attrition,
    lee_bounds,
)
from evaluation.impact.trial_balance import TrialBalance, trial_balance
from evaluation.impact.trial_flow import TrialFlow, trial_flow
from evaluation.impact.trial_iv import CACEResult, cace
from evaluation.impact.trial_randomisation import TrialRandomisationResult, trial_randomisation_test
from evaluation.process._tables import Tables, codes, table

#: Outcome read from the tenancies rather than from household_outcomes.
STABLY_HOUSED = "stably_housed"
#: Exit reasons that end a tenancy against the household's will.
NEGATIVE_EXITS = ("eviction", "abandonment")
#: Steps that are not the programme (a standard lease outside the programme's flats).
NOT_PROGRAMME_STEPS = ("standard",)
DEFAULT_COVARIATES = ("household_size", "children")


@dataclass(frozen=True)
class TrialData:
    """The analysis frame of a trial and the names of its columns; runs the trial analyses."""

    frame: pd.DataFrame
    outcome: str
    months: int
    covariates: tuple[str, ...]
    strata: str | None
    notes: tuple[str, ...] = ()
    exclusions: Exclusions = field(default_factory=Exclusions)

    def __repr__(self) -> str:  # never print household rows
        return (f"TrialData({len(self.frame)} randomised households, outcome={self.outcome!r} at "
                f"{self.months} months, covariates={list(self.covariates)}, strata={self.strata!r})")

    def itt(self, **kwargs: Any) -> ITTResult:
        return itt(self.frame, self.outcome, "assigned", **{"covariates": self.covariates, "strata": self.strata,
                                                             **kwargs})

    def randomisation_test(self, statistic: str = "lin", **kwargs: Any) -> TrialRandomisationResult:
        """Lin's statistic with the trial's covariates by default (as :meth:`itt` reports it)."""
        covariates = self.covariates if statistic == "lin" else ()
        return trial_randomisation_test(self.frame, self.outcome, "assigned",
                                  **{"strata": self.strata, "statistic": statistic, "covariates": covariates, **kwargs})

    def balance(self, **kwargs: Any) -> TrialBalance:
        return trial_balance(self.frame, "assigned", **{"covariates": self.covariates, "strata": self.strata,
                                                        **kwargs})

    def attrition(self, **kwargs: Any) -> AttritionResult:
        return attrition(self.frame, "assigned", self.outcome, **{"reason": "attrition_reason", **kwargs})

    def lee_bounds(self, **kwargs: Any) -> LeeBoundsResult:
        return lee_bounds(self.frame, self.outcome, "assigned", **kwargs)

    def cace(self, **kwargs: Any) -> CACEResult:
        return cace(self.frame, self.outcome, "assigned", "received",
                    **{"covariates": self.covariates, "strata": self.strata, **kwargs})

    def flow(self) -> TrialFlow:
        return trial_flow(self.frame, outcome=self.outcome, strata=self.strata)


def _received_from_tenancies(frame: pd.DataFrame, tenancies: pd.DataFrame | None) -> pd.Series:
    if tenancies is None:
        return pd.Series(np.nan, index=frame.index)
    spells = tenancies.loc[~codes(tenancies["step"]).isin(NOT_PROGRAMME_STEPS).to_numpy(dtype=bool),
                           ["household_id", "start_date"]].merge(frame[["household_id", "assignment_date",
                                                                        "follow_up_date"]], on="household_id")
    inside = (spells["start_date"] >= spells["assignment_date"]) & (spells["start_date"] <= spells["follow_up_date"])
    housed = set(spells.loc[inside.to_numpy(dtype=bool), "household_id"])
    return frame["household_id"].isin(housed).astype(float)


def _stably_housed(frame: pd.DataFrame, tenancies: pd.DataFrame | None) -> pd.Series:
    if tenancies is None:
        raise DataError("the outcome 'stably_housed' is read from the tenancies table, which the data lack")
    spells = tenancies[["household_id", "end_date", "exit_reason"]].merge(
        frame[["household_id", "assignment_date", "follow_up_date"]], on="household_id")
    negative = (codes(spells["exit_reason"]).isin(NEGATIVE_EXITS) & (spells["end_date"] >= spells["assignment_date"])
                & (spells["end_date"] <= spells["follow_up_date"])).to_numpy(dtype=bool)
    lost = set(spells.loc[negative, "household_id"])
    known = set(spells["household_id"])
    return frame["household_id"].map(lambda h: np.nan if h not in known else float(h not in lost))


def _monthly(frame: pd.DataFrame, outcomes: pd.DataFrame, column: str, month: pd.Series) -> pd.Series:
    wanted = pd.DataFrame({"household_id": frame["household_id"].to_numpy(), "month": month.to_numpy()})
    found = wanted.merge(outcomes[["household_id", "month", column]], on=["household_id", "month"], how="left")
    return pd.Series(found[column].to_numpy(dtype=float), index=frame.index)


def _impute(frame: pd.DataFrame, names: Sequence[str]) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Mean-impute numeric covariates (with a missing indicator) and give missing categories a category."""
    used, notes = [], []
    for name in names:
        values = frame[name]
        missing = values.isna()
        if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object:
            if missing.any():
                frame[name] = values.astype("object").where(~missing, "missing")
                notes.append(f"{int(missing.sum())} household(s) without {name}: category 'missing'")
            used.append(name)
            continue
        numeric = pd.to_numeric(values, errors="coerce").astype(float)
        if missing.any():
            frame[name] = numeric.fillna(numeric.mean())
            frame[f"{name}_missing"] = missing.astype(float)
            used.append(f"{name}_missing")
            notes.append(f"{int(missing.sum())} household(s) without {name}: set to the mean, flagged in {name}_missing")
        else:
            frame[name] = numeric
        used.insert(len(used) - (1 if missing.any() else 0), name)
    return frame, used, notes


def trial_data(data: Tables, outcome: str = "arrears_czk", *, months: int = 12,
               covariates: Sequence[str] = DEFAULT_COVARIATES, baseline: bool = True) -> TrialData:
    """The trial's analysis frame (see the module docstring).

    ``outcome`` is a column of ``household_outcomes`` or ``"stably_housed"``; ``months`` the
    follow-up after randomisation; ``covariates`` columns of ``households``; ``baseline`` adds the
    outcome's value in the month before randomisation to the covariates.

    Example
    -------
    >>> trial = trial_data(dataset, "arrears_czk", months=12)  # doctest: +SKIP
    >>> trial.itt().tidy(); trial.cace().tidy(); trial.lee_bounds().tidy()  # doctest: +SKIP
    """
    if int(months) < 1:
        raise ConfigError(f"months must be a whole number of months of follow-up >= 1, not {months!r}")
    assignment = table(data, "assignment", ("household_id", "arm", "assignment_date"), optional=True)
    if assignment is None:
        raise DataError("the data have no 'assignment' table: trial analyses need the random assignment of each "
                        "household (see data_schema/README.md, table 'Náhodné přiřazení (studie)')")
    households = table(data, "households", ("household_id", *covariates))
    tenancies = table(data, "tenancies", ("household_id", "step", "start_date", "end_date", "exit_reason"),
                      optional=True)
    monthly = table(data, "household_outcomes", ("household_id", "month"), optional=True)
    if outcome != STABLY_HOUSED and (monthly is None or outcome not in monthly.columns):
        known = [c for c in (monthly.columns if monthly is not None else []) if c not in ("household_id", "month")]
        raise ConfigError(f"unknown trial outcome {outcome!r}: use 'stably_housed' or a column of household_outcomes "
                          f"({', '.join(known) or 'the data have none'})")
    excl = Exclusions()
    frame = assignment.copy()
    missing = frame[["arm", "assignment_date"]].isna().any(axis=1).to_numpy()
    excl = excl.add("assignment without arm or randomisation date", int(missing.sum()))
    frame = frame.loc[~missing]
    known = frame["household_id"].isin(households["household_id"]).to_numpy()
    excl = excl.add("randomised household not in the households table", int((~known).sum()))
    frame = frame.loc[known].merge(households[["household_id", *covariates]], on="household_id", how="left")
    frame["assigned"] = (codes(frame["arm"]) == "programme").astype(float)
    frame["follow_up_date"] = frame["assignment_date"] + pd.DateOffset(months=int(months))
    follow_month = frame["follow_up_date"].dt.to_period("M").dt.to_timestamp()
    given = frame["received"].astype("Float64") if "received" in frame.columns else pd.Series(pd.NA, index=frame.index)
    derived = _received_from_tenancies(frame, tenancies)
    frame["received"] = given.astype(float).fillna(derived)
    notes = [f"{len(frame)} randomised households; outcome {outcome!r} {months} months after randomisation"]
    if given.isna().any():
        notes.append(f"receipt of the programme read from the tenancies for {int(given.isna().sum())} household(s)")
    if frame["received"].isna().any():
        raise DataError("whether each household received the programme is unknown: fill in the column 'received' "
                        "of the assignment table or provide the tenancies table")
    if outcome == STABLY_HOUSED:
        values = _stably_housed(frame, tenancies)
    else:
        values = _monthly(frame, monthly, outcome, follow_month)
    followed = frame["followed_up"] if "followed_up" in frame.columns else pd.Series(pd.NA, index=frame.index)
    reason = (frame["attrition_reason"].astype("object") if "attrition_reason" in frame.columns
              else pd.Series(None, index=frame.index, dtype=object))
    not_followed = followed.eq(False).fillna(False).to_numpy(dtype=bool)
    reason = reason.where(~not_followed | reason.notna(), "not_recorded").where(not_followed, None)
    values = values.where(~not_followed)
    reason = reason.where(values.notna() | not_followed, "no_outcome_record")
    frame[outcome] = values
    frame["attrition_reason"] = reason
    frame["followed_up"] = followed.astype("boolean")
    names = list(covariates)
    if baseline and outcome != STABLY_HOUSED:
        frame[f"baseline_{outcome}"] = _monthly(frame, monthly, outcome,
                                                frame["assignment_date"].dt.to_period("M").dt.to_timestamp()
                                                - pd.DateOffset(months=1))
        names.append(f"baseline_{outcome}")
    frame, used, imputed = _impute(frame, names)
    notes.extend(imputed)
    strata = None
    if "stratum" in frame.columns and frame["stratum"].notna().any():
        if frame["stratum"].isna().any():
            notes.append(f"{int(frame['stratum'].isna().sum())} household(s) without a stratum form a stratum of "
                         "their own")
            frame["stratum"] = frame["stratum"].astype("object").where(frame["stratum"].notna(), "(none)")
        strata = "stratum"
    lost = int(frame[outcome].isna().sum())
    if lost:
        notes.append(f"{lost} household(s) without an outcome at follow-up (attrition)")
    return TrialData(frame=frame.reset_index(drop=True), outcome=outcome, months=int(months), covariates=tuple(used),
                     strata=strata, notes=tuple(notes), exclusions=excl)


__all__ = ["DEFAULT_COVARIATES", "STABLY_HOUSED", "TrialData", "trial_data"]
