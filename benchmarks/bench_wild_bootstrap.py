"""Wild cluster restricted bootstrap: 9,999 Rademacher draws, 1,000,000 rows, 50 clusters.

Compares evaluation.impact.wild_cluster_bootstrap with wildboottest (its "fnw11" fast-and-wild
algorithm) on the same data: a DiD-style regression y ~ 1 + treated_post + x with 8 of 50
clusters treated. Each case runs in its own subprocess and reports the wall time of the
bootstrap (p-value; plus, for evaluation, the test-inversion interval) and its peak memory.
Run: python benchmarks/bench_wild_bootstrap.py
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

ROWS, CLUSTERS, DRAWS = 1_000_000, 50, 9_999


def make_data() -> pd.DataFrame:
    rng = np.random.default_rng(99)
    g = rng.integers(0, CLUSTERS, ROWS)
    post = rng.integers(0, 2, ROWS)
    treated_post = ((g < 8) & (post == 1)).astype(float)
    x = rng.normal(size=ROWS)
    y = 0.02 * treated_post + 0.5 * x + rng.normal(size=CLUSTERS)[g] * 0.1 + rng.normal(size=ROWS)
    return pd.DataFrame({"g": g, "treated_post": treated_post, "x": x, "y": y})


def run_case(case: str) -> dict:
    df = make_data()
    if case == "evaluation":
        from evaluation.impact import wild_cluster_bootstrap
        start = time.perf_counter()
        res = wild_cluster_bootstrap(df, "y ~ treated_post + x", "treated_post", "g", B=DRAWS, seed=1)
        seconds = time.perf_counter() - start
        out = {"p_value": res.p_value, "t_stat": res.statistic, "conf_low": res.conf_low,
               "conf_high": res.conf_high}
    else:
        import statsmodels.api as sm
        from wildboottest.wildboottest import wildboottest
        X = sm.add_constant(df[["treated_post", "x"]])
        model = sm.OLS(df["y"], X)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = wildboottest(model, param="treated_post", cluster=df["g"], B=DRAWS, seed=1,
                                 show=False)
        seconds = time.perf_counter() - start
        out = {"p_value": float(table["p-value"].iloc[0]), "t_stat": float(table["statistic"].iloc[0]),
               "conf_low": float("nan"), "conf_high": float("nan")}
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": case, "seconds": seconds, "peak_mib": peak_mib, **out}


def main() -> None:
    rows = []
    for case in ("evaluation", "wildboottest"):
        out = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            rows.append({"case": case, "error": out.stderr.strip().splitlines()[-1][:100]})
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    table = pd.DataFrame(rows)
    ref = table.set_index("case")
    p1, p2 = ref.loc["evaluation", "p_value"], ref.loc["wildboottest", "p_value"]
    p = (p1 + p2) / 2
    mc_band = 4 * np.sqrt(2 * p * (1 - p) / DRAWS) + 2 / DRAWS
    lines = [f"# Wild cluster bootstrap benchmark: {ROWS:,} rows, {CLUSTERS} clusters, {DRAWS:,} draws", "",
             "WCR, Rademacher weights; evaluation's time includes the confidence interval by test "
             "inversion, wildboottest's only the p-value. Peak RSS includes the data.", "",
             table.to_markdown(index=False, floatfmt=".6g"), "",
             f"* t statistics equal (rel. diff < 1e-8): "
             f"{abs(ref.loc['evaluation', 't_stat'] / ref.loc['wildboottest', 't_stat'] - 1) < 1e-8}",
             f"* p-values agree within Monte Carlo error (|diff| = {abs(p1 - p2):.4f} < {mc_band:.4f}): "
             f"{abs(p1 - p2) < mc_band}",
             f"* target: evaluation within 5 s: {ref.loc['evaluation', 'seconds'] < 5}"]
    text = "\n".join(lines)
    print(text)
    Path(__file__).with_name("results").mkdir(exist_ok=True)
    Path(__file__).with_name("results").joinpath("bench_wild_bootstrap.md").write_text(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
    else:
        main()
