"""Restrict a Dataset to the scope of one run: a municipality, a programme step, a period.

The scope is a choice, not a data problem, but it still leaves rows out, so every
table's rows in, kept and left out are counted with the reason in a
:class:`ScopeSelection` result that the notebooks show and store. Rules:

* **municipality** must have data of its own (households, applications, units or costs, or a
  pilot start in the municipality panel); a name that differs from the data only in case or
  accents (``ostrava``, ``Jindrichuv Hradec``) is taken as the data's spelling, with a note, and
  an unknown name is an error suggesting the closest names. The scope
  keeps that municipality's households (programme and comparison),
  units, applications and costs, and the rows of every household-keyed table that
  belong to those households. The municipality panel keeps that municipality and the
  municipalities that never ran a pilot (its comparison group); other pilots leave.
* **contact point** (national data: applications that carry the contact point's code,
  ``contact_point_code``) is chosen by its name in ``contact_point`` (``KMB Benešov``) wherever a
  municipality may be named, so a run's ``municipalities:`` list may name contact points. The
  scope keeps the point's applications, the households that applied there or carry its code,
  the ORP areas of its district in the ORP panel with the areas whose contact point opened later
  or never (its comparison: not yet or never treated), and what follows those households; units, costs and the
  municipality panel belong to municipalities, not contact points, and leave. A name that is
  both a municipality and a contact point is taken as the municipality.
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

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import pandas as pd

from evaluation.data.dataset import Dataset
from evaluation.data.schema import normalise_label
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
    municipality: str | None = None  # as spelled in the data
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
        municipality, note = resolve_municipality(municipality, dataset)
        if municipality in contact_points_with_data(dataset) and municipality not in _municipal_names(dataset):
            _by_contact_point(tables, counter, municipality)
            notes.append(f"contact point: {municipality}")
        else:
            _by_municipality(tables, counter, municipality)
            notes.append(f"municipality: {municipality}")
        if note:
            notes.append(note)
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
    return ScopeSelection(selected, counter.table(tables), tuple(notes), source=dataset,
                          municipality=municipality)


#: Tables whose rows belong to one municipality (column ``municipality``).
MUNICIPAL_TABLES = ("households", "applications", "units", "costs")


def municipalities_with_data(dataset: Dataset) -> list[str]:
    """Municipalities with data of their own: rows in households, applications, units or costs,
    or a pilot start in the municipality panel (not the panel's comparison municipalities); and
    the contact points of national data (:func:`contact_points_with_data`), each a scope too."""
    return sorted(_municipal_names(dataset) | set(pilot_municipalities(dataset))
                  | set(contact_points_with_data(dataset)))


def _municipal_names(dataset: Dataset) -> set[str]:
    names: set[str] = set()
    for table in MUNICIPAL_TABLES:
        if dataset.has(table) and "municipality" in dataset[table]:
            names |= {str(m) for m in dataset[table]["municipality"].dropna().unique()}
    return names


def contact_points_with_data(dataset: Dataset) -> list[str]:
    """Housing contact points under zákon č. 175/2025 Sb. with applications in the data: the names
    (column ``contact_point``) of applications that carry a contact-point code. Pilot data, which
    have no codes, have none (their contact points are no scope of their own).

    >>> import pandas as pd
    >>> apps = pd.DataFrame({"application_id": ["1", "2"], "contact_point": ["KMB Benešov", "KMB Praha 7"],
    ...                      "contact_point_code": ["529303", None], "municipality": ["Votice", "Praha"]})
    >>> contact_points_with_data(Dataset.from_frames({"applications": apps}))
    ['KMB Benešov']
    """
    if not dataset.has("applications"):
        return []
    applications = dataset["applications"]
    if "contact_point_code" not in applications or "contact_point" not in applications:
        return []
    coded = applications.loc[applications["contact_point_code"].notna().to_numpy(), "contact_point"]
    return sorted({str(c) for c in coded.dropna().unique()})


def pilot_municipalities(dataset: Dataset) -> list[str]:
    """Municipalities with programme households or a pilot start in the municipality panel."""
    pilots: set[str] = set()
    if dataset.has("households"):
        households = dataset["households"]
        programme = households.loc[households["group"].astype(str).eq("programme").to_numpy()]
        pilots |= {str(m) for m in programme["municipality"].dropna().unique()}
    if dataset.has("municipality_panel"):
        panel = dataset["municipality_panel"]
        pilots |= {str(m) for m in panel.loc[panel["pilot_start_period"].notna(), "municipality"].unique()}
    return sorted(pilots)


def resolve_municipality(name: str, data: Dataset | Iterable[str], *, what: str = "municipality"
                         ) -> tuple[str, str | None]:
    """The spelling in the data of the municipality ``name``, and a note when it differs.

    ``data`` is a Dataset (its :func:`municipalities_with_data`) or the names allowed. A name
    that matches one known name apart from case, accents and spacing is accepted with a note;
    anything else is a ConfigError that suggests the closest names.
    """
    known = municipalities_with_data(data) if isinstance(data, Dataset) else sorted(set(data))
    if name in known:
        return name, None
    by_form: dict[str, list[str]] = {}
    for candidate in known:
        by_form.setdefault(normalise_label(candidate), []).append(candidate)
    same = by_form.get(normalise_label(name), [])
    if len(same) == 1:
        return same[0], f"{what} {name!r} was taken as {same[0]!r}, its spelling in the data"
    if isinstance(data, Dataset) and _comparison_only(data, name):
        raise ConfigError(f"{what} {name!r} has no data of its own: it occurs only as a comparison municipality "
                          "(no pilot start) in table municipality_panel; choose a municipality with households, "
                          "applications, units or costs, or a pilot municipality")
    close = [by_form[form][0] for form in difflib.get_close_matches(normalise_label(name), list(by_form), n=5,
                                                                     cutoff=0.6)]
    hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
    listing = (f"the data has {len(known)} municipalities with data of their own"
               + (f": {', '.join(known)}" if len(known) <= 20 else " (see the scope table of a pooled run)"))
    if not known:
        listing = "the data has no municipality with data of its own"
    raise ConfigError(f"{what} {name!r} is not in the data; {hint}{listing}")


def _comparison_only(dataset: Dataset, name: str) -> bool:
    if not dataset.has("municipality_panel"):
        return False
    panel = dataset["municipality_panel"]
    return bool(normalise_label(name) in {normalise_label(m) for m in panel["municipality"].dropna().unique()})


def _by_municipality(tables: dict[str, pd.DataFrame], counter: _Counter, municipality: str) -> None:
    for name in ("households", "units", "applications", "costs"):
        if name in tables:
            keep = tables[name]["municipality"] == municipality
            counter.apply(tables, name, keep, "other municipality")
    if "municipality_panel" in tables:
        panel = tables["municipality_panel"]
        keep = (panel["municipality"] == municipality) | panel["pilot_start_period"].isna()
        counter.apply(tables, "municipality_panel", keep, "other pilot municipality")


def _by_contact_point(tables: dict[str, pd.DataFrame], counter: _Counter, point: str) -> None:
    applications = tables["applications"]
    at_point = applications["contact_point"].eq(point).fillna(False).astype(bool)
    codes = set(applications.loc[at_point.to_numpy(), "contact_point_code"].dropna().astype(str))
    counter.apply(tables, "applications", at_point, "other contact point")
    if "households" in tables:
        households = tables["households"]
        keep = households["household_id"].isin(tables["applications"]["applicant_id"])
        if "contact_point_code" in households:
            keep |= households["contact_point_code"].astype("string").isin(codes).fillna(False).astype(bool)
        counter.apply(tables, "households", keep, "household of another contact point")
    for name in ("units", "costs", "municipality_panel"):
        if name in tables:
            counter.apply(tables, name, pd.Series(False, index=tables[name].index),
                          "a municipality's table, not a contact point's")
    if "orp_panel" in tables:
        panel = tables["orp_panel"]
        own = panel["contact_point_code"].astype("string").isin(codes).fillna(False).astype(bool)
        opened = panel.loc[own.to_numpy(), "contact_point_opened"].min()
        keep = own | panel["contact_point_opened"].isna()
        if pd.notna(opened):  # areas whose contact point opened later: not yet treated, the comparison until then
            keep |= (panel["contact_point_opened"] > opened).fillna(False).astype(bool)
        counter.apply(tables, "orp_panel", keep, "ORP area of another contact point's district that opened no later")


def _by_step(tables: dict[str, pd.DataFrame], counter: _Counter, step: str) -> None:
    if "tenancies" in tables:
        tenancies = tables["tenancies"]
        if not (tenancies["step"] == step).any():
            raise ConfigError(f"programme step {step!r} does not occur in table tenancies (column step)")
        in_step = set(tenancies.loc[tenancies["step"] == step, "household_id"])
        counter.apply(tables, "tenancies", tenancies["step"] == step, "other programme step")
        if "households" in tables:
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
