"""Benchmark: retention estimators on national-scale data (200,000 households) vs lifelines.

Run: python benchmarks/bench_retention.py [n_households]
Each case runs in its own subprocess so that peak memory (ru_maxrss of the child) is its own.
Data: own simulation (exponential loss-of-home hazard, programme hazard ratio 0.6, late entry for
a third of households, uniform censoring, two competing exit types, staircase spells).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

CASE_TIMEOUT = 150  # seconds per case
N = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200_000


def data(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    prog = rng.integers(0, 2, n)
    age = rng.normal(0, 1, n)
    t_neg = rng.exponential(1 / (0.03 * np.where(prog == 1, 0.6, 1.0) * np.exp(0.2 * age)))
    t_pos = rng.exponential(1 / 0.04, n)
    c = rng.uniform(6, 36, n)
    entry = np.where(rng.random(n) < 1 / 3, rng.uniform(0, 4, n), 0.0)
    stop = np.round(np.minimum.reduce([t_neg, t_pos, c]), 3)  # ties, as with day-resolution dates
    cause = np.where(stop == np.round(c, 3), "censored", np.where(stop == np.round(t_neg, 3), "negative", "positive"))
    df = pd.DataFrame({"entry": entry, "exit_time": stop, "event": (cause == "negative").astype(int),
                       "cause": cause, "programme": prog, "age": age})
    return df[df["exit_time"] > df["entry"]].reset_index(drop=True)


def spells(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    steps = np.array(["crisis", "social", "affordable"])
    k = rng.integers(1, 4, n)
    hh = np.repeat(np.arange(n), k)
    pos = np.concatenate([np.arange(j) for j in k])
    start = pd.Timestamp("2018-01-01") + pd.to_timedelta(pos * 200 + rng.integers(0, 30, hh.size), unit="D")
    last = pos == np.repeat(k - 1, k)
    reason = np.where(last, rng.choice(["eviction", "still_housed", "standard_lease"], hh.size), "moved_up")
    return pd.DataFrame({"household_id": hh.astype(str), "step": steps[np.minimum(pos, 2)], "start_date": start,
                         "exit_reason": reason})


def run_case(name: str) -> dict:
    df = spells(N) if name.startswith("transitions") else data(N)
    t0 = time.perf_counter()
    out: dict = {}
    if name == "KM (evaluation)":
        from evaluation.retention import KaplanMeier
        r = KaplanMeier().fit(df["exit_time"], df["event"], entry=df["entry"])
        out["S(12)"] = float(r.tidy()["estimate"].iloc[1])
    elif name == "KM (lifelines)":
        from lifelines import KaplanMeierFitter
        r = KaplanMeierFitter().fit(df["exit_time"], df["event"], entry=df["entry"])
        out["S(12)"] = float(r.survival_function_at_times([12]).iloc[0])
    elif name == "Aalen-Johansen (evaluation)":
        from evaluation.retention import AalenJohansen
        r = AalenJohansen().fit(df["exit_time"], df["cause"]).tidy()
        out["F_neg(12)"] = float(r.set_index("term").loc["F_negative(12)", "estimate"])
    elif name == "Aalen-Johansen (lifelines)":
        import warnings

        from lifelines import AalenJohansenFitter
        codes = df["cause"].map({"censored": 0, "negative": 1, "positive": 2})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = AalenJohansenFitter(seed=1).fit(df["exit_time"], codes, event_of_interest=1)
        cd = r.cumulative_density_
        out["F_neg(12)"] = float(cd[cd.index <= 12].iloc[-1, 0])
    elif name == "Cox Efron (evaluation)":
        from evaluation.retention import CoxPH
        r = CoxPH().fit(df, covariates=["programme", "age"], entry="entry")
        out["log HR programme"] = float(r.params[0])
        out["concordance"] = r.concordance
    elif name == "Cox Efron (lifelines)":
        from lifelines import CoxPHFitter
        r = CoxPHFitter().fit(df[["exit_time", "event", "programme", "age", "entry"]], "exit_time", "event",
                              entry_col="entry")
        out["log HR programme"] = float(r.params_["programme"])
        out["concordance"] = float(r.concordance_index_)
    elif name == "transitions (evaluation)":
        from evaluation.retention import transitions
        out["rows"] = len(transitions(df).tidy())
    out["seconds"] = time.perf_counter() - t0
    return out


CASES = ["KM (evaluation)", "KM (lifelines)", "Aalen-Johansen (evaluation)", "Aalen-Johansen (lifelines)",
         "Cox Efron (evaluation)", "Cox Efron (lifelines)", "transitions (evaluation)"]


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        res = run_case(sys.argv[2])
        res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(res))
        return
    rows = []
    for case in CASES:
        try:
            proc = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True,
                                  env={**__import__("os").environ, "BENCH_N": str(N)}, timeout=CASE_TIMEOUT)
        except subprocess.TimeoutExpired:
            rows.append({"case": case, "seconds": float("nan"), "peak_mb": float("nan"),
                         "result": f"did not finish within {CASE_TIMEOUT} s"})
            continue
        if proc.returncode:
            rows.append({"case": case, "seconds": float("nan"), "peak_mb": float("nan"),
                         "result": proc.stderr.strip().splitlines()[-1][:80]})
            continue
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        secs, peak = res.pop("seconds"), res.pop("peak_mb")
        rows.append({"case": case, "seconds": round(secs, 2), "peak_mb": round(peak),
                     "result": ", ".join(f"{k} = {v:.5f}" if isinstance(v, float) else f"{k} = {v}"
                                         for k, v in res.items())})
    table = pd.DataFrame(rows)
    text = (f"# bench_retention: {N:,} households\n\nPeak memory is the subprocess's maximum resident set "
            "(includes imports). lifelines' Aalen-Johansen jitters tied times, so it differs in the 3rd-4th "
            "decimal.\n\n" + table.to_markdown(index=False) + "\n")
    print(text)
    Path(__file__).with_name("results").mkdir(exist_ok=True)
    Path(__file__).with_name("results").joinpath("bench_retention.md").write_text(text)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        N = int(__import__("os").environ.get("BENCH_N", N))
    main()
