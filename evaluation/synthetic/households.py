"""Programme and comparison households with their careers: the households and tenancies tables.

The pilot structure of :mod:`calibration` is filled cohort by cohort. Social and affordable
housing have a fixed number of places (50 each at scale 1); households moving up from the
step below take some of them and direct-entry cohorts fill the rest, so direct cohorts are
drawn after the careers of the step below are known. Every household in a step gets its own
flat (one flat per place), so no flat is ever let twice at the same time.

Example
-------
>>> import numpy as np
>>> pop = simulate_population(np.random.default_rng(3), scale=0.2)
>>> sorted(pop.households["group"].unique())
['comparison', 'programme']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import choose
from evaluation.synthetic.careers import simulate_careers


@dataclass(frozen=True)
class Population:
    """Households (internal columns, one row each) and their spells (``household`` = row)."""
    households: pd.DataFrame
    spells: pd.DataFrame


def scaled(count: int, scale: float) -> int:
    """A count at ``scale``: at least one household so that every cohort exists."""
    return max(1, round(count * scale))


def negative_exit_hazard(ethos: np.ndarray, income: np.ndarray, children: np.ndarray,
                         programme: np.ndarray) -> np.ndarray:
    """Monthly hazard of a negative exit given the covariates (the data-generating process)."""
    base = pd.Series(cal.NEGATIVE_EXIT_HAZARD).reindex(ethos).to_numpy()
    income_multiplier = pd.Series(cal.INCOME_HAZARD_MULTIPLIER).reindex(income).to_numpy()
    hazard = base * income_multiplier * np.where(children > 0, cal.CHILDREN_HAZARD_MULTIPLIER, 1.0)
    return hazard * np.where(programme, cal.HAZARD_RATIO_PROGRAMME, 1.0)


def _composition(rng: np.random.Generator, kind: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    family = rng.random(n) < cal.P_FAMILY[kind]
    children = np.where(family, 1 + rng.poisson(cal.MEAN_EXTRA_CHILDREN, n), 0)
    adults = 1 + (rng.random(n) < cal.P_SECOND_ADULT[kind])
    return adults + children, children


def _draw_households(rng: np.random.Generator, municipality: str, kind: str, n: int,
                     ethos_shares: tuple[float, ...]) -> dict[str, np.ndarray]:
    """Covariates at entry for ``n`` households of one kind (entry step or 'comparison')."""
    size, children = _composition(rng, kind, n)
    return {
        "municipality": np.full(n, municipality, dtype=object),
        "district": choose(rng, cal.DISTRICTS[municipality], [1.0] * len(cal.DISTRICTS[municipality]), n),
        "household_size": size, "children": children,
        "ethos_category": choose(rng, cal.ETHOS_CODES, ethos_shares, n),
        "income_band": choose(rng, cal.INCOME_CODES, cal.INCOME_SHARES[kind], n),
        "referral_source": choose(rng, cal.REFERRAL_SOURCES, cal.REFERRAL_SHARES[kind], n),
        "kind": np.full(n, kind, dtype=object),
    }


def _entry_dates(rng: np.random.Generator, month: str, n: int) -> np.ndarray:
    first = np.datetime64(month, "M")
    days = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    return first.astype("datetime64[D]") + rng.integers(0, days, n).astype("timedelta64[D]")


class _Builder:
    """Accumulates batches of households and their spells in a fixed order (determinism)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.batches: list[pd.DataFrame] = []
        self.spells: list[pd.DataFrame] = []
        self.count = 0

    def add(self, columns: dict[str, np.ndarray], entry: np.ndarray, entry_step: np.ndarray,
            programme: bool) -> pd.DataFrame:
        n = len(entry)
        hazard = negative_exit_hazard(columns["ethos_category"], columns["income_band"],
                                      columns["children"], np.full(n, programme))
        careers = simulate_careers(self.rng, entry, entry_step, hazard, cal.HOUSEHOLD_DATA_END)
        batch = pd.DataFrame(columns)
        batch["entry_date"] = entry
        batch["negative_hazard"] = hazard
        batch["exit_date"] = careers.exit_date
        batch["exit_reason"] = careers.exit_reason
        batch["negative_exit"] = careers.negative
        batch.index = np.arange(self.count, self.count + n)
        spells = careers.spells.copy()
        spells["household"] += self.count
        self.count += n
        self.batches.append(batch)
        self.spells.append(spells)
        return spells


def _programme_cohort(builder: _Builder, cohort: cal.Cohort, n: int) -> pd.DataFrame:
    rng = builder.rng
    columns = _draw_households(rng, cohort.municipality, cohort.step, n, cal.ETHOS_SHARES[cohort.step])
    entry = _entry_dates(rng, cohort.entry_month, n)
    wait = rng.gamma(2.0, cal.REFERRAL_TO_MOVE_IN_DAYS[cohort.step] / 2.0, n)
    columns.update({
        "group": np.full(n, "programme", dtype=object),
        "programme": np.full(n, cohort.programme, dtype=object),
        "cohort": np.full(n, cohort.number),
        "referral_date": entry - np.rint(wait).astype("timedelta64[D]"),
        "entry_step": np.full(n, cohort.step, dtype=object),
    })
    return builder.add(columns, entry, np.full(n, cohort.step, dtype=object), programme=True)


def _randomisation_dates(rng: np.random.Generator, cohorts: list[cal.Cohort], n: int) -> np.ndarray:
    """Dates on which trial control families were randomised: drawn as the treated families'
    referral (= randomisation) dates are, the move-in month of a cohort (in proportion to its
    size) less the wait for a flat, so that the date says nothing about the arm."""
    sizes = np.array([c.size for c in cohorts], dtype=float)
    which = rng.choice(len(cohorts), size=n, p=sizes / sizes.sum())
    entry = np.empty(n, dtype="datetime64[D]")
    for k, cohort in enumerate(cohorts):
        rows = np.flatnonzero(which == k)
        entry[rows] = _entry_dates(rng, cohort.entry_month, len(rows))
    wait = rng.gamma(2.0, cal.REFERRAL_TO_MOVE_IN_DAYS["housing_first"] / 2.0, n)
    return entry - np.rint(wait).astype("timedelta64[D]")


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def simulate_population(rng: np.random.Generator, scale: float) -> Population:
    """All households of the synthetic pilots and their tenancy spells."""
    builder = _Builder(rng)
    by_step = {s: [c for c in cal.PILOT_COHORTS if c.step == s] for s in
               ("crisis", "social", "affordable", "housing_first")}
    entered: dict[str, int] = {"social": 0, "affordable": 0}
    for step in ("crisis", "social", "affordable"):
        cohorts = by_step[step]
        if cohorts[0].size is None:  # direct entrants fill the places left by movers-up
            places = scaled(cal.UNITS[("Ostrava", step)], scale)
            sizes = _split(max(len(cohorts), places - entered[step]), len(cohorts))
        else:
            sizes = [scaled(c.size, scale) for c in cohorts]
        for cohort, n in zip(cohorts, sizes):
            spells = _programme_cohort(builder, cohort, n)
            for later in ("social", "affordable"):
                entered[later] += int((spells["step"] == later).sum())
    for cohort in by_step["housing_first"]:
        _programme_cohort(builder, cohort, scaled(cohort.size, scale))
    for municipality, count in cal.COMPARISON.items():
        n = scaled(count, scale)
        population = cal.COMPARISON_POPULATION[municipality]
        columns = _draw_households(rng, municipality, population, n, cal.ETHOS_SHARES_COMPARISON[municipality])
        if municipality == cal.TRIAL_MUNICIPALITY:
            registered = _randomisation_dates(rng, by_step["housing_first"], n)
        else:
            lo, hi = (np.datetime64(d, "D") for d in cal.COMPARISON_REGISTRATION[municipality])
            registered = lo + rng.integers(0, (hi - lo).astype(int) + 1, n).astype("timedelta64[D]")
        columns.update({
            "group": np.full(n, "comparison", dtype=object), "programme": np.full(n, "none", dtype=object),
            "cohort": np.full(n, -1), "referral_date": registered,
            "entry_step": np.full(n, None, dtype=object),
        })
        builder.add(columns, registered, np.full(n, "standard", dtype=object), programme=False)
    households = pd.concat(builder.batches)
    spells = pd.concat(builder.spells, ignore_index=True)
    return Population(households, spells)


def entry_kind(households: pd.DataFrame) -> np.ndarray:
    """'crisis', 'social', 'affordable', 'housing_first' or 'comparison' for every household."""
    return np.where(households["group"].to_numpy() == "comparison", "comparison",
                    households["entry_step"].to_numpy()).astype(object)


__all__ = ["Population", "entry_kind", "negative_exit_hazard", "scaled", "simulate_population"]
