"""Heterogeneity-robust event studies against their Python peers, side by side, in one run.

Panel: 100,000 units x 10 periods (1,000,000 rows), cohorts entering in periods 4, 6, 8 and a
never-treated group, effects growing with time since entry. Cases (each estimation in its own
subprocess, ``RUNS`` times; median and range of the wall time of the estimation call, peak
resident memory of the process):

* Sun & Abraham (event-time effects, fixest's fixed-share errors): evaluation, pyfixest
  ``feols`` with ``i(rel, cohort)`` interactions (its SaturatedEventStudy's regression) plus the
  share-weighted aggregation, diff-diff ``SunAbraham``;
* two-stage DiD (static ATT with GMM errors): evaluation, pyfixest ``did2s``, diff-diff
  ``TwoStageDiD``;
* imputation (static ATT and event-time effects, Theorem 3 errors): evaluation, diff-diff
  ``ImputationDiD``;
* Goodman-Bacon decomposition: evaluation, diff-diff ``BaconDecomposition``.

Every peer's numbers are compared with ours (max abs difference of estimates and SEs). The
machine is shared with other engineers: the load average before and after each case is kept.
Run:  python benchmarks/bench_event_studies.py [n_units] [runs]
Writes benchmarks/results/bench_event_studies.md (bench_event_studies_<n_units>.md for other
sizes: a 3,000-unit run is where pyfixest's did2s and diff-diff's TwoStageDiD fit in memory).
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

N_UNITS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
HERE = Path(__file__).parent

CHILD = r'''
import json, resource, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
method, package, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(7)
T = 10
g = rng.choice([0, 4, 6, 8], size=n, p=[0.4, 0.2, 0.2, 0.2])
t = np.arange(1, T + 1)
e = t[None, :] - g[:, None]
effect = np.where((g[:, None] > 0) & (e >= 0), 1.0 + 0.3 * e, 0.0)
y = 0.2 * t[None, :] + rng.normal(size=n)[:, None] + effect + rng.normal(size=(n, T))
frame = pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(t, n), "g": np.repeat(g, T),
                      "y": y.ravel()})
frame["rel"] = np.where(frame["g"] > 0, frame["t"] - frame["g"], -1000).astype(int)
frame["treat"] = (frame["g"] > 0) & (frame["t"] >= frame["g"])
if package == "evaluation":
    from evaluation.impact import bacon_decomposition, imputation, sun_abraham, two_stage
elif package == "pyfixest":
    import pyfixest as pf
else:
    from diff_diff import BaconDecomposition, ImputationDiD, SunAbraham, TwoStageDiD
out = {}
start = time.perf_counter()  # imports done; numba-compiled peers still compile on first call
if method == "sun_abraham":
    if package == "evaluation":
        res = sun_abraham(frame, "y", "id", "t", "g", share_variance=False)
        rows = res.table[~res.table["reference"]]
        out = {"est": rows["estimate"].tolist(), "se": rows["std_error"].tolist()}
    elif package == "pyfixest":
        fit = pf.feols("y ~ i(rel, g, ref=-1, ref2=0) | id + t", frame, vcov={"CRV1": "id"})
        names = [c for c in fit._coefnames]
        rel_of = np.array([float(c.split("::")[1].split(":")[0]) for c in names])
        coh_of = np.array([float(c.split("::")[-1]) for c in names])
        counts = np.array([((frame["rel"] == r) & (frame["g"] == c)).sum() for r, c in zip(rel_of, coh_of)])
        beta, V = fit._beta_hat, fit._vcov
        est, se = [], []
        for r in np.unique(rel_of):
            m = rel_of == r
            s = counts[m] / counts[m].sum()
            est.append(float(s @ beta[m])); se.append(float(np.sqrt(s @ V[np.ix_(m, m)] @ s)))
        out = {"est": est, "se": se}
    elif package == "diff-diff":
        res = SunAbraham(cluster="id").fit(frame, "y", "id", "t", "g")
        keys = sorted(k for k in res.event_study_effects if k != -1)
        out = {"est": [float(res.event_study_effects[k]["effect"]) for k in keys],
               "se": [float(res.event_study_effects[k]["se"]) for k in keys]}
elif method == "two_stage":
    if package == "evaluation":
        res = two_stage(frame, "y", "id", "t", "g", lags=0, leads=0)
        out = {"est": [res.estimate], "se": [res.std_error]}
    elif package == "pyfixest":
        fit = pf.did2s(frame, yname="y", first_stage="~ 0 | id + t", second_stage="~ i(treat, ref=False)",
                       treatment="treat", cluster="id")
        out = {"est": [float(fit.coef().iloc[0])], "se": [float(fit.se().iloc[0])]}
    elif package == "diff-diff":
        res = TwoStageDiD(cluster="id").fit(frame, "y", "id", "t", "g")
        out = {"est": [float(res.overall_att)], "se": [float(res.overall_se)]}
elif method == "imputation":
    if package == "evaluation":
        res = imputation(frame, "y", "id", "t", "g", pretrend_leads=0)
        out = {"est": [res.estimate] + res.table["estimate"].tolist(),
               "se": [res.std_error] + res.table["std_error"].tolist()}
    elif package == "diff-diff":
        res = ImputationDiD(cluster="id").fit(frame, "y", "id", "t", "g", aggregate="event_study")
        keys = sorted(k for k in res.event_study_effects if k >= 0)
        out = {"est": [float(res.overall_att)] + [float(res.event_study_effects[k]["effect"]) for k in keys],
               "se": [float(res.overall_se)] + [float(res.event_study_effects[k]["se"]) for k in keys]}
elif method == "bacon":
    if package == "evaluation":
        res = bacon_decomposition(frame, "y", "id", "t", "g")
        c = res.comparisons.sort_values(["treated", "control"])
        out = {"est": c["estimate"].tolist(), "se": c["weight"].tolist()}
    elif package == "diff-diff":
        res = BaconDecomposition().fit(frame, "y", "id", "t", "g")
        c = pd.DataFrame([{"treated": float(x.treated_group), "control": np.inf if x.control_group ==
                           "never_treated" else float(x.control_group), "est": x.estimate, "w": x.weight}
                          for x in res.comparisons]).sort_values(["treated", "control"])
        out = {"est": c["est"].tolist(), "se": c["w"].tolist()}
seconds = time.perf_counter() - start
out.update(seconds=seconds, peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(out))
'''

CASES = {"sun_abraham": ("evaluation", "pyfixest", "diff-diff"),
         "two_stage": ("evaluation", "pyfixest", "diff-diff"),
         "imputation": ("evaluation", "diff-diff"),
         "bacon": ("evaluation", "diff-diff")}


#: pyfixest's did2s builds dense unit and period dummies for its GMM variance (3.2 GB at 3,000
#: units): beyond this many units it would exhaust the shared machine's memory, so it is skipped.
PYFIXEST_DID2S_MAX_UNITS = 5_000


def run(method: str, package: str) -> dict:
    if method == "two_stage" and package == "pyfixest" and N_UNITS > PYFIXEST_DID2S_MAX_UNITS:
        return {"error": f"not run above {PYFIXEST_DID2S_MAX_UNITS:,} units (dense dummies; 3.2 GB at 3,000)"}
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, method, package, str(N_UNITS)],
                              capture_output=True, text=True, timeout=1800, cwd=HERE.parent)
    except subprocess.TimeoutExpired:
        return {"error": "timed out after 1800 s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def version(package: str) -> str:
    name = {"evaluation": "evaluation"}.get(package, package)
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def main() -> None:
    import numpy as np

    lines = [f"# bench_event_studies: {N_UNITS:,} units x 10 periods ({10 * N_UNITS:,} rows), {RUNS} runs each",
             "", f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             "shared with other engineers (load average before each case shown).", "",
             "| estimator | package (version) | median s | range s | peak MB | load avg | "
             "max abs diff of estimates vs evaluation | max abs diff of SEs (weights for bacon) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for method, packages in CASES.items():
        ours = None
        for package in packages:
            load = os.getloadavg()[0]
            outs = [run(method, package) for _ in range(RUNS)]
            good = [o for o in outs if "error" not in o]
            label = f"{package} ({version(package)})"
            if not good:
                row = f"| {method} | {label} | failed: {outs[0]['error']} | | | {load:.1f} | | |"
            else:
                times = [o["seconds"] for o in good]
                last = good[-1]
                if package == "evaluation":
                    ours = last
                diff_est = diff_se = ""
                if ours is not None and package != "evaluation":
                    if len(last["est"]) == len(ours["est"]):
                        diff_est = f"{np.max(np.abs(np.subtract(last['est'], ours['est']))):.1e}"
                        diff_se = f"{np.max(np.abs(np.subtract(last['se'], ours['se']))):.1e}"
                    else:
                        diff_est = f"{len(last['est'])} terms vs {len(ours['est'])}"
                row = (f"| {method} | {label} | {np.median(times):.2f} | {min(times):.2f}-{max(times):.2f} | "
                       f"{max(o['peak_mb'] for o in good):.0f} | {load:.1f} | {diff_est} | {diff_se} |")
            print(row, flush=True)
            lines.append(row)
    lines += ["", "Time is the estimation call only (the panel is built beforehand in the same process); peak "
              "memory is the whole child process (Python, libraries and data). Sun & Abraham is compared "
              "with fixest's fixed-share errors (share_variance=False); two-stage on the static ATT "
              "(GMM errors); imputation on the static ATT and every horizon (Theorem 3 errors); Bacon on every "
              "comparison's estimate and weight."]
    (HERE / "results").mkdir(exist_ok=True)
    name = "bench_event_studies.md" if N_UNITS == 100_000 else f"bench_event_studies_{N_UNITS}.md"
    (HERE / "results" / name).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
