"""What the whole-process benchmarks share: peak memory of a process tree, versions of the packages measured.

Peak memory of a process and everything it starts (kernels, templates, Dask workers, pandoc):

The notebooks of a run execute side by side in processes of their own, so the peak of one
process would understate what a run needs: :class:`PeakMemory` samples the *sum* of resident
memory over the process tree every ``interval`` seconds (psutil).

    with PeakMemory(child.pid) as peak:
        child.wait()
    peak.mib
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from importlib import metadata


def tree_rss(process) -> int:
    """Resident bytes of ``process`` (a psutil.Process) and all its descendants."""
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


class PeakMemory:
    """Largest resident memory of the tree under ``pid`` while the block runs."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.process))
            time.sleep(self.interval)

    @property
    def mib(self) -> float:
        return self.peak / 2 ** 20

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def versions(names: Iterable[str]) -> str:
    """``name version`` of each installed package among ``names``, comma-separated."""
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return ", ".join(found)


def run_config_measured(script: Path, config: Path, label: str) -> tuple[dict, float, float, float]:
    """Run ``script CONFIG`` (a run of the configuration that prints a JSON line with ``ok`` and
    ``text`` last) in a fresh interpreter; return that line, its wall and CPU seconds (the child and
    every process it waited for) and the peak resident memory of its process tree (MiB). A failed
    run stops the benchmark, saying ``label``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(script), str(config)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=script.parent)
    with PeakMemory(child.pid, 0.2) as memory:
        stdout, stderr = child.communicate()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if child.returncode != 0:
        raise SystemExit(f"{label} failed:\n{stderr[-3000:]}")
    info = json.loads(stdout.strip().splitlines()[-1])
    if not info["ok"]:
        raise SystemExit(f"{label} failed:\n{info['text']}")
    return info, wall, cpu, memory.mib
