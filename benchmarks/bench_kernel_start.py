"""Kernel start-up per notebook: new kernel processes against kernels forked from a warm template.

What every notebook of a run pays before its analysis starts: a kernel, the imports of the
toolkit and its libraries, and its data (validated). The benchmark runs a *set-up notebook*
-- the parameters cell and the two cells every strand notebook begins with (``open_session``
of the strand, which imports the toolkit and loads the data folder) -- ``--notebooks`` times,
one at a time, in the way the runner starts kernels:

* ``cold``: every kernel a new Python process (``EVALUATION_WARM_KERNELS=0``; before issue 16),
  which imports everything and reads and validates the Czech CSV export itself;
* ``warm``: one template process imports the toolkit and loads the run's validated data once
  (reported separately as a one-off cost per worker), and each kernel is a fork of it.

Reported: seconds per notebook (wall and the CPU of the kernel process, median and range)
and the one-off cost of the template. Agreement: each set-up notebook prints the data's
fingerprint, which must be the same in both modes.

    python benchmarks/bench_kernel_start.py --notebooks 8
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "bench_kernel_start.md"
KERNELSPEC = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
SETUP = """
from evaluation.runner.session import open_session
from evaluation.runner.strands import retention as strand
session = open_session("retention", data_dir=data_dir, results_dir=results_dir, municipality=None,
                       programme_step=None, period_start=None, period_end=None, lang="cs",
                       disclosure_threshold=5, seed=2019, on_error="raise")
import resource, json
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"fingerprint": session.data.fingerprint, "cpu": usage.ru_utime + usage.ru_stime}))
"""


def setup_notebook(path: Path) -> Path:
    cells = [new_code_cell("data_dir = ''\nresults_dir = ''", metadata={"tags": ["parameters"]}),
             new_code_cell(SETUP)]
    nbformat.write(new_notebook(cells=cells, metadata=KERNELSPEC), path)
    return path


def printed(path: Path) -> dict:
    import json

    cell = nbformat.read(path, as_version=4).cells[-1]
    return json.loads("".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout"))


def measure(mode: str, data: Path, notebooks: int, work: Path) -> dict:
    """Run ``notebooks`` set-up notebooks one after another; seconds and CPU per notebook."""
    import warnings

    from evaluation.data.loader import load_folder
    from evaluation.runner.datacache import run_cache
    from evaluation.runner.execute import NotebookJob
    from evaluation.runner.executors import LocalExecutor
    from evaluation.runner.run import execute_jobs

    source = setup_notebook(work / "setup.ipynb")
    jobs = [NotebookJob("retention", "pooled", source, work / mode / f"setup_{i}.ipynb",
                        {"data_dir": str(data), "results_dir": str(work / mode / "results")})
            for i in range(notebooks)]
    started = time.perf_counter()
    executor = LocalExecutor(1, warm=mode == "warm")
    one_off = 0.0
    try:
        if mode == "warm":
            # as the runner does: the data are validated (in this process) while the template imports,
            # then the template loads the validated data once
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                dataset = load_folder(data, on_error="raise")
            with run_cache(dataset, data_dir=data, on_error="raise", caught=caught) as cache:
                executor.use_data(cache)
                info = executor.kernels.template.info()  # waits until the template has imported and loaded
                one_off = time.perf_counter() - started
                execution = execute_jobs(jobs, workers=1, progress=False, executor=executor)
        else:
            execution = execute_jobs(jobs, workers=1, progress=False, executor=executor)
            info = {}
    finally:
        executor.close()
    assert all(o.ok for o in execution.outcomes), [o.error for o in execution.outcomes]
    reports = [printed(job.output_path) for job in jobs]
    return {"mode": mode, "seconds": [o.seconds for o in execution.outcomes], "cpu": [r["cpu"] for r in reports],
            "fingerprints": {r["fingerprint"] for r in reports}, "one_off": one_off,
            "template_seconds": info.get("seconds")}


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=8)
    args = parser.parse_args()
    from evaluation.synthetic import generate

    work = Path(tempfile.mkdtemp(prefix="bench_kernel_start_"))
    generate(work / "data", seed=2019, scale=1.0, formats=("csv",))
    data = work / "data" / "csv"
    load = [os.getloadavg()[0]]
    rows = []
    for mode in ("cold", "warm"):
        rows.append(measure(mode, data, args.notebooks, work))
        load.append(os.getloadavg()[0])
        print(f"{mode}: {spread(rows[-1]['seconds'])} s per notebook, CPU {spread(rows[-1]['cpu'])} s", flush=True)
    cold, warm = rows
    same = cold["fingerprints"] == warm["fingerprints"] and len(cold["fingerprints"]) == 1
    lines = ["# bench_kernel_start: kernel start-up per notebook", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} logical cores; Python {platform.python_version()}; "
             f"load average (1 min) before, between and after: {', '.join(f'{x:.1f}' for x in load)} "
             "(shared machine: wall time grows with the load, CPU seconds much less).", "",
             f"A set-up notebook (kernel, imports, `open_session` on the synthetic Czech CSV export) run "
             f"{args.notebooks} times, one at a time; median (range) per notebook.", "",
             "| kernels | wall per notebook (s) | CPU of the kernel (s) | one-off per worker (s) |",
             "|---|---:|---:|---:|",
             f"| cold (new process each) | {spread(cold['seconds'])} | {spread(cold['cpu'])} | – |",
             f"| warm (forked from a template) | {spread(warm['seconds'])} | {spread(warm['cpu'])} | "
             f"{warm['one_off']:.2f} (template imports {warm['template_seconds'] or 0:.2f}) |", "",
             f"Per notebook, warm kernels save {statistics.median(cold['seconds']) - statistics.median(warm['seconds']):.2f} s "
             f"of wall time ({statistics.median(cold['seconds']) / statistics.median(warm['seconds']):.1f}x); "
             "the CPU column of a forked kernel counts only what it did after the fork.",
             f"Same data (fingerprint) in every notebook of both modes: {'yes' if same else 'NO'}."]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
