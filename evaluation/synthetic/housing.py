"""Flats, monthly rent ledgers and social-work contacts of the programme spells.

* units: one flat per place and step (seed 003: 30 crisis, 50 social, 50 affordable flats;
  Brno: 50 flats), allocated to the spells of that step in order of move-in; flats in socially
  excluded localities sit in the first small areas of each district (for segregation indices);
* rent ledger: one row per spell and month from move-in to move-out (or extraction), rent
  prorated in the first and last month, payment behaviour by payer type, repayments of arrears,
  rare prepayments, and households that stop paying in the months before an eviction or
  abandonment (arrears precede the loss of the home);
* support contacts: Poisson counts per spell-month with the planned intensity of the step
  (:data:`calibration.CONTACT_PLAN`) times a household engagement factor; comparison
  households get the Labour Office's usual care.

Example
-------
>>> import numpy as np
>>> from evaluation.synthetic.households import simulate_population
>>> pop = simulate_population(np.random.default_rng(3), scale=0.2)
>>> units, unit_of_spell = allocate_units(np.random.default_rng(5), pop, scale=0.2)
>>> bool(units["unit_id"].is_unique)
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import (
    categorical,
    choose,
    choose_index,
    choose_index_by_group,
    spell_months,
)
from evaluation.synthetic.households import Population, scaled

_STEP_CODES = {"crisis": "KB", "social": "SB", "affordable": "DB", "housing_first": "HF"}
_MUNICIPALITY_CODES = {"Ostrava": ("OVA", "554821"), "Brno": ("BRN", "582786")}
PROGRAMME_STEPS = tuple(_STEP_CODES)


def allocate_units(rng: np.random.Generator, population: Population, scale: float
                   ) -> tuple[pd.DataFrame, np.ndarray]:
    """The units table (internal) and, per spell, the row of its flat (-1 for standard leases)."""
    spells, households = population.spells, population.households
    unit_of_spell = np.full(len(spells), -1)
    frames = []
    count = 0
    for (municipality, step), places in cal.UNITS.items():
        rows = np.flatnonzero((spells["step"].to_numpy() == step)
                              & (households["municipality"].to_numpy()[spells["household"]] == municipality))
        rows = rows[np.argsort(spells["start_date"].to_numpy()[rows], kind="stable")]
        n = max(scaled(places, scale), len(rows))
        districts = cal.DISTRICTS[municipality]
        district = choose(rng, districts, [1.0] * len(districts), n)
        district[:len(rows)] = households["district"].to_numpy()[spells["household"].to_numpy()[rows]]
        size = np.ones(n, dtype=np.int64) * 2
        size[:len(rows)] = households["household_size"].to_numpy()[spells["household"].to_numpy()[rows]]
        rooms = np.clip(np.ceil(size / 2.0 + rng.normal(0, 0.4, n)), 1, 4).astype(np.int64)
        excluded = rng.random(n) < cal.EXCLUDED_LOCALITY_SHARE[step]
        area = np.where(excluded, rng.integers(0, 2, n), rng.integers(2, cal.AREAS_PER_DISTRICT, n))
        prefix, register_code = _MUNICIPALITY_CODES[municipality]
        district_no = pd.Index(districts).get_indexer(district) + 1
        owners = cal.OWNER_SHARES[step]
        frames.append(pd.DataFrame({
            "unit_id": [f"{prefix}-{_STEP_CODES[step]}-{k:05d}" for k in range(1, n + 1)],
            "municipality": municipality, "district": district, "step": step,
            "owner_type": choose(rng, list(owners), list(owners.values()), n),
            "floor_area_m2": np.round(14.0 + rooms * rng.uniform(13.0, 18.0, n), 1),
            "rooms": rooms, "in_excluded_locality": excluded,
            "area_code": [f"{register_code}-{d:02d}{a + 1:02d}" for d, a in zip(district_no, area)],
        }))
        unit_of_spell[rows] = count + np.arange(len(rows))
        count += n
    return pd.concat(frames, ignore_index=True), unit_of_spell


def _spell_end(spells: pd.DataFrame) -> np.ndarray:
    end = spells["end_date"].to_numpy().astype("datetime64[D]")
    return np.where(np.isnat(end), cal.HOUSEHOLD_DATA_END, end)


def rent_ledger(rng: np.random.Generator, population: Population, units: pd.DataFrame,
                unit_of_spell: np.ndarray) -> dict[str, np.ndarray]:
    """Monthly rent due, paid and the arrears balance for every spell in a programme flat.

    Columns ``spell`` and ``household`` (positions), ``month`` (``datetime64[M]``), ``rent_due``,
    ``rent_paid`` and ``arrears_balance``.
    """
    spells, households = population.spells, population.households
    with_unit = np.flatnonzero(unit_of_spell >= 0)
    s = spells.iloc[with_unit]
    hh = s["household"].to_numpy()
    area = units["floor_area_m2"].to_numpy()[unit_of_spell[with_unit]]
    per_m2 = pd.Series(cal.RENT_PER_M2).reindex(s["step"]).to_numpy()
    rent = area * per_m2 + cal.SERVICE_CHARGE + cal.SERVICE_CHARGE_PER_PERSON * households["household_size"].to_numpy()[hh]
    end = _spell_end(s)
    rows = spell_months(s["start_date"].to_numpy().astype("datetime64[D]"), end)
    sp = rows.spell
    due = np.rint(rent[sp] * rows.days / rows.days_in_month)

    negative_household = households["negative_exit"].to_numpy()
    payer = np.where(negative_household,
                     choose_index(rng, cal.PAYER_SHARES_BEFORE_NEGATIVE_EXIT, len(households)),
                     choose_index(rng, [p[1] for p in cal.PAYERS], len(households)))[hh]
    p_full = np.array([p[2] for p in cal.PAYERS])[payer][sp]
    p_half = np.array([p[3] for p in cal.PAYERS])[payer][sp]
    u = rng.random(len(rows))
    factor = np.where(u < p_full, 1.0, np.where(u < p_full + p_half, 0.5, 0.0))
    negative = np.isin(s["exit_reason"].to_numpy(), ("eviction", "abandonment"))
    months_left = (end.astype("datetime64[M]")[sp] - rows.month).astype(np.int64)
    stops = negative[sp] & (months_left < cal.ARREARS_BEFORE_EXIT_MONTHS) & (rng.random(len(rows)) < 0.9)
    factor[stops] = 0.0
    repay_draw = rng.random(len(rows)) < cal.P_REPAYMENT
    repay_amount = rng.uniform(1000.0, 3000.0, len(rows))
    prepay = rng.random(len(rows)) < cal.P_PREPAYMENT

    paid = np.zeros(len(rows))
    balance = np.zeros(len(rows))
    previous = np.zeros(len(s))
    offset = rows.offset
    order = np.argsort(offset, kind="stable")
    bounds = np.searchsorted(offset[order], np.arange(offset.max() + 2))
    for k in range(offset.max() + 1):  # the balance carries over month to month
        idx = order[bounds[k]:bounds[k + 1]]
        prev = previous[sp[idx]]
        extra = np.where(repay_draw[idx] & (prev > 0) & ~stops[idx], np.minimum(prev, repay_amount[idx]), 0.0)
        extra += np.where(prepay[idx] & ~stops[idx], due[idx], 0.0)
        paid[idx] = np.rint(due[idx] * factor[idx] + extra)
        balance[idx] = prev + due[idx] - paid[idx]
        previous[sp[idx]] = balance[idx]
    return {"spell": with_unit[sp], "household": hh[sp], "month": rows.month,
            "rent_due": due, "rent_paid": paid, "arrears_balance": balance}


#: Groups with their own contact plan and shares (the programme steps, then the comparison).
_CONTACT_GROUPS = ("crisis", "social", "affordable", "housing_first", "comparison")


def _plan_rate(group: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Planned contacts a month by contact group (position in _CONTACT_GROUPS) and month of the spell."""
    rate = np.zeros(len(group))
    for code, name in enumerate(_CONTACT_GROUPS[:-1]):
        rows = np.flatnonzero(group == code)
        lower = 0
        for upper, value in cal.CONTACT_PLAN[name]:
            rate[rows[(offset[rows] >= lower) & (offset[rows] < upper)]] = value
            lower = upper
    return rate


def _contact_months(population: Population) -> dict[str, np.ndarray]:
    """Household-months at risk of contacts: programme spells (not standard leases) and comparison
    households from registration to exit, with their contact group and planned rate."""
    spells, households = population.spells, population.households
    programme = spells[spells["step"] != "standard"]
    prog = spell_months(programme["start_date"].to_numpy().astype("datetime64[D]"), _spell_end(programme))
    prog_group = pd.Index(_CONTACT_GROUPS).get_indexer(programme["step"].to_numpy()).astype(np.int8)[prog.spell]
    comparison = np.flatnonzero((households["group"] == "comparison").to_numpy())
    leave = households["exit_date"].to_numpy().astype("datetime64[D]")[comparison]
    comp = spell_months(households["referral_date"].to_numpy().astype("datetime64[D]")[comparison],
                        np.where(np.isnat(leave), cal.HOUSEHOLD_DATA_END, leave))
    comparison_code = len(_CONTACT_GROUPS) - 1
    return {
        "group": np.concatenate([prog_group, np.full(len(comp), comparison_code, dtype=np.int8)]),
        "household": np.concatenate([programme["household"].to_numpy()[prog.spell],
                                     comparison[comp.spell]]).astype(np.int32),
        "rate": np.concatenate([_plan_rate(prog_group, prog.offset),
                                np.full(len(comp), cal.COMPARISON_CONTACTS_PER_MONTH)]),
        "days": np.concatenate([prog.days, comp.days]),
        "days_in_month": np.concatenate([prog.days_in_month, comp.days_in_month]),
        "first_day": np.concatenate([prog.first_day, comp.first_day]),
    }


def _by_date_and_household(date: np.ndarray, household: np.ndarray) -> np.ndarray:
    """Stable order by date, then household. Two stable passes: by household (the rows come as
    two runs already in household order, which a merge sort takes in one sweep), then by day
    number, a 16-bit key that NumPy sorts by radix in linear time."""
    by_household = np.argsort(household, kind="stable")
    day = (date - date.min()).astype(np.int64) if len(date) else np.zeros(0, dtype=np.int64)
    key = day.astype(np.uint16) if len(day) and day.max() < 2 ** 16 else day
    return by_household[np.argsort(key[by_household], kind="stable")]


def support_contacts(rng: np.random.Generator, population: Population) -> dict[str, object]:
    """Social-work contacts sorted by date and household, as arrays: ``household`` (position),
    ``contact_date``, ``minutes`` and the categories ``contact_type``, ``worker_role`` and
    ``topic`` as ``Categorical`` built from drawn codes (millions of rows at national scale).
    """
    households = population.households
    engagement = rng.gamma(cal.ENGAGEMENT_SHAPE, 1.0 / cal.ENGAGEMENT_SHAPE, len(households))
    at_risk = _contact_months(population)
    hh_month = at_risk["household"]
    count = rng.poisson(at_risk["rate"] * engagement[hh_month] * at_risk["days"] / at_risk["days_in_month"])
    rep = np.repeat(np.arange(len(count), dtype=np.int32), count)
    n = len(rep)
    days = at_risk["days"][rep]
    date = at_risk["first_day"][rep] + np.floor(rng.random(n) * days).astype("timedelta64[D]")
    hh = hh_month[rep]
    group = at_risk["group"][rep]
    del at_risk, rep, days
    contact_type = choose_index_by_group(rng, group, [cal.CONTACT_TYPE_SHARES[g] for g in _CONTACT_GROUPS])
    median = np.array([cal.CONTACT_MINUTES[t] for t in cal.CONTACT_TYPES])[contact_type]
    minutes = np.clip(np.rint(median * np.exp(0.45 * rng.standard_normal(n))), 1, 720).astype(np.int64)
    worker = choose_index_by_group(rng, group, [cal.WORKER_SHARES[g] for g in _CONTACT_GROUPS])
    del group
    child_protection, municipal = (cal.WORKER_ROLES.index(r) for r in ("child_protection", "municipal_social_worker"))
    no_children = households["children"].to_numpy()[hh] == 0
    worker[(worker == child_protection) & no_children] = municipal
    topic = choose_index(rng, cal.TOPIC_SHARES, n)
    topic[worker == child_protection] = cal.TOPICS.index("family_children")
    topic[rng.random(n) < cal.P_TOPIC_MISSING] = -1
    order = _by_date_and_household(date, hh)
    # one column at a time, so that each unsorted copy is freed before the next is sorted
    hh = hh[order]
    date = date[order]
    minutes = minutes[order]
    return {"household": hh, "contact_date": date, "minutes": minutes,
            "contact_type": categorical(cal.CONTACT_TYPES, contact_type[order]),
            "worker_role": categorical(cal.WORKER_ROLES, worker[order]),
            "topic": categorical(cal.TOPICS, topic[order])}
