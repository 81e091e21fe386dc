"""Benchmark of the national batch (issue 15): every contact point of configs/national.yaml, local and Dask.

The batch is configs/national.yaml as it stands — its strands (whatever the configuration lists,
so a strand added there is measured too), the whole country as the pooled scope, one scope per
contact point, publication of the whole run and the reports (national brief, technical report and
one brief per contact point, in the configuration's formats) and the dashboard — on the synthetic
national data (``evaluation synth --national``, seed 2019). Cases, each a fresh subprocess
(interpreter, imports, kernel templates, cluster start-up all counted):

* ``local``: ``executor: local``, 2 workers (kernels forked from one warm template);
* ``dask``:  ``executor: dask`` with ``dask: {workers: 2}`` (a ``distributed.LocalCluster`` of two
  worker processes, started and closed by the run).

Reported per case: wall seconds, CPU seconds (the run and every process it waited for: kernels,
templates, Dask scheduler and workers, the publishing processes), peak memory (the largest sum of
resident memory over the run's process tree, sampled every 0.2 s), seconds per scope (wall /
scopes, the country counted as a scope), and the phases as the run reports them (validation,
notebooks, publication, reports). ``--scopes`` gives the scaling curve (the first N contact points
of the configuration); ``--dask-scopes`` the counts also run on Dask. Agreement: the published
results of the two executors must be byte-identical (time stamps aside).

    python benchmarks/bench_national_batch.py                              # 1 … 132 local, 132 on Dask
    python benchmarks/bench_national_batch.py --scopes 4 16 --dask-scopes 4  # a quick look

The table is written after every case to benchmarks/results/bench_national_batch.md (a long
batch may be stopped; what finished is kept).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import yaml
from _harness import load, machine
from measure import run_config_measured, versions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONFIG = ROOT / "configs" / "national.yaml"
RESULTS = HERE / "results" / "bench_national_batch.md"
PEERS = ("evaluation", "distributed", "dask", "papermill", "ipykernel", "highspy", "pandas", "matplotlib")
STAMPS = re.compile(rb'"(?:written|date|published)": "[^"]*"|"seconds": [0-9.eE+-]+')
EXECUTORS = {"local": {"executor": "local"}, "dask": {"executor": "dask", "dask": {"workers": 2}}}
#: The phase lines run_config says, and the phase each one starts.
PHASES = (("validating data", "validation"), ("data usable", "notebooks"),
          ("protecting the results", "publication"), ("rendering reports", "reports"),
          ("rendered", "dashboard"))
RUN = """
import json, sys, time
from evaluation.runner.config import load_config
from evaluation.runner.run import run_config

if __name__ == "__main__":   # Dask starts its worker processes by spawning: the guard is needed
    said = []
    started = time.perf_counter()
    summary = run_config(load_config(sys.argv[1]), progress=False,
                         say=lambda line: said.append((time.perf_counter() - started, line)))
    print(json.dumps({"ok": summary.ok, "notebooks": len(summary.outcomes), "reports": len(summary.reports),
                      "skipped": len(summary.skipped), "text": str(summary), "said": said,
                      "seconds": time.perf_counter() - started}))
"""


def contact_points() -> list[str]:
    return list(yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["municipalities"])


def commit() -> str:
    """The checkout's commit (what was measured), or "?" outside a git checkout."""
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return found.stdout.strip() or "?"


def phases(said: list[list], total: float) -> dict[str, float]:
    """Seconds of each phase, from the times the run said its phase lines."""
    starts: dict[str, float] = {}
    for seconds, line in said:
        for prefix, phase in PHASES:
            if line.startswith(prefix) and phase not in starts:
                starts[phase] = seconds
    order = sorted(starts.items(), key=lambda item: item[1])
    return {phase: (order[i + 1][1] if i + 1 < len(order) else total) - start
            for i, (phase, start) in enumerate(order)}


def run_case(executor: str, count: int, data: Path, work: Path) -> dict:
    base = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    out = work / f"{executor}-{count}"
    config = {**base, "data": str(data), "output": str(out), "municipalities": base["municipalities"][:count],
              "workers": 2, **EXECUTORS[executor]}
    path = work / f"{executor}-{count}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    script = work / "run_national.py"
    script.write_text(RUN, encoding="utf-8")
    load_start = os.getloadavg()[0]
    info, wall, cpu, peak_mib = run_config_measured(script, path, f"{executor} with {count} contact point(s)")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    notebook_seconds = sum(float(entry.get("seconds") or 0.0) for entry in record["jobs"].values())
    published = out / "published" / "results"
    digest = hashlib.sha256()
    for file in sorted(p for p in published.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(published)).encode() + STAMPS.sub(b"", file.read_bytes()))
    scopes = count + 1  # and the country
    return {"executor": executor, "contact_points": count, "scopes": scopes, "wall": wall, "cpu": cpu,
            "peak_mib": peak_mib, "per_scope": wall / scopes, "cpu_per_scope": cpu / scopes,
            "notebook_seconds_per_scope": notebook_seconds / scopes, "digest": digest.hexdigest(),
            "phases": phases(info["said"], info["seconds"]), "load_start": load_start,
            "load_end": os.getloadavg()[0], **{k: info[k] for k in ("notebooks", "reports", "skipped")}}


def write_table(rows: list[dict], header: dict, strands: list[str]) -> bool:
    """Write the results of the cases run so far; whether the executors agree."""
    m = header["machine"]
    lines = ["# bench_national_batch: the national batch (contact points + country) on the local executor "
             "and on a 2-worker Dask cluster", "",
             f"Machine: {m['cpu']}, {m['cores']} logical cores ({m['usable_cores']} usable), Python {m['python']}, "
             f"{m['platform']}; {versions(PEERS)}; commit {header['commit']}. Started {header['started']}; "
             "load average (1, 5, 15 min) "
             f"before {header['load_before']}, now {load()}. The machine was shared with other engineers' work: "
             "the wall times carry their load (one run per case); the CPU seconds (the run and every process "
             "it waited for) are the steadier figure.", "",
             f"Configuration: configs/national.yaml — strands {', '.join(strands)}; the country and the first N "
             "of its contact points; publication of the whole run, reports (national brief, technical report, "
             "one brief per contact point) and dashboard; 2 workers. Data: `evaluation synth --national` "
             "(seed 2019, scale 1).", "",
             "| executor | contact points | scopes | notebooks | not possible | reports | wall (s) | CPU (s) | "
             "peak memory (MiB) | wall per scope (s) | CPU per scope (s) | notebooks (s) | publication (s) | "
             "reports + dashboard (s) | load at start |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        p = r["phases"]
        lines.append(f"| {r['executor']} | {r['contact_points']} | {r['scopes']} | {r['notebooks']} | "
                     f"{r['skipped']} | {r['reports']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_mib']:.0f} | "
                     f"{r['per_scope']:.2f} | {r['cpu_per_scope']:.2f} | {p.get('notebooks', 0):.1f} | "
                     f"{p.get('publication', 0):.1f} | {p.get('reports', 0) + p.get('dashboard', 0):.1f} | "
                     f"{r['load_start']:.1f} |")
    agree = []
    for count in sorted({r["contact_points"] for r in rows}):
        same = [r for r in rows if r["contact_points"] == count]
        if len(same) > 1:
            digests = {r["digest"] for r in same}
            agree.append(len(digests) == 1)
            lines += ["", f"{count} contact point(s): published results byte-identical (time stamps aside) on "
                      f"{' and '.join(r['executor'] for r in same)}: {'yes' if len(digests) == 1 else 'NO'}."]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text, flush=True)
    return all(agree)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scopes", nargs="+", type=int, default=[1, 4, 16, 33, 66, 132],
                        help="numbers of contact points (the first N of the configuration; each run adds the country)")
    parser.add_argument("--dask-scopes", nargs="*", type=int, default=[132],
                        help="numbers of contact points also run on the 2-worker Dask cluster")
    parser.add_argument("--data", type=Path, help="an existing `evaluation synth --national` folder (else generated)")
    args = parser.parse_args()
    every = contact_points()
    strands = list(yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["strands"])
    work = Path(tempfile.mkdtemp(prefix="bench_national_batch_"))
    if args.data is None:
        from evaluation.synthetic import generate

        generate(work / "data", seed=2019, scale=1.0, national=True, formats=("parquet",))
        data = work / "data" / "parquet"
    else:
        data = args.data / "parquet" if (args.data / "parquet").is_dir() else args.data
    header = {"machine": machine(), "load_before": load(), "commit": commit(),
              "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    rows: list[dict] = []
    agree = True
    # the full batch first (local, then Dask: the comparison), then the scaling curve
    cases = [(count, executor) for count in sorted(set(args.dask_scopes), reverse=True)
             for executor in ("local", "dask")]
    cases += [(count, "local") for count in args.scopes if (count, "local") not in cases]
    for count, executor in cases:
        count = min(count, len(every))
        rows.append(run_case(executor, count, data, work))
        row = rows[-1]
        print(f"{executor}, {count} contact point(s): {row['wall']:.1f} s, CPU {row['cpu']:.1f} s, "
              f"{row['peak_mib']:.0f} MiB, {row['per_scope']:.2f} s per scope, load {row['load_start']:.1f}",
              flush=True)
        rows.sort(key=lambda r: (r["contact_points"], r["executor"]))
        agree = write_table(rows, header, strands)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
