"""A national synthetic data set: the roll-out of the 132 housing contact points, with its truth.

Zákon č. 175/2025 Sb. sets up housing contact points in the districts with the worst housing
need and nařízení vlády č. 418/2025 Sb. assigns each its district of whole ORP areas; they open
at different times from July 2026 — a staggered design at national scale. The synthetic country
follows the bundled code lists (``data_schema/codes``: the real municipalities and ORP areas, an
ILLUSTRATIVE network of contact points) and holds the tables

* ``orp_panel``        every ORP area and month 2024-01 … 2027-12: population, evictions, shelter
                       nights, newly registered households in need, the area's contact point and
                       the month it opened (the first-treated period);
* ``applications``     applications at the contact points with the act's measures, decisions,
                       processing times, lost and still undecided applications;
* ``households``       the applicant households (programme group: granted a support measure);
* ``support_contacts`` contacts of the supported households while their measure runs;

and a :class:`~evaluation.synthetic.truth.Truth` (tables ``orp_panel_att``, ``orp_panel_att_aggregates``,
``contact_points``, ``areas``): ATT(g, t) of the
panel by opening cohort and month with Callaway–Sant'Anna aggregations, the contact points'
openings, processing-time and lost-share parameters, the areas' need.

For a staggered evaluation by district read ``orp_panel`` with unit ``orp_code``, time ``month``,
first-treated period ``contact_point_opened`` (empty: not open by the end; with the default
calibration all 132 open July–December 2026, so there is no never-treated district and the
not-yet-treated comparison ends in November 2026), outcome per 1,000
inhabitants (``evictions / population * 1000`` …), clustered by ``contact_point_code``; the
truth's ``orp_panel_att`` is on that scale, weighted by ORP areas.

Example
-------
>>> data = simulate_national(seed=1, scale=0.05)
>>> sorted(data.tables)
['applications', 'households', 'orp_panel', 'support_contacts']
>>> data.tables["orp_panel"]["contact_point_code"].nunique()
132
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.data.schema import get_schema
from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import categorical, frame, make_ids
from evaluation.synthetic.national_panel import EFFECTS, draw_openings, simulate_areas, simulate_orp_panel
from evaluation.synthetic.national_points import simulate_applicants
from evaluation.synthetic.simulate import SyntheticData, _check_arguments
from evaluation.synthetic.truth import Truth, aggregate_att, aggregates_frame

#: One random stream per part (SeedSequence.spawn keys children by position: append new ones).
_STREAMS = ("areas", "openings", "panel", "applicants")
#: Order of the tables (the data contract's order).
_TABLE_ORDER = ("households", "support_contacts", "applications", "orp_panel")


def simulate_national(*, seed: int = 2019, scale: float = 1.0) -> SyntheticData:
    """Simulate the national roll-out of contact points (see the module docstring).

    ``scale`` multiplies the applicant households (about 50,000 at 1); the country (206 ORP
    areas, 132 contact points, 48 months) stays.

    >>> simulate_national(seed=1, scale=0.05).truth.parameters["contact_points"]
    132
    """
    _check_arguments(seed, scale)
    scale = float(scale)
    streams = dict(zip(_STREAMS, (np.random.default_rng(s)
                                  for s in np.random.SeedSequence(seed).spawn(len(_STREAMS)))))
    areas = simulate_areas(streams["areas"])
    points = draw_openings(streams["openings"], areas)
    panel, potential = simulate_orp_panel(streams["panel"], areas, points)
    draw = simulate_applicants(streams["applicants"], areas, points, scale=scale)
    towns = get_schema().code_list("municipalities").frame().set_index("municipality_code")["municipality"].to_dict()
    tables = {
        "orp_panel": frame("orp_panel", {
            "orp_code": panel["orp_code"].to_numpy(), "month": panel["month"].to_numpy().astype("datetime64[D]"),
            "contact_point_code": panel["contact_point_code"].to_numpy(),
            "contact_point_opened": panel["contact_point_opened"].to_numpy().astype("datetime64[D]"),
            "population": panel["population"].to_numpy(),
            **{c: panel[c].to_numpy() for c in ("households_in_need", "evictions", "shelter_nights")}}),
        "households": _households_table(draw.households, towns),
        "applications": _applications_table(draw.applications, towns),
        "support_contacts": _contacts_table(draw.contacts, draw.households["household_id"].to_numpy()),
    }
    truth = _truth(seed, scale, areas, points, potential, draw.points)
    return SyntheticData(tables={name: tables[name] for name in _TABLE_ORDER}, truth=truth,
                         potential_outcomes={"orp_panel": potential}, seed=int(seed), scale=scale, national=True)


def _households_table(hh: pd.DataFrame, towns: dict[str, str]) -> pd.DataFrame:
    programme = hh["programme"].to_numpy()
    return frame("households", {
        "household_id": hh["household_id"].to_numpy(),
        "municipality": pd.Series(hh["municipality_code"]).map(towns).to_numpy(dtype=object),
        "municipality_code": hh["municipality_code"].to_numpy(), "orp_code": hh["orp_code"].to_numpy(),
        "contact_point_code": hh["contact_point_code"].to_numpy(),
        "household_size": hh["household_size"].to_numpy(), "children": hh["children"].to_numpy(),
        "income_band": hh["income_band"].array, "ethos_category": hh["ethos_category"].array,
        "referral_source": hh["referral_source"].array, "referral_date": hh["referral_date"].to_numpy(),
        "group": np.where(programme, "programme", "comparison"),
        "programme": np.where(programme, "housing_support", "none"),
    })


def _applications_table(apps: pd.DataFrame, towns: dict[str, str]) -> pd.DataFrame:
    return frame("applications", {
        **{c: apps[c].to_numpy() for c in ("application_id", "applicant_id", "contact_point", "contact_point_code",
                                           "municipality_code", "orp_code", "submitted_date", "decided_date")},
        "municipality": apps["municipality_code"].map(towns).to_numpy(dtype=object),
        **{c: apps[c].array for c in ("request_type", "measure", "ethos_category", "outcome")},
    })


def _contacts_table(contacts: dict[str, np.ndarray], household_id: np.ndarray) -> pd.DataFrame:
    n = len(contacts["household"])
    return frame("support_contacts", {
        "contact_id": make_ids("NC", n, width=max(8, len(str(n)))),
        "household_id": household_id[contacts["household"]], "contact_date": contacts["contact_date"],
        "minutes": contacts["minutes"], "contact_type": categorical(cal.CONTACT_TYPES, contacts["contact_type"]),
        "worker_role": categorical(cal.WORKER_ROLES, contacts["worker_role"]),
        "topic": categorical(cal.TOPICS, contacts["topic"]), "measure": categorical(cal.MEASURES, contacts["measure"]),
    })


# ---------------------------------------------------------------------------------------
# the truth
# ---------------------------------------------------------------------------------------
def month_text(values: object) -> pd.Series:
    """Months as ``YYYY-MM-01`` text, ``None`` for a missing month."""
    text = pd.Series(pd.to_datetime(np.asarray(values))).dt.strftime("%Y-%m-%d")
    return text.astype(object).where(text.notna(), None)


def _panel_att(potential: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ATT(g, t) per 1,000 inhabitants by opening cohort g and month t (pre-periods included with 0),
    and their Callaway–Sant'Anna aggregations weighted by the ORP areas of each cohort."""
    treated = potential[~potential["group"].isna()]
    per_1000 = 1000.0 / treated["population"].to_numpy()
    group = treated["group"].to_numpy(dtype="datetime64[M]")
    month = treated["month"].to_numpy(dtype="datetime64[M]")
    cells = pd.DataFrame({"group": group.astype("datetime64[D]").astype(str), "period": month.astype("datetime64[D]")
                          .astype(str), "event_time": (month - group).astype(np.int64), "orp_code": treated["orp_code"]})
    rows = []
    for name in EFFECTS:
        frame_ = cells.assign(dgp=treated[f"{name}_effect_dgp"].to_numpy(),
                              sample=(treated[f"{name}_1"].to_numpy() - treated[f"{name}_0"].to_numpy()) * per_1000)
        mean = frame_.groupby(["group", "period"], sort=True).agg(
            event_time=("event_time", "first"), dgp=("dgp", "mean"), sample=("sample", "mean"),
            n_areas=("orp_code", "nunique")).reset_index()
        rows.append(mean.assign(outcome=f"{name}_per_1000"))
    att = pd.concat(rows, ignore_index=True)[["outcome", "group", "period", "event_time", "dgp", "sample", "n_areas"]]
    sizes = cells.drop_duplicates("orp_code").groupby("group").size().to_dict()
    agg = {}
    for outcome, post in att[att["event_time"] >= 0].groupby("outcome", sort=False):
        for version in ("dgp", "sample"):
            agg[f"{outcome}:{version}"] = aggregate_att(post, sizes, value=version, event_time="event_time")
    return att, aggregates_frame(agg)


def _truth(seed: int, scale: float, areas: pd.DataFrame, points: pd.DataFrame, potential: pd.DataFrame,
           point_truth: pd.DataFrame) -> Truth:
    att, aggregates = _panel_att(potential)
    area_truth = areas[["orp_code", "orp", "region_code", "contact_point_code", "contact_point", "population",
                        "need_rate", "households_in_need"]].copy()
    opened = month_text(points["opened"])
    area_truth["opened"] = area_truth["contact_point_code"].map(dict(zip(points["contact_point_code"], opened)))
    parameters = {
        "contact_points": int(len(points)), "orp_areas": int(len(areas)),
        "contact_points_open_by_end": int(opened.notna().sum()),
        "openings": {str(k): int(v) for k, v in opened.fillna("not open").value_counts(sort=False).sort_index().items()},
        "panel_months": [str(cal.NATIONAL_STUDY_START)[:7], str(cal.NATIONAL_STUDY_END)[:7]],
        "unit": "orp_code", "time": "month", "first_treated": "contact_point_opened (empty: never treated here)",
        "cluster": "contact_point_code",
        "outcome_scale": "per 1,000 inhabitants a month: count / population * 1000",
        "evictions_effect": "-a * (1 - r^(e + 1)) * m_g with (a, r) = "
                            f"{cal.NATIONAL_EVICTIONS_EFFECT}, m_g = {cal.NATIONAL_COHORT_MULTIPLIER}",
        "shelter_nights_effect": "-b * (1 - exp(-(e + 1) / k)) * m_g with (b, k) = "
                                 f"{cal.NATIONAL_SHELTER_EFFECT}, m_g as above",
        "households_in_need_effect": "+c * (l + (1 - l) * exp(-e / k)) with (c, l, k) = "
                                     f"{cal.NATIONAL_NEED_DETECTION} (more need is found, not more created)",
        "households_in_need_stock": cal.HOUSEHOLDS_IN_NEED,
        "applications_extraction_date": str(cal.NATIONAL_STUDY_END),
        "applicants_per_100_in_need_a_month": cal.APPLICANTS_PER_100_IN_NEED,
    }
    sources = {
        "code lists": "data_schema/codes: ČSÚ číselníky 43, 65, 100, 101 (export of 2020-09-10); contact points "
                      "ILLUSTRATIVE (structure of nařízení vlády č. 418/2025 Sb., not its annex)",
        "act": "zákon č. 175/2025 Sb., o podpoře bydlení: 115 contact points, measures from July 2026; "
               "nařízení vlády č. 418/2025 Sb.: 17 more and their districts",
        "housing need": "Platforma pro sociální bydlení, Zpráva o vyloučení z bydlení 2024: 71,100 households; "
                        "2018: half of the need in 14 of 206 ORP, 11,700 households a year fall into need",
        "shelters": "MPSV census of people in housing need, spring 2022: 5,981 people in shelters",
        "other figures": "assumptions, marked in evaluation/synthetic/calibration.py (national section)",
    }
    return Truth(seed=int(seed), scale=scale,
                 study_period=(str(cal.NATIONAL_STUDY_START), str(cal.NATIONAL_STUDY_END)),
                 parameters=parameters,
                 tables={"orp_panel_att": att, "orp_panel_att_aggregates": aggregates, "contact_points": point_truth,
                         "areas": area_truth},
                 sources=sources)
