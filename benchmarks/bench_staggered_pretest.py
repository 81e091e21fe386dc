"""Monte Carlo of the parallel-trends pre-tests of staggered_did: size and power of each method.

Designs (parallel trends hold unless a pre-trend is added):
* ``synthetic``: the synthetic municipality panel (evaluation.synthetic.panel.simulate_panel): 16
  pilots starting 2016 (5), 2017 (5), 2018 (6), 150 never treated, 2012-2024; arrears rate
  (normal noise) and evictions per 1,000 inhabitants (Poisson counts, villages of 300-400 people).
* ``few``: the same timing and group sizes with unit and year effects and iid noise (normal, or
  centred exponential: skewed), optionally a differential linear trend of the pilots before the
  start (``trend`` per year, in noise SDs) -- the violated-trends alternative.
* ``many``: 3 groups of 60 treated units (start periods 4, 5, 6 of 8) and 300 never treated.

Prints the rejection rate of each test at the 5% level with its binomial standard error, and the
mean time of one test. Run: ``python benchmarks/bench_staggered_pretest.py [reps] [draws]``.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.impact.staggered import staggered_did
from evaluation.impact.staggered_pretest import PRETEST_METHODS, pretest, wald_reliability
from evaluation.synthetic.panel import simulate_panel

ALPHA = 0.05


def simulated_panel(rng: np.random.Generator, sizes=(5, 5, 6), starts=(2016, 2017, 2018), n_never=150,
                    periods=tuple(range(2012, 2025)), trend=0.0, noise="normal") -> pd.DataFrame:
    """Unit + year effects + iid noise (SD 1); treated units get ``trend`` * (year - first year) before
    they start (a violated parallel trend; no treatment effect afterwards is needed for a pre-test)."""
    first = np.concatenate([np.full(n, s, float) for n, s in zip(sizes, starts)] + [np.zeros(n_never)])
    n, years = len(first), np.asarray(periods, float)
    if noise == "normal":
        eps = rng.normal(size=(n, len(years)))
    else:  # centred exponential: skewed
        eps = rng.exponential(size=(n, len(years))) - 1.0
    y = rng.normal(size=n)[:, None] + np.sin(years)[None, :] + eps
    y += trend * (first > 0)[:, None] * (years - years[0])[None, :]
    return pd.DataFrame({"unit": np.repeat(np.arange(n), len(years)), "period": np.tile(years, n),
                         "first": np.repeat(first, len(years)), "y": y.ravel()})


def synthetic_panel(rng: np.random.Generator) -> pd.DataFrame:
    frame, _ = simulate_panel(rng)
    frame["evictions_per_1000"] = frame["evictions"] / frame["population"] * 1000
    return frame.rename(columns={"municipality": "unit", "pilot_start_period": "first"})


DESIGNS = {
    "synthetic, arrears rate (null)": ("synthetic", "arrears_rate", {}),
    "synthetic, evictions /1000 (null)": ("synthetic", "evictions_per_1000", {}),
    "few (5,5,6), normal (null)": ("few", "y", {}),
    "few (5,5,6), skewed (null)": ("few", "y", {"noise": "exponential"}),
    "few (5,5,6), pre-trend 0.3 SD/yr": ("few", "y", {"trend": 0.3}),
    "few (5,5,6), pre-trend 0.6 SD/yr": ("few", "y", {"trend": 0.6}),
    "few (5,5,6), pre-trend 1.0 SD/yr": ("few", "y", {"trend": 1.0}),
    "many (60x3), normal (null)": ("many", "y", {}),
    "many (60x3), pre-trend 0.1 SD/yr": ("many", "y", {"trend": 0.1}),
}


def one_design(kind: str, outcome: str, options: dict, reps: int, draws: int, seed: int) -> dict:
    rejections = {m: [] for m in PRETEST_METHODS}
    seconds = {m: 0.0 for m in PRETEST_METHODS}
    flagged = []
    for rep in range(reps):
        rng = np.random.default_rng([seed, rep])
        if kind == "synthetic":
            frame = synthetic_panel(rng)
        elif kind == "few":
            frame = simulated_panel(rng, **options)
        else:
            frame = simulated_panel(rng, sizes=(60, 60, 60), starts=(4, 5, 6), n_never=300,
                                    periods=tuple(range(1, 9)), **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = staggered_did(frame, outcome, "unit", "period", "first", bootstrap=False)
        flagged.append(not wald_reliability(res).reliable)
        for method in PRETEST_METHODS:
            start = time.perf_counter()
            test = pretest(res, method, n_bootstrap=draws, seed=rep)
            seconds[method] += time.perf_counter() - start
            rejections[method].append(bool(np.isfinite(test.p_value) and test.p_value < ALPHA))
    row = {m: float(np.mean(r)) for m, r in rejections.items()}
    row["flagged"] = float(np.mean(flagged))
    row["ms"] = {m: 1000 * s / reps for m, s in seconds.items()}
    return row


def main(reps: int = 400, draws: int = 499) -> str:
    lines = [f"Rejection rates of the 5%-level pre-tests ({reps} replications, {draws} bootstrap draws; "
             f"binomial SE at 5%: {np.sqrt(0.05 * 0.95 / reps):.3f})", "",
             "| design | " + " | ".join(PRETEST_METHODS) + " | Wald flagged unreliable |",
             "|---" * (len(PRETEST_METHODS) + 2) + "|"]
    timing = None
    for d, (name, (kind, outcome, options)) in enumerate(DESIGNS.items()):
        row = one_design(kind, outcome, options, reps, draws, seed=1000 + d)
        lines.append(f"| {name} | " + " | ".join(f"{row[m]:.3f}" for m in PRETEST_METHODS)
                     + f" | {row['flagged']:.2f} |")
        print(lines[-1], flush=True)
        if kind == "synthetic" and timing is None:
            timing = row["ms"]
    lines += ["", "Mean time of one test on the synthetic panel (ms): "
              + ", ".join(f"{m} {timing[m]:.1f}" for m in PRETEST_METHODS)]
    return "\n".join(lines)


if __name__ == "__main__":
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 499
    report = main(reps, draws)
    print(report)
    out = Path(__file__).parent / "results" / "bench_staggered_pretest.md"
    out.write_text("# bench_staggered_pretest\n\n" + report + "\n")
