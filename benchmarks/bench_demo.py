"""Benchmark of `evaluation demo` as a newcomer runs it: the whole process, wall and CPU clock.

Each run is ``evaluation demo --out <new folder> --no-progress`` in a fresh subprocess (so the
interpreter start, every import and every kernel are counted), with

* **wall** seconds from start to exit;
* **CPU** seconds of the process and every descendant it waited for (kernels, the kernel
  template, pandoc, Typst: ``RUSAGE_CHILDREN`` before and after);
* **peak memory**: the largest sum of resident memory over the process tree, sampled every 0.1 s;
* the **phases** the demo reports (data generation, validation, notebooks, publication,
  rendering) from its own progress lines.

Cases: ``warm`` (the default: kernels forked from one warm template per worker, the run's
validated data loaded once) and ``cold`` (``EVALUATION_WARM_KERNELS=0``: every kernel a new
Python process that imports everything and loads the data again, as before issue 16). Runs
of the cases are interleaved so that a change in the machine's load hits both alike.
Agreement: every published table of every run must be byte-identical (time stamps aside).

    python benchmarks/bench_demo.py                  # 3 runs of each case
    python benchmarks/bench_demo.py --runs 5 --cases warm
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import PeakMemory, versions

HERE = Path(__file__).resolve().parent
#: Packages whose versions the results name.
PEERS = ("pandas", "numpy", "matplotlib", "ipykernel", "papermill", "jupyter_client", "pypandoc-binary", "typst",
         "highspy")
RESULTS = HERE / "results" / "bench_demo.md"
SUMMARY = HERE / "results" / "demo.json"
CASES = {"warm": {}, "cold": {"EVALUATION_WARM_KERNELS": "0"}}
NOTEBOOK = re.compile(r"^\s+done: (\S+) \(pooled\) \(([\d.]+) s\)$")
#: What differs between runs by design: time stamps and durations.
STAMPS = re.compile(rb'"(?:written|date|published)": "[^"]*"|"seconds": [0-9.eE+-]+')


#: What runs in the measured process: ``evaluation demo`` (as the command does it) with every progress
#: line stamped with the wall clock since the process started and the CPU seconds so far (this process,
#: and the children it has waited for: the kernel template with its kernels, pandoc).
DRIVER = """
import resource, sys, time
started = time.perf_counter()
def stamp(text):
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(f"@@ {time.perf_counter() - started:.3f} {cpu:.3f} {text}", flush=True)
if __name__ == "__main__":
    from evaluation.runner.demo import run_demo_summary
    stamp("start")
    run_demo_summary(sys.argv[1], progress=False, say=stamp)
    stamp("end")
"""
#: Phases by the progress lines that open and close them.
PHASES = {"start-up": ("start", "generating"), "generate": ("generating", "generated"),
          "validate": ("validating", "data usable"), "notebooks": ("data usable", "protecting"),
          "publish": ("protecting", "published"), "render": ("rendering", "rendered")}


def run_once(case: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix=f"bench_demo_{case}_"))
    env = {**os.environ, **CASES[case]}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", DRIVER, str(out)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=env)
    with PeakMemory(child.pid, 0.1) as memory:
        output, _ = child.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        raise SystemExit(f"demo ({case}) failed:\n{output[-3000:]}")
    stamps = [line.split(" ", 3)[1:] for line in output.splitlines() if line.startswith("@@ ")]
    stamps = [(float(w), float(c), text.strip()) for w, c, text in stamps]
    phases = {}
    for phase, (opening, closing) in PHASES.items():
        opened = next((s for s in stamps if s[2].startswith(opening)), None)
        closed = next((s for s in stamps if s[2].startswith(closing)), None)
        if opened and closed:
            phases[phase] = (closed[0] - opened[0], closed[1] - opened[1])
    notebooks = {found.group(1): float(found.group(2)) for *_, text in stamps
                 if (found := NOTEBOOK.match("  " + text))}
    published = out / "published" / "results"
    digest = hashlib.sha256()
    for path in sorted(published.rglob("*.csv")) + sorted(published.rglob("*.json")):
        # (a run's own folder appears in paths it records: its data, the fidelity ratings)
        digest.update(str(path.relative_to(published)).encode()
                      + STAMPS.sub(b"", path.read_bytes()).replace(str(out).encode(), b"<run folder>"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"case": case, "wall": wall, "cpu": cpu, "peak_mib": memory.mib, "phases": phases,
            "notebooks": notebooks, "digest": digest.hexdigest(), "load": os.getloadavg()[0]}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = []
    for run in range(args.runs):
        for case in args.cases:
            rows.append(run_once(case))
            row = rows[-1]
            print(f"{case} run {run + 1}: wall {row['wall']:.1f} s, CPU {row['cpu']:.1f} s, "
                  f"{row['peak_mib']:.0f} MiB, phases {row['phases']}, load {row['load']:.1f}", flush=True)
    lines = ["# bench_demo: `evaluation demo`, whole process", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} logical cores (affinity "
             f"{len(os.sched_getaffinity(0))}), {platform.platform()}; Python {platform.python_version()}; "
             f"{versions(PEERS)}.",
             f"Load average (1 min) before: {load_before[0]:.1f}, during the runs: "
             f"{', '.join(format(r['load'], '.1f') for r in rows)}. The machine is shared: with a load above 2 every "
             "process gets a share of the 2 cores and wall time grows with the load; CPU seconds are "
             "the steadier measure.", "",
             f"{args.runs} runs per case, interleaved; median (range).", "",
             "| case | wall (s) | CPU (s) | peak memory (MiB) |", "|---|---:|---:|---:|"]
    for case in args.cases:
        mine = [r for r in rows if r["case"] == case]
        lines.append(f"| {case} | {spread([r['wall'] for r in mine])} | {spread([r['cpu'] for r in mine])} | "
                     f"{spread([r['peak_mib'] for r in mine])} |")
    lines += ["", "Phases, wall and CPU seconds (median over runs); CPU of the kernels is counted in the "
              "notebooks phase, when the runner reaps their template:", "",
              "| phase | " + " | ".join(f"{c} wall | {c} CPU" for c in args.cases) + " |",
              "|---|" + "---:|---:|" * len(args.cases)]
    for phase in PHASES:
        cells = []
        for case in args.cases:
            values = [r["phases"][phase] for r in rows if r["case"] == case and phase in r["phases"]]
            cells += [spread([v[0] for v in values]), spread([v[1] for v in values])] if values else ["–", "–"]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    lines += ["", "(start-up: interpreter and the imports of the demo; notebooks: from the validated data to "
              "the last notebook, kernel start-up included.)", "",
              "Seconds per notebook (wall, as the run summary reports them; median over runs):", "",
              "| notebook | " + " | ".join(args.cases) + " |", "|---|" + "---:|" * len(args.cases)]
    names = sorted({n for r in rows for n in r["notebooks"]})
    for name in names:
        cells = [spread([r["notebooks"][name] for r in rows if r["case"] == case and name in r["notebooks"]])
                 for case in args.cases]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    same = len({r["digest"] for r in rows}) == 1
    lines += ["", f"Published tables (CSV and JSON, time stamps aside) byte-identical in all {len(rows)} runs: "
                  f"{'yes' if same else 'NO'}."]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    # the line `make bench` prints under its table of ratios (benchmarks/run_all.py)
    SUMMARY.write_text(json.dumps({case: {
        "runs": len(mine), "wall": statistics.median(r["wall"] for r in mine),
        "wall_range": [min(r["wall"] for r in mine), max(r["wall"] for r in mine)],
        "cpu": statistics.median(r["cpu"] for r in mine), "peak_mib": statistics.median(r["peak_mib"] for r in mine),
        "load": [min(r["load"] for r in mine), max(r["load"] for r in mine)], "cores": len(os.sched_getaffinity(0))}
        for case in args.cases if (mine := [r for r in rows if r["case"] == case])}, indent=1), encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
