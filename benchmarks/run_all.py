"""Run every benchmark script in this folder, one after another (``make bench``).

Each script measures the toolkit against its peer packages (installed by the ``bench``
extra) and writes its table to ``benchmarks/results/<script>.md``; this runner only starts
them and reports which failed. Run one alone with ``python benchmarks/bench_twfe.py``.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    here = Path(__file__).resolve().parent
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=here.parent)
        print(f"== {script.name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
