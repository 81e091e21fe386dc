"""The national roll-out's areas and its monthly ORP panel, with potential outcomes.

Every ORP area of the bundled code list belongs to the district of one of the 132 contact points
(``data_schema/codes/contact_points.csv``, an ILLUSTRATIVE network). Each area gets a synthetic
population and a housing-need rate (:func:`simulate_areas`), each contact point an opening month
(:func:`draw_openings`), and the panel (:func:`simulate_orp_panel`) one row per area and month.

Untreated rates per 1,000 inhabitants are additive in an area effect and a common month effect, so
parallel trends hold on the per-1,000 scale (counts are Poisson given the rate and the population;
estimate on ``count / population * 1000``). A contact point lowers evictions and shelter nights
and *raises* registered households in need (it finds need nobody had recorded), with effects that
grow or settle with the months since it opened and differ by opening cohort
(:func:`evictions_effect`, :func:`shelter_effect`, :func:`need_effect`). Counts under the contact
point are a binomial thinning (evictions, shelter nights) or a Poisson addition (registrations)
of the counts without it, so both potential outcomes share their randomness.

Example
-------
>>> import numpy as np
>>> areas = simulate_areas(np.random.default_rng(1))
>>> len(areas), areas["contact_point_code"].nunique(), int(areas["population"].sum()) // 100_000
(206, 132, 109)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.data.schema import get_schema
from evaluation.synthetic import calibration as cal

#: The months of the national panel (first days).
_MONTHS = np.arange(cal.NATIONAL_STUDY_START.astype("datetime64[M]"), cal.NATIONAL_STUDY_END.astype("datetime64[M]") + 1)


def panel_months() -> np.ndarray:
    """Months of the national panel, ``datetime64[M]``."""
    return _MONTHS.copy()


def _month_index(month: np.ndarray) -> np.ndarray:
    """Months since the start of the panel (``NaT`` → -1)."""
    out = (month.astype("datetime64[M]") - _MONTHS[0]).astype(np.int64)
    return np.where(np.isnat(month), -1, out)


def simulate_areas(rng: np.random.Generator) -> pd.DataFrame:
    """One row per ORP area: its contact point, synthetic population and housing need.

    ``need_rate`` is households in housing need per 1,000 inhabitants (the stock at the start),
    ``households_in_need`` the stock itself; the country holds :data:`calibration.HOUSEHOLDS_IN_NEED`.
    """
    contract = get_schema()
    orp = contract.code_list("orp").frame()
    points = contract.code_list("contact_points").frame()
    areas = orp.merge(points[["orp_code", "contact_point_code", "contact_point", "legal_basis"]], on="orp_code",
                      how="left", validate="one_to_one").sort_values("orp_code", kind="stable").reset_index(drop=True)
    n = len(areas)
    others = areas["municipalities"].astype(int).to_numpy() - 1
    city = areas["orp"].map(cal.STATUTORY_CITY_POPULATION)
    median, sigma = cal.SEAT_POPULATION
    seat = np.maximum(median * np.exp(sigma * rng.standard_normal(n)), 2_500.0)
    seat = np.where(city.notna(), city.fillna(0).to_numpy(float), seat)
    mean_other = cal.OTHER_MUNICIPALITY_POPULATION[0] * np.exp(cal.OTHER_MUNICIPALITY_POPULATION[1]
                                                               * rng.standard_normal(n))
    population = seat + others * mean_other
    prague = (areas["orp_code"] == "1000").to_numpy()
    rest = cal.POPULATION_TOTAL - population[prague].sum()
    population[~prague] *= rest / population[~prague].sum()
    areas["population"] = np.rint(population).astype(np.int64)
    log_rate = (cal.NEED_RATE_SIGMA * rng.standard_normal(n)
                + areas["region_code"].map(cal.NEED_REGION_EFFECT).fillna(0.0).to_numpy()
                + cal.NEED_CITY_EFFECT * city.notna().to_numpy())
    rate = np.exp(log_rate)
    rate *= cal.HOUSEHOLDS_IN_NEED / (rate * areas["population"].to_numpy() / 1000.0).sum()
    areas["need_rate"] = rate
    areas["households_in_need"] = rate * areas["population"].to_numpy() / 1000.0
    return areas


def draw_openings(rng: np.random.Generator, areas: pd.DataFrame) -> pd.DataFrame:
    """One row per contact point with its opening month (``NaT``: not open by the end of the data).

    The act's contact points take the earlier slots of :data:`calibration.CONTACT_POINT_OPENINGS`,
    those with more households in need per 1,000 inhabitants (with noise) first; the decree's
    contact points take the later ones.
    """
    points = (areas.groupby(["contact_point_code", "contact_point", "legal_basis"], sort=True, as_index=False)
              .agg(orp_areas=("orp_code", "size"), population=("population", "sum"),
                   households_in_need=("households_in_need", "sum")))
    urgency = np.log(points["households_in_need"] / points["population"]) + 0.5 * rng.standard_normal(len(points))
    order = np.lexsort((-urgency, (points["legal_basis"] == "decree").to_numpy()))
    slots = [np.datetime64(m, "M") if m else np.datetime64("NaT", "M")
             for m, count in cal.CONTACT_POINT_OPENINGS for _ in range(count)]
    if len(slots) != len(points):
        raise ValueError(f"calibration opens {len(slots)} contact points, the code list has {len(points)}")
    opened = np.empty(len(points), dtype="datetime64[M]")
    opened[order] = np.array(slots, dtype="datetime64[M]")
    points["opened"] = opened
    return points


def _cohort_multiplier(group: np.ndarray) -> np.ndarray:
    labels = np.where(np.isnat(group), "", group.astype("datetime64[M]").astype(str))
    return pd.Series(labels).map(cal.NATIONAL_COHORT_MULTIPLIER).fillna(0.0).to_numpy()


def _event_time(group: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Months since the opening; -1 before it and for areas whose contact point never opened."""
    e = (month.astype("datetime64[M]") - np.where(np.isnat(group), month, group).astype("datetime64[M]")).astype(np.int64)
    return np.where(np.isnat(group) | (e < 0), -1, e)


def evictions_effect(group: np.ndarray, month: np.ndarray) -> np.ndarray:
    """True effect on evictions per 1,000 inhabitants a month (0 before the opening)."""
    a, r = cal.NATIONAL_EVICTIONS_EFFECT
    e = _event_time(group, month)
    return np.where(e >= 0, -a * (1.0 - r ** (e + 1.0)) * _cohort_multiplier(group), 0.0)


def shelter_effect(group: np.ndarray, month: np.ndarray) -> np.ndarray:
    """True effect on shelter nights per 1,000 inhabitants a month."""
    b, k = cal.NATIONAL_SHELTER_EFFECT
    e = _event_time(group, month)
    return np.where(e >= 0, -b * (1.0 - np.exp(-(e + 1.0) / k)) * _cohort_multiplier(group), 0.0)


def need_effect(group: np.ndarray, month: np.ndarray) -> np.ndarray:
    """True effect on households in need newly registered per 1,000 inhabitants a month (positive)."""
    c, lasting, k = cal.NATIONAL_NEED_DETECTION
    e = _event_time(group, month)
    return np.where(e >= 0, c * (lasting + (1.0 - lasting) * np.exp(-np.maximum(e, 0) / k)), 0.0)


EFFECTS = {"evictions": evictions_effect, "shelter_nights": shelter_effect, "households_in_need": need_effect}


def simulate_orp_panel(rng: np.random.Generator, areas: pd.DataFrame, points: pd.DataFrame
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The panel (internal columns, one row per area and month) and its potential outcomes."""
    months = panel_months()
    n, m = len(areas), len(months)
    opened = areas["contact_point_code"].map(dict(zip(points["contact_point_code"], points["opened"])))
    group = np.repeat(opened.to_numpy(dtype="datetime64[M]")[:, None], m, axis=1).ravel()
    month = np.tile(months, n)
    pop = np.repeat(areas["population"].to_numpy(float)[:, None], m, axis=1)
    need = areas["need_rate"].to_numpy()
    relative_need = need / np.average(need, weights=areas["population"])
    t = np.arange(m)
    calendar_month = (months.astype(np.int64) % 12)  # 0 = January
    winter = np.isin(calendar_month, (0, 1, 11)).astype(float)

    low, high = cal.NATIONAL_EVICTIONS_PER_1000_YEAR
    evict_level = (low + (high - low) * np.clip(0.5 * relative_need ** 0.5 + 0.3 * rng.random(n), 0, 1)) / 12.0
    evict_rate0 = evict_level[:, None] + 0.008 * np.sin(2 * np.pi * calendar_month / 12.0)[None, :] - 0.0001 * t[None, :]
    shelter_mean = cal.SHELTER_RESIDENTS * 365.25 / 12 / cal.POPULATION_TOTAL * 1000.0
    shelter_level = shelter_mean * relative_need ** 0.7 * np.exp(0.2 * rng.standard_normal(n))
    shelter_rate0 = shelter_level[:, None] + 2.0 * winter[None, :] + 0.02 * t[None, :]
    inflow_mean = cal.NEED_INFLOW_PER_YEAR / 12 / cal.POPULATION_TOTAL * 1000.0
    need_rate0 = inflow_mean * relative_need[:, None] + 0.0004 * t[None, :]

    out: dict[str, np.ndarray] = {}
    potential: dict[str, np.ndarray] = {}
    for name, rate0 in (("evictions", evict_rate0), ("shelter_nights", shelter_rate0),
                        ("households_in_need", need_rate0)):
        if (rate0 <= 0).any():
            raise ValueError(f"calibration gives a non-positive untreated rate of {name}")
        effect = EFFECTS[name](group, month).reshape(n, m)
        y0 = rng.poisson(pop / 1000.0 * rate0)
        if name == "households_in_need":
            y1 = y0 + rng.poisson(pop / 1000.0 * effect)
        else:
            keep = np.clip((rate0 + effect) / rate0, 0.0, 1.0)
            y1 = y0 - rng.binomial(y0, 1.0 - keep)
        potential[f"{name}_0"], potential[f"{name}_1"] = y0.ravel(), y1.ravel()
        potential[f"{name}_rate_dgp_0"] = rate0.ravel()
        potential[f"{name}_effect_dgp"] = effect.ravel()
    treated = ~np.isnat(group) & (month >= group)
    for name in EFFECTS:
        out[name] = np.where(treated, potential[f"{name}_1"], potential[f"{name}_0"])
    codes = np.repeat(areas["orp_code"].to_numpy(dtype=object), m)
    panel = pd.DataFrame({
        "orp_code": codes, "month": month, "contact_point_code": np.repeat(areas["contact_point_code"].to_numpy(
            dtype=object), m),
        "contact_point_opened": group, "population": pop.ravel().astype(np.int64), **out})
    frame = pd.DataFrame({"orp_code": codes, "month": month, "group": group, "treated": treated,
                          "population": pop.ravel(), **potential})
    return panel, frame
