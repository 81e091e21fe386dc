"""HonestDiD sensitivity sets on a 12-period event study (6 pre, 6 post coefficients), for the first
post-period effect: relative magnitudes (C-LF confidence sets) over 10 values of Mbar, and
smoothness (optimal FLCI) over 10 values of M. evaluation.impact.honest_did against the PyPI peers
on the same coefficients and covariance, in one run; each package in its own subprocess, REPEATS
runs (median and range of wall and CPU time), numbers compared.

* ``honestdid`` (the Python port of R HonestDiD: grid of 1000 points, CVXPY/LP solvers). Our grid
  end points (refine=False) are compared, so both report points of the same grid.
* ``diff-diff``: its ``HonestDiD`` runs on a ``MultiPeriodDiDResults`` container, which is built
  here from the raw coefficients and covariance (period effects, ``vcov`` and
  ``interaction_indices``; the reference period 0 between the pre and post periods). Its
  smoothness interval is the optimal FLCI of Rambachan & Roth, as ours and R's, and is compared.
  Its relative-magnitude interval is a different object: a naive FLCI around the estimated
  identified set (its docstring: the ARP hybrid is "implemented but disabled"), not the C-LF set
  of R HonestDiD; it is timed and its width reported, but it is not compared and not used in the
  speed ratio.

Run: python benchmarks/bench_honest_did.py [repeats] [packages, comma-separated]   (writes benchmarks/results/bench_honest_did.md
and bench_honest_did.json, whose ratios run_all.py collects into results/ratios.md)
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
TIMEOUT = 3600
#: A package whose run takes longer than this (seconds) is not repeated.
SLOW = 120
MBAR = np.linspace(0.25, 2.5, 10).tolist()
M = np.linspace(0.0, 0.05, 10).tolist()
PACKAGES = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else ("evaluation", "honestdid", "diff-diff")
CASES = {"rm": "RM, C-LF sets x 10 Mbar", "sd": "SD, optimal FLCI x 10 M"}

CHILD = r'''
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
package = sys.argv[1]
rng = np.random.default_rng(7)
k = 12
L = rng.normal(size=(k, k)) * 0.004
sigma = L @ L.T + np.eye(k) * 1e-4
beta = np.r_[0.004 * np.arange(-3, 3), 0.05 + 0.01 * np.arange(6)] + rng.multivariate_normal(np.zeros(k), sigma)
mbar, m = json.loads(sys.argv[2]), json.loads(sys.argv[3])
first = np.r_[1.0, np.zeros(5)]
def cpu():
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime
# imports and containers before the clock starts
if package == "evaluation":
    from evaluation.impact.honest_did import honest_did
    def rm():
        r = honest_did(beta, sigma, num_pre=6, num_post=6, values=mbar, refine=False, breakdown=False)
        return r.robust["conf_low"].tolist(), r.robust["conf_high"].tolist()
    def sd():
        r = honest_did(beta, sigma, num_pre=6, num_post=6, restriction="smoothness", values=m, breakdown=False)
        return r.robust["conf_low"].tolist(), r.robust["conf_high"].tolist()
elif package == "honestdid":
    import honestdid
    def rm():
        r = honestdid.createSensitivityResults_relativeMagnitudes(beta, sigma, 6, 6, Mbarvec=mbar)
        return [float(x) for x in r["lb"]], [float(x) for x in r["ub"]]
    def sd():
        r = honestdid.createSensitivityResults(beta, sigma, 6, 6, Mvec=m)
        return [float(x) for x in r["lb"]], [float(x) for x in r["ub"]]
else:
    from diff_diff.honest_did import HonestDiD
    from diff_diff.results import MultiPeriodDiDResults, PeriodEffect
    periods = list(range(-6, 0)) + list(range(1, 7))          # reference period 0 omitted
    se = np.sqrt(np.diag(sigma))
    effects = {p: PeriodEffect(period=p, effect=float(b), se=float(s), t_stat=float(b / s), p_value=float("nan"),
                               conf_int=(b - 1.96 * s, b + 1.96 * s)) for p, b, s in zip(periods, beta, se)}
    nan = float("nan")
    container = MultiPeriodDiDResults(
        period_effects=effects, avg_att=nan, avg_se=nan, avg_t_stat=nan, avg_p_value=nan, avg_conf_int=(nan, nan),
        n_obs=0, n_treated=0, n_control=0, pre_periods=periods[:6] + [0], post_periods=periods[6:], vcov=sigma,
        reference_period=0, interaction_indices={p: i for i, p in enumerate(periods)})
    def fits(method, values):
        out = [HonestDiD(method=method, M=v, l_vec=first).fit(container) for v in values]
        return [float(r.ci_lb) for r in out], [float(r.ci_ub) for r in out]
    rm = lambda: fits("relative_magnitude", mbar)
    sd = lambda: fits("smoothness", m)
out = {}
for name, run in (("rm", rm), ("sd", sd)):
    start, cpu0 = time.perf_counter(), cpu()
    lb, ub = run()
    out[name] = {"seconds": time.perf_counter() - start, "cpu": cpu() - cpu0, "lb": lb, "ub": ub}
print(json.dumps(out))
'''


def run(package: str) -> dict:
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, package, json.dumps(MBAR), json.dumps(M)],
                              capture_output=True, text=True, timeout=TIMEOUT, cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {TIMEOUT} s"}
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


def agreement(case: str, package: str, ours: dict, theirs: dict) -> str:
    lb, ub = np.array(theirs["lb"]), np.array(theirs["ub"])
    if case == "rm" and package == "diff-diff":
        width = (ub - lb) / (np.array(ours["ub"]) - np.array(ours["lb"]))
        return (f"not compared: naive FLCI around the identified set, not C-LF; width {width.min():.2f}-"
                f"{width.max():.2f} x ours")
    diff = max(np.max(np.abs(lb - ours["lb"])), np.max(np.abs(ub - ours["ub"])))
    scale = np.max(np.array(ours["ub"]) - np.array(ours["lb"]))
    return f"max |difference| of end points {diff:.1e} ({diff / scale:.1e} of the widest set)"


def main() -> None:
    load_before = os.getloadavg()
    runs: dict[str, list[dict]] = {p: [] for p in PACKAGES}
    for _ in range(REPEATS):                       # interleaved: each round runs every package once
        for package in PACKAGES:
            done = runs[package]
            if done and ("error" in done[0] or done[0]["rm"]["seconds"] + done[0]["sd"]["seconds"] > SLOW):
                continue                           # no repeats of a failed run or one that takes minutes
            done.append(run(package))
    load_after = os.getloadavg()
    lines = ["# bench_honest_did: 6 pre + 6 post coefficients, first post-period effect", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}, shared with other engineers' work: load average (1, 5, 15 min) "
             f"{load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} before, "
             f"{load_after[0]:.1f} / {load_after[1]:.1f} / {load_after[2]:.1f} after. Versions: numpy "
             f"{version('numpy')}, scipy {version('scipy')}, honestdid {version('honestdid')}, diff-diff "
             f"{version('diff-diff')}, cvxpy {version('cvxpy')}. {REPEATS} interleaved runs per package "
             f"(one if it takes more than {SLOW} s); median [min-max].", "",
             "| case | package | wall s | CPU s | agreement with evaluation |", "|---|---|---:|---:|---|"]
    ratios = {}
    for case, label in CASES.items():
        ours = next((r[case] for r in runs["evaluation"] if "error" not in r), None)
        medians = {}
        for package in PACKAGES:
            good = [r[case] for r in runs[package] if "error" not in r]
            if not good:
                lines.append(f"| {label} | {package} | failed: {runs[package][0]['error']} | | |")
                continue
            wall, cpu = [g["seconds"] for g in good], [g["cpu"] for g in good]
            medians[package] = (statistics.median(cpu), statistics.median(wall))
            agree = "reference" if package == "evaluation" or ours is None else agreement(case, package, ours, good[-1])
            lines.append(f"| {label} | {package} | {statistics.median(wall):.2f} [{min(wall):.2f}-{max(wall):.2f}] | "
                         f"{statistics.median(cpu):.2f} [{min(cpu):.2f}-{max(cpu):.2f}] | {agree} |")
        peers = {p: v for p, v in medians.items() if p != "evaluation" and not (case == "rm" and p == "diff-diff")}
        if "evaluation" in medians and peers:
            cpu_peer = min(peers, key=lambda p: peers[p][0])
            wall_peer = min(peers, key=lambda p: peers[p][1])
            ours_cpu, ours_wall = medians["evaluation"]
            ratios[f"HonestDiD {label}"] = {
                "ours_cpu": ours_cpu, "ours_wall": ours_wall, "peer": cpu_peer, "peer_cpu": peers[cpu_peer][0],
                "peer_wall": peers[wall_peer][1], "peer_wall_name": wall_peer,
                "ratio_cpu": ours_cpu / peers[cpu_peer][0], "ratio_wall": ours_wall / peers[wall_peer][1]}
    lines += ["", "| case | evaluation CPU s | fastest peer | peer CPU s | ratio CPU | ratio wall |",
              "|---|---:|---|---:|---:|---:|"]
    for label, r in ratios.items():
        lines.append(f"| {label} | {r['ours_cpu']:.2f} | {r['peer']} | {r['peer_cpu']:.2f} | {r['ratio_cpu']:.2f} | "
                     f"{r['ratio_wall']:.2f} |")
    lines += ["", "Time is the sensitivity call only (imports, data and diff-diff's results container made "
              "before the clock starts); CPU time includes worker processes. RM C-LF sets differ by up to about "
              "one grid step because the least-favourable critical value is simulated (different draws); SD "
              "FLCIs differ by the simulated folded-normal quantile (R HonestDiD simulates it; ~1e-5 relative). "
              "diff-diff's RM interval is another method (see the script's docstring), so the RM ratio is "
              "against honestdid only."]
    text = "\n".join(lines)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_honest_did.md").write_text(text + "\n")
    record = {"load_before": list(load_before), "load_after": list(load_after)}
    (HERE / "results" / "bench_honest_did.json").write_text(json.dumps({"record": record, "ratios": ratios},
                                                                       indent=1) + "\n")


if __name__ == "__main__":
    main()
