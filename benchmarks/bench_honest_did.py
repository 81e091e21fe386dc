"""HonestDiD sensitivity sets on a 12-period event study (6 pre, 6 post coefficients): relative
magnitudes (C-LF) over 10 values of Mbar and smoothness (FLCI) over 10 values of M, for the first
post-period effect. evaluation.impact.honest_did against the Python port of R HonestDiD on PyPI
(``honestdid``, same algorithm as R: grid of 1000 points, CVXPY/LP solvers) in one run; each case in
its own subprocess, timed 3 times (median, min-max), numbers compared (our grid end points,
refine=False, so both report points of the same grid).
``diff-diff`` (PyPI) also implements HonestDiD but only on its own results containers; it is not run.
Run: python benchmarks/bench_honest_did.py   (writes benchmarks/results/bench_honest_did.md)
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
MBAR = np.linspace(0.25, 2.5, 10).tolist()
M = np.linspace(0.0, 0.05, 10).tolist()

CHILD = r'''
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
package = sys.argv[1]
rng = np.random.default_rng(7)
k = 12
L = rng.normal(size=(k, k)) * 0.004
sigma = L @ L.T + np.eye(k) * 1e-4
beta = np.r_[0.004 * np.arange(-3, 3), 0.05 + 0.01 * np.arange(6)] + rng.multivariate_normal(np.zeros(k), sigma)
mbar, m = json.loads(sys.argv[2]), json.loads(sys.argv[3])
start = time.perf_counter()
if package == "evaluation":
    from evaluation.impact.honest_did import honest_did
    rm = honest_did(beta, sigma, num_pre=6, num_post=6, values=mbar, refine=False, breakdown=False)
    sd = honest_did(beta, sigma, num_pre=6, num_post=6, restriction="smoothness", values=m, breakdown=False)
    rm_lb, rm_ub = rm.robust["conf_low"].tolist(), rm.robust["conf_high"].tolist()
    sd_lb, sd_ub = sd.robust["conf_low"].tolist(), sd.robust["conf_high"].tolist()
else:
    import honestdid
    rm = honestdid.createSensitivityResults_relativeMagnitudes(beta, sigma, 6, 6, Mbarvec=mbar)
    sd = honestdid.createSensitivityResults(beta, sigma, 6, 6, Mvec=m)
    rm_lb, rm_ub = [float(x) for x in rm["lb"]], [float(x) for x in rm["ub"]]
    sd_lb, sd_ub = [float(x) for x in sd["lb"]], [float(x) for x in sd["ub"]]
print(json.dumps({"seconds": time.perf_counter() - start, "rm_lb": rm_lb, "rm_ub": rm_ub, "sd_lb": sd_lb, "sd_ub": sd_ub}))
'''


def run(package: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, package, json.dumps(MBAR), json.dumps(M)],
                          capture_output=True, text=True, timeout=3600, cwd=HERE.parent)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:150]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as v

    try:
        return v(name)
    except PackageNotFoundError:
        return "not installed"


def main() -> None:
    runs = {p: [run(p) for _ in range(3)] for p in ("evaluation", "honestdid")}
    lines = ["# bench_honest_did: 6 pre + 6 post coefficients, RM C-LF x 10 Mbar + SD FLCI x 10 M", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, shared with "
             f"other engineers (load {os.getloadavg()[0]:.1f}); peers: honestdid {version('honestdid')}, "
             f"diff-diff {version('diff-diff')} (not run, see docstring).", "",
             "| package | median time (s) | range (s) | max diff RM sets vs evaluation | max diff SD sets |",
             "|---|---:|---:|---:|---:|"]
    ours = runs["evaluation"][0]
    for package, results in runs.items():
        ok = [r for r in results if "error" not in r]
        if not ok:
            lines.append(f"| {package} | failed: {results[0]['error']} | | | |")
            continue
        times = [r["seconds"] for r in ok]
        first = ok[0]
        rm = max(np.max(np.abs(np.array(first[k]) - np.array(ours[k]))) for k in ("rm_lb", "rm_ub"))
        sd = max(np.max(np.abs(np.array(first[k]) - np.array(ours[k]))) for k in ("sd_lb", "sd_ub"))
        lines.append(f"| {package} | {np.median(times):.2f} | {min(times):.2f}-{max(times):.2f} | {rm:.2e} | {sd:.2e} |")
    lines += ["", "RM sets differ by at most about one grid step (40 SE / 999) because the least-favourable "
              "critical value is simulated (different draws); SD FLCIs differ by R's simulated folded-normal "
              "quantile (~1e-4 relative)."]
    text = "\n".join(lines)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_honest_did.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
