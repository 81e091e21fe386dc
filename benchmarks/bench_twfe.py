"""TWFE with household and month effects, clustered by household, on 1,000,000 rows.

evaluation.impact.twfe against pyfixest ``feols("y ~ d + x | household + month")`` (fixest's
algorithm: alternating projections with acceleration, numba) and linearmodels ``PanelOLS`` on
the same simulated panel (50,000 households x 20 months, staggered entry), side by side in one
run. The estimate must equal pyfixest's and PanelOLS's to 1e-6 and the CR1 standard error
pyfixest's to a relative 1e-6 (PanelOLS counts the entity effects in K, so its clustered SE is
larger). See ``_harness`` for how the runs are made and timed.

Run: python benchmarks/bench_twfe.py [runs]   (writes benchmarks/results/bench_twfe.md and .json)
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h

HOUSEHOLDS, MONTHS = 50_000, 20
CASES = {"TWFE, 1M rows": ("evaluation", "pyfixest", "linearmodels")}


def make_panel():
    import pandas as pd

    rng = np.random.default_rng(12345)
    hh = np.repeat(np.arange(HOUSEHOLDS), MONTHS)
    month = np.tile(np.arange(MONTHS), HOUSEHOLDS)
    entry = rng.choice([6, 10, 14, 99], HOUSEHOLDS)
    d = (month >= entry[hh]).astype(float)
    x = rng.normal(size=hh.size)
    y = rng.normal(size=HOUSEHOLDS)[hh] + 0.05 * month - 1.0 * d + 0.3 * x + rng.normal(size=hh.size)
    return pd.DataFrame({"household": hh, "month": month, "d": d, "x": x, "arrears": y})


def run_case(estimator: str, package: str, timer: h.Timer) -> dict:
    df = make_panel()
    if package == "evaluation":
        from evaluation.impact import twfe
        with timer:
            res = twfe(df, "arrears", "d", "household", "month", covariates=["x"])
        return {"estimate": res.estimate, "std_error": res.std_error}
    if package == "pyfixest":
        import pyfixest as pf
        with timer:
            fit = pf.feols("arrears ~ d + x | household + month", data=df, vcov={"CRV1": "household"})
            est, se = float(fit.coef()["d"]), float(fit.se()["d"])
        return {"estimate": est, "std_error": se}
    from linearmodels import PanelOLS
    with timer:
        panel = df.set_index(["household", "month"])
        fit = PanelOLS(panel["arrears"], panel[["d", "x"]], entity_effects=True,
                       time_effects=True).fit(cov_type="clustered", cluster_entity=True)
    return {"estimate": float(fit.params["d"]), "std_error": float(fit.std_errors["d"])}


def agree(estimator: str, package: str, ours: dict, peer: dict) -> str:
    diff = abs(ours["estimate"] - peer["estimate"])
    rel_se = abs(ours["std_error"] / peer["std_error"] - 1)
    if package == "pyfixest":
        return h.check(diff < 1e-6 and rel_se < 1e-6, f"estimate diff {diff:.1e}, CR1 SE rel. diff {rel_se:.1e} "
                       "(tolerance 1e-6)")
    return h.check(diff < 1e-6, f"estimate diff {diff:.1e} (tolerance 1e-6); SE rel. diff {rel_se:.1e} "
                   "(PanelOLS counts the entity effects in K)")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    record = h.measure(__file__, CASES, runs=runs)
    text = h.report(record, f"bench_twfe: {HOUSEHOLDS * MONTHS:,} rows ({HOUSEHOLDS:,} households x {MONTHS} months)",
                    "Household and month effects, one covariate, CR1 errors clustered by household. Time is the "
                    "estimation call (for PanelOLS including its set_index); the data are built beforehand in the "
                    "same process; peak memory is the whole process.", agree)
    h.write("bench_twfe", record, text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--case":
        h.child_main(run_case)
    else:
        main()
