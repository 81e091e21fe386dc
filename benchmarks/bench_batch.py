"""Benchmark of the pilot batch (configs/pilots_batch.yaml) on the local executor and on a Dask cluster.

The batch is every strand for every pilot municipality (16 on the synthetic data) plus the
pooled scope, with a brief per municipality and the pooled reports in the formats the
configuration names. Cases, each a fresh subprocess (interpreter, imports, kernels, cluster
start-up all counted):

* ``local``: ``executor: local`` with 2 workers (kernels forked from one warm template);
* ``dask``:  ``executor: dask`` with ``dask: {workers: 2}`` (a ``distributed.LocalCluster`` of 2
  worker processes, one notebook at a time each, started and closed by the run).

Reported per case: wall seconds, peak memory (the largest sum of resident memory over the
run's process tree: runner, kernel templates, kernels, Dask scheduler and workers), seconds
per scope (wall / scopes) and the notebooks' own seconds per scope. ``--scopes 1 4 16`` adds
the scaling over scopes (the first N pilots). Agreement: the published results of the two
executors must be byte-identical (time stamps aside).

    python benchmarks/bench_batch.py                       # 16 pilots + pooled, both executors
    python benchmarks/bench_batch.py --scopes 1 4 16       # scaling curve
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import tempfile
from pathlib import Path

from measure import run_config_measured, versions

import yaml

HERE = Path(__file__).resolve().parent
#: Packages whose versions the results name.
PEERS = ("distributed", "dask", "papermill", "ipykernel", "pandas", "typst", "pypandoc-binary")
ROOT = HERE.parent
RESULTS = HERE / "results" / "bench_batch.md"
STAMPS = re.compile(rb'"(?:written|date)": "[^"]*"|"seconds": [0-9.eE+-]+')
EXECUTORS = {"local": {"executor": "local"}, "dask": {"executor": "dask", "dask": {"workers": 2}}}
RUN = """
import json, sys
from evaluation.runner.config import load_config
from evaluation.runner.run import run_config

if __name__ == "__main__":   # Dask starts its worker processes by spawning: the guard is needed
    summary = run_config(load_config(sys.argv[1]), progress=False)
    print(json.dumps({"ok": summary.ok, "notebooks": len(summary.outcomes), "reports": len(summary.reports),
                      "skipped": len(summary.skipped), "text": str(summary)}))
"""


def pilots(data: Path) -> list[str]:
    from evaluation.data.loader import load_folder
    from evaluation.runner.selection import pilot_municipalities

    return list(pilot_municipalities(load_folder(data)))


def run_case(executor: str, municipalities: list[str], data: Path, work: Path) -> dict:
    base = yaml.safe_load((ROOT / "configs" / "pilots_batch.yaml").read_text(encoding="utf-8"))
    out = work / f"{executor}-{len(municipalities)}"
    config = {**base, "data": str(data), "output": str(out), "municipalities": municipalities, "workers": 2,
              **EXECUTORS[executor]}
    path = work / f"{executor}-{len(municipalities)}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    script = work / "run_batch.py"
    script.write_text(RUN, encoding="utf-8")
    info, wall, cpu, peak_mib = run_config_measured(script, path, f"{executor} with {len(municipalities)} pilot(s)")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    per_scope: dict[str, float] = {}
    for entry in record["jobs"].values():
        per_scope[entry["scope"]] = per_scope.get(entry["scope"], 0.0) + float(entry.get("seconds") or 0.0)
    published = out / "published" / "results"
    digest = hashlib.sha256()
    for file in sorted(p for p in published.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(published)).encode() + STAMPS.sub(b"", file.read_bytes()))
    scopes = len(municipalities) + 1  # and the pooled scope
    return {"executor": executor, "pilots": len(municipalities), "scopes": scopes, "wall": wall, "cpu": cpu,
            "peak_mib": peak_mib, "per_scope": wall / scopes,
            "notebook_seconds_per_scope": sum(per_scope.values()) / scopes, "digest": digest.hexdigest(),
            "load": os.getloadavg()[0], **{k: info[k] for k in ("notebooks", "reports", "skipped")}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scopes", nargs="+", type=int, default=[16],
                        help="numbers of pilot municipalities to run (each also runs the pooled scope)")
    parser.add_argument("--executors", nargs="+", default=list(EXECUTORS), choices=list(EXECUTORS))
    args = parser.parse_args()
    from evaluation.synthetic import generate

    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    generate(work / "data", seed=2019, scale=1.0, formats=("parquet",))
    data = work / "data" / "parquet"
    every = pilots(data)
    load_before = os.getloadavg()[0]
    rows: list[dict] = []
    agree = True
    for count in args.scopes:
        for executor in args.executors:
            rows.append(run_case(executor, every[:count], data, work))
            row = rows[-1]
            print(f"{executor}, {count} pilot(s): {row['wall']:.1f} s, {row['peak_mib']:.0f} MiB, "
                  f"{row['per_scope']:.1f} s per scope, load {row['load']:.1f}", flush=True)
            agree = write_table(rows, args.scopes, every, load_before)  # after every case: a long batch may be stopped
    return 0 if agree else 1


def write_table(rows: list[dict], scopes: list[int], every: list[str], load_before: float) -> bool:
    """Write the results table of the cases run so far; whether the executors agree."""
    lines = ["# bench_batch: the pilot batch on the local executor and on a 2-worker Dask cluster", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} logical cores (affinity "
             f"{len(os.sched_getaffinity(0))}); Python {platform.python_version()}; {versions(PEERS)}.",
             f"Load average (1 min) before: {load_before:.1f}; after each case: "
             f"{', '.join(format(r['load'], '.1f') for r in rows)}. The machine was shared with other "
             "work: wall times are those of a loaded machine, one run per case. With a load far above the "
             "number of cores, a run with more processes (the Dask workers beside the runner) gets a larger "
             "share of the machine: compare the CPU seconds (the run and every process it waited for: "
             "kernels, templates, Dask scheduler and workers, pandoc).", "",
             f"Configuration: configs/pilots_batch.yaml (all strands, {len(every)} pilots of the synthetic data, "
             "pooled scope, briefs per municipality and pooled reports in HTML and PDF), 2 workers.", "",
             "| executor | pilots | scopes | notebooks run | not possible | reports | wall (s) | CPU (s) | "
             "peak memory (MiB) | wall per scope (s) | notebook seconds per scope |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['executor']} | {r['pilots']} | {r['scopes']} | {r['notebooks']} | {r['skipped']} | "
                     f"{r['reports']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_mib']:.0f} | {r['per_scope']:.1f} | "
                     f"{r['notebook_seconds_per_scope']:.1f} |")
    agree = []
    for count in [c for c in scopes if sum(r["pilots"] == c for r in rows) > 1]:
        digests = {r["digest"] for r in rows if r["pilots"] == count}
        agree.append(len(digests) == 1)
        lines.append("")
        lines.append(f"{count} pilot(s): published results byte-identical (time stamps aside) on "
                     f"{' and '.join(r['executor'] for r in rows if r['pilots'] == count)}: "
                     f"{'yes' if len(digests) == 1 else 'NO'}.")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    return all(agree)


if __name__ == "__main__":
    sys.exit(main())
