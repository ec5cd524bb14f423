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

The parts: options.py (what to crawl), frontier.py (which URLs, in what order; no I/O),
http.py (requests, retries, the redirect follower), discovery.py (robots.txt, sitemaps),
pages.py (what a response is), bridge.py (the worker thread). This module ties them together.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from ..errors import ConfigError, CrawlError
from .bridge import Bridge
from .discovery import Discovery
from .frontier import Frontier
from .http import MAX_REDIRECTS, Failure, Http, Landed
from .options import DEFAULT_USER_AGENT, CrawlOptions
from .pages import ACCEPT, Cached, Conditional, Elsewhere, Fetched, Page, page_from, read_html, wants_body
from .robots import robots_directives
from .urls import canonical, in_scope, origin

# Re-exported for callers that import from here rather than from sitebot.crawl.
__all__ = ["DEFAULT_USER_AGENT", "Cached", "CrawlOptions", "CrawlResult", "Fetched", "crawl"]

_PAGE_BUFFER = 8  # pages waiting for on_page before the crawl waits for it
_WINDOW_PER_SLOT = 16  # results held for in-order processing, per concurrent request


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
    requests done, whatever the answer) and "skip" (URLs skipped). Raises ConfigError for
    option values out of bounds, and CrawlError only when the start URL(s) make the whole
    crawl impossible.
    """
    problems = opts.problems()
    if problems:
        raise ConfigError(
            "; ".join(f"crawl option {name} {message} (got {getattr(opts, name)!r})" for name, message in problems)
        )
    crawler = _Crawler(opts, previous or {}, transport)
    return crawler.bridge.run(crawler.main, on_page, progress)


def _start_error(url: str, failure: Failure, timeout: float) -> str:
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


def _start_urls(opts: CrawlOptions) -> tuple[list[str], str]:
    """The canonical start URLs (deduplicated) and scope; CrawlError when they are unusable."""
    if not opts.start_urls:
        raise CrawlError("no start URL given; give the site's address, e.g. https://example.com/")
    starts: list[str] = []
    for raw in opts.start_urls:
        url = canonical(raw)
        if url is None:
            raise CrawlError(
                f"{raw!r} is not a valid http(s) URL; give the site's full address, e.g. https://example.com/"
            )
        if url not in starts:
            starts.append(url)
    if opts.scope is None:
        return starts, origin(starts[0]) + "/"
    scope = canonical(opts.scope)
    if scope is None:
        raise CrawlError(f"scope {opts.scope!r} is not a valid http(s) URL prefix, e.g. https://example.com/docs/")
    return starts, scope


class _Crawler:
    def __init__(self, opts: CrawlOptions, previous: Mapping[str, Cached], transport: httpx.AsyncBaseTransport | None):
        self.starts, scope = _start_urls(opts)
        self.opts = opts
        self.previous = previous
        self.transport = transport
        self.bridge: Bridge[Fetched] = Bridge(_PAGE_BUFFER)
        self.frontier = Frontier(opts, scope, allowed=self._allowed, report=self.bridge.progress)
        self.planned: list[str] = []
        self.pages = self.not_modified = 0

    def _allowed(self, url: str) -> bool:
        return self.discovery.allowed(url)  # discovery exists once the loop runs, before any decision

    async def _emit(self, fetched: Fetched) -> None:
        await self.bridge.emit(fetched)
        self.pages += 1
        self.not_modified += fetched.not_modified

    # -- the crawl ----------------------------------------------------------------------------

    async def main(self) -> CrawlResult:
        limits = httpx.Limits(
            max_connections=self.opts.concurrency * 2, max_keepalive_connections=self.opts.concurrency
        )
        async with httpx.AsyncClient(
            transport=self.transport,
            follow_redirects=False,
            headers={"User-Agent": self.opts.user_agent, "Accept": ACCEPT},
            timeout=httpx.Timeout(self.opts.timeout),
            limits=limits,
        ) as client:
            self.http = Http(client, self.opts)
            self.discovery = Discovery(self.http, self.opts)
            level0 = await self._check_starts()
            await self._level0(level0)
            for url in await self.discovery.sitemap_urls(self.frontier.scope):
                if in_scope(url, self.frontier.scope):  # a sitemap listing other sites is not a link to them
                    self.frontier.admit(url, 1)
            depth = 1
            while self.frontier.next_level:
                await self._level(self.frontier.next_level_urls(), depth)
                depth += 1
        return CrawlResult(
            pages=self.pages,
            not_modified=self.not_modified,
            requests=self.http.requests,
            skipped=sorted(self.frontier.skipped.items()),
            planned=sorted(self.planned),
        )

    async def _check_starts(self) -> list[str]:
        """Start URLs that may be fetched; CrawlError when none may."""
        scope = self.frontier.scope
        inside = [u for u in self.starts if in_scope(u, scope)]
        if not inside:
            raise CrawlError(f"{self.starts[0]} is outside the crawl scope {scope}; change the scope or the start URL")
        robots = await self.discovery.robots_for(origin(scope))
        failure = self.discovery.failures.get(origin(scope))
        if failure is not None and failure.cause in ("dns", "connect"):
            raise CrawlError(_start_error(inside[0], failure, self.opts.timeout))
        if not any(robots.allowed(u) for u in inside):
            robots_url = origin(scope) + "/robots.txt"
            if robots.unavailable:
                raise CrawlError(
                    f"{robots_url} {robots.unavailable}, and a robots.txt that cannot be read forbids all crawling "
                    f"(Google's rule), so {inside[0]} cannot be fetched; try again later or fix the server"
                )
            raise CrawlError(
                f"{robots_url} forbids user agent {self.discovery.agent!r} to fetch {inside[0]}; ask the site owner to "
                "allow it, or, if the site is yours, set respect_robots = false under [crawl] in sitebot.toml"
            )
        return self.frontier.seed(self.starts)

    async def _level0(self, urls: list[str]) -> None:
        """Fetch the start URLs one by one (the first may move the default scope), then process them."""
        if self.opts.dry_run:
            self.planned.extend(urls)
            return
        self.frontier.begin_level()
        outcomes = []
        for i, url in enumerate(urls):
            outcomes.append(await self._fetch_page(url, start=True, adopt=i == 0 and self.opts.scope is None))
        fatal = [o for o in outcomes if isinstance(o, Failure) and o.cause]
        if len(fatal) == len(outcomes):
            raise CrawlError(_start_error(urls[0], fatal[0], self.opts.timeout))
        for url, outcome in zip(urls, outcomes, strict=True):
            await self._process(url, 0, outcome)

    async def _level(self, urls: list[str], depth: int) -> None:
        """Fetch one level concurrently; process results in sorted-URL order."""
        todo = self.frontier.cut(urls)
        if self.opts.dry_run:
            self.planned.extend(todo)
            return
        self.frontier.begin_level()
        window = self.opts.concurrency * _WINDOW_PER_SLOT
        tasks: dict[int, asyncio.Task[Page | Failure | Elsewhere]] = {}
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

    async def _process(self, url: str, depth: int, outcome: Page | Failure | Elsewhere) -> None:
        self.bridge.progress("fetch")
        frontier = self.frontier
        if not isinstance(outcome, Page):
            frontier.failed(url, outcome.reason if isinstance(outcome, Failure) else None)
            return
        page = outcome
        if not frontier.landed(url, page.url, page.chain):
            return  # the redirect target is (or was) fetched on its own

        agent = self.discovery.agent
        directives = robots_directives(page.robots_tags, agent)
        facts = read_html(page.content, page.url, agent) if page.kind == "html" else None
        if facts is not None:
            directives |= facts.directives
        noindex = bool(directives & {"noindex", "none"})
        nofollow = bool(directives & {"nofollow", "none"})

        target = frontier.target(page.url, depth, noindex=noindex, canonical=facts.canonical if facts else None)
        if facts is not None and not nofollow:
            for link in facts.links:
                frontier.admit(link, depth + 1)
        if target is not None:
            frontier.indexed(target)
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

    # -- fetching pages -----------------------------------------------------------------------

    async def _fetch_page(self, url: str, *, start: bool = False, adopt: bool = False) -> Page | Failure | Elsewhere:
        """GET a page, following redirects (scope, robots and loops checked at every hop)."""

        async def check_hop(target: str) -> Failure | Elsewhere | None:
            if adopt and not in_scope(target, self.frontier.scope):
                # The site lives elsewhere (http → https, bare → www): the default scope follows.
                self.frontier.scope = origin(target) + "/"
            problem = await self._hop_problem(target, start)
            if problem:
                return Failure(problem, "redirect" if problem == "redirect out of scope" else None, target)
            if not self.frontier.claim(target):
                return Elsewhere(target)
            return None

        conditional = Conditional(self.previous)
        landed = await self.http.fetch(
            url,
            max_redirects=MAX_REDIRECTS,
            max_bytes=self.opts.max_bytes,
            headers=conditional,
            want_body=wants_body,
            check_hop=check_hop,
        )
        if not isinstance(landed, Landed):
            return landed
        return page_from(landed, conditional.cached)

    async def _hop_problem(self, url: str, start: bool) -> str | None:
        if not in_scope(url, self.frontier.scope):
            return "redirect out of scope"
        if not start and self.frontier.excluded(url):
            return "excluded"
        if not (await self.discovery.robots_for(origin(url))).allowed(url):
            return "robots.txt"
        return None
