"""Shared machinery of the peer benchmarks: interleaved runs, machine and load, ratio tables.

A benchmark script names its cases as ``{estimator: [package, ...]}`` (``evaluation`` first)
and a ``run_case(estimator, package, timer)`` that builds the data, times only the estimation
call inside ``with timer:`` and returns the numbers to compare with the peers. :func:`measure`
runs every case in its own fresh subprocess (as a user's script would: imports and data are
not timed, a numba-compiled peer pays its first call as a user does), ``runs`` times,
*interleaved* (round r runs every package of an estimator once, in an order rotated each
round) so that a load that comes and goes on a shared machine hits ours and the peers alike.

Each run records the wall time and the CPU time of the call (user + system of the whole
process, all its threads: on a busy machine the steadier figure, since waiting for a core
does not count), and the peak resident memory of the process. :func:`report` writes the
markdown table with the machine (CPU model, cores), the load average before and after, the
peers' versions, median and range of each figure; :func:`write_ratios` keeps, per estimator,
ours / fastest peer (median CPU time and median wall time) in ``results/<script>.json``,
which ``run_all.py`` prints as one table at the end of ``make bench``.

Run a case alone (for profiling): ``python benchmarks/bench_x.py --case ESTIMATOR PACKAGE``.
``BENCH_EVALUATION_SOURCE=/path/to/other/checkout`` measures that checkout's ``evaluation``
instead of the installed one (a before/after comparison in the same conditions), and
``BENCH_RESULTS_DIR`` sends the tables elsewhere than ``benchmarks/results``.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR", Path(__file__).resolve().parent / "results"))
OURS = "evaluation"
#: Distribution names of the peers, where they differ from the label used in the tables.
DISTRIBUTIONS = {"scikit-survival": "scikit-survival", "diff-diff": "diff-diff"}


class Timer:
    """Context manager that records wall and process CPU time of the block it wraps."""

    def __init__(self) -> None:
        self.wall = self.cpu = float("nan")

    def __enter__(self) -> Timer:
        self._wall, self._cpu = time.perf_counter(), _cpu_seconds()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = _cpu_seconds() - self._cpu


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime


def child_main(run_case: Callable[[str, str, Timer], dict]) -> None:
    """Entry point of a case subprocess: ``--case ESTIMATOR PACKAGE [args]``; prints one JSON line."""
    import warnings

    warnings.simplefilter("ignore")
    source = os.environ.get("BENCH_EVALUATION_SOURCE")
    if source:  # measure another checkout of evaluation (e.g. main, for a before/after table)
        sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in getattr(f, "__module__", "")]
        sys.path.insert(0, source)
    estimator, package = sys.argv[2], sys.argv[3]
    timer = Timer()
    values = run_case(estimator, package, timer)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall": timer.wall, "cpu": timer.cpu, "peak_mb": peak, "values": values},
                     default=float))


def machine() -> dict:
    """CPU model, logical cores (and those this process may use), Python and platform."""
    model = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu": model, "cores": os.cpu_count(), "usable_cores": usable,
            "python": platform.python_version(), "platform": platform.platform()}


def version(package: str) -> str:
    if package == OURS:
        name = "evaluation"
    else:
        name = DISTRIBUTIONS.get(package, package.split("+")[0])
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def load() -> tuple[float, float, float]:
    return tuple(round(v, 2) for v in os.getloadavg())  # type: ignore[return-value]


def _run_one(script: Path, estimator: str, package: str, extra: Sequence[str], timeout: float) -> dict:
    command = [sys.executable, str(script), "--case", estimator, package, *extra]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=script.parent.parent)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:.0f} s"}
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["failed"]
        return {"error": lines[-1][:140]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(script: str | Path, cases: dict[str, Sequence[str]], *, runs: int = 3,
            extra: Sequence[str] = (), timeout: float = 900.0,
            skip: Callable[[str, str], str | None] | None = None) -> dict:
    """Run every (estimator, package) ``runs`` times, interleaved; returns the raw record.

    ``skip(estimator, package)`` may return a reason not to run a case (e.g. memory); a case
    that fails or times out is not run again in later rounds.
    """
    script = Path(script).resolve()
    record: dict[str, Any] = {"machine": machine(), "load_before": load(), "runs": runs,
                              "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              "threads": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                                   "NUMBA_NUM_THREADS") if k in os.environ},
                              "evaluation_source": os.environ.get("BENCH_EVALUATION_SOURCE", "installed"),
                              "cases": {}}
    for estimator, packages in cases.items():
        record["cases"][estimator] = {p: {"version": version(p), "runs": [], "loads": []} for p in packages}
    for r in range(runs):
        for estimator, packages in cases.items():
            order = list(packages[r % len(packages):]) + list(packages[:r % len(packages)])
            for package in order:
                slot = record["cases"][estimator][package]
                if "error" in slot:
                    continue
                reason = skip(estimator, package) if skip else None
                if reason:
                    slot["error"] = reason
                    continue
                slot["loads"].append(os.getloadavg()[0])
                out = _run_one(script, estimator, package, extra, timeout)
                if "error" in out:
                    slot["error"] = out["error"]
                    continue
                slot["runs"].append(out)
                print(f"  [{r + 1}/{runs}] {estimator:<28} {package:<22} wall {out['wall']:7.2f} s  "
                      f"cpu {out['cpu']:7.2f} s  load {slot['loads'][-1]:.1f}", flush=True)
    record["load_after"] = load()
    return record


def _median(slot: dict, key: str) -> float:
    values = [run[key] for run in slot["runs"]]
    return statistics.median(values) if values else float("nan")


def _range(slot: dict, key: str) -> str:
    values = [run[key] for run in slot["runs"]]
    return f"{min(values):.2f}-{max(values):.2f}" if values else ""


def ratios(record: dict) -> dict:
    """Per estimator: ours / fastest peer on median CPU time and on median wall time."""
    out = {}
    for estimator, slots in record["cases"].items():
        ours = slots.get(OURS)
        peers = {p: s for p, s in slots.items() if p != OURS and s["runs"]}
        if not ours or not ours["runs"]:
            continue
        if not peers:
            failed = [f"{p}: {s.get('error', 'not run')}" for p, s in slots.items() if p != OURS]
            if failed:  # every peer failed (e.g. timed out): no ratio, but say so
                out[estimator] = {"ours_cpu": _median(ours, "cpu"), "ours_wall": _median(ours, "wall"),
                                  "peer": "; ".join(failed), "peer_cpu": float("nan"), "peer_wall": float("nan"),
                                  "peer_wall_name": "", "ratio_cpu": float("nan"), "ratio_wall": float("nan")}
            continue
        fastest = min(peers, key=lambda p: _median(peers[p], "cpu"))
        fastest_wall = min(peers, key=lambda p: _median(peers[p], "wall"))
        out[estimator] = {
            "ours_cpu": _median(ours, "cpu"), "ours_wall": _median(ours, "wall"),
            "peer": fastest, "peer_cpu": _median(peers[fastest], "cpu"),
            "peer_wall": _median(peers[fastest_wall], "wall"), "peer_wall_name": fastest_wall,
            "ratio_cpu": _median(ours, "cpu") / _median(peers[fastest], "cpu"),
            "ratio_wall": _median(ours, "wall") / _median(peers[fastest_wall], "wall")}
    return out


def report(record: dict, title: str, description: str,
           agree: Callable[[str, str, dict, dict], str], notes: Sequence[str] = ()) -> str:
    """Markdown: header (machine, load, runs), one row per case, agreement with ours, ratios."""
    m = record["machine"]
    threads = ", ".join(f"{k}={v}" for k, v in record["threads"].items()) or "library defaults"
    lines = [f"# {title}", "", description, "",
             f"Machine: {m['cpu']}, {m['cores']} logical cores ({m['usable_cores']} usable), Python "
             f"{m['python']}, {m['platform']}; threads: {threads}. Started {record['started']}; load average "
             f"(1, 5, 15 min) before {record['load_before']}, after {record['load_after']} — the machine was "
             "shared with other engineers' work, so wall times carry their load; the CPU time of the call "
             "(all threads of the process) is the steadier figure and the ratios use it.", "",
             f"evaluation measured from: {record.get('evaluation_source', 'installed')}. "
             f"{record['runs']} runs per case, interleaved (each round runs every package once, in rotated "
             "order). Median and range (min-max).", "",
             "| estimator | package (version) | CPU s median | CPU s range | wall s median | wall s range | "
             "peak MB | load (1 min) at start | agreement with evaluation |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for estimator, slots in record["cases"].items():
        ours = slots.get(OURS)
        for package, slot in slots.items():
            label = f"{package} ({slot['version']})"
            loads = "-".join(f"{v:.1f}" for v in (min(slot["loads"]), max(slot["loads"]))) if slot["loads"] else ""
            if not slot["runs"]:
                lines.append(f"| {estimator} | {label} | failed: {slot.get('error', 'not run')} | | | | | "
                             f"{loads} | |")
                continue
            text = ""
            if package != OURS and ours and ours["runs"]:
                text = agree(estimator, package, ours["runs"][-1]["values"], slot["runs"][-1]["values"])
            elif package == OURS:
                text = "reference"
            if "error" in slot:
                text += f" (a later run failed: {slot['error']})"
            lines.append(f"| {estimator} | {label} | {_median(slot, 'cpu'):.2f} | {_range(slot, 'cpu')} | "
                         f"{_median(slot, 'wall'):.2f} | {_range(slot, 'wall')} | "
                         f"{max(run['peak_mb'] for run in slot['runs']):.0f} | {loads} | {text} |")
    table = ratios(record)
    if table:
        lines += ["", "| estimator | evaluation CPU s | fastest peer (CPU) | peer CPU s | ratio CPU | "
                  "ratio wall |", "|---|---:|---|---:|---:|---:|"]
        for estimator, r in table.items():
            lines.append(f"| {estimator} | {r['ours_cpu']:.2f} | {r['peer']} | {r['peer_cpu']:.2f} | "
                         f"{r['ratio_cpu']:.2f} | {r['ratio_wall']:.2f} |")
        lines += ["", "Ratio = evaluation / fastest peer (below 1: evaluation is faster; 0.5 = twice as fast)."]
    lines += [""] + [f"* {n}" for n in notes]
    return "\n".join(lines).rstrip() + "\n"


def write(name: str, record: dict, text: str) -> None:
    """results/<name>.md (the table) and results/<name>.json (raw runs and the ratios)."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    slim = json.loads(json.dumps(record, default=float))
    for slots in slim["cases"].values():
        for slot in slots.values():
            for run in slot["runs"][:-1]:  # the numbers compared are the last run's
                run.pop("values", None)
    payload = {"record": slim, "ratios": ratios(record)}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=1, default=float) + "\n")
    print(text)


def max_abs_diff(a: Sequence[float], b: Sequence[float]) -> float:
    import numpy as np

    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return float("inf")
    both = np.isfinite(a) & np.isfinite(b)
    if (np.isfinite(a) != np.isfinite(b)).any():
        return float("inf")
    return float(np.max(np.abs(a[both] - b[both]))) if both.any() else 0.0


def check(ok: bool, text: str) -> str:
    return f"{'OK' if ok else 'DISAGREES'}: {text}"
