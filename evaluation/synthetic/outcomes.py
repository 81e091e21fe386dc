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

The household-by-month arrays are simulated :data:`CHUNK_HOUSEHOLDS` households at a time
and written straight into the output columns, so memory stays bounded at national scale
(200,000 households x 72 months); the chunk size is fixed, so the draws depend on the seed only.

Example
-------
>>> import numpy as np
>>> from evaluation.synthetic.households import simulate_population
>>> pop = simulate_population(np.random.default_rng(3), scale=0.2)
>>> out = simulate_outcomes(np.random.default_rng(4), pop.households)
>>> bool(out.observed["arrears_czk"].min() >= 0)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import days_in_month

#: Households simulated together (a fixed number, not derived from the scale, so that the
#: same seed gives the same draws whatever the machine; 8,192 x 72 months is a few MB an array).
CHUNK_HOUSEHOLDS = 8192

#: Columns of :attr:`Outcomes.observed` (besides ``household`` and ``month``) and their types.
OBSERVED = {"arrears_czk": np.float64, "income_czk": np.float64, "employed_adults": np.int64,
            "children_in_care": np.int64, "shelter_nights": np.int64}
_SMALL = np.int16  # counts of nights, adults and children fit easily
#: Columns of :attr:`Outcomes.potential` besides ``household`` and ``month``.
POTENTIAL = {"cohort": np.int16, "months_since_entry": np.int32, "treated": bool,
             "arrears_czk_0": np.float64, "arrears_czk_1": np.float64,
             "shelter_nights_0": _SMALL, "shelter_nights_1": _SMALL,
             "employed_adults_0": _SMALL, "employed_adults_1": _SMALL,
             "children_in_care_0": _SMALL, "children_in_care_1": _SMALL}


@dataclass(frozen=True)
class Outcomes:
    """Observed rows and the potential outcomes of programme rows, as parallel arrays.

    Both hold ``household`` (row of the households frame, int32) and ``month`` (position in
    :func:`outcome_months`, int16) plus the columns of :data:`OBSERVED` or :data:`POTENTIAL`;
    rows are sorted by household and month.
    """
    observed: dict[str, np.ndarray] | None
    potential: dict[str, np.ndarray]
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
    start = months.astype("datetime64[D]").astype(np.int32)[None, :]  # day numbers: int32 is plenty
    end = (months + 1).astype("datetime64[D]").astype(np.int32)[None, :] - 1
    lo = np.maximum(entry.astype(np.int32)[:, None], start)
    hi = np.minimum(leave.astype(np.int32)[:, None], end)
    days = np.clip(hi - lo + 1, 0, None)
    return days.astype(np.float32) / days_in_month(months).astype(np.float32)[None, :]


@dataclass(frozen=True)
class _Households:
    """The per-household inputs and draws every chunk needs (arrays of length n)."""
    programme: np.ndarray
    cohort: np.ndarray
    entry_month: np.ndarray
    entry: np.ndarray
    leave: np.ndarray
    level: np.ndarray
    first_shock: np.ndarray
    mean_nights: np.ndarray
    adults: np.ndarray
    propensity: np.ndarray
    benefit: np.ndarray
    in_care: np.ndarray
    returned: np.ndarray


def _household_draws(rng: np.random.Generator, households: pd.DataFrame) -> _Households:
    n = len(households)
    programme = (households["group"] == "programme").to_numpy()
    # arrears: household level; the AR(1) shocks start from their stationary distribution
    level = cal.ARREARS_FLOOR + cal.ARREARS_MEDIAN_ABOVE_FLOOR * np.exp(cal.ARREARS_SIGMA * rng.standard_normal(n))
    # drawn from a programme's population: its households, and the Brno trial's control families
    selected = (households["kind"] != "comparison").to_numpy()
    level *= np.where(selected, cal.ARREARS_PROGRAMME_LEVEL, 1.0)
    first_shock = rng.standard_normal(n) * cal.ARREARS_SHOCK_SD / np.sqrt(1 - cal.ARREARS_AR ** 2)
    # employment propensity and benefit income (a multiple of the subsistence minimum)
    adults = (households["household_size"] - households["children"]).to_numpy()
    propensity = cal.EMPLOYMENT_LOGIT + rng.standard_normal(n)
    minimum = (cal.SUBSISTENCE_MINIMUM["first_adult"] + cal.SUBSISTENCE_MINIMUM["other_adult"] * (adults - 1)
               + cal.SUBSISTENCE_MINIMUM["child"] * households["children"].to_numpy())
    band = pd.Index(list(cal.INCOME_MULTIPLE_RANGE)).get_indexer(households["income_band"].to_numpy())
    if (band < 0).any():  # a generator bug: every household is drawn with a known band
        raise ValueError("synthetic households: an income band without a multiple range in calibration")
    ranges = np.array(list(cal.INCOME_MULTIPLE_RANGE.values()))[band]
    multiple = ranges[:, 0] + (ranges[:, 1] - ranges[:, 0]) * rng.random(n)
    # children in care at the start; some return home under the programme
    share = pd.Series(cal.CHILDREN_IN_CARE_SHARE).reindex(households["kind"].to_numpy()).to_numpy()
    in_care = rng.binomial(households["children"].to_numpy(), share).astype(np.int16)
    returned = rng.binomial(in_care, cal.CHILD_RETURN_PROBABILITY).astype(np.int16)
    leave = households["exit_date"].to_numpy().astype("datetime64[D]")
    return _Households(
        programme=programme, cohort=households["cohort"].to_numpy().astype(np.int64),
        entry_month=households["entry_date"].to_numpy().astype("datetime64[M]"),
        entry=households["entry_date"].to_numpy().astype("datetime64[D]"),
        leave=np.where(np.isnat(leave), cal.HOUSEHOLD_DATA_END, leave), level=level, first_shock=first_shock,
        mean_nights=pd.Series(cal.SHELTER_NIGHTS_MEAN).reindex(households["ethos_category"]).to_numpy(),
        adults=adults, propensity=propensity, benefit=minimum * multiple, in_care=in_care, returned=returned)


def _rows_kept(rng: np.random.Generator, households: pd.DataFrame, months: np.ndarray) -> np.ndarray:
    """Which household-months exist: missing at random, and none after a death (n x m booleans)."""
    n, m = len(households), len(months)
    keep = np.empty((n, m), dtype=bool)
    for a in range(0, n, CHUNK_HOUSEHOLDS):
        b = min(a + CHUNK_HOUSEHOLDS, n)
        keep[a:b] = rng.random((b - a, m), dtype=np.float32) >= cal.OUTCOME_MISSING_SHARE
    died = (households["exit_reason"] == "death").to_numpy()
    death_month = households["exit_date"].to_numpy().astype("datetime64[M]")
    keep &= ~(died[:, None] & (months[None, :] > death_month[:, None]))
    return keep


def _chunk(rng: np.random.Generator, h: _Households, sl: slice, months: np.ndarray
           ) -> tuple[dict[str, np.ndarray], int]:
    """Both potential outcomes of households ``sl`` in every month (chunk x m arrays) and the
    number of cells floored at 0 CZK."""
    programme = h.programme[sl]
    c, m = len(programme), len(months)
    e = (months[None, :] - h.entry_month[sl, None]).astype(np.int32)
    treated = programme[:, None] & (e >= 0)

    # arrears: Y(0) = alpha_i + delta_t + AR(1) shock; Y(1) = Y(0) + tau_c(e); floored at 0
    # (float32 throughout: whole CZK below 16 million are exact, and it halves the memory traffic)
    month_no = months.astype(np.int64) % 12
    delta = cal.ARREARS_TREND_PER_MONTH * np.arange(m) + cal.ARREARS_WINTER * (month_no < 3)
    raw0 = np.empty((c, m), dtype=np.float32)  # the AR(1) shocks first
    raw0[:, 0] = h.first_shock[sl]
    innovations = rng.standard_normal((c, m), dtype=np.float32) * np.float32(cal.ARREARS_SHOCK_SD)
    for t in range(1, m):
        raw0[:, t] = np.float32(cal.ARREARS_AR) * raw0[:, t - 1] + innovations[:, t]
    del innovations
    raw0 += h.level[sl, None].astype(np.float32) + delta[None, :].astype(np.float32)
    # tau_c(e) looked up from a (cohort, e) table: e is within [-m, m] for programme households
    effects = arrears_effect(np.arange(max(cal.ARREARS_EFFECT) + 1)[:, None], np.arange(-m, m + 1)[None, :])
    effect = effects.astype(np.float32)[np.clip(h.cohort[sl], 0, None)[:, None], np.clip(e, -m, m) + m]
    raw1 = raw0 + np.where(programme[:, None], effect, np.float32(0.0))
    clipped = int(((raw1 < 0) & treated).sum() + (raw0 < 0).sum())

    # shelter nights: Poisson by ETHOS without the programme, only the months' unhoused part with it
    dim = days_in_month(months)
    nights0 = np.minimum(rng.poisson(np.broadcast_to(h.mean_nights[sl, None], (c, m))), dim[None, :]).astype(np.int16)
    housed = _month_fraction_housed(h.entry[sl], h.leave[sl], months)
    nights1 = np.rint(nights0 * (1.0 - housed))

    # employed adults: a logit with household propensity; the programme adds from month 6
    logit0 = h.propensity[sl, None].astype(np.float32) + np.float32(0.3) * rng.standard_normal((c, m), dtype=np.float32)
    logit1 = logit0 + np.float32(cal.EMPLOYMENT_EFFECT_LOGIT) * (e >= cal.EMPLOYMENT_EFFECT_FROM_MONTH)
    u = rng.random((c, m), dtype=np.float32)
    adults = h.adults[sl, None].astype(np.float32)
    employed0 = np.floor(adults / (1 + np.exp(-logit0)) + u)
    employed1 = np.floor(adults / (1 + np.exp(-logit1)) + u)
    income_noise = np.exp(np.float32(0.05) * rng.standard_normal((c, m), dtype=np.float32))

    care0 = np.broadcast_to(h.in_care[sl, None], (c, m))
    care1 = care0 - h.returned[sl, None] * (e >= cal.CHILD_RETURN_FROM_MONTH)
    cells = {"e": e, "treated": treated, "cohort": h.cohort[sl],
             "y0": np.rint(np.maximum(raw0, 0.0)), "y1": np.rint(np.maximum(raw1, 0.0)),
             "nights0": nights0, "nights1": nights1, "employed0": employed0, "employed1": employed1,
             "benefit": h.benefit[sl, None] * income_noise, "care0": care0, "care1": care1}
    return cells, clipped


def _allocate(size: int, columns: dict[str, type]) -> dict[str, np.ndarray]:
    out = {"household": np.empty(size, dtype=np.int32), "month": np.empty(size, dtype=np.int16)}
    out.update({name: np.empty(size, dtype=t) for name, t in columns.items()})
    return out


#: Potential outcomes and the key of their cells in :func:`_chunk`.
_PAIRS = (("arrears_czk", "y"), ("shelter_nights", "nights"), ("employed_adults", "employed"),
          ("children_in_care", "care"))


def _store(out: dict[str, np.ndarray], rows: slice, cells: dict[str, np.ndarray], present: np.ndarray,
           first: int, *, observed: bool) -> None:
    """Write the ``present`` cells of one chunk (households ``first``...) into ``out[rows]``."""
    household, month = np.nonzero(present)
    out["household"][rows] = household + first
    out["month"][rows] = month
    treated = cells["treated"][present]
    if observed:  # the potential outcome of each row's treatment state
        values = {name: np.where(treated, cells[f"{key}1"][present], cells[f"{key}0"][present])
                  for name, key in _PAIRS}
        for name, value in values.items():
            out[name][rows] = value
        out["income_czk"][rows] = np.rint(cells["benefit"][present].astype(np.float64)
                                          + cal.NET_WAGE_CZK * values["employed_adults"])
        return
    out["cohort"][rows] = cells["cohort"][household]
    out["months_since_entry"][rows] = cells["e"][present]
    out["treated"][rows] = treated
    for name, key in _PAIRS:
        out[f"{name}_0"][rows] = cells[f"{key}0"][present]
        out[f"{name}_1"][rows] = cells[f"{key}1"][present]


def simulate_outcomes(rng: np.random.Generator, households: pd.DataFrame) -> Outcomes:
    """Both potential outcomes of every household-month and the rows present in the table."""
    months = outcome_months()
    n = len(households)
    h = _household_draws(rng, households)
    keep = _rows_kept(rng, households, months)
    # rows of each household in the outputs, so that every chunk writes straight into them
    per_household = keep.sum(axis=1)
    observed_end = np.concatenate([[0], np.cumsum(per_household)])
    potential_end = np.concatenate([[0], np.cumsum(np.where(h.programme, per_household, 0))])
    observed = _allocate(int(observed_end[-1]), OBSERVED)
    potential = _allocate(int(potential_end[-1]), POTENTIAL)
    clipped = 0
    for a in range(0, n, CHUNK_HOUSEHOLDS):
        b = min(a + CHUNK_HOUSEHOLDS, n)
        cells, clipped_here = _chunk(rng, h, slice(a, b), months)
        clipped += clipped_here
        kept = keep[a:b]
        _store(observed, slice(observed_end[a], observed_end[b]), cells, kept, a, observed=True)
        _store(potential, slice(potential_end[a], potential_end[b]), cells, kept & h.programme[a:b, None], a,
               observed=False)
    return Outcomes(observed, potential, clipped)
