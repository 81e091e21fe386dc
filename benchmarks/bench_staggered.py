"""Speed and peak memory of staggered DiD (Callaway & Sant'Anna) against the Python peers.

100,000 units x 10 periods, doubly robust, never-treated comparison, analytic standard errors
(no bootstrap: every package's bootstrap differs), without covariates and with one covariate.
Each case runs in its own subprocess; peak memory is that process's maximum resident set size
(getrusage RUSAGE_SELF inside the child, so the parent's memory does not count). The ATT(g,t)
of every peer are checked against ours. Run:  python benchmarks/bench_staggered.py [n_units]
Writes benchmarks/results/bench_staggered.md.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

N_UNITS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
PERIODS = 10
HERE = Path(__file__).parent

CHILD = r'''
import json, resource, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
package, with_cov, n = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
rng = np.random.default_rng(42)
T = 10
g = rng.choice([0, 4, 6, 8], size=n, p=[0.4, 0.2, 0.2, 0.2])
x = rng.normal(size=n) + (g > 0)
t = np.arange(1, T + 1)
y = t[None, :] + rng.normal(size=n)[:, None] + 0.3 * x[:, None] * t[None, :] / T \
    + np.where((g[:, None] > 0) & (t[None, :] >= g[:, None]), 1.0, 0.0) + rng.normal(size=(n, T))
frame = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(t, n), "g": np.repeat(g, T),
                      "x": np.repeat(x, T), "y": y.ravel()})
start = time.perf_counter()
if package == "evaluation":
    from evaluation.impact.staggered import staggered_did
    res = staggered_did(frame, "y", "id", "t", "g", covariates=["x"] if with_cov else [], bootstrap=False)
    att = res.estimates.tolist()
elif package == "evaluation+bootstrap":
    from evaluation.impact.staggered import staggered_did
    res = staggered_did(frame, "y", "id", "t", "g", covariates=["x"] if with_cov else [], bootstrap=True,
                        n_bootstrap=999, seed=1)
    att = res.estimates.tolist()
elif package == "moderndid":
    from moderndid import att_gt
    res = att_gt(data=frame, yname="y", tname="t", idname="id", gname="g", xformla="~x" if with_cov else None,
                 est_method="dr", boot=False, cband=False)
    att = np.asarray(res.att_gt).tolist()
elif package == "csdid":
    from csdid.att_gt import ATTgt
    res = ATTgt(yname="y", gname="g", idname="id", tname="t", data=frame,
                xformla="~x" if with_cov else "~1").fit(est_method="dr", bstrap=False)
    att = np.asarray(res.results["att"]).tolist()
elif package == "differences":
    from differences import ATTgt
    frame = frame.set_index(["id", "t"])
    frame["g"] = frame["g"].replace(0, np.nan)
    model = ATTgt(data=frame, cohort_column="g")
    out = model.fit(formula="y ~ x" if with_cov else "y", est_method="dr", control_group="never_treated",
                    progress_bar=False)
    table = out.to_pandas()
    att = table.sort_index().iloc[:, 0].to_numpy().tolist()
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "att": att}))
'''


def run(package: str, with_cov: bool) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, package, "1" if with_cov else "0", str(N_UNITS)],
                          capture_output=True, text=True, timeout=3600, cwd=HERE.parent)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    import numpy as np

    lines = [f"# bench_staggered: {N_UNITS:,} units x {PERIODS} periods, dr, never treated, analytic SEs", "",
             "| covariates | package | time (s) | peak memory (MB) | max abs diff of ATT(g,t) vs evaluation |",
             "|---|---|---:|---:|---:|"]
    for with_cov in (False, True):
        ours = None
        for package in ("evaluation", "evaluation+bootstrap", "moderndid", "csdid", "differences"):
            out = run(package, with_cov)
            if "error" in out:
                row = f"| {'x' if with_cov else 'none'} | {package} | failed: {out['error']} | | |"
            else:
                if package == "evaluation":
                    ours = np.array(out["att"])
                diff = "" if ours is None or len(out["att"]) != len(ours) else \
                    f"{np.nanmax(np.abs(np.array(out['att'], float) - ours)):.1e}"
                if ours is not None and len(out["att"]) != len(ours):
                    diff = f"{len(out['att'])} cells vs {len(ours)}"
                row = (f"| {'x' if with_cov else 'none'} | {package} | {out['seconds']:.2f} | "
                       f"{out['peak_mb']:.0f} | {diff} |")
            print(row, flush=True)
            lines.append(row)
    lines += ["", "Time is the estimation call only (data built beforehand); peak memory is the whole child "
              "process (Python, libraries and data included). 'evaluation+bootstrap' adds the 999-draw "
              "multiplier bootstrap with uniform bands."]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_staggered.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
