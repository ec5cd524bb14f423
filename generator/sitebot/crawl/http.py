"""HTTP for the crawler: polite requests, retries, and the one redirect follower.

    http = Http(client, opts)
    landed = await http.fetch(url, max_redirects=5, max_bytes=MAX_ROBOTS_BYTES, truncate=True)

Pages, robots.txt and sitemaps all go through `Http.fetch`: it follows redirects itself
(httpx's own following is off) so every hop can be checked by the caller, loops and runaway
chains end the fetch, and every request passes the host's `Gate` and counts in `requests`.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import TypeVar
from urllib.parse import urljoin

import httpx

from .options import CrawlOptions
from .urls import canonical, origin

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
BACKOFF = 0.5  # first retry waits this long, then twice as long each time
_KEEP_ALIVE_BODY = 64 * 1024  # error/redirect bodies up to this size are read so the connection is reused

Stop = TypeVar("Stop")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks for (`120` or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Response:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes | None = None
    too_large: bool = False


@dataclass
class Failure:
    reason: str  # the skip reason
    cause: str | None = None  # "dns" | "connect" | "type" | "redirect": on a start URL this is a CrawlError
    detail: str = ""
    in_redirects: bool = False  # the redirect chain was unusable (a loop, a bad Location), not the server


@dataclass
class Landed:
    """The last response of a redirect chain."""

    url: str  # canonical URL of the last hop
    chain: list[str]  # the canonical URLs that redirected to it
    response: Response


def connect_failure(exc: BaseException, url: str) -> Failure:
    """Classify a connection failure: DNS or refused/unreachable (both fatal for a start URL)."""
    seen: BaseException | None = exc
    innermost = exc
    for _ in range(10):  # the cause chain is short; the bound guards against cycles
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return Failure("connection error", "dns", url.split("://", 1)[1].split("/", 1)[0])
        innermost = seen
        seen = seen.__cause__ or seen.__context__
    if isinstance(innermost, ConnectionRefusedError):
        detail = "connection refused"
    else:
        detail = getattr(innermost, "strerror", None) or str(innermost) or type(innermost).__name__
    return Failure("connection error", "connect", detail)


class Gate:
    """Politeness towards one host: at most `concurrency` requests at once, starts `delay` apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self.delay = delay
        self._next = 0.0

    def pause(self, seconds: float) -> None:
        """Start nothing for `seconds` (the host said Retry-After)."""
        self._next = max(self._next, asyncio.get_running_loop().time() + seconds)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._slots:
            now = asyncio.get_running_loop().time()
            start = max(now, self._next)
            self._next = start + self.delay  # reserved before sleeping, so starts never bunch up
            if start > now:
                await asyncio.sleep(start - now)
            yield


def _any_body(resp: httpx.Response) -> bool:
    return True


def _no_headers(url: str) -> dict[str, str]:
    return {}


class Http:
    """Requests of one crawl: a Gate per host, retries with backoff, and a count of every request."""

    def __init__(self, client: httpx.AsyncClient, opts: CrawlOptions) -> None:
        self.client = client
        self.opts = opts
        self.requests = 0
        self._gates: dict[str, Gate] = {}

    def gate(self, url: str) -> Gate:
        key = origin(url)
        if key not in self._gates:
            self._gates[key] = Gate(self.opts.concurrency, self.opts.delay)
        return self._gates[key]

    async def fetch(
        self,
        url: str,
        *,
        max_redirects: int,
        max_bytes: int,
        headers: Callable[[str], dict[str, str]] = _no_headers,
        want_body: Callable[[httpx.Response], bool] = _any_body,
        truncate: bool = False,
        check_hop: Callable[[str], Awaitable[Stop | None]] | None = None,
    ) -> Landed | Failure | Stop:
        """GET `url`, following up to `max_redirects` redirects; each hop's canonical URL goes to
        `check_hop`, whose answer (when not None) ends the fetch. `headers(url)` gives each hop's
        request headers. A 3xx without Location is a final answer like any other."""
        chain = [url]  # canonical URLs of the hops so far
        current = fetch_url = url  # the page's identity, and the spelling we request
        requested = {url}
        while True:
            r = await self.get(fetch_url, headers(current), max_bytes=max_bytes, want_body=want_body, truncate=truncate)
            if isinstance(r, Failure):
                return r
            location = r.headers.get("location", "").strip() if r.status in REDIRECTS else ""
            if not location:
                return Landed(current, chain[:-1], r)
            try:
                raw = urljoin(fetch_url, location)
            except ValueError:
                return Failure("redirect out of scope", in_redirects=True)
            target = canonical(raw)
            if target is None:
                return Failure("redirect out of scope", in_redirects=True)
            if raw in requested or len(requested) > max_redirects:
                return Failure("redirect loop", in_redirects=True)
            requested.add(raw)
            if target == current:
                # Another spelling of the same page (`/docs/` → `/docs/index.html`, `;jsessionid=`):
                # our canonical form is not what this server serves, so ask for its spelling.
                fetch_url = raw
                continue
            if target in chain:
                return Failure("redirect loop", in_redirects=True)
            if check_hop is not None:
                stop = await check_hop(target)
                if stop is not None:
                    return stop
            chain.append(target)
            current = fetch_url = target

    async def get(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        max_bytes: int,
        want_body: Callable[[httpx.Response], bool] = _any_body,
        truncate: bool = False,
    ) -> Response | Failure:
        """One URL, with retries: 5xx, timeouts and connection errors back off; 429/503 honour Retry-After."""
        failure = Failure("connection error")
        for attempt in range(self.opts.retries + 1):
            wait = BACKOFF * 2**attempt
            try:
                r = await self._once(url, headers or {}, max_bytes, want_body, truncate)
            except httpx.ConnectTimeout:
                failure = Failure("connection error", "connect", "timeout")
            except (TimeoutError, httpx.TimeoutException):
                failure = Failure("timeout")
            except httpx.ConnectError as e:
                failure = connect_failure(e, url)
                if failure.cause == "dns":
                    return failure  # a name that does not resolve will not resolve in a second either
            except (httpx.HTTPError, httpx.InvalidURL) as e:
                failure = Failure("connection error", None, str(e))
            else:
                if r.status in (429, 503):
                    after = parse_retry_after(r.headers.get("retry-after"))
                    if after is not None:
                        if after > self.opts.max_retry_after:
                            return Failure("rate limited")
                        self.gate(url).pause(after)  # the whole host asked for a pause, not just this URL
                        wait = after
                    failure = Failure("rate limited" if r.status == 429 else "HTTP 503")
                elif r.status >= 500:
                    failure = Failure(f"HTTP {r.status}")
                else:
                    return r
            if attempt < self.opts.retries:
                await asyncio.sleep(wait)
        return failure

    async def _once(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        want_body: Callable[[httpx.Response], bool],
        truncate: bool,
    ) -> Response:
        async with self.gate(url).slot():
            self.requests += 1
            # wait_for bounds the whole exchange, body included (httpx's timeouts are per read).
            return await asyncio.wait_for(
                self._exchange(url, headers, max_bytes, want_body, truncate), self.opts.timeout
            )

    async def _exchange(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        want_body: Callable[[httpx.Response], bool],
        truncate: bool,
    ) -> Response:
        async with self.client.stream("GET", url, headers=headers) as resp:
            r = Response(url, resp.status_code, resp.headers)
            if not 200 <= resp.status_code < 300 or not want_body(resp):
                length = resp.headers.get("content-length", "")
                if resp.status_code in (204, 304) or (length.isdigit() and int(length) <= _KEEP_ALIVE_BODY):
                    await resp.aread()  # a small body read to the end keeps the connection reusable
                return r
            length = resp.headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes and not truncate:
                r.too_large = True
                return r
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    if not truncate:
                        r.too_large = True  # leaving the block drops the connection mid-stream
                        return r
                    del body[max_bytes:]
                    break
            r.body = bytes(body)
            return r
