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
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "bench_demo.md"
CASES = {"warm": {}, "cold": {"EVALUATION_WARM_KERNELS": "0"}}
#: The demo's progress lines that time a phase: "<text> (<seconds> s)".
PHASES = {"generate": r"^generated \(([\d.]+) s\)", "validate": r"^data usable: .*\(([\d.]+) s\)$",
          "publish": r"^published to .*\(([\d.]+) s\)$", "render": r"^rendered .*\(([\d.]+) s\)$"}
NOTEBOOK = re.compile(r"^\s+done: (\S+) \(pooled\) \(([\d.]+) s\)$")
STAMPS = re.compile(rb'"(?:written|date)": "[^"]*"|"seconds": [0-9.eE+-]+')


def tree_rss(process) -> int:
    import psutil

    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_once(case: str) -> dict:
    import psutil

    out = Path(tempfile.mkdtemp(prefix=f"bench_demo_{case}_"))
    command = [str(Path(sys.executable).with_name("evaluation")), "demo", "--out", str(out), "--no-progress"]
    env = {**os.environ, **CASES[case]}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    watched = psutil.Process(child.pid)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(watched))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = child.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode != 0:
        raise SystemExit(f"demo ({case}) failed:\n{output[-3000:]}")
    phases = {}
    notebooks = {}
    for line in output.splitlines():
        for phase, pattern in PHASES.items():
            found = re.search(pattern, line)
            if found:
                phases[phase] = float(found.group(1))
        found = NOTEBOOK.match(line)
        if found:
            notebooks[found.group(1)] = float(found.group(2))
    published = out / "published" / "results"
    digest = hashlib.sha256()
    for path in sorted(published.rglob("*.csv")) + sorted(published.rglob("*.json")):
        digest.update(str(path.relative_to(published)).encode() + STAMPS.sub(b"", path.read_bytes()))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"case": case, "wall": wall, "cpu": cpu, "peak_mib": peak / 2 ** 20, "phases": phases,
            "notebooks": notebooks, "digest": digest.hexdigest(), "load": os.getloadavg()[0]}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def versions() -> str:
    names = ["pandas", "numpy", "matplotlib", "ipykernel", "papermill", "jupyter_client", "pypandoc-binary", "typst",
             "highspy"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


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
             f"{versions()}.",
             f"Load average (1 min) before: {load_before[0]:.1f}, during the runs: "
             f"{', '.join(format(r['load'], '.1f') for r in rows)}. The machine is shared: with a load above 2 every "
             "process gets a share of the 2 cores and wall time grows with the load; CPU seconds are "
             "the steadier measure.", "",
             f"{args.runs} runs per case, interleaved; median (range).", "",
             "| case | wall (s) | CPU (s) | peak memory (MiB) | generate | validate | notebooks* | publish | render |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for case in args.cases:
        mine = [r for r in rows if r["case"] == case]
        phase = {p: spread([r["phases"].get(p, float("nan")) for r in mine]) for p in PHASES}
        rest = [r["wall"] - sum(r["phases"].values()) for r in mine]
        lines.append(f"| {case} | {spread([r['wall'] for r in mine])} | {spread([r['cpu'] for r in mine])} | "
                     f"{spread([r['peak_mib'] for r in mine])} | {phase['generate']} | {phase['validate']} | "
                     f"{spread(rest)} | {phase['publish']} | {phase['render']} |")
    lines += ["", "\\* notebooks: the wall time not in a timed phase (interpreter start and imports of the "
              "`evaluation` command, the six notebooks, writing the run record).", "",
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
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
