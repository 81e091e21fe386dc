"""What one month (and one year) of support costs in each programme step, in the prices of one year.

For each municipality with programme households and each housing step (``crisis``, ``social``,
``affordable``, ``housing_first``):

* **cost** — the step's cost centre in table ``costs``, every month brought to the price year by
  the annual average CPI of its calendar year (:mod:`evaluation.economics.prices`), plus its share
  of the municipality's ``shared`` costs: first the housing programmes' part (in proportion to
  direct costs, housing steps against contact points, as
  :func:`~evaluation.economics.programme_cost.housing_programme_cost`), then split between the
  steps in proportion to their household-months;
* **household-months** — the days the municipality's households spent in a spell of the step
  within the months the municipality's cost records cover (and before the censoring date),
  / 30.4375;
* **cost per household-month** = cost / household-months, and **per household-year** = 12 x that.

A step where households stay longer (Housing First against a six-month crisis flat) is compared
by what a month or a year of support costs, not by the cost per household, which grows with
the length of stay. The cost items keep their identity (``staff``, ``rent_subsidy``, ...), so that
each perspective counts its payers' share (:mod:`evaluation.economics.perspective`).
Contact-point costs and the costs of municipalities without programme households are not
programme costs here: they are reported in the notes.

Example
-------
>>> # step_costs(dataset.tables, czech_cpi(), 2025).tidy()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from evaluation.economics._figures import TableResult, new_axes, numeric
from evaluation.economics.cost_per_outcome import missing_cost_months
from evaluation.economics.prices import PriceIndex
from evaluation.errors import DataError
from evaluation.retention._riskset import DAYS_PER_MONTH

STEPS = ("crisis", "social", "affordable", "housing_first")
COLUMNS = ["municipality", "cost_centre", "cost_czk", "shared_allocated", "household_months", "households",
           "cost_per_household_month", "cost_per_household_year"]


@dataclass(frozen=True)
class StepCostsResult(TableResult):
    """Real cost, household-months and the cost of a month and a year of support by municipality and step."""

    by_item: pd.DataFrame  # municipality, cost_centre, item, cost_czk (price year; shared allocated)
    price_year: int
    index_words: str
    extra_notes: tuple[str, ...] = ()

    count_columns: ClassVar[tuple[str, ...]] = ("households",)
    n_column: ClassVar[str | None] = "households"
    figure_drawer: ClassVar[str | None] = "evaluation.economics.step_costs:draw_step_costs"

    @property
    def title(self) -> str:
        return f"Cost of a month and a year of support by programme step (CZK, {self.price_year} prices)"

    @property
    def notes(self) -> tuple[str, ...]:
        return ((f"Costs in {self.price_year} prices: each month's amount x CPI({self.price_year}) / CPI(its year); "
                f"index: {self.index_words}."),
                ("Household-months: days in a spell of the step within the months the municipality's costs cover / "
                "30.4375; shared costs allocated to the housing steps by household-months."),
                ) + self.extra_notes

    def cost_per_month(self, shares: Mapping[str, float]) -> dict[tuple[str, str], float]:
        """Cost per household-month of each (municipality, step) counting ``shares`` of each item."""
        weights = self.by_item["item"].map(lambda item: float(shares.get(item, 0.0)))
        counted = (self.by_item["cost_czk"] * weights).groupby(
            [self.by_item["municipality"], self.by_item["cost_centre"]]).sum()
        months = self.table.set_index(["municipality", "cost_centre"])["household_months"]
        out = {}
        for key, hm in months.items():
            out[key] = float(counted.get(key, 0.0)) / hm if hm > 0 else np.nan
        return out


def draw_step_costs(table: pd.DataFrame, ax: Any = None, *, lang: str = "cs", **kwargs: Any) -> Any:
    """Cost of a year of support by municipality and step (bars), labelled in ``lang``; a hidden cell is
    left out."""
    from evaluation.reporting import plot_labels as pl
    from evaluation.reporting.labels import category_label

    pl.check_lang(lang)
    ax = new_axes(ax, (6.3, 3.2))
    values = numeric(table, "cost_per_household_year")
    keep = values.notna().to_numpy()
    t = table.loc[keep]
    labels = [f"{m} – {category_label('cost_centre', c, lang)}"
              for m, c in zip(t["municipality"].astype(str), t["cost_centre"].astype(str))]
    y = np.arange(len(t))
    ax.barh(y, values[keep], color="#0072B2", **kwargs)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel("Kč na domácnost a rok podpory" if lang == "cs" else "CZK per household-year of support")
    pl.number_axis(ax, lang, axis="x")
    return ax


def _check_costs(costs: pd.DataFrame) -> pd.DataFrame:
    for col in ("municipality", "month", "cost_centre", "amount_czk"):
        if col not in costs.columns:
            raise DataError(f"table 'costs' lacks column {col!r}")
    amounts = pd.to_numeric(costs["amount_czk"], errors="coerce")
    if amounts.isna().any() or (amounts < 0).any():
        raise DataError("table 'costs', column 'amount_czk': amounts must be present and non-negative")
    months = pd.to_datetime(costs["month"], errors="coerce")
    if months.isna().any():
        raise DataError(f"table 'costs', column 'month': {int(months.isna().sum())} rows without a valid month")
    item = costs["item"].astype(object) if "item" in costs.columns else pd.Series("other", index=costs.index)
    return pd.DataFrame({"municipality": costs["municipality"].astype(str), "month": months,
                         "cost_centre": costs["cost_centre"].astype(str), "item": item.fillna("other").astype(str),
                         "amount_czk": amounts.astype(float)})


def _household_months(tenancies: pd.DataFrame, municipality_of: pd.Series, windows: pd.DataFrame,
                      censor: pd.Timestamp) -> pd.DataFrame:
    """Household-months and households by (municipality, step) within each municipality's cost window."""
    spells = tenancies[tenancies["step"].astype(object).isin(STEPS)]
    frame = pd.DataFrame({"household_id": spells["household_id"].to_numpy(),
                          "municipality": spells["household_id"].map(municipality_of).to_numpy(),
                          "cost_centre": spells["step"].astype(str).to_numpy(),
                          "start": pd.to_datetime(spells["start_date"]).to_numpy(),
                          "end": pd.to_datetime(spells["end_date"]).fillna(censor).to_numpy()})
    frame = frame.merge(windows, on="municipality", how="inner")
    start = np.maximum(frame["start"].to_numpy(), frame["first"].to_numpy())
    end = np.minimum(np.minimum(frame["end"].to_numpy(), frame["last"].to_numpy()), np.datetime64(censor))
    days = (end - start) / np.timedelta64(1, "D")
    frame["household_months"] = np.clip(days, 0, None) / DAYS_PER_MONTH
    present = frame[frame["household_months"] > 0]
    out = present.groupby(["municipality", "cost_centre"]).agg(
        household_months=("household_months", "sum"), households=("household_id", "nunique"))
    return out.reset_index()


def step_costs(tables: Mapping[str, pd.DataFrame], price_index: PriceIndex, price_year: int, *,
               censor_date: Any = None) -> StepCostsResult:
    """Cost per household-month and per household-year of each programme step (see the module docstring).

    ``tables``: ``costs``, ``tenancies`` and ``households`` (with ``group`` and ``municipality``).
    """
    for name in ("costs", "tenancies", "households"):
        if name not in tables:
            raise DataError(f"the cost of support needs table {name!r}")
    costs = _check_costs(tables["costs"])
    households = tables["households"]
    for col in ("household_id", "municipality", "group"):
        if col not in households.columns:
            raise DataError(f"table 'households' lacks column {col!r}")
    notes: list[str] = []
    costs["cost_czk"] = price_index.to_price_year(costs["amount_czk"], costs["month"].dt.year, price_year)
    programme = households[households["group"].astype(object) == "programme"]
    wanted = sorted(set(programme["municipality"].dropna().astype(str)))
    others = costs[~costs["municipality"].isin(wanted)]
    if len(others):
        by = others.groupby("municipality")["cost_czk"].sum()
        notes.append("Costs of municipalities without programme households are not programme costs here: "
                     + ", ".join(f"{m} ({v:,.0f} CZK)" for m, v in by.items()) + ".")
    costs = costs[costs["municipality"].isin(wanted)]
    if costs.empty:
        raise DataError("table 'costs' has no costs of the municipalities of the programme households "
                        f"({', '.join(wanted) or 'none'})")
    gaps = missing_cost_months(costs)
    for _, r in gaps.iterrows():
        notes.append(f"{r['municipality']}: {r['missing_months']} months without cost records between "
                     f"{r['first_missing']} and {r['last_missing']} (costs may be understated).")
    tenancies = tables["tenancies"]
    for col in ("household_id", "step", "start_date", "end_date"):
        if col not in tenancies.columns:
            raise DataError(f"table 'tenancies' lacks column {col!r}")
    censor = pd.Timestamp(censor_date) if censor_date is not None else max(
        pd.to_datetime(tenancies["start_date"]).max(), pd.to_datetime(tenancies["end_date"]).max())
    windows = costs.groupby("municipality")["month"].agg(["min", "max"]).reset_index()
    windows = pd.DataFrame({"municipality": windows["municipality"], "first": windows["min"],
                            "last": windows["max"] + pd.offsets.MonthBegin(1)})
    municipality_of = households.set_index("household_id")["municipality"].astype(str)
    occupied = _household_months(tenancies, municipality_of, windows, censor).set_index(
        ["municipality", "cost_centre"])

    rows, items = [], []
    for muni, c in costs.groupby("municipality"):
        direct = c[c["cost_centre"].isin(STEPS)]
        housing, contact = float(direct["cost_czk"].sum()), float(c.loc[c["cost_centre"] == "contact_point",
                                                                          "cost_czk"].sum())
        shared = c[c["cost_centre"] == "shared"]
        housing_share = housing / (housing + contact) if housing + contact > 0 else 1.0
        if contact:
            notes.append(f"{muni}: contact-point costs ({contact:,.0f} CZK) and {1 - housing_share:.0%} of the shared "
                         "costs belong to the contact points, not to the housing programmes.")
        steps = sorted(set(direct["cost_centre"]) | {s for (m, s) in occupied.index if m == muni},
                       key=STEPS.index)
        months = {s: float(occupied["household_months"].get((muni, s), 0.0)) for s in steps}
        total_months = sum(months.values())
        shared_items = shared.groupby("item")["cost_czk"].sum() * housing_share
        for step in steps:
            own = direct[direct["cost_centre"] == step].groupby("item")["cost_czk"].sum()
            weight = months[step] / total_months if total_months > 0 else 0.0
            by_item = own.add(shared_items * weight, fill_value=0.0)
            items += [{"municipality": muni, "cost_centre": step, "item": item, "cost_czk": float(v)}
                      for item, v in by_item.items()]
            cost, hm = float(by_item.sum()), months[step]
            households_n = int(occupied["households"].get((muni, step), 0))
            if hm <= 0 and cost > 0:
                notes.append(f"{muni}, {step}: {cost:,.0f} CZK of costs but no household-month of support in the "
                             "months they cover; no cost per household-month.")
            per_month = cost / hm if hm > 0 else np.nan
            rows.append({"municipality": muni, "cost_centre": step, "cost_czk": cost,
                         "shared_allocated": float((shared_items * weight).sum()), "household_months": hm,
                         "households": households_n, "cost_per_household_month": per_month,
                         "cost_per_household_year": 12.0 * per_month})
        if shared_items.sum() > 0 and total_months == 0:
            notes.append(f"{muni}: shared costs could not be allocated (no household-months in any step).")
    table = pd.DataFrame(rows, columns=COLUMNS)
    by_item = pd.DataFrame(items, columns=["municipality", "cost_centre", "item", "cost_czk"])
    return StepCostsResult(table=table, by_item=by_item, price_year=int(price_year),
                           index_words=price_index.describe("en"), extra_notes=tuple(notes))


__all__ = ["STEPS", "StepCostsResult", "draw_step_costs", "step_costs"]
