"""Wild cluster restricted bootstrap: 9,999 Rademacher draws, 1,000,000 rows, 50 clusters.

evaluation.impact.wild_cluster_bootstrap against wildboottest (its "fnw11" fast-and-wild
algorithm) on the same data, side by side in one run: a DiD-style regression
y ~ 1 + treated_post + x with 8 of 50 clusters treated. Both time the p-value; evaluation is
timed twice, for the p-value alone (``ci=False``, what wildboottest computes) and with the
confidence interval by test inversion. The t statistics must be equal (relative 1e-8) and the
p-values agree within Monte Carlo error. See ``_harness`` for how the runs are made and timed.

Run: python benchmarks/bench_wild_bootstrap.py [runs]
Writes benchmarks/results/bench_wild_bootstrap.md and .json.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

ROWS, CLUSTERS, DRAWS = 1_000_000, 50, 9_999
CASES = {"wild bootstrap p-value": ("evaluation", "wildboottest"),
         "wild bootstrap p-value + CI": ("evaluation",)}


def make_data():
    import pandas as pd

    rng = np.random.default_rng(99)
    g = rng.integers(0, CLUSTERS, ROWS)
    post = rng.integers(0, 2, ROWS)
    treated_post = ((g < 8) & (post == 1)).astype(float)
    x = rng.normal(size=ROWS)
    y = 0.02 * treated_post + 0.5 * x + rng.normal(size=CLUSTERS)[g] * 0.1 + rng.normal(size=ROWS)
    return pd.DataFrame({"g": g, "treated_post": treated_post, "x": x, "y": y})


def run_case(estimator: str, package: str, timer: h.Timer) -> dict:
    df = make_data()
    if package == "evaluation":
        import inspect

        from evaluation.impact import wild_cluster_bootstrap
        # a checkout without ci= (before it was added) always inverts the test
        ci = {"ci": estimator.endswith("CI")} if "ci" in inspect.signature(wild_cluster_bootstrap).parameters else {}
        with timer:
            res = wild_cluster_bootstrap(df, "y ~ treated_post + x", "treated_post", "g", B=DRAWS, seed=1, **ci)
        return {"p_value": res.p_value, "t_stat": res.statistic, "conf_low": res.conf_low,
                "conf_high": res.conf_high}
    import statsmodels.api as sm
    from wildboottest.wildboottest import wildboottest
    with timer:
        X = sm.add_constant(df[["treated_post", "x"]])
        model = sm.OLS(df["y"], X)
        table = wildboottest(model, param="treated_post", cluster=df["g"], B=DRAWS, seed=1, show=False)
    return {"p_value": float(table["p-value"].iloc[0]), "t_stat": float(table["statistic"].iloc[0])}


def agree(estimator: str, package: str, ours: dict, peer: dict) -> str:
    p = (ours["p_value"] + peer["p_value"]) / 2
    band = 4 * np.sqrt(2 * p * (1 - p) / DRAWS) + 2 / DRAWS
    rel_t = abs(ours["t_stat"] / peer["t_stat"] - 1)
    dp = abs(ours["p_value"] - peer["p_value"])
    return h.check(rel_t < 1e-8 and dp < band, f"t rel. diff {rel_t:.1e} (tolerance 1e-8); p {ours['p_value']:.4f} "
                   f"vs {peer['p_value']:.4f}, |diff| {dp:.4f} < Monte Carlo band {band:.4f}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    record = h.measure(__file__, CASES, runs=runs)
    text = h.report(record, f"bench_wild_bootstrap: {ROWS:,} rows, {CLUSTERS} clusters, {DRAWS:,} draws",
                    "WCR, Rademacher weights, H0: treated_post = 0. Time is the bootstrap call (for wildboottest "
                    "including the statsmodels model it takes); the data are built beforehand in the same "
                    "process; peak memory is the whole process. The second estimator adds our confidence "
                    "interval by test inversion, which wildboottest does not compute.", agree)
    h.write("bench_wild_bootstrap", record, text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        h.child_main(run_case)
    else:
        main()
