"""The Jupyter kernels the runner starts: this interpreter, over IPC, stopped together on Ctrl+C.

* **Interpreter.** Papermill looks kernels up by name, and a user-wide ``python3`` kernelspec
  may point at another Python without this package. :class:`CurrentInterpreterKernelManager`
  ignores the lookup and starts ``sys.executable -m ipykernel_launcher``, so runs inside
  ``.venv`` work without installing a kernel.
* **No port race.** Over TCP, jupyter_client picks five free ports by binding and releasing
  them, then the kernel binds them again: another process on the machine (another run,
  another user's kernel) can take a port in between, and the kernel dies with "Address
  already in use". The kernels here talk over IPC (Unix sockets) in a private folder made
  for each kernel, so there are no ports to race for. Kernel traffic is encrypted
  (CurveZMQ) when pyzmq supports it, because outputs are sensitive until disclosure control.
* **Clean shutdown.** jupyter_client sends SIGINT before it asks a kernel to shut down, and an
  idle ipykernel answers by logging "KeyboardInterrupt caught in kernel" on the terminal; a
  kernel that finished its notebook is idle, so it is only asked to shut down.
* **Stopping a run.** The kernels of one run belong to a :class:`KernelGroup`, which starts
  them with the run's environment (e.g. the run's data cache, never a notebook parameter)
  and terminates them all at once when the run is interrupted.
* **Warm start.** A group with a :class:`~evaluation.runner.pool.KernelTemplate` forks each
  kernel from the template, which has imported the toolkit and loaded the run's data once
  (:mod:`evaluation.runner.pool`); without one, each kernel is a new process.
* **No idle waits.** jupyter_client ends its wait for a new kernel by listening until IOPub has
  been silent for 0.2 s, and after asking a kernel to shut down checks every 0.1 s whether it
  has; a forked kernel is ready and gone in milliseconds, so with a notebook per strand and
  scope these fixed waits were a third of a second per notebook. Here the silence is 20 ms and
  the check every 10 ms (:class:`QuickClient`, :meth:`CurrentInterpreterKernelManager._async_finish_shutdown`).

The manager is asynchronous (jupyter_client's ``AsyncKernelManager``), as nbclient expects:
with a blocking manager nbclient waits for kernel output without ever noticing that the
kernel died, so a crashed or killed kernel would hang the run.

Example
-------
>>> spec = CurrentInterpreterKernelManager().kernel_spec
>>> spec.argv[1:3]
['-m', 'ipykernel_launcher']
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

#: Several kernels run side by side, one per core: numerical libraries must not each start
#: a thread per core as well, or they fight over the same cores.
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

#: Name written into executed notebooks' metadata; any name works because the spec is not looked up.
KERNEL_NAME = "python3"


def _curve_available() -> bool:
    try:
        import zmq
    except ImportError:  # pragma: no cover - pyzmq comes with jupyter_client
        return False
    return bool(zmq.has("curve"))


#: How long IOPub must be silent before a new kernel counts as ready (see the module docstring).
IOPUB_SILENCE = 0.02
#: How often a kernel asked to shut down is checked for having done so.
SHUTDOWN_POLL = 0.01


class QuickClient(AsyncKernelClient):
    """The kernel client nbclient talks through: ready once the kernel has answered ``kernel_info``
    on the shell channel and IOPub is connected and has fallen silent for :data:`IOPUB_SILENCE`."""

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected when the status the request caused arrives on it
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:  # what is left on IOPub belongs to kernel_info, not to the notebook's cells
            try:
                await self.iopub_channel.get_msg(timeout=IOPUB_SILENCE)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


class CurrentInterpreterKernelManager(AsyncKernelManager):
    """Start kernels with ``sys.executable`` over IPC, whatever kernelspecs are installed."""

    #: the run this kernel belongs to (set on the class a :class:`KernelGroup` makes)
    group: KernelGroup | None = None
    client_factory = QuickClient

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("transport", "ipc")
        if _curve_available():
            kwargs.setdefault("transport_encryption", "auto")
        super().__init__(**kwargs)
        self._private_dir: Path | None = None

    @property
    def kernel_spec(self) -> KernelSpec:
        metadata = {"supported_encryption": ["curve"]} if _curve_available() else {}
        env = {**SINGLE_THREAD_ENV, **(self.group.env if self.group else {})}
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                          display_name=f"Python {sys.version_info.major}.{sys.version_info.minor} (evaluation)",
                          language="python", metadata=metadata, env=env)

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        template = self.group.template if self.group is not None else None
        if template is not None and self.provisioner is None:
            from evaluation.runner.pool import ForkProvisioner

            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            self.provisioner.template = template
        if self.transport == "ipc" and self._private_dir is None:
            # a short private folder: Unix socket paths are limited to about 100 characters
            self._private_dir = Path(tempfile.mkdtemp(prefix="evaluation-kernel-"))
            self.connection_file = str(self._private_dir / "kernel.json")
            self.ip = str(self._private_dir / "ipc")
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        if self.group is not None and self.group.stopping.is_set():
            raise RuntimeError("the run was interrupted before this kernel started")
        await super()._async_launch_kernel(kernel_cmd, **kw)
        if self.group is not None:
            self.group.register(self)

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:  # see the module docstring: ask an idle kernel to leave, do not interrupt it
            return
        await super()._async_interrupt_kernel()

    async def _async_finish_shutdown(self, waittime: float | None = None, pollinterval: float = 0.1,
                                     restart: bool = False) -> None:
        await super()._async_finish_shutdown(waittime, pollinterval=min(pollinterval, SHUTDOWN_POLL),
                                              restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.group is not None:
            self.group.unregister(self)
        if not restart and self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None

    # AsyncKernelManager binds its public coroutines to KernelManager's functions; nbclient calls
    # these names (cleanup_resources after a kernel died, interrupt_kernel on a cell timeout)
    cleanup_resources = _async_cleanup_resources
    interrupt_kernel = _async_interrupt_kernel


class KernelGroup:
    """The kernels of one run: the environment they start with, and stopping them together.

    ``manager_class`` is the kernel manager class to give papermill; every kernel it starts
    is registered here until it is cleaned up, so :meth:`stop` reaches every running kernel
    (and a kernel about to start refuses to once the group is stopping). With a ``template``
    (:class:`~evaluation.runner.pool.KernelTemplate`) the kernels are forked from it.

    Example
    -------
    >>> group = KernelGroup({"EXAMPLE": "1"})
    >>> group.manager_class().kernel_spec.env["EXAMPLE"]
    '1'
    >>> group.stop()
    0
    """

    def __init__(self, env: Mapping[str, str] | None = None, *, template: Any = None) -> None:
        self.env = dict(env or {})
        self.template = template
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._managers: set[CurrentInterpreterKernelManager] = set()
        self.manager_class: type[CurrentInterpreterKernelManager] = type(
            "RunKernelManager", (CurrentInterpreterKernelManager,), {"group": self})

    def register(self, manager: CurrentInterpreterKernelManager) -> None:
        with self._lock:
            self._managers.add(manager)
        if self.stopping.is_set():  # started while the group was being stopped
            _signal(manager, signal.SIGTERM)

    def unregister(self, manager: CurrentInterpreterKernelManager) -> None:
        with self._lock:
            self._managers.discard(manager)

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._managers)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Terminate every kernel of the group (and what it started); return how many were signalled."""
        self.stopping.set()
        with self._lock:
            managers = list(self._managers)
        return sum(_signal(m, sig) for m in managers)


def _signal(manager: CurrentInterpreterKernelManager, sig: int) -> bool:
    """Signal the kernel's process group (the kernel and any process it started)."""
    provisioner = manager.provisioner
    pid = getattr(provisioner, "pid", None)
    if pid is None:
        return False
    pgid = getattr(provisioner, "pgid", None)
    try:
        if pgid is not None and hasattr(os, "killpg"):
            os.killpg(pgid, sig)
        else:  # pragma: no cover - not on POSIX
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True
