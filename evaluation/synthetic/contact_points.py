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
from evaluation.synthetic._common import categorical, choose_index, choose_index_by_group, make_ids


def _working_day(dates: np.ndarray) -> np.ndarray:
    """Move weekend dates back to Friday (1970-01-01 was a Thursday)."""
    weekday = (dates.astype(np.int64) + 3) % 7  # Monday = 0
    return dates - np.where(weekday >= 5, weekday - 4, 0).astype("timedelta64[D]")


_DECISIONS = ("granted", "rejected", "referred", "withdrawn")
_OUTCOMES = (*_DECISIONS, "pending")


def _point_applications(rng: np.random.Generator, point: cal.ContactPoint, scale: float
                        ) -> tuple[dict[str, object], dict[str, object]]:
    """One contact point's applications as arrays (categories as codes) and its truth row."""
    end = cal.STUDY_END
    months = np.arange(np.datetime64(point.opened, "M"), end.astype("datetime64[M]") + 1)
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
    request = choose_index(rng, cal.REQUEST_SHARES, n)
    decision_keys = list(cal.DECISION_SHARES)
    decision = choose_index_by_group(
        rng, np.array([decision_keys.index(r) for r in cal.REQUEST_TYPES])[request],
        [cal.DECISION_SHARES[k] for k in decision_keys])
    columns: dict[str, object] = {
        "request_type": request, "submitted_date": submitted,
        "decided_date": np.where(pending, np.datetime64("NaT", "D"), decided),
        "outcome": np.where(pending, _OUTCOMES.index("pending"), decision).astype(np.int8), "lost": lost,
        "ethos_category": choose_index(rng, cal.APPLICANT_ETHOS_SHARES, n),
    }
    columns["ethos_category"][rng.random(n) < cal.P_ETHOS_MISSING] = -1
    for tool, share in cal.TOOL_SHARES.items():
        values = rng.random(n) < share
        columns[tool] = values
        columns[f"{tool}_missing"] = rng.random(n) < cal.P_TOOL_MISSING
    decided_rows = ~pending
    truth = {
        "contact_point": point.name, "district": point.district or "",
        "lost_share_dgp": point.lost_share, "lost_share_sample": float(lost.mean()) if n else np.nan,
        "median_days_dgp": point.median_days,
        "mean_days_dgp": point.median_days * float(np.exp(cal.PROCESSING_SIGMA ** 2 / 2)),
        "mean_days_sample": float(days[decided_rows].mean()) if decided_rows.any() else np.nan,
        "applications": n, "lost": int(lost.sum()), "pending_censored": int((pending & ~lost).sum()),
        "decided": int(decided_rows.sum()),
    }
    return columns, truth


def simulate_applications(rng: np.random.Generator, scale: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The applications (internal columns, sorted by submission) and the per-point truth."""
    parts, truth = [], []
    for point in cal.CONTACT_POINTS:
        columns, row = _point_applications(rng, point, scale)
        parts.append(columns)
        truth.append(row)
    point = np.repeat(np.arange(len(parts)), [len(p["lost"]) for p in parts])
    names = np.array([p.name for p in cal.CONTACT_POINTS], dtype=object)
    districts = np.array([p.district for p in cal.CONTACT_POINTS], dtype=object)
    # by submission date, then contact point name (one integer key, stable)
    name_rank = np.argsort(np.argsort(names.astype(str), kind="stable"), kind="stable")
    submitted = np.concatenate([p["submitted_date"] for p in parts])
    order = np.argsort(submitted.astype(np.int64) * len(names) + name_rank[point], kind="stable")

    def stacked(name: str) -> np.ndarray:
        return np.concatenate([p[name] for p in parts])[order]

    n = len(order)
    apps = pd.DataFrame({
        "contact_point": names[point[order]], "municipality": np.full(n, "Praha", dtype=object),
        "district": districts[point[order]],
        "request_type": categorical(cal.REQUEST_TYPES, stacked("request_type")), "submitted_date": submitted[order],
        "decided_date": stacked("decided_date"), "outcome": categorical(_OUTCOMES, stacked("outcome")),
        "lost": stacked("lost"), "ethos_category": categorical(cal.ETHOS_CODES, stacked("ethos_category")),
        **{tool: pd.arrays.BooleanArray(stacked(tool), stacked(f"{tool}_missing")) for tool in cal.TOOL_SHARES},
    }, copy=False)
    apps["application_id"] = make_ids("A", n, width=7)
    apps["applicant_id"] = _applicants(rng, n)
    # only bridging loans that were granted are paid out (for the costs)
    apps["loan_czk"] = np.where(apps["bridging_loan"].fillna(False).to_numpy(dtype=bool)
                                & (apps["outcome"] == "granted").to_numpy(),
                                np.rint(cal.BRIDGING_LOAN_MEDIAN * np.exp(0.5 * rng.standard_normal(n))), 0.0)
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
