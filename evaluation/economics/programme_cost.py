"""The cost of the housing programmes whose households an offset analysis covers.

Programme cost = the cost centres of the housing programmes (``crisis``, ``social``,
``affordable``, ``housing_first``) in the municipalities of the analysed programme households,
plus the share of those municipalities' ``shared`` costs that falls on the housing programmes.
A municipality's shared costs are allocated in proportion to direct costs: housing-programme
costs / (housing-programme + contact-point costs); with no contact-point costs all of them.
Contact-point costs belong to the contact-point analysis (cost per application): they are
reported, not included. Costs of municipalities without analysed programme households are
left out and reported.

Example
-------
>>> costs = pd.DataFrame({"municipality": ["A", "A", "A"], "cost_centre": ["crisis", "contact_point", "shared"],
...                       "amount_czk": [300.0, 100.0, 40.0]})
>>> housing_programme_cost(costs, ["A"]).total
330.0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from evaluation.errors import DataError

HOUSING_CENTRES = ("crisis", "social", "affordable", "housing_first")


@dataclass(frozen=True)
class ProgrammeCost:
    """Housing-programme cost (``total``) with its breakdown by municipality
    (``housing``, ``shared_allocated``, ``shared_total``, ``contact_point``) and notes."""
    total: float
    by_municipality: pd.DataFrame
    notes: tuple[str, ...]


def housing_programme_cost(costs: pd.DataFrame, municipalities: Iterable[str]) -> ProgrammeCost:
    """Cost of the housing programmes in ``municipalities`` with their share of shared costs."""
    for col in ("municipality", "cost_centre", "amount_czk"):
        if col not in costs.columns:
            raise DataError(f"table 'costs' lacks column {col!r}")
    if costs["amount_czk"].isna().any() or (costs["amount_czk"] < 0).any():
        raise DataError("table 'costs', column 'amount_czk': amounts must be present and non-negative")
    wanted = sorted({str(m) for m in municipalities})
    totals = (costs.assign(municipality=costs["municipality"].astype(str), cost_centre=costs["cost_centre"].astype(str))
              .groupby(["municipality", "cost_centre"])["amount_czk"].sum().unstack(fill_value=0.0))
    for centre in (*HOUSING_CENTRES, "contact_point", "shared"):
        if centre not in totals.columns:
            totals[centre] = 0.0
    rows, notes = [], []
    for muni in wanted:
        t = totals.loc[muni] if muni in totals.index else pd.Series(0.0, index=totals.columns)
        housing = float(t[list(HOUSING_CENTRES)].sum())
        contact = float(t["contact_point"])
        direct = housing + contact
        share = housing / direct if direct > 0 else 1.0
        rows.append({"municipality": muni, "housing": housing, "shared_allocated": float(t["shared"]) * share,
                     "shared_total": float(t["shared"]), "contact_point": contact})
        if housing == 0:
            notes.append(f"{muni}: no housing-programme costs in table 'costs'.")
    table = pd.DataFrame(rows, columns=["municipality", "housing", "shared_allocated", "shared_total",
                                        "contact_point"])
    total = float(table["housing"].sum() + table["shared_allocated"].sum())
    contact = float(table["contact_point"].sum())
    if contact:
        notes.append(f"Contact-point costs of these municipalities ({contact:,.0f} CZK) and their share of shared "
                     "costs are not programme costs here (see the contact-point cost per application).")
    others = [m for m in totals.index if m not in wanted]
    if others:
        notes.append(f"Costs of municipalities without analysed programme households are not included: "
                     f"{', '.join(others)} ({float(totals.loc[others].to_numpy().sum()):,.0f} CZK).")
    return ProgrammeCost(total=total, by_municipality=table, notes=tuple(notes))
