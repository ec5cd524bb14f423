"""The one way the tests run an HTTP server of their own: a ThreadingHTTPServer on a free
loopback port, served from a daemon thread, shut down and joined on close.

    with LoopbackServer(Handler) as server:   # or the `loopback` fixture in conftest.py
        httpx.get(server.url + "/")           # server.url is the origin, "http://127.0.0.1:PORT"

Each harness (crawl_site.py, fake_llm.py, webhook.py, …) keeps its own handler; `state` is set
as attributes on the server, where a handler finds it as `self.server.<name>`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Handler = Callable[..., BaseHTTPRequestHandler]  # a handler class, or a functools.partial of one


class _Server(ThreadingHTTPServer):
    # Handler threads must not keep the test process alive (a handler may be stuck in a
    # deliberately hung reply when the test ends).
    daemon_threads = True
    quiet_errors = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.quiet_errors:
            super().handle_error(request, client_address)


class LoopbackServer:
    """`handler` served on `host`, port 0 (any free one); `url` is the origin, without a slash."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", *, quiet_errors: bool = False, **state: Any) -> None:
        self.server = _Server((host, 0), handler)
        # A client that stops reading or hangs up is what some tests provoke on purpose; those
        # harnesses pass quiet_errors so the stdlib does not print a traceback for each.
        self.server.quiet_errors = quiet_errors
        for name, value in state.items():
            setattr(self.server, name, value)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        # A short poll interval so that close() (shutdown waits for the next poll) is quick.
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class CorsHandler(BaseHTTPRequestHandler):
    """A quiet handler for a cross-origin POST endpoint (the fake LLM, the webhook): `_cors()`
    allows the caller's origin, POST and whatever headers its preflight asked for."""

    protocol_version = "HTTP/1.1"
    server: Any
    preflight_max_age: str | None = None  # "0": the browser preflights every request

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
        self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        asked = self.headers.get("Access-Control-Request-Headers")
        self.send_header("Access-Control-Allow-Headers", asked or "content-type")
        if self.preflight_max_age is not None:
            self.send_header("Access-Control-Max-Age", self.preflight_max_age)
        self.send_header("Vary", "Origin")

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}
