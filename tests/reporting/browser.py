"""A real headless Chromium for page tests, driven over the DevTools protocol (CDP).

Debian's ``chromium`` package is used: the test set-up installs it with apt when it is missing
(Playwright's own browser download needs a network this project does not have). The browser is
started with an empty profile, no background networking and every host name resolving to
nothing, so a page that tried to load anything from a network would fail visibly; the client
is ``websocket-client`` (PyPI).

Example
-------
>>> with Browser(find_chromium()) as browser:                       # doctest: +SKIP
...     page = browser.open("file:///tmp/dashboard.html")
...     page.evaluate("document.title")
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Self

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium(install: bool = True) -> tuple[str | None, str]:
    """The path of a Chromium binary and "" — or None and the reason there is none.

    When none is on PATH and ``install``, installs Debian's ``chromium`` with apt-get (as root)."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path, ""
    if not install:
        return None, "no Chromium on PATH"
    apt = shutil.which("apt-get")
    if apt is None:
        return None, "no Chromium on PATH and no apt-get to install Debian's chromium package"
    if os.geteuid() != 0:
        return None, "no Chromium on PATH, and installing Debian's chromium package needs root"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        except subprocess.TimeoutExpired:
            return None, f"'{' '.join(command)}' did not finish in 15 minutes"
        if done.returncode != 0:
            return None, f"'{' '.join(command)}' failed: {done.stderr.strip()[-300:]}"
    path = shutil.which("chromium")
    return (path, "") if path else (None, "apt-get installed chromium but it is not on PATH")


class Page:
    """One tab: evaluate JavaScript, wait for a condition, take a screenshot."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.errors: list[str] = []

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.errors.append(str(details.get("exception", {}).get("description") or details.get("text")))
            if message.get("method") == "Runtime.consoleAPICalled" and message["params"].get("type") == "error":
                self.errors.append(" ".join(str(a.get("value", a.get("description", "")))
                                            for a in message["params"].get("args", [])))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(f"the page never made {expression!r} true")

    def screenshot(self, width: int, height: int) -> bytes:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=False)
        data = self.send("Page.captureScreenshot", format="png",
                         clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})["data"]
        return base64.b64decode(data)


class Browser:
    """Headless Chromium with a DevTools port on the loopback address, closed on exit."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self.process: subprocess.Popen[str] | None = None
        self.port: int | None = None
        self.sockets: list[Any] = []

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(
            [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-address=127.0.0.1",
             "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        assert self.process.stderr is not None
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                return self
            if not line and self.process.poll() is not None:
                break
        self.__exit__(None, None, None)
        raise RuntimeError("Chromium did not start its DevTools server")

    def open(self, url: str) -> Page:
        import websocket

        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=30) as response:
            target = json.loads(response.read())
        # no Origin header: Chromium lets a client that is not a web page connect without one
        socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.sockets.append(socket)
        page = Page(socket)
        page.send("Runtime.enable")
        page.send("Page.enable")
        page.send("Page.navigate", url=url)  # after Runtime.enable, so errors while loading are caught
        page.wait_for(f"location.href.split('#')[0] === {json.dumps(url.split('#')[0])} "
                      "&& document.readyState === 'complete'")
        return page

    def __exit__(self, *exc: object) -> None:
        for socket in self.sockets:
            socket.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def save(data: bytes, path: Path) -> Path:
    path.write_bytes(data)
    return path
