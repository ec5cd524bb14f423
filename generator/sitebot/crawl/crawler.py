"""Crawl a live website politely and hand each indexable page over as it arrives.

    result = crawl(CrawlOptions(start_urls=("https://example.com/",)), on_page=pages.append)

The crawl, top to bottom:

1. Start URLs are checked (http(s), in scope) before any request; robots.txt is read.
2. Start URLs are fetched one by one (level 0). When the default scope was used and the first
   start URL redirects to another origin (http → https, example.com → www.example.com), the
   scope follows it.
3. Sitemaps (named in robots.txt, plus /sitemap.xml at the scope root) add depth-1 URLs.
4. Level by level (breadth first), each level's URLs sorted: fetched concurrently (per-host
   semaphore and delay), but their results are processed in sorted order. That makes every
   decision — duplicates, trap budgets, the max_pages cut, the order of on_page calls —
   independent of timing, while only a small window of bodies is held in memory.

The asyncio loop runs in a worker thread; on_page and progress are called on the thread that
called crawl(), so a slow on_page never stalls requests in flight or trips their timeouts.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import queue
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timezone
from fnmatch import fnmatchcase
from urllib.parse import urljoin

import httpx
from selectolax.lexbor import LexborHTMLParser

from ..errors import ConfigError, CrawlError
from ..text.extract import decode
from .robots import MAX_ROBOTS_BYTES, Robots, agent_token, robots_directives
from .sitemaps import MAX_SITEMAP_BYTES, MAX_SITEMAPS, parse_sitemap
from .urls import TemplateBudget, canonical, in_scope, looks_like_trap, origin, path_and_query

DEFAULT_USER_AGENT = "sitebot/0.1 (+https://github.com/sitebot/sitebot)"


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl and how politely.

    CrawlOptions(start_urls=("https://example.com/",))
    CrawlOptions(start_urls=("https://example.com/docs/",), scope="https://example.com/docs/", exclude=("/docs/old/*",))
    """

    start_urls: tuple[str, ...]
    scope: str | None = None  # URL prefix in scope; default: scheme://host/ of the first start URL
    include: tuple[str, ...] = ()  # fnmatch globs on the URL path (+ "?query"); empty = all
    exclude: tuple[str, ...] = ()
    max_pages: int = 5000  # pages fetched (not counting robots.txt / sitemaps)
    max_depth: int = 50  # link hops from a start URL (sitemap URLs are depth 1)
    concurrency: int = 4  # simultaneous requests per host
    delay: float = 0.1  # seconds between request starts to one host; a larger Crawl-delay wins
    timeout: float = 20.0  # per request, whole response
    max_bytes: int = 10_000_000  # per page; bigger bodies are abandoned mid-stream
    retries: int = 3  # on 5xx, timeouts and connection errors, backoff 0.5 s, 1 s, 2 s…
    max_retry_after: float = 30.0  # a longer 429/503 Retry-After gives up on that URL
    user_agent: str = DEFAULT_USER_AGENT
    respect_robots: bool = True
    dry_run: bool = False  # discover and list URLs (robots, sitemaps, scope) but fetch no page


@dataclass(frozen=True)
class Cached:
    """What a previous build kept of a page, for conditional requests."""

    etag: str | None
    last_modified: str | None
    kind: str
    charset: str | None
    content: bytes


@dataclass(frozen=True)
class Fetched:
    """One indexable response, handed to on_page."""

    url: str  # canonical URL (after redirects and <link rel=canonical> within scope)
    kind: str  # "html" | "text" | "markdown" | "pdf"
    content: bytes
    charset: str | None  # from the Content-Type header, if any
    etag: str | None
    last_modified: str | None
    sha256: str  # hex sha256 of content
    not_modified: bool  # answered 304 and content came from `previous`
    depth: int


@dataclass
class CrawlResult:
    pages: int  # Fetched handed over
    not_modified: int
    requests: int  # every HTTP request made, robots/sitemaps/retries included
    skipped: list[tuple[str, str]]  # (url, reason), sorted by url
    planned: list[str]  # dry run: the URLs that would be fetched, sorted


def crawl(
    opts: CrawlOptions,
    on_page: Callable[[Fetched], None],
    *,
    previous: Mapping[str, Cached] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CrawlResult:
    """Crawl the site; call on_page for each indexable page as it arrives (on this thread).

    progress(stage, n, None) is called with stage "found" (URLs queued), "fetch" (page
    requests done, whatever the answer) and "skip" (URLs skipped). Raises CrawlError only
    when the start URL(s) make the whole crawl impossible.
    """
    return _Crawler(opts, previous or {}, transport).run(on_page, progress)


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
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# ---------------------------------------------------------------------------------------------
# Responses and pages

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
_ROBOTS_REDIRECTS = 5  # Google follows five hops for robots.txt
BACKOFF = 0.5  # first retry waits this long, then twice as long each time
_PAGE_BUFFER = 8  # pages waiting for on_page before the crawl waits for it
_WINDOW_PER_SLOT = 16  # results held for in-order processing, per concurrent request
_KEEP_ALIVE_BODY = 64 * 1024  # error/redirect bodies up to this size are read so the connection is reused
_KINDS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "application/pdf": "pdf",
}
_ACCEPT = "text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.9,application/pdf;q=0.8,*/*;q=0.1"


def _content_type(headers: httpx.Headers) -> tuple[str, str | None]:
    """(mime, charset) from a Content-Type header; mime is "" when there is none."""
    mime, _, params = headers.get("content-type", "").partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def _sniff(body: bytes) -> str | None:
    """The kind of an untyped body: a PDF or an HTML document, else None."""
    if body.startswith(b"%PDF-"):
        return "pdf"
    head = body[:1024].lstrip().lower()
    return "html" if head.startswith((b"<!doctype html", b"<html")) else None


def _wants_body(resp: httpx.Response) -> bool:
    mime, _ = _content_type(resp.headers)
    return mime in _KINDS or not mime  # untyped bodies are read and sniffed


@dataclass
class _Response:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes | None = None
    too_large: bool = False


@dataclass
class _Failure:
    reason: str  # the skip reason
    cause: str | None = None  # "dns" | "connect" | "type" | "redirect": on a start URL this is a CrawlError
    detail: str = ""


@dataclass
class _Elsewhere:
    """A redirect to a URL that another fetch of this crawl handles."""

    url: str


@dataclass
class _Page:
    url: str  # canonical URL of the last hop
    chain: list[str]  # the URLs that redirected to it
    kind: str
    content: bytes
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    robots_tags: list[str]  # X-Robots-Tag header values


def _start_error(url: str, failure: _Failure, timeout: float) -> str:
    """The one sentence shown when a start URL cannot be crawled."""
    if failure.cause == "dns":
        return f"could not resolve host {failure.detail} for {url}; check the address and your network connection"
    if failure.cause == "type":
        return f"{url} is not an HTML page ({failure.detail}); give the site's home page"
    if failure.cause == "redirect":
        return f"{url} redirects to {failure.detail}, outside the crawl scope; start from there or widen the scope"
    if failure.detail == "timeout":
        return f"could not connect to {origin(url)} for {url} within {timeout:g} s; check that the site is up"
    return f"could not connect to {origin(url)} for {url} ({failure.detail}); check that the site is up and the address is right"


def _connect_failure(exc: BaseException, url: str) -> _Failure:
    """Classify a connection failure: DNS or refused/unreachable (both fatal for a start URL)."""
    seen: BaseException | None = exc
    innermost = exc
    for _ in range(10):  # the cause chain is short; the bound guards against cycles
        if seen is None:
            break
        if isinstance(seen, socket.gaierror):
            return _Failure("connection error", "dns", url.split("://", 1)[1].split("/", 1)[0])
        innermost = seen
        seen = seen.__cause__ or seen.__context__
    if isinstance(innermost, ConnectionRefusedError):
        detail = "connection refused"
    else:
        detail = getattr(innermost, "strerror", None) or str(innermost) or type(innermost).__name__
    return _Failure("connection error", "connect", detail)


@dataclass
class _HtmlFacts:
    links: list[str]
    canonical: str | None
    directives: set[str] = field(default_factory=set)


def _read_html(content: bytes, url: str, agent: str) -> _HtmlFacts:
    """Links to follow (`a`/`area`, not rel=nofollow), rel=canonical and robots meta of one page."""
    tree = LexborHTMLParser(decode(content, "html"))
    base = url
    node = tree.css_first("base[href]")
    if node is not None:
        base = canonical(node.attributes.get("href") or "", url) or url
    meta = [
        m.attributes.get("content") or ""
        for m in tree.css("meta[name]")
        if (m.attributes.get("name") or "").strip().lower() in ("robots", agent)
    ]
    node = tree.css_first("link[rel~=canonical i][href]")
    canon = canonical(node.attributes.get("href") or "", base) if node is not None else None
    links = []
    for a in tree.css("a[href], area[href]"):
        if "nofollow" in (a.attributes.get("rel") or "").lower().split():
            continue
        link = canonical(a.attributes.get("href") or "", base)
        if link:
            links.append(link)
    return _HtmlFacts(links, canon, robots_directives(meta, agent))


class _Gate:
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


# ---------------------------------------------------------------------------------------------
# The crawler


class _Crawler:
    def __init__(self, opts: CrawlOptions, previous: Mapping[str, Cached], transport: httpx.AsyncBaseTransport | None):
        for name in ("max_pages", "concurrency"):
            if getattr(opts, name) < 1:
                raise ConfigError(f"{name} must be at least 1 (got {getattr(opts, name)})")
        for name in ("max_depth", "delay", "retries", "max_retry_after"):
            if getattr(opts, name) < 0:
                raise ConfigError(f"{name} must not be negative (got {getattr(opts, name)})")
        if opts.timeout <= 0 or opts.max_bytes <= 0:
            raise ConfigError("timeout and max_bytes must be greater than 0")
        if not opts.start_urls:
            raise CrawlError("no start URL given; give the site's address, e.g. https://example.com/")
        self.starts: list[str] = []
        for raw in opts.start_urls:
            url = canonical(raw)
            if url is None:
                raise CrawlError(f"{raw!r} is not a valid http(s) URL; give the site's full address, e.g. https://example.com/")
            if url not in self.starts:
                self.starts.append(url)
        if opts.scope is not None:
            scope = canonical(opts.scope)
            if scope is None:
                raise CrawlError(f"scope {opts.scope!r} is not a valid http(s) URL prefix, e.g. https://example.com/docs/")
            self.scope = scope
        else:
            self.scope = origin(self.starts[0]) + "/"
        self.scope_is_default = opts.scope is None
        self.opts = opts
        self.previous = previous
        self.transport = transport
        self.agent = agent_token(opts.user_agent)

        self.state: dict[str, str] = {}  # url → "queued" | "done" | "indexed" | "skipped"
        self.next_level: set[str] = set()
        self.skipped: dict[str, str] = {}
        self.planned: list[str] = []
        self.scheduled = 0  # page fetches scheduled, for max_pages
        self.pages = self.not_modified = self.requests = 0
        self.budget = TemplateBudget()
        self._known: frozenset[str] = frozenset()  # state's URLs when the current level started
        self._claimed: set[str] = set()  # redirect targets being fetched in the current level
        self._robots: dict[str, Robots] = {}
        self._robots_failure: dict[str, _Failure | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._gates: dict[str, _Gate] = {}

        self._events: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        # Pages handed over but not yet through on_page (asyncio primitives bind to a loop on first use).
        self._page_slots = asyncio.Semaphore(_PAGE_BUFFER)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[CrawlResult] | None = None
        self._stopped = threading.Event()

    # -- threads: the loop runs in a worker, callbacks run on the caller's thread --------------

    def run(
        self, on_page: Callable[[Fetched], None], progress: Callable[[str, int, int | None], None] | None
    ) -> CrawlResult:
        worker = threading.Thread(target=self._thread_main, name="sitebot-crawl", daemon=True)
        worker.start()
        try:
            while True:
                kind, value = self._events.get()
                if kind == "page":
                    try:
                        on_page(value)  # type: ignore[arg-type]
                    finally:
                        self._call_soon(self._page_slots.release)
                elif kind == "progress":
                    if progress is not None:
                        progress(*value)  # type: ignore[misc]
                elif kind == "done":
                    return value  # type: ignore[return-value]
                else:
                    raise value  # type: ignore[misc]
        finally:
            self._stopped.set()
            self._call_soon(self._cancel)
            worker.join()

    def _thread_main(self) -> None:
        try:
            result = asyncio.run(self._main())
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread and raised there
            self._events.put(("error", e))
        else:
            self._events.put(("done", result))

    def _call_soon(self, fn: Callable[[], object]) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop has finished and closed
            pass

    def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _progress(self, stage: str, n: int = 1) -> None:
        self._events.put(("progress", (stage, n, None)))

    async def _emit(self, fetched: Fetched) -> None:
        await self._page_slots.acquire()  # released by the caller's thread once on_page returns
        self.pages += 1
        self.not_modified += fetched.not_modified
        self._events.put(("page", fetched))

    # -- the crawl ----------------------------------------------------------------------------

    async def _main(self) -> CrawlResult:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        if self._stopped.is_set():
            raise asyncio.CancelledError
        limits = httpx.Limits(max_connections=self.opts.concurrency * 2, max_keepalive_connections=self.opts.concurrency)
        async with httpx.AsyncClient(
            transport=self.transport,
            follow_redirects=False,
            headers={"User-Agent": self.opts.user_agent, "Accept": _ACCEPT},
            timeout=httpx.Timeout(self.opts.timeout),
            limits=limits,
        ) as client:
            self.client = client
            level0 = await self._check_starts()
            await self._level0(level0)
            for url in await self._sitemap_urls():
                if in_scope(url, self.scope):  # a sitemap listing other sites is not a link to them
                    self._admit(url, 1)
            depth = 1
            while self.next_level:
                urls = sorted(self.next_level)
                self.next_level = set()
                await self._level(urls, depth)
                depth += 1
        return CrawlResult(
            pages=self.pages,
            not_modified=self.not_modified,
            requests=self.requests,
            skipped=sorted(self.skipped.items()),
            planned=sorted(self.planned),
        )

    async def _check_starts(self) -> list[str]:
        """Start URLs that may be fetched; CrawlError when none may."""
        inside = [u for u in self.starts if in_scope(u, self.scope)]
        if not inside:
            raise CrawlError(f"{self.starts[0]} is outside the crawl scope {self.scope}; change the scope or the start URL")
        robots = await self._robots_for(origin(self.scope))
        failure = self._robots_failure.get(origin(self.scope))
        if failure is not None and failure.cause in ("dns", "connect"):
            raise CrawlError(_start_error(inside[0], failure, self.opts.timeout))
        allowed = [u for u in inside if robots.allowed(u)]
        if not allowed:
            robots_url = origin(self.scope) + "/robots.txt"
            if robots.unavailable:
                raise CrawlError(
                    f"{robots_url} {robots.unavailable}, and a robots.txt that cannot be read forbids all crawling "
                    f"(Google's rule), so {inside[0]} cannot be fetched; try again later or fix the server"
                )
            raise CrawlError(
                f"{robots_url} forbids user agent {self.agent!r} to fetch {inside[0]}; ask the site owner to allow it, "
                "or, if the site is yours, set respect_robots = false under [crawl] in sitebot.toml"
            )
        for url in self.starts:
            if url not in inside:
                self._skip(url, "out of scope")
            elif url not in allowed:
                self._skip(url, "robots.txt")
            self.state[url] = "skipped" if url not in allowed else "queued"
        level0 = allowed[: self.opts.max_pages]
        for url in allowed[self.opts.max_pages:]:
            self.state[url] = "skipped"
            self._skip(url, "max pages")
        self.scheduled = len(level0)
        self._progress("found", len(level0))
        return level0

    async def _level0(self, urls: list[str]) -> None:
        """Fetch the start URLs one by one (the first may move the default scope), then process them."""
        if self.opts.dry_run:
            self.planned.extend(urls)
            return
        self._known = frozenset(self.state)
        outcomes = []
        for i, url in enumerate(urls):
            outcomes.append(await self._fetch_page(url, start=True, adopt=i == 0 and self.scope_is_default))
        fatal = [o for o in outcomes if isinstance(o, _Failure) and o.cause]
        if len(fatal) == len(outcomes):
            raise CrawlError(_start_error(urls[0], fatal[0], self.opts.timeout))
        for url, outcome in zip(urls, outcomes, strict=True):
            await self._process(url, 0, outcome)

    async def _level(self, urls: list[str], depth: int) -> None:
        """Fetch one level concurrently; process results in sorted-URL order."""
        room = max(0, self.opts.max_pages - self.scheduled)
        todo = urls[:room]
        for url in urls[room:]:
            self.state[url] = "skipped"
            self._skip(url, "max pages")
        self.scheduled += len(todo)
        if self.opts.dry_run:
            self.planned.extend(todo)
            return
        self._known = frozenset(self.state)
        self._claimed = set()
        window = self.opts.concurrency * _WINDOW_PER_SLOT
        tasks: dict[int, asyncio.Task[_Page | _Failure | _Elsewhere]] = {}
        started = 0
        try:
            for i, url in enumerate(todo):
                while started < len(todo) and started < i + window:
                    tasks[started] = asyncio.create_task(self._fetch_page(todo[started]))
                    started += 1
                await self._process(url, depth, await tasks.pop(i))
        finally:
            for task in tasks.values():
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks.values(), return_exceptions=True)

    # -- deciding about URLs ------------------------------------------------------------------

    def _skip(self, url: str, reason: str) -> None:
        if url not in self.skipped:  # the first reason is the one that counts
            self.skipped[url] = reason
            self._progress("skip")

    def _excluded(self, url: str) -> bool:
        target = path_and_query(url)
        if self.opts.include and not any(fnmatchcase(target, g) for g in self.opts.include):
            return True
        return any(fnmatchcase(target, g) for g in self.opts.exclude)

    def _allowed(self, url: str) -> bool:
        robots = self._robots.get(origin(url))
        return robots is None or robots.allowed(url)

    def _admit(self, url: str, depth: int) -> None:
        """Queue a newly seen URL for the next level, or record why not."""
        if url in self.state:
            return
        if not in_scope(url, self.scope):
            reason = "out of scope"
        elif self._excluded(url):
            reason = "excluded"
        elif looks_like_trap(url) or not self.budget.admit(url):
            reason = "trap"
        elif not self._allowed(url):
            reason = "robots.txt"
        elif depth > self.opts.max_depth:
            reason = "max depth"
        else:
            self.state[url] = "queued"
            self.next_level.add(url)
            self._progress("found")
            return
        self.state[url] = "skipped"
        self._skip(url, reason)

    def _take(self, url: str) -> bool:
        """Claim `url` for content already in hand: True when it is new or only queued for the next level."""
        if url in self.next_level:
            self.next_level.discard(url)  # saves its request
            return True
        return url not in self.state

    async def _process(self, url: str, depth: int, outcome: _Page | _Failure | _Elsewhere) -> None:
        self._progress("fetch")
        if not isinstance(outcome, _Page):
            self.state[url] = "done"
            if isinstance(outcome, _Failure):
                self._skip(url, outcome.reason)
            return
        page = outcome
        self.state[url] = "done"
        if page.url != url:
            if not self._take(page.url):
                return  # the redirect target is (or was) fetched on its own
            for hop in page.chain:
                self._take(hop)
                self.state[hop] = "done"
            self.state[page.url] = "done"

        directives = robots_directives(page.robots_tags, self.agent)
        facts = _read_html(page.content, page.url, self.agent) if page.kind == "html" else None
        if facts is not None:
            directives |= facts.directives
        noindex = bool(directives & {"noindex", "none"})
        nofollow = bool(directives & {"nofollow", "none"})

        target: str | None = page.url
        if noindex:
            self._skip(page.url, "noindex")
            target = None
        elif depth == 0 and self._excluded(page.url):
            self._skip(page.url, "excluded")  # fetched only to find links
            target = None
        elif facts is not None and facts.canonical and facts.canonical != page.url:
            target = self._canonical_target(page.url, facts.canonical)
        if facts is not None and not nofollow:
            for link in facts.links:
                self._admit(link, depth + 1)
        if target is not None:
            self.state[target] = "indexed"
            await self._emit(
                Fetched(
                    url=target,
                    kind=page.kind,
                    content=page.content,
                    charset=page.charset,
                    etag=page.etag,
                    last_modified=page.last_modified,
                    sha256=hashlib.sha256(page.content).hexdigest(),
                    not_modified=page.not_modified,
                    depth=depth,
                )
            )

    def _canonical_target(self, url: str, canon: str) -> str | None:
        """The URL to index `url`'s content under, given its rel=canonical; None: a duplicate."""
        state = self.state.get(canon)
        usable = (
            in_scope(canon, self.scope) and not self._excluded(canon) and not looks_like_trap(canon) and self._allowed(canon)
        )
        if not usable:
            return url  # a hint we cannot follow: the page stays under its own URL
        if self._take(canon):
            self._skip(url, "duplicate")
            return canon
        if state in ("queued", "indexed"):
            self._skip(url, "duplicate")  # the canonical page is (or will be) indexed from its own fetch
            return None
        return url  # the canonical page failed or was skipped: keep this copy

    # -- HTTP -----------------------------------------------------------------------------------

    def _gate(self, url: str) -> _Gate:
        key = origin(url)
        if key not in self._gates:
            self._gates[key] = _Gate(self.opts.concurrency, self.opts.delay)
        return self._gates[key]

    async def _once(
        self, url: str, headers: dict[str, str], max_bytes: int, want_body: Callable[[httpx.Response], bool], truncate: bool
    ) -> _Response:
        async with self._gate(url).slot():
            self.requests += 1
            # wait_for bounds the whole exchange, body included (httpx's timeouts are per read).
            return await asyncio.wait_for(self._exchange(url, headers, max_bytes, want_body, truncate), self.opts.timeout)

    async def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int, want_body: Callable[[httpx.Response], bool], truncate: bool
    ) -> _Response:
        async with self.client.stream("GET", url, headers=headers) as resp:
            r = _Response(url, resp.status_code, resp.headers)
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

    async def _get(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        max_bytes: int,
        want_body: Callable[[httpx.Response], bool] = lambda r: True,
        truncate: bool = False,
    ) -> _Response | _Failure:
        """One URL, with retries: 5xx, timeouts and connection errors back off; 429/503 honour Retry-After."""
        failure = _Failure("connection error")
        for attempt in range(self.opts.retries + 1):
            wait = BACKOFF * 2**attempt
            try:
                r = await self._once(url, headers or {}, max_bytes, want_body, truncate)
            except httpx.ConnectTimeout:
                failure = _Failure("connection error", "connect", "timeout")
            except (TimeoutError, httpx.TimeoutException):
                failure = _Failure("timeout")
            except httpx.ConnectError as e:
                failure = _connect_failure(e, url)
                if failure.cause == "dns":
                    return failure  # a name that does not resolve will not resolve in a second either
            except (httpx.HTTPError, httpx.InvalidURL) as e:
                failure = _Failure("connection error", None, str(e))
            else:
                if r.status in (429, 503):
                    after = parse_retry_after(r.headers.get("retry-after"))
                    if after is not None:
                        if after > self.opts.max_retry_after:
                            return _Failure("rate limited")
                        self._gate(url).pause(after)  # the whole host asked for a pause, not just this URL
                        wait = after
                    failure = _Failure("rate limited" if r.status == 429 else "HTTP 503")
                elif r.status >= 500:
                    failure = _Failure(f"HTTP {r.status}")
                else:
                    return r
            if attempt < self.opts.retries:
                await asyncio.sleep(wait)
        return failure

    async def _robots_for(self, host: str) -> Robots:
        """The robots.txt rules of `host` (an origin), fetched once per crawl."""
        lock = self._robots_locks.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._robots:
                robots, failure = await self._fetch_robots(host)
                if not self.opts.respect_robots:
                    robots = Robots(sitemaps=robots.sitemaps)  # still a source of sitemaps
                elif robots.crawl_delay:
                    self._gate(host).delay = max(self.opts.delay, robots.crawl_delay)
                self._robots[host] = robots
                self._robots_failure[host] = failure
        return self._robots[host]

    async def _fetch_robots(self, host: str) -> tuple[Robots, _Failure | None]:
        url = host + "/robots.txt"
        for _ in range(_ROBOTS_REDIRECTS + 1):
            r = await self._get(url, max_bytes=MAX_ROBOTS_BYTES, truncate=True)
            if isinstance(r, _Failure):
                if r.reason == "timeout":
                    why = f"did not answer within {self.opts.timeout:g} s"
                elif r.reason.startswith("HTTP"):
                    why = f"answered {r.reason}"
                else:
                    why = f"could not be fetched ({r.reason})"
                return Robots.deny_all(why), r
            if r.status in _REDIRECTS and r.headers.get("location"):
                target = canonical(r.headers["location"], url)
                if target is None:
                    break
                url = target
                continue
            if 200 <= r.status < 300:
                return Robots.parse(decode(r.body or b"", "text"), self.agent), None
            return Robots.allow_all(), None  # 4xx: no robots.txt, everything allowed
        return Robots.allow_all(), None  # too many redirects counts as missing (Google's rule)

    async def _sitemap_urls(self) -> list[str]:
        """Page URLs from robots.txt's sitemaps and /sitemap.xml at the scope root (indexes followed)."""
        host = origin(self.scope)
        robots = self._robots.get(host) or await self._robots_for(host)
        scope_dir = self.scope if self.scope.endswith("/") else self.scope.rsplit("/", 1)[0] + "/"
        # Sitemap: lines should be absolute; relative ones are read against robots.txt's URL.
        todo = [u for u in (canonical(s, host + "/robots.txt") for s in robots.sitemaps) if u and origin(u) == host]
        todo += [u for u in (scope_dir + "sitemap.xml", host + "/sitemap.xml") if robots.allowed(u)]
        seen: set[str] = set()
        urls: list[str] = []
        while todo and len(seen) < MAX_SITEMAPS:
            sitemap_url = todo.pop(0)
            if sitemap_url in seen:
                continue
            seen.add(sitemap_url)
            body = await self._fetch_sitemap(sitemap_url)
            if body is None:
                continue
            try:
                sitemap = parse_sitemap(body)
            except ValueError:  # corrupt gzip or a gzip bomb: ignore this sitemap
                continue
            locs = [u for u in (canonical(loc) for loc in sitemap.locs) if u]
            if sitemap.kind == "sitemapindex":
                todo += [u for u in locs if origin(u) == host]  # never another host
            else:
                urls += locs
        return urls

    async def _fetch_sitemap(self, url: str) -> bytes | None:
        for _ in range(_ROBOTS_REDIRECTS + 1):
            r = await self._get(url, max_bytes=MAX_SITEMAP_BYTES)
            if isinstance(r, _Failure):
                return None
            location = r.headers.get("location")
            if r.status in _REDIRECTS and location:
                target = canonical(location, url)
                if target is None or origin(target) != origin(url):
                    return None
                url = target
                continue
            return r.body if r.status == 200 and not r.too_large else None
        return None

    async def _hop_problem(self, url: str, start: bool) -> str | None:
        if not in_scope(url, self.scope):
            return "redirect out of scope"
        if not start and self._excluded(url):
            return "excluded"
        if not (await self._robots_for(origin(url))).allowed(url):
            return "robots.txt"
        return None

    async def _fetch_page(self, url: str, *, start: bool = False, adopt: bool = False) -> _Page | _Failure | _Elsewhere:
        """GET a page, following redirects ourselves (scope, robots and loops checked at every hop)."""
        chain = [url]  # canonical URLs of the hops so far
        current = fetch_url = url  # the page's identity, and the spelling we request
        requested = {url}
        while True:
            cached = self.previous.get(current)
            headers = {}
            if cached is not None and cached.etag:
                headers["If-None-Match"] = cached.etag
            if cached is not None and cached.last_modified:
                headers["If-Modified-Since"] = cached.last_modified
            r = await self._get(fetch_url, headers, max_bytes=self.opts.max_bytes, want_body=_wants_body)
            if isinstance(r, _Failure):
                return r
            if r.status in _REDIRECTS:
                location = r.headers.get("location", "").strip()
                if not location:
                    return _Failure(f"HTTP {r.status}")
                try:
                    raw = urljoin(fetch_url, location)
                except ValueError:
                    return _Failure("redirect out of scope")
                target = canonical(raw)
                if target is None:
                    return _Failure("redirect out of scope")
                if raw in requested or len(requested) > MAX_REDIRECTS:
                    return _Failure("redirect loop")
                requested.add(raw)
                if target == current:
                    # Another spelling of the same page (`/docs/` → `/docs/index.html`, `;jsessionid=`):
                    # our canonical form is not what this server serves, so ask for its spelling.
                    fetch_url = raw
                    continue
                if target in chain:
                    return _Failure("redirect loop")
                if adopt and not in_scope(target, self.scope):
                    # The site lives elsewhere (http → https, bare → www): the default scope follows.
                    self.scope = origin(target) + "/"
                problem = await self._hop_problem(target, start)
                if problem:
                    return _Failure(problem, "redirect" if problem == "redirect out of scope" else None, target)
                if target in self._known or target in self._claimed:
                    return _Elsewhere(target)
                self._claimed.add(target)
                chain.append(target)
                current = fetch_url = target
                continue
            if r.status == 304 and cached is not None:
                return _Page(
                    url=current,
                    chain=chain[:-1],
                    kind=cached.kind,
                    content=cached.content,
                    charset=cached.charset,
                    etag=r.headers.get("etag") or cached.etag,
                    last_modified=r.headers.get("last-modified") or cached.last_modified,
                    not_modified=True,
                    robots_tags=r.headers.get_list("x-robots-tag"),
                )
            if not 200 <= r.status < 300:
                return _Failure(f"HTTP {r.status}")
            mime, charset = _content_type(r.headers)
            kind = _KINDS.get(mime) or (_sniff(r.body) if not mime and r.body is not None else None)
            if kind is None:
                return _Failure(f"unsupported type {mime or 'unknown'}", "type", mime or "no Content-Type")
            if r.too_large or r.body is None:
                return _Failure("too large")
            return _Page(
                url=current,
                chain=chain[:-1],
                kind=kind,
                content=r.body,
                charset=charset,
                etag=r.headers.get("etag"),
                last_modified=r.headers.get("last-modified"),
                not_modified=False,
                robots_tags=r.headers.get_list("x-robots-tag"),
            )
