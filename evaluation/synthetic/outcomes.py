"""Monthly household outcomes with both potential outcomes kept: the household_outcomes table.

Every household is followed monthly from ``OUTCOMES_START`` to the extraction date, well
before programme entry, so that staggered difference-in-differences by cohort works (the
comparison households never enter). For each programme household both potential outcomes
are drawn with common random numbers: ``Y(0)`` (no programme) and ``Y(1)`` (entered in its
cohort's month); the table shows ``Y(1)`` from the entry month on and ``Y(0)`` before.

* arrears: ``Y(0) = alpha_i + delta_t + u_it`` (household level, common month effects, AR(1)
  shocks), so parallel trends hold by construction; ``Y(1) = Y(0) + tau_c(e)`` with the
  cohort- and time-varying effect of :data:`calibration.ARREARS_EFFECT` (an intention-to-treat
  effect of entering, whatever happens afterwards), both floored at 0 CZK;
* shelter nights: without the programme a Poisson count by ETHOS category; with it, only
  the part of the month not housed by the programme;
* employed adults and income; children in care (some return home from the 6th month).

Rows are missing completely at random (``OUTCOME_MISSING_SHARE``) and after a death.

Example
-------
>>> import numpy as np
>>> from evaluation.synthetic.households import simulate_population
>>> pop = simulate_population(np.random.default_rng(3), scale=0.2)
>>> out = simulate_outcomes(np.random.default_rng(4), pop.households)
>>> out.observed["arrears_czk"].min() >= 0
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import days_in_month


@dataclass(frozen=True)
class Outcomes:
    """Observed long table (internal household positions) and potential outcomes of programme rows."""
    observed: pd.DataFrame | None
    potential: pd.DataFrame
    clipped_cells: int


def outcome_months() -> np.ndarray:
    last = cal.HOUSEHOLD_DATA_END.astype("datetime64[M]")
    return np.arange(cal.OUTCOMES_START, last + 1)


def arrears_effect(cohort: np.ndarray, months_since_entry: np.ndarray) -> np.ndarray:
    """True effect on arrears (CZK) for cohort numbers at ``e`` months since entry (0 before entry)."""
    table = np.zeros((max(cal.ARREARS_EFFECT) + 1, 2))
    for number, (size, speed) in cal.ARREARS_EFFECT.items():
        table[number] = (size, speed)
    c = np.clip(cohort, 0, None)
    size, speed = table[c, 0], np.where(table[c, 1] > 0, table[c, 1], 1.0)
    e = np.asarray(months_since_entry, dtype=float)
    return np.where(e >= 0, -size * (1.0 - np.exp(-(e + 1.0) / speed)), 0.0)


def _month_fraction_housed(entry: np.ndarray, leave: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Share of each month (columns) inside each household's [entry, leave] interval (rows)."""
    start = months.astype("datetime64[D]")[None, :]
    end = (months + 1).astype("datetime64[D]")[None, :] - np.timedelta64(1, "D")
    lo = np.maximum(entry[:, None], start)
    hi = np.minimum(leave[:, None], end)
    days = (hi - lo).astype(np.int64) + 1
    return np.clip(days, 0, None) / days_in_month(months)[None, :]


def simulate_outcomes(rng: np.random.Generator, households: pd.DataFrame) -> Outcomes:
    months = outcome_months()
    n, m = len(households), len(months)
    programme = (households["group"] == "programme").to_numpy()
    cohort = households["cohort"].to_numpy().astype(np.int64)
    entry_month = households["entry_date"].to_numpy().astype("datetime64[M]")
    e = (months[None, :] - entry_month[:, None]).astype(np.int64)
    treated = programme[:, None] & (e >= 0)

    # arrears
    level = cal.ARREARS_FLOOR + cal.ARREARS_MEDIAN_ABOVE_FLOOR * np.exp(cal.ARREARS_SIGMA * rng.standard_normal(n))
    level *= np.where(programme, cal.ARREARS_PROGRAMME_LEVEL, 1.0)
    month_no = months.astype(np.int64) % 12
    delta = cal.ARREARS_TREND_PER_MONTH * np.arange(m) + cal.ARREARS_WINTER * (month_no < 3)
    shocks = np.empty((n, m))
    shocks[:, 0] = rng.standard_normal(n) * cal.ARREARS_SHOCK_SD / np.sqrt(1 - cal.ARREARS_AR ** 2)
    innovations = rng.standard_normal((n, m)) * cal.ARREARS_SHOCK_SD
    for t in range(1, m):
        shocks[:, t] = cal.ARREARS_AR * shocks[:, t - 1] + innovations[:, t]
    del innovations
    raw0 = level[:, None] + delta[None, :] + shocks
    del shocks
    raw1 = raw0 + np.where(programme[:, None], arrears_effect(np.repeat(cohort, m), e.ravel()).reshape(n, m), 0.0)
    y0 = np.rint(np.maximum(raw0, 0.0))
    y1 = np.rint(np.maximum(raw1, 0.0))
    clipped = int(((raw1 < 0) & treated).sum() + (raw0 < 0).sum())
    del raw0, raw1

    # shelter nights
    mean_nights = pd.Series(cal.SHELTER_NIGHTS_MEAN).reindex(households["ethos_category"]).to_numpy()
    dim = days_in_month(months)
    nights0 = np.minimum(rng.poisson(mean_nights[:, None] * np.ones((1, m))), dim[None, :])
    leave = households["exit_date"].to_numpy().astype("datetime64[D]")
    leave = np.where(np.isnat(leave), cal.HOUSEHOLD_DATA_END, leave)
    housed = _month_fraction_housed(households["entry_date"].to_numpy().astype("datetime64[D]"), leave, months)
    nights1 = np.rint(nights0 * (1.0 - housed)).astype(np.int64)

    # employment and income
    adults = (households["household_size"] - households["children"]).to_numpy()
    propensity = cal.EMPLOYMENT_LOGIT + rng.standard_normal(n)
    logit0 = propensity[:, None] + 0.3 * rng.standard_normal((n, m))
    logit1 = logit0 + cal.EMPLOYMENT_EFFECT_LOGIT * (e >= cal.EMPLOYMENT_EFFECT_FROM_MONTH)
    u = rng.random((n, m))
    employed0 = np.floor(adults[:, None] / (1 + np.exp(-logit0)) + u).astype(np.int64)
    employed1 = np.floor(adults[:, None] / (1 + np.exp(-logit1)) + u).astype(np.int64)
    del logit0, logit1, u
    minimum = (cal.SUBSISTENCE_MINIMUM["first_adult"] + cal.SUBSISTENCE_MINIMUM["other_adult"] * (adults - 1)
               + cal.SUBSISTENCE_MINIMUM["child"] * households["children"].to_numpy())
    ranges = np.array([cal.INCOME_MULTIPLE_RANGE[b] for b in households["income_band"]])
    multiple = ranges[:, 0] + (ranges[:, 1] - ranges[:, 0]) * rng.random(n)
    benefit_income = (minimum * multiple)[:, None] * np.exp(0.05 * rng.standard_normal((n, m)))

    # children in care
    kind = np.where(programme, households["entry_step"].to_numpy(), "comparison")
    share = pd.Series(cal.CHILDREN_IN_CARE_SHARE).reindex(kind).to_numpy()
    in_care0 = rng.binomial(households["children"].to_numpy(), share)
    returned = rng.binomial(in_care0, cal.CHILD_RETURN_PROBABILITY)
    care0 = np.repeat(in_care0[:, None], m, axis=1)
    care1 = care0 - returned[:, None] * (e >= cal.CHILD_RETURN_FROM_MONTH)

    # which rows exist: missing at random, and none after a death
    keep = rng.random((n, m)) >= cal.OUTCOME_MISSING_SHARE
    died = (households["exit_reason"] == "death").to_numpy()
    death_month = households["exit_date"].to_numpy().astype("datetime64[M]")
    keep &= ~(died[:, None] & (months[None, :] > death_month[:, None]))

    rows, cols = np.nonzero(keep)
    employed = np.where(treated, employed1, employed0)[rows, cols]
    observed = pd.DataFrame({
        "household": rows, "month": months[cols],
        "arrears_czk": np.where(treated, y1, y0)[rows, cols],
        "income_czk": np.rint(benefit_income[rows, cols] + cal.NET_WAGE_CZK * employed),
        "employed_adults": employed,
        "children_in_care": np.where(treated, care1, care0)[rows, cols],
        "shelter_nights": np.where(treated, nights1, nights0)[rows, cols],
    })
    prog_rows = programme[rows]
    r, c = rows[prog_rows], cols[prog_rows]
    small = np.int16  # counts of nights, adults and children fit easily
    potential = pd.DataFrame({
        "household": r, "month": months[c], "cohort": cohort[r].astype(np.int16),
        "months_since_entry": e[r, c].astype(np.int32), "treated": treated[r, c],
        "arrears_czk_0": y0[r, c], "arrears_czk_1": y1[r, c],
        "shelter_nights_0": nights0[r, c].astype(small), "shelter_nights_1": nights1[r, c].astype(small),
        "employed_adults_0": employed0[r, c].astype(small), "employed_adults_1": employed1[r, c].astype(small),
        "children_in_care_0": care0[r, c].astype(small), "children_in_care_1": care1[r, c].astype(small),
    })
    return Outcomes(observed, potential, clipped)
