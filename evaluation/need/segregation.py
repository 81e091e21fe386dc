"""Where programme flats are placed: residential segregation indices and the share in SVL.

Indices follow Massey & Denton (1988, "The dimensions of residential segregation", Social
Forces 67(2)) for a group ``x`` (here: programme flats, or the residents of programme flats) in
areas ``i`` with total population ``t_i`` (same unit as ``x``) and ``y_i = t_i - x_i``:

* dissimilarity (Duncan & Duncan 1955): ``D = 1/2 * sum |x_i / X - y_i / Y|`` — the share of the
  group that would have to move for it to be spread like everyone else (0 even, 1 apart);
* isolation (Bell 1954): ``xPx = sum (x_i / X) * (x_i / t_i)`` — the group share in the area of
  the average group member;
* interaction: ``xPy = sum (x_i / X) * (y_i / t_i)`` = ``1 - xPx``;
* correlation ratio ``eta2 = (xPx - P) / (1 - P)`` with ``P = X / T``: isolation corrected for
  the group's overall share.

The data contract has no area populations, so they are an argument: a DataFrame with
``area_code`` and a population column. Its unit must match the group: the number of dwellings
per area when counting flats (``weight="units"``), the number of residents when counting the
people living in programme flats (``weight="residents"``).

Example
-------
>>> import pandas as pd
>>> counts = pd.DataFrame({"area_code": ["A", "B"], "group": [10, 0], "total": [20, 20]})
>>> r = segregation_indices(counts, group="group", total="total")
>>> round(r.index_value("dissimilarity"), 4), r.index_value("isolation"), r.index_value("interaction")
(0.6667, 0.5, 0.5)
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
from evaluation.results import Result

INDICES = ("dissimilarity", "isolation", "interaction", "correlation_ratio")


@dataclass(frozen=True)
class SegregationResult(Result):
    """The four indices (tidy) and the per-area counts behind them."""

    table: pd.DataFrame
    areas: pd.DataFrame
    exclusions: pd.DataFrame
    title: str = "Residential segregation of programme flats"
    description: str = ""

    n_column: ClassVar[str | None] = "n"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def index_value(self, name: str) -> float:
        return float(self.table.set_index("index").at[name, "estimate"])

    def by_area(self) -> pd.DataFrame:
        """Group and total counts per area (aggregates, no household rows)."""
        return self.areas.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        lines = ["Massey & Denton (1988): dissimilarity D, isolation xPx, interaction xPy = 1 - xPx, "
                 "correlation ratio (xPx - P)/(1 - P)."]
        if self.description:
            lines.append(self.description)
        lines += [f"Excluded {r.rows} row(s) of {r.table}: {r.reason}." for r in self.exclusions.itertuples()]
        return tuple(lines)

    def plot(self, ax: Any = None, lang: str = "cs", **kwargs: Any) -> Any:
        """Group share by area against the overall share (dashed)."""
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(8, 3.5))[1]
        areas = self.areas.sort_values("group_share", ascending=False)
        ax.bar(areas["area_code"].astype(str), 100 * areas["group_share"], **kwargs)
        overall = 100 * areas["group"].sum() / areas["total"].sum()
        ax.axhline(overall, color="black", ls="--", lw=1)
        ax.set_ylabel("podíl v území (%)" if lang == "cs" else "share in area (%)")
        ax.tick_params(axis="x", rotation=90, labelsize="x-small")
        return ax


def segregation_indices(counts: pd.DataFrame, *, group: str, total: str, area: str = "area_code",
                        exclusions: pd.DataFrame | None = None, description: str = "") -> SegregationResult:
    """Dissimilarity, isolation, interaction and correlation ratio from per-area counts.

    ``counts`` has one row per area with the group count and the total (group included).

    Example: ``segregation_indices(frame, group="programme_flats", total="dwellings")``
    """
    for column in (area, group, total):
        if column not in counts.columns:
            raise DataError(f"segregation: the area counts lack the column {column!r}")
    frame = counts[[area, group, total]].copy()
    frame.columns = ["area_code", "group", "total"]
    if frame["area_code"].duplicated().any():
        raise DataError("segregation: an area_code appears more than once in the area counts")
    if frame[["group", "total"]].isna().any().any():
        raise DataError("segregation: group and total counts must not be empty")
    x = frame["group"].to_numpy(float)
    t = frame["total"].to_numpy(float)
    if (x < 0).any() or (t < 0).any():
        raise DataError("segregation: counts cannot be negative")
    over = x > t
    if over.any():
        bad = ", ".join(map(str, frame.loc[over, "area_code"].head(5)))
        raise DataError(f"segregation: the group exceeds the area total in {int(over.sum())} area(s) "
                        f"(e.g. {bad}); is the population in the same unit as the group (dwellings vs residents)?")
    X, T = x.sum(), t.sum()
    if X <= 0:
        raise DataError("segregation: the group has no members in any area")
    Y = T - X
    if Y <= 0:
        raise DataError("segregation: everybody belongs to the group; the indices are undefined")
    y = t - x
    occupied = t > 0
    dissimilarity = 0.5 * np.abs(x / X - y / Y).sum()
    isolation = float(np.sum((x[occupied] / X) * (x[occupied] / t[occupied])))
    interaction = float(np.sum((x[occupied] / X) * (y[occupied] / t[occupied])))
    p = X / T
    eta2 = (isolation - p) / (1 - p)
    names = {"dissimilarity": "Dissimilarity index D (Duncan & Duncan)", "isolation": "Isolation index xPx (Bell)",
             "interaction": "Interaction index xPy", "correlation_ratio": "Correlation ratio (eta squared)"}
    out = pd.DataFrame({"index": list(INDICES), "label": [names[i] for i in INDICES],
                        "estimate": [float(dissimilarity), isolation, interaction, float(eta2)],
                        "group_total": X, "population_total": T, "areas": len(frame), "n": int(X)})
    frame["group_share"] = share(frame["group"], frame["total"])
    return SegregationResult(table=out, areas=frame, description=description,
                             exclusions=exclusions if exclusions is not None else ExclusionLog().frame())


def flat_segregation(data: Tables, population: pd.DataFrame, *, population_column: str = "population",
                     weight: str = "units", steps: tuple[str, ...] | None = None,
                     municipality: str | None = None, as_of: Any = None) -> SegregationResult:
    """Segregation indices of programme flats (``weight="units"``) or of their residents.

    ``population`` gives per ``area_code`` the total in the same unit (dwellings for flats,
    residents for residents). Residents are the members (household_size) of the households living
    in a programme flat on ``as_of`` (required for ``weight="residents"``). Flats with no
    area_code, or with an area_code missing from ``population``, are excluded and counted.

    Example: ``flat_segregation(dataset, dwellings, population_column="dwellings").tidy()``
    """
    if weight not in ("units", "residents"):
        raise DataError(f"weight must be 'units' or 'residents' (got {weight!r})")
    if "area_code" not in population.columns or population_column not in population.columns:
        raise DataError(f"the population frame needs the columns 'area_code' and {population_column!r}")
    log = ExclusionLog()
    units = table(data, "units", ("unit_id", "step", "area_code"))
    if municipality is not None:
        units = filter_rows(units, "units", municipality=municipality)
    if steps is not None:
        units = filter_rows(units, "units", step=list(steps))
    if weight == "units":
        members = pd.Series(1.0, index=units.index)
        description = f"Group: programme flats; total: {population_column} per area (should be dwellings)."
    else:
        if as_of is None:
            raise DataError("weight='residents' needs as_of: the date on which residents are counted")
        as_of = as_timestamp(as_of, "as_of")
        tenancies = table(data, "tenancies", ("household_id", "unit_id", "start_date", "end_date"))
        households = table(data, "households", ("household_id", "household_size"))
        live = tenancies.loc[((tenancies["start_date"] <= as_of)
                              & (tenancies["end_date"].isna() | (tenancies["end_date"] > as_of))).to_numpy(dtype=bool)]
        size = households.set_index("household_id")["household_size"].astype("Float64")
        live = live.assign(size=size.reindex(live["household_id"]).to_numpy())
        no_size = live["size"].isna().to_numpy(dtype=bool)
        log.add("households", "missing_household_size", int(no_size.sum()), "household size is empty")
        per_unit = live.loc[~no_size].groupby("unit_id")["size"].sum()
        members = units["unit_id"].map(per_unit).fillna(0.0).astype(float)
        description = (f"Group: residents of programme flats on {as_of:%Y-%m-%d}; total: {population_column} "
                       "per area (should be residents).")
    no_area = units["area_code"].isna().to_numpy(dtype=bool)
    log.add("units", "missing_area_code", int(no_area.sum()), "flat has no area_code")
    pop = population[["area_code", population_column]].copy()
    pop["area_code"] = pop["area_code"].astype("object")
    if pop["area_code"].duplicated().any():
        raise DataError("the population frame lists an area_code more than once")
    unknown = ~no_area & ~units["area_code"].astype("object").isin(pop["area_code"]).to_numpy(dtype=bool)
    log.add("units", "area_not_in_population", int(unknown.sum()), "flat's area_code is not in the population frame")
    keep = ~no_area & ~unknown
    group = members[keep].groupby(units.loc[keep, "area_code"].astype("object")).sum()
    pop["group"] = pop["area_code"].map(group).fillna(0.0)
    result = segregation_indices(pop, group="group", total=population_column, exclusions=log.frame(),
                                 description=description)
    return result


@dataclass(frozen=True)
class ExcludedLocalityShare(Result):
    """Programme flats in socially excluded localities (SVL), by step and municipality."""

    table: pd.DataFrame
    by: tuple[str, ...]
    title: str = "Programme flats in socially excluded localities"

    count_columns: ClassVar[tuple[str, ...]] = ("units", "in_excluded_locality", "not_recorded")
    n_column: ClassVar[str | None] = "units_recorded"

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def notes(self) -> tuple[str, ...]:
        return ("share = flats in an SVL / flats with the SVL flag recorded; flats without the flag are counted "
                "in not_recorded and left out of the share.",)


def excluded_locality_share(data: Tables, *, by: tuple[str, ...] | str = ("step", "municipality"),
                            municipality: str | None = None) -> ExcludedLocalityShare:
    """Share of programme flats in socially excluded localities (``units.in_excluded_locality``).

    Example: ``excluded_locality_share(dataset, by="step").tidy()``
    """
    by = (by,) if isinstance(by, str) else tuple(by)
    units = table(data, "units", ("unit_id", "in_excluded_locality", *by))
    if municipality is not None:
        units = filter_rows(units, "units", municipality=municipality)
    flag = units["in_excluded_locality"].astype("boolean")
    frame = pd.DataFrame({c: codes(units[c]).fillna("missing") for c in by})
    frame["in_svl"] = flag.fillna(False).astype(int).to_numpy()
    frame["recorded"] = flag.notna().astype(int).to_numpy()
    grouped = frame.groupby(list(by), sort=True) if by else frame.groupby(lambda _: "all")
    out = grouped.agg(units=("recorded", "size"), units_recorded=("recorded", "sum"),
                      in_excluded_locality=("in_svl", "sum")).reset_index()
    if not by:
        out = out.drop(columns=out.columns[0])
    out["not_recorded"] = out["units"] - out["units_recorded"]
    out["share"] = share(out["in_excluded_locality"], out["units_recorded"])
    return ExcludedLocalityShare(table=out, by=by)
