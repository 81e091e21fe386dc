"""What runs the notebooks of a run: worker threads of this process (local) or a Dask cluster.

An executor takes one notebook job at a time (:meth:`Executor.submit`) and gives back a
``concurrent.futures.Future`` of its :class:`~evaluation.runner.execute.JobOutcome`; it has a
number of ``slots`` (notebooks at the same time), can stop every kernel it runs at once
(Ctrl+C), and is told where the run's validated data are (:meth:`Executor.use_data`) so that
its kernels read them instead of the data folder. :func:`evaluation.runner.run.execute_jobs`
drives any of them the same way: the first failure stops the run, notebooks not started stay
pending, progress is shown as notebooks finish.

* :class:`LocalExecutor` (``executor: local``, the default): ``slots`` threads, each running
  papermill with a kernel forked from one warm template process
  (:mod:`evaluation.runner.pool`).
* :class:`evaluation.runner.dask_executor.DaskExecutor` (``executor: dask``): the notebooks
  run on the workers of a Dask cluster, each worker with its own warm template.

Example
-------
>>> executor = LocalExecutor(workers=2, warm=False)
>>> executor.slots
2
>>> executor.close()
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from evaluation.runner.execute import JobOutcome, NotebookJob, execute_job
from evaluation.runner.kernel import KernelGroup


class Executor(Protocol):
    """The interface :func:`evaluation.runner.run.execute_jobs` drives."""

    #: notebooks run at the same time
    slots: int
    #: where a run cache folder goes (None: the temporary folder; a cluster on other machines
    #: needs a folder they share, e.g. in the output folder)
    cache_parent: Path | None
    #: how the run summary names the executor ("" for the local one)
    description: str

    def use_data(self, cache: Path) -> None: ...

    def submit(self, job: NotebookJob, *, cell_timeout: float | None) -> Future[JobOutcome]: ...

    def stop(self, sig: int = signal.SIGTERM) -> None: ...

    def close(self) -> None: ...


class LocalExecutor:
    """``workers`` threads of this process, each running one notebook at a time in its own
    kernel. With ``warm`` (and where the system can fork) the kernels are forked from one
    template process started here, which imports the toolkit while the runner validates the
    data and then loads the validated data once (:meth:`use_data`)."""

    cache_parent: Path | None = None
    description = ""

    def __init__(self, workers: int, *, env: dict[str, str] | None = None, warm: bool = True,
                 kernels: KernelGroup | None = None) -> None:
        from evaluation.runner.pool import KernelTemplate, fork_available

        self.slots = max(1, int(workers))
        template = KernelTemplate(env) if warm and kernels is None and fork_available() else None
        self.kernels = kernels or KernelGroup(env, template=template)
        self._template = template
        self._pool: ThreadPoolExecutor | None = None  # made at the first notebook, when slots is final

    def use_data(self, cache: Path) -> None:
        from evaluation.runner.datacache import RUN_CACHE_ENV

        self.kernels.env[RUN_CACHE_ENV] = str(cache)
        if self._template is not None:
            self._template.preload(cache)

    def submit(self, job: NotebookJob, *, cell_timeout: float | None) -> Future[JobOutcome]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="notebook")
        return self._pool.submit(execute_job, job, cell_timeout=cell_timeout, kernels=self.kernels)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        self.kernels.stop(sig)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._template is not None:
            self._template.stop()
            self._template = None


def warm_kernels_wanted() -> bool:
    """Kernels are forked from a warm template unless ``EVALUATION_WARM_KERNELS=0`` (each kernel then
    starts as a new process, as before; for comparison and as a way out on an unusual system)."""
    return os.environ.get("EVALUATION_WARM_KERNELS", "1").strip().lower() not in ("0", "false", "no", "off")


def make_executor(config: Any, *, workers: int, env: dict[str, str]) -> Executor:
    """The executor a run configuration asks for (``executor: local`` or ``dask``). The local one
    gets ``env`` for its kernels; Dask workers get no environment from the run (see
    :mod:`evaluation.runner.dask_executor`)."""
    if getattr(config, "executor", "local") == "dask":
        from evaluation.runner.dask_executor import DaskExecutor

        return DaskExecutor(scheduler=config.dask_scheduler, workers=config.dask_workers or workers,
                            slots=config.workers, output_dir=config.output_dir, warm=warm_kernels_wanted())
    return LocalExecutor(workers, env=env, warm=warm_kernels_wanted())


class StartingExecutor:
    """An executor being started in the background (a Dask cluster takes seconds to come up, a
    kernel template seconds to import the toolkit) while the runner validates the data.

    Example
    -------
    >>> starting = StartingExecutor(lambda: LocalExecutor(1, warm=False))
    >>> starting.get().slots
    1
    >>> starting.close()
    """

    def __init__(self, make: Any) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="executor-start")
        self._future = self._pool.submit(make)
        self._pool.shutdown(wait=False)

    def get(self) -> Executor:
        """The executor, once started (raises what starting it raised, e.g. a ConfigError)."""
        return self._future.result()

    def close(self) -> None:
        """Close the executor (waiting for it to finish starting); a failed start is not raised again."""
        try:
            executor = self._future.result()
        except BaseException:  # noqa: BLE001 - raised by get() where it matters
            return
        executor.close()


def start_executor(config: Any, *, workers: int, env: dict[str, str]) -> StartingExecutor:
    """Start the run's executor in the background (see :class:`StartingExecutor`)."""
    return StartingExecutor(lambda: make_executor(config, workers=workers, env=env))
