"""Restrict a Dataset to the scope of one run: a municipality, a programme step, a period.

The scope is a choice, not a data problem, but it still leaves rows out, so every
table's rows in, kept and left out are counted with the reason in a
:class:`ScopeSelection` result that the notebooks show and store. Rules:

* **municipality** keeps that municipality's households (programme and comparison),
  units, applications and costs, and the rows of every household-keyed table that
  belong to those households. The municipality panel keeps that municipality and the
  municipalities that never ran a pilot (its comparison group); other pilots leave.
* **programme step** keeps tenancies (and their rent ledger), units and costs of that
  step; programme households keep only if they had a spell in it, comparison
  households all stay (they are the comparison for every step).
* **period** keeps households referred, spells started, contacts made, applications
  submitted and months (outcomes, ledger, costs) inside it, and panel years that
  overlap it. Spells still running at the period end are censored there (end date
  emptied, exit reason 'still housed'), so no analysis sees what happened after it.

Example
-------
>>> import pandas as pd
>>> from evaluation.data.dataset import Dataset
>>> hh = pd.DataFrame({"household_id": ["a", "b"], "municipality": ["Brno", "Most"],
...                    "group": ["programme", "programme"]})
>>> chosen = select_scope(Dataset.from_frames({"households": hh}), municipality="Brno")
>>> chosen.dataset["households"]["household_id"].tolist()
['a']
>>> chosen.tidy()[["table", "rows_in", "rows_kept"]].values.tolist()
[['households', 2, 1]]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import pandas as pd

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError
from evaluation.results import Result

HOUSEHOLD_TABLES = ("tenancies", "support_contacts", "rent_ledger", "household_outcomes")
#: Date column that places a row of each table in time (for the period rule).
DATE_COLUMNS = {"households": "referral_date", "tenancies": "start_date", "support_contacts": "contact_date",
                "rent_ledger": "month", "household_outcomes": "month", "applications": "submitted_date",
                "costs": "month"}


@dataclass(frozen=True)
class ScopeSelection(Result):
    """The selected data and, per table, how many rows the scope kept and left out, and why."""

    dataset: Dataset
    counts: pd.DataFrame
    scope_notes: tuple[str, ...] = ()
    source: Dataset | None = None  # the data before the scope was applied (ledger, validation report)
    title: str = "Scope of this run"
    count_columns = ("rows_in", "rows_kept", "rows_left_out")

    @property
    def notes(self) -> tuple[str, ...]:
        return self.scope_notes

    def tidy(self) -> pd.DataFrame:
        return self.counts.copy()


class _Counter:
    """Keeps the running row counts and reasons per table."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.rows_in = {name: len(frame) for name, frame in tables.items()}
        self.reasons: dict[str, list[str]] = {name: [] for name in tables}

    def apply(self, tables: dict[str, pd.DataFrame], name: str, keep: pd.Series, reason: str) -> None:
        left_out = int((~keep).sum())
        if left_out:
            self.reasons[name].append(f"{reason}: {left_out}")
        tables[name] = tables[name].loc[keep.to_numpy()]

    def table(self, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
        rows = [{"table": name, "rows_in": self.rows_in[name], "rows_kept": len(tables[name]),
                 "rows_left_out": self.rows_in[name] - len(tables[name]),
                 "reason": "; ".join(self.reasons[name])} for name in tables]
        return pd.DataFrame(rows, columns=["table", "rows_in", "rows_kept", "rows_left_out", "reason"])


def select_scope(dataset: Dataset, *, municipality: str | None = None, programme_step: str | None = None,
                 period: tuple[Any, Any] | None = None) -> ScopeSelection:
    """The part of ``dataset`` inside the scope, with the count of rows each rule left out.

    ``None`` for a rule means no restriction. Raises ConfigError when the municipality or
    step does not occur in the data, or the period is empty.
    """
    tables = {name: frame for name, frame in dataset.tables.items()}
    counter = _Counter(tables)
    notes: list[str] = []
    study_period = dataset.study_period
    if municipality is not None:
        _by_municipality(tables, counter, municipality)
        notes.append(f"municipality: {municipality}")
    if programme_step is not None:
        _by_step(tables, counter, programme_step)
        notes.append(f"programme step: {programme_step}")
    if period is not None and any(p is not None for p in period):
        study_period = _period_bounds(period, dataset.study_period)
        censored = _by_period(tables, counter, *study_period)
        notes.append(f"period: {study_period[0]:%Y-%m-%d} to {study_period[1]:%Y-%m-%d}")
        if censored:
            notes.append(f"{censored} spell(s) running at the period end were censored there")
    _follow_households(tables, counter)
    selected = replace(dataset, tables=MappingProxyType(tables), study_period=study_period,
                       metadata=MappingProxyType({**dict(dataset.metadata), "scope": {
                           "municipality": municipality, "programme_step": programme_step,
                           "period": None if study_period is None else
                           [f"{study_period[0]:%Y-%m-%d}", f"{study_period[1]:%Y-%m-%d}"]}}))
    if not notes:
        notes.append("all municipalities, programme steps and the whole study period")
    return ScopeSelection(selected, counter.table(tables), tuple(notes), source=dataset)


def _by_municipality(tables: dict[str, pd.DataFrame], counter: _Counter, municipality: str) -> None:
    holding = [name for name in ("households", "municipality_panel", "applications", "units", "costs")
               if name in tables and (tables[name]["municipality"] == municipality).any()]
    if not holding:
        known = sorted({str(m) for name in ("households", "municipality_panel") if name in tables
                        for m in tables[name]["municipality"].dropna().unique()})
        raise ConfigError(f"municipality {municipality!r} does not occur in table households or "
                          f"municipality_panel (column municipality); the data has: {', '.join(known)}")
    for name in ("households", "units", "applications", "costs"):
        if name in tables:
            keep = tables[name]["municipality"] == municipality
            counter.apply(tables, name, keep, "other municipality")
    if "municipality_panel" in tables:
        panel = tables["municipality_panel"]
        keep = (panel["municipality"] == municipality) | panel["pilot_start_period"].isna()
        counter.apply(tables, "municipality_panel", keep, "other pilot municipality")


def _by_step(tables: dict[str, pd.DataFrame], counter: _Counter, step: str) -> None:
    if "tenancies" in tables:
        tenancies = tables["tenancies"]
        if not (tenancies["step"] == step).any():
            raise ConfigError(f"programme step {step!r} does not occur in table tenancies (column step)")
        in_step = set(tenancies.loc[tenancies["step"] == step, "household_id"])
        counter.apply(tables, "tenancies", tenancies["step"] == step, "other programme step")
        households = tables["households"]
        keep = (households["group"] != "programme") | households["household_id"].isin(in_step)
        counter.apply(tables, "households", keep.fillna(False).astype(bool),
                      "programme household with no spell in this step")
    for name, column in (("units", "step"), ("costs", "cost_centre")):
        if name in tables:
            counter.apply(tables, name, tables[name][column] == step, "other programme step")


def _period_bounds(period: tuple[Any, Any], study: tuple[pd.Timestamp, pd.Timestamp] | None
                   ) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(period[0]) if period[0] is not None else (study[0] if study else pd.Timestamp.min)
    end = pd.Timestamp(period[1]) if period[1] is not None else (study[1] if study else pd.Timestamp.max)
    if end < start:
        raise ConfigError(f"the period ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})")
    return start, end


def _by_period(tables: dict[str, pd.DataFrame], counter: _Counter, start: pd.Timestamp,
               end: pd.Timestamp) -> int:
    for name, column in DATE_COLUMNS.items():
        if name in tables:
            dates = tables[name][column]
            keep = dates.between(start, end) | (dates.isna() if name == "households" else False)
            counter.apply(tables, name, keep, f"{column} outside the period")
    if "municipality_panel" in tables:
        years = tables["municipality_panel"]["period"]
        counter.apply(tables, "municipality_panel", years.between(start.year, end.year).fillna(False).astype(bool),
                      "year outside the period")
    censored = 0
    if "tenancies" in tables:
        tenancies = tables["tenancies"].copy()
        after = (tenancies["end_date"] > end).fillna(False).astype(bool)
        censored = int(after.sum())
        if censored:
            tenancies.loc[after, "end_date"] = pd.NaT
            tenancies.loc[after, "exit_reason"] = "still_housed"
            tables["tenancies"] = tenancies
    return censored


def _follow_households(tables: dict[str, pd.DataFrame], counter: _Counter) -> None:
    """Rows of household-keyed tables follow their household; ledger rows follow their spell."""
    if "households" not in tables:
        return
    kept = tables["households"]["household_id"]
    for name in HOUSEHOLD_TABLES:
        if name in tables:
            counter.apply(tables, name, tables[name]["household_id"].isin(kept), "household outside the scope")
    if "rent_ledger" in tables and "tenancies" in tables:
        counter.apply(tables, "rent_ledger", tables["rent_ledger"]["tenancy_id"].isin(tables["tenancies"]["tenancy_id"]),
                      "spell outside the scope")
