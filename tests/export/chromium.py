"""Headless Chromium driven over the DevTools protocol on a pipe (no websocket client needed).

``--remote-debugging-pipe`` makes Chromium read protocol messages from fd 3 and write them to
fd 4, each a JSON object ending with a NUL byte. This is enough to open a page, evaluate script in
it and take a screenshot, in real time (``--virtual-time-budget`` does not run scroll events and
IntersectionObservers inside frames reliably, which the SCORM test depends on).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
)


class ChromiumUnavailable(RuntimeError):
    """Chromium is not installed or cannot start here (the test is skipped with this reason)."""


def find_chromium() -> str:
    override = os.environ.get("CHROMIUM")
    if override:
        return override
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumUnavailable(
        "Chromium is not installed (Debian: apt-get install -y chromium); set $CHROMIUM to use another"
    )


class Chromium:
    """One headless browser with one page; use as a context manager."""

    def __init__(self, *, width: int = 1000, height: int = 800, timeout: float = 30.0) -> None:
        self.width = width
        self.height = height
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self.console: list[str] = []
        self.session: str | None = None

    def __enter__(self) -> Chromium:
        binary = find_chromium()
        self._profile = tempfile.TemporaryDirectory(prefix="cp-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # runs in the child before exec
            # Move both ends out of the way first: one of them may already be fd 3 or 4.
            reader, writer = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(reader, 3)  # os.dup2 makes the copy inheritable
            os.dup2(writer, 4)

        try:
            self._process = subprocess.Popen(
                [
                    binary,
                    *FLAGS,
                    "--remote-debugging-pipe",
                    f"--user-data-dir={self._profile.name}",
                    f"--window-size={self.width},{self.height}",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=wire,
                close_fds=False,
            )
        except OSError as error:
            raise ChromiumUnavailable(f"Chromium could not start: {error}") from error
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        try:
            targets = self.send("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            self.session = self.send(
                "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
            )["sessionId"]
            self.send("Page.enable", session=True)
            self.send("Runtime.enable", session=True)
            self.send("Log.enable", session=True)
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": self.width,
                    "height": self.height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
                session=True,
            )
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        process = getattr(self, "_process", None)
        if process is not None:
            with contextlib.suppress(Exception):
                self.send("Browser.close", timeout=5)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
        for fd in (getattr(self, "_to_child", None), getattr(self, "_from_child", None)):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        profile = getattr(self, "_profile", None)
        if profile is not None:
            profile.cleanup()

    # --- protocol ----------------------------------------------------------------------------

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False,
        timeout: float | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._event(reply)

    def _event(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Runtime.consoleAPICalled":
            args = message["params"].get("args", [])
            self.console.append(
                " ".join(str(a.get("value", a.get("description", ""))) for a in args)
            )
        elif message.get("method") == "Log.entryAdded":
            entry = message["params"]["entry"]
            self.console.append(
                f"{entry.get('level')}: {entry.get('text')} ({entry.get('url', '')})"
            )
        elif message.get("method") == "Runtime.exceptionThrown":
            details = message["params"]["exceptionDetails"]
            self.console.append(
                "exception: "
                + str(details.get("exception", {}).get("description", details.get("text")))
            )
        self._events.append(message)

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _w, _x = select.select([self._from_child], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise ChromiumUnavailable("Chromium exited: " + self._stderr_tail())
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _stderr_tail(self) -> str:
        process = getattr(self, "_process", None)
        if process is None or process.stderr is None or process.poll() is None:
            return ""
        lines = [
            line for line in process.stderr.read().decode(errors="replace").splitlines()
            if "dbus" not in line.lower()
        ]  # fmt: skip
        return "\n".join(lines[-5:])

    # --- page --------------------------------------------------------------------------------

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, session=True)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
            session=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, *, timeout: float | None = None) -> Any:
        """Poll ``expression`` until it is truthy; return its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"timed out waiting for {expression!r}; console: {self.console[-5:]}"
                )
            time.sleep(0.1)

    def screenshot(self, path: Path, *, full_page: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, session=True)["data"]
        path.write_bytes(base64.b64decode(data))
