"""A scriptable test website on loopback that logs every request it receives.

    with TestSite({"/": Reply(b"<a href='/a'>a</a>"), "/a": Reply(b"hi", type="text/plain")}) as site:
        crawl(CrawlOptions(start_urls=(site.url + "/",)), pages.append)
        assert [hit.path for hit in site.log] == ["/robots.txt", "/", ...]

Routes are keyed by the request target (path and query) or, failing that, by the path alone; a
route is a Reply or a function of the Hit that returns one. 200 replies with a body get an ETag
and answer If-None-Match (and If-Modified-Since when they set Last-Modified) with 304.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from loopback import LoopbackServer


@dataclass
class Reply:
    body: bytes | Callable[[], Iterator[bytes]] = b""  # a function: streamed, chunked, no length
    status: int = 200
    type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    length: int | None = None  # a Content-Length to announce for a streamed body


@dataclass
class Hit:
    method: str
    target: str  # path and query as requested
    headers: dict[str, str]
    time: float
    nth: int  # 1 for the first request to this target, 2 for the second…
    sent: int = 0  # body bytes written
    aborted: bool = False  # the client hung up before the body was complete

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


Route = Reply | Callable[[Hit], Reply]


class TestSite:
    """A loopback server (tests/loopback.py); `url` is its origin, `log` every request in order."""

    __test__ = False  # not a pytest test class

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.log: list[Hit] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
            disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stalls

            def do_GET(self) -> None:  # noqa: N802 - stdlib naming
                site._serve(self)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                pass

        self._loopback = LoopbackServer(Handler, host)
        self.url = self._loopback.url

    def __enter__(self) -> TestSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.stopping.set()  # wakes slow handlers
        self._loopback.close()

    def hits(self, target: str) -> list[Hit]:
        return [h for h in self.log if h.target == target]

    def targets(self) -> list[str]:
        return [h.target for h in self.log]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        with self._lock:
            self._counts[target] = self._counts.get(target, 0) + 1
            hit = Hit(handler.command, target, dict(handler.headers.items()), time.monotonic(), self._counts[target])
            self.log.append(hit)
        route = self.routes.get(target) or self.routes.get(hit.path)
        reply = (
            (route(hit) if callable(route) else route) if route is not None else Reply(b"not found", 404, "text/plain")
        )
        if reply.delay and self.stopping.wait(reply.delay):
            handler.close_connection = True  # shutting down: answer nothing
            return
        try:
            self._write(handler, hit, reply)
        except OSError:  # the client hung up (broken pipe, reset)
            hit.aborted = True
            handler.close_connection = True

    def _write(self, handler: BaseHTTPRequestHandler, hit: Hit, reply: Reply) -> None:
        headers = dict(reply.headers)
        if reply.type:
            headers["Content-Type"] = reply.type
        status = reply.status
        body = reply.body
        if isinstance(body, bytes) and status == 200:
            etag = headers.setdefault("ETag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
            fresh = hit.headers.get("If-None-Match") == etag or (
                "Last-Modified" in headers and hit.headers.get("If-Modified-Since") == headers["Last-Modified"]
            )
            if fresh:
                status, body = 304, b""
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        if isinstance(body, bytes):
            payload = b"" if status == 304 else body
            if status != 304:
                handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            hit.sent = len(payload)
            return
        if reply.length is not None:
            handler.send_header("Content-Length", str(reply.length))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for chunk in body():
            if self.stopping.is_set():
                handler.close_connection = True
                return
            handler.wfile.write(chunk if reply.length is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            hit.sent += len(chunk)
        if reply.length is None:
            handler.wfile.write(b"0\r\n\r\n")
