"""Warm kernels: a template process pays the start-up once, and every notebook's kernel is a fork of it.

A kernel started the usual way is a new Python process: it starts the interpreter, imports
IPython, pandas, SciPy, matplotlib, statsmodels and this package, and then the notebook's
first cell loads and validates the data -- seconds before any analysis runs, paid by every
notebook of a batch. Here one *template* process per worker (per run with the local
executor, per Dask worker with the Dask executor) does that once: it imports the toolkit,
reads the run's validated data (:mod:`evaluation.runner.datacache`) and then waits. For each
notebook it forks; the child becomes the notebook's Jupyter kernel (``IPKernelApp`` with the
connection file the kernel manager wrote) and starts in a fraction of a second with
everything already in memory.

Every notebook still gets a kernel of its own, started from the same state: a variable,
a patched function, a changed environment variable or matplotlib setting in one notebook
is never seen by the next, and a kernel that crashes takes no other notebook with it.
papermill drives the forked kernel exactly as it drives any kernel (parameters injected,
cells recorded, failures named by cell).

The template is single-threaded (the numerical libraries are told to use one thread) and
ignores Ctrl+C; the runner stops it when the run ends, and it exits by itself when the runner
goes away. A forked kernel leads its own process group, so stopping a run reaches it as it
reaches any kernel (:class:`evaluation.runner.kernel.KernelGroup`). Where ``os.fork`` does not
exist (Windows) kernels start the usual way.

Example
-------
>>> template = KernelTemplate()                                  # doctest: +SKIP
>>> group = KernelGroup(template=template)                       # doctest: +SKIP
>>> execute_job(job, kernels=group)                              # doctest: +SKIP
>>> template.stop()                                              # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import pkgutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

log = logging.getLogger(__name__)

#: The backend ipykernel sets for its kernels; the template imports matplotlib with it.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Modules of the kernel itself, imported by the template (the debugger alone takes half a second).
#: (Not matplotlib's inline backend: importing it hooks it into the running shell, which only a kernel has.)
KERNEL_MODULES = ("IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
                  "ipykernel.debugger")
#: Libraries the notebooks use, imported before the package's own modules.
LIBRARIES = ("numpy", "pandas", "scipy.stats", "scipy.optimize", "matplotlib", "matplotlib.pyplot",
             "statsmodels.api", "linearmodels", "pyarrow.parquet")
#: The template's environment: the backend ipykernel gives its kernels (matplotlib reads it on
#: import), and no debugger self-check message (the debugger module is imported, not used).
TEMPLATE_ENV = {"MPLBACKEND": INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
#: Options every forked kernel gets: no history database (the notebooks are the record).
KERNEL_OPTIONS = ("--HistoryManager.enabled=False",)


def fork_available() -> bool:
    """Whether kernels can be forked from a template on this system."""
    return hasattr(os, "fork") and sys.platform != "win32"


# --------------------------------------------------------------------------- the runner's side

class TemplateError(RuntimeError):
    """The template process is gone or refused a request."""


class KernelTemplate:
    """The template process of one worker: started at once, asked for kernels, stopped at the end.

    ``env`` is added to the template's environment (and so every kernel's); ``data_cache`` is
    a run cache folder loaded before the first kernel forks. Requests from several threads
    are answered one after another. :meth:`stop` ends the template (its kernels are not its
    to stop: they belong to the run's :class:`~evaluation.runner.kernel.KernelGroup`).
    """

    def __init__(self, env: Mapping[str, str] | None = None, data_cache: str | os.PathLike[str] | None = None
                 ) -> None:
        from evaluation.runner.kernel import SINGLE_THREAD_ENV

        self._lock = threading.Lock()
        self._unanswered: list[str] = []
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        environment = {**os.environ, **SINGLE_THREAD_ENV, **TEMPLATE_ENV, **dict(env or {})}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "evaluation.runner.pool", "--requests", str(requests_read),
                 "--replies", str(replies_write)],
                pass_fds=(requests_read, replies_write), stdin=subprocess.DEVNULL, env=environment,
                start_new_session=True)  # Ctrl+C in the terminal reaches the runner, which stops the run
        finally:
            os.close(requests_read)
            os.close(replies_write)
        self._requests_file = os.fdopen(self._requests, "w", encoding="utf-8")
        self._replies_file = os.fdopen(self._replies, "r", encoding="utf-8")
        if data_cache is not None:
            self.preload(data_cache)

    @property
    def pid(self) -> int:
        return self.process.pid

    def _ask(self, request: dict[str, Any], *, wait: bool = True) -> dict[str, Any]:
        """Send ``request``; return the reply, or nothing yet when not ``wait`` (its reply is read
        before the next request's)."""
        with self._lock:
            if self.process.poll() is not None:
                raise TemplateError(f"the kernel template has exited (code {self.process.returncode})")
            try:
                self._drain()
                self._requests_file.write(json.dumps(request) + "\n")
                self._requests_file.flush()
                if not wait:
                    self._unanswered.append(request.get("op", ""))
                    return {}
                line = self._replies_file.readline()
            except (OSError, ValueError) as exc:
                raise TemplateError(f"the kernel template does not answer: {exc}") from None
        if not line:
            raise TemplateError(f"the kernel template has exited (code {self.process.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise TemplateError(reply["error"])
        return reply

    def _drain(self) -> None:
        while self._unanswered:
            op = self._unanswered.pop(0)
            line = self._replies_file.readline()
            reply = json.loads(line) if line else {"error": "no answer"}
            if "error" in reply:  # e.g. a cache it could not read: the kernels read the data themselves
                log.warning("the kernel template could not %s: %s", op, reply["error"])

    def preload(self, data_cache: str | os.PathLike[str]) -> None:
        """Have the template load a run's data cache before it forks the next kernel (does not wait)."""
        self._ask({"op": "preload", "path": str(data_cache)}, wait=False)

    def spawn(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | None) -> int:
        """Fork a kernel for ``argv`` (``python -m ipykernel_launcher -f FILE ...``); return its pid."""
        return int(self._ask({"op": "spawn", "argv": list(argv), "env": dict(env), "cwd": cwd})["pid"])

    def returncode(self, pid: int) -> int | None:
        """The exit code of a kernel the template forked (None while it runs or when unknown)."""
        try:
            return self._ask({"op": "returncode", "pid": pid}).get("returncode")
        except TemplateError:
            return None

    def info(self) -> dict[str, Any]:
        """The template's pid, the modules it holds and the seconds its warm-up took."""
        return self._ask({"op": "info"})

    def stop(self) -> None:
        """End the template at once (it holds nothing to save; the kernels it forked are in process
        groups of their own and end with their notebooks or the run's :class:`KernelGroup`)."""
        with self._lock:
            for handle in (self._requests_file, self._replies_file):
                try:
                    handle.close()
                except OSError:
                    pass
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - terminate is not ignored
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> KernelTemplate:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class ForkedKernel:
    """The handle of a forked kernel, with what jupyter_client asks of a ``Popen``.

    The kernel is the template's child, not this process's: its exit is seen by its pid
    disappearing once the template has reaped it, and its exit code asked of the template.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, template: KernelTemplate) -> None:
        self.pid = pid
        self.template = template
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not _running(self.pid):
            code = self.template.returncode(self.pid)
            self.returncode = code if code is not None else -signal.SIGKILL
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process took the pid
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a zombie waits only to be reaped
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


class ForkProvisioner(LocalProvisioner):
    """Starts the kernel by asking the template for a fork instead of starting a new process;
    everything else (connection file, encryption, signals to the process group) is as for a
    local kernel."""

    template: KernelTemplate | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if self.template is None or not _is_ipykernel(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = kwargs.get("cwd")
        pid = await asyncio.to_thread(self.template.spawn, cmd, env=env, cwd=str(cwd) if cwd else None)
        self.process = ForkedKernel(pid, self.template)
        self.pid = self.pgid = pid  # the kernel leads its own process group
        self.cwd = cwd or Path.cwd()
        return self.connection_info


def _is_ipykernel(cmd: Sequence[str]) -> bool:
    return len(cmd) >= 3 and cmd[1:3] == ["-m", "ipykernel_launcher"]


# --------------------------------------------------------------------------- the template's side

def warm_up() -> int:
    """Import what notebooks use (the kernel, the libraries, every module of this package) and
    read the data contract once; return how many modules are loaded. A module that cannot be
    imported (an optional dependency) is left to the notebook that needs it."""
    import warnings

    import evaluation

    names = [*KERNEL_MODULES, *LIBRARIES]
    names += [m.name for m in pkgutil.walk_packages(evaluation.__path__, "evaluation.")
              if not m.name.startswith(("evaluation.cli", "evaluation.runner.pool"))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - warming only; the notebook meets the error itself
                log.debug("the kernel template could not import %s", name, exc_info=True)
        try:
            from evaluation.data.schema import get_schema

            get_schema()
        except Exception:  # noqa: BLE001 - warming only
            pass
    return len(sys.modules)


class _Template:
    """The template's loop: one request per line, one reply per line, children reaped as they exit."""

    def __init__(self, requests: Any, replies: Any, close_in_child: Sequence[int]) -> None:
        self.requests, self.replies = requests, replies
        self.close_in_child = tuple(close_in_child)
        self.exited: dict[int, int] = {}
        self.warm_seconds = 0.0

    def reap(self, *_: Any) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.exited[pid] = os.waitstatus_to_exitcode(status)

    def serve(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGCHLD, self.reap)
        started = time.perf_counter()
        modules = warm_up()
        self.warm_seconds = time.perf_counter() - started
        self.modules = modules
        for line in self.requests:
            try:
                reply = self.answer(json.loads(line))
            except Exception as exc:  # noqa: BLE001 - the runner gets the reason, the template goes on
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            self.replies.write(json.dumps(reply) + "\n")
            self.replies.flush()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "spawn":
            return {"pid": self.fork_kernel(request["argv"], request["env"], request.get("cwd"))}
        if op == "preload":
            from evaluation.runner.datacache import preload

            started = time.perf_counter()
            preload(request["path"])
            return {"seconds": time.perf_counter() - started}
        if op == "returncode":
            self.reap()
            return {"returncode": self.exited.get(int(request["pid"]))}
        if op == "info":
            return {"pid": os.getpid(), "modules": self.modules, "seconds": self.warm_seconds,
                    "threads": threading.active_count()}
        raise ValueError(f"unknown request {op!r}")

    def fork_kernel(self, argv: Sequence[str], env: Mapping[str, str], cwd: str | None) -> int:
        import warnings

        if cwd is not None and not Path(cwd).is_dir():
            raise FileNotFoundError(f"the kernel's folder {cwd} does not exist")
        with warnings.catch_warnings():
            # Python 3.12+ warns when a process with threads forks; the template's only other
            # thread is Arrow's allocator's, which is fork-safe (it registers fork handlers)
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid:
            return pid
        code = 1
        try:
            code = self.become_kernel(argv, env, cwd)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - a kernel that cannot start says why on stderr
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001, S110 - exiting anyway
                    pass
            os._exit(code)  # never return into the template's loop; skip the template's exit handlers

    def become_kernel(self, argv: Sequence[str], env: Mapping[str, str], cwd: str | None) -> int:
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        for fd in self.close_in_child:
            try:
                os.close(fd)
            except OSError:
                pass
        os.environ.clear()
        os.environ.update(env)
        if cwd:
            os.chdir(cwd)
        arguments = [*argv[3:], f"--IPKernelApp.parent_handle={os.getppid()}", *KERNEL_OPTIONS]
        sys.argv = [argv[0], *arguments]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(arguments)
        _inline_figures()
        app.start()
        return 0


def _inline_figures() -> None:
    """Figures shown under the cells, as in any kernel: matplotlib's inline backend hooks itself into
    the shell when it is imported, so if something the template imported loaded it, hook it now."""
    backend = sys.modules.get("matplotlib_inline.backend_inline")
    if backend is not None and hasattr(backend, "_enable_matplotlib_integration"):
        backend._enable_matplotlib_integration()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kernel template of evaluation run (started by the runner)")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--replies", type=int, required=True)
    args = parser.parse_args(argv)
    with os.fdopen(args.requests, "r", encoding="utf-8") as requests, \
            os.fdopen(args.replies, "w", encoding="utf-8") as replies:
        _Template(requests, replies, (args.requests, args.replies)).serve()
    os._exit(0)  # the runner closed the requests: nothing to clean up in a process about to go


if __name__ == "__main__":
    sys.exit(main())
