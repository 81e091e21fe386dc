"""TWFE with household and month effects, clustered by household, on 1,000,000 rows.

Compares evaluation.impact.twfe with pyfixest.feols and linearmodels.PanelOLS on the same
simulated panel (50,000 households x 20 months, staggered entry). Each case runs in its own
subprocess, which reports its wall time for the estimation and its peak resident memory
(ru_maxrss, including the data). Run: python benchmarks/bench_twfe.py
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HOUSEHOLDS, MONTHS = 50_000, 20
CASES = ("evaluation", "pyfixest", "linearmodels")


def make_panel() -> pd.DataFrame:
    rng = np.random.default_rng(12345)
    hh = np.repeat(np.arange(HOUSEHOLDS), MONTHS)
    month = np.tile(np.arange(MONTHS), HOUSEHOLDS)
    entry = rng.choice([6, 10, 14, 99], HOUSEHOLDS)
    d = (month >= entry[hh]).astype(float)
    x = rng.normal(size=hh.size)
    y = rng.normal(size=HOUSEHOLDS)[hh] + 0.05 * month - 1.0 * d + 0.3 * x + rng.normal(size=hh.size)
    return pd.DataFrame({"household": hh, "month": month, "d": d, "x": x, "arrears": y})


def run_case(case: str) -> dict:
    df = make_panel()
    start = time.perf_counter()
    if case == "evaluation":
        from evaluation.impact import twfe
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = twfe(df, "arrears", "d", "household", "month", covariates=["x"])
        est, se = res.estimate, res.std_error
    elif case == "pyfixest":
        import pyfixest as pf
        fit = pf.feols("arrears ~ d + x | household + month", data=df, vcov={"CRV1": "household"})
        est, se = float(fit.coef()["d"]), float(fit.se()["d"])
    else:
        from linearmodels import PanelOLS
        panel = df.set_index(["household", "month"])
        fit = PanelOLS(panel["arrears"], panel[["d", "x"]], entity_effects=True,
                       time_effects=True).fit(cov_type="clustered", cluster_entity=True)
        est, se = float(fit.params["d"]), float(fit.std_errors["d"])
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": case, "seconds": seconds, "peak_mib": peak_mib, "estimate": est, "std_error": se}


def main() -> None:
    rows = []
    for case in CASES:
        out = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            rows.append({"case": case, "seconds": float("nan"), "peak_mib": float("nan"),
                         "estimate": float("nan"), "std_error": float("nan"),
                         "error": out.stderr.strip().splitlines()[-1][:80]})
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    table = pd.DataFrame(rows)
    ref = table.set_index("case")
    agree_est = abs(ref.loc["evaluation", "estimate"] - ref.loc["pyfixest", "estimate"]) < 1e-6
    agree_se = abs(ref.loc["evaluation", "std_error"] / ref.loc["pyfixest", "std_error"] - 1) < 1e-6
    agree_lm = abs(ref.loc["evaluation", "estimate"] - ref.loc["linearmodels", "estimate"]) < 1e-6
    lines = [f"# TWFE benchmark: {HOUSEHOLDS * MONTHS:,} rows ({HOUSEHOLDS:,} households x {MONTHS} months)",
             "", "Household and month effects, CR1 errors clustered by household; wall time of the "
             "estimation, peak RSS of the process (data included).", "",
             table.to_markdown(index=False, floatfmt=".6g"), "",
             f"* estimate equals pyfixest (|diff| < 1e-6): {agree_est}",
             f"* CR1 standard error equals pyfixest (rel. diff < 1e-6): {agree_se}",
             f"* estimate equals linearmodels PanelOLS (|diff| < 1e-6): {agree_lm} "
             "(PanelOLS's clustered SE counts the entity effects in K, so its SE is larger)",
             f"* target: evaluation within 10 s and 2 GiB: "
             f"{ref.loc['evaluation', 'seconds'] < 10 and ref.loc['evaluation', 'peak_mib'] < 2048}"]
    text = "\n".join(lines)
    print(text)
    Path(__file__).with_name("results").mkdir(exist_ok=True)
    Path(__file__).with_name("results").joinpath("bench_twfe.md").write_text(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
    else:
        main()
