"""Benchmark of the national data set (issue 15): generate, validate, and cut into contact-point scopes.

Cases, each in its own subprocess so that its wall time and peak resident memory (``ru_maxrss``)
are its own, ``--repeat`` times (median and range; the machine is shared, so the range matters):

* ``synth``      ``evaluation.synthetic.generate(national=True)`` at ``--scale`` (Parquet and CSV);
* ``validate parquet`` / ``validate csv``: :func:`evaluation.data.validate_folder` on that folder
  (every contract check, the national code lists included);
* ``scopes``     load the Parquet folder once and cut it into the 132 contact-point scopes with
  :func:`evaluation.runner.selection.select_scope` (what a batch run does per scope).

No peer package generates or validates this data, so instead of agreeing with a peer the
benchmark checks the data against their own truth: the applications per contact point equal the
truth's counts, every validation finds no error, and the 132 scopes together hold every
application exactly once.

Run: ``python benchmarks/bench_national.py [--scale 1] [--repeat 3]``; the table is printed and
written to ``benchmarks/results/bench_national.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASE = r"""
import json, resource, sys, time
from pathlib import Path
case, folder, scale = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
t0 = time.perf_counter()
check = {}
if case == "synth":
    import pandas as pd
    from evaluation.synthetic import generate
    generate(folder, seed=2019, scale=scale, national=True)
    apps = pd.read_parquet(folder / "parquet" / "applications.parquet")
    from evaluation.synthetic.truth import Truth
    truth = Truth.from_json(folder / "truth.json").table("contact_points").set_index("contact_point_code")["applications"]
    counts = apps.groupby("contact_point_code").size()
    check = {"rows": int(sum(len(pd.read_parquet(p)) for p in (folder / "parquet").glob("*.parquet"))),
             "truth_agrees": bool((truth.reindex(counts.index) == counts).all() and truth.sum() == len(apps))}
elif case.startswith("validate"):
    from evaluation.data import validate_folder
    report = validate_folder(folder / case.split()[1])
    check = {"ok": bool(report.ok), "errors": int((report.problems["severity"] == "error").sum())}
elif case == "scopes":
    from evaluation.data.loader import load_folder
    from evaluation.runner.selection import contact_points_with_data, select_scope
    data = load_folder(folder / "parquet")
    t_load = time.perf_counter() - t0
    points = contact_points_with_data(data)
    kept = sum(len(select_scope(data, municipality=p).dataset["applications"]) for p in points)
    check = {"scopes": len(points), "load_s": round(t_load, 1),
             "every_application_once": kept == len(data["applications"])}
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  **check}))
"""

CASES = ("synth", "validate parquet", "validate csv", "scopes")


def run_case(case: str, folder: Path, scale: float) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CASE, case, str(folder), str(scale)], capture_output=True,
                         text=True)
    if out.returncode:
        raise RuntimeError(f"case {case!r} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started  # with the interpreter's start and imports
    return result


def _fmt(values: list[float], digits: int = 1) -> str:
    return f"{statistics.median(values):.{digits}f} [{min(values):.{digits}f}–{max(values):.{digits}f}]"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict]] = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "national"
        for _ in range(args.repeat):  # interleaved, so that a change of load falls on every case alike
            for case in CASES:
                runs[case].append(run_case(case, folder, args.scale))
    lines = [f"# National data set: generate, validate, contact-point scopes (scale {args.scale:g})", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, shared with other engineers' work (load "
             f"average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after); Python "
             f"{platform.python_version()}; {args.repeat} interleaved runs, median [range].", "",
             "| case | wall s (process) | wall s (with start-up) | peak MB | checks |", "|---|---|---|---|---|"]
    for case, results in runs.items():
        checks = {k: v for k, v in results[-1].items() if k not in ("seconds", "peak_mb", "wall")}
        lines.append(f"| {case} | {_fmt([r['seconds'] for r in results])} | {_fmt([r['wall'] for r in results])} | "
                     f"{_fmt([r['peak_mb'] for r in results], 0)} | {json.dumps(checks, ensure_ascii=False)} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / "bench_national.md"
    out.write_text(text, encoding="utf-8")
    failed = [case for case, results in runs.items() for r in results
              if r.get("ok") is False or r.get("truth_agrees") is False or r.get("every_application_once") is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
