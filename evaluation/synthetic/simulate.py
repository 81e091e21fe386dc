"""Simulate every table of the data contract with its truth, in memory.

One ``numpy.random.SeedSequence(seed)`` is split into one independent stream per part
(households, flats, ledgers, contacts, outcomes, contact points, panel, missing values), so
the same seed gives the same data, and changing one part does not reshuffle the others.

Example
-------
>>> data = simulate(seed=2019, scale=0.2)
>>> sorted(data.tables)[:3]
['applications', 'costs', 'household_outcomes']
>>> data.truth.parameters["hazard_ratio_negative_exit"]
0.3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.data.dataset import Dataset
from evaluation.errors import ConfigError
from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import add_months, frame, make_ids
from evaluation.synthetic.contact_points import simulate_applications
from evaluation.synthetic.costs import programme_costs
from evaluation.synthetic.households import Population, entry_kind, simulate_population
from evaluation.synthetic.housing import allocate_units, rent_ledger, support_contacts
from evaluation.synthetic.outcomes import (
    OBSERVED,
    POTENTIAL,
    Outcomes,
    arrears_effect,
    outcome_months,
    simulate_outcomes,
)
from evaluation.synthetic.panel import arrears_rate_effect, evictions_effect, simulate_panel
from evaluation.synthetic.trial import TrialDraw, simulate_trial
from evaluation.synthetic.truth import Truth, aggregate_att, aggregates_frame

# New parts append a stream at the end: SeedSequence.spawn keys children by position, so the
# streams before it (and all data they draw) stay as they were.
_STREAMS = ("households", "order", "units", "ledger", "contacts", "outcomes", "applications", "panel", "gaps",
            "trial")
#: Largest scale accepted (about 4.5 million households); beyond it memory runs out.
MAX_SCALE = 10_000.0


@dataclass(frozen=True)
class SyntheticData:
    """Synthetic tables following the Dataset conventions, their truth and the potential outcomes.

    ``potential_outcomes["household_outcomes"]`` has one row per household-month of programme
    households present in household_outcomes (for comparison households the observed values
    are the untreated outcomes); ``potential_outcomes["municipality_panel"]`` one row per
    municipality and year.
    """
    tables: Mapping[str, pd.DataFrame]
    truth: Truth
    potential_outcomes: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    seed: int = 2019
    scale: float = 1.0
    national: bool = False  # the national roll-out of contact points (evaluation.synthetic.national)

    @property
    def study_period(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        start, end = self.truth.study_period
        return pd.Timestamp(start), pd.Timestamp(end)

    def to_dataset(self) -> Dataset:
        """The tables as a :class:`~evaluation.data.dataset.Dataset` (no validation run)."""
        kind = "national synthetic data" if self.national else "synthetic data"
        return Dataset.from_frames(dict(self.tables), study_period=self.study_period,
                                   source=f"{kind} (seed {self.seed}, scale {self.scale:g})",
                                   metadata={"synthetic": True, "seed": self.seed, "scale": self.scale,
                                             "national": self.national})


def _check_arguments(seed: int, scale: float) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ConfigError(f"synthetic data: the seed must be a whole number >= 0, not {seed!r}")
    if not isinstance(scale, (int, float, np.number)) or not np.isfinite(scale) or not 0 < scale <= MAX_SCALE:
        raise ConfigError(f"synthetic data: the scale must be a number above 0 and at most {MAX_SCALE:g}, "
                          f"not {scale!r}")


def _shuffle(rng: np.random.Generator, population: Population) -> Population:
    """Put households in a random order so that identifiers say nothing about group or cohort."""
    n = len(population.households)
    perm = rng.permutation(n)
    households = population.households.iloc[perm].reset_index(drop=True)
    new_position = np.empty(n, dtype=np.int64)
    new_position[perm] = np.arange(n)
    spells = population.spells.assign(household=new_position[population.spells["household"].to_numpy()])
    spells = spells.sort_values(["household", "start_date"], kind="stable").reset_index(drop=True)
    return Population(households, spells)


def _arrays(table: pd.DataFrame) -> dict[str, object]:
    """The columns of an internal frame as arrays: Categoricals and nullable arrays as they are
    (turning them into object arrays would cost seconds at national scale), others as NumPy."""
    return {c: table[c].array if isinstance(table[c].dtype, pd.api.extensions.ExtensionDtype) else table[c].to_numpy()
            for c in table.columns}


def _blank(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.astype(object).copy()
    out[rng.random(len(out)) < share] = None
    return out


#: Order of the tables in :attr:`SyntheticData.tables` (the data contract's order).
_TABLE_ORDER = ("households", "units", "tenancies", "support_contacts", "rent_ledger", "household_outcomes",
                "applications", "costs", "municipality_panel", "assignment")


def simulate(*, seed: int = 2019, scale: float = 1.0, national: bool = False) -> SyntheticData:
    """Simulate the synthetic pilots: every table of the data contract but the national panel, plus
    the truth; with ``national=True`` the national roll-out of contact points instead
    (:func:`evaluation.synthetic.national.simulate_national`).

    ``scale`` multiplies the programme and comparison households and the contact-point
    applications (the pilot structure stays); about 435 gives 200,000 households.

    >>> simulate(seed=1, scale=0.2).tables["tenancies"]["step"].dtype.name
    'category'
    """
    if national:
        from evaluation.synthetic.national import simulate_national

        return simulate_national(seed=seed, scale=scale)
    _check_arguments(seed, scale)
    scale = float(scale)
    streams = dict(zip(_STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS)))))
    population = _shuffle(streams["order"], simulate_population(streams["households"], scale))
    hh, spells = population.households, population.spells
    n = len(hh)
    household_id = make_ids("H", n, width=max(6, len(str(n))))
    tenancy_id = make_ids("T", len(spells), width=7)
    # Each part has its own random stream, so the order below changes no draw. It builds one
    # table at a time and drops its intermediates at once: at national scale the tables alone
    # take about 2 GiB, and holding the intermediates as well would double that.
    tables: dict[str, pd.DataFrame] = {}
    panel, panel_potential = simulate_panel(streams["panel"])
    tables["municipality_panel"] = frame("municipality_panel", {
        c: (pd.array(panel[c], dtype="Int64") if c == "pilot_start_period" else panel[c].to_numpy())
        for c in panel.columns})
    applications, point_truth = simulate_applications(streams["applications"], scale)
    units, unit_of_spell = allocate_units(streams["units"], population, scale)
    costs = programme_costs(population, units, unit_of_spell, applications, scale)
    tables["costs"] = frame("costs", {**{c: costs[c].to_numpy() for c in ("municipality", "cost_centre", "item", "amount_czk")},
                                      "month": costs["month"].to_numpy().astype("datetime64[M]").astype("datetime64[D]")})
    tables["applications"] = frame("applications", _arrays(applications))
    del applications, costs
    tables["households"] = _households_table(streams["gaps"], hh, household_id)
    unit_ids = units["unit_id"].to_numpy()
    tables["tenancies"] = frame("tenancies", {
        "tenancy_id": tenancy_id, "household_id": household_id[spells["household"].to_numpy()],
        "unit_id": np.where(unit_of_spell >= 0, unit_ids[np.maximum(unit_of_spell, 0)], None),
        "step": spells["step"].to_numpy(), "start_date": spells["start_date"].to_numpy(),
        "end_date": spells["end_date"].to_numpy(), "exit_reason": spells["exit_reason"].to_numpy(),
    })
    tables["units"] = frame("units", _arrays(units))

    outcomes = simulate_outcomes(streams["outcomes"], hh)
    tables["household_outcomes"], potential = _outcome_tables(outcomes, household_id)
    outcomes = Outcomes(None, outcomes.potential, outcomes.clipped_cells)  # free the long intermediate
    trial = simulate_trial(streams["trial"], hh, household_id, tables["household_outcomes"],
                           potential["household_outcomes"])
    tables["assignment"] = frame("assignment", trial.columns)
    truth = _truth(seed, scale, population, outcomes, panel_potential, point_truth, trial)
    potential["municipality_panel"] = panel_potential
    del outcomes

    ledger = rent_ledger(streams["ledger"], population, units, unit_of_spell)
    tables["rent_ledger"] = frame("rent_ledger", {
        "tenancy_id": tenancy_id[ledger.pop("spell")], "household_id": household_id[ledger.pop("household")],
        "month": ledger.pop("month").astype("datetime64[D]"), **ledger})
    del ledger
    contacts = support_contacts(streams["contacts"], population)
    n_contacts = len(contacts["household"])
    tables["support_contacts"] = frame("support_contacts", {
        "contact_id": make_ids("C", n_contacts, width=max(8, len(str(n_contacts)))),
        "household_id": household_id[contacts.pop("household")], **contacts})
    del contacts
    return SyntheticData(tables={name: tables[name] for name in _TABLE_ORDER}, truth=truth,
                         potential_outcomes=potential, seed=int(seed), scale=scale)


def _households_table(gaps: np.random.Generator, hh: pd.DataFrame, household_id: np.ndarray) -> pd.DataFrame:
    return frame("households", {
        "household_id": household_id, "municipality": hh["municipality"].to_numpy(),
        "district": hh["district"].to_numpy(), "household_size": hh["household_size"].to_numpy(),
        "children": hh["children"].to_numpy(),
        "income_band": _blank(gaps, hh["income_band"].to_numpy(), 0.03),
        "ethos_category": hh["ethos_category"].to_numpy(),
        "referral_source": _blank(gaps, hh["referral_source"].to_numpy(), 0.02),
        "referral_date": hh["referral_date"].to_numpy(), "group": hh["group"].to_numpy(),
        "programme": hh["programme"].to_numpy(),
        "cohort": np.where(hh["cohort"].to_numpy() > 0, hh["cohort"].to_numpy(), np.nan),
    })


def _outcome_tables(outcomes: Outcomes, household_id: np.ndarray) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The household_outcomes table and the potential outcomes frame, from the outcome arrays."""
    months = outcome_months().astype("datetime64[ns]")  # looked up by position (casting each row is slow)
    observed, po = outcomes.observed, outcomes.potential
    table = frame("household_outcomes", {
        "household_id": household_id[observed["household"]], "month": months[observed["month"]],
        **{c: observed[c] for c in OBSERVED}})
    potential = pd.DataFrame({"household_id": household_id[po["household"]], "month": months[po["month"]],
                              **{c: po[c] for c in POTENTIAL}}, copy=False)
    return table, {"household_outcomes": potential}


# ---------------------------------------------------------------------------------------
# the truth
# ---------------------------------------------------------------------------------------
def _cohort_table(households: pd.DataFrame) -> pd.DataFrame:
    sizes = households.loc[households["group"] == "programme"].groupby("cohort").size()
    rows = []
    for c in cal.PILOT_COHORTS:
        size, speed = cal.ARREARS_EFFECT[c.number]
        rows.append({"cohort": c.number, "municipality": c.municipality, "programme": c.programme,
                     "step": c.step, "group": f"{c.entry_month}-01", "households": int(sizes.get(c.number, 0)),
                     "arrears_effect_size_czk": size, "arrears_effect_months": speed})
    return pd.DataFrame(rows)


def _household_att(outcomes: Outcomes, cohorts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    po = outcomes.potential
    post = po["treated"]
    cohort = po["cohort"][post].astype(np.int64)
    e = po["months_since_entry"][post].astype(np.int64)
    # one cell per (cohort, event time): sums by integer key (Y(1) - Y(0) are whole CZK, so exact)
    width = int(e.max()) + 1 if len(e) else 1
    key = cohort * width + e
    size = (int(cohort.max()) + 1) * width if len(e) else 0
    n = np.bincount(key, minlength=size)
    total = np.bincount(key, weights=po["arrears_czk_1"][post] - po["arrears_czk_0"][post], minlength=size)
    period = np.zeros(size, dtype=np.int64)
    period[key] = po["month"][post]  # the same calendar month for every household of a cell
    cells = np.flatnonzero(n)
    group_of = dict(zip(cohorts["cohort"], cohorts["group"]))
    att = pd.DataFrame({
        "cohort": cells // width, "group": pd.Series(cells // width).map(group_of),
        "period": outcome_months()[period[cells]].astype("datetime64[D]").astype(str).astype(object),
        "event_time": cells % width,
        "dgp": arrears_effect(cells // width, cells % width),
        "sample": total[cells] / n[cells], "n": n[cells]})
    # did::att_gt sees one group per entry month, so cohorts that enter in the same month (Ostrava
    # crisis cohort 1 and a Brno cohort both in 2016-09) form one ATT(g,t) cell, weighted by households.
    weighted = att.assign(dgp=att["dgp"] * att["n"], sample=att["sample"] * att["n"])
    pooled = weighted.groupby(["group", "period"], sort=True, as_index=False).agg(
        dgp=("dgp", "sum"), sample=("sample", "sum"), n=("n", "sum"), event_time=("event_time", "first"))
    pooled["dgp"] /= pooled["n"]
    pooled["sample"] /= pooled["n"]
    sizes = cohorts.groupby("group")["households"].sum().to_dict()
    agg = {f"arrears_czk:{version}": aggregate_att(pooled, sizes, value=version, event_time="event_time")
           for version in ("dgp", "sample")}
    return att, aggregates_frame(agg)


def _panel_att(potential: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    treated_groups = potential.dropna(subset=["group"])
    per_1000 = 1000.0 / treated_groups["population"]
    frame_ = pd.DataFrame({
        "group": treated_groups["group"].astype(int), "period": treated_groups["period"].astype(int),
        "arrears_rate": treated_groups["arrears_rate_1"] - treated_groups["arrears_rate_0"],
        "evictions_per_1000": (treated_groups["evictions_1"] - treated_groups["evictions_0"]) * per_1000,
    })
    cells = frame_.groupby(["group", "period"], sort=True).mean().reset_index()
    g, t = cells["group"].to_numpy(), cells["period"].to_numpy()
    rows = []
    for outcome, dgp in (("arrears_rate", arrears_rate_effect(g.astype(float), t)),
                         ("evictions_per_1000", evictions_effect(g.astype(float), t)),
                         ("households_in_need_per_1000", np.zeros(len(cells)))):
        sample = cells[outcome] if outcome in cells else np.zeros(len(cells))
        rows.append(pd.DataFrame({"outcome": outcome, "group": g, "period": t, "event_time": t - g,
                                  "dgp": dgp, "sample": np.asarray(sample, dtype=float)}))
    att = pd.concat(rows, ignore_index=True)
    sizes = treated_groups.groupby("group")["municipality"].nunique()
    sizes.index = sizes.index.astype(int)
    agg = {}
    for outcome, cells_ in att[att["event_time"] >= 0].groupby("outcome", sort=False):
        for version in ("dgp", "sample"):
            agg[f"{outcome}:{version}"] = aggregate_att(cells_, sizes.to_dict(), value=version)
    return att, aggregates_frame(agg)


def _retention(households: pd.DataFrame) -> pd.DataFrame:
    kind = entry_kind(households)
    entry = households["entry_date"].to_numpy().astype("datetime64[D]")
    exit_date = households["exit_date"].to_numpy().astype("datetime64[D]")
    hazard = households["negative_hazard"].to_numpy()
    rows = []
    for months in (6, 12, 20):
        horizon = add_months(entry, float(months))
        followed = (horizon <= cal.HOUSEHOLD_DATA_END) | (~np.isnat(exit_date) & (exit_date <= horizon))
        housed = np.isnat(exit_date) | (exit_date > horizon)
        for k in ("crisis", "social", "affordable", "housing_first", "comparison"):
            rows_k = kind == k
            f = rows_k & followed
            rows.append({"entry_step": k, "months": months, "n_households": int(rows_k.sum()),
                         "dgp": float(np.exp(-(hazard[rows_k] + cal.OTHER_EXIT_HAZARD) * months).mean()),
                         "dgp_negative_only": float(np.exp(-hazard[rows_k] * months).mean()),
                         "sample": float(housed[f].mean()) if f.any() else np.nan, "n": int(f.sum())})
    programme = kind != "comparison"
    for months in (6, 12, 20):
        horizon = add_months(entry, float(months))
        followed = (horizon <= cal.HOUSEHOLD_DATA_END) | (~np.isnat(exit_date) & (exit_date <= horizon))
        housed = np.isnat(exit_date) | (exit_date > horizon)
        f = programme & followed
        rows.append({"entry_step": "programme", "months": months, "n_households": int(programme.sum()),
                     "dgp": float(np.exp(-(hazard[programme] + cal.OTHER_EXIT_HAZARD) * months).mean()),
                     "dgp_negative_only": float(np.exp(-hazard[programme] * months).mean()),
                     "sample": float(housed[f].mean()), "n": int(f.sum())})
    return pd.DataFrame(rows)


def _event_rates(households: pd.DataFrame) -> dict[str, Any]:
    """Negative exits per household-month by group (the crude sample rates)."""
    entry = households["entry_date"].to_numpy().astype("datetime64[D]")
    exit_date = households["exit_date"].to_numpy().astype("datetime64[D]")
    stop = np.where(np.isnat(exit_date), cal.HOUSEHOLD_DATA_END, exit_date)
    months = (stop - entry).astype(np.int64) / cal.DAYS_PER_MONTH
    out = {}
    for group in ("programme", "comparison"):
        rows = (households["group"] == group).to_numpy()
        events = int(households["negative_exit"].to_numpy()[rows].sum())
        out[group] = {"negative_exits": events, "household_months": float(months[rows].sum()),
                      "rate_per_month": events / float(months[rows].sum())}
    out["crude_rate_ratio"] = out["programme"]["rate_per_month"] / out["comparison"]["rate_per_month"]
    return out


def _secondary_effects(outcomes: Outcomes) -> dict[str, float]:
    po = outcomes.potential
    post = po["treated"]
    return {name: float((po[f"{name}_1"][post].astype(np.int64) - po[f"{name}_0"][post]).mean())
            for name in ("shelter_nights", "employed_adults", "children_in_care")}


def _truth(seed: int, scale: float, population: Population, outcomes: Outcomes, panel_potential: pd.DataFrame,
           point_truth: pd.DataFrame, trial: TrialDraw) -> Truth:
    hh = population.households
    cohorts = _cohort_table(hh)
    household_att, household_agg = _household_att(outcomes, cohorts)
    panel_att, panel_agg = _panel_att(panel_potential)
    parameters = {
        "hazard_ratio_negative_exit": cal.HAZARD_RATIO_PROGRAMME,
        "log_hazard_ratio_negative_exit": float(np.log(cal.HAZARD_RATIO_PROGRAMME)),
        "hazard_model": ("monthly hazard of a negative exit = base[ethos_category] * income[income_band] * "
                         "children_multiplier^(children > 0) * hazard_ratio^(group == programme), constant in time "
                         "from entry (comparison: from registration on the waiting list)"),
        "negative_exit_base_hazard_per_month": dict(cal.NEGATIVE_EXIT_HAZARD),
        "income_hazard_multiplier": dict(cal.INCOME_HAZARD_MULTIPLIER),
        "children_hazard_multiplier": cal.CHILDREN_HAZARD_MULTIPLIER,
        "other_exit_hazard_per_month": cal.OTHER_EXIT_HAZARD,
        "negative_exit_reasons": ["eviction", "abandonment"],
        "sample_negative_exit_rates": _event_rates(hh),
        "arrears_effect": "tau_c(e) = -A_c * (1 - exp(-(e + 1) / k_c)) for e >= 0 months since entry (see cohorts)",
        "arrears_clipped_cells": outcomes.clipped_cells,
        "secondary_effects_sample_att": _secondary_effects(outcomes),
        "employment_effect_logit": cal.EMPLOYMENT_EFFECT_LOGIT,
        "child_return_probability": cal.CHILD_RETURN_PROBABILITY,
        "panel_arrears_rate_effect": "-(a + b * e) * m_g with (a, b) = "
                                     f"{cal.PANEL_ARREARS_EFFECT}, m_g = {cal.PANEL_ARREARS_MULTIPLIER}",
        "panel_evictions_per_1000_effect": "-a * (1 - r^(e + 1)) * m_g with (a, r) = "
                                           f"{cal.PANEL_EVICTIONS_EFFECT}, m_g = {cal.PANEL_EVICTIONS_MULTIPLIER}",
        "household_data_extraction_date": str(cal.HOUSEHOLD_DATA_END),
        "applications_extraction_date": str(cal.STUDY_END),
        "outcomes_first_month": f"{cal.OUTCOMES_START}-01",
        "trial": trial.parameters,
    }
    sources = {
        "pilot structure": "seed 003 (Ostrava): crisis 30 units / 3 cohorts of 10 / 6 months; social and affordable "
                           "50 units, 50 households, 20 months",
        "housing first": "Ripka et al. (2018) European Journal of Homelessness 12(1): 50 treated of 150 randomised "
                         "families; ČT24 (Dec 2018): 48 of 50 kept the tenancy, about 10 million CZK a year",
        "retention range": "80% of 92 households (Ostrava pilot) to 96% (Brno Housing First) after 12 months",
        "contact points": "seeds 000/001: KMB Praha 3, 7, MHMP (autumn 2020); 3.9 million CZK staff to end 2022",
        "pilot municipalities": "seed 002: the 16 MPSV pilot municipalities",
        "other figures": "assumptions, marked in evaluation/synthetic/calibration.py",
    }
    return Truth(seed=int(seed), scale=scale, study_period=(str(cal.STUDY_START), str(cal.STUDY_END)),
                 parameters=parameters,
                 tables={"cohorts": cohorts, "household_att": household_att,
                         "household_att_aggregates": household_agg, "panel_att": panel_att,
                         "panel_att_aggregates": panel_agg, "retention": _retention(hh),
                         "contact_points": point_truth, "trial": trial.truth},
                 sources=sources)
