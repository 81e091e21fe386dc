"""Benchmark of `evaluation demo` and of a batch run over the pilot municipalities.

Cases, each in its own subprocess so that time and memory are its own:

* ``demo``          generate the synthetic data, run the six notebooks (pooled), render the
                    brief and technical report in HTML, PDF and DOCX (target: 60 s, 2 GiB);
* ``batch-1``       one run per pilot municipality plus the pooled run, 1 worker;
* ``batch-2``       the same with 2 workers (should take about half as long on 2 cores).

Peak memory is the largest *sum* of resident memory over the benchmark process and all
its descendants (the notebook kernels run side by side, so the peak of one process
would understate it), sampled every 0.1 s with psutil. Agreement: the key figures of the
pooled scope must be identical whatever the number of workers (parallel runs must not
change a number).

    python benchmarks/bench_demo.py                 # all cases
    python benchmarks/bench_demo.py --cases demo    # one case
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "bench_demo.md"
BATCH_STRANDS = ["process", "impact"]  # the per-pilot strand (impact) and one on household data

CASE_CODE = {
    "demo": """
from evaluation.runner.demo import run_demo_summary
s = run_demo_summary(OUT, progress=False)
print(json.dumps({"notebooks": len(s.outcomes), "reports": len(s.reports), "workers": s.workers}))
""",
    "batch": """
from evaluation.synthetic import generate
from evaluation.runner.config import parse_config
from evaluation.runner.run import run_config
generate(OUT + "/data", seed=2019, scale=1.0, formats=("parquet",))
config = parse_config({"data": "data/parquet", "output": ".", "strands": STRANDS, "municipalities": "all",
                       "report_formats": ["html"], "workers": WORKERS}, base_dir=OUT)
s = run_config(config, progress=False)
s.raise_for_failure()
print(json.dumps({"notebooks": len(s.outcomes), "reports": len(s.reports), "workers": s.workers}))
""",
}


def _tree_rss(process) -> int:
    import psutil

    total = 0
    try:
        members = [process] + process.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def run_case(name: str, workers: int | None) -> dict:
    import psutil

    out = tempfile.mkdtemp(prefix=f"bench_{name}_")
    kind = "demo" if name == "demo" else "batch"
    code = ("import json\nOUT = %r\nSTRANDS = %r\nWORKERS = %r\n" % (out, BATCH_STRANDS, workers or "auto")
            + CASE_CODE[kind])
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=HERE.parent)
    watched = psutil.Process(child.pid)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(watched))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = child.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"case {name} failed:\n{stderr[-3000:]}")
    info = json.loads(stdout.strip().splitlines()[-1])
    key_figures = Path(out) / "results" / "all"
    figures = {}
    for path in sorted(key_figures.glob("*/key_figures.json")):
        for key, entry in json.loads(path.read_text(encoding="utf-8")).items():
            figures[f"{path.parent.name}.{key}"] = entry.get("value")
    return {"case": name, "seconds": seconds, "peak_mib": peak / 2 ** 20, "key_figures": figures, **info}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["demo", "batch-1", "batch-2"],
                        choices=["demo", "batch-1", "batch-2"])
    args = parser.parse_args()
    rows = []
    for name in args.cases:
        workers = {"batch-1": 1, "batch-2": 2}.get(name)
        rows.append(run_case(name, workers))
        print(f"{name}: {rows[-1]['seconds']:.1f} s, {rows[-1]['peak_mib']:.0f} MiB", flush=True)
    lines = ["# bench_demo", "",
             f"Machine: {os.cpu_count()} logical cores (affinity {len(os.sched_getaffinity(0))}); "
             f"Python {sys.version.split()[0]}; load average at the end {os.getloadavg()[0]:.1f} "
             "(other work on the machine slows every case and caps the speed-up). "
             f"Batch strands: {', '.join(BATCH_STRANDS)}; "
             "batch reports: HTML briefs.", "",
             "| case | notebooks | workers | reports | time (s) | peak memory, process tree (MiB) |",
             "|---|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['case']} | {row['notebooks']} | {row['workers']} | {row['reports']} | "
                     f"{row['seconds']:.1f} | {row['peak_mib']:.0f} |")
    by_name = {row["case"]: row for row in rows}
    if "batch-1" in by_name and "batch-2" in by_name:
        one, two = by_name["batch-1"], by_name["batch-2"]
        speedup = one["seconds"] / two["seconds"]
        same = one["key_figures"] == two["key_figures"]
        lines += ["", f"Speed-up with 2 workers: {speedup:.2f}x.",
                  f"Key figures of the pooled scope identical with 1 and 2 workers: "
                  f"{'yes' if same else 'NO'} ({len(one['key_figures'])} figures)."]
        if not same:
            diff = {k: (one['key_figures'].get(k), two['key_figures'].get(k))
                    for k in set(one['key_figures']) | set(two['key_figures'])
                    if one['key_figures'].get(k) != two['key_figures'].get(k)}
            lines.append(f"Differences: {diff}")
    if "demo" in by_name:
        demo = by_name["demo"]
        lines += ["", f"Demo target 60 s / 2048 MiB: {'met' if demo['seconds'] <= 60 else 'NOT met'} (time), "
                      f"{'met' if demo['peak_mib'] <= 2048 else 'NOT met'} (memory)."]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
