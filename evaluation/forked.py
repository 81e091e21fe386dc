"""Work shared out over the cores: forked copies of this process, each taking the next piece.

Publication is one process after the notebooks; what it does piece by piece (writing the strands,
deciding the scopes of an audit) runs in copies of that process made by ``fork``: they inherit
everything, so nothing is sent to them but a piece's number, and only results come back. Where the
system cannot fork (Windows), in a daemonic process (which may have no children), inside such a
copy, or with one core, the pieces run here, one after another, with the same results.

Example
-------
>>> squares = [n * n for n in range(5)]
>>> map_forked(lambda i: squares[i] + 1, 5)
[1, 2, 5, 10, 17]
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

#: The work of the current map_forked (set while it runs, and in its forked copies).
_WORK: Callable[[int], Any] | None = None


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers and CI)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether pieces may go to forked copies from here (not inside a copy, nor a daemon)."""
    return hasattr(os, "fork") and _WORK is None and not multiprocessing.current_process().daemon


def map_forked(work: Callable[[int], T], count: int, workers: int | None = None) -> list[T]:
    """``[work(0), ..., work(count - 1)]``, computed by up to ``workers`` (default: the available
    cores) forked copies of this process, each taking the next number when it is free; the results
    come back pickled, in order. ``work`` may be a closure (it is inherited, not sent); what it
    changes in a copy stays there."""
    global _WORK
    workers = min(count, workers or available_cores())
    if workers < 2 or not can_fork():
        return [work(i) for i in range(count)]
    _WORK = work
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        return list(pool.map(_run, range(count)))
    finally:  # after a failure or Ctrl+C the pieces not yet started are not started
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None


def _run(index: int) -> Any:
    return _WORK(index)  # type: ignore[misc]
