"""Speed of synthetic control (with placebo inference) and synthetic DiD against the Python peers.

Cases (data: a factor-model municipality panel, 13 years, treatment from year 9, made in each child):
* SC: 1 treated + 200 donor municipalities (and 50, where pysyncon finishes), predictors = the 8 pre-treatment outcomes with equal V
  (so every package solves the same convex problem), then placebo-in-space inference: 200 re-fits.
  Peers (the ``bench`` extra; synthdid-py installs as the module ``synthdid``, which the older PyPI
  package ``synthdid`` — pinned to numpy 1.23 — also claims, so only synthdid-py is used):
  pysyncon (Synth + PlaceboTest, treated place left out of placebo pools, one worker) and
  diff-diff (SyntheticControl + in_space_placebo, treated place in the pools, as ADH 2010); our
  placebo run follows each peer's pool convention so that the p-values compare.
* SDID: 150 never-treated + 1 treated municipality (and + 10 treated), estimate and placebo
  standard error with 200 replications. Peers: synthdid-py (a port of R synthdid), diff-diff.
Each case runs in its own subprocess, REPEATS times (once if it takes more than two minutes); the table gives the median and range of the
wall-clock times, the machine and load, the versions, and the largest difference of the numbers
against ours (weights, p-values, estimates; placebo SEs are random and compared loosely).
Run:  python benchmarks/bench_synthetic_control.py [repeats] [timeout]
Writes benchmarks/results/bench_synthetic_control.md, and bench_synthetic_control.json with the
ratios (our median CPU and wall time over the fastest peer's, per case) that run_all.py collects
into results/ratios.md.
"""
from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
#: A peer run that takes longer than this is reported as not finished.
TIMEOUT = int(sys.argv[2]) if len(sys.argv) > 2 else 1800
#: A run longer than this (seconds) is not repeated.
SLOW = 120
HERE = Path(__file__).parent

CHILD = r'''
import json, resource, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
case, package = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(2025)
T, START = 13, 9
years = np.arange(2012, 2012 + T)
def panel(n_donors, n_treated):
    n = n_donors + n_treated
    f = rng.normal(size=(2, T)).cumsum(axis=1)
    load = rng.normal(size=(n, 2))
    y = 5 + rng.normal(size=(n, 1)) + load @ f + 0.3 * rng.normal(size=(n, T))
    y[:n_treated, START - 1:] -= 1.0
    names = [f"t{i}" for i in range(n_treated)] + [f"m{i:03d}" for i in range(n_donors)]
    df = pd.DataFrame({"unit": np.repeat(names, T), "year": np.tile(years, n), "y": y.ravel()})
    df["treated"] = (df.unit.str.startswith("t") & (df.year >= years[START - 1])).astype(int)
    df["ever"] = df.unit.str.startswith("t").astype(int)
    return df
pre = list(years[:START - 1])
out = {}
# imports happen before the clock starts (the time is the estimation and inference only)
if package.startswith("evaluation"):
    from evaluation.impact import synthetic_control, synthetic_did
elif package == "pysyncon":
    from pysyncon import Dataprep, Synth
    from pysyncon.utils import PlaceboTest
elif package == "diff-diff":
    from diff_diff import SyntheticControl, SyntheticDiD
elif package == "synthdid-py":
    from synthdid import panel_matrices, synthdid_estimate
def cpu_seconds():
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + child.ru_utime + child.ru_stime
if case.startswith("sc"):
    df = panel(50 if case.endswith("50") else 200, 1)
    start, cpu0 = time.perf_counter(), cpu_seconds()
    if package.startswith("evaluation"):
        res = synthetic_control(df, "y", "unit", "year", treatment="treated",
                                predictors=[("y", t) for t in pre], v="equal")
        p = res.placebo_in_space(include_treated=package.endswith("adh"))
        out["weights"] = dict(zip(map(str, res.donors), res.weights.tolist()))
        out["p_value"] = p.p_value
    elif package == "pysyncon":
        donors = sorted(u for u in df.unit.unique() if u != "t0")
        dp = Dataprep(foo=df, predictors=[], predictors_op="mean", time_predictors_prior=pre,
                      special_predictors=[("y", [t], "mean") for t in pre], dependent="y", unit_variable="unit",
                      time_variable="year", treatment_identifier="t0", controls_identifier=donors,
                      time_optimize_ssr=pre)
        synth = Synth()
        synth.fit(dataprep=dp, custom_V=np.ones(len(pre)))
        pt = PlaceboTest()
        pt.fit(dataprep=dp, scm=Synth(), scm_options={"custom_V": np.ones(len(pre))}, max_workers=1, verbose=False)
        w = synth.weights(round=12)
        out["weights"] = {str(k): float(v) for k, v in w.items()}
        # pysyncon's own pvalue() counts the first treated year both before and after the start; the
        # ADH ratio (years before vs from the start) is recomputed from its placebo gaps to compare
        gaps = pd.concat([pt.gaps, pt.treated_gap], axis=1)
        before = gaps.index < years[START - 1]
        ratio = np.sqrt((gaps[~before] ** 2).mean()) / np.sqrt((gaps[before] ** 2).mean())
        out["p_value"] = float((ratio >= ratio.iloc[-1] * (1 - 1e-12)).mean())
        out["p_value_pysyncon"] = float(pt.pvalue(treatment_time=int(years[START - 1])))
    elif package == "diff-diff":
        est = SyntheticControl(v_method="custom", custom_v=np.ones(len(pre)))
        res = est.fit(df, "y", "treated", "unit", "year", post_periods=list(years[START - 1:]), treated_unit="t0",
                      special_predictors=[("y", [t], "mean") for t in pre])
        res.in_space_placebo()
        out["weights"] = {str(k): float(v) for k, v in res.donor_weights.items()}
        out["p_value"] = float(res.placebo_p_value)
else:
    n_treated = 10 if case == "sdid10" else 1
    df = panel(150, n_treated)
    start, cpu0 = time.perf_counter(), cpu_seconds()
    if package == "evaluation":
        res = synthetic_did(df, "y", "unit", "year", "treated", se_method="placebo", replications=200, seed=1)
        out["estimate"], out["se"] = res.estimate, res.std_error
    elif package == "synthdid-py":
        p = panel_matrices(df, unit="unit", time="year", outcome="y", treatment="treated")
        tau = synthdid_estimate(p.Y, p.N0, p.T0)
        out["estimate"], out["se"] = float(tau), float(tau.se(method="placebo", replications=200, random_state=1))
    elif package == "diff-diff":
        res = SyntheticDiD(variance_method="placebo", n_bootstrap=200, seed=1).fit(
            df, "y", "ever", "unit", "year", post_periods=list(years[START - 1:]))
        out["estimate"], out["se"] = float(res.att), float(res.se)
out["seconds"] = time.perf_counter() - start
out["cpu"] = cpu_seconds() - cpu0
print(json.dumps(out))
'''

CASES = [
    ("sc50", ["evaluation", "pysyncon"], "SC + 50 placebos, treated left out of placebo pools"),
    ("sc", ["evaluation", "pysyncon"], "SC + 200 placebos, treated left out of placebo pools"),
    ("sc_adh", ["evaluation_adh", "diff-diff"], "SC + 200 placebos, treated in placebo pools (ADH 2010)"),
    ("sdid1", ["evaluation", "synthdid-py", "diff-diff"], "SDID, 150 controls, 1 treated, placebo SE (200)"),
    ("sdid10", ["evaluation", "synthdid-py", "diff-diff"], "SDID, 150 controls, 10 treated, placebo SE (200)"),
]


def run(case: str, package: str) -> dict:
    # own process group: a run that times out is ended with its worker processes (pysyncon's pool)
    proc = subprocess.Popen([sys.executable, "-c", CHILD, case, package], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=HERE.parent, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"error": f"did not finish in {TIMEOUT} s"}
    if proc.returncode != 0:
        return {"error": (stderr.strip().splitlines() or ["failed"])[-1][:160]}
    return json.loads(stdout.strip().splitlines()[-1])


def versions() -> str:
    from importlib import metadata

    parts = []
    for name in ("numpy", "scipy", "pandas", "pysyncon", "diff-diff", "synthdid-py"):
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


def compare(ours: dict, theirs: dict) -> str:
    if "weights" in ours and "weights" in theirs:
        keys = set(ours["weights"]) | set(theirs["weights"])
        dw = max(abs(ours["weights"].get(k, 0.0) - theirs["weights"].get(k, 0.0)) for k in keys)
        extra = (f" (its pvalue(): {theirs['p_value_pysyncon']:.4f}, first treated year on both sides)"
                 if "p_value_pysyncon" in theirs else "")
        return f"weights {dw:.1e}; p {theirs['p_value']:.4f} vs {ours['p_value']:.4f}{extra}"
    if "estimate" in ours and "estimate" in theirs:
        return (f"estimate {abs(ours['estimate'] - theirs['estimate']):.1e}; "
                f"placebo SE {theirs['se']:.4f} vs {ours['se']:.4f}")
    return ""


def main() -> None:
    import statistics

    load = os.getloadavg()
    lines = [f"# bench_synthetic_control ({REPEATS} runs per cell: median [min–max] seconds)", "",
             (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}; load average at start {load[0]:.2f} / {load[1]:.2f} / "
             f"{load[2]:.2f} (shared with other developers' jobs)."), f"Versions: {versions()}.", "",
             "| case | package | wall time (s) | CPU time (s) | agreement with evaluation |", "|---|---|---:|---:|---|"]
    medians: dict[str, dict[str, tuple[float, float] | str]] = {}
    for case, packages, label in CASES:
        ours = None
        for package in packages:
            outs = [run(case, package)]
            # no repeats of a failed run, nor of one that took minutes (its range would say little)
            while "error" not in outs[0] and outs[0]["seconds"] < SLOW and len(outs) < REPEATS:
                outs.append(run(case, package))
            good = [o for o in outs if "error" not in o]
            if not good:
                row = f"| {label} | {package} | failed: {outs[0]['error']} | | |"
                medians.setdefault(label, {})[package] = outs[0]["error"]
            else:
                times = [o["seconds"] for o in good]
                cpus = [o["cpu"] for o in good]
                if package.startswith("evaluation"):
                    ours = good[0]
                agree = "" if ours is None or package.startswith("evaluation") else compare(ours, good[0])
                medians.setdefault(label, {})[package] = (statistics.median(cpus), statistics.median(times))
                row = (f"| {label} | {package} | {statistics.median(times):.2f} [{min(times):.2f}–{max(times):.2f}] "
                       f"| {statistics.median(cpus):.2f} [{min(cpus):.2f}–{max(cpus):.2f}] | {agree} |")
            print(row, flush=True)
            lines.append(row)
    lines += ["", ("Time is the estimation and inference call only (imports and data made beforehand in the child "
                   "process). CPU time (user + system, worker processes included) is less affected than wall time "
                   "by other jobs on the shared machine. Weights: largest absolute difference of donor weights; p: "
                   "placebo permutation p-values (pysyncon's own pvalue() counts the first treated year both before "
                   "and after the start, so the ADH ratio is recomputed from its placebo gaps); SDID placebo SEs are "
                   "random: they coincide here because all three packages draw the same permutations from "
                   "numpy's default_rng(1), otherwise they agree within Monte Carlo error.")]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "bench_synthetic_control.md").write_text("\n".join(lines) + "\n")
    record = {"load_before": list(load), "load_after": list(os.getloadavg())}
    (HERE / "results" / "bench_synthetic_control.json").write_text(
        json.dumps({"record": record, "ratios": ratios(medians)}, indent=1) + "\n")


def ratios(medians: dict) -> dict:
    """Per case, as benchmarks/_harness.ratios: ours over the fastest peer, median CPU and wall time."""
    out = {}
    for label, packages in medians.items():
        ours = next((v for p, v in packages.items() if p.startswith("evaluation")), None)
        peers = {p: v for p, v in packages.items() if not p.startswith("evaluation") and isinstance(v, tuple)}
        if not isinstance(ours, tuple):
            continue
        if not peers:
            failed = "; ".join(f"{p}: {v}" for p, v in packages.items() if not p.startswith("evaluation"))
            out[label] = {"ours_cpu": ours[0], "ours_wall": ours[1], "peer": failed, "peer_cpu": float("nan"),
                          "peer_wall": float("nan"), "ratio_cpu": float("nan"), "ratio_wall": float("nan")}
            continue
        cpu_peer = min(peers, key=lambda p: peers[p][0])
        wall_peer = min(peers, key=lambda p: peers[p][1])
        out[label] = {"ours_cpu": ours[0], "ours_wall": ours[1], "peer": cpu_peer, "peer_cpu": peers[cpu_peer][0],
                      "peer_wall": peers[wall_peer][1], "peer_wall_name": wall_peer,
                      "ratio_cpu": ours[0] / peers[cpu_peer][0], "ratio_wall": ours[1] / peers[wall_peer][1]}
    return out


if __name__ == "__main__":
    main()
