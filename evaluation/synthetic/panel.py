"""Municipality-by-year panel: the 16 MPSV pilots start in different years, the others never.

Untreated potential outcomes are additive in a municipality effect and a common year effect,
so parallel trends hold by construction: for ``arrears_rate`` in levels, and for evictions,
households in need, shelter nights and children in care *per 1,000 inhabitants* (the counts
are Poisson with mean population/1000 times that rate, so raw counts of municipalities of
different size do not trend in parallel — estimate on the per-1,000 scale). The pilot lowers
the arrears rate and evictions with effects that differ by start year and grow with time
since the start (:data:`calibration.PANEL_ARREARS_EFFECT`, ``PANEL_EVICTIONS_EFFECT``);
households in need is a placebo outcome with no effect. Evictions under the pilot are a
binomial thinning of the evictions without it (common random numbers), so Y(1) <= Y(0).

Example
-------
>>> import numpy as np
>>> panel, potential = simulate_panel(np.random.default_rng(7))
>>> panel["municipality"].nunique(), int(panel["period"].min()), int(panel["period"].max())
(166, 2012, 2024)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal


def arrears_rate_effect(group: np.ndarray, period: np.ndarray) -> np.ndarray:
    """True effect of the pilot on the arrears rate (0 before the start and for never-treated)."""
    a, b = cal.PANEL_ARREARS_EFFECT
    mult = pd.Series(cal.PANEL_ARREARS_MULTIPLIER).reindex(group).fillna(0.0).to_numpy()
    e = period - np.nan_to_num(group, nan=0).astype(np.int64)
    return np.where((mult > 0) & (e >= 0), -(a + b * e) * mult, 0.0)


def evictions_effect(group: np.ndarray, period: np.ndarray) -> np.ndarray:
    """True effect of the pilot on evictions per 1,000 inhabitants."""
    a, r = cal.PANEL_EVICTIONS_EFFECT
    mult = pd.Series(cal.PANEL_EVICTIONS_MULTIPLIER).reindex(group).fillna(0.0).to_numpy()
    e = period - np.nan_to_num(group, nan=0).astype(np.int64)
    return np.where((mult > 0) & (e >= 0), -a * (1.0 - r ** (e + 1.0)) * mult, 0.0)


def simulate_panel(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The panel (internal columns) and its potential outcomes, one row per municipality and year."""
    names = [p[0] for p in cal.PILOT_MUNICIPALITIES] + list(cal.NON_PILOT_MUNICIPALITIES[:cal.N_NON_PILOT])
    start = np.array([float(p[1]) for p in cal.PILOT_MUNICIPALITIES] + [np.nan] * cal.N_NON_PILOT)
    n_pilot = len(cal.PILOT_MUNICIPALITIES)
    population = np.concatenate([[p[2] for p in cal.PILOT_MUNICIPALITIES],
                                 np.rint(np.exp(rng.uniform(np.log(1500), np.log(100000), cal.N_NON_PILOT)))])
    years = np.arange(cal.PANEL_YEARS[0], cal.PANEL_YEARS[1] + 1)
    n, m = len(names), len(years)
    growth = rng.normal(0.0, 0.004, n)
    pop = np.rint(population[:, None] * np.exp(growth[:, None] * (years - years[0])[None, :]))
    pop = np.maximum(pop, 1)

    def level(bounds: tuple[float, float]) -> np.ndarray:
        return rng.uniform(*bounds, n)

    pilot = np.arange(n) < n_pilot
    arrears_level = level(cal.PANEL_ARREARS_RATE) + cal.PANEL_ARREARS_PILOT_SHIFT * pilot
    arrears_year = 0.01 * np.sin(np.arange(m) / 2.0) - 0.002 * np.arange(m)
    arrears0 = arrears_level[:, None] + arrears_year[None, :] + rng.normal(0, cal.PANEL_ARREARS_NOISE_SD, (n, m))
    group = np.repeat(start[:, None], m, axis=1)
    period = np.repeat(years[None, :], n, axis=0)
    arrears1 = arrears0 + arrears_rate_effect(group.ravel(), period.ravel()).reshape(n, m)
    arrears0, arrears1 = (np.clip(np.round(a, 5), 0, 1) for a in (arrears0, arrears1))

    evict_rate0 = level(cal.PANEL_EVICTIONS_PER_1000)[:, None] + 0.05 * np.cos(np.arange(m) / 3.0)[None, :]
    evict_rate1 = np.maximum(evict_rate0 + evictions_effect(group.ravel(), period.ravel()).reshape(n, m), 0.0)
    evictions0 = rng.poisson(pop / 1000.0 * evict_rate0)
    evictions1 = evictions0 - rng.binomial(evictions0, 1.0 - evict_rate1 / evict_rate0)
    need = rng.poisson(pop / 1000.0 * (level(cal.PANEL_NEED_PER_1000)[:, None] + 0.15 * np.arange(m)[None, :]))
    shelter = rng.poisson(pop / 1000.0 * (level(cal.PANEL_SHELTER_NIGHTS_PER_1000)[:, None]
                                          + 8.0 * np.arange(m)[None, :]))
    care = rng.poisson(pop / 1000.0 * level(cal.PANEL_CHILDREN_IN_CARE_PER_1000)[:, None] * np.ones((1, m)))

    treated = ~np.isnan(group) & (period >= np.nan_to_num(group, nan=9999))
    panel = pd.DataFrame({
        "municipality": np.repeat(np.array(names, dtype=object), m), "period": period.ravel(),
        "pilot_start_period": group.ravel(), "population": pop.ravel().astype(np.int64),
        "households_in_need": need.ravel(), "evictions": np.where(treated, evictions1, evictions0).ravel(),
        "shelter_nights": shelter.ravel(), "children_in_care": care.ravel(),
        "arrears_rate": np.where(treated, arrears1, arrears0).ravel(),
    })
    potential = pd.DataFrame({
        "municipality": panel["municipality"], "period": panel["period"], "group": group.ravel(),
        "treated": treated.ravel(), "population": pop.ravel(),
        "arrears_rate_0": arrears0.ravel(), "arrears_rate_1": arrears1.ravel(),
        "evictions_0": evictions0.ravel(), "evictions_1": evictions1.ravel(),
        "evictions_rate_dgp_0": evict_rate0.ravel(), "evictions_rate_dgp_1": evict_rate1.ravel(),
    })
    return panel, potential
