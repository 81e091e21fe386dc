"""Programme costs by municipality, month, cost centre and item, driven by the simulated activity.

Staff costs follow the household-months in each step divided by the planned caseload; rent
subsidies follow occupied flat-months; each flat costs its set-up in the month it is first
let and maintenance afterwards; administration is a share of staff. Ostrava's project team,
Brno's running costs and Prague's contact-point staff and bridging loans come from the seeds
and published figures cited in :mod:`calibration`. Rows with a zero amount are not written.

Example
-------
>>> import numpy as np
>>> from evaluation.synthetic.households import simulate_population
>>> from evaluation.synthetic.housing import allocate_units
>>> pop = simulate_population(np.random.default_rng(3), scale=0.2)
>>> units, unit_of_spell = allocate_units(np.random.default_rng(5), pop, scale=0.2)
>>> costs = programme_costs(pop, units, unit_of_spell, None, scale=0.2)
>>> bool((costs["amount_czk"] > 0).all())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import spell_months
from evaluation.synthetic.households import Population

_KEY = ["municipality", "month", "cost_centre", "item"]


def _months(first: str, last: str) -> np.ndarray:
    return np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)


def _pairs(municipality: np.ndarray, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer code of each (municipality, step) pair and the pairs (k x 2 object array)."""
    codes, uniques = pd.MultiIndex.from_arrays([municipality, step]).factorize()
    return codes, np.array(list(uniques), dtype=object).reshape(len(uniques), 2)


def _by_pair_and_month(pair: np.ndarray, pairs: np.ndarray, month: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """Sum of ``value`` by (municipality, step) pair and month, for the cells with any row."""
    if not len(month):
        return pd.DataFrame({"municipality": [], "cost_centre": [], "month": month, "value": []})
    first = month.min()
    n_months = int((month.max() - first).astype(np.int64)) + 1
    key = pair * n_months + (month - first).astype(np.int64)
    size = len(pairs) * n_months
    cells = np.flatnonzero(np.bincount(key, minlength=size))
    total = np.bincount(key, weights=value, minlength=size)[cells]
    return pd.DataFrame({"municipality": pairs[cells // n_months, 0], "cost_centre": pairs[cells // n_months, 1],
                         "month": first + (cells % n_months), "value": total})


def programme_costs(population: Population, units: pd.DataFrame, unit_of_spell: np.ndarray,
                    applications: pd.DataFrame | None, scale: float) -> pd.DataFrame:
    """The costs table (internal: ``month`` as ``datetime64[M]``), one row per key with amount > 0."""
    spells, households = population.spells, population.households
    rows = []
    with_unit = np.flatnonzero(unit_of_spell >= 0)
    s = spells.iloc[with_unit]
    end = s["end_date"].to_numpy().astype("datetime64[D]")
    end = np.where(np.isnat(end), cal.HOUSEHOLD_DATA_END, end)
    sm = spell_months(s["start_date"].to_numpy().astype("datetime64[D]"), end)
    # flat-months occupied by (municipality, step) and month: summed over integer keys, since at
    # national scale there are millions of spell-months
    pair, pairs = _pairs(households["municipality"].to_numpy()[s["household"].to_numpy()], s["step"].to_numpy())
    occupied = _by_pair_and_month(pair[sm.spell], pairs, sm.month, sm.days / sm.days_in_month)
    occupied = occupied.rename(columns={"value": "flat_months"})
    caseload = occupied["cost_centre"].map(cal.CASELOAD).to_numpy()
    staff = occupied["flat_months"].to_numpy() / caseload * cal.SOCIAL_WORKER_MONTHLY_COST
    subsidy = occupied["flat_months"].to_numpy() * occupied["cost_centre"].map(cal.RENT_SUBSIDY).to_numpy()
    for item, amount in (("staff", staff), ("rent_subsidy", subsidy), ("administration", staff * cal.ADMINISTRATION_SHARE)):
        rows.append(occupied[["municipality", "month", "cost_centre"]].assign(item=item, amount_czk=amount))

    # flats: set-up in the month first let, maintenance from then to the extraction date
    first_let = pd.DataFrame({"unit": unit_of_spell[with_unit], "start": s["start_date"].to_numpy()})
    first_let = first_let.groupby("unit", sort=True)["start"].min()
    unit_rows = units.iloc[first_let.index.to_numpy()]
    let_month = first_let.to_numpy().astype("datetime64[M]")
    pair, pairs = _pairs(unit_rows["municipality"].to_numpy(), unit_rows["step"].to_numpy())
    last = cal.HOUSEHOLD_DATA_END.astype("datetime64[M]")
    calendar = np.arange(let_month.min(), last + 1) if len(let_month) else np.empty(0, dtype="datetime64[M]")
    grid = (len(pairs), len(calendar))
    key = pair * len(calendar) + (let_month - calendar[:1]).astype(np.int64)
    setup = np.bincount(key, weights=unit_rows["step"].map(cal.FLAT_SETUP_COST).to_numpy(dtype=float),
                        minlength=grid[0] * grid[1]).reshape(grid)
    let_so_far = np.cumsum(np.bincount(key, minlength=grid[0] * grid[1]).reshape(grid), axis=1)
    cell_pair, cell_month = np.nonzero(let_so_far)
    rows.append(pd.DataFrame({
        "municipality": pairs[cell_pair, 0], "month": calendar[cell_month], "cost_centre": pairs[cell_pair, 1],
        "item": "repairs_equipment",
        "amount_czk": setup[cell_pair, cell_month] + let_so_far[cell_pair, cell_month] * cal.MAINTENANCE_PER_FLAT}))

    team = _months(*cal.OSTRAVA_PROJECT_MONTHS)
    rows.append(pd.DataFrame({"municipality": "Ostrava", "month": team, "cost_centre": "shared", "item": "staff",
                              "amount_czk": cal.OSTRAVA_TEAM_FTE * cal.OSTRAVA_TEAM_MONTHLY_COST}))
    brno = _months(*cal.BRNO_PROJECT_MONTHS)
    rows.append(pd.DataFrame({"municipality": "Brno", "month": brno, "cost_centre": "housing_first", "item": "other",
                              "amount_czk": cal.BRNO_OTHER_MONTHLY * scale}))
    if applications is not None:
        rows.extend(_contact_point_costs(applications, scale))
    costs = pd.concat(rows, ignore_index=True)
    costs["amount_czk"] = np.rint(costs["amount_czk"].astype(float))
    costs = costs.groupby(_KEY, as_index=False, sort=True)["amount_czk"].sum()
    return costs[costs["amount_czk"] > 0].reset_index(drop=True)


def _contact_point_costs(applications: pd.DataFrame, scale: float) -> list[pd.DataFrame]:
    months = _months(*cal.KMB_MONTHS)
    open_points = np.zeros(len(months))
    for point in cal.CONTACT_POINTS:
        open_points += months >= np.datetime64(point.opened, "M")
    staff = open_points * cal.KMB_STAFF_MONTHLY * scale
    decided = applications["decided_date"].to_numpy().astype("datetime64[M]")
    has = ~np.isnat(decided)
    loans = pd.Series(applications["loan_czk"].to_numpy()[has]).groupby(decided[has]).sum()
    return [
        pd.DataFrame({"municipality": "Praha", "month": months, "cost_centre": "contact_point", "item": "staff",
                      "amount_czk": staff}),
        pd.DataFrame({"municipality": "Praha", "month": months, "cost_centre": "contact_point",
                      "item": "administration", "amount_czk": staff * cal.ADMINISTRATION_SHARE}),
        pd.DataFrame({"municipality": "Praha", "month": months, "cost_centre": "shared", "item": "staff",
                      "amount_czk": cal.MHMP_TEAM_FTE * cal.SOCIAL_WORKER_MONTHLY_COST}),
        pd.DataFrame({"municipality": "Praha", "month": loans.index.to_numpy().astype("datetime64[M]"),
                      "cost_centre": "contact_point", "item": "bridging_loans", "amount_czk": loans.to_numpy()}),
    ]
