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

import threading
import time
from collections.abc import Iterable
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
