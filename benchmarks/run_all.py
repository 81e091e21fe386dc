"""Run every benchmark script in this folder, one after another (``make bench``), then print one
table of ratios: evaluation / fastest peer, per estimator.

Each script measures the toolkit against its peer packages (installed by the ``bench`` extra)
and writes its table to ``benchmarks/results/<script>.md``; the scripts built on ``_harness``
also write ``<script>.json`` with the ratios (median CPU time of the estimation call, ours over
the fastest peer's, and the same for wall time), which this runner collects into
``results/ratios.md``. Run one alone with ``python benchmarks/bench_twfe.py``;
``python benchmarks/run_all.py bench_twfe bench_retention`` runs only those (and the ratio
table is built from every ``results/*.json`` present).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _number(value: float, digits: int) -> str:
    return "—" if value != value else f"{value:.{digits}f}"  # NaN: no peer finished


def ratio_table(results: Path) -> str:
    """Markdown table of ours / fastest peer from every results/*.json written by _harness."""
    lines = ["| estimator | evaluation CPU s | fastest peer | peer CPU s | ratio CPU | ratio wall | load avg | "
             "source |", "|---|---:|---|---:|---:|---:|---|---|"]
    for path in sorted(results.glob("bench_*.json")):
        if not (HERE / f"{path.stem}.py").exists():
            continue  # a run at another size (bench_x_20000.json): its own table, not the default one
        payload = json.loads(path.read_text())
        record = payload["record"]
        load = f"{record['load_before'][0]:.1f}-{record['load_after'][0]:.1f}"
        for estimator, r in payload["ratios"].items():
            lines.append(f"| {estimator} | {r['ours_cpu']:.3f} | {r['peer']} | {_number(r['peer_cpu'], 3)} | "
                         f"**{_number(r['ratio_cpu'], 2)}** | {_number(r['ratio_wall'], 2)} | {load} | {path.stem}.md |")
    return "\n".join(lines)


def demo_line(path: Path) -> str:
    """The whole-process time of ``evaluation demo`` as bench_demo.py last measured it (kernels warm)."""
    if not path.is_file():
        return ""
    warm = json.loads(path.read_text()).get("warm")
    if not warm:
        return ""
    low, high = warm["wall_range"]
    return (f"\n`evaluation demo`, whole process (bench_demo.md): {warm['wall']:.1f} s wall (range {low:.1f}-{high:.1f}, "
            f"{warm['runs']} runs), {warm['cpu']:.1f} s CPU, {warm['peak_mib']:.0f} MiB peak, on {warm['cores']} cores "
            f"at load {warm['load'][0]:.1f}-{warm['load'][1]:.1f}.\n")


def main(selected: list[str]) -> int:
    failed = []
    scripts = [s for s in sorted(HERE.glob("bench_*.py")) if not selected or s.stem in selected]
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"== {script.name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    table = ratio_table(HERE / "results")
    text = ("# Ratios: evaluation / fastest peer\n\nMedian CPU time of the estimation call (all threads of the "
            "process), ours over the fastest peer's, from the runs in each results file (interleaved, "
            "machine and load recorded there); below 0.5 evaluation is more than twice as fast. 'ratio wall' "
            "is the same for wall time, which on a shared machine carries the other work's load.\n\n"
            + table + "\n" + demo_line(HERE / "results" / "demo.json"))
    (HERE / "results" / "ratios.md").write_text(text)
    print("\n" + text)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
