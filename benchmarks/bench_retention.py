"""Retention estimators on national-scale data (200,000 households) against lifelines and scikit-survival.

Data: own simulation (exponential loss-of-home hazard, programme hazard ratio 0.6, late entry
for a third of households, uniform censoring, two competing exit types, exit times rounded to
1/1000 month so that ties occur as with day-resolution dates). Cases, side by side in one run:

* Kaplan-Meier with log(-log) Greenwood intervals, without and with late entry: lifelines
  ``KaplanMeierFitter(entry=)``, scikit-survival ``kaplan_meier_estimator(time_enter=,
  conf_type="log-log")``; the whole curve is compared at months 1..30. scikit-survival's
  late-entry path is quadratic in n (9 s at 60,000 households): it is not run above
  ``SKSURV_ENTRY_MAX`` households.
* Aalen-Johansen cumulative incidence of two competing exits with its variance: lifelines
  ``AalenJohansenFitter`` (which jitters tied times, so it differs in the 4th decimal),
  scikit-survival ``cumulative_incidence_competing_risks`` without intervals (its variance
  needs memory quadratic in n: 7 GB at 20,000 households), i.e. less work than ours.
* Cox, Efron ties, two covariates, no late entry: lifelines ``CoxPHFitter``, scikit-survival
  ``CoxPHSurvivalAnalysis(ties="efron")`` (coefficients only; ours and lifelines also give
  standard errors, tests and concordance).
* Cox, Efron ties, with late entry: lifelines only (scikit-survival has no late entry).

See ``_harness`` for how the runs are made and timed.
Run: python benchmarks/bench_retention.py [n_households] [runs]
Writes benchmarks/results/bench_retention.md and .json.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

CASES = {"Kaplan-Meier": ("evaluation", "lifelines", "scikit-survival"),
         "Kaplan-Meier, late entry": ("evaluation", "lifelines", "scikit-survival"),
         "Aalen-Johansen": ("evaluation", "lifelines", "scikit-survival"),
         "Cox Efron": ("evaluation", "lifelines", "scikit-survival"),
         "Cox Efron, late entry": ("evaluation", "lifelines")}
GRID = np.arange(1.0, 31.0)
SKSURV_ENTRY_MAX = 60_000


def data(n: int):
    import pandas as pd

    rng = np.random.default_rng(2024)
    prog = rng.integers(0, 2, n)
    age = rng.normal(0, 1, n)
    t_neg = rng.exponential(1 / (0.03 * np.where(prog == 1, 0.6, 1.0) * np.exp(0.2 * age)))
    t_pos = rng.exponential(1 / 0.04, n)
    c = rng.uniform(6, 36, n)
    entry = np.where(rng.random(n) < 1 / 3, rng.uniform(0, 4, n), 0.0)
    stop = np.round(np.minimum.reduce([t_neg, t_pos, c]), 3)  # ties, as with day-resolution dates
    cause = np.where(stop == np.round(c, 3), 0, np.where(stop == np.round(t_neg, 3), 1, 2))
    df = pd.DataFrame({"entry": entry, "exit_time": stop, "event": (cause == 1).astype(int),
                       "cause_code": cause, "cause": np.array(["censored", "negative", "positive"])[cause],
                       "programme": prog, "age": age})
    return df[df["exit_time"] > df["entry"]].reset_index(drop=True)


def _step(times: np.ndarray, values: np.ndarray, at: np.ndarray, before: float) -> list[float]:
    idx = np.searchsorted(times, at, side="right") - 1
    return np.where(idx >= 0, values[np.maximum(idx, 0)], before).tolist()


def run_case(estimator: str, package: str, timer: h.Timer) -> dict:
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 200_000
    df = data(n)
    late = estimator.endswith("late entry")
    if estimator.startswith("Kaplan"):
        if package == "evaluation":
            from evaluation.retention import KaplanMeier
            with timer:
                r = KaplanMeier().fit(df["exit_time"], df["event"], entry=df["entry"] if late else None)
            c = r.curves
            return {"curve": _step(c["time"].to_numpy(), c["survival"].to_numpy(), GRID, 1.0),
                    "low": _step(c["time"].to_numpy(), c["conf_low"].to_numpy(), GRID, 1.0)}
        if package == "lifelines":
            from lifelines import KaplanMeierFitter
            with timer:
                r = KaplanMeierFitter().fit(df["exit_time"], df["event"], entry=df["entry"] if late else None)
            sf, ci = r.survival_function_, r.confidence_interval_
            return {"curve": _step(sf.index.to_numpy(), sf.iloc[:, 0].to_numpy(), GRID, 1.0),
                    "low": _step(ci.index.to_numpy(), ci.iloc[:, 0].to_numpy(), GRID, 1.0)}
        from sksurv.nonparametric import kaplan_meier_estimator
        with timer:
            t, s, ci = kaplan_meier_estimator(df["event"].to_numpy(bool), df["exit_time"].to_numpy(),
                                              time_enter=df["entry"].to_numpy() if late else None,
                                              conf_type="log-log")
        return {"curve": _step(t, s, GRID, 1.0), "low": _step(t, ci[0], GRID, 1.0)}
    if estimator == "Aalen-Johansen":
        if package == "evaluation":
            from evaluation.retention import AalenJohansen
            with timer:
                r = AalenJohansen().fit(df["exit_time"], df["cause"])
            c = r.curves[r.curves["cause"] == "negative"]
            return {"curve": _step(c["time"].to_numpy(), c["estimate"].to_numpy(), GRID, 0.0)}
        if package == "lifelines":
            from lifelines import AalenJohansenFitter
            with timer:
                r = AalenJohansenFitter(seed=1).fit(df["exit_time"], df["cause_code"], event_of_interest=1)
            cd = r.cumulative_density_
            return {"curve": _step(cd.index.to_numpy(), cd.iloc[:, 0].to_numpy(), GRID, 0.0)}
        from sksurv.nonparametric import cumulative_incidence_competing_risks
        with timer:
            t, cif = cumulative_incidence_competing_risks(df["cause_code"].to_numpy(), df["exit_time"].to_numpy())
        return {"curve": _step(t, cif[1], GRID, 0.0)}
    if package == "evaluation":
        from evaluation.retention import CoxPH
        with timer:
            r = CoxPH().fit(df, covariates=["programme", "age"], entry="entry" if late else None)
        return {"coef": r.params.tolist(), "se": r.std_errors.tolist(), "concordance": r.concordance}
    if package == "lifelines":
        from lifelines import CoxPHFitter
        cols = ["exit_time", "event", "programme", "age"] + (["entry"] if late else [])
        with timer:
            r = CoxPHFitter().fit(df[cols], "exit_time", "event", entry_col="entry" if late else None)
        return {"coef": r.params_[["programme", "age"]].tolist(), "se": r.standard_errors_[["programme", "age"]].tolist(),
                "concordance": float(r.concordance_index_)}
    from sksurv.linear_model import CoxPHSurvivalAnalysis
    from sksurv.util import Surv
    with timer:
        y = Surv.from_arrays(df["event"].to_numpy(bool), df["exit_time"].to_numpy())
        r = CoxPHSurvivalAnalysis(ties="efron").fit(df[["programme", "age"]].to_numpy(float), y)
    return {"coef": r.coef_.tolist()}


def agree(estimator: str, package: str, ours: dict, peer: dict) -> str:
    if "curve" in ours:
        tol = 2e-3 if (estimator == "Aalen-Johansen" and package == "lifelines") else 1e-9
        diff = h.max_abs_diff(ours["curve"], peer["curve"])
        text = f"curve at months 1-30: max abs diff {diff:.1e} (tolerance {tol:g})"
        if "low" in ours and "low" in peer:
            text += f"; lower limit {h.max_abs_diff(ours['low'], peer['low']):.1e}"
        return h.check(diff <= tol, text)
    diff = h.max_abs_diff(ours["coef"], peer["coef"])
    text = f"log HRs max abs diff {diff:.1e} (tolerance 1e-6)"
    if "se" in peer:
        text += f"; SEs {h.max_abs_diff(ours['se'], peer['se']):.1e}; concordance " \
                f"{abs(ours['concordance'] - peer['concordance']):.1e}"
    return h.check(diff <= 1e-6, text)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    def skip(estimator: str, package: str) -> str | None:
        if package == "scikit-survival" and estimator == "Kaplan-Meier, late entry" and n > SKSURV_ENTRY_MAX:
            return f"not run above {SKSURV_ENTRY_MAX:,} households (quadratic in n with time_enter: 9 s at 60,000)"
        return None

    record = h.measure(__file__, CASES, runs=runs, extra=[str(n)], timeout=300, skip=skip)
    text = h.report(record, f"bench_retention: {n:,} households",
                    "Time is the estimation call (data built beforehand in the same process); peak memory is the "
                    "whole process. lifelines' Aalen-Johansen jitters tied times, so it differs from the exact "
                    "estimate in the 4th decimal.", agree)
    h.write("bench_retention" if n == 200_000 else f"bench_retention_{n}", record, text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        h.child_main(run_case)
    else:
        main()
