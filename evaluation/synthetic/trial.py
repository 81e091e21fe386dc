"""The Brno Housing First trial: the randomisation of the Brno families, with its truth.

The Brno families are the 50 Housing First families (cohorts 8-10) and the 100 control families
of :mod:`calibration` (at scale 1), drawn from one population. Whether a family was housed is
already decided by the household generator; this module writes the trial's *assignment* around it
so that the assignment is a genuine stratified randomisation:

* strata by number of children (:data:`calibration.TRIAL_STRATA`); in each stratum as many
  families are assigned to the programme as its share of the flats (largest remainders, 1:2 at
  scale 1);
* two-sided non-compliance: a few assigned families do not take their flat (never-takers; a
  binomial number with :data:`calibration.TRIAL_P_NOT_TAKEN`), and each flat they leave goes to a
  control family (always-takers, "crossovers"), so the assigned programme arm never exceeds the
  flats. Which housed families are the crossovers and which unhoused families are the
  never-takers is drawn uniformly within the stratum. Housed and control families are
  exchangeable (same population, same timing), so the assignment is independent of the
  potential outcomes, as a randomisation is;
* follow-up interviews 12 months after randomisation: families that died are lost; others are
  found with a probability that falls with baseline arrears, and the programme keeps in touch
  with a share of those the control arm would lose (monotone attrition, Lee 2009).

The truth (``Truth.tables["trial"]``): the complier average causal effect (CACE) on arrears at the
follow-up month, as ``dgp`` (tau_c(e) of :func:`outcomes.arrears_effect` averaged over the housed
families) and ``sample`` (their Y(1) - Y(0)); on being stably housed (no eviction or abandonment
by the follow-up), ``dgp`` only (exp(-h t1) - exp(-h0 12) averaged over the housed families). The
compliance types are drawn independently of the potential outcomes, so the CACE equals the effect
on the housed; the intention-to-treat effect is the first stage times the CACE.

Example
-------
>>> from evaluation.synthetic import simulate
>>> trial = simulate(seed=2019, scale=1.0).tables["assignment"]
>>> trial["arm"].value_counts().to_dict()
{'control': 100, 'programme': 50}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evaluation.synthetic import calibration as cal
from evaluation.synthetic._common import choose
from evaluation.synthetic.outcomes import arrears_effect


@dataclass(frozen=True)
class TrialDraw:
    """The assignment table's columns (arrays, in household order), its truth and counts."""
    columns: dict[str, np.ndarray]
    truth: pd.DataFrame
    parameters: dict[str, Any]


def _largest_remainder(shares: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to ``shares`` that add up to ``total``."""
    exact = shares / shares.sum() * total if shares.sum() > 0 else np.zeros_like(shares, dtype=float)
    whole = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - whole), kind="stable")
    whole[order[: total - whole.sum()]] += 1
    return whole


def _strata(children: np.ndarray) -> np.ndarray:
    index = np.full(len(children), -1, dtype=np.int64)
    for k, (_, low, high) in enumerate(cal.TRIAL_STRATA):
        index[(children >= low) & (children <= high)] = k
    if (index < 0).any():  # a generator bug: every Brno family has a child
        raise ValueError("synthetic trial: a Brno family without children falls in no stratum")
    return index


def _assign(rng: np.random.Generator, stratum: np.ndarray, housed: np.ndarray) -> np.ndarray:
    """Stratified assignment consistent with who was housed (see the module docstring)."""
    sizes = np.bincount(stratum, minlength=len(cal.TRIAL_STRATA))
    places = _largest_remainder(sizes.astype(float), int(housed.sum()))
    assigned = np.zeros(len(stratum), dtype=bool)
    for s, m in enumerate(places):
        took = np.flatnonzero((stratum == s) & housed)
        other = np.flatnonzero((stratum == s) & ~housed)
        not_taken = min(int(m), len(other), max(0, int(m) - len(took)) + int(rng.binomial(m, cal.TRIAL_P_NOT_TAKEN)))
        crossovers = len(took) - int(m) + not_taken
        assigned[took] = True
        assigned[rng.choice(took, size=crossovers, replace=False)] = False
        assigned[rng.choice(other, size=not_taken, replace=False)] = True
    return assigned


def _baseline_arrears(observed: pd.DataFrame, ids: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Arrears in the month before randomisation, standardised; 0 (the mean) where not recorded."""
    wanted = pd.DataFrame({"household_id": ids, "month": pd.to_datetime(month - 1)})
    found = wanted.merge(observed[["household_id", "month", "arrears_czk"]], on=["household_id", "month"],
                         how="left")["arrears_czk"].to_numpy(dtype=float)
    z = (found - np.nanmean(found)) / np.nanstd(found) if np.isfinite(found).sum() > 1 else np.zeros(len(found))
    return np.nan_to_num(z, nan=0.0)


def _follow_up(rng: np.random.Generator, assigned: np.ndarray, died: np.ndarray, arrears_z: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Whether the follow-up interview took place, and why not (None when it did)."""
    n = len(assigned)
    base = np.log(cal.TRIAL_P_FOLLOWED_UP_CONTROL / (1 - cal.TRIAL_P_FOLLOWED_UP_CONTROL))
    found_without = rng.random(n) < 1 / (1 + np.exp(-(base + cal.TRIAL_FOLLOW_UP_ARREARS_LOGIT * arrears_z)))
    kept_by_programme = rng.random(n) < cal.TRIAL_P_KEPT_BY_PROGRAMME
    followed = np.where(assigned, found_without | kept_by_programme, found_without) & ~died
    reasons = choose(rng, [r for r, _ in cal.TRIAL_ATTRITION_REASONS], [p for _, p in cal.TRIAL_ATTRITION_REASONS], n)
    reason = np.where(followed, None, np.where(died, "died", reasons)).astype(object)
    return followed, reason


def _truth(households: pd.DataFrame, ids: np.ndarray, assigned: np.ndarray, housed: np.ndarray,
           follow_up: pd.DatetimeIndex, potential: pd.DataFrame) -> pd.DataFrame:
    treated = households.loc[housed]
    follow_month = follow_up[housed].to_period("M")
    entry_month = pd.DatetimeIndex(treated["entry_date"]).to_period("M")
    e = np.asarray([(f - m).n for f, m in zip(follow_month, entry_month)], dtype=np.int64)
    dgp_arrears = float(arrears_effect(treated["cohort"].to_numpy().astype(np.int64), e).mean())
    wanted = pd.DataFrame({"household_id": ids[housed], "month": follow_month.to_timestamp()})
    cells = wanted.merge(potential, on=["household_id", "month"], how="inner")
    sample_arrears = float((cells["arrears_czk_1"] - cells["arrears_czk_0"]).mean())
    hazard = treated["negative_hazard"].to_numpy()
    months_housed = np.clip((follow_up[housed] - pd.DatetimeIndex(treated["entry_date"])).days / cal.DAYS_PER_MONTH,
                            0, None)
    dgp_housed = float(np.mean(np.exp(-hazard * months_housed)
                               - np.exp(-hazard / cal.HAZARD_RATIO_PROGRAMME * cal.TRIAL_FOLLOW_UP_MONTHS)))
    first_stage = float(housed[assigned].mean() - housed[~assigned].mean())
    rows = [("arrears_czk", "dgp", dgp_arrears, int(housed.sum())),
            ("arrears_czk", "sample", sample_arrears, len(cells)),
            ("stably_housed", "dgp", dgp_housed, int(housed.sum()))]
    return pd.DataFrame([{"outcome": o, "version": v, "cace": c, "itt": first_stage * c, "first_stage": first_stage,
                          "n_received": n} for o, v, c, n in rows])


def simulate_trial(rng: np.random.Generator, households: pd.DataFrame, household_id: np.ndarray,
                   observed: pd.DataFrame, potential: pd.DataFrame) -> TrialDraw:
    """Randomise the trial municipality's families around who was housed; see the module docstring.

    ``households`` is the generator's internal frame (one row per household, in table order),
    ``observed`` the household_outcomes table, ``potential`` its potential outcomes.
    """
    rows = np.flatnonzero((households["municipality"] == cal.TRIAL_MUNICIPALITY).to_numpy())
    trial = households.iloc[rows].reset_index(drop=True)
    ids = household_id[rows]
    housed = (trial["group"] == "programme").to_numpy()
    stratum = _strata(trial["children"].to_numpy())
    assigned = _assign(rng, stratum, housed)
    not_taken = assigned & ~housed
    reasons = choose(rng, [r for r, _ in cal.TRIAL_NON_RECEIPT_REASONS],
                     [p for _, p in cal.TRIAL_NON_RECEIPT_REASONS], len(trial))
    randomised = trial["referral_date"].to_numpy().astype("datetime64[D]")
    follow_up = pd.DatetimeIndex(randomised) + pd.DateOffset(months=cal.TRIAL_FOLLOW_UP_MONTHS)
    exit_date = pd.DatetimeIndex(trial["exit_date"])
    died = ((trial["exit_reason"] == "death").to_numpy() & np.asarray(exit_date <= follow_up, dtype=bool))
    arrears_z = _baseline_arrears(observed, ids, randomised.astype("datetime64[M]"))
    followed, attrition_reason = _follow_up(rng, assigned, died, arrears_z)
    labels = np.array([label for label, _, _ in cal.TRIAL_STRATA], dtype=object)
    columns = {
        "household_id": ids, "arm": np.where(assigned, "programme", "control").astype(object),
        "assignment_date": randomised, "stratum": labels[stratum], "received": housed,
        "non_receipt_reason": np.where(not_taken, reasons, None).astype(object),
        "followed_up": followed, "attrition_reason": attrition_reason,
    }
    truth = _truth(trial, ids, assigned, housed, follow_up, potential)
    parameters = {
        "municipality": cal.TRIAL_MUNICIPALITY, "follow_up_months": cal.TRIAL_FOLLOW_UP_MONTHS,
        "randomised": len(trial), "assigned_programme": int(assigned.sum()),
        "never_takers": int(not_taken.sum()), "always_takers": int((~assigned & housed).sum()),
        "followed_up_programme": int(followed[assigned].sum()), "followed_up_control": int(followed[~assigned].sum()),
        "strata": {str(label): int((stratum == k).sum()) for k, label in enumerate(labels)},
        "design": "complete randomisation within strata of family size; assignment independent of the "
                  "potential outcomes; two-sided non-compliance; attrition monotone in the arm",
        "itt": "first_stage * cace (compliance types are independent of the potential outcomes)",
    }
    return TrialDraw(columns=columns, truth=truth, parameters=parameters)


__all__ = ["TrialDraw", "simulate_trial"]
