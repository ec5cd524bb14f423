"""A webhook receiver on 127.0.0.1 for the support tests: it records every POST (JSON or
form-encoded), answers CORS preflights like a well-configured endpoint, and fails on cue.

    hook = start_webhook()          # hook.url → "http://127.0.0.1:PORT/"
    hook.fail_next(1, 500)          # the next POST answers 500
    hook.wait_for(1)                # → [Received(path, headers, body)]
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from loopback import CorsHandler, LoopbackServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, a dict of form fields, or text
    status: int  # what the receiver answered


class Webhook:
    def __init__(self) -> None:
        self.url = ""
        self.received: list[Received] = []
        self.preflights = 0
        self._failures: list[int] = []
        self._lock = threading.Lock()

    def fail_next(self, n: int, status: int = 500) -> None:
        with self._lock:
            self._failures = [status] * n

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self._failures.clear()
            self.preflights = 0

    def wait_for(self, n: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= n:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {n} POSTs, got {len(self.received)}: {self.received}")

    def _status(self) -> int:
        with self._lock:
            return self._failures.pop(0) if self._failures else 200


class _Handler(CorsHandler):
    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib name
        self.server.hook.preflights += 1
        self.send_response(204)
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
        kind = self.headers.get("Content-Type", "")
        body: Any
        if kind.startswith("application/x-www-form-urlencoded"):
            body = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
        hook: Webhook = self.server.hook
        status = hook._status()
        with hook._lock:
            hook.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status))
        data = json.dumps({"ok": status == 200}).encode()
        self.send_response(status)
        self._cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start_webhook() -> tuple[Webhook, LoopbackServer]:
    """A Webhook receiving on 127.0.0.1 in a daemon thread; close the server after use."""
    hook = Webhook()
    server = LoopbackServer(_Handler, hook=hook)
    hook.url = server.url + "/"
    return hook, server
