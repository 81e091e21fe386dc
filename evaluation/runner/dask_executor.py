"""``executor: dask``: the notebooks of a run on the workers of a Dask cluster.

A run configuration with ``executor: dask`` runs its notebooks on Dask workers:

* ``dask: {scheduler: tcp://host:8786}`` uses a cluster that is already running (``dask
  scheduler`` on one machine, ``dask worker tcp://host:8786 --nthreads 1`` on each machine
  that should run notebooks). Every worker needs this package installed (the same version)
  and must see the data, notebooks and output folders at the same paths as the machine
  running ``evaluation run`` (a shared file system): the notebooks write their results there.
* ``dask: {workers: 2}`` starts a cluster of that many worker processes on this machine for
  the run (one notebook at a time each) and closes it at the end.

Each worker keeps a warm kernel template (:mod:`evaluation.runner.pool`) for the run -- a
worker plugin starts it when the run begins and stops it when the run ends -- so a notebook
costs a fork, not a new Python process. The run's validated data are written once
(:mod:`evaluation.runner.datacache`) and each template loads them once; the workers never
get the pseudonymisation key (the cached data are already pseudonymised). Executed
notebooks, results, ``run.json``, the progress bar, Ctrl+C and ``--resume`` work as with the
local executor, and the results are the same whichever executor ran them.

Example
-------
>>> executor = DaskExecutor(workers=2, output_dir="out")          # doctest: +SKIP
>>> executor.slots                                                # doctest: +SKIP
2
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from evaluation.errors import ConfigError
from evaluation.runner.execute import JobOutcome, NotebookJob, execute_job
from evaluation.runner.kernel import KernelGroup

log = logging.getLogger(__name__)

#: Seconds to wait for a scheduler given by address, and for the workers of a local cluster.
CONNECT_TIMEOUT = 60


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError("executor: dask needs the Dask 'distributed' package: "
                          "pip install 'evaluation[dask]'") from None
    return distributed


try:  # the plugin must subclass WorkerPlugin when distributed is there; the module imports without it
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - only without the dask extra
    _WorkerPlugin = object


class KernelPlugin(_WorkerPlugin):  # type: ignore[misc, valid-type]
    """Per worker and run: the kernel group of the run's notebooks on this worker, with a warm
    template (where the system can fork). Registered under the run's own name, removed at the end."""

    def __init__(self, name: str, *, warm: bool = True, quiet_interrupt: bool = False) -> None:
        self.name = name
        self.warm = warm
        self.quiet_interrupt = quiet_interrupt
        self.group: KernelGroup | None = None
        self.template: Any = None

    def setup(self, worker: Any) -> None:
        from evaluation.runner.pool import KernelTemplate, fork_available

        if self.quiet_interrupt and threading.current_thread() is threading.main_thread():
            # a worker process of the run's own local cluster: Ctrl+C is for the runner, which stops
            # the notebooks and closes the cluster; the worker must not die of it first
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.template = KernelTemplate() if self.warm and fork_available() else None
        self.group = KernelGroup(template=self.template)

    def teardown(self, worker: Any) -> None:
        if self.group is not None:
            self.group.stop()
        if self.template is not None:
            self.template.stop()
            self.template = None

    def use_data(self, cache: str) -> None:
        from evaluation.runner.datacache import RUN_CACHE_ENV

        if self.group is not None:
            self.group.env[RUN_CACHE_ENV] = cache
        if self.template is not None:
            self.template.preload(cache)


def _plugin(name: str) -> KernelPlugin:
    from distributed import get_worker

    return get_worker().plugins[name]


def run_notebook(job: NotebookJob, cell_timeout: float | None, plugin: str) -> JobOutcome:
    """The task a worker runs: one notebook, in a kernel of the run's group on this worker."""
    return execute_job(job, cell_timeout=cell_timeout, kernels=_plugin(plugin).group)


def _use_data(cache: str, plugin: str, dask_worker: Any = None) -> None:
    # (client.run passes the worker as ``dask_worker``)
    dask_worker.plugins[plugin].use_data(cache)


def _stop_kernels(plugin: str, sig: int, dask_worker: Any = None) -> int:
    group = dask_worker.plugins[plugin].group
    return group.stop(sig) if group is not None else 0


class DaskExecutor:
    """Notebooks on a Dask cluster: the one at ``scheduler``, or a local cluster of ``workers``
    processes started here. ``slots`` caps the notebooks running at once (default: one per
    worker thread of the cluster)."""

    description = "Dask"

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None, slots: int | None = None,
                 output_dir: str | Path = ".", warm: bool = True) -> None:
        distributed = _distributed()
        self.cluster = None
        self.scheduler = scheduler
        if scheduler is None:
            self.cluster = distributed.LocalCluster(
                n_workers=max(1, workers or 1), threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.CRITICAL)  # a worker lost at the end is no news; failures come back as outcomes
            address = self.cluster.scheduler_address
        else:
            address = scheduler
        try:
            self.client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            self._close_cluster()
            raise ConfigError(f"dask: could not reach the Dask scheduler at {address}: {exc}") from None
        # a cluster given by address may live on other machines: the cache goes where they see it
        self.cache_parent = Path(output_dir) / ".cache" if scheduler is not None else None
        self.description = f"Dask, {address}" if scheduler is not None else "Dask, local cluster"
        self.plugin = f"evaluation-run-{uuid.uuid4().hex[:12]}"
        try:
            self.client.register_plugin(KernelPlugin(self.plugin, warm=warm, quiet_interrupt=scheduler is None),
                                        name=self.plugin)
            threads = self._wait_for_workers()
        except BaseException:
            self.close()
            raise
        self.slots = max(1, min(slots, threads) if slots else threads)
        self._futures: dict[Future, Any] = {}

    def _wait_for_workers(self) -> int:
        deadline = time.monotonic() + CONNECT_TIMEOUT
        while True:
            threads = sum(self.client.nthreads().values())
            if threads:
                return threads
            if time.monotonic() > deadline:
                raise ConfigError(f"dask: the Dask cluster at {self.client.scheduler.address} has no workers; "
                                  f"start some with: dask worker {self.client.scheduler.address} --nthreads 1")
            time.sleep(0.2)

    def use_data(self, cache: Path) -> None:
        self.client.run(_use_data, str(cache), self.plugin)

    def submit(self, job: NotebookJob, *, cell_timeout: float | None) -> Future[JobOutcome]:
        started = time.perf_counter()
        task = self.client.submit(run_notebook, job, cell_timeout, self.plugin, pure=False,
                                  key=f"notebook-{job.key}-{uuid.uuid4().hex[:8]}")
        result: Future[JobOutcome] = Future()
        result.set_running_or_notify_cancel()

        def done(finished: Any) -> None:
            try:
                result.set_result(finished.result())
            except BaseException as exc:  # noqa: BLE001 - a worker died or the task was lost: this notebook failed
                result.set_result(JobOutcome(job, time.perf_counter() - started,
                                             f"notebook {job.label} could not be run on the Dask cluster: "
                                             f"{type(exc).__name__}: {exc}".strip()))
            finally:
                self._futures.pop(result, None)

        self._futures[result] = task
        task.add_done_callback(done)
        return result

    def stop(self, sig: int = signal.SIGTERM) -> None:
        try:
            self.client.run(_stop_kernels, self.plugin, int(sig))
        except Exception as exc:  # noqa: BLE001 - stopping anyway: workers that are gone run nothing
            log.warning("could not reach every Dask worker to stop its notebooks: %s", exc)

    def close(self) -> None:
        for task in list(self._futures.values()) if hasattr(self, "_futures") else []:
            task.cancel()
        try:
            self.client.unregister_worker_plugin(self.plugin)
        except Exception:  # noqa: BLE001 - the cluster may be gone already
            pass
        self.client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None
