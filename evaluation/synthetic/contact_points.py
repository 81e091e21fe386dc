"""Applications at Prague's housing contact points (KMB), some decided slowly and some never.

Each contact point opens in its month and receives a Poisson number of applications a month
(times ``scale``) on working days. A share is *lost*: never decided, whatever the wait. The
others are decided after a lognormal number of days whose median differs by contact point;
decisions that would fall after the extraction date stay pending (censored, not lost), which
is exactly the ambiguity a process evaluation has to handle.

Example
-------
>>> import numpy as np
>>> apps, truth = simulate_applications(np.random.default_rng(2), scale=0.5)
>>> sorted(truth["contact_point"])[:2]
['KMB MHMP', 'KMB Praha 10']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import choose, choose_by_group, make_ids


def _working_day(dates: np.ndarray) -> np.ndarray:
    """Move weekend dates back to Friday (1970-01-01 was a Thursday)."""
    weekday = (dates.astype(np.int64) + 3) % 7  # Monday = 0
    return dates - np.where(weekday >= 5, weekday - 4, 0).astype("timedelta64[D]")


def simulate_applications(rng: np.random.Generator, scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The applications (internal columns, sorted by submission) and the per-point truth."""
    end = cal.STUDY_END
    last_month = end.astype("datetime64[M]")
    frames, truth = [], []
    for point in cal.CONTACT_POINTS:
        months = np.arange(np.datetime64(point.opened, "M"), last_month + 1)
        counts = rng.poisson(point.applications_per_month * scale, len(months))
        month = np.repeat(months, counts)
        n = len(month)
        dim = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
        submitted = _working_day(month.astype("datetime64[D]")
                                 + np.floor(rng.random(n) * dim).astype("timedelta64[D]"))
        lost = rng.random(n) < point.lost_share
        days = np.rint(point.median_days * np.exp(cal.PROCESSING_SIGMA * rng.standard_normal(n))).astype(np.int64)
        decided = submitted + days.astype("timedelta64[D]")
        pending = lost | (decided > end)
        request = choose(rng, cal.REQUEST_TYPES, cal.REQUEST_SHARES, n)
        decision = choose_by_group(rng, request, ("granted", "rejected", "referred", "withdrawn"),
                                   cal.DECISION_SHARES)
        frame = pd.DataFrame({
            "contact_point": point.name, "municipality": "Praha", "district": point.district,
            "request_type": request, "submitted_date": submitted,
            "decided_date": np.where(pending, np.datetime64("NaT", "D"), decided),
            "outcome": np.where(pending, "pending", decision), "lost": lost,
            "ethos_category": choose(rng, cal.ETHOS_CODES, cal.APPLICANT_ETHOS_SHARES, n),
        })
        frame.loc[rng.random(n) < cal.P_ETHOS_MISSING, "ethos_category"] = None
        for tool, share in cal.TOOL_SHARES.items():
            values = pd.array(rng.random(n) < share, dtype="boolean")
            values[rng.random(n) < cal.P_TOOL_MISSING] = pd.NA
            frame[tool] = values
        frames.append(frame)
        decided_rows = ~pending
        truth.append({
            "contact_point": point.name, "district": point.district or "",
            "lost_share_dgp": point.lost_share, "lost_share_sample": float(lost.mean()) if n else np.nan,
            "median_days_dgp": point.median_days,
            "mean_days_dgp": point.median_days * float(np.exp(cal.PROCESSING_SIGMA ** 2 / 2)),
            "mean_days_sample": float(days[decided_rows].mean()) if decided_rows.any() else np.nan,
            "applications": n, "lost": int(lost.sum()), "pending_censored": int((pending & ~lost).sum()),
            "decided": int(decided_rows.sum()),
        })
    apps = pd.concat(frames, ignore_index=True)
    apps = apps.sort_values(["submitted_date", "contact_point"], kind="stable").reset_index(drop=True)
    apps["application_id"] = make_ids("A", len(apps), width=7)
    apps["applicant_id"] = _applicants(rng, len(apps))
    # only bridging loans that were granted are paid out (for the costs)
    apps["loan_czk"] = np.where(apps["bridging_loan"].fillna(False).to_numpy(dtype=bool)
                                & (apps["outcome"] == "granted").to_numpy(),
                                np.rint(cal.BRIDGING_LOAN_MEDIAN * np.exp(0.5 * rng.standard_normal(len(apps)))), 0.0)
    return apps, pd.DataFrame(truth)


def _applicants(rng: np.random.Generator, n: int) -> np.ndarray:
    """Applicant identifiers; a share of applications come from someone who applied before."""
    repeat = rng.random(n) < cal.P_REPEAT_APPLICANT
    if n:
        repeat[0] = False
    first_time = np.flatnonzero(~repeat)
    before = np.searchsorted(first_time, np.arange(n))  # first-time applications before each row
    pick = np.floor(rng.random(n) * np.maximum(before, 1)).astype(np.int64)
    source = np.where(repeat & (before > 0), first_time[np.minimum(pick, len(first_time) - 1)], np.arange(n))
    codes = pd.factorize(source)[0]
    return make_ids("Z", int(codes.max()) + 1 if n else 0, width=6)[codes]
