"""Households, applications and support contacts of the national roll-out of contact points.

Once its contact point is open, each ORP area sends new applicant households at a Poisson rate
proportional to its households in housing need (reaching the full rate over the first months);
a household applies first at its arrival (mostly for counselling) and may apply again later for
another of the act's measures. Each contact point decides after a lognormal number of days whose
median is its own and never decides a share of its applications (*lost*); decisions that would
fall after the extraction date stay pending (censored, not lost), as in the pilot's
:mod:`evaluation.synthetic.contact_points`. Households granted a support measure (not only
counselling) form the programme group and receive support contacts while the measure runs.

Example
-------
>>> import numpy as np
>>> from evaluation.synthetic.national_panel import draw_openings, simulate_areas
>>> areas = simulate_areas(np.random.default_rng(1))
>>> points = draw_openings(np.random.default_rng(2), areas)
>>> draw = simulate_applicants(np.random.default_rng(3), areas, points, scale=0.05)
>>> bool((draw.applications["submitted_date"] >= np.datetime64("2026-07-01")).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.data.schema import get_schema
from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import categorical, choose_index, choose_index_by_group, make_ids
from evaluation.synthetic.contact_points import _OUTCOMES
from evaluation.synthetic.national_panel import panel_months

#: Measures that make a household part of the programme group when granted.
SUPPORT_MEASURES = ("asistence_v_bydleni", "navazujici_asistence", "bydleni_s_rucenim", "prispevek_obci")


def _next_working_day(dates: np.ndarray) -> np.ndarray:
    """Move weekend dates on to Monday (1970-01-01 was a Thursday): never before the day drawn, so
    never before the contact point opened."""
    weekday = (dates.astype(np.int64) + 3) % 7  # Monday = 0
    return dates + np.where(weekday >= 5, 7 - weekday, 0).astype("timedelta64[D]")


@dataclass(frozen=True)
class ApplicantDraw:
    """Internal frames: ``households`` (one per applicant household), ``applications``, the
    per-contact-point truth ``points`` and ``contacts`` (support contacts, as arrays)."""
    households: pd.DataFrame
    applications: pd.DataFrame
    points: pd.DataFrame
    contacts: dict[str, np.ndarray]


def _arrivals(rng: np.random.Generator, areas: pd.DataFrame, points: pd.DataFrame, scale: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """(area position, arrival date) of every applicant household."""
    months = panel_months()
    opened = areas["contact_point_code"].map(dict(zip(points["contact_point_code"], points["opened"])))
    opened = opened.to_numpy(dtype="datetime64[M]")
    e = (months[None, :] - np.where(np.isnat(opened), months[-1] + 1, opened)[:, None]).astype(np.int64)
    ramp = np.clip((e + 1.0) / cal.RAMP_UP_MONTHS, 0.0, 1.0)
    rate = scale * cal.APPLICANTS_PER_100_IN_NEED / 100.0 * areas["households_in_need"].to_numpy()[:, None] * ramp
    counts = rng.poisson(rate)
    area = np.repeat(np.repeat(np.arange(len(areas)), len(months)), counts.ravel())
    month = np.repeat(np.tile(months, len(areas)), counts.ravel())
    days = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    date = _next_working_day(month.astype("datetime64[D]")
                             + np.floor(rng.random(len(month)) * days).astype("timedelta64[D]"))
    order = np.argsort(date, kind="stable")
    return area[order], date[order]


def _municipalities(rng: np.random.Generator, areas: pd.DataFrame, area: np.ndarray) -> np.ndarray:
    """Municipality code of each household: the area's seat, or another municipality of the area."""
    towns = get_schema().code_list("municipalities").frame()
    by_area = towns.groupby("orp_code")["municipality_code"].agg(list).reindex(areas["orp_code"])
    seat = areas["seat_municipality_code"].to_numpy(dtype=object)
    others = [np.array([c for c in codes if c != s], dtype=object) for codes, s in zip(by_area, seat)]
    n_others = np.array([len(o) for o in others])
    at_seat = (rng.random(len(area)) < cal.P_APPLICANT_AT_SEAT) | (n_others[area] == 0)
    pick = np.floor(rng.random(len(area)) * np.maximum(n_others[area], 1)).astype(np.int64)
    flat = np.concatenate([o for o in others if len(o)] or [np.empty(0, dtype=object)])
    start = np.concatenate([[0], np.cumsum(n_others)[:-1]])
    other_code = flat[np.minimum(start[area] + pick, max(len(flat) - 1, 0))] if len(flat) else seat[area]
    return np.where(at_seat, seat[area], other_code)


def simulate_applicants(rng: np.random.Generator, areas: pd.DataFrame, points: pd.DataFrame, *, scale: float
                        ) -> ApplicantDraw:
    """Applicant households and their applications (internal columns; see the module docstring)."""
    area, arrival = _arrivals(rng, areas, points, scale)
    n = len(area)
    household_id = make_ids("N", n, width=max(6, len(str(n))))
    # households
    size_adults = 1 + (rng.random(n) < cal.P_SECOND_ADULT["comparison"])
    family = rng.random(n) < cal.P_FAMILY["comparison"]
    children = np.where(family, 1 + rng.poisson(cal.MEAN_EXTRA_CHILDREN, n), 0)
    ethos = choose_index(rng, cal.APPLICANT_ETHOS_SHARES, n)
    income = choose_index(rng, cal.INCOME_SHARES["comparison"], n)
    municipality = _municipalities(rng, areas, area)
    # applications: the first at arrival, further ones later
    extra = choose_index(rng, cal.FURTHER_APPLICATIONS, n).astype(np.int64)
    owner = np.concatenate([np.arange(n), np.repeat(np.arange(n), extra)])
    gap = np.concatenate([np.zeros(n), rng.exponential(cal.DAYS_BETWEEN_APPLICATIONS, int(extra.sum()))])
    later = np.concatenate([np.zeros(n, dtype=bool), np.ones(int(extra.sum()), dtype=bool)])
    # the k-th further application of a household comes after the (k-1)-th: cumulative gaps
    order = np.lexsort((later, owner))
    owner, gap, later = owner[order], gap[order], later[order]
    cumulative = pd.Series(gap).groupby(owner).cumsum().to_numpy()
    submitted = _next_working_day(arrival[owner] + np.rint(cumulative).astype("timedelta64[D]"))
    keep = submitted <= cal.NATIONAL_STUDY_END
    owner, submitted, later = owner[keep], submitted[keep], later[keep]
    m = len(owner)
    measure = np.where(later, choose_index(rng, cal.MEASURE_SHARES_LATER, m),
                       choose_index(rng, cal.MEASURE_SHARES_FIRST, m)).astype(np.int8)
    bridging = cal.MEASURES.index("navazujici_asistence")
    too_early = (measure == bridging) & (submitted < np.datetime64(cal.BRIDGING_FROM, "D"))
    measure[too_early] = cal.MEASURES.index("asistence_v_bydleni")
    decision = choose_index_by_group(rng, measure, [cal.NATIONAL_DECISION_SHARES[k] for k in cal.MEASURES])
    # processing at the contact point of the household's area
    point_codes = points["contact_point_code"].to_numpy(dtype=object)
    point_of_area = pd.Series(np.arange(len(points)), index=point_codes).reindex(
        areas["contact_point_code"]).to_numpy()
    point = point_of_area[area[owner]]
    median_days = cal.NATIONAL_MEDIAN_DAYS[0] * np.exp(cal.NATIONAL_MEDIAN_DAYS[1] * rng.standard_normal(len(points)))
    lost_share = rng.beta(*cal.NATIONAL_LOST_SHARE_BETA, len(points))
    lost = rng.random(m) < lost_share[point]
    days = np.rint(median_days[point] * np.exp(cal.PROCESSING_SIGMA * rng.standard_normal(m))).astype(np.int64)
    decided = submitted + days.astype("timedelta64[D]")
    pending = lost | (decided > cal.NATIONAL_STUDY_END)
    outcome = np.where(pending, _OUTCOMES.index("pending"), decision).astype(np.int8)
    ethos_app = ethos[owner].astype(np.int8)
    ethos_app[rng.random(m) < cal.P_ETHOS_MISSING] = -1
    request = np.array([cal.REQUEST_TYPES.index(cal.MEASURE_REQUEST_TYPE[k]) for k in cal.MEASURES])[measure]
    names = points.set_index("contact_point_code")["contact_point"]
    applications = pd.DataFrame({
        "application_id": make_ids("NA", m, width=max(7, len(str(m)))),
        "applicant_id": household_id[owner], "household": owner,
        "contact_point": ("KMB " + names.reindex(point_codes[point]).astype(str)).to_numpy(dtype=object),
        "contact_point_code": point_codes[point], "point": point,
        "municipality_code": municipality[owner], "orp_code": areas["orp_code"].to_numpy(dtype=object)[area[owner]],
        "request_type": categorical(cal.REQUEST_TYPES, request), "measure": categorical(cal.MEASURES, measure),
        "ethos_category": categorical(cal.ETHOS_CODES, ethos_app), "submitted_date": submitted,
        "decided_date": np.where(pending, np.datetime64("NaT", "D"), decided),
        "outcome": categorical(_OUTCOMES, outcome), "lost": lost, "days": days,
    }, copy=False)
    granted_support = (applications["outcome"] == "granted").to_numpy() & applications["measure"].isin(
        SUPPORT_MEASURES).to_numpy()
    programme = np.zeros(n, dtype=bool)
    programme[owner[granted_support]] = True
    households = pd.DataFrame({
        "household_id": household_id, "area": area, "municipality_code": municipality,
        "orp_code": areas["orp_code"].to_numpy(dtype=object)[area],
        "contact_point_code": areas["contact_point_code"].to_numpy(dtype=object)[area],
        "household_size": size_adults + children, "children": children,
        "income_band": categorical(cal.INCOME_CODES, income), "ethos_category": categorical(cal.ETHOS_CODES, ethos),
        "referral_source": categorical(cal.REFERRAL_SOURCES, choose_index(rng, cal.NATIONAL_REFERRAL_SHARES, n)),
        "referral_date": arrival, "programme": programme,
    }, copy=False)
    contacts = _support_contacts(rng, applications[granted_support])
    truth = _point_truth(points, applications, median_days, lost_share)
    return ApplicantDraw(households, applications, truth, contacts)


def _point_truth(points: pd.DataFrame, apps: pd.DataFrame, median_days: np.ndarray, lost_share: np.ndarray
                 ) -> pd.DataFrame:
    """By contact point: opening, the processing-time and lost-share parameters and what was drawn."""
    k = len(points)
    point = apps["point"].to_numpy()
    lost = apps["lost"].to_numpy()
    decided = apps["decided_date"].notna().to_numpy()
    count = np.bincount(point, minlength=k)
    n_lost = np.bincount(point, weights=lost, minlength=k)
    n_decided = np.bincount(point, weights=decided, minlength=k)
    days_sum = np.bincount(point[decided], weights=apps["days"].to_numpy()[decided], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame({
            "contact_point_code": points["contact_point_code"].to_numpy(), "contact_point": points["contact_point"],
            "legal_basis": points["legal_basis"], "orp_areas": points["orp_areas"],
            "opened": pd.Series(pd.to_datetime(points["opened"].to_numpy())).dt.strftime("%Y-%m-%d").to_numpy(object),
            "lost_share_dgp": lost_share, "lost_share_sample": np.where(count > 0, n_lost / count, np.nan),
            "median_days_dgp": median_days, "mean_days_dgp": median_days * float(np.exp(cal.PROCESSING_SIGMA ** 2 / 2)),
            "mean_days_sample": np.where(n_decided > 0, days_sum / n_decided, np.nan),
            "applications": count, "lost": n_lost.astype(np.int64),
            "pending_censored": (count - n_decided - n_lost).astype(np.int64), "decided": n_decided.astype(np.int64),
            "undecided": (count - n_decided).astype(np.int64)})


def _support_contacts(rng: np.random.Generator, granted: pd.DataFrame) -> dict[str, np.ndarray]:
    """Support contacts of households while a granted measure runs (from its decision to the end of
    the assistance or of the data), as arrays of codes."""
    start = granted["decided_date"].to_numpy(dtype="datetime64[D]")
    stop_max = start + np.rint(cal.ASSISTANCE_MAX_MONTHS * cal.DAYS_PER_MONTH).astype("timedelta64[D]")
    stop = np.minimum(stop_max, cal.NATIONAL_STUDY_END)
    length = (stop - start).astype(np.int64)
    rates = granted["measure"].astype(str).map(cal.NATIONAL_CONTACTS_PER_MONTH).to_numpy(float)
    engagement = rng.gamma(cal.ENGAGEMENT_SHAPE, 1.0 / cal.ENGAGEMENT_SHAPE, len(granted))
    counts = rng.poisson(rates * engagement * length / cal.DAYS_PER_MONTH)
    row = np.repeat(np.arange(len(granted)), counts)
    date = start[row] + np.floor(rng.random(len(row)) * np.maximum(length[row], 1)).astype("timedelta64[D]")
    order = np.lexsort((row, date))
    row, date = row[order], date[order]
    profile = "housing_first"  # individual, home-based support (the act's housing assistance)
    contact_type = choose_index(rng, cal.CONTACT_TYPE_SHARES[profile], len(row))
    minutes_median = np.array([cal.CONTACT_MINUTES[t] for t in cal.CONTACT_TYPES])[contact_type]
    minutes = np.clip(np.rint(minutes_median * np.exp(0.45 * rng.standard_normal(len(row)))), 1, 720).astype(np.int64)
    topic = choose_index(rng, cal.TOPIC_SHARES, len(row))
    topic[rng.random(len(row)) < cal.P_TOPIC_MISSING] = -1
    return {"household": granted["household"].to_numpy()[row], "contact_date": date,
            "minutes": minutes, "contact_type": contact_type,
            "worker_role": choose_index(rng, cal.WORKER_SHARES["social"], len(row)), "topic": topic,
            "measure": granted["measure"].cat.codes.to_numpy()[row]}
