"""Who enters the programme: referral source, housing-need category (ETHOS) and household type.

A household *enters* with its first programme spell (earliest move-in); its entry step is the
step of that spell. Characteristics are those recorded at entry in the households table.
Missing values are shown as their own category ``missing`` rather than dropped.

Household type is derived from size and children: ``single_adult`` (one person),
``adults_no_children`` (two or more, no children), ``single_parent`` (children and exactly one
member who is not a child — strictly "one adult with children", because an adult child would
count as an adult) and ``adults_with_children``.

Example
-------
>>> import pandas as pd
>>> frames = {
...     "households": pd.DataFrame({"household_id": ["H1", "H2"], "group": ["programme"] * 2,
...         "municipality": ["Ostrava"] * 2, "household_size": [1, 3], "children": [0, 2],
...         "referral_source": ["ngo", "outreach"], "ethos_category": ["rough_sleeping"] * 2}),
...     "tenancies": pd.DataFrame({"household_id": ["H1", "H2"], "step": ["crisis", "crisis"],
...         "start_date": pd.to_datetime(["2020-01-01", "2020-02-01"])}),
... }
>>> t = entry_profile(frames).tidy()
>>> t.loc[t["characteristic"] == "household_type", ["category", "count"]].values.tolist()
[['single_adult', 1], ['adults_no_children', 0], ['single_parent', 1], ['adults_with_children', 0]]
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
    codes,
    filter_rows,
    share,
    table,
)
from evaluation.reporting.labels import category_label
from evaluation.results import Result

CHARACTERISTICS = ("referral_source", "ethos_category", "household_type", "household_size", "children")
HOUSEHOLD_TYPES = ("single_adult", "adults_no_children", "single_parent", "adults_with_children")
MISSING = "missing"


def household_type(size: pd.Series, children: pd.Series) -> pd.Series:
    """Derived household type (see module docstring); missing when size or children is missing."""
    size = pd.to_numeric(size, errors="coerce").astype("float")
    children = pd.to_numeric(children, errors="coerce").astype("float")
    adults = size - children
    kind = np.select([size == 1, (children == 0) & (size >= 2), (children >= 1) & (adults == 1),
                      (children >= 1) & (adults >= 2)], list(HOUSEHOLD_TYPES), default=MISSING)
    kind = np.where(size.isna() | children.isna(), MISSING, kind)
    return pd.Series(kind, index=size.index, dtype="object")


def _band(values: pd.Series, top: int) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    out = v.astype("Int64").astype("string").astype("object")
    out[v >= top] = f"{top}+"
    return out.where(v.notna(), MISSING)


def entrants(data: Tables, *, as_of: Any = None, municipality: str | None = None,
             log: ExclusionLog | None = None) -> pd.DataFrame:
    """Programme households with their entry date and entry step (one row per household)."""
    log = log if log is not None else ExclusionLog()
    households = table(data, "households", ("household_id", "group"))
    tenancies = table(data, "tenancies", ("household_id", "step", "start_date"))
    if municipality is not None:
        households = filter_rows(households, "households", municipality=municipality)
    programme = codes(households["group"]).eq("programme").to_numpy(dtype=bool)
    log.add("households", "comparison_group", int((~programme).sum()), "comparison-group household")
    households = households.loc[programme]
    spells = tenancies.loc[tenancies["household_id"].isin(households["household_id"]).to_numpy(dtype=bool)]
    if as_of is not None:
        as_of = as_timestamp(as_of, "as_of")
        spells = spells.loc[(spells["start_date"] <= as_of).to_numpy(dtype=bool)]
    first = (spells.sort_values(["household_id", "start_date"], kind="stable")
             .drop_duplicates("household_id")[["household_id", "step", "start_date"]]
             .rename(columns={"step": "entry_step", "start_date": "entry_date"}))
    first["entry_step"] = codes(first["entry_step"])
    never = ~households["household_id"].isin(first["household_id"]).to_numpy(dtype=bool)
    log.add("households", "not_housed", int(never.sum()),
            "programme household without a spell" + (" by the as-of date" if as_of is not None else ""))
    return households.merge(first, on="household_id", how="inner")


@dataclass(frozen=True)
class EntryProfile(Result):
    """Counts and shares of entrants by characteristic, within groups (step, municipality, ...)."""

    table: pd.DataFrame
    by: tuple[str, ...]
    exclusions: pd.DataFrame
    title: str = "Who enters the programme"

    count_columns: ClassVar[tuple[str, ...]] = ("count", "n")
    n_column: ClassVar[str | None] = "n"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def characteristic(self, name: str) -> pd.DataFrame:
        """Wide table: categories of one characteristic in rows, groups in columns (counts)."""
        part = self.table.loc[self.table["characteristic"] == name]
        if not self.by:
            return part.set_index("category")[["count"]]
        return part.pivot_table(index="category", columns=list(self.by), values="count", sort=False,
                                aggfunc="sum", fill_value=0, observed=True)

    @property
    def notes(self) -> tuple[str, ...]:
        lines = ["Entry = first programme spell; shares are of entrants in the group (n). "
                 "Household type 'single_parent' means children with exactly one non-child member."]
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    def plot(self, ax: Any = None, characteristic: str = "referral_source", lang: str = "cs",
             **kwargs: Any) -> Any:
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
        part = self.table.loc[self.table["characteristic"] == characteristic]
        if self.by:
            wide = part.pivot_table(index="category", columns=list(self.by), values="share",
                                    sort=False, observed=True)
        else:
            wide = part.set_index("category")[["share"]]
        wide.index = [category_label(characteristic, c, lang, table="households") for c in wide.index]
        (100 * wide).plot.barh(ax=ax, **kwargs)
        ax.set_xlabel("% vstupujících" if lang == "cs" else "% of entrants")
        return ax


def entry_profile(data: Tables, *, by: tuple[str, ...] | str = ("entry_step",), as_of: Any = None,
                  municipality: str | None = None,
                  characteristics: tuple[str, ...] = CHARACTERISTICS) -> EntryProfile:
    """Referral source, ETHOS category and household type of entrants, by ``by`` groups.

    ``by`` may name ``entry_step`` and any households column (``municipality``, ``district``,
    ``cohort``); an empty tuple gives the whole programme.

    Example: ``entry_profile(dataset, by=("entry_step", "municipality")).characteristic("ethos_category")``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    log = ExclusionLog()
    people = entrants(data, as_of=as_of, municipality=municipality, log=log)
    for column in by:
        if column not in people.columns:
            raise DataError(f"entry_profile: cannot group by {column!r}; it is neither entry_step nor "
                            "a column of the households table")
    derived = {"household_type": lambda f: household_type(f["household_size"], f["children"]),
               "household_size": lambda f: _band(f["household_size"], 5),
               "children": lambda f: _band(f["children"], 3)}
    needs = {"household_type": ("household_size", "children"), "household_size": ("household_size",),
             "children": ("children",)}
    frames = []
    groups = people[list(by)].astype("object").fillna(MISSING) if by else pd.DataFrame(index=people.index)
    n = groups.groupby(list(by), sort=False).size() if by else pd.Series([len(people)])
    for name in characteristics:
        columns = needs.get(name, (name,))
        missing = [c for c in columns if c not in people.columns]
        if missing:
            raise DataError(f"table 'households' lacks the column(s) {', '.join(missing)} needed for {name}")
        values = derived[name](people) if name in derived else codes(people[name]).fillna(MISSING)
        order = (list(HOUSEHOLD_TYPES) if name == "household_type" else
                 [str(c) for c in people[name].cat.categories] if isinstance(people[name].dtype,
                                                                            pd.CategoricalDtype)
                 else sorted(set(values) - {MISSING}, key=lambda x: (len(x), x)))
        order = order + [MISSING]
        frame = groups.assign(category=pd.Categorical(values, categories=order))
        counts = frame.groupby(list(by) + ["category"], observed=False, sort=True).size().rename("count")
        counts = counts.reset_index()
        counts = counts.loc[(counts["category"] != MISSING) | (counts["count"] > 0)]
        counts["category"] = counts["category"].astype("object")
        if by:
            counts = counts.merge(n.rename("n").reset_index(), on=list(by), how="inner")
        else:
            counts["n"] = len(people)
        counts.insert(len(by), "characteristic", name)
        frames.append(counts)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out["count"] = out["count"].astype("int64")
    out["n"] = out["n"].astype("int64")
    out["share"] = share(out["count"], out["n"])
    return EntryProfile(table=out, by=by, exclusions=log.frame())
