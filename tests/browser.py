"""Open a page in Debian's headless Chromium and check it, over the DevTools protocol on a pipe.

Chromium started with `--remote-debugging-pipe` reads protocol commands from its file descriptor 3 and
writes replies and events to descriptor 4, each a JSON text ended by a NUL byte: no websocket, no extra
package, and never a browser that downloads itself. `Browser` is a context manager; `Browser.open(path)`
loads a local file in a fresh tab 1,280 px wide and returns a `Page` that records console errors,
uncaught exceptions and failed requests, evaluates JavaScript and takes screenshots.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

WIDTH_PX = 1280
HEIGHT_PX = 900
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--remote-debugging-pipe", f"--window-size={WIDTH_PX},{HEIGHT_PX}")


def chromium() -> str | None:
    """The path of Debian's chromium, or None."""
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and "/usr/bin/chromium") or None


class Browser:
    """One headless Chromium process, driven over the DevTools pipe."""

    def __init__(self, timeout_s: float = 20.0):
        self.timeout_s = timeout_s
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict] = []

    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="fleet-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child's descriptor 3 reads our commands, its descriptor 4 writes its messages
        self.process = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=lambda: _as_fds_3_and_4(to_browser_r, from_browser_w))
        os.close(to_browser_r)
        os.close(from_browser_w)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.send("Browser.close")
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self._profile, ignore_errors=True)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        """Send one command and wait for its reply; events that arrive meanwhile are kept in `events`."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict:
        """The first event `method` of `session`, waiting for it if it has not come yet."""
        while True:
            for e in self.events:
                if e.get("method") == method and e.get("sessionId") == session:
                    return e
            self.events.append(self._read())

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout_s
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from chromium")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(text)

    def open(self, path: str | os.PathLike, height_px: int = HEIGHT_PX) -> "Page":
        """Load the local file `path` in a new tab `WIDTH_PX` wide and wait for its load event."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session)
        self.send("Emulation.setDeviceMetricsOverride", session, width=WIDTH_PX, height=height_px,
                  deviceScaleFactor=1, mobile=False)
        started = time.monotonic()
        self.send("Page.navigate", session, url=Path(path).resolve().as_uri())
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session, time.monotonic() - started)


def _as_fds_3_and_4(read_end: int, write_end: int) -> None:
    """In the child: `read_end` becomes descriptor 3 and `write_end` descriptor 4 (moved above both first,
    so neither is overwritten while the other is still needed)."""
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (read_end, write_end)]
    os.dup2(high[0], 3)
    os.dup2(high[1], 4)


class Page:
    """A loaded tab: what went wrong while loading, JavaScript evaluation and screenshots."""

    def __init__(self, browser: Browser, session: str, load_s: float):
        self.browser = browser
        self.session = session
        self.load_s = load_s

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        reply = self.browser.send("Runtime.evaluate", self.session, expression=expression,
                                  returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, error log entries and failed requests so far."""
        self.evaluate("0")     # let pending events arrive
        out = []
        for e in self.browser.events:
            if e.get("sessionId") != self.session:
                continue
            p = e.get("params", {})
            method = e.get("method")
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif method == "Runtime.exceptionThrown":
                out.append("exception: " + json.dumps(p["exceptionDetails"])[:500])
            elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
                out.append("log: " + p["entry"]["text"])
            elif method == "Network.loadingFailed":
                out.append(f"failed request: {p.get('errorText')}")
        return out

    def screenshot(self, path: str | os.PathLike, full_page: bool = False) -> bytes:
        """A PNG of the viewport (or the whole page), written to `path` and returned."""
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = base64.b64decode(self.browser.send("Page.captureScreenshot", self.session, **params)["data"])
        Path(path).write_bytes(data)
        return data


def page_checks(page: Page) -> dict:
    """What every page must pass: images decoded, no horizontal scroll at 1,280 px."""
    return page.evaluate("""({
        images: document.images.length,
        undecoded: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
    })""")


def distinct_colours(png: bytes) -> int:
    """How many distinct colours a PNG holds (1 for a blank screenshot)."""
    from io import BytesIO

    from matplotlib.image import imread

    pixels = imread(BytesIO(png), format="png")
    flat = (pixels[..., :3] * 255).astype("uint8").reshape(-1, 3)
    return len({tuple(p) for p in flat[:: max(1, len(flat) // 200_000)]})
